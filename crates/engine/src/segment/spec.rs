//! The segment spec: conditions and groups as JSON, and the result type.

use super::*;

/// How the conditions of a group combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Match {
    /// Every condition holds (AND).
    #[default]
    All,
    /// At least one condition holds (OR).
    Any,
}

/// A saved segment: a named group of conditions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct SegmentSpec {
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub description: Option<String>,
    /// A colour for charts, e.g. `#3366cc`.
    #[serde(default, skip_serializing_if = "Option::is_none", alias = "colour")]
    #[ts(optional)]
    pub color: Option<String>,
    /// The dataset the segment is evaluated on (a comparison uses its
    /// funnel's dataset instead).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub dataset: Option<String>,
    /// Default `all`.
    #[serde(default, rename = "match", skip_serializing_if = "Option::is_none")]
    #[ts(rename = "match", optional)]
    pub match_: Option<Match>,
    #[serde(default)]
    pub conditions: Vec<Condition>,
}

/// Which of a unit's values a property condition tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ValueOf {
    /// Any of the unit's events passes the test.
    #[default]
    Ever,
    /// The first value the unit has (earliest event with a value).
    First,
    /// The last value the unit has (latest event with a value).
    Last,
}

/// A condition on a column of the unit's events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct PropertyCondition {
    pub column: String,
    pub op: FilterOp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(
        type = "string | number | boolean | Array<string | number | boolean> | null",
        optional
    )]
    pub value: Option<serde_json::Value>,
    /// Default `ever`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub value_of: Option<ValueOf>,
}

/// Which events a behaviour counts: an event name, a page pattern and/or
/// filters, as for a funnel step.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct EventMatch {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub event: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub page: Option<Pattern>,
    #[serde(default, rename = "where", skip_serializing_if = "Option::is_none")]
    #[ts(rename = "where", optional)]
    pub filters: Option<Vec<Filter>>,
}

impl EventMatch {
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(e) = &self.event {
            parts.push(e.clone());
        }
        if let Some(p) = &self.page {
            parts.push(p.describe());
        }
        if let Some(f) = self.filters.as_ref().filter(|f| !f.is_empty()) {
            parts.push(format!("{} filter(s)", f.len()));
        }
        if parts.is_empty() {
            "(any event)".into()
        } else {
            parts.join(" ")
        }
    }
}

/// Did (or did not) do something, how often, and when.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct BehaviourCondition {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub did: Option<EventMatch>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub did_not: Option<EventMatch>,
    /// With `did`: at least this many matching events (default 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "number")]
    pub at_least: Option<u64>,
    /// With `did`: at most this many matching events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional, type = "number")]
    pub at_most: Option<u64>,
    /// Count only events in this range (inclusive calendar dates, UTC).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub date_range: Option<DateRange>,
    /// Count only events at most this many days after the unit's first
    /// event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub within_days: Option<u32>,
}

/// A value computed per unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Measure {
    /// Sum of the value column (role Value, or `column`) over the unit's events.
    Revenue,
    /// Number of sessions of the unit.
    Sessions,
    /// Number of distinct UTC calendar days with an event.
    DaysActive,
    /// The UTC date of the unit's first event.
    FirstSeen,
}

/// A comparison of a per-unit value with a number (a date for first_seen).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct MeasureCondition {
    pub measure: Measure,
    /// eq, ne, gt, gte, lt or lte.
    pub op: FilterOp,
    #[ts(type = "string | number")]
    pub value: serde_json::Value,
    /// Revenue: the column summed, if not the one with role Value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub column: Option<String>,
}

/// A nested group.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct GroupCondition {
    #[serde(default, rename = "match", skip_serializing_if = "Option::is_none")]
    #[ts(rename = "match", optional)]
    pub match_: Option<Match>,
    pub conditions: Vec<Condition>,
}

/// The negation of a condition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct NotCondition {
    pub not: Box<Condition>,
}

/// One condition of a segment. Which kind it is follows from its keys:
/// `column` (property), `did` / `did_not` (behaviour), `measure` (value),
/// `conditions` (group), `not`.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(untagged)]
#[ts(export)]
pub enum Condition {
    Property(PropertyCondition),
    Behaviour(BehaviourCondition),
    Measure(MeasureCondition),
    Group(GroupCondition),
    Not(NotCondition),
}

impl<'de> Deserialize<'de> for Condition {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        use serde::de::Error as _;
        let v = serde_json::Value::deserialize(d)?;
        let obj = v
            .as_object()
            .ok_or_else(|| D::Error::custom("a segment condition must be an object"))?;
        let has = |k: &str| obj.contains_key(k);
        fn parse<T: serde::de::DeserializeOwned, E: serde::de::Error>(
            v: serde_json::Value,
            what: &str,
        ) -> std::result::Result<T, E> {
            serde_json::from_value(v).map_err(|e| E::custom(format!("{what}: {e}")))
        }
        if has("not") {
            parse(v, "a NOT condition").map(Condition::Not)
        } else if has("conditions") {
            parse(v, "a condition group").map(Condition::Group)
        } else if has("did") || has("did_not") {
            parse(v, "a behaviour condition").map(Condition::Behaviour)
        } else if has("measure") {
            parse(v, "a value condition").map(Condition::Measure)
        } else if has("column") {
            parse(v, "a property condition").map(Condition::Property)
        } else {
            let keys: Vec<&str> = obj.keys().map(String::as_str).collect();
            Err(D::Error::custom(format!(
                "a segment condition needs one of \"column\", \"did\", \"did_not\", \"measure\", \"conditions\" or \"not\" (it has: {})",
                keys.join(", ")
            )))
        }
    }
}

impl SegmentSpec {
    pub fn from_json(text: &str) -> Result<SegmentSpec> {
        serde_json::from_str(text)
            .map_err(|e| Error::Invalid(format!("the segment spec is not valid: {e}")))
    }
    /// The segment as one group condition.
    pub fn as_group(&self) -> GroupCondition {
        GroupCondition {
            match_: self.match_,
            conditions: self.conditions.clone(),
        }
    }
}

/// The members of a segment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SegmentResult {
    pub name: String,
    /// "users" or "sessions".
    pub unit: String,
    #[ts(type = "number")]
    pub members: u64,
    /// Units in the dataset's index.
    #[ts(type = "number")]
    pub total_units: u64,
    /// members / total_units (0 when the dataset has no units).
    pub share: f64,
    /// Up to [`SAMPLE_SIZE`] member ids, in index order.
    pub sample: Vec<String>,
}

/// How many member ids a [`SegmentResult`] lists.
pub const SAMPLE_SIZE: usize = 20;
