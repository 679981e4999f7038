//! One section of the report from its analysis: funnels (with trend and
//! time to convert), comparisons, impact analyses, metric bars, paths
//! (a Sankey chart) and retention (a curve and a cohort table).

use super::*;

pub(super) fn heading_or(s: &ReportSpecSection, default: String) -> String {
    s.heading
        .clone()
        .filter(|h| !h.trim().is_empty())
        .unwrap_or(default)
}

pub(super) fn chart_section(
    heading: String,
    intro: Option<String>,
    chart: ChartData,
) -> ChartSection {
    ChartSection {
        heading,
        intro,
        chart,
        table: None,
        notes: vec![],
    }
}

/// The trend sentences, naming the funnel and the periods in words
/// ("in the week of 2024-09-02", "in September 2024").
pub(super) fn trend_findings(
    t: &TrendChartData,
    name: &str,
    spec: Option<&TrendSpec>,
) -> Vec<String> {
    let mut t = t.clone();
    for s in &mut t.series {
        s.name = name.to_string();
        for p in &mut s.points {
            p.period = match spec.map(|s| s.interval) {
                Some(Interval::Week) => format!("the week of {}", p.period),
                Some(Interval::Month) => Date::parse_iso(&format!("{}-01", p.period))
                    .map(|d| format!("{} {}", MONTHS[d.month() as usize - 1], d.year()))
                    .unwrap_or_else(|| p.period.clone()),
                _ => p.period.clone(),
            };
        }
    }
    crate::report::findings::trend(&t)
}

/// The sections of one funnel (chart, and its trend and time-to-convert
/// when the spec asks for them) and its findings.
pub(super) fn funnel_sections(
    heading: String,
    intro: Option<String>,
    spec: &FunnelSpec,
    r: &FunnelResult,
    out: &mut Vec<Section>,
    findings: &mut Findings,
) -> Result<()> {
    let sub = subtitle(spec, &r.unit);
    let p = crate::present::funnel(Some(&heading), intro, spec, r);
    // the overall conversion is about the goal; the drop (the last
    // sentence, when there is a bottleneck) about the step it drops into
    let mut sentences = p.findings;
    let drop = match &p.bottleneck {
        Some(b) => sentences.pop().map(|s| (s, step_event(spec, b.to_step))),
        None => None,
    };
    findings.add(&spec.dataset, goal_event(spec), sentences)?;
    if let Some((s, event)) = drop {
        findings.add(&spec.dataset, event, [s])?;
    }
    let sec = p.section;
    out.push(Section::Chart(sec));
    if let Some(t) = trend_chart(format!("{heading}: conversion over time"), sub.clone(), r) {
        findings.add(
            &spec.dataset,
            goal_event(spec),
            trend_findings(&t, &heading, spec.trend.as_ref()),
        )?;
        out.push(Section::Chart(chart_section(
            format!("{heading}: trend"),
            None,
            ChartData::Trend(t),
        )));
    }
    if let Some(h) = histogram(format!("{heading}: time to convert"), sub, r) {
        let mut s = chart_section(
            format!("{heading}: time to convert"),
            None,
            ChartData::Histogram(h),
        );
        if let Some(t) = &r.time_to_convert {
            if let Some(m) = t.median_seconds {
                s.notes.push(format!(
                    "Half of the {} who converted took {} or less.",
                    r.unit,
                    format::duration(m)
                ));
            }
        }
        out.push(Section::Chart(s));
    }
    Ok(())
}

pub(super) fn metric_section(
    ws: &Workspace,
    s: &ReportSpecSection,
    m: &MetricSectionSpec,
    out: &mut Vec<Section>,
    findings: &mut Findings,
) -> Result<()> {
    let rec = ws.dataset(&m.dataset)?;
    let ds = &rec.info.name;
    let find = |name: &str| {
        rec.info
            .columns
            .iter()
            .position(|c| c.name == name)
            .ok_or_else(|| {
                let names: Vec<&str> = rec.info.columns.iter().map(|c| c.name.as_str()).collect();
                Error::Invalid(format!(
                    "dataset \"{ds}\" has no column \"{name}\" (its columns: {})",
                    names.join(", ")
                ))
            })
    };
    let (d, v) = (find(&m.dimension)?, find(&m.metric)?);
    let ty = rec.info.columns[v].ty;
    let (kind, scale) = match ty {
        ColumnType::Integer => (ValueKind::Count, 1.0),
        ColumnType::Decimal => (ValueKind::Number, 1.0),
        // durations are stored in milliseconds
        ColumnType::Duration => (ValueKind::Seconds, 0.001),
        other => {
            return Err(Error::Invalid(format!(
                "the metric column \"{}\" of dataset \"{ds}\" holds {} values, not numbers; choose a numeric column",
                m.metric,
                other.as_str()
            )))
        }
    };
    let dims = ws.read_column(&rec, d)?;
    let vals = ws.read_column(&rec, v)?;
    let mut order: Vec<String> = Vec::new();
    let mut sums: std::collections::HashMap<String, f64> = std::collections::HashMap::new();
    for i in 0..dims.len() {
        let label = crate::index::cell_text(&dims, i)
            .filter(|t| !t.trim().is_empty())
            .unwrap_or_else(|| "(none)".to_string());
        let x = crate::funnel::metric::numeric(&vals, i) * scale;
        match sums.get_mut(&label) {
            Some(sum) => *sum += x,
            None => {
                sums.insert(label.clone(), x);
                order.push(label);
            }
        }
    }
    let mut bars: Vec<MetricBar> = order
        .into_iter()
        .map(|label| MetricBar {
            value: sums[&label],
            label,
        })
        .collect();
    // largest first; ties keep the export's order (the sort is stable)
    bars.sort_by(|a, b| b.value.total_cmp(&a.value));
    let total: f64 = bars.iter().map(|b| b.value).sum();
    let limit = m.limit.unwrap_or(12).clamp(1, 50);
    let heading = heading_or(s, format!("{} by {}", m.metric, m.dimension));
    if let Some(top) = bars.first() {
        // a share of the total only means something for counts (not for
        // averages or rates that a report table may hold)
        let share = if kind == ValueKind::Count && total > 0.0 {
            format!(" ({} of the total)", format::percent(top.value / total))
        } else {
            String::new()
        };
        findings.add(
            &m.dataset,
            None,
            [format!(
                "\u{201c}{}\u{201d} has the most {}: {}{share}.",
                top.label,
                m.metric,
                format::value(kind, top.value)
            )],
        )?;
    }
    // the table under the chart (and its CSV) holds the bars drawn, then the
    // rest pooled into one row, so a 200-row export does not fill pages
    let mut table = Table::new(&[(&m.dimension, None), (&m.metric, Some(kind))]);
    for b in bars.iter().take(limit) {
        table
            .rows
            .push(vec![Cell::Text(b.label.clone()), Cell::Number(b.value)]);
    }
    if bars.len() > limit {
        let rest = &bars[limit..];
        let label = format!("Other ({} values)", format::count(rest.len() as u64));
        let cell = if kind == ValueKind::Count {
            Cell::Number(rest.iter().map(|b| b.value).sum())
        } else {
            Cell::Empty
        };
        table.rows.push(vec![Cell::Text(label), cell]);
    }
    let chart = MetricBarsData {
        title: heading.clone(),
        subtitle: Some(format!("{ds} · {} rows", format::count(dims.len() as u64))),
        dimension: m.dimension.clone(),
        metric: m.metric.clone(),
        value_kind: kind,
        bars,
        limit: Some(limit),
    };
    let mut sec = chart_section(heading, s.intro.clone(), ChartData::MetricBars(chart));
    sec.table = Some(table);
    out.push(Section::Chart(sec));
    Ok(())
}

pub(super) fn compare_section(
    s: &ReportSpecSection,
    c: &CompareSpec,
    r: &crate::compare::CompareResult,
    out: &mut Vec<Section>,
    findings: &mut Findings,
) -> Result<()> {
    let p = crate::present::compare(s.heading.as_deref(), s.intro.clone(), c, r);
    findings.add(&c.funnel.dataset, goal_event(&c.funnel), p.findings)?;
    out.push(Section::Chart(p.section));
    Ok(())
}

pub(super) fn impact_section(
    ws: &Workspace,
    s: &ReportSpecSection,
    spec: &ImpactSpec,
    cache: &mut IndexCache,
    out: &mut Vec<Section>,
    findings: &mut Findings,
) -> Result<()> {
    let r = run_impact(ws, spec, cache)?;
    let p = crate::present::impact(s.heading.as_deref(), s.intro.clone(), spec, &r)?;
    // each action's sentence is about its event; "none stands out" about
    // the goal
    let ChartData::Impact(d) = &p.section.chart else {
        return Err(Error::Internal(
            "the impact section holds another kind of chart".into(),
        ));
    };
    for (sentence, label) in crate::report::findings::impact_about(d) {
        let event = match label {
            Some(l) => r
                .candidates
                .iter()
                .find(|c| c.label == l)
                .and_then(|c| c.candidate.event.as_deref()),
            None => r.goal.event.as_deref(),
        };
        findings.add(&spec.dataset, event, [sentence])?;
    }
    out.push(Section::Chart(p.section));
    Ok(())
}

/// A value analysis: the value table (chart: value per unit by step), the
/// ranked opportunities with the what-if under them, their ICE table, and
/// where the non-converters stopped.
pub(super) fn value_sections(
    ws: &Workspace,
    s: &ReportSpecSection,
    spec: &ValueSpec,
    cache: &mut IndexCache,
    out: &mut Vec<Section>,
    findings: &mut Findings,
) -> Result<()> {
    let r = run_value(ws, spec, cache)?;
    let p = crate::present::value(s.heading.as_deref(), s.intro.clone(), spec, &r);
    let (heading, table, _) = p.priorities;
    let mut ice = Some(Section::Table { heading, table });
    for (i, part) in [p.value, p.opportunities, p.wasted].into_iter().enumerate() {
        findings.add(
            &spec.funnel.dataset,
            goal_event(&spec.funnel),
            part.findings,
        )?;
        out.push(Section::Chart(part.section));
        // the ICE table under the opportunities
        if i == 1 {
            out.extend(ice.take());
        }
    }
    Ok(())
}

/// Paths: the Sankey chart and the node table.
pub(super) fn paths_section(
    ws: &Workspace,
    s: &ReportSpecSection,
    spec: &PathsSpec,
    cache: &mut IndexCache,
    out: &mut Vec<Section>,
    findings: &mut Findings,
) -> Result<()> {
    let r = run_paths(ws, spec, cache)?;
    let p = crate::present::paths(s.heading.as_deref(), s.intro.clone(), spec, &r);
    findings.add(&spec.dataset, None, p.findings)?;
    out.push(Section::Chart(p.section));
    // between two steps, converters against drop-offs: their table, with
    // their notes as text under it
    for part in [
        crate::present::paths_between(&r),
        crate::present::paths_comparison(&r),
    ]
    .into_iter()
    .flatten()
    {
        findings.add(&spec.dataset, None, part.findings)?;
        out.push(Section::Table {
            heading: part.heading,
            table: part.table,
        });
        out.push(Section::Text {
            heading: None,
            body: part.notes.join("\n\n"),
        });
    }
    Ok(())
}

pub(super) fn retention_section(
    ws: &Workspace,
    s: &ReportSpecSection,
    spec: &RetentionSpec,
    cache: &mut IndexCache,
    out: &mut Vec<Section>,
    findings: &mut Findings,
) -> Result<()> {
    let r = run_retention(ws, spec, cache)?;
    let p = crate::present::retention(s.heading.as_deref(), s.intro.clone(), spec, &r);
    findings.add(&spec.dataset, None, p.findings)?;
    out.push(Section::Chart(p.section));
    Ok(())
}
