//! What a result says, ready to show: for a funnel, a comparison and an
//! impact ranking, the report's own section (chart, table, notes) and key
//! findings, built once here for the PDF report, the CSV/XLSX export and
//! the app alike. The app gets [`Shown`]: a table whose every cell is
//! already text formatted by [`crate::chart::format`], the row to mark (the
//! bottleneck step of [`crate::bottleneck`], largest leave rate), the
//! sentences under the table and the findings; it formats no number itself.

use serde::Serialize;
use ts_rs::TS;

use crate::bottleneck::{funnel_bottleneck, Bottleneck};
use crate::chart::format::{self, ValueKind};
use crate::chart::results::{describe_funnel, funnel_chart, subtitle};
use crate::chart::ChartData;
use crate::compare::{CompareResult, CompareSpec};
use crate::error::{Error, Result};
use crate::funnel::{FunnelResult, FunnelSpec};
use crate::impact::{ImpactResult, ImpactSpec, ASSOCIATION_NOTE};
use crate::report::ChartSection;
use crate::report::{Cell, ShownTable, Table};

/// Confidence of the bottleneck's group test and of intervals when the
/// spec does not say.
pub const DEFAULT_CONFIDENCE: f64 = 0.95;

/// The note under an impact table saying which p-values decide.
pub const HOLM_NOTE: &str = "Holm-adjusted p-values decide significance: the \u{201c}p (Holm)\u{201d} column, not the raw p-value of one test, is compared with the significance level.";

/// One analysis as the report prints it, for the app: the same heading,
/// table (every cell formatted), notes and findings.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Shown {
    /// The report's heading for this analysis ("Funnel: View to Purchase").
    pub heading: String,
    /// The table the PDF prints under the chart and the CSV/XLSX export
    /// writes, every cell as text; `highlight` marks the bottleneck step.
    pub table: ShownTable,
    /// The funnel step (index >= 1 into the steps) with the largest share
    /// of units leaving since the step before ([`crate::bottleneck`]); the
    /// chart highlights the same step.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub bottleneck_step: Option<usize>,
    /// Sentences printed under the table (the bottleneck's finding, test
    /// notes, "Holm-adjusted p-values decide significance", warnings).
    pub notes: Vec<String>,
    /// Key findings, one sentence each (what the report's "Key findings"
    /// lists for this analysis).
    pub findings: Vec<String>,
}

/// A report section with the findings it adds to "Key findings".
pub struct Presented {
    pub section: ChartSection,
    pub findings: Vec<String>,
    pub bottleneck: Option<Bottleneck>,
}

impl Presented {
    /// The section's table (the chart's own when the section gives none).
    pub fn table(&self) -> Table {
        self.section
            .table
            .clone()
            .unwrap_or_else(|| self.section.chart.table())
    }

    /// What the app shows.
    pub fn shown(&self) -> Shown {
        Shown {
            heading: self.section.heading.clone(),
            table: self.table().shown(),
            bottleneck_step: self.bottleneck.as_ref().map(|b| b.to_step),
            notes: self.section.notes.clone(),
            findings: self.findings.clone(),
        }
    }
}

/// The heading a funnel gets when the analyst gave none.
pub fn funnel_heading(spec: &FunnelSpec) -> String {
    format!("Funnel: {}", describe_funnel(spec))
}

/// The heading a comparison gets when the analyst gave none.
pub fn compare_heading(spec: &CompareSpec) -> String {
    match &spec.by {
        Some(by) => format!("Comparison by {by}"),
        None => "Comparison by segment".into(),
    }
}

/// The heading an impact ranking gets when the analyst gave none.
pub fn impact_heading(r: &ImpactResult) -> String {
    format!("Actions linked to \u{201c}{}\u{201d}", r.goal.describe())
}

fn heading_or(heading: Option<&str>, default: impl FnOnce() -> String) -> String {
    heading
        .map(str::trim)
        .filter(|h| !h.is_empty())
        .map(str::to_string)
        .unwrap_or_else(default)
}

/// A funnel's section: the bars with the bottleneck step marked (chart and
/// table), its finding and the exclusion note under the table, and the
/// overall-conversion and bottleneck sentences as findings.
pub fn funnel(
    heading: Option<&str>,
    intro: Option<String>,
    spec: &FunnelSpec,
    r: &FunnelResult,
) -> Presented {
    let heading = heading_or(heading, || funnel_heading(spec));
    let sub = subtitle(spec, &r.unit);
    let mut chart = funnel_chart(heading.clone(), sub, r);
    let bn = funnel_bottleneck(r, DEFAULT_CONFIDENCE);
    if let Some(b) = &bn {
        chart.bottleneck = Some(b.to_step);
    }
    let mut findings = crate::report::findings::funnel(&chart);
    // the overall sentence from the chart, the drop from the bottleneck
    // module (which also names the worst group when there is a breakdown)
    findings.truncate(1);
    let mut notes = Vec::new();
    if let Some(b) = &bn {
        findings.push(b.finding.clone());
        notes.push(b.finding.clone());
    }
    if r.excluded > 0 {
        notes.push(format!(
            "{} {} were left out by the exclusion rules.",
            format::count(r.excluded),
            r.unit
        ));
    }
    notes.extend(r.warnings.iter().cloned());
    let chart = ChartData::Funnel(chart);
    let table = chart.table();
    Presented {
        section: ChartSection {
            heading,
            intro,
            chart,
            table: Some(table),
            notes,
        },
        findings,
        bottleneck: bn,
    }
}

fn num(x: Option<f64>) -> Cell {
    x.filter(|v| v.is_finite())
        .map_or(Cell::Empty, Cell::Number)
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

/// A comparison's section: each group's funnel side by side (the chart the
/// app draws), a row per group with its conversion, interval, lift and
/// verdict, the test sentences under it and the significant ones as
/// findings.
pub fn compare(
    heading: Option<&str>,
    intro: Option<String>,
    spec: &CompareSpec,
    r: &CompareResult,
) -> Presented {
    let heading = heading_or(heading, || compare_heading(spec));
    let chart = crate::chart::results::comparison(spec, r, Some(&heading));
    let unit = capitalise(&r.unit);
    let mut t = Table::new(&[
        ("Segment", None),
        (unit.as_str(), Some(ValueKind::Count)),
        ("Converted", Some(ValueKind::Count)),
        ("Conversion", Some(ValueKind::Rate)),
        ("Low", Some(ValueKind::Rate)),
        ("High", Some(ValueKind::Rate)),
        ("Lift", Some(ValueKind::Lift)),
        ("Verdict", None),
    ]);
    for g in &r.segments {
        let first = g.steps.first().map(|s| s.count).unwrap_or(0);
        let last = g.steps.last().map(|s| s.count).unwrap_or(0);
        let cv = &g.conversion;
        t.rows.push(vec![
            Cell::Text(g.name.clone()),
            Cell::Number(first as f64),
            Cell::Number(last as f64),
            num(cv.rate),
            num(cv.ci_low),
            num(cv.ci_high),
            num(cv.lift),
            Cell::Text(cv.verdict.clone()),
        ]);
    }
    let base_rate = r
        .segments
        .iter()
        .find(|g| g.name == r.baseline)
        .and_then(|g| g.conversion.rate);
    let mut notes = Vec::new();
    let mut findings = Vec::new();
    for g in r.segments.iter().filter(|g| g.name != r.baseline) {
        if let (Some(rate), Some(b)) = (g.conversion.rate, base_rate) {
            let sentence = format!(
                "{}: {} converted against {} for {} ({}).",
                g.name,
                format::percent(rate),
                format::percent(b),
                r.baseline,
                g.conversion.verdict
            );
            if g.conversion.verdict.starts_with("significant") {
                findings.push(sentence.clone());
            }
            notes.push(sentence);
        }
    }
    if let Some(x) = &r.chi_square {
        let sentence = format!(
            "Across all {} groups (chi-square test, {}): {}.",
            r.segments.len(),
            format::p_value(x.p_value),
            x.verdict
        );
        findings.push(sentence.clone());
        notes.push(sentence);
    }
    if let Some(b) = &r.bottleneck {
        notes.push(b.finding.clone());
    }
    notes.extend(r.warnings.iter().cloned());
    Presented {
        section: ChartSection {
            heading,
            intro,
            chart,
            table: Some(t),
            notes,
        },
        findings,
        bottleneck: r.bottleneck.clone(),
    }
}

/// The verdict of one impact row: "required step", "not enough data" (too
/// few users or no test), or, by its Holm-adjusted p-value, "higher
/// conversion", "lower conversion" or "no clear difference".
pub fn impact_verdict(
    row: &crate::impact::ImpactRow,
    adjusted: Option<f64>,
    confidence: f64,
) -> &'static str {
    if row.required {
        return "required step";
    }
    match adjusted {
        _ if row.small_sample => "not enough data",
        None => "not enough data",
        Some(p) if p < 1.0 - confidence => {
            if row.lift.unwrap_or(0.0) >= 0.0 {
                "higher conversion"
            } else {
                "lower conversion"
            }
        }
        Some(_) => "no clear difference",
    }
}

/// An impact ranking's section: the lift chart (significance after Holm's
/// correction) and a row per action in the engine's ranking with its
/// rates, lift, interval, Holm-adjusted p-value and verdict.
pub fn impact(
    heading: Option<&str>,
    intro: Option<String>,
    spec: &ImpactSpec,
    r: &ImpactResult,
) -> Result<Presented> {
    let confidence = spec.confidence.unwrap_or(DEFAULT_CONFIDENCE);
    let goal = r.goal.describe();
    let heading = heading_or(heading, || impact_heading(r));
    // the chart the app draws too; significance after Holm's correction
    let adjusted = crate::chart::results::impact_adjusted(r);
    let chart = crate::chart::results::impact(spec, r, Some(&heading));
    let ChartData::Impact(d) = &chart else {
        return Err(Error::Internal(
            "the impact result gave another kind of chart".into(),
        ));
    };
    let findings = crate::report::findings::impact(d);
    let money = r.order_value.is_some();
    let mut cols: Vec<(&str, Option<ValueKind>)> = vec![
        ("Action", None),
        ("Did it", Some(ValueKind::Count)),
        ("Conv. if did", Some(ValueKind::Rate)),
        ("Conv. if not", Some(ValueKind::Rate)),
        ("Lift", Some(ValueKind::Lift)),
        ("Low", Some(ValueKind::Lift)),
        ("High", Some(ValueKind::Lift)),
        ("p (Holm)", Some(ValueKind::PValue)),
        ("Verdict", None),
    ];
    if money {
        cols.push(("Value per action", Some(ValueKind::Money)));
    }
    let mut t = Table::new(&cols);
    for (c, adj) in r.candidates.iter().zip(&adjusted) {
        let mut row = vec![
            Cell::Text(c.label.clone()),
            Cell::Number(c.users_did as f64),
            num(c.goal_rate_did),
            num(c.goal_rate_not),
            if c.required {
                Cell::Text("required".into())
            } else {
                num(c.lift)
            },
            num(c.ci_low),
            num(c.ci_high),
            num(*adj),
            Cell::Text(impact_verdict(c, *adj, confidence).into()),
        ];
        if money {
            row.push(num(c.value_per_action));
        }
        t.rows.push(row);
    }
    let mut notes = vec![if r.note.is_empty() {
        ASSOCIATION_NOTE.to_string()
    } else {
        r.note.clone()
    }];
    notes.push(HOLM_NOTE.to_string());
    for (c, adj) in r.candidates.iter().zip(&adjusted) {
        if let Some(p) = adj {
            notes.push(format!(
                "\u{201c}{}\u{201d}: {} after Holm's correction ({}).",
                c.label,
                format::p_value(*p),
                if *p < 1.0 - confidence {
                    "significant"
                } else {
                    "no clear difference"
                }
            ));
        }
    }
    let required: Vec<String> = r
        .candidates
        .iter()
        .filter(|c| c.required)
        .map(|c| format!("\u{201c}{}\u{201d}", c.label))
        .collect();
    if !required.is_empty() {
        notes.push(format!(
            "Every user who reached \u{201c}{goal}\u{201d} did {} first: {}, not {}, so {} no lift and {} ranked after the choices.",
            required.join(", "),
            if required.len() == 1 { "a required step" } else { "required steps" },
            if required.len() == 1 { "a choice" } else { "choices" },
            if required.len() == 1 { "it has" } else { "they have" },
            if required.len() == 1 { "is" } else { "are" },
        ));
    }
    for c in r.candidates.iter().filter(|c| c.small_sample) {
        notes.push(format!(
            "\u{201c}{}\u{201d}: fewer than {} users did it; its interval is wide.",
            c.label,
            crate::impact::MIN_USERS_DID
        ));
    }
    notes.extend(r.warnings.iter().cloned());
    Ok(Presented {
        section: ChartSection {
            heading,
            intro,
            chart,
            table: Some(t),
            notes,
        },
        findings,
        bottleneck: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::funnel::StepResult;

    fn result(counts: &[u64]) -> FunnelResult {
        let labels = ["View", "Cart", "Purchase", "Thanks"];
        let first = counts[0] as f64;
        let steps: Vec<StepResult> = counts
            .iter()
            .enumerate()
            .map(|(k, &c)| {
                let prev = if k == 0 { c } else { counts[k - 1] };
                StepResult {
                    label: labels[k].into(),
                    count: c,
                    conversion_from_start: c as f64 / first,
                    conversion_from_previous: c as f64 / prev as f64,
                    dropped: prev - c,
                    average_seconds: None,
                    median_seconds: None,
                }
            })
            .collect();
        FunnelResult {
            steps,
            breakdown: vec![],
            trend: None,
            time_to_convert: None,
            unit: "users".into(),
            excluded: 0,
            warnings: vec![],
        }
    }

    fn spec() -> FunnelSpec {
        FunnelSpec::from_json(
            r#"{"dataset":"shop","steps":[{"event":"view"},{"event":"cart"},{"event":"purchase"}]}"#,
        )
        .unwrap()
    }

    #[test]
    fn the_table_marks_the_bottleneck_of_the_bottleneck_module() {
        // 10000 -> 5000 -> 1000: the largest absolute drop is the first
        // (5000 users), the largest leave rate the second (80%).
        let r = result(&[10_000, 5_000, 1_000]);
        let b = funnel_bottleneck(&r, 0.95).unwrap();
        assert_eq!(b.to_step, 2);
        let p = funnel(None, None, &spec(), &r);
        let shown = p.shown();
        assert_eq!(shown.bottleneck_step, Some(b.to_step));
        assert_eq!(shown.table.highlight, Some(b.to_step));
        assert_eq!(shown.table.rows[2][0].text, "3. Purchase");
        let ChartData::Funnel(chart) = &p.section.chart else {
            panic!("a funnel chart");
        };
        assert_eq!(chart.bottleneck_step(), Some(b.to_step));
        assert!(shown.notes.contains(&b.finding), "{:?}", shown.notes);
        assert!(shown.findings.contains(&b.finding));
    }

    #[test]
    fn every_cell_is_the_report_text() {
        let r = result(&[10_000, 5_000, 1_000]);
        let p = funnel(Some("Checkout"), None, &spec(), &r);
        let t = p.table();
        let shown = p.shown();
        assert_eq!(shown.heading, "Checkout");
        for (i, row) in shown.table.rows.iter().enumerate() {
            for (j, cell) in row.iter().enumerate() {
                assert_eq!(cell.text, t.display(i, j));
            }
        }
        let texts: Vec<&str> = shown.table.rows[1]
            .iter()
            .map(|c| c.text.as_str())
            .collect();
        assert_eq!(texts, ["2. Cart", "5,000", "50.0%", "50.0%", "5,000"]);
        assert_eq!(shown.table.rows[1][1].value, Some(5000.0));
        assert_eq!(shown.table.rows[0][4].text, "");
        assert_eq!(shown.table.rows[0][4].value, None);
    }
}
