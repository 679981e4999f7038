//! From a report spec (the analyst's saved list of sections) to a
//! [`ReportDocument`]: every section's analysis is run afresh on the
//! workspace (nothing is cached but the event index, which is rebuilt when a
//! dataset changes), so a spec re-run on next month's import gives next
//! month's report. See docs/reports.md.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::{
    render_pdf, render_pngs, tables_csv, tables_xlsx, ChartSection, MethodItem, PageSize,
    ReportDocument, Section,
};
use crate::calendar::{long_date, range_text, Date, MONTHS};
use crate::chart::format;
use crate::chart::results::{describe_funnel, histogram, subtitle, trend_chart};
use crate::chart::{ChartData, MetricBar, MetricBarsData, TrendChartData, ValueKind};
use crate::compare::{run_compare, CompareSpec};
use crate::error::{Error, Result};
use crate::funnel::{run_funnel, FunnelResult, FunnelSpec, Interval, Order, TrendSpec};
use crate::impact::{run_impact, ImpactSpec, ASSOCIATION_NOTE};
use crate::index::IndexCache;
use crate::model::{ColumnType, DatasetKind};
use crate::report::{Cell, Table};
use crate::store::Workspace;

/// A saved report: `stepwise report SPEC.json --out report.pdf`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct ReportSpec {
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub subtitle: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub client: Option<String>,
    #[serde(default)]
    pub page: PageSize,
    pub sections: Vec<ReportSpecSection>,
}

/// One section of a report spec: exactly one of `funnel`, `compare`,
/// `impact`, `trend` (a funnel spec; its `trend` defaults to weekly) or
/// `text`, with an optional `heading` and `intro` sentence.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct ReportSpecSection {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub funnel: Option<FunnelSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub compare: Option<CompareSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub impact: Option<ImpactSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub trend: Option<FunnelSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub text: Option<String>,
    /// Bars of an imported report table (a metric table such as a GA4 page
    /// report): the metric summed per value of the dimension.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub metric: Option<MetricSectionSpec>,
    /// The section's heading (default: made from the analysis).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub heading: Option<String>,
    /// A sentence or two above the chart.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub intro: Option<String>,
}

/// `{"metric": {"dataset": "landing pages", "dimension": "Landing page",
/// "metric": "Sessions", "limit": 12}}`: a bar per value of `dimension`
/// (the largest `limit`, default 12), its length the sum of `metric` over
/// the rows with that value, as the export gives them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct MetricSectionSpec {
    pub dataset: String,
    pub dimension: String,
    pub metric: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub limit: Option<usize>,
}

impl ReportSpec {
    pub fn from_json(text: &str) -> Result<ReportSpec> {
        let spec: ReportSpec = serde_json::from_str(text)
            .map_err(|e| Error::Invalid(format!("the report spec is not valid: {e}")))?;
        spec.validate()?;
        Ok(spec)
    }

    /// Every section has exactly one kind; the title is not empty.
    pub fn validate(&self) -> Result<()> {
        if self.title.trim().is_empty() {
            return Err(Error::Invalid("the report spec needs a title".into()));
        }
        for (i, s) in self.sections.iter().enumerate() {
            let n = [
                s.funnel.is_some(),
                s.compare.is_some(),
                s.impact.is_some(),
                s.trend.is_some(),
                s.text.is_some(),
                s.metric.is_some(),
            ]
            .iter()
            .filter(|b| **b)
            .count();
            if n != 1 {
                return Err(Error::Invalid(format!(
                    "report section {} must have exactly one of \"funnel\", \"compare\", \"impact\", \"trend\", \"metric\" or \"text\" (it has {n})",
                    i + 1
                )));
            }
        }
        Ok(())
    }
}

/// What the report's analyses used, for the title page and the appendix.
#[derive(Default)]
struct Used {
    datasets: BTreeSet<String>,
    /// Explicit date ranges of the funnel specs (from, to).
    ranges: BTreeSet<(Option<String>, Option<String>)>,
    windows: BTreeSet<String>,
    orders: BTreeSet<&'static str>,
    units: BTreeSet<&'static str>,
    compare: bool,
    impact: bool,
    trend: bool,
    metric: bool,
}

impl Used {
    fn funnel(&mut self, spec: &FunnelSpec) {
        self.datasets.insert(spec.dataset.clone());
        if let Some(r) = &spec.date_range {
            self.ranges.insert((r.from.clone(), r.to.clone()));
        }
        self.windows.insert(
            spec.window
                .clone()
                .unwrap_or_else(|| crate::funnel::DEFAULT_WINDOW.to_string()),
        );
        self.orders.insert(match spec.order() {
            Order::Ordered => "ordered",
            Order::Strict => "strict",
            Order::Unordered => "unordered",
        });
        self.units.insert(spec.unit().as_str());
    }
}

fn heading_or(s: &ReportSpecSection, default: String) -> String {
    s.heading
        .clone()
        .filter(|h| !h.trim().is_empty())
        .unwrap_or(default)
}

fn chart_section(heading: String, intro: Option<String>, chart: ChartData) -> ChartSection {
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
fn trend_findings(t: &TrendChartData, name: &str, spec: Option<&TrendSpec>) -> Vec<String> {
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
fn funnel_sections(
    heading: String,
    intro: Option<String>,
    spec: &FunnelSpec,
    r: &FunnelResult,
    out: &mut Vec<Section>,
    findings: &mut Vec<String>,
) {
    let sub = subtitle(spec, &r.unit);
    let p = crate::present::funnel(Some(&heading), intro, spec, r);
    findings.extend(p.findings);
    let sec = p.section;
    out.push(Section::Chart(sec));
    if let Some(t) = trend_chart(format!("{heading}: conversion over time"), sub.clone(), r) {
        findings.extend(trend_findings(&t, &heading, spec.trend.as_ref()));
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
}

/// Runs every section's analysis and maps the results into a report.
/// `prepared_on` is today's date (UTC).
pub fn build_report(
    ws: &Workspace,
    spec: &ReportSpec,
    cache: &mut IndexCache,
) -> Result<ReportDocument> {
    let today = Date::today();
    let mut doc = build_report_dated(ws, spec, cache, None)?;
    doc.prepared_on = Some(long_date(today));
    Ok(doc)
}

/// [`build_report`] with the "Prepared on" text given (or left out).
pub fn build_report_dated(
    ws: &Workspace,
    spec: &ReportSpec,
    cache: &mut IndexCache,
    prepared_on: Option<String>,
) -> Result<ReportDocument> {
    spec.validate()?;
    let mut used = Used::default();
    let mut body = Vec::new();
    let mut findings = Vec::new();
    for s in &spec.sections {
        if let Some(f) = &s.funnel {
            used.funnel(f);
            let r = run_funnel(ws, f, cache)?;
            let h = heading_or(s, format!("Funnel: {}", describe_funnel(f)));
            funnel_sections(h, s.intro.clone(), f, &r, &mut body, &mut findings);
        } else if let Some(f) = &s.trend {
            used.funnel(f);
            used.trend = true;
            let mut f = f.clone();
            if f.trend.is_none() {
                f.trend = Some(TrendSpec {
                    interval: Interval::Week,
                });
            }
            let r = run_funnel(ws, &f, cache)?;
            let h = heading_or(s, format!("Conversion over time: {}", describe_funnel(&f)));
            let t = trend_chart(h.clone(), subtitle(&f, &r.unit), &r)
                .ok_or_else(|| Error::Invalid("the trend section gave no trend".into()))?;
            findings.extend(trend_findings(&t, &h, f.trend.as_ref()));
            let mut sec = chart_section(h, s.intro.clone(), ChartData::Trend(t));
            sec.notes.push(format!(
                "Each point is the share of {} whose attempt started in that period and who reached the last step; the band is its 95% Wilson interval.",
                r.unit
            ));
            sec.notes.extend(r.warnings.iter().cloned());
            body.push(Section::Chart(sec));
        } else if let Some(c) = &s.compare {
            used.funnel(&c.funnel);
            used.compare = true;
            compare_section(ws, s, c, cache, &mut body, &mut findings)?;
        } else if let Some(i) = &s.impact {
            used.datasets.insert(i.dataset.clone());
            used.impact = true;
            impact_section(ws, s, i, cache, &mut body, &mut findings)?;
        } else if let Some(m) = &s.metric {
            used.datasets.insert(m.dataset.clone());
            used.metric = true;
            metric_section(ws, s, m, &mut body, &mut findings)?;
        } else if let Some(t) = &s.text {
            body.push(Section::Text {
                heading: s.heading.clone(),
                body: t.clone(),
            });
        }
    }
    let mut sections = Vec::new();
    if !findings.is_empty() {
        sections.push(Section::Findings {
            heading: "Key findings".into(),
            items: findings,
        });
    }
    sections.extend(body);
    sections.push(Section::Method {
        heading: "Method".into(),
        items: method(&used),
    });
    Ok(ReportDocument {
        title: spec.title.clone(),
        subtitle: spec.subtitle.clone(),
        client: spec.client.clone(),
        date_range: date_range(ws, &used, cache)?,
        datasets: used.datasets.iter().cloned().collect(),
        prepared_on,
        page: spec.page,
        sections,
    })
}

fn metric_section(
    ws: &Workspace,
    s: &ReportSpecSection,
    m: &MetricSectionSpec,
    out: &mut Vec<Section>,
    findings: &mut Vec<String>,
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
        findings.push(format!(
            "\u{201c}{}\u{201d} has the most {}: {}{share}.",
            top.label,
            m.metric,
            format::value(kind, top.value)
        ));
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

fn compare_section(
    ws: &Workspace,
    s: &ReportSpecSection,
    c: &CompareSpec,
    cache: &mut IndexCache,
    out: &mut Vec<Section>,
    findings: &mut Vec<String>,
) -> Result<()> {
    let r = run_compare(ws, c, cache)?;
    let p = crate::present::compare(s.heading.as_deref(), s.intro.clone(), c, &r);
    findings.extend(p.findings);
    out.push(Section::Chart(p.section));
    Ok(())
}

fn impact_section(
    ws: &Workspace,
    s: &ReportSpecSection,
    spec: &ImpactSpec,
    cache: &mut IndexCache,
    out: &mut Vec<Section>,
    findings: &mut Vec<String>,
) -> Result<()> {
    let r = run_impact(ws, spec, cache)?;
    let p = crate::present::impact(s.heading.as_deref(), s.intro.clone(), spec, &r)?;
    findings.extend(p.findings);
    out.push(Section::Chart(p.section));
    Ok(())
}

/// The period on the title page: the funnel specs' own date range when they
/// all give the same one, else the span of the data in the datasets used.
fn date_range(ws: &Workspace, used: &Used, cache: &mut IndexCache) -> Result<Option<String>> {
    let mut lo: Option<Date> = None;
    let mut hi: Option<Date> = None;
    for name in &used.datasets {
        let rec = ws.dataset(name)?;
        if rec.info.kind != DatasetKind::Events {
            continue;
        }
        // the index the analyses already built (users unless only sessions were counted)
        let unit =
            if used.units.contains("sessions") && !used.units.contains("users") && !used.impact {
                crate::index::Unit::Sessions
            } else {
                crate::index::Unit::Users
            };
        let ix = cache.get(ws, &rec, unit)?;
        let (Some(a), Some(b)) = (ix.time.iter().min(), ix.time.iter().max()) else {
            continue;
        };
        if let (Some(a), Some(b)) = (Date::of_micros(*a), Date::of_micros(*b)) {
            lo = Some(lo.map_or(a, |l| l.min(a)));
            hi = Some(hi.map_or(b, |h| h.max(b)));
        }
    }
    if used.ranges.len() == 1 && !used.compare_or_impact_without_range() {
        let (from, to) = used.ranges.iter().next().cloned().unwrap_or_default();
        let a = from.as_deref().and_then(Date::parse_iso).or(lo);
        let b = to.as_deref().and_then(Date::parse_iso).or(hi);
        if let (Some(a), Some(b)) = (a, b) {
            // the data may cover less than the range asked for
            let a = lo.map_or(a, |l| a.max(l));
            let b = hi.map_or(b, |h| b.min(h));
            if a <= b {
                return Ok(Some(range_text(a, b)));
            }
        }
    }
    Ok(match (lo, hi) {
        (Some(a), Some(b)) => Some(range_text(a, b)),
        _ => None,
    })
}

impl Used {
    /// An impact analysis has no date range of its own: it covers the data.
    fn compare_or_impact_without_range(&self) -> bool {
        self.impact
    }
}

/// The method appendix, in plain words, naming the settings actually used.
fn method(used: &Used) -> Vec<MethodItem> {
    let item = |term: &str, text: String| MethodItem {
        term: term.into(),
        text,
    };
    let list = |s: &BTreeSet<String>| s.iter().cloned().collect::<Vec<_>>().join(", ");
    let units: Vec<&str> = used.units.iter().copied().collect();
    let mut out = vec![
        item(
            "Funnel",
            format!(
                "A funnel counts {} (each counted once) who reach each step. A step counts only when the earlier steps were reached too, in the order described below, within the window measured from the first step.",
                if units.is_empty() { "users".into() } else { units.join(" or ") }
            ),
        ),
    ];
    if !used.windows.is_empty() {
        out.push(item(
            "Window",
            format!(
                "The time allowed from the first step to the last: {} (m = minutes, h = hours, d = days, w = weeks).",
                list(&used.windows)
            ),
        ));
    }
    if !used.orders.is_empty() {
        let mut words = Vec::new();
        for o in &used.orders {
            words.push(match *o {
                "ordered" => "ordered (steps in this order, other events allowed between them)",
                "strict" => "strict (each step must directly follow the previous one, with no other event between)",
                _ => "unordered (the steps may happen in any order within the window)",
            });
        }
        out.push(item(
            "Order",
            format!("Step order used: {}.", words.join("; ")),
        ));
    }
    out.push(item(
        "Bottleneck",
        "The step where the largest share of those who reached the previous step did not continue."
            .into(),
    ));
    if used.compare || used.trend || used.impact {
        out.push(item(
            "Interval (Wilson)",
            "A conversion rate is shown with a 95% interval (Wilson score): the range of rates consistent with the data. Small groups give wide intervals.".into(),
        ));
    }
    if used.compare || used.impact {
        out.push(item(
            "z-test",
            "Each group is compared with the baseline by a two-proportion z-test: how likely a difference this large would be if both converted at the same rate (the p-value).".into(),
        ));
        out.push(item(
            "Holm correction",
            "Testing many groups at once makes some differences look real by chance; Holm's method raises the p-values to account for the number of tests. A difference is called significant only when the corrected p-value is below 0.05.".into(),
        ));
    }
    if used.compare {
        out.push(item(
            "Chi-square test",
            "Across all groups together: whether conversion differs between any of them at all, not which one.".into(),
        ));
    }
    if used.metric {
        out.push(item(
            "Report tables",
            "Bars of an imported report table add up the metric over the rows with each value of the dimension, as the export gives them; they are not recomputed from events, so they carry the exporting tool's own definitions and sampling.".into(),
        ));
    }
    if used.impact {
        out.push(item(
            "Impact",
            format!(
                "Users who did an action are compared with users who did not (before reaching the goal); the lift is how much more often the first group reached the goal. {ASSOCIATION_NOTE}"
            ),
        ));
    }
    out
}

/// The export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ExportFormat {
    Pdf,
    Png,
    Csv,
    Xlsx,
}

impl ExportFormat {
    /// `"pdf"`, `"png"`, `"csv"` or `"xlsx"` (any case).
    pub fn parse(s: &str) -> Result<ExportFormat> {
        match s.to_ascii_lowercase().as_str() {
            "pdf" => Ok(ExportFormat::Pdf),
            "png" => Ok(ExportFormat::Png),
            "csv" => Ok(ExportFormat::Csv),
            "xlsx" => Ok(ExportFormat::Xlsx),
            _ => Err(Error::Invalid(format!(
                "unknown report format \"{s}\": use pdf, png, csv or xlsx"
            ))),
        }
    }
    /// From the output file's extension.
    pub fn from_path(p: &Path) -> Result<ExportFormat> {
        let ext = p.extension().and_then(|e| e.to_str()).unwrap_or("");
        ExportFormat::parse(ext).map_err(|_| {
            Error::Invalid(format!(
                "{}: the report format is taken from the extension; use .pdf, .png, .csv or .xlsx",
                p.display()
            ))
        })
    }
}

fn write(path: &Path, bytes: &[u8]) -> Result<PathBuf> {
    std::fs::write(path, bytes).map_err(|source| Error::Io {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(path.to_path_buf())
}

/// Writes an already-built report. PDF: `out` itself. PNG: one file per page
/// at 2x (144 dpi), `stem-01.png`, `stem-02.png`, ... next to `out`. CSV: one
/// file per table, `stem-NN-heading.csv` next to `out`. XLSX: `out`, one
/// sheet per table. Returns the files written.
pub fn write_report(
    doc: &ReportDocument,
    out: &Path,
    format: ExportFormat,
) -> Result<Vec<PathBuf>> {
    let (dir, stem) = dir_and_stem(out);
    match format {
        ExportFormat::Pdf => Ok(vec![write(out, &render_pdf(doc)?)?]),
        ExportFormat::Xlsx => Ok(vec![write(out, &tables_xlsx(doc)?)?]),
        ExportFormat::Png => write_page_pngs(doc, out, 2.0),
        ExportFormat::Csv => tables_csv(doc)
            .iter()
            .map(|(name, csv)| write(&dir.join(format!("{stem}-{name}")), csv.as_bytes()))
            .collect(),
    }
}

/// Writes every page of an already-built report as a PNG next to `out`
/// (`stem-01.png`, ...), at `scale` (1 = 72 dpi, 2 = 144 dpi).
pub fn write_page_pngs(doc: &ReportDocument, out: &Path, scale: f32) -> Result<Vec<PathBuf>> {
    let (dir, stem) = dir_and_stem(out);
    render_pngs(doc, scale)?
        .iter()
        .enumerate()
        .map(|(i, png)| write(&dir.join(format!("{stem}-{:02}.png", i + 1)), png))
        .collect()
}

fn dir_and_stem(out: &Path) -> (PathBuf, String) {
    let dir = match out.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let stem = out
        .file_stem()
        .and_then(|s| s.to_str())
        .filter(|s| !s.is_empty())
        .unwrap_or("report")
        .to_string();
    (dir, stem)
}

/// Writes every chart of an already-built report as its own PNG next to
/// `out`: `stem-chart-01-heading.png`, ... (see [`crate::report::chart_pngs`]).
pub fn write_chart_pngs(
    doc: &ReportDocument,
    out: &Path,
    size: crate::chart::ChartSize,
    scale: f32,
) -> Result<Vec<PathBuf>> {
    let (dir, stem) = dir_and_stem(out);
    crate::report::chart_pngs(doc, size, scale)?
        .iter()
        .map(|(name, png)| write(&dir.join(format!("{stem}-{name}")), png))
        .collect()
}

/// Builds the report from the workspace as it is now and writes it
/// (`stepwise report SPEC.json --out FILE`).
pub fn export_report(
    ws: &Workspace,
    spec: &ReportSpec,
    out: &Path,
    format: ExportFormat,
    cache: &mut IndexCache,
) -> Result<Vec<PathBuf>> {
    let doc = build_report(ws, spec, cache)?;
    write_report(&doc, out, format)
}
