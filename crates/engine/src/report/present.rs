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
use crate::paths::{Direction as PathDirection, PathNodeKind, PathsResult, PathsSpec};
use crate::report::ChartSection;
use crate::report::{Cell, ShownTable, Table};
use crate::retention::{CohortBy, RetentionInterval, RetentionResult, RetentionSpec, ReturnBy};
use crate::stats::{SampleSizePlan, SrmTest};

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
    /// A funnel with a breakdown: a row per group with its count at each
    /// step and its conversion, every cell as text.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub breakdown: Option<ShownTable>,
}

/// A report section with the findings it adds to "Key findings".
pub struct Presented {
    pub section: ChartSection,
    pub findings: Vec<String>,
    pub bottleneck: Option<Bottleneck>,
    /// A funnel's breakdown by group (see [`Shown::breakdown`]).
    pub breakdown: Option<Table>,
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
            breakdown: self.breakdown.as_ref().map(Table::shown),
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
        Some(by) => format!("Comparison by {}", crate::funnel::by_name(by)),
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
    let mut table = chart.table();
    // a metric-table funnel counts the metric's sum ("Sessions"), not rows
    if let (Some(m), Some(c)) = (spec.metric.as_deref(), table.columns.get_mut(1)) {
        c.name = m.to_string();
    }
    add_median_times(&mut table, r);
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
        breakdown: breakdown_table(r),
    }
}

/// A row per breakdown group: its count at each step and its conversion
/// (first step to last); `None` without a breakdown.
fn breakdown_table(r: &FunnelResult) -> Option<Table> {
    if r.breakdown.is_empty() {
        return None;
    }
    let names: Vec<String> = r
        .steps
        .iter()
        .enumerate()
        .map(|(k, s)| format!("{}. {}", k + 1, s.label))
        .collect();
    let mut cols: Vec<(&str, Option<ValueKind>)> = vec![("Breakdown", None)];
    cols.extend(names.iter().map(|n| (n.as_str(), Some(ValueKind::Count))));
    cols.push(("Conversion", Some(ValueKind::Rate)));
    let mut t = Table::new(&cols);
    for b in &r.breakdown {
        let mut row = vec![Cell::Text(b.value.clone())];
        row.extend(b.steps.iter().map(|s| Cell::Number(s.count as f64)));
        row.push(num(b.steps.last().map(|s| s.conversion_from_start)));
        t.rows.push(row);
    }
    Some(t)
}

/// A "Median time" column (time from the step before, as a duration:
/// `1 h 30 min`) when the result has step times (a metric table has none).
fn add_median_times(t: &mut Table, r: &FunnelResult) {
    if !r.steps.iter().skip(1).any(|s| s.median_seconds.is_some()) {
        return;
    }
    t.columns.push(crate::report::TableColumn {
        name: "Median time".into(),
        kind: Some(ValueKind::Seconds),
    });
    for (k, row) in t.rows.iter_mut().enumerate() {
        let secs = r.steps.get(k).and_then(|s| s.median_seconds);
        row.push(if k == 0 { Cell::Empty } else { num(secs) });
    }
}

fn num(x: Option<f64>) -> Cell {
    x.filter(|v| v.is_finite())
        .map_or(Cell::Empty, Cell::Number)
}

/// The names of an interval's bound columns at a confidence level:
/// ("95% low", "95% high").
pub fn interval_columns(confidence: f64) -> (String, String) {
    let level = format::level(confidence);
    (format!("{level} low"), format!("{level} high"))
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
    let (low, high) = interval_columns(r.confidence);
    let mut t = Table::new(&[
        ("Segment", None),
        (unit.as_str(), Some(ValueKind::Count)),
        ("Converted", Some(ValueKind::Count)),
        ("Conversion", Some(ValueKind::Rate)),
        (low.as_str(), Some(ValueKind::Rate)),
        (high.as_str(), Some(ValueKind::Rate)),
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
        breakdown: None,
    }
}

pub use crate::impact::verdict as impact_verdict;

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
    let (low, high) = interval_columns(confidence);
    let mut cols: Vec<(&str, Option<ValueKind>)> = vec![
        ("Action", None),
        ("Did it", Some(ValueKind::Count)),
        ("Conv. if did", Some(ValueKind::Rate)),
        ("Conv. if not", Some(ValueKind::Rate)),
        ("Lift", Some(ValueKind::Lift)),
        (low.as_str(), Some(ValueKind::Lift)),
        (high.as_str(), Some(ValueKind::Lift)),
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
    if !r.suggested_micro.is_empty() {
        let names: Vec<String> = r
            .suggested_micro
            .iter()
            .map(|e| format!("\u{201c}{e}\u{201d}"))
            .collect();
        notes.push(format!(
            "Suggested micro conversions (they go with reaching \u{201c}{goal}\u{201d}): {}. Tag them micro to use them as impact candidates (\"candidates\": \"micro\") and to mark them in funnels.",
            names.join(", ")
        ));
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
        breakdown: None,
    })
}

/// The A/B test planner's answer as the app shows it: every number as
/// the reports print it, and the plan in one sentence.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ShownPlan {
    /// "64,212".
    pub users_per_variant: String,
    /// All variants together.
    pub total_users: String,
    pub baseline_rate: String,
    /// The rate the variant needs to show: "2.75%".
    pub target_rate: String,
    /// "33" (whole days at the daily traffic); absent without traffic.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub days: Option<String>,
    pub sentence: String,
}

/// The planner's answer in words, for `variants` variants (control
/// included) at `confidence` and `power`.
pub fn plan(p: &SampleSizePlan, variants: u32, confidence: f64, power: f64) -> ShownPlan {
    let level = |x: f64| {
        let pct = x * 100.0;
        if (pct - pct.round()).abs() < 1e-9 {
            format!("{pct:.0}%")
        } else {
            format!("{pct:.1}%")
        }
    };
    let days = p.days.map(format::count);
    let mut sentence = format!(
        "To tell {} from {} at {} confidence with {} power: {} users per variant, {} in all ({} variants)",
        format::percent(p.baseline_rate),
        format::percent(p.target_rate),
        level(confidence),
        level(power),
        format::count(p.users_per_arm),
        format::count(p.total_users),
        variants
    );
    match (&days, p.days) {
        (Some(d), Some(1)) => sentence.push_str(&format!("; at the daily traffic given, {d} day.")),
        (Some(d), _) => sentence.push_str(&format!("; at the daily traffic given, {d} days.")),
        _ => sentence.push('.'),
    }
    ShownPlan {
        users_per_variant: format::count(p.users_per_arm),
        total_users: format::count(p.total_users),
        baseline_rate: format::percent(p.baseline_rate),
        target_rate: format::percent(p.target_rate),
        days,
        sentence,
    }
}

/// The sample-ratio check of an A/B test's split as the app shows it: the
/// test ([`crate::stats::srm`]) and the check in one sentence, numbers as
/// the reports print them.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct SampleRatioCheck {
    #[serde(flatten)]
    pub test: SrmTest,
    pub sentence: String,
}

/// Checks `observed` units per variant against the `planned` shares (an
/// even split when `None`).
pub fn sample_ratio(observed: &[u64], planned: Option<&[f64]>) -> Result<SampleRatioCheck> {
    let test = crate::stats::sample_ratio_check(observed, planned)?;
    let counts: Vec<String> = observed.iter().map(|&o| format::count(o)).collect();
    let split: Vec<String> = test.planned.iter().map(|&p| format::percent(p)).collect();
    let counts = match counts.as_slice() {
        [init @ .., last] if !init.is_empty() => format!("{} and {}", init.join(", "), last),
        _ => counts.join(""),
    };
    let sentence = format!(
        "{} units against a planned {} split: chi-square {} ({} df), {}. {}",
        counts,
        split.join(" / "),
        format::number(test.statistic, 2),
        test.df,
        format::p_value(test.p_value),
        if test.mismatch {
            "Sample-ratio mismatch: the split is not the planned one, so check the assignment and tracking before reading the result."
        } else {
            "No sign of a sample-ratio mismatch."
        }
    );
    Ok(SampleRatioCheck { test, sentence })
}

/// The heading paths get when the analyst gave none.
pub fn paths_heading(r: &PathsResult) -> String {
    format!("Paths: {}", crate::chart::results::paths_title(r))
}

/// Paths' section: the Sankey chart, a row per node (its column, name,
/// units and share of the start), and the largest next (or previous) node
/// and the share whose journey stopped as findings.
pub fn paths(
    heading: Option<&str>,
    intro: Option<String>,
    spec: &PathsSpec,
    r: &PathsResult,
) -> Presented {
    let heading = heading_or(heading, || paths_heading(r));
    let chart = crate::chart::results::paths(spec, r, Some(&heading));
    let unit = capitalise(&r.unit);
    let columns = crate::chart::results::paths_columns(r);
    let mut t = Table::new(&[
        ("Column", None),
        ("Node", None),
        (unit.as_str(), Some(ValueKind::Count)),
        ("Share of start", Some(ValueKind::Rate)),
    ]);
    let col = |level: usize| match r.direction {
        PathDirection::Next => level,
        PathDirection::Previous => r.levels - level,
    };
    for n in &r.nodes {
        t.rows.push(vec![
            Cell::Text(columns.get(col(n.level)).cloned().unwrap_or_default()),
            Cell::Text(n.name.clone()),
            Cell::Number(n.count as f64),
            if r.units > 0 {
                Cell::Number(n.count as f64 / r.units as f64)
            } else {
                Cell::Empty
            },
        ]);
    }
    let start = r.nodes.first().map(|n| n.name.clone()).unwrap_or_default();
    let mut findings = Vec::new();
    let share = |c: u64| {
        format::percent(if r.units > 0 {
            c as f64 / r.units as f64
        } else {
            0.0
        })
    };
    let first = r
        .nodes
        .iter()
        .filter(|n| n.level == 1 && n.kind == PathNodeKind::Node)
        .max_by(|a, b| a.count.cmp(&b.count).then(b.name.cmp(&a.name)));
    if let Some(n) = first {
        findings.push(match r.direction {
            PathDirection::Next => format!(
                "After \u{201c}{start}\u{201d}, most {} went to \u{201c}{}\u{201d}: {} ({} of {}).",
                r.unit,
                n.name,
                format::count(n.count),
                share(n.count),
                format::count(r.units)
            ),
            PathDirection::Previous => format!(
                "Before \u{201c}{start}\u{201d}, most {} came from \u{201c}{}\u{201d}: {} ({} of {}).",
                r.unit,
                n.name,
                format::count(n.count),
                share(n.count),
                format::count(r.units)
            ),
        });
    }
    if let Some(end) = r
        .nodes
        .iter()
        .find(|n| n.level == 1 && n.kind == PathNodeKind::End && r.between.is_none())
    {
        findings.push(format!(
            "{} of the {} at \u{201c}{start}\u{201d} ({}) did nothing {} it.",
            format::count(end.count),
            r.unit,
            share(end.count),
            match r.direction {
                PathDirection::Next => "after",
                PathDirection::Previous => "before",
            }
        ));
    }
    let mut notes = vec![format!(
        "Each column is one more event {} the start{}; per column the {} largest nodes are kept and the rest pooled into \u{201c}other\u{201d}; \u{201c}end\u{201d} counts the {} whose journey stopped there.",
        match r.direction {
            PathDirection::Next => "after",
            PathDirection::Previous => "before",
        },
        if spec.collapse_repeats.unwrap_or(true) {
            ", repeats in a row counted once"
        } else {
            ""
        },
        spec.top.unwrap_or(crate::paths::DEFAULT_TOP),
        r.unit
    )];
    if let Some(b) = &r.between {
        notes.push(format!(
            "Between two steps each journey stops at the next step's event: \u{201c}reached {}\u{201d} counts the {} who got there.",
            b.to_label, r.unit
        ));
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
        bottleneck: None,
        breakdown: None,
    }
}

/// The edges of paths as a table: one row per edge, in time order (from
/// the earlier node to the later one, whatever the direction), with each
/// node's column, the units that went that way and their share of the
/// units at the start. The node table's companion (the XLSX export's
/// "Edges" sheet, `stepwise paths --export`).
pub fn paths_edges(r: &PathsResult) -> Table {
    let unit = capitalise(&r.unit);
    let columns = crate::chart::results::paths_columns(r);
    let mut t = Table::new(&[
        ("From column", None),
        ("From", None),
        ("To column", None),
        ("To", None),
        (unit.as_str(), Some(ValueKind::Count)),
        ("Share of start", Some(ValueKind::Rate)),
    ]);
    let col = |level: usize| match r.direction {
        PathDirection::Next => level,
        PathDirection::Previous => r.levels - level,
    };
    let node = |i: usize| r.nodes.get(i);
    for e in &r.edges {
        let (Some(a), Some(b)) = (node(e.from), node(e.to)) else {
            continue;
        };
        // `from` is nearer the start: before `to` going forward, after it
        // going back
        let (first, then) = match r.direction {
            PathDirection::Next => (a, b),
            PathDirection::Previous => (b, a),
        };
        t.rows.push(vec![
            Cell::Text(columns.get(col(first.level)).cloned().unwrap_or_default()),
            Cell::Text(first.name.clone()),
            Cell::Text(columns.get(col(then.level)).cloned().unwrap_or_default()),
            Cell::Text(then.name.clone()),
            Cell::Number(e.count as f64),
            if r.units > 0 {
                Cell::Number(e.count as f64 / r.units as f64)
            } else {
                Cell::Empty
            },
        ]);
    }
    t
}

/// A table paths give beside their node table: the sequences between two
/// steps, or the first node after a step, converters against drop-offs.
#[derive(Debug, Clone, PartialEq)]
pub struct PathsPart {
    pub heading: String,
    pub table: Table,
    pub notes: Vec<String>,
    pub findings: Vec<String>,
}

impl PathsPart {
    /// What the app shows.
    pub fn shown(&self) -> Shown {
        Shown {
            heading: self.heading.clone(),
            table: self.table.shown(),
            bottleneck_step: None,
            notes: self.notes.clone(),
            findings: self.findings.clone(),
            breakdown: None,
        }
    }
}

fn spread_sentence(s: &crate::paths::Spread, fmt: impl Fn(f64) -> String) -> Option<String> {
    Some(format!(
        "median {}, 75th percentile {}, 90th percentile {}",
        fmt(s.median?),
        fmt(s.p75?),
        fmt(s.p90?)
    ))
}

/// Between two steps: a row per sequence (its units and share of those
/// who went from the one step to the other); the number of events and the
/// time taken as notes; the commonest sequence and the median time as
/// findings.
pub fn paths_between(r: &PathsResult) -> Option<PathsPart> {
    let b = r.between.as_ref()?;
    let unit = capitalise(&r.unit);
    let mut t = Table::new(&[
        ("Between", None),
        (unit.as_str(), Some(ValueKind::Count)),
        ("Share", Some(ValueKind::Rate)),
    ]);
    let share = |c: u64| (b.units > 0).then(|| c as f64 / b.units as f64);
    for q in &b.sequences {
        t.rows.push(vec![
            Cell::Text(q.name.clone()),
            Cell::Number(q.count as f64),
            share(q.count).map_or(Cell::Empty, Cell::Number),
        ]);
    }
    let (from, to) = (&b.from_label, &b.to_label);
    let mut notes = vec![format!(
        "{} {} went from \u{201c}{from}\u{201d} (step {}) to \u{201c}{to}\u{201d} (step {}) in their counted attempt; each row is what they did between, repeats in a row counted once{}, longer sequences cut after {} with \u{201c}\u{2026}\u{201d}, the rest pooled into \u{201c}other\u{201d}.",
        format::count(b.units),
        r.unit,
        b.step,
        b.step + 1,
        if r.by == crate::paths::By::Page { ", by page" } else { "" },
        crate::paths::SEQUENCE_MAX
    )];
    if let Some(e) = spread_sentence(&b.events, |x| {
        format::number(x, if x.fract() == 0.0 { 0 } else { 1 })
    }) {
        notes.push(format!("Events between (any event): {e}."));
    }
    if let Some(d) = spread_sentence(&b.seconds, format::duration) {
        notes.push(format!(
            "Time from \u{201c}{from}\u{201d} to \u{201c}{to}\u{201d}: {d}."
        ));
    }
    let mut findings = Vec::new();
    if let Some(top) = b.sequences.iter().find(|q| !q.other) {
        let pct = format::percent(share(top.count).unwrap_or(0.0));
        findings.push(if top.events.is_empty() {
            format!(
                "Most {} went straight from \u{201c}{from}\u{201d} to \u{201c}{to}\u{201d}: {} of {} ({pct}) did nothing between.",
                r.unit,
                format::count(top.count),
                format::count(b.units)
            )
        } else {
            format!(
                "Between \u{201c}{from}\u{201d} and \u{201c}{to}\u{201d} most {} did \u{201c}{}\u{201d}: {} of {} ({pct}).",
                r.unit,
                top.name,
                format::count(top.count),
                format::count(b.units)
            )
        });
    }
    if let (Some(m), Some(p90)) = (b.seconds.median, b.seconds.p90) {
        findings.push(format!(
            "Half of the {} took {} or less from \u{201c}{from}\u{201d} to \u{201c}{to}\u{201d}; one in ten took more than {}.",
            r.unit,
            format::duration(m),
            format::duration(p90)
        ));
    }
    Some(PathsPart {
        heading: format!("Between \u{201c}{from}\u{201d} and \u{201c}{to}\u{201d}"),
        table: t,
        notes,
        findings,
    })
}

/// Converters against drop-offs: a row per first node after the step with
/// each group's share, the difference, the Holm-adjusted p-value and
/// whether it is significant; the largest significant difference as a
/// finding.
pub fn paths_comparison(r: &PathsResult) -> Option<PathsPart> {
    let c = r.comparison.as_ref()?;
    let start = r.nodes.first().map(|n| n.name.clone()).unwrap_or_default();
    let (first, after) = match r.direction {
        PathDirection::Next => (format!("Next after {start}"), "After"),
        PathDirection::Previous => (format!("Before {start}"), "Before"),
    };
    let mut t = Table::new(&[
        (first.as_str(), None),
        ("Converters", Some(ValueKind::Rate)),
        ("Drop-offs", Some(ValueKind::Rate)),
        ("Difference", None),
        ("p (Holm)", Some(ValueKind::PValue)),
        ("Significant", None),
    ]);
    let opt = |x: Option<f64>| x.map_or(Cell::Empty, Cell::Number);
    for x in &c.rows {
        t.rows.push(vec![
            Cell::Text(x.name.clone()),
            opt(x.converters_share),
            opt(x.dropoffs_share),
            x.difference
                .map_or(Cell::Empty, |d| Cell::Text(format::percentage_points(d))),
            opt(x.p_adjusted),
            Cell::Text(
                match (x.p_adjusted, x.significant) {
                    (None, _) => "\u{2013}",
                    (_, true) => "yes",
                    (_, false) => "no",
                }
                .into(),
            ),
        ]);
    }
    let notes = vec![
        format!(
            "Of the {} {} at \u{201c}{start}\u{201d}, {} reached the funnel's last step (converters) and {} did not (drop-offs); each share is of its own group.",
            format::count(r.units),
            r.unit,
            format::count(c.converters),
            format::count(c.dropoffs)
        ),
        format!(
            "Two-proportion z-test per row (pooled, two-sided); Holm-adjusted p-values over the rows decide significance at {}%.",
            format::number(c.confidence * 100.0, if (c.confidence * 100.0).fract() == 0.0 { 0 } else { 1 })
        ),
    ];
    let mut findings = Vec::new();
    let best = c.rows.iter().filter(|x| x.significant).max_by(|a, b| {
        let d = |x: &crate::paths::PathComparisonRow| x.difference.unwrap_or(0.0).abs();
        d(a).total_cmp(&d(b))
    });
    match best {
        Some(x) => findings.push(format!(
            "{} \u{201c}{start}\u{201d}, \u{201c}{}\u{201d} was {} among converters than drop-offs: {} against {} ({}, {}).",
            after,
            x.name,
            if x.difference.unwrap_or(0.0) > 0.0 { "more common" } else { "less common" },
            format::percent(x.converters_share.unwrap_or(0.0)),
            format::percent(x.dropoffs_share.unwrap_or(0.0)),
            format::percentage_points(x.difference.unwrap_or(0.0)),
            format::p_value(x.p_adjusted.unwrap_or(1.0))
        )),
        None => findings.push(format!(
            "{after} \u{201c}{start}\u{201d}, no first node's share differs significantly between converters and drop-offs."
        )),
    }
    Some(PathsPart {
        heading: "Converters against drop-offs".into(),
        table: t,
        notes,
        findings,
    })
}

/// The heading retention gets when the analyst gave none.
pub fn retention_heading(spec: &RetentionSpec) -> String {
    format!(
        "Retention: {}",
        crate::chart::results::retention_title(spec)
    )
}

/// Retention's section: the curve, the cohort table (a row per cohort with
/// its size and the share returning in each later period, an empty cell
/// where the data does not reach; then the average over the cohorts), the
/// repeat-purchase figures as notes, and the first return period and the
/// repeat rate as findings.
pub fn retention(
    heading: Option<&str>,
    intro: Option<String>,
    spec: &RetentionSpec,
    r: &RetentionResult,
) -> Presented {
    let heading = heading_or(heading, || retention_heading(spec));
    let chart = crate::chart::results::retention(spec, r, Some(&heading));
    let names: Vec<String> = (0..r.periods)
        .map(|p| crate::chart::results::retention_period(r.interval, p))
        .collect();
    let mut cols: Vec<(&str, Option<ValueKind>)> =
        vec![("Cohort", None), ("Users", Some(ValueKind::Count))];
    cols.extend(names.iter().map(|n| (n.as_str(), Some(ValueKind::Rate))));
    let mut t = Table::new(&cols);
    for c in &r.cohorts {
        let mut row = vec![Cell::Text(c.period.clone()), Cell::Number(c.size as f64)];
        row.extend((0..r.periods).map(|p| num(c.rates.get(p).copied())));
        t.rows.push(row);
    }
    if r.cohorts.len() > 1 {
        let mut row = vec![
            Cell::Text("All cohorts".into()),
            Cell::Number(r.users as f64),
        ];
        row.extend(
            (0..r.periods).map(|p| num(r.curve.iter().find(|c| c.period == p).map(|c| c.rate))),
        );
        t.rows.push(row);
    }
    let mut findings = Vec::new();
    let mut notes = vec![format!(
        "Each row is a cohort of users by the {} of their {}; each cell the share of them who {} in that {} ({} 0: later in the cohort's own {}). Empty cells: the data does not reach that far yet.",
        interval_word(r.interval),
        match &spec.cohort {
            CohortBy::FirstSeen(_) => "first event".to_string(),
            CohortBy::Event { event } => format!("first \u{201c}{event}\u{201d}"),
        },
        match &spec.returns {
            ReturnBy::Any(_) => "came back (any event)".to_string(),
            ReturnBy::Event { event } => format!("did \u{201c}{event}\u{201d}"),
        },
        interval_word(r.interval),
        interval_word(r.interval),
        interval_word(r.interval),
    )];
    if let Some(p) = r.curve.iter().find(|p| p.period == 1) {
        findings.push(format!(
            "{} of users came back in the {} after their cohort's own ({} of {}, over the cohorts the data reaches).",
            format::percent(p.rate),
            interval_word(r.interval),
            format::count(p.returned),
            format::count(p.users)
        ));
    }
    if let Some(rp) = &r.repeat {
        let mut s = format!(
            "Repeat purchase (\u{201c}{}\u{201d}): {} of {} customers ordered more than once ({}); {} orders per customer",
            rp.goal,
            format::count(rp.repeat_customers),
            format::count(rp.customers),
            format::percent(rp.repeat_rate),
            format::number(rp.orders_per_customer, 2)
        );
        if let Some(m) = rp.median_seconds_between_orders {
            s.push_str(&format!(
                "; median time between orders {}",
                format::duration(m)
            ));
        }
        s.push('.');
        findings.push(s.clone());
        notes.push(s);
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
        bottleneck: None,
        breakdown: None,
    }
}

fn interval_word(i: RetentionInterval) -> &'static str {
    match i {
        RetentionInterval::Day => "day",
        RetentionInterval::Week => "week",
        RetentionInterval::Month => "month",
    }
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
        // no step times (as a metric table): no median-time column
        assert_eq!(shown.table.columns.len(), 5);
    }

    #[test]
    fn a_breakdown_is_a_table_of_counts_and_conversion() {
        let mut r = result(&[10_000, 5_000, 1_000]);
        assert_eq!(funnel(None, None, &spec(), &r).shown().breakdown, None);
        let mobile = result(&[6_000, 2_000, 300]);
        r.breakdown = vec![crate::funnel::BreakdownRow {
            value: "mobile".into(),
            steps: mobile.steps,
        }];
        let b = funnel(None, None, &spec(), &r).shown().breakdown.unwrap();
        let heads: Vec<&str> = b.columns.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(
            heads,
            [
                "Breakdown",
                "1. View",
                "2. Cart",
                "3. Purchase",
                "Conversion"
            ]
        );
        let texts: Vec<&str> = b.rows[0].iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, ["mobile", "6,000", "2,000", "300", "5.0%"]);
    }

    #[test]
    fn a_plan_reads_as_the_reports_print_numbers() {
        let p = crate::stats::sample_size(&crate::stats::SampleSizeInput {
            baseline_rate: 0.025,
            minimum_effect: crate::stats::MinimumEffect::Relative(0.1),
            alpha: 0.05,
            power: 0.8,
            daily_traffic: Some(4000.0),
            arms: 2,
        })
        .unwrap();
        let shown = plan(&p, 2, 0.95, 0.8);
        assert_eq!(shown.users_per_variant, format::count(p.users_per_arm));
        assert_eq!(shown.baseline_rate, "2.5%");
        assert_eq!(shown.target_rate, "2.8%");
        assert_eq!(shown.days, p.days.map(format::count));
        assert!(
            shown.sentence.starts_with(&format!(
                "To tell 2.5% from 2.8% at 95% confidence with 80% power: {} users per variant",
                shown.users_per_variant
            )),
            "{}",
            shown.sentence
        );
        assert!(shown.sentence.ends_with(" days."), "{}", shown.sentence);
    }

    #[test]
    fn a_split_check_reads_as_the_reports_print_numbers() {
        let c = sample_ratio(&[5000, 5100], None).unwrap();
        assert_eq!(
            c.sentence,
            "5,000 and 5,100 units against a planned 50.0% / 50.0% split: chi-square 0.99 (1 df), p = 0.32. No sign of a sample-ratio mismatch."
        );
        let bad = sample_ratio(&[5000, 5400], None).unwrap();
        assert!(bad.test.mismatch);
        assert!(bad.sentence.contains("p < 0.001"), "{}", bad.sentence);
        assert!(
            bad.sentence.contains("Sample-ratio mismatch"),
            "{}",
            bad.sentence
        );
        let three = sample_ratio(&[1000, 2150, 1010], Some(&[1.0, 2.0, 1.0])).unwrap();
        assert!(three.sentence.starts_with(
            "1,000, 2,150 and 1,010 units against a planned 25.0% / 50.0% / 25.0% split"
        ));
    }

    #[test]
    fn interval_columns_name_the_level() {
        assert_eq!(
            interval_columns(0.95),
            ("95% low".to_string(), "95% high".to_string())
        );
        assert_eq!(interval_columns(0.9).0, "90% low");
        assert_eq!(interval_columns(0.99).1, "99% high");
        assert_eq!(interval_columns(0.975).0, "97.5% low");
    }

    #[test]
    fn step_times_print_as_the_pdf_prints_durations() {
        let mut r = result(&[10_000, 5_000, 1_000]);
        r.steps[1].median_seconds = Some(5400.0);
        r.steps[2].median_seconds = Some(200.0);
        let shown = funnel(None, None, &spec(), &r).shown();
        let last = shown.table.columns.len() - 1;
        assert_eq!(shown.table.columns[last].name, "Median time");
        assert_eq!(shown.table.columns[last].kind, Some(ValueKind::Seconds));
        let times: Vec<&str> = shown
            .table
            .rows
            .iter()
            .map(|row| row[last].text.as_str())
            .collect();
        assert_eq!(times, ["", "1 h 30 min", "3 min 20 s"]);
    }
}

// ---- value per step ---------------------------------------------------------

/// A value analysis as the report prints it and the app shows it: the
/// value table (chart: value per unit by step), the what-if (a table, no
/// chart), the ranked opportunities (chart: extra value per month) and
/// where the non-converters stopped (chart: non-converters by last step).
pub struct ValuePresented {
    pub value: Presented,
    /// The what-if's heading (the question in words), table and notes.
    pub what_if: Option<(String, Table, Vec<String>)>,
    pub opportunities: Presented,
    /// The ICE table (heading, table, notes): a row per opportunity, highest
    /// ICE first, those with no effort typed last.
    pub priorities: (String, Table, Vec<String>),
    pub wasted: Presented,
    /// The wasted table's rows as audiences (same order).
    pub wasted_rows: Vec<crate::value::WastedAudience>,
}

/// What the app shows of a value analysis: each table formatted, with its
/// heading, notes and findings, and the audience behind each wasted row.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ShownValue {
    pub value: Shown,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub what_if: Option<Shown>,
    pub opportunities: Shown,
    /// Each opportunity's ICE score, highest first (the rows of
    /// `ValueResult::priorities`, in its order).
    pub priorities: Shown,
    pub wasted: Shown,
    /// One per row of `wasted.table`: the units of that row, for
    /// the audience export.
    pub wasted_rows: Vec<crate::value::WastedAudience>,
}

impl ValuePresented {
    pub fn shown(&self) -> ShownValue {
        ShownValue {
            value: self.value.shown(),
            what_if: self.what_if.as_ref().map(|(h, t, notes)| Shown {
                heading: h.clone(),
                table: t.shown(),
                bottleneck_step: None,
                notes: notes.clone(),
                findings: vec![],
                breakdown: None,
            }),
            opportunities: self.opportunities.shown(),
            priorities: {
                let (h, t, notes) = &self.priorities;
                Shown {
                    heading: h.clone(),
                    table: t.shown(),
                    bottleneck_step: None,
                    notes: notes.clone(),
                    findings: vec![],
                    breakdown: None,
                }
            },
            wasted: self.wasted.shown(),
            wasted_rows: self.wasted_rows.clone(),
        }
    }
}

/// The heading a value analysis gets when the analyst gave none.
pub fn value_heading(spec: &crate::value::ValueSpec) -> String {
    format!("Value per step: {}", describe_funnel(&spec.funnel))
}

/// "+10.0%" or "+2.0 pp": a what-if's lift in words.
pub fn value_lift(w: &crate::value::WhatIfResult) -> String {
    match (w.relative, w.points) {
        (Some(x), _) => format::signed_percent(x),
        (_, Some(y)) => format::percentage_points(y),
        _ => String::new(),
    }
}

fn money_range(e: &crate::value::Estimate) -> String {
    format!(
        "{} ({} \u{2013} {})",
        format::money(e.value),
        format::money(e.low),
        format::money(e.high)
    )
}

/// The value table, the what-if, the opportunities and the wasted traffic
/// of a value result; `heading` defaults to [`value_heading`].
pub fn value(
    heading: Option<&str>,
    intro: Option<String>,
    spec: &crate::value::ValueSpec,
    r: &crate::value::ValueResult,
) -> ValuePresented {
    use crate::chart::{MetricBar, MetricBarsData};
    let heading = heading_or(heading, || value_heading(spec));
    let sub = subtitle(&spec.funnel, &r.unit);
    let unit = capitalise(&r.unit);
    let one = r.unit.trim_end_matches('s');
    let (lo, hi) = interval_columns(r.confidence);
    let step_name = |k: usize, label: &str| format!("{k}. {label}");

    // the value table
    let mut t = Table::new(&[
        ("Step", None),
        (&unit, Some(ValueKind::Count)),
        ("Of start", Some(ValueKind::Rate)),
        ("To goal", Some(ValueKind::Rate)),
        (&format!("Value per {one}"), Some(ValueKind::Money)),
        (&lo, Some(ValueKind::Money)),
        (&hi, Some(ValueKind::Money)),
        ("Total value", Some(ValueKind::Money)),
    ]);
    for (i, s) in r.steps.iter().enumerate() {
        t.rows.push(vec![
            Cell::Text(step_name(i + 1, &s.label)),
            Cell::Number(s.count as f64),
            Cell::Number(s.rate_from_start),
            Cell::Number(s.goal_rate),
            Cell::Number(s.value_per_unit.value),
            Cell::Number(s.value_per_unit.low),
            Cell::Number(s.value_per_unit.high),
            Cell::Number(s.total_value.value),
        ]);
    }
    let ov = &r.order_value;
    let mut notes = vec![match &ov.column {
        Some(c) => format!(
            "Average order value {} (standard error {}) from {} goal events' \u{201c}{c}\u{201d}{}.",
            format::money(ov.average),
            format::money(ov.standard_error),
            format::count(ov.values),
            if ov.missing > 0 {
                format!("; {} goal events without a value are left out", format::count(ov.missing))
            } else {
                String::new()
            }
        ),
        None => format!("Value per goal {} (typed).", format::money(ov.average)),
    }];
    notes.push(format!(
        "Goal \u{201c}{}\u{201d}: {} goals worth {} from {} to {} ({} days); intervals at {}.",
        r.goal,
        format::count(r.goals),
        money_range(&r.total_value),
        r.period.from,
        r.period.to,
        format::count(r.period.days),
        format::percent(r.confidence)
    ));
    notes.extend(r.warnings.iter().cloned());
    let mut findings = Vec::new();
    if let Some(s) = r.steps.first() {
        findings.push(format!(
            "The {} goals (\u{201c}{}\u{201d}) are worth {} over {} days; a {one} at step 1 \u{201c}{}\u{201d} is worth {}.",
            format::count(r.goals),
            r.goal,
            format::money(r.total_value.value),
            format::count(r.period.days),
            s.label,
            money_range(&s.value_per_unit)
        ));
    }
    let chart = MetricBarsData {
        title: heading.clone(),
        subtitle: Some(sub.clone()),
        dimension: "step".into(),
        metric: format!("Value per {one}"),
        value_kind: ValueKind::Money,
        bars: r
            .steps
            .iter()
            .enumerate()
            .map(|(i, s)| MetricBar {
                label: step_name(i + 1, &s.label),
                value: s.value_per_unit.value,
            })
            .collect(),
        limit: Some(r.steps.len().max(1)),
    };
    let value = Presented {
        section: ChartSection {
            heading: heading.clone(),
            intro,
            chart: ChartData::MetricBars(chart),
            table: Some(t),
            notes,
        },
        findings,
        bottleneck: None,
        breakdown: None,
    };

    // the what-if
    let gains_table = |w: &crate::value::WhatIfResult| {
        let mut t = Table::new(&[
            ("Period", None),
            ("Extra goals", Some(ValueKind::Number)),
            (&lo, Some(ValueKind::Number)),
            (&hi, Some(ValueKind::Number)),
            ("Extra value", Some(ValueKind::Money)),
            (&format!("Value {lo}"), Some(ValueKind::Money)),
            (&format!("Value {hi}"), Some(ValueKind::Money)),
        ]);
        let whole = crate::value::PeriodGain {
            extra_goals: w.extra_goals,
            extra_value: w.extra_value,
        };
        let period = format!("{} days", format::count(r.period.days));
        for (name, g) in [
            (period.as_str(), &whole),
            ("Per day", &w.per_day),
            ("Per week", &w.per_week),
            ("Per month", &w.per_month),
        ] {
            t.rows.push(vec![
                Cell::Text(name.to_string()),
                Cell::Number(g.extra_goals.value),
                Cell::Number(g.extra_goals.low),
                Cell::Number(g.extra_goals.high),
                Cell::Number(g.extra_value.value),
                Cell::Number(g.extra_value.low),
                Cell::Number(g.extra_value.high),
            ]);
        }
        t
    };
    let what_if_sentence = |w: &crate::value::WhatIfResult| {
        if let Some(l) = &w.like {
            return format!(
                "What if step {} \u{201c}{}\u{201d} converted for everyone as for \u{201c}{}\u{201d}: {} \u{2192} {} from \u{201c}{}\u{201d}",
                w.step,
                w.label,
                l.name,
                format::percent(w.rate_before),
                format::percent(w.rate_after),
                w.from_label
            );
        }
        format!(
            "What if step {} \u{201c}{}\u{201d} converted {} better: {} \u{2192} {} from \u{201c}{}\u{201d}{}",
            w.step,
            w.label,
            value_lift(w),
            format::percent(w.rate_before),
            format::percent(w.rate_after),
            w.from_label,
            if w.capped { " (held at 100%)" } else { "" }
        )
    };
    let what_if = r.what_if.as_ref().map(|w| {
        let mut notes = Vec::new();
        if let Some(l) = &w.like {
            notes.push(format!(
                "\u{201c}{}\u{201d}: {} of {} {} at step {} went on to step {} ({}, {} \u{2013} {}); everyone else: {} of {} ({}, {} \u{2013} {}); difference {} ({} \u{2013} {}).",
                l.name,
                format::count(l.at),
                format::count(l.prev),
                r.unit,
                w.step - 1,
                w.step,
                format::percent(l.rate.value),
                format::percent(l.rate.low),
                format::percent(l.rate.high),
                format::count(l.rest_at),
                format::count(l.rest_prev),
                format::percent(l.rest_rate.value),
                format::percent(l.rest_rate.low),
                format::percent(l.rest_rate.high),
                format::percentage_points(l.difference.value),
                format::percentage_points(l.difference.low),
                format::percentage_points(l.difference.high),
            ));
        }
        notes.push(format!(
            "{} more {} reach step {} over the {} days; each goes on to the goal at that step's rate to goal. The interval carries the sampling error of the rates used{}.",
            format::number(w.extra_units, 1),
            r.unit,
            w.step,
            format::count(r.period.days),
            if r.order_value.column.is_some() {
                " and of the average order value"
            } else {
                ""
            }
        ));
        (what_if_sentence(w), gains_table(w), notes)
    });

    // the opportunities
    let lift = format::signed_percent(r.opportunity);
    let mut t = Table::new(&[
        ("#", Some(ValueKind::Count)),
        ("Step improved", None),
        ("Now", Some(ValueKind::Rate)),
        (&format!("With {lift}"), Some(ValueKind::Rate)),
        ("Goals/month", Some(ValueKind::Number)),
        ("Value/month", Some(ValueKind::Money)),
        (&lo, Some(ValueKind::Money)),
        (&hi, Some(ValueKind::Money)),
    ]);
    for (i, o) in r.opportunities.iter().enumerate() {
        t.rows.push(vec![
            Cell::Number((i + 1) as f64),
            Cell::Text(step_name(o.step, &o.label)),
            Cell::Number(o.rate_before),
            Cell::Number(o.rate_after),
            Cell::Number(o.per_month.extra_goals.value),
            Cell::Number(o.per_month.extra_value.value),
            Cell::Number(o.per_month.extra_value.low),
            Cell::Number(o.per_month.extra_value.high),
        ]);
    }
    let mut findings = Vec::new();
    if let Some(o) = r.opportunities.first() {
        findings.push(format!(
            "The largest opportunity: step {} \u{201c}{}\u{201d} converting {lift} better would bring {} more goals and {} a month.",
            o.step,
            o.label,
            format::number(o.per_month.extra_goals.value, 1),
            money_range(&o.per_month.extra_value)
        ));
    }
    let mut notes = vec![format!(
        "Each step's conversion from the step before {lift} (relative), one step at a time; \u{201c}Now\u{201d} is that conversion today; extra goals and value per month ({} days) of the dataset's {} days.",
        crate::value::DAYS_PER_MONTH,
        format::count(r.period.days)
    )];
    // the prioritisation: each opportunity's ICE score, highest first (the
    // engine's order, `value::priorities`)
    let mut pt = Table::new(&[
        ("#", Some(ValueKind::Count)),
        ("Step improved", None),
        ("Value/month", Some(ValueKind::Money)),
        ("Impact", Some(ValueKind::Count)),
        ("Confidence", Some(ValueKind::Count)),
        ("Effort", Some(ValueKind::Count)),
        ("Ease", Some(ValueKind::Count)),
        ("ICE", Some(ValueKind::Count)),
    ]);
    let score = |x: Option<u32>| x.map_or(Cell::Empty, |x| Cell::Number(x as f64));
    for (i, p) in r.priorities.iter().enumerate() {
        let Some(o) = r.opportunities.iter().find(|o| o.step == p.step) else {
            continue;
        };
        pt.rows.push(vec![
            Cell::Number((i + 1) as f64),
            Cell::Text(step_name(o.step, &o.label)),
            Cell::Number(o.per_month.extra_value.value),
            score(Some(p.impact)),
            score(Some(p.confidence)),
            score(p.effort),
            score(p.ease),
            score(p.ice),
        ]);
    }
    let priorities = (
        format!("{heading}: prioritisation (ICE)"),
        pt,
        vec![
            "ICE = Impact \u{d7} Confidence \u{d7} Ease (1 \u{2013} 1000), each 1 \u{2013} 10: Impact, the opportunity's extra value over the largest one's, times 10; Confidence, 10 \u{d7} (1 \u{2212} its interval's half-width over the extra value); Ease, 11 \u{2212} the effort typed for the step (1 easiest, 10 hardest; no effort, no ICE). Highest ICE first; the steps with no effort typed follow in the opportunities' order.".to_string(),
        ],
    );
    // the ICE table's first row, when it has a score
    if let Some(p) = r.priorities.first().filter(|p| p.ice.is_some()) {
        let o = r.opportunities.iter().find(|o| o.step == p.step);
        if let Some(o) = o {
            findings.push(format!(
                "The highest ICE score: step {} \u{201c}{}\u{201d}, {} (impact {}, confidence {}, effort {}).",
                o.step,
                o.label,
                p.ice.unwrap_or(0),
                p.impact,
                p.confidence,
                p.effort.unwrap_or(0)
            ));
        }
    }
    if let Some(w) = &r.what_if {
        let per = &w.per_month;
        notes.push(format!(
            "{}: {} more goals and {} a month.",
            what_if_sentence(w),
            format::number(per.extra_goals.value, 1),
            money_range(&per.extra_value)
        ));
    }
    let chart = MetricBarsData {
        title: format!("{heading}: opportunities"),
        subtitle: Some(format!("each step {lift} better, one at a time")),
        dimension: "step improved".into(),
        metric: "Extra value per month".into(),
        value_kind: ValueKind::Money,
        bars: r
            .opportunities
            .iter()
            .map(|o| MetricBar {
                label: step_name(o.step, &o.label),
                value: o.per_month.extra_value.value,
            })
            .collect(),
        limit: Some(r.opportunities.len().max(1)),
    };
    let opportunities = Presented {
        section: ChartSection {
            heading: format!("{heading}: opportunities"),
            intro: None,
            chart: ChartData::MetricBars(chart),
            table: Some(t),
            notes,
        },
        findings,
        bottleneck: None,
        breakdown: None,
    };

    // where the non-converters stopped
    let mut t = Table::new(&[
        ("Stopped after step", None),
        ("Last seen", None),
        ("Value", None),
        (
            &format!("Non-converting {}", r.unit),
            Some(ValueKind::Count),
        ),
        ("Share", Some(ValueKind::Rate)),
    ]);
    let mut rows = Vec::new();
    for w in &r.wasted {
        let name = step_name(w.step, &w.label);
        t.rows.push(vec![
            Cell::Text(name.clone()),
            Cell::Text("any".into()),
            Cell::Text("all".into()),
            Cell::Number(w.count as f64),
            Cell::Number(w.share),
        ]);
        rows.push(crate::value::WastedAudience {
            step: w.step,
            event: None,
            page: None,
        });
        for (what, list) in [("event", &w.last_events), ("page", &w.last_pages)] {
            for b in list {
                t.rows.push(vec![
                    Cell::Text(name.clone()),
                    Cell::Text(what.to_string()),
                    Cell::Text(b.value.clone()),
                    Cell::Number(b.count as f64),
                    Cell::Number(b.share),
                ]);
                rows.push(crate::value::WastedAudience {
                    step: w.step,
                    event: (what == "event").then(|| b.value.clone()),
                    page: (what == "page").then(|| b.value.clone()),
                });
            }
        }
    }
    let mut findings = Vec::new();
    if let Some(w) = r
        .wasted
        .iter()
        .max_by(|a, b| a.count.cmp(&b.count).then(b.step.cmp(&a.step)))
    {
        if w.count > 0 {
            let top = w
                .last_events
                .iter()
                .find(|b| b.value != crate::funnel::engine::OTHER)
                .map(|b| {
                    format!(
                        ", most often last seeing \u{201c}{}\u{201d} ({})",
                        b.value,
                        format::percent(b.share)
                    )
                })
                .unwrap_or_default();
            findings.push(format!(
                "{} of the {} {} who did not reach the goal stopped after step {} \u{201c}{}\u{201d}{top}.",
                format::percent(w.share),
                format::count(r.non_converters),
                r.unit,
                w.step,
                w.label
            ));
        }
    }
    let notes = vec![format!(
        "Share: of all {} non-converting {} on a step's \u{201c}any\u{201d} row; of that step's non-converters on an event or page row (the last one each saw) (the top {} values, the rest pooled as \u{201c}Other\u{201d}).",
        format::count(r.non_converters),
        r.unit,
        spec.wasted_top.unwrap_or(crate::value::DEFAULT_WASTED_TOP)
    )];
    let chart = MetricBarsData {
        title: format!("Where the non-converting {} stopped", r.unit),
        subtitle: Some(sub),
        dimension: "last step reached".into(),
        metric: format!("Non-converting {}", r.unit),
        value_kind: ValueKind::Count,
        bars: r
            .wasted
            .iter()
            .map(|w| MetricBar {
                label: step_name(w.step, &w.label),
                value: w.count as f64,
            })
            .collect(),
        limit: Some(r.wasted.len().max(1)),
    };
    let wasted = Presented {
        section: ChartSection {
            heading: format!("{heading}: where the non-converters stopped"),
            intro: None,
            chart: ChartData::MetricBars(chart),
            table: Some(t),
            notes,
        },
        findings,
        bottleneck: None,
        breakdown: None,
    };
    ValuePresented {
        value,
        what_if,
        opportunities,
        priorities,
        wasted,
        wasted_rows: rows,
    }
}
