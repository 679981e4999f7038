//! The funnel spec (what the CLI reads and the app saves) and the funnel
//! result, both plain JSON. See docs/funnel.md for every option.

use crate::error::{Error, Result};
/// The filter, pattern and date-range types live in [`crate::filter`]
/// (funnels and segments share them); re-exported here, where the funnel
/// spec uses them.
pub use crate::filter::{DateRange, Filter, FilterOp, Pattern};
use crate::index::Unit;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// A funnel definition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct FunnelSpec {
    /// The dataset's name, as given at import.
    pub dataset: String,
    pub steps: Vec<Step>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub order: Option<Order>,
    /// `30m`, `12h`, `7d`, `2w` (also `s`); default `14d`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub window: Option<String>,
    /// What is counted; default users.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub count: Option<Unit>,
    /// Filters on every event: events that fail them are not seen at all.
    #[serde(default, rename = "where", skip_serializing_if = "Option::is_none")]
    #[ts(rename = "where", optional)]
    pub filters: Option<Vec<Filter>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub date_range: Option<DateRange>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub exclude: Option<Vec<Exclusion>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub breakdown: Option<Breakdown>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub trend: Option<TrendSpec>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub time_to_convert: Option<TimeToConvertSpec>,
    /// Metric tables: the column summed for each step (default: the first
    /// metric column).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub metric: Option<String>,
    /// Metric tables: the column a step's `value` is matched against
    /// (default: the first dimension column).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub dimension: Option<String>,
    /// Hold a property constant: every step of an attempt must have the same
    /// (non-empty) value of this column (a product id, a cart id); the unit
    /// counts by its best attempt over all values (docs/funnel.md).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub hold: Option<String>,
    /// Open funnel (GA4): a unit enters at the step of its first step event
    /// (the lowest step matched at the first instant it matches any) and
    /// counts at that step and the later ones it reaches in order; ordered
    /// and strict funnels only (docs/funnel.md).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub open: Option<bool>,
    /// Only the units in this segment enter the funnel (docs/segments.md).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub segment: Option<Box<crate::segment::SegmentSpec>>,
}

/// One step: an event name, a page pattern and/or property filters, all of
/// which an event must match.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct Step {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub label: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub event: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub page: Option<Pattern>,
    #[serde(default, rename = "where", skip_serializing_if = "Option::is_none")]
    #[ts(rename = "where", optional)]
    pub filters: Option<Vec<Filter>>,
    /// Metric tables: the value of the dimension column that picks this
    /// step's rows (exact, `*` glob or regex).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub value: Option<Pattern>,
    /// Metric tables: the metric column of this step, if not the funnel's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub metric: Option<String>,
    /// Ordered and strict funnels: this step must happen at most this long
    /// after the previous step's event (`30m`, `2h`, `1d`; inclusive),
    /// besides the funnel's window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub within: Option<String>,
    /// First-time step: only the user's first event ever that matches this
    /// step's conditions can fill it (counting users only).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub first_time: Option<bool>,
    /// Optional step (PostHog): an attempt may skip it; it counts the units
    /// whose attempt did it, later steps count units with or without it.
    /// Not the first step nor the last; ordered and strict funnels only.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub optional: Option<bool>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Order {
    #[default]
    Ordered,
    Strict,
    Unordered,
}

/// Events that spoil an attempt between two steps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct Exclusion {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub event: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub page: Option<Pattern>,
    #[serde(default, rename = "where", skip_serializing_if = "Option::is_none")]
    #[ts(rename = "where", optional)]
    pub filters: Option<Vec<Filter>>,
    /// Default 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub from_step: Option<usize>,
    /// Default: the last step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub to_step: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Attribution {
    #[default]
    FirstTouch,
    LastTouch,
    Step,
}

/// The breakdown "column" that splits by buyer status instead of a
/// column's values: a unit's counted attempt is "First-time" when the
/// unit's user had no earlier event matching the funnel's last step,
/// "Returning" when they had one (docs/funnel.md, "Buyer status").
pub const BUYER_STATUS: &str = "$buyer_status";
/// The buyer-status rows.
pub const FIRST_TIME: &str = "First-time";
pub const RETURNING: &str = "Returning";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct Breakdown {
    /// A column, or `"$buyer_status"` (first-time vs returning buyers).
    pub column: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub attribution: Option<Attribution>,
    /// The step whose event gives the value, with `attribution: "step"`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub step: Option<usize>,
    /// Values beyond this many (by entries) pool into "Other"; default 10.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub limit: Option<usize>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Interval {
    /// UTC hours, labelled `2024-09-02 13:00`.
    Hour,
    Day,
    Week,
    Month,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct TrendSpec {
    pub interval: Interval,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct TimeToConvertSpec {
    /// Default 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub from_step: Option<usize>,
    /// Default: the last step.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub to_step: Option<usize>,
    /// Number of bins; default 10.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub bins: Option<usize>,
}

// ---- result -------------------------------------------------------------

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct StepResult {
    pub label: String,
    #[ts(type = "number")]
    pub count: u64,
    /// Fraction 0..1 of step 0's count.
    pub conversion_from_start: f64,
    /// Fraction 0..1 of the previous step's count (1 for step 0).
    pub conversion_from_previous: f64,
    /// The previous step's count minus this one (0 for step 0).
    #[ts(type = "number")]
    pub dropped: u64,
    /// Seconds from the previous step to this one; null for step 0 and
    /// when nobody reached it (and for metric tables).
    pub average_seconds: Option<f64>,
    pub median_seconds: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct BreakdownRow {
    pub value: String,
    pub steps: Vec<StepResult>,
}

/// Exported to TypeScript as `FunnelTrendPoint`: the chart's `TrendPoint`
/// (chart/mod.rs) would otherwise write the same bindings file, and which one
/// won would depend on the order the export tests ran in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export, rename = "FunnelTrendPoint")]
pub struct TrendPoint {
    /// Start of the period: `2024-09-02` (weeks start on Monday), months
    /// `2024-09`, hours `2024-09-02 13:00`.
    pub period: String,
    /// Units that started an attempt in the period (a unit entering in
    /// several periods is an entrant of each).
    #[ts(type = "number")]
    pub entered: u64,
    /// Of those, units whose attempt from the period reached the last step.
    #[ts(type = "number")]
    pub converted: u64,
    pub rate: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TimeBin {
    pub from_seconds: f64,
    pub to_seconds: f64,
    #[ts(type = "number")]
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct TimeToConvert {
    pub from_step: usize,
    pub to_step: usize,
    pub bins: Vec<TimeBin>,
    pub average_seconds: Option<f64>,
    pub median_seconds: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct FunnelResult {
    pub steps: Vec<StepResult>,
    pub breakdown: Vec<BreakdownRow>,
    pub trend: Option<Vec<TrendPoint>>,
    pub time_to_convert: Option<TimeToConvert>,
    /// "users" or "sessions" ("rows" for a metric table).
    pub unit: String,
    /// Units left out because their furthest attempt was spoiled by an
    /// exclusion.
    #[ts(type = "number")]
    pub excluded: u64,
    /// Things the analyst should know (e.g. a step's event never occurs).
    pub warnings: Vec<String>,
}

// ---- parsing helpers ----------------------------------------------------

/// The default conversion window: 14 days.
pub const DEFAULT_WINDOW: &str = "14d";

/// `30m`, `12h`, `7d`, `2w`, `90s` as microseconds.
pub fn parse_window(s: &str) -> Result<i64> {
    let t = s.trim();
    let bad = || {
        Error::Invalid(format!(
            "the window \"{s}\" is not a duration; write a whole number and a unit, like 30m, 12h, 7d or 2w"
        ))
    };
    let split = t.find(|c: char| !c.is_ascii_digit()).ok_or_else(bad)?;
    let (num, unit) = t.split_at(split);
    let n: i64 = num.parse().map_err(|_| bad())?;
    let secs: i64 = match unit.trim() {
        "s" | "sec" | "second" | "seconds" => 1,
        "m" | "min" | "minute" | "minutes" => 60,
        "h" | "hour" | "hours" => 3600,
        "d" | "day" | "days" => 86_400,
        "w" | "week" | "weeks" => 7 * 86_400,
        _ => return Err(bad()),
    };
    if n <= 0 {
        return Err(Error::Invalid(format!(
            "the window \"{s}\" must be longer than zero"
        )));
    }
    n.checked_mul(secs)
        .and_then(|x| x.checked_mul(1_000_000))
        .ok_or_else(bad)
}

/// A breakdown column or comparison `by` as a sentence names it: "buyer
/// status" for [`BUYER_STATUS`], else the column.
pub fn by_name(column: &str) -> &str {
    if column == BUYER_STATUS {
        "buyer status"
    } else {
        column
    }
}

impl Breakdown {
    /// Splits by buyer status ([`BUYER_STATUS`]) rather than a column.
    pub fn is_buyer_status(&self) -> bool {
        self.column == BUYER_STATUS
    }
}

impl FunnelSpec {
    /// The funnel is broken down by buyer status ([`BUYER_STATUS`]).
    pub fn by_buyer_status(&self) -> bool {
        self.breakdown
            .as_ref()
            .is_some_and(Breakdown::is_buyer_status)
    }
    pub fn from_json(text: &str) -> Result<FunnelSpec> {
        serde_json::from_str(text)
            .map_err(|e| Error::Invalid(format!("the funnel spec is not valid: {e}")))
    }
    pub fn order(&self) -> Order {
        self.order.unwrap_or_default()
    }
    pub fn unit(&self) -> Unit {
        self.count.unwrap_or_default()
    }
    pub fn window_micros(&self) -> Result<i64> {
        parse_window(self.window.as_deref().unwrap_or(DEFAULT_WINDOW))
    }
    /// The label of step `k`: its own, else its event, page or value.
    pub fn step_label(&self, k: usize) -> String {
        let s = &self.steps[k];
        if let Some(l) = s.label.as_ref().filter(|l| !l.trim().is_empty()) {
            return l.clone();
        }
        if let Some(e) = &s.event {
            return e.clone();
        }
        if let Some(p) = &s.page {
            return p.describe();
        }
        if let Some(v) = &s.value {
            return v.describe();
        }
        format!("Step {}", k + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_issue_example_parses_and_round_trips() {
        let text = r#"{ "dataset": "shop events",
          "steps": [ {"label": "Viewed product", "event": "view_item"},
                     {"event": "add_to_cart", "where": [{"column": "device_category", "op": "eq", "value": "mobile"}]},
                     {"page": "/checkout*"}, {"page": {"regex": "^/thanks"}} ],
          "order": "strict", "window": "12h", "count": "sessions",
          "where": [{"column": "country", "op": "in", "value": ["DE", "FR"]}],
          "date_range": {"from": "2024-09-01", "to": "2024-09-30"},
          "exclude": [{"event": "refund", "from_step": 0, "to_step": 1}],
          "breakdown": {"column": "device_category", "attribution": "step", "step": 1, "limit": 5},
          "trend": {"interval": "week"},
          "time_to_convert": {"from_step": 0, "to_step": 2, "bins": 8} }"#;
        let spec = FunnelSpec::from_json(text).unwrap();
        assert_eq!(spec.order(), Order::Strict);
        assert_eq!(spec.unit(), Unit::Sessions);
        assert_eq!(spec.window_micros().unwrap(), 12 * 3600 * 1_000_000);
        assert_eq!(spec.step_label(0), "Viewed product");
        assert_eq!(spec.step_label(1), "add_to_cart");
        assert_eq!(spec.step_label(2), "/checkout*");
        assert_eq!(
            spec.steps[3].page,
            Some(Pattern::Regex {
                regex: "^/thanks".into()
            })
        );
        let again = FunnelSpec::from_json(&serde_json::to_string(&spec).unwrap()).unwrap();
        assert_eq!(again, spec);
        // defaults, and no nulls written for them
        let min = FunnelSpec::from_json(r#"{"dataset": "d", "steps": [{"event": "a"}]}"#).unwrap();
        assert_eq!(min.order(), Order::Ordered);
        assert_eq!(min.unit(), Unit::Users);
        assert_eq!(min.window_micros().unwrap(), 14 * 86_400 * 1_000_000);
        assert!(!serde_json::to_string(&min).unwrap().contains("null"));
    }

    #[test]
    fn windows_and_typos_are_clear() {
        assert_eq!(parse_window("30m").unwrap(), 1_800_000_000);
        assert_eq!(parse_window("2w").unwrap(), 14 * 86_400_000_000);
        assert_eq!(parse_window(" 90s ").unwrap(), 90_000_000);
        for bad in ["", "7", "d", "7y", "-1d", "1.5h"] {
            assert!(parse_window(bad).is_err(), "{bad}");
        }
        let e = FunnelSpec::from_json(r#"{"dataset": "d", "steps": [{"evnt": "a"}]}"#).unwrap_err();
        assert!(e.to_string().contains("evnt"), "{e}");
    }
}
