//! Retention cohorts and repeat purchase. See docs/retention.md.
//!
//! - A user's cohort is the period (UTC day, week from Monday, or month) of
//!   their first event (`first_seen`) or of their first event E; users
//!   without one are in no cohort.
//! - The user returned in period p (0 = the cohort period itself) when a
//!   return event (any event, or event R) at or after the cohort event,
//!   other than the cohort event itself, falls in the cohort period + p.
//! - A cohort's row stops at the last period the data reaches, so the
//!   latest cohorts have shorter rows (those periods have not happened).
//! - Repeat purchase (with a `goal` event): an order is a goal event; goal
//!   events of one user at the same instant are one order (line items).

use crate::calendar::{civil_from_days, format_date, ymd_to_days};
use crate::error::{Error, Result};
use crate::index::{EventIndex, IndexCache, Unit};
use crate::model::DatasetKind;
use crate::store::Workspace;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use ts_rs::TS;

pub const DEFAULT_PERIODS: usize = 8;
pub const MAX_PERIODS: usize = 120;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum RetentionInterval {
    Day,
    Week,
    Month,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum FirstSeen {
    FirstSeen,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum AnyEvent {
    Any,
}

/// What puts a user in a cohort: `"first_seen"` or `{"event": E}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(untagged, try_from = "serde_json::Value")]
#[ts(export)]
pub enum CohortBy {
    FirstSeen(FirstSeen),
    Event { event: String },
}

/// What counts as coming back: `"any"` or `{"event": E}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(untagged, try_from = "serde_json::Value")]
#[ts(export)]
pub enum ReturnBy {
    Any(AnyEvent),
    Event { event: String },
}

/// The event of `{"event": E}`, or None for the keyword; else a sentence.
fn keyword_or_event(
    v: serde_json::Value,
    field: &str,
    keyword: &str,
) -> std::result::Result<Option<String>, String> {
    match &v {
        serde_json::Value::String(s) if s == keyword => Ok(None),
        serde_json::Value::Object(m) if m.len() == 1 => match m.get("event") {
            Some(serde_json::Value::String(e)) => Ok(Some(e.clone())),
            _ => Err(format!(
                "\"{field}\" is {v}: write \"{keyword}\" or {{\"event\": NAME}}"
            )),
        },
        _ => Err(format!(
            "\"{field}\" is {v}: write \"{keyword}\" or {{\"event\": NAME}}"
        )),
    }
}

impl TryFrom<serde_json::Value> for CohortBy {
    type Error = String;
    fn try_from(v: serde_json::Value) -> std::result::Result<CohortBy, String> {
        Ok(match keyword_or_event(v, "cohort", "first_seen")? {
            None => CohortBy::FirstSeen(FirstSeen::FirstSeen),
            Some(event) => CohortBy::Event { event },
        })
    }
}

impl TryFrom<serde_json::Value> for ReturnBy {
    type Error = String;
    fn try_from(v: serde_json::Value) -> std::result::Result<ReturnBy, String> {
        Ok(match keyword_or_event(v, "return", "any")? {
            None => ReturnBy::Any(AnyEvent::Any),
            Some(event) => ReturnBy::Event { event },
        })
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct RetentionSpec {
    pub dataset: String,
    pub cohort: CohortBy,
    #[serde(rename = "return")]
    #[ts(rename = "return")]
    pub returns: ReturnBy,
    pub interval: RetentionInterval,
    /// Periods per cohort row (0 to periods - 1); 1 to 120, default 8.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub periods: Option<usize>,
    /// The order event, for the repeat-purchase summary.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub goal: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export, rename = "RetentionCohort")]
pub struct Cohort {
    /// The cohort period: `2024-09-02` (days; weeks by their Monday), `2024-09` (months).
    pub period: String,
    #[ts(type = "number")]
    pub size: u64,
    /// Users who returned in period 0, 1, ... (as far as the data reaches).
    #[ts(type = "Array<number>")]
    pub returned: Vec<u64>,
    /// `returned / size`.
    pub rates: Vec<f64>,
}

/// Period p over every cohort that reaches it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RetentionPoint {
    pub period: usize,
    /// Users in the cohorts whose rows reach period p.
    #[ts(type = "number")]
    pub users: u64,
    #[ts(type = "number")]
    pub returned: u64,
    pub rate: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RepeatPurchase {
    pub goal: String,
    /// Users with at least one order.
    #[ts(type = "number")]
    pub customers: u64,
    /// Users with at least two.
    #[ts(type = "number")]
    pub repeat_customers: u64,
    pub repeat_rate: f64,
    #[ts(type = "number")]
    pub orders: u64,
    pub orders_per_customer: f64,
    /// Between a customer's consecutive orders, over all such gaps.
    pub median_seconds_between_orders: Option<f64>,
    pub average_seconds_between_orders: Option<f64>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct RetentionResult {
    pub unit: String,
    pub interval: RetentionInterval,
    pub periods: usize,
    /// Users in some cohort.
    #[ts(type = "number")]
    pub users: u64,
    pub cohorts: Vec<Cohort>,
    /// The average curve: period p over every cohort that reaches it.
    pub curve: Vec<RetentionPoint>,
    pub repeat: Option<RepeatPurchase>,
    pub warnings: Vec<String>,
}

impl RetentionSpec {
    pub fn from_json(text: &str) -> Result<RetentionSpec> {
        serde_json::from_str(text)
            .map_err(|e| Error::Invalid(format!("the retention spec is not valid: {e}")))
    }
    pub fn periods(&self) -> Result<usize> {
        match self.periods.unwrap_or(DEFAULT_PERIODS) {
            p @ 1..=MAX_PERIODS => Ok(p),
            p => Err(Error::Invalid(format!(
                "periods is {p}: choose from 1 to {MAX_PERIODS}"
            ))),
        }
    }
}

/// The period of a day: (ordinal, first day, first day of the next).
pub fn period_of(days: i64, interval: RetentionInterval) -> (i64, i64, i64) {
    match interval {
        RetentionInterval::Day => (days, days, days + 1),
        RetentionInterval::Week => {
            // 1970-01-01 was a Thursday; weeks start on Monday (day 4 was one)
            let monday = days - (days + 3).rem_euclid(7);
            ((monday - 4).div_euclid(7), monday, monday + 7)
        }
        RetentionInterval::Month => {
            let (y, m, _) = civil_from_days(days);
            let start = ymd_to_days(y, m, 1);
            let end = if m == 12 {
                ymd_to_days(y + 1, 1, 1)
            } else {
                ymd_to_days(y, m + 1, 1)
            };
            (y * 12 + m as i64 - 1, start, end)
        }
    }
}

fn label(days: i64, interval: RetentionInterval) -> String {
    let (_, start, _) = period_of(days, interval);
    match interval {
        RetentionInterval::Month => {
            let (y, m, _) = civil_from_days(start);
            format!("{y:04}-{m:02}")
        }
        _ => format_date(start),
    }
}

const DAY: i64 = 86_400_000_000;

/// Period ordinals of times in order, remembering the last period's bounds
/// (a user's events are in time order, so most lookups hit).
struct Periods {
    interval: RetentionInterval,
    lo: i64,
    hi: i64,
    ord: i64,
}

impl Periods {
    fn new(interval: RetentionInterval) -> Self {
        Periods {
            interval,
            lo: 0,
            hi: 0,
            ord: 0,
        }
    }
    #[inline]
    fn ord(&mut self, t: i64) -> i64 {
        if t < self.lo || t >= self.hi {
            let (o, a, b) = period_of(t.div_euclid(DAY), self.interval);
            self.ord = o;
            self.lo = a.saturating_mul(DAY);
            self.hi = b.saturating_mul(DAY);
        }
        self.ord
    }
}

fn event_code(ix: &EventIndex, e: &str, what: &str) -> Result<u32> {
    ix.event.code_of(e).ok_or_else(|| {
        Error::Invalid(format!(
            "the {what} event \"{e}\" does not occur in dataset \"{}\"",
            ix.dataset_name
        ))
    })
}

/// Runs a retention query (always by user).
pub fn run_retention(
    ws: &Workspace,
    spec: &RetentionSpec,
    cache: &mut IndexCache,
) -> Result<RetentionResult> {
    spec.periods()?;
    let rec = ws.dataset(&spec.dataset)?;
    if rec.info.kind == DatasetKind::Metrics {
        return Err(Error::Invalid(format!(
            "dataset \"{}\" is a metric table: it has totals, not users who come back",
            rec.info.name
        )));
    }
    let ix = cache.get(ws, &rec, Unit::Users)?;
    retention_on_index(&ix, spec)
}

#[derive(Default)]
struct Acc {
    size: u64,
    returned: Vec<u64>,
}

/// Retention over a built index of users.
pub fn retention_on_index(ix: &EventIndex, spec: &RetentionSpec) -> Result<RetentionResult> {
    let periods = spec.periods()?;
    let interval = spec.interval;
    let cohort_code = match &spec.cohort {
        CohortBy::FirstSeen(_) => None,
        CohortBy::Event { event } => Some(event_code(ix, event, "cohort")?),
    };
    let return_code = match &spec.returns {
        ReturnBy::Any(_) => None,
        ReturnBy::Event { event } => Some(event_code(ix, event, "return")?),
    };
    let goal_code = spec
        .goal
        .as_deref()
        .map(|g| event_code(ix, g, "goal"))
        .transpose()?;
    let time: &[i64] = &ix.time;
    let ev: &[u32] = &ix.event.codes;
    let starts: &[u32] = &ix.unit_starts;
    let last_time = (0..ix.units())
        .map(|u| time[starts[u + 1] as usize - 1])
        .max();
    let mut cohorts: BTreeMap<i64, (i64, Acc)> = BTreeMap::new();
    let mut per = Periods::new(interval);
    let (mut customers, mut repeaters, mut orders) = (0u64, 0u64, 0u64);
    let mut gaps: Vec<i64> = Vec::new();
    let mut users = 0u64;
    for u in 0..ix.units() {
        if u.is_multiple_of(65_536) {
            crate::job::step("Following each user's returns", u as u64, ix.units() as u64)?;
        }
        let (lo, hi) = (starts[u] as usize, starts[u + 1] as usize);
        if let Some(g) = goal_code {
            let mut last: Option<i64> = None;
            let mut n = 0u64;
            for i in lo..hi {
                if ev[i] == g && last != Some(time[i]) {
                    if let Some(l) = last {
                        gaps.push(time[i] - l);
                    }
                    last = Some(time[i]);
                    n += 1;
                }
            }
            orders += n;
            customers += (n >= 1) as u64;
            repeaters += (n >= 2) as u64;
        }
        let c = match cohort_code {
            None => lo,
            Some(code) => match (lo..hi).find(|&i| ev[i] == code) {
                Some(c) => c,
                None => continue,
            },
        };
        users += 1;
        let t0 = time[c];
        let ord0 = per.ord(t0);
        let mut first = c;
        while first > lo && time[first - 1] == t0 {
            first -= 1;
        }
        let mut back: u128 = 0;
        for i in first..hi {
            if i == c || return_code.is_some_and(|r| ev[i] != r) {
                continue;
            }
            let p = per.ord(time[i]) - ord0;
            if p >= periods as i64 {
                break;
            }
            back |= 1u128 << p;
        }
        let entry = cohorts.entry(ord0).or_insert_with(|| {
            (
                t0.div_euclid(DAY),
                Acc {
                    size: 0,
                    returned: vec![0; periods],
                },
            )
        });
        entry.1.size += 1;
        while back != 0 {
            let p = back.trailing_zeros() as usize;
            entry.1.returned[p] += 1;
            back &= back - 1;
        }
    }
    let last_ord = last_time.map(|t| per.ord(t)).unwrap_or(0);
    let mut curve: Vec<RetentionPoint> = (0..periods)
        .map(|p| RetentionPoint {
            period: p,
            users: 0,
            returned: 0,
            rate: 0.0,
        })
        .collect();
    let cohorts: Vec<Cohort> = cohorts
        .into_iter()
        .map(|(ord, (day, acc))| {
            let reach = ((last_ord - ord + 1).max(0) as usize).min(periods);
            let returned: Vec<u64> = acc.returned[..reach].to_vec();
            for (p, &r) in returned.iter().enumerate() {
                curve[p].users += acc.size;
                curve[p].returned += r;
            }
            Cohort {
                period: label(day, interval),
                size: acc.size,
                rates: returned.iter().map(|&r| ratio(r, acc.size)).collect(),
                returned,
            }
        })
        .collect();
    curve.retain(|p| p.users > 0);
    for p in &mut curve {
        p.rate = ratio(p.returned, p.users);
    }
    let repeat = spec.goal.as_ref().map(|g| {
        let (avg, med) = crate::funnel::engine::avg_median(&mut gaps);
        RepeatPurchase {
            goal: g.clone(),
            customers,
            repeat_customers: repeaters,
            repeat_rate: ratio(repeaters, customers),
            orders,
            orders_per_customer: if customers == 0 {
                0.0
            } else {
                orders as f64 / customers as f64
            },
            median_seconds_between_orders: med,
            average_seconds_between_orders: avg,
        }
    });
    let mut warnings = Vec::new();
    if users == 0 {
        warnings.push("no user is in any cohort".into());
    }
    Ok(RetentionResult {
        unit: Unit::Users.as_str().into(),
        interval,
        periods,
        users,
        cohorts,
        curve,
        repeat,
        warnings,
    })
}

fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_follow_the_calendar() {
        let d = |s: &str| crate::calendar::parse_date(s, crate::calendar::DateOrder::Dmy).unwrap();
        // 2024-09-04 is a Wednesday: its week starts Monday 2024-09-02
        let (w, a, b) = period_of(d("2024-09-04"), RetentionInterval::Week);
        assert_eq!((format_date(a), b - a), ("2024-09-02".to_string(), 7));
        assert_eq!(period_of(d("2024-09-09"), RetentionInterval::Week).0, w + 1);
        let (m, a, b) = period_of(d("2024-02-10"), RetentionInterval::Month);
        assert_eq!(
            (format_date(a), format_date(b)),
            ("2024-02-01".into(), "2024-03-01".into())
        );
        assert_eq!(
            period_of(d("2024-03-31"), RetentionInterval::Month).0,
            m + 1
        );
        assert_eq!(
            period_of(d("2025-01-01"), RetentionInterval::Month).0,
            m + 11
        );
        assert_eq!(label(d("2024-02-10"), RetentionInterval::Month), "2024-02");
    }

    #[test]
    fn spec_forms_parse() {
        let s = RetentionSpec::from_json(
            r#"{"dataset": "d", "cohort": "first_seen", "return": {"event": "purchase"}, "interval": "week"}"#,
        )
        .unwrap();
        assert_eq!(s.cohort, CohortBy::FirstSeen(FirstSeen::FirstSeen));
        assert_eq!(s.periods().unwrap(), 8);
        let again = RetentionSpec::from_json(&serde_json::to_string(&s).unwrap()).unwrap();
        assert_eq!(again, s);
        let e = RetentionSpec::from_json(
            r#"{"dataset": "d", "cohort": "first", "return": "any", "interval": "week"}"#,
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains(r#""cohort" is "first": write "first_seen" or {"event": NAME}"#),
            "{e}"
        );
        let e = RetentionSpec::from_json(
            r#"{"dataset": "d", "cohort": "first_seen", "return": {"evnt": "x"}, "interval": "week"}"#,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains(r#""return" is {"evnt":"x"}"#), "{e}");
    }
}
