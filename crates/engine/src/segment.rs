//! Segments (buyer personas): named rules over the units (users or
//! sessions) of an event dataset, evaluated over its
//! [`EventIndex`]. Conditions look at properties of the unit's events
//! (ever / first / last value), at behaviour (did or did not do an event or
//! visit a page, how often, when), at values (revenue, sessions, days
//! active, first seen) and nest in AND / OR / NOT groups. The definitions
//! are in docs/segments.md.

use crate::error::{Error, Result};
use crate::funnel::matcher::{parse_bound, CompiledFilter, PatternMatcher};
use crate::funnel::{DateRange, Filter, FilterOp, Pattern};
use crate::index::{format_timestamp, EventIndex, IndexCache, SessionSource, Unit, NULL_CODE};
use crate::model::Role;
use crate::store::Workspace;
use serde::{Deserialize, Deserializer, Serialize};
use std::io::Write;
use ts_rs::TS;

const DAY_MICROS: i64 = 86_400_000_000;

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

// ---- evaluation -----------------------------------------------------------

/// Evaluates segments over one index.
pub struct Evaluator<'a> {
    ws: &'a Workspace,
    ix: &'a EventIndex,
}

fn unit_range(ix: &EventIndex, u: usize) -> std::ops::Range<usize> {
    ix.unit_starts[u] as usize..ix.unit_starts[u + 1] as usize
}

/// Which events (index order) match `m`. Errors name `what`.
pub fn event_bits(
    ws: &Workspace,
    ix: &EventIndex,
    m: &EventMatch,
    what: &str,
) -> Result<Vec<bool>> {
    let n = ix.len();
    let filters = m.filters.as_deref().unwrap_or_default();
    if m.event.is_none() && m.page.is_none() && filters.is_empty() {
        return Err(Error::Invalid(format!(
            "{what} needs an \"event\", a \"page\" or \"where\" filters"
        )));
    }
    let mut bits = vec![true; n];
    if let Some(name) = &m.event {
        if ix.event_column.is_none() {
            return Err(Error::missing_role(Role::Event, format!(
                "{what} names the event \"{name}\" but dataset \"{}\" has no event column; match a page instead, or give a column the event role",
                ix.dataset_name
            )));
        }
        let code = ix.event.code_of(name);
        for (b, &c) in bits.iter_mut().zip(&ix.event.codes) {
            *b = *b && code.is_some_and(|x| x == c);
        }
    }
    if let Some(p) = &m.page {
        if ix.page_column.is_none() {
            return Err(Error::missing_role(
                Role::Page,
                format!(
                    "{what} matches the page \"{}\" but dataset \"{}\" has no page column",
                    p.describe(),
                    ix.dataset_name
                ),
            ));
        }
        let pm = PatternMatcher::new(p)?;
        let table: Vec<bool> = ix.page.dict.iter().map(|s| pm.matches(s)).collect();
        for (b, &c) in bits.iter_mut().zip(&ix.page.codes) {
            *b = *b && c != NULL_CODE && table[c as usize];
        }
    }
    for f in filters {
        let col = ix.column(ws, &f.column)?;
        let cf = CompiledFilter::new(f, col.ty)?;
        for (b, ok) in bits.iter_mut().zip(cf.matches_all(&col)) {
            *b = *b && ok;
        }
    }
    Ok(bits)
}

/// A date range as [from, to) µs.
pub fn range_micros(r: Option<&DateRange>) -> Result<(i64, i64)> {
    let Some(r) = r else {
        return Ok((i64::MIN, i64::MAX));
    };
    let from = r
        .from
        .as_deref()
        .map(|s| parse_bound(s, false))
        .transpose()?;
    let to = r.to.as_deref().map(|s| parse_bound(s, true)).transpose()?;
    if let (Some(a), Some(b)) = (from, to) {
        if b <= a {
            return Err(Error::Invalid(
                "date_range: \"to\" is before \"from\"".into(),
            ));
        }
    }
    Ok((from.unwrap_or(i64::MIN), to.unwrap_or(i64::MAX)))
}

fn numeric_target(v: &serde_json::Value, what: &str) -> Result<f64> {
    let x = match v {
        serde_json::Value::Number(n) => n.as_f64(),
        serde_json::Value::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    };
    x.filter(|x| x.is_finite())
        .ok_or_else(|| Error::Invalid(format!("{what} needs a number, got {v}")))
}

fn compare_num(op: FilterOp, x: f64, t: f64) -> bool {
    match op {
        FilterOp::Eq => x == t,
        FilterOp::Ne => x != t,
        FilterOp::Gt => x > t,
        FilterOp::Gte => x >= t,
        FilterOp::Lt => x < t,
        FilterOp::Lte => x <= t,
        _ => false,
    }
}

impl<'a> Evaluator<'a> {
    pub fn new(ws: &'a Workspace, ix: &'a EventIndex) -> Self {
        Evaluator { ws, ix }
    }

    /// Which units are members of `spec` (one entry per unit of the index).
    pub fn members(&self, spec: &SegmentSpec) -> Result<Vec<bool>> {
        self.group(&spec.as_group())
    }

    fn group(&self, g: &GroupCondition) -> Result<Vec<bool>> {
        let n = self.ix.units();
        let any = g.match_.unwrap_or_default() == Match::Any;
        let mut out = vec![!any; n];
        for c in &g.conditions {
            let v = self.condition(c)?;
            for (o, x) in out.iter_mut().zip(v) {
                *o = if any { *o || x } else { *o && x };
            }
        }
        Ok(out)
    }

    /// Which units satisfy one condition.
    pub fn condition(&self, c: &Condition) -> Result<Vec<bool>> {
        match c {
            Condition::Group(g) => self.group(g),
            Condition::Not(n) => Ok(self.condition(&n.not)?.into_iter().map(|x| !x).collect()),
            Condition::Property(p) => self.property(p),
            Condition::Behaviour(b) => self.behaviour(b),
            Condition::Measure(m) => self.measure(m),
        }
    }

    fn property(&self, p: &PropertyCondition) -> Result<Vec<bool>> {
        let ix = self.ix;
        let col = ix.column(self.ws, &p.column)?;
        let filter = Filter {
            column: p.column.clone(),
            op: p.op,
            value: p.value.clone(),
        };
        let cf = CompiledFilter::new(&filter, col.ty)?;
        let bits = cf.matches_all(&col);
        let missing = cf.matches_text(None);
        // a cell "has a value" when it is not null and not empty text
        let has_value = |i: usize| -> bool {
            if col.is_null(i) {
                return false;
            }
            match &col.values {
                crate::column::Values::Text { dict, codes } => {
                    !dict[codes[i] as usize].trim().is_empty()
                }
                _ => true,
            }
        };
        let value_of = p.value_of.unwrap_or_default();
        Ok((0..ix.units())
            .map(|u| {
                let mut r = unit_range(ix, u);
                match value_of {
                    ValueOf::Ever => r.any(|i| bits[i]),
                    ValueOf::First => r.find(|&i| has_value(i)).map_or(missing, |i| bits[i]),
                    ValueOf::Last => r.rev().find(|&i| has_value(i)).map_or(missing, |i| bits[i]),
                }
            })
            .collect())
    }

    fn behaviour(&self, b: &BehaviourCondition) -> Result<Vec<bool>> {
        let ix = self.ix;
        let (m, did) = match (&b.did, &b.did_not) {
            (Some(m), None) => (m, true),
            (None, Some(m)) => (m, false),
            _ => {
                return Err(Error::Invalid(
                    "a behaviour condition needs exactly one of \"did\" and \"did_not\"".into(),
                ))
            }
        };
        if !did && (b.at_least.is_some() || b.at_most.is_some()) {
            return Err(Error::Invalid(
                "a \"did_not\" condition takes no at_least / at_most; use \"did\" with \"at_most\""
                    .into(),
            ));
        }
        let at_least = b.at_least.unwrap_or(1);
        if let Some(max) = b.at_most {
            if max < at_least {
                return Err(Error::Invalid(format!(
                    "a behaviour condition asks for at least {at_least} and at most {max} events, which no one can do"
                )));
            }
        }
        let what = format!("the behaviour condition on {}", m.describe());
        let (from, to) = range_micros(b.date_range.as_ref())?;
        let within = b.within_days.map(|d| d as i64 * DAY_MICROS);
        // no time bound: a plain count of the unit's matching events, which
        // the compiler turns into a tight loop over the bits alone
        let unbounded = from == i64::MIN && to == i64::MAX && within.is_none();
        // an event name alone, unbounded: a count of the unit's events with
        // that code, without a table of flags over every event
        let by_name = match (&m.event, &m.page, m.filters.as_deref().unwrap_or_default()) {
            (Some(name), None, []) if unbounded && ix.event_column.is_some() => {
                Some(ix.event.code_of(name))
            }
            _ => None,
        };
        let bits = match by_name {
            Some(_) => Vec::new(),
            None => event_bits(self.ws, ix, m, &what)?,
        };
        let codes = &ix.event.codes[..];
        Ok((0..ix.units())
            .map(|u| {
                let r = unit_range(ix, u);
                let count = if let Some(code) = by_name {
                    match code {
                        Some(c) => codes[r].iter().map(|&x| (x == c) as u64).sum::<u64>(),
                        None => 0,
                    }
                } else if unbounded {
                    bits[r].iter().map(|&b| b as u64).sum::<u64>()
                } else {
                    let first = ix.time[r.start];
                    r.filter(|&i| {
                        let t = ix.time[i];
                        bits[i] && t >= from && t < to && within.is_none_or(|w| t - first <= w)
                    })
                    .count() as u64
                };
                if did {
                    count >= at_least && b.at_most.is_none_or(|m| count <= m)
                } else {
                    count == 0
                }
            })
            .collect())
    }

    fn measure(&self, m: &MeasureCondition) -> Result<Vec<bool>> {
        if !matches!(
            m.op,
            FilterOp::Eq
                | FilterOp::Ne
                | FilterOp::Gt
                | FilterOp::Gte
                | FilterOp::Lt
                | FilterOp::Lte
        ) {
            return Err(Error::Invalid(format!(
                "a value condition takes eq, ne, gt, gte, lt or lte, not {}",
                crate::funnel::matcher::op_name(m.op)
            )));
        }
        if m.column.is_some() && m.measure != Measure::Revenue {
            return Err(Error::Invalid(
                "only a revenue condition takes a \"column\"".into(),
            ));
        }
        let values = match m.measure {
            Measure::Revenue => self.revenue(m.column.as_deref())?,
            Measure::Sessions => self.sessions()?,
            Measure::DaysActive => days_active(self.ix),
            Measure::FirstSeen => first_seen_days(self.ix),
        };
        let target = match m.measure {
            Measure::FirstSeen => {
                let text = match &m.value {
                    serde_json::Value::String(s) => s.clone(),
                    v => v.to_string(),
                };
                let us = parse_bound(&text, false).map_err(|_| {
                    Error::Invalid(format!(
                        "the first_seen condition needs a date like \"2024-09-01\", got {}",
                        m.value
                    ))
                })?;
                us.div_euclid(DAY_MICROS) as f64
            }
            _ => numeric_target(&m.value, "a value condition")?,
        };
        Ok(values
            .into_iter()
            .map(|x| compare_num(m.op, x, target))
            .collect())
    }

    /// The sum of the value column over each unit's events (nulls count 0).
    pub fn revenue(&self, column: Option<&str>) -> Result<Vec<f64>> {
        let per_event = event_values(self.ws, self.ix, column)?;
        Ok((0..self.ix.units())
            .map(|u| {
                unit_range(self.ix, u)
                    .map(|i| per_event[i].unwrap_or(0.0))
                    .sum()
            })
            .collect())
    }

    /// Sessions per unit: 1 for a session index; for users, the distinct
    /// values of the session column, or derived sessions (a gap of more
    /// than 30 minutes starts a new one).
    pub fn sessions(&self) -> Result<Vec<f64>> {
        let ix = self.ix;
        if ix.unit == Unit::Sessions {
            return Ok(vec![1.0; ix.units()]);
        }
        let session_col = ix
            .record()
            .info
            .columns
            .iter()
            .find(|c| c.role == Some(Role::Session))
            .map(|c| c.name.clone());
        match session_col {
            Some(name) => {
                let s = ix.interned(self.ws, &name)?;
                Ok((0..ix.units())
                    .map(|u| {
                        let mut codes: Vec<u32> = unit_range(ix, u)
                            .map(|i| s.codes[i])
                            .filter(|&c| c != NULL_CODE)
                            .collect();
                        codes.sort_unstable();
                        codes.dedup();
                        codes.len() as f64
                    })
                    .collect())
            }
            None => Ok((0..ix.units())
                .map(|u| {
                    let r = unit_range(ix, u);
                    let gaps = (r.start + 1..r.end)
                        .filter(|&i| ix.time[i] - ix.time[i - 1] > crate::index::SESSION_GAP_MICROS)
                        .count();
                    (gaps + 1) as f64
                })
                .collect()),
        }
    }
}

/// Distinct UTC days with an event, per unit.
pub fn days_active(ix: &EventIndex) -> Vec<f64> {
    (0..ix.units())
        .map(|u| {
            let r = unit_range(ix, u);
            let mut days = 0;
            let mut last = None;
            for i in r {
                let d = ix.time[i].div_euclid(DAY_MICROS);
                if last != Some(d) {
                    days += 1;
                    last = Some(d);
                }
            }
            days as f64
        })
        .collect()
}

/// The day (since the epoch, UTC) of each unit's first event.
pub fn first_seen_days(ix: &EventIndex) -> Vec<f64> {
    (0..ix.units())
        .map(|u| ix.time[ix.unit_starts[u] as usize].div_euclid(DAY_MICROS) as f64)
        .collect()
}

/// The value column (role Value, or `column`) as numbers per event, in
/// index order (None for nulls).
pub fn event_values(
    ws: &Workspace,
    ix: &EventIndex,
    column: Option<&str>,
) -> Result<Vec<Option<f64>>> {
    let col = value_column(ws, ix, column)?;
    Ok((0..ix.len()).map(|i| value_at(&col, i)).collect())
}

/// The amount column of [`event_values`] (named, or the one with role
/// Value), in index order; an error when there is none or it holds no
/// amounts.
pub fn value_column(
    ws: &Workspace,
    ix: &EventIndex,
    column: Option<&str>,
) -> Result<std::sync::Arc<crate::column::Column>> {
    let name = match column {
        Some(c) => c.to_string(),
        None => ix
            .record()
            .info
            .columns
            .iter()
            .find(|c| c.role == Some(Role::Value))
            .map(|c| c.name.clone())
            .ok_or_else(|| {
                Error::missing_role(Role::Value, format!(
                    "dataset \"{}\" has no value (revenue) column; give a column the value role, or name the column to use with \"column\"",
                    ix.dataset_name
                ))
            })?,
    };
    let col = ix.column(ws, &name)?;
    use crate::column::Values;
    match &col.values {
        Values::Float(_) => {}
        Values::Int(_) if matches!(col.ty, crate::model::ColumnType::Integer) => {}
        _ => {
            return Err(Error::Invalid(format!(
                "the column \"{name}\" of dataset \"{}\" holds {} values, not amounts; pick a number column for revenue",
                ix.dataset_name,
                col.ty.as_str()
            )))
        }
    }
    Ok(col)
}

/// Event `i`'s amount in a [`value_column`] (None: empty or not finite).
#[inline]
pub fn value_at(col: &crate::column::Column, i: usize) -> Option<f64> {
    use crate::column::Values;
    match &col.values {
        Values::Float(v) => (!col.is_null(i) && v[i].is_finite()).then(|| v[i]),
        Values::Int(v) => (!col.is_null(i)).then(|| v[i] as f64),
        _ => None,
    }
}

// ---- ids and results ------------------------------------------------------

/// The id columns of a unit: `["user"]`, or for sessions
/// `["user", "session"]` (a derived session is named by its start time).
pub struct UnitIds {
    user: Option<std::sync::Arc<crate::index::Interned>>,
    session: Option<std::sync::Arc<crate::index::Interned>>,
    unit: Unit,
    derived: bool,
}

impl UnitIds {
    pub fn new(ws: &Workspace, ix: &EventIndex) -> Result<UnitIds> {
        let role = |r: Role| {
            ix.record()
                .info
                .columns
                .iter()
                .find(|c| c.role == Some(r))
                .map(|c| c.name.clone())
        };
        let user = role(Role::User).map(|n| ix.interned(ws, &n)).transpose()?;
        let session = match ix.unit {
            Unit::Sessions => role(Role::Session)
                .map(|n| ix.interned(ws, &n))
                .transpose()?,
            Unit::Users => None,
        };
        Ok(UnitIds {
            user,
            session,
            unit: ix.unit,
            derived: ix.sessions == SessionSource::Derived,
        })
    }
    /// Column names of [`UnitIds::cells`].
    pub fn header(&self) -> Vec<&'static str> {
        match self.unit {
            Unit::Users => vec!["user"],
            Unit::Sessions if self.derived => vec!["user", "session_start"],
            Unit::Sessions => vec!["user", "session"],
        }
    }
    pub fn cells(&self, ix: &EventIndex, u: usize) -> Vec<String> {
        let i = ix.unit_starts[u] as usize;
        let get = |x: &Option<std::sync::Arc<crate::index::Interned>>| {
            x.as_ref()
                .and_then(|x| x.get(i).map(str::to_string))
                .unwrap_or_default()
        };
        let mut out = vec![get(&self.user)];
        if self.unit == Unit::Sessions {
            out.push(if self.derived {
                format_timestamp(ix.time[i])
            } else {
                get(&self.session)
            });
        }
        out
    }
    /// One text id: the cells joined with " / ".
    pub fn label(&self, ix: &EventIndex, u: usize) -> String {
        let c = self.cells(ix, u);
        if self.unit == Unit::Sessions && c[0].is_empty() {
            return c[1].clone();
        }
        c.join(" / ")
    }
}

/// Saves a segment in the workspace (kind "segment", under its name),
/// after checking that it parses back.
pub fn save_segment(ws: &Workspace, spec: &SegmentSpec) -> Result<()> {
    let v = serde_json::to_value(spec)
        .map_err(|e| Error::Internal(format!("a segment did not serialise: {e}")))?;
    ws.save_item("segment", &spec.name, &v)
}

/// The saved segments of a workspace (one that no longer parses is listed
/// by [`Workspace::unreadable_items`] instead).
pub fn saved_segments(ws: &Workspace) -> Result<Vec<SegmentSpec>> {
    Ok(ws
        .list_items("segment")?
        .into_iter()
        .filter_map(|item| match item.item {
            crate::store::SavedSpec::Segment(s) => Some(s),
            _ => None,
        })
        .collect())
}

/// The members of a segment of `spec.dataset`, counting `unit`.
pub fn segment_members(
    ws: &Workspace,
    spec: &SegmentSpec,
    cache: &mut IndexCache,
    unit: Unit,
) -> Result<SegmentResult> {
    let ix = segment_index(ws, spec, cache, unit)?;
    let mask = Evaluator::new(ws, &ix).members(spec)?;
    result_of(ws, &ix, &spec.name, &mask)
}

fn segment_index(
    ws: &Workspace,
    spec: &SegmentSpec,
    cache: &mut IndexCache,
    unit: Unit,
) -> Result<std::sync::Arc<EventIndex>> {
    let dataset = spec.dataset.as_deref().ok_or_else(|| {
        Error::Invalid(format!(
            "segment \"{}\" names no \"dataset\" to evaluate it on",
            spec.name
        ))
    })?;
    let rec = ws.dataset(dataset)?;
    if rec.info.kind == crate::model::DatasetKind::Metrics {
        return Err(Error::Invalid(format!(
            "dataset \"{dataset}\" is a metric table: it has no users or sessions to put in a segment"
        )));
    }
    cache.get(ws, &rec, unit)
}

/// Counts and a sample of the units `mask` selects.
pub fn result_of(
    ws: &Workspace,
    ix: &EventIndex,
    name: &str,
    mask: &[bool],
) -> Result<SegmentResult> {
    let ids = UnitIds::new(ws, ix)?;
    let members = mask.iter().filter(|&&m| m).count() as u64;
    let total = ix.units() as u64;
    let sample = mask
        .iter()
        .enumerate()
        .filter(|(_, &m)| m)
        .take(SAMPLE_SIZE)
        .map(|(u, _)| ids.label(ix, u))
        .collect();
    Ok(SegmentResult {
        name: name.to_string(),
        unit: ix.unit.as_str().to_string(),
        members,
        total_units: total,
        share: if total == 0 {
            0.0
        } else {
            members as f64 / total as f64
        },
        sample,
    })
}

/// A CSV cell: quoted when needed, and with a leading `'` when it starts
/// with `=`, `+`, `-`, `@`, a tab or a carriage return, so a spreadsheet
/// does not run it as a formula.
pub fn csv_cell(s: &str) -> String {
    let s = if s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{s}")
    } else {
        s.to_string()
    };
    if s.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s
    }
}

/// Writes the audience list of a segment as CSV (a header, then one row
/// per member); returns the number of members written.
pub fn write_audience_csv<W: Write>(
    ws: &Workspace,
    spec: &SegmentSpec,
    cache: &mut IndexCache,
    unit: Unit,
    out: &mut W,
) -> Result<u64> {
    let ix = segment_index(ws, spec, cache, unit)?;
    let mask = Evaluator::new(ws, &ix).members(spec)?;
    let ids = UnitIds::new(ws, &ix)?;
    let io = |e: std::io::Error| Error::Invalid(format!("could not write the audience list: {e}"));
    writeln!(out, "{}", ids.header().join(",")).map_err(io)?;
    let mut n = 0;
    for (u, _) in mask.iter().enumerate().filter(|(_, &m)| m) {
        let row: Vec<String> = ids.cells(&ix, u).iter().map(|c| csv_cell(c)).collect();
        writeln!(out, "{}", row.join(",")).map_err(io)?;
        n += 1;
    }
    Ok(n)
}

/// The units a funnel's own `"segment"` lets in (None: every unit).
pub fn funnel_mask(
    ws: &Workspace,
    ix: &EventIndex,
    spec: &crate::funnel::FunnelSpec,
) -> Result<Option<Vec<bool>>> {
    spec.segment
        .as_deref()
        .map(|s| Evaluator::new(ws, ix).members(s))
        .transpose()
}

/// The mask of a segment over `ix`; `negate` gives its complement
/// ("everyone else").
pub fn segment_mask(
    ws: &Workspace,
    ix: &EventIndex,
    spec: &SegmentSpec,
    negate: bool,
) -> Result<Vec<bool>> {
    let m = Evaluator::new(ws, ix).members(spec)?;
    Ok(if negate {
        m.into_iter().map(|x| !x).collect()
    } else {
        m
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_parse_by_their_keys() {
        let s = SegmentSpec::from_json(
            r#"{"name": "Filter users", "match": "all", "conditions": [
                {"did": {"event": "use_filter"}, "at_least": 1},
                {"column": "device_category", "op": "eq", "value": "mobile", "value_of": "ever"},
                {"measure": "revenue", "op": "gte", "value": 100},
                {"not": {"did_not": {"page": "/cart*"}}},
                {"match": "any", "conditions": [{"column": "country", "op": "is_set"}]}]}"#,
        )
        .unwrap();
        assert!(matches!(s.conditions[0], Condition::Behaviour(_)));
        assert!(matches!(s.conditions[1], Condition::Property(_)));
        assert!(matches!(s.conditions[2], Condition::Measure(_)));
        assert!(matches!(s.conditions[3], Condition::Not(_)));
        assert!(matches!(s.conditions[4], Condition::Group(_)));
        let again = SegmentSpec::from_json(&serde_json::to_string(&s).unwrap()).unwrap();
        assert_eq!(again, s);
        let e =
            SegmentSpec::from_json(r#"{"name": "x", "conditions": [{"colum": "a"}]}"#).unwrap_err();
        assert!(e.to_string().contains("colum"), "{e}");
        let e = SegmentSpec::from_json(
            r#"{"name": "x", "conditions": [{"did": {"event": "a"}, "at_lest": 2}]}"#,
        )
        .unwrap_err();
        assert!(e.to_string().contains("at_lest"), "{e}");
    }

    #[test]
    fn csv_cells_are_neutralised() {
        assert_eq!(csv_cell("=HYPERLINK(1)"), "'=HYPERLINK(1)");
        assert_eq!(csv_cell("-1"), "'-1");
        assert_eq!(csv_cell("@x"), "'@x");
        assert_eq!(csv_cell("+1"), "'+1");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("=a\"b"), "\"'=a\"\"b\"");
        assert_eq!(csv_cell("u1"), "u1");
    }
}
