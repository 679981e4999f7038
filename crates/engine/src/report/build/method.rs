//! What the analyses used, for the title page (the period) and the method
//! appendix in plain words.

use super::*;

/// What the report's analyses used, for the title page and the appendix.
#[derive(Default)]
pub(super) struct Used {
    pub(super) datasets: BTreeSet<String>,
    /// Explicit date ranges of the funnel specs (from, to).
    pub(super) ranges: BTreeSet<(Option<String>, Option<String>)>,
    pub(super) windows: BTreeSet<String>,
    pub(super) orders: BTreeSet<&'static str>,
    pub(super) units: BTreeSet<&'static str>,
    pub(super) compare: bool,
    pub(super) impact: bool,
    pub(super) trend: bool,
    pub(super) metric: bool,
    pub(super) value: bool,
    pub(super) paths: bool,
    /// Paths between two funnel steps.
    pub(super) paths_between: bool,
    /// Paths comparing converters and drop-offs.
    pub(super) paths_compare: bool,
    pub(super) retention: bool,
    /// The ClickHouse servers the report was counted on (URLs without
    /// credentials).
    pub(super) clickhouse: BTreeSet<String>,
}

impl Used {
    pub(super) fn funnel(&mut self, spec: &FunnelSpec) {
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

/// The period on the title page: the funnel specs' own date range when they
/// all give the same one, else the span of the data in the datasets used.
pub(super) fn date_range(
    ws: &Workspace,
    used: &Used,
    cache: &mut IndexCache,
) -> Result<Option<String>> {
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
    pub(super) fn compare_or_impact_without_range(&self) -> bool {
        self.impact
    }
}

/// The method appendix, in plain words, naming the settings actually used.
pub(super) fn method(used: &Used) -> Vec<MethodItem> {
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
    if used.compare || used.trend || used.impact || used.value {
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
    if used.paths {
        out.push(item(
            "Paths",
            "From each unit's start (its first matching event, or the event its funnel attempt used for the step) the next (or previous) events in time order, one per column; an event named as the one before it counts once. Per column the largest nodes are kept and the rest pooled into \u{201c}other\u{201d}; \u{201c}end\u{201d} counts the units whose journey stopped. Each unit is counted once per column, so a column's nodes add up to the units still on their way.".into(),
        ));
    }
    if used.paths_between {
        out.push(item(
            "Between two steps",
            "For the units whose counted funnel attempt went from one step to the next: the events strictly between the two step events, named and collapsed as in paths, as one sequence per unit (cut after five with \u{201c}\u{2026}\u{201d}); the number of events of any kind between them and the time from the one to the other, as median, 75th and 90th percentile (linear interpolation between the closest ranks).".into(),
        ));
    }
    if used.paths_compare {
        out.push(item(
            "Converters against drop-offs",
            "The units at a funnel step are split into those whose counted attempt reached the funnel's last step and those whose did not; for each first node after the step the two groups' shares are compared with a two-proportion z-test (pooled, two-sided), and the p-values are Holm-adjusted over the nodes before they are judged against the confidence level.".into(),
        ));
    }
    if used.retention {
        out.push(item(
            "Retention",
            "Users are grouped into cohorts by the day, week (from Monday) or month (UTC) of their first event, or of their first chosen event. A user returned in a later period when a return event (any event, or the chosen one) other than the cohort's own falls in it. The average curve adds up every cohort that reaches a period; the latest cohorts have shorter rows because those periods have not happened yet. Orders at the same instant count as one (line items).".into(),
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
    if used.value {
        out.push(item(
            "Value per step",
            "A step's rate to goal is the share of the units at the step who reached the goal (the funnel's last step), with its Wilson interval; a unit at the step is worth that rate times the average order value (the mean of the goal events' order values, or a typed value per goal), and the interval combines the rate's and the average's sampling error. The step's total value is its units times that value.".into(),
        ));
        out.push(item(
            "Opportunities and what-if",
            "An improved step converts more of the units at the step before it; the extra units reach the goal at the improved step's rate to goal. Extra goals and value are for the dataset's period, then per day, week (7 days) and month (30.4375 days) pro rata; the interval carries the sampling error of both rates used and of the average order value. Each opportunity improves one step alone, by the same relative amount, and they are ranked by extra value. A what-if \u{201c}as well as\u{201d} a persona (or a column's value) gives everyone at the step the conversion that group's units have there; its interval carries the sampling error of the group's rate and everyone else's. The ICE score is Impact \u{d7} Confidence \u{d7} Ease, each 1 to 10: impact is the opportunity's extra value over the largest one's, confidence falls with the relative width of its interval, and ease is 11 minus the effort the analyst typed for the step.".into(),
        ));
        out.push(item(
            "Wasted traffic",
            "Units that entered the funnel but did not reach the goal, by the furthest step each reached, with the last event (and page) each saw within the funnel's filters and dates; the most frequent values per step are listed and the rest pooled as \u{201c}Other\u{201d}.".into(),
        ));
    }
    if !used.clickhouse.is_empty() {
        out.push(item(
            "Counted on",
            format!(
                "ClickHouse at {}: the funnels and comparisons were counted on the server, by the SQL Stepwise compiles from each funnel (docs/clickhouse.md), and only the counts came back; the statistics were computed here. Conversion times are not computed there.",
                list(&used.clickhouse)
            ),
        ));
    }
    out
}
