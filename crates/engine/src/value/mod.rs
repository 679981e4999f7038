//! What each step is worth: a funnel with a goal (its last step) and an
//! order value, as money per step, what-if sizing of a better step, a
//! ranked list of opportunities and where the non-converters stopped.
//!
//! The funnel's counts come from the per-unit outcome of its own state
//! machine (`funnel::engine::unit_outcomes`, the form of `run_funnel`'s
//! counts per unit), which also gives the goal events' values and the wasted
//! traffic: one pass. Definitions, worked examples and
//! the interval methods: docs/value.md.

pub mod math;
pub mod wasted;

pub use math::{Aov, Estimate, Lift};
pub use wasted::{Bucket, WastedStep};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::column::Values;
use crate::error::{Error, Result};
use crate::funnel::engine::unit_outcomes;
use crate::funnel::FunnelSpec;
use crate::index::IndexCache;
use crate::model::{ColumnType, DatasetKind};
use crate::store::Workspace;

/// The confidence level of every interval unless the spec gives one.
pub const DEFAULT_CONFIDENCE: f64 = 0.95;
/// The relative lift of every step in the opportunity list: 10%.
pub const DEFAULT_OPPORTUNITY: f64 = 0.1;
/// Values per step in the wasted-traffic lists before the rest pool.
pub const DEFAULT_WASTED_TOP: usize = 5;
/// The average month, in days (365.25 / 12).
pub const DAYS_PER_MONTH: f64 = 30.4375;

/// What one goal is worth: the goal events' values in a column (average
/// order value = their mean), or a typed value per goal.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct OrderValue {
    /// A numeric column; each converting unit's goal event gives one value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub column: Option<String>,
    /// A typed average order value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub per_goal: Option<f64>,
}

/// "What if step K converted better": the conversion from step K-1 into
/// step K (steps numbered from 1, as printed) times `1 + relative`, or plus
/// `points` (a fraction: 0.02 is two percentage points), or, with `like`,
/// everyone's conversion at step K as the persona's (or the value's) units
/// convert there. One of the three.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct WhatIf {
    pub step: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub relative: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub points: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub like: Option<Like>,
}

/// Whose conversion a `like` what-if gives everyone: a persona's units
/// (`segment`, a segment spec as the funnel's own `segment`), or the units
/// whose value of `column` is `value` in the funnel's breakdown by that
/// column (first touch, or the funnel's own attribution when it breaks
/// down by the same column). One of the two.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export, rename = "WhatIfLike")]
pub struct Like {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub segment: Option<Box<crate::segment::SegmentSpec>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub column: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub value: Option<String>,
}

/// A value spec: a funnel spec with its fields at the top level, plus
/// `value` and the options below.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ValueSpec {
    #[serde(flatten)]
    pub funnel: FunnelSpec,
    pub value: OrderValue,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub what_if: Option<WhatIf>,
    /// Level of every interval; default 0.95.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub confidence: Option<f64>,
    /// The relative lift the opportunity list gives every step; default 0.1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub opportunity: Option<f64>,
    /// Event names and pages listed per step in the wasted traffic before
    /// the rest pool into "Other"; default 5.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub wasted_top: Option<usize>,
    /// The analyst's effort per step improved, 1 (easiest) to 10, keyed by
    /// the step's number as printed ("2"): the ease of the ICE score.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub effort: Option<std::collections::BTreeMap<String, f64>>,
}

/// The keys a value spec adds to a funnel spec.
const VALUE_KEYS: [&str; 6] = [
    "value",
    "what_if",
    "confidence",
    "opportunity",
    "wasted_top",
    "effort",
];

impl<'de> Deserialize<'de> for ValueSpec {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        use serde::de::Error as _;
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Extra {
            value: Option<OrderValue>,
            #[serde(default)]
            what_if: Option<WhatIf>,
            #[serde(default)]
            confidence: Option<f64>,
            #[serde(default)]
            opportunity: Option<f64>,
            #[serde(default)]
            wasted_top: Option<usize>,
            #[serde(default)]
            effort: Option<std::collections::BTreeMap<String, f64>>,
        }
        let mut all = serde_json::Map::<String, serde_json::Value>::deserialize(d)?;
        let mut extra = serde_json::Map::new();
        for k in VALUE_KEYS {
            if let Some(v) = all.remove(k) {
                extra.insert(k.to_string(), v);
            }
        }
        let funnel = FunnelSpec::deserialize(serde_json::Value::Object(all)).map_err(|e| {
            D::Error::custom(format!(
                "{e} (a value spec also takes {})",
                VALUE_KEYS.join(", ")
            ))
        })?;
        let x = Extra::deserialize(serde_json::Value::Object(extra)).map_err(D::Error::custom)?;
        let value = x.value.ok_or_else(|| {
            D::Error::custom(
                "the spec has no \"value\": give {\"column\": NAME} (the goal events' order values) or {\"per_goal\": NUMBER}",
            )
        })?;
        Ok(ValueSpec {
            funnel,
            value,
            what_if: x.what_if,
            confidence: x.confidence,
            opportunity: x.opportunity,
            wasted_top: x.wasted_top,
            effort: x.effort,
        })
    }
}

impl ValueSpec {
    pub fn from_json(text: &str) -> Result<ValueSpec> {
        serde_json::from_str(text)
            .map_err(|e| Error::Invalid(format!("the value spec is not valid: {e}")))
    }
}

/// The order value used: where it came from, its average and the standard
/// error of that average.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct OrderValueUsed {
    /// The column read, or None for a typed value per goal.
    pub column: Option<String>,
    /// The average order value.
    pub average: f64,
    /// Its standard error (0 for a typed value).
    pub standard_error: f64,
    /// Goal events with a value (the typed value: the goals).
    #[ts(type = "number")]
    pub values: u64,
    /// Goal events whose value is missing (left out of the average).
    #[ts(type = "number")]
    pub missing: u64,
}

/// One step's worth.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct StepValue {
    pub label: String,
    #[ts(type = "number")]
    pub count: u64,
    /// Fraction 0..1 of step 1's count.
    pub rate_from_start: f64,
    /// P(reach the goal | at this step) = goals / count.
    pub goal_rate: f64,
    /// Its Wilson interval.
    pub goal_rate_low: f64,
    pub goal_rate_high: f64,
    /// The expected value of a unit at the step, `goal_rate * average order
    /// value`: also what one more unit reaching the step is worth.
    pub value_per_unit: Estimate,
    /// The value of the step's whole population, `count * value_per_unit`
    /// (for every step the goals' value: the funnel is nested).
    pub total_value: Estimate,
}

/// The two groups of a "like" what-if at its step: the persona's (or the
/// value's) units and the others, each with its conversion from the step
/// before into the step (Wilson interval), and the difference of the two
/// (Newcombe's interval).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct LikeUsed {
    /// The persona's name, or `column = value`.
    pub name: String,
    /// The persona's units at the step before and at the step.
    #[ts(type = "number")]
    pub prev: u64,
    #[ts(type = "number")]
    pub at: u64,
    pub rate: Estimate,
    /// Everyone else's.
    #[ts(type = "number")]
    pub rest_prev: u64,
    #[ts(type = "number")]
    pub rest_at: u64,
    pub rest_rate: Estimate,
    /// `rate − rest_rate`.
    pub difference: Estimate,
}

/// One opportunity's ICE score (docs/value.md): impact and confidence from
/// the data, ease from the analyst's effort.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Priority {
    /// The step improved, numbered from 1.
    pub step: usize,
    /// 1 – 10: the opportunity's extra value over the largest's, times 10.
    pub impact: u32,
    /// 1 – 10: 10 × (1 − the extra value interval's relative half-width).
    pub confidence: u32,
    /// 1 – 10 as typed, or None.
    pub effort: Option<u32>,
    /// 11 − effort.
    pub ease: Option<u32>,
    /// impact × confidence × ease, 1 – 1000; None without an effort.
    pub ice: Option<u32>,
}

/// Extra goals and value over one period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct PeriodGain {
    pub extra_goals: Estimate,
    pub extra_value: Estimate,
}

/// A what-if, sized.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct WhatIfResult {
    /// The step whose conversion changes, numbered from 1 as printed.
    pub step: usize,
    pub label: String,
    /// The step before it.
    pub from_label: String,
    pub relative: Option<f64>,
    pub points: Option<f64>,
    /// A "like" what-if: whose conversion everyone gets, and the counts.
    #[serde(default)]
    pub like: Option<LikeUsed>,
    /// The conversion from the step before into this step, now and with
    /// the lift (a "like" what-if: the persona's).
    pub rate_before: f64,
    pub rate_after: f64,
    /// The lifted rate passed 100% and was held there.
    pub capped: bool,
    /// Extra units reaching the step over the dataset's period.
    pub extra_units: f64,
    /// Over the dataset's period.
    pub extra_goals: Estimate,
    pub extra_value: Estimate,
    /// The same per day, week (7 days) and month (30.4375 days).
    pub per_day: PeriodGain,
    pub per_week: PeriodGain,
    pub per_month: PeriodGain,
}

/// The days the dataset's events (as the funnel sees them) span.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export, rename = "ValuePeriod")]
pub struct Period {
    /// First and last day (UTC, `YYYY-MM-DD`).
    pub from: String,
    pub to: String,
    /// Calendar days from `from` to `to`, both counted.
    #[ts(type = "number")]
    pub days: u64,
}

/// A funnel's value table, what-if, opportunities and wasted traffic.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ValueResult {
    /// "users" or "sessions".
    pub unit: String,
    /// The goal: the funnel's last step.
    pub goal: String,
    #[ts(type = "number")]
    pub goals: u64,
    /// Level of every interval (0.95).
    pub confidence: f64,
    pub order_value: OrderValueUsed,
    pub period: Period,
    pub steps: Vec<StepValue>,
    /// The goals' value: goals times the average order value (its interval
    /// from the average's alone: the goals are counted, not estimated).
    pub total_value: Estimate,
    pub what_if: Option<WhatIfResult>,
    /// The relative lift each opportunity gives its step (0.1).
    pub opportunity: f64,
    /// Every step after the first lifted by `opportunity`, by extra value
    /// (largest first; ties: the surer, higher low bound, first).
    pub opportunities: Vec<WhatIfResult>,
    /// The ICE score of each opportunity, highest first; those with no
    /// effort typed (no score) last, in the opportunities' order.
    #[serde(default)]
    pub priorities: Vec<Priority>,
    /// Units that entered but did not reach the goal.
    #[ts(type = "number")]
    pub non_converters: u64,
    /// Where they stopped, per step before the goal.
    pub wasted: Vec<WastedStep>,
    /// The funnel's own warnings.
    pub warnings: Vec<String>,
}

/// Checks the lift of a what-if: relative in (-1, 10], points in [-1, 1];
/// None for a "like" what-if (checked by [`check_like`]).
fn lift_of(w: &WhatIf) -> Result<Option<Lift>> {
    let given = [w.relative.is_some(), w.points.is_some(), w.like.is_some()];
    if given.iter().filter(|&&g| g).count() > 1 {
        return Err(Error::Invalid(
            "the what-if gives more than one of \"relative\", \"points\" and \"like\": give one"
                .into(),
        ));
    }
    if let Some(l) = &w.like {
        check_like(l)?;
        return Ok(None);
    }
    lift_of_amount(w).map(Some)
}

/// A "like" gives a segment, or a column and a value.
fn check_like(l: &Like) -> Result<()> {
    match (&l.segment, &l.column, &l.value) {
        (Some(_), None, None) => Ok(()),
        (None, Some(c), Some(_)) if !c.is_empty() => Ok(()),
        (Some(_), _, _) => Err(Error::Invalid(
            "the what-if's \"like\" gives a segment and a column: give {\"segment\": PERSONA} or {\"column\": NAME, \"value\": VALUE}".into(),
        )),
        (None, Some(c), None) if !c.is_empty() => Err(Error::Invalid(format!(
            "the what-if's \"like\" names column \"{c}\" but no \"value\": give the value whose units' conversion everyone gets"
        ))),
        _ => Err(Error::Invalid(
            "the what-if's \"like\" needs {\"segment\": PERSONA} or {\"column\": NAME, \"value\": VALUE}".into(),
        )),
    }
}

fn lift_of_amount(w: &WhatIf) -> Result<Lift> {
    match (w.relative, w.points) {
        (Some(_), Some(_)) => Err(Error::Invalid(
            "the what-if gives both \"relative\" and \"points\": give one".into(),
        )),
        (None, None) => Err(Error::Invalid(
            "the what-if needs \"relative\" (0.1 is 10% better), \"points\" (0.02 is two percentage points better) or \"like\" (a persona, or a column's value, whose conversion everyone gets)".into(),
        )),
        (Some(x), None) => {
            if x.is_finite() && x > -1.0 && x <= 10.0 {
                Ok(Lift::Relative(x))
            } else {
                Err(Error::Invalid(format!(
                    "the what-if's relative change {x} is out of range: give a fraction above -1 and at most 10 (0.1 is 10% better)"
                )))
            }
        }
        (None, Some(y)) => {
            if y.is_finite() && (-1.0..=1.0).contains(&y) {
                Ok(Lift::Points(y))
            } else {
                Err(Error::Invalid(format!(
                    "the what-if's change of {y} points is out of range: give a fraction from -1 to 1 (0.02 is two percentage points)"
                )))
            }
        }
    }
}

/// The numbers a value table is computed from: the funnel's counts and the
/// order value. [`table`] is pure, so tests can feed it counts directly.
#[derive(Debug, Clone)]
pub struct Inputs {
    pub labels: Vec<String>,
    /// Units per step (nested: each at most the one before).
    pub counts: Vec<u64>,
    pub aov: Aov,
    pub days: u64,
    pub confidence: f64,
}

/// Sizes a lift at step `step` (1-based, 2..=steps) on the counts.
pub fn what_if(inp: &Inputs, step: usize, lift: Lift) -> Result<WhatIfResult> {
    let k = inp.counts.len();
    if step < 2 || step > k {
        return Err(Error::Invalid(format!(
            "the what-if's step {step} has no conversion to change: choose a step from 2 to {k} (step 1 is where units enter)"
        )));
    }
    let (prev, at) = (inp.counts[step - 2], inp.counts[step - 1]);
    let goals = inp.counts[k - 1];
    let s = math::size(prev, at, goals, lift, inp.confidence).ok_or_else(|| {
        Error::Invalid(format!(
            "the what-if at step {step} cannot be sized: no one reached step {step} \u{201c}{}\u{201d}",
            inp.labels[step - 1]
        ))
    })?;
    let (relative, points) = match lift {
        Lift::Relative(x) => (Some(x), None),
        Lift::Points(y) => (None, Some(y)),
    };
    Ok(sized(inp, step, s, relative, points, None))
}

/// The persona's (or the value's) counts at a "like" what-if's step: at the
/// step before (`prev`) and at the step (`at`).
#[derive(Debug, Clone)]
pub struct LikeCounts {
    pub name: String,
    pub prev: u64,
    pub at: u64,
}

/// Sizes "step `step` converts for everyone as it does for `like`'s units"
/// on the counts (docs/value.md, "As well as a persona").
pub fn what_if_like(inp: &Inputs, step: usize, like: &LikeCounts) -> Result<WhatIfResult> {
    let k = inp.counts.len();
    if step < 2 || step > k {
        return Err(Error::Invalid(format!(
            "the what-if's step {step} has no conversion to change: choose a step from 2 to {k} (step 1 is where units enter)"
        )));
    }
    let (prev, at) = (inp.counts[step - 2], inp.counts[step - 1]);
    let (from, label) = (&inp.labels[step - 2], &inp.labels[step - 1]);
    if at == 0 {
        return Err(Error::Invalid(format!(
            "the what-if at step {step} cannot be sized: no one reached step {step} \u{201c}{label}\u{201d}"
        )));
    }
    if like.prev == 0 {
        return Err(Error::Invalid(format!(
            "none of \u{201c}{}\u{201d}'s units reached step {} \u{201c}{from}\u{201d}: they have no conversion at step {step} to give everyone",
            like.name,
            step - 1
        )));
    }
    if like.prev >= prev {
        return Err(Error::Invalid(format!(
            "every unit at step {} \u{201c}{from}\u{201d} is one of \u{201c}{}\u{201d}'s: there is no one else to convert like them",
            step - 1,
            like.name
        )));
    }
    let goals = inp.counts[k - 1];
    let s = math::size_like(prev, at, goals, like.prev, like.at, inp.confidence).ok_or_else(|| {
        Error::Internal(format!(
            "the counts of \u{201c}{}\u{201d} ({} and {}) do not fit the funnel's ({prev} and {at})",
            like.name, like.prev, like.at
        ))
    })?;
    let (rest_prev, rest_at) = (prev - like.prev, at - like.at);
    let c = inp.confidence;
    let used = LikeUsed {
        name: like.name.clone(),
        prev: like.prev,
        at: like.at,
        rate: math::proportion(like.at, like.prev, c).expect("prev > 0"),
        rest_prev,
        rest_at,
        rest_rate: math::proportion(rest_at, rest_prev, c).expect("rest_prev > 0"),
        difference: math::difference(like.at, like.prev, rest_at, rest_prev, c)
            .expect("both groups have units"),
    };
    Ok(sized(inp, step, s, None, None, Some(used)))
}

/// A sized what-if as its result: the value, and the same per day, week
/// and month.
fn sized(
    inp: &Inputs,
    step: usize,
    s: math::Sizing,
    relative: Option<f64>,
    points: Option<f64>,
    like: Option<LikeUsed>,
) -> WhatIfResult {
    let extra_value = math::times_aov(s.extra_goals, inp.aov, inp.confidence);
    let per = |days: f64| PeriodGain {
        extra_goals: s.extra_goals.scale(days / inp.days as f64),
        extra_value: extra_value.scale(days / inp.days as f64),
    };
    WhatIfResult {
        step,
        label: inp.labels[step - 1].clone(),
        from_label: inp.labels[step - 2].clone(),
        relative,
        points,
        like,
        rate_before: s.rate_before,
        rate_after: s.rate_after,
        capped: s.capped,
        extra_units: s.extra_units,
        extra_goals: s.extra_goals,
        extra_value,
        per_day: per(1.0),
        per_week: per(7.0),
        per_month: per(DAYS_PER_MONTH),
    }
}

/// The value table of the counts: per step, the goal rate and the value of
/// a unit and of the step's population.
pub fn table(inp: &Inputs) -> Vec<StepValue> {
    let k = inp.counts.len();
    let goals = inp.counts[k - 1];
    let start = inp.counts[0];
    inp.counts
        .iter()
        .zip(&inp.labels)
        .map(|(&n, label)| {
            let g = math::proportion(goals, n, inp.confidence).unwrap_or(Estimate::exact(0.0));
            let v = math::times_aov(g, inp.aov, inp.confidence);
            StepValue {
                label: label.clone(),
                count: n,
                rate_from_start: if start == 0 {
                    0.0
                } else {
                    n as f64 / start as f64
                },
                goal_rate: g.value,
                goal_rate_low: g.low,
                goal_rate_high: g.high,
                value_per_unit: v,
                total_value: v.scale(n as f64),
            }
        })
        .collect()
}

/// Every step after the first lifted by `x`, largest extra value first.
pub fn opportunities(inp: &Inputs, x: f64) -> Vec<WhatIfResult> {
    let mut out: Vec<WhatIfResult> = (2..=inp.counts.len())
        .filter_map(|step| what_if(inp, step, Lift::Relative(x)).ok())
        .collect();
    out.sort_by(|a, b| {
        b.extra_value
            .value
            .total_cmp(&a.extra_value.value)
            .then(b.extra_value.low.total_cmp(&a.extra_value.low))
            .then(a.step.cmp(&b.step))
    });
    out
}

/// The ICE score of each opportunity, with the analyst's effort per step:
/// highest score first (ties keep the opportunities' order), then the
/// opportunities with no effort typed (no score) in their order.
pub fn priorities(
    opportunities: &[WhatIfResult],
    effort: &std::collections::BTreeMap<usize, u32>,
) -> Vec<Priority> {
    let largest = opportunities
        .iter()
        .map(|o| o.extra_value.value)
        .fold(f64::NEG_INFINITY, f64::max);
    let mut out: Vec<Priority> = opportunities
        .iter()
        .map(|o| {
            let e = effort.get(&o.step).copied();
            let ice = math::ice(o.extra_value, largest, e);
            Priority {
                step: o.step,
                impact: ice.impact,
                confidence: ice.confidence,
                effort: e,
                ease: ice.ease,
                ice: ice.score,
            }
        })
        .collect();
    // stable: equal scores, and the unscored, keep the opportunities' order
    out.sort_by_key(|p| std::cmp::Reverse(p.ice));
    out
}

/// The spec's effort per step, checked: keys the numbers of steps 2 to
/// `k`, values whole numbers 1 to 10.
fn efforts(
    spec: &Option<std::collections::BTreeMap<String, f64>>,
    k: usize,
) -> Result<std::collections::BTreeMap<usize, u32>> {
    let mut out = std::collections::BTreeMap::new();
    for (key, &v) in spec.iter().flatten() {
        let step: usize = key.trim().parse().ok().filter(|s| (2..=k).contains(s)).ok_or_else(|| {
            Error::Invalid(format!(
                "the effort names step \"{key}\": give efforts for steps 2 to {k}, by their number as printed (\"2\")"
            ))
        })?;
        if !(v.fract() == 0.0 && (1.0..=10.0).contains(&v)) {
            return Err(Error::Invalid(format!(
                "the effort of step {step} is {v}: give a whole number from 1 (easiest) to 10 (hardest)"
            )));
        }
        out.insert(step, v as u32);
    }
    Ok(out)
}

/// Runs a value spec: the funnel, the goal events' values, the table, the
/// what-if, the opportunities and the wasted traffic.
pub fn run_value(ws: &Workspace, spec: &ValueSpec, cache: &mut IndexCache) -> Result<ValueResult> {
    crate::funnel::engine::furthest_step_says_all(&spec.funnel)?;
    let confidence = spec.confidence.unwrap_or(DEFAULT_CONFIDENCE);
    if !(confidence > 0.0 && confidence < 1.0) {
        return Err(Error::Invalid(format!(
            "the confidence level must be between 0 and 1 (e.g. 0.95), got {confidence}"
        )));
    }
    let opportunity = spec.opportunity.unwrap_or(DEFAULT_OPPORTUNITY);
    lift_of_amount(&WhatIf {
        step: 0,
        relative: Some(opportunity),
        points: None,
        like: None,
    })
    .map_err(|_| {
        Error::Invalid(format!(
            "the opportunity lift {opportunity} is out of range: give a fraction above -1 and at most 10 (0.1 is 10% better)"
        ))
    })?;
    let lift = spec.what_if.as_ref().map(lift_of).transpose()?.flatten();
    match (&spec.value.column, spec.value.per_goal) {
        (None, None) => {
            return Err(Error::Invalid(
                "the value names no order value: give {\"column\": NAME} (a column of the goal events' values) or {\"per_goal\": NUMBER}".into(),
            ))
        }
        (Some(_), Some(_)) => {
            return Err(Error::Invalid(
                "the value gives both a column and a value per goal: give one".into(),
            ))
        }
        (None, Some(v)) if !(v.is_finite() && v > 0.0) => {
            return Err(Error::Invalid(format!(
                "the value per goal must be a positive number, got {v}"
            )))
        }
        _ => {}
    }
    let f = &spec.funnel;
    let k = f.steps.len();
    if k < 2 {
        return Err(Error::Invalid(
            "a value table needs a funnel of at least two steps: the last one is the goal".into(),
        ));
    }
    let effort = efforts(&spec.effort, k)?;
    let rec = ws.dataset(&f.dataset)?;
    if rec.info.kind == DatasetKind::Metrics {
        return Err(Error::Invalid(format!(
            "dataset \"{}\" is a metric table: it has totals, not the users or sessions a value per unit needs",
            rec.info.name
        )));
    }
    let value_col = match &spec.value.column {
        Some(name) => {
            let Some(c) = rec.info.columns.iter().find(|c| &c.name == name) else {
                return Err(Error::Invalid(format!(
                    "dataset \"{}\" has no column \"{name}\" for the order value",
                    rec.info.name
                )));
            };
            if !matches!(c.ty, ColumnType::Integer | ColumnType::Decimal) {
                return Err(Error::Invalid(format!(
                    "the order value column \"{name}\" holds {}, not numbers",
                    c.ty.as_str()
                )));
            }
            Some(name.clone())
        }
        None => None,
    };

    // the per-unit outcome the funnel's counts add up (one pass, threaded
    // as the funnel is): step q's count is the units whose level is at
    // least q, exactly `run_funnel`'s (tests hold them equal)
    let ix = cache.get(ws, &rec, f.unit())?;
    let mask = crate::funnel::funnel_mask(ws, &ix, f)?;
    // a "like" what-if on a column's value: the units' groups in the same
    // pass, by the breakdown the funnel would make by that column
    let like_column = spec
        .what_if
        .as_ref()
        .and_then(|w| w.like.as_ref())
        .filter(|l| l.segment.is_none())
        .and_then(|l| l.column.as_ref());
    let by_column;
    let pass_spec = match like_column {
        Some(column) => {
            by_column = like_breakdown(f, column);
            &by_column
        }
        None => f,
    };
    let (outs, span, warnings, groups) = unit_outcomes(
        ws,
        &ix,
        pass_spec,
        mask.as_deref(),
        None,
        like_column.is_some(),
    )?;
    let mut at_level = vec![0u64; k];
    for o in &outs {
        if o.level >= 0 {
            at_level[o.level as usize] += 1;
        }
    }
    let counts: Vec<u64> = (0..k).map(|q| at_level[q..].iter().sum()).collect();
    let goals = counts[k - 1];
    let goal = f.step_label(k - 1);
    if goals == 0 {
        return Err(Error::Invalid(format!(
            "no one reached the goal, step {k} \u{201c}{goal}\u{201d}: there is nothing to put a value on"
        )));
    }

    let (aov, used) = match (&value_col, spec.value.per_goal) {
        (Some(name), _) => {
            let col = ix.column(ws, name)?;
            let mut vals = Vec::with_capacity(goals as usize);
            let mut missing = 0u64;
            for o in outs.iter().filter(|o| o.level == k as i32 - 1) {
                let p = o.level_pos as usize;
                if col.is_null(p) {
                    missing += 1;
                    continue;
                }
                let v = match &col.values {
                    Values::Int(v) => v[p] as f64,
                    Values::Float(v) => v[p],
                    _ => {
                        return Err(Error::Internal(format!(
                            "the order value column \"{name}\" is not numeric"
                        )))
                    }
                };
                if v.is_finite() {
                    vals.push(v);
                } else {
                    missing += 1;
                }
            }
            let aov = math::mean_se(&vals).ok_or_else(|| {
                Error::Invalid(format!(
                    "none of the {goals} goal events has a value in column \"{name}\""
                ))
            })?;
            if aov.mean <= 0.0 {
                return Err(Error::Invalid(format!(
                    "the average order value in column \"{name}\" is {}, not positive: a value per step needs a positive one",
                    aov.mean
                )));
            }
            (
                aov,
                OrderValueUsed {
                    column: Some(name.clone()),
                    average: aov.mean,
                    standard_error: aov.se,
                    values: vals.len() as u64,
                    missing,
                },
            )
        }
        (None, Some(v)) => (
            Aov { mean: v, se: 0.0 },
            OrderValueUsed {
                column: None,
                average: v,
                standard_error: 0.0,
                values: goals,
                missing: 0,
            },
        ),
        (None, None) => unreachable!("checked above"),
    };

    let (t0, t1) = span.unwrap_or((0, 0));
    let (d0, d1) = (t0.div_euclid(86_400_000_000), t1.div_euclid(86_400_000_000));
    let period = Period {
        from: crate::calendar::format_date(d0),
        to: crate::calendar::format_date(d1),
        days: (d1 - d0 + 1) as u64,
    };
    let inp = Inputs {
        labels: (0..k).map(|q| f.step_label(q)).collect(),
        counts,
        aov,
        days: period.days,
        confidence,
    };
    let steps = table(&inp);
    let what_if = match (&spec.what_if, lift) {
        (Some(w), Some(l)) => Some(what_if(&inp, w.step, l)?),
        (Some(w), None) => {
            let like = w.like.as_ref().expect("checked by lift_of");
            let counts = like_counts(ws, spec, like, w.step, &ix, &outs, groups.as_deref())?;
            Some(what_if_like(&inp, w.step, &counts)?)
        }
        _ => None,
    };
    let opportunities = opportunities(&inp, opportunity);
    let priorities = priorities(&opportunities, &effort);
    let top = spec.wasted_top.unwrap_or(DEFAULT_WASTED_TOP);
    let pages = ix.page_column.as_ref().map(|_| &ix.page);
    let wasted = wasted::wasted(f, &outs, &ix.event, pages, top);
    let non_converters = wasted.iter().map(|w| w.count).sum();
    Ok(ValueResult {
        unit: ix.unit.as_str().to_string(),
        goal,
        goals,
        confidence,
        order_value: used,
        period,
        total_value: math::times_aov(Estimate::exact(goals as f64), aov, confidence),
        steps,
        what_if,
        opportunity,
        opportunities,
        priorities,
        non_converters,
        wasted,
        warnings,
    })
}

/// The funnel `f` broken down by `column` as a "like" what-if reads it:
/// first touch, or the funnel's own attribution when it breaks down by the
/// same column; every value its own row (no limit); no trend or time to
/// convert.
fn like_breakdown(f: &FunnelSpec, column: &str) -> FunnelSpec {
    let mut f = f.clone();
    let own = f.breakdown.take().filter(|b| b.column == column);
    f.breakdown = Some(crate::funnel::Breakdown {
        column: column.to_string(),
        attribution: own.as_ref().and_then(|b| b.attribution),
        step: own.as_ref().and_then(|b| b.step),
        limit: Some(usize::MAX),
    });
    f.trend = None;
    f.time_to_convert = None;
    f
}

/// The units of a "like" what-if at step `step` (1-based) and the step
/// before: a persona's from the per-unit outcome (its members among the
/// funnel's units); a column's value from the units' groups in the
/// breakdown by that column (`groups`, the column the outcomes' `group`
/// codes are in): the row of the funnel's breakdown whose value it is,
/// computed in the funnel's own pass instead of a second funnel (tests
/// hold the two equal).
fn like_counts(
    ws: &Workspace,
    spec: &ValueSpec,
    like: &Like,
    step: usize,
    ix: &crate::index::EventIndex,
    outs: &[crate::funnel::engine::UnitOutcome],
    groups: Option<&crate::index::Interned>,
) -> Result<LikeCounts> {
    let k = spec.funnel.steps.len();
    if step < 2 || step > k {
        return Err(Error::Invalid(format!(
            "the what-if's step {step} has no conversion to change: choose a step from 2 to {k} (step 1 is where units enter)"
        )));
    }
    let (q_prev, q_at) = (step as i32 - 2, step as i32 - 1);
    if let Some(seg) = &like.segment {
        // only the units at the step before count: the persona's conditions
        // are evaluated for them alone
        let wanted: Vec<bool> = outs.iter().map(|o| o.level >= q_prev).collect();
        let members = crate::segment::Evaluator::new(ws, ix)
            .among(&wanted)
            .members(seg)?;
        let (mut prev, mut at) = (0u64, 0u64);
        for (o, _) in outs.iter().zip(&members).filter(|(_, &m)| m) {
            // a unit left out by `among` may read as a member: its level
            // is below the step before, so it adds nothing
            prev += (o.level >= q_prev) as u64;
            at += (o.level >= q_at) as u64;
        }
        let name = if seg.name.trim().is_empty() {
            "the persona".to_string()
        } else {
            seg.name.clone()
        };
        return Ok(LikeCounts { name, prev, at });
    }
    let (column, value) = match (&like.column, &like.value) {
        (Some(c), Some(v)) => (c, v),
        _ => unreachable!("checked by check_like"),
    };
    let b = groups.ok_or_else(|| {
        Error::Internal("the like what-if's column was not read in the funnel's pass".into())
    })?;
    use crate::funnel::engine::group_name;
    // the codes whose row is the value (several codes may name one row:
    // "(none)" is every empty value and the missing one), then NULL_CODE's
    let is_value: Vec<bool> = (0..b.dict.len() as u32)
        .chain([crate::index::NULL_CODE])
        .map(|c| group_name(b, c) == value)
        .collect();
    let slot = |code: u32| {
        if code == crate::index::NULL_CODE {
            b.dict.len()
        } else {
            code as usize
        }
    };
    let (mut entered, mut prev, mut at) = (0u64, 0u64, 0u64);
    for o in outs
        .iter()
        .filter(|o| o.level >= 0 && is_value[slot(o.group)])
    {
        entered += 1;
        prev += (o.level >= q_prev) as u64;
        at += (o.level >= q_at) as u64;
    }
    if entered == 0 {
        // the breakdown's rows: by units entered, largest first, then by name
        let mut rows: std::collections::HashMap<&str, u64> = Default::default();
        for o in outs.iter().filter(|o| o.level >= 0) {
            *rows.entry(group_name(b, o.group)).or_insert(0) += 1;
        }
        let mut rows: Vec<(&str, u64)> = rows.into_iter().collect();
        rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        let mut some: Vec<&str> = rows.iter().map(|r| r.0).take(6).collect();
        if rows.len() > 6 {
            some.push("…");
        }
        return Err(Error::Invalid(format!(
            "no unit in the funnel has \u{201c}{value}\u{201d} in column \"{column}\" (its values: {})",
            some.join(", ")
        )));
    }
    Ok(LikeCounts {
        name: format!("{column} = {value}"),
        prev,
        at,
    })
}

/// One bucket of the wasted traffic, for its audience: the non-converters
/// whose furthest step was `step` (numbered from 1 as printed, before the
/// goal), optionally only those whose last event (or page) was `event` (or
/// `page`): a value listed in the wasted traffic, "(none)" for a missing
/// one, or "Other" for every value beyond the top `top` (default 5, as the
/// spec's `wasted_top`).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
#[ts(export)]
pub struct WastedAudience {
    pub step: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub event: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[ts(optional)]
    pub page: Option<String>,
}

/// Writes the units of one wasted-traffic bucket as CSV (the id columns of
/// the drop-off list; cells a spreadsheet would run as a formula are
/// neutralised); returns how many, which is the bucket's count in
/// [`run_value`]'s `wasted`.
pub fn write_wasted_csv<W: std::io::Write>(
    ws: &Workspace,
    spec: &ValueSpec,
    which: &WastedAudience,
    cache: &mut IndexCache,
    out: W,
) -> Result<u64> {
    let f = &spec.funnel;
    let k = f.steps.len();
    if k < 2 || which.step < 1 || which.step >= k {
        return Err(Error::Invalid(format!(
            "step {} has no non-converters to list: choose a step from 1 to {} (the goal, step {k}, is where the converters are)",
            which.step,
            k.saturating_sub(1).max(1)
        )));
    }
    if which.event.is_some() && which.page.is_some() {
        return Err(Error::Invalid(
            "a wasted-traffic audience is by last event or by last page, not both".into(),
        ));
    }
    let rec = ws.dataset(&f.dataset)?;
    if rec.info.kind == DatasetKind::Metrics {
        return Err(Error::Invalid(format!(
            "dataset \"{}\" is a metric table: it has totals, not the users or sessions an audience lists",
            rec.info.name
        )));
    }
    let ix = cache.get(ws, &rec, f.unit())?;
    let mask = crate::funnel::funnel_mask(ws, &ix, f)?;
    let (outs, _, _, _) = unit_outcomes(ws, &ix, f, mask.as_deref(), None, false)?;
    let q = which.step as i32 - 1;
    let in_step = |o: &crate::funnel::engine::UnitOutcome| {
        o.level == q && o.last_seen != crate::funnel::engine::NO_EVENT
    };
    // the value chosen, as the codes of the dictionary it is read from
    let (dict, name) = match (&which.event, &which.page) {
        (Some(e), None) => (Some(&ix.event), Some(e.as_str())),
        (None, Some(p)) => {
            if ix.page_column.is_none() {
                return Err(Error::Invalid(format!(
                    "dataset \"{}\" has no page column: its wasted traffic lists no pages",
                    rec.info.name
                )));
            }
            (Some(&ix.page), Some(p.as_str()))
        }
        _ => (None, None),
    };
    let keep: Option<Box<dyn Fn(u32) -> bool>> = match (dict, name) {
        (Some(d), Some(name)) => {
            // the step's values by count, as the wasted traffic ranks them
            let mut counts: std::collections::HashMap<u32, u64> = Default::default();
            for o in outs.iter().filter(|o| in_step(o)) {
                *counts.entry(d.codes[o.last_seen as usize]).or_insert(0) += 1;
            }
            let label = |c: u32| -> String {
                if c == crate::index::NULL_CODE {
                    wasted::NO_VALUE.to_string()
                } else {
                    d.dict
                        .get(c as usize)
                        .map_or(wasted::NO_VALUE, |s| s.as_str())
                        .to_string()
                }
            };
            let mut ranked: Vec<(String, u32, u64)> =
                counts.iter().map(|(&c, &n)| (label(c), c, n)).collect();
            ranked.sort_by(|a, b| b.2.cmp(&a.2).then_with(|| a.0.cmp(&b.0)));
            let top = spec.wasted_top.unwrap_or(DEFAULT_WASTED_TOP);
            let named: std::collections::HashSet<u32> =
                ranked.iter().take(top).map(|x| x.1).collect();
            if name == crate::funnel::engine::OTHER {
                Some(Box::new(move |c| !named.contains(&c)))
            } else {
                let Some(&(_, code, _)) = ranked.iter().take(top).find(|x| x.0 == name) else {
                    return Err(Error::Invalid(format!(
                        "\u{201c}{name}\u{201d} is not among the values listed for step {} \u{201c}{}\u{201d}",
                        which.step,
                        f.step_label(which.step - 1)
                    )));
                };
                Some(Box::new(move |c| c == code))
            }
        }
        _ => None,
    };
    let codes = dict.map(|d| &d.codes);
    let ids = crate::segment::UnitIds::new(ws, &ix)?;
    let mut w = crate::csv_out::CsvWriter::new(out, "the audience");
    w.text_row(ids.header())?;
    let mut n = 0u64;
    for (u, o) in outs.iter().enumerate() {
        if !in_step(o) {
            continue;
        }
        if let (Some(keep), Some(codes)) = (&keep, codes) {
            if !keep(codes[o.last_seen as usize]) {
                continue;
            }
        }
        w.text_row(ids.cells(&ix, u))?;
        n += 1;
    }
    w.finish()?;
    Ok(n)
}
