//! The fast funnel: every event gets a bit mask of the steps and exclusions
//! it matches (computed per dictionary entry where it can be), then one pass
//! over the units of the index decides each unit's counted attempt.
//!
//! Per unit:
//! - ordered and strict funnels without exclusion events in the unit run a
//!   state machine that keeps, for every step, the partial attempt with the
//!   latest start (it dominates every other: its window ends last);
//! - unordered funnels, units that contain an excluded event, funnels with
//!   a step `within`, and ordered units where events at one instant must be
//!   matched to steps (one of them matches several) run the per-start
//!   evaluation (one attempt per possible start, exactly as the definition
//!   reads), which costs more but is rare or bounded by the window.
//!
//! A held column (`hold`), optional steps and open funnels run the
//! per-start evaluation over variants of the unit's events (one per held
//! value, per subset of skipped optional steps, from the entry step), the
//! best attempt over all of them counted (`Pass::per_start_sets`).
//!
//! With a trend, each period in which a unit starts an attempt gets the
//! counted attempt among the starts in that period (`Outcome::periods`).
//!
//! Both must agree with `reference.rs`; property tests check it.

use super::spec::*;
use crate::column::Column;
use crate::error::{Error, Result};
use crate::filter::{range_micros, CompiledFilter, PatternMatcher};
use crate::index::{EventIndex, Interned, SessionSource, NULL_CODE};
use crate::store::Workspace;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

pub const MAX_STEPS: usize = 32;
pub const MAX_EXCLUSIONS: usize = 31;
pub(crate) const PRESENT: u64 = 1 << 63;
pub(crate) const STEP_BITS: u64 = 0xFFFF_FFFF;
pub(crate) const EXCL_BITS: u64 = !STEP_BITS & !PRESENT;
pub(super) const NONE: i64 = i64::MIN;

mod agg;
mod buyer;
mod masks;
mod pass;
mod plan;

use agg::*;
use masks::*;
use pass::*;

pub(crate) use agg::{avg_median, breakdown_rows, histogram, period, ratio, step_results, Agg};
pub(crate) use buyer::{Buyer, STATUS_NAMES};
pub(crate) use plan::{plan, Plan};

pub const NONE_VALUE: &str = "(none)";

/// The interned column a funnel holds constant (`hold`), if any.
fn held(ws: &Workspace, ix: &EventIndex, spec: &FunnelSpec) -> Result<Option<Arc<Interned>>> {
    spec.hold
        .as_deref()
        .map(|c| {
            ix.interned(ws, c)
                .map_err(|e| Error::Invalid(format!("\"hold\": {e}")))
        })
        .transpose()
}
pub const OTHER: &str = "Other";

/// Per breakdown code (then one for `NULL_CODE`): does the value hold
/// text? Empty for no breakdown.
fn filled(breakdown: Option<&Interned>) -> Vec<bool> {
    match breakdown {
        Some(b) => b
            .dict
            .iter()
            .map(|v| !v.is_empty())
            .chain([false])
            .collect(),
        None => Vec::new(),
    }
}

/// The name of a unit's breakdown group as the funnel's breakdown rows give
/// it: the value, or [`NONE_VALUE`] for none or empty text.
pub(crate) fn group_name(b: &Interned, code: u32) -> &str {
    match b.dict.get(code as usize) {
        Some(v) if code != NULL_CODE && !v.is_empty() => v,
        _ => NONE_VALUE,
    }
}

/// Runs a funnel on a built index.
pub fn run_on_index(ws: &Workspace, ix: &EventIndex, spec: &FunnelSpec) -> Result<FunnelResult> {
    run_on_index_masked(ws, ix, spec, None)
}

/// Runs a funnel on a built index over only the units whose `mask` entry
/// is true (a segment); `None` means every unit.
pub fn run_on_index_masked(
    ws: &Workspace,
    ix: &EventIndex,
    spec: &FunnelSpec,
    mask: Option<&[bool]>,
) -> Result<FunnelResult> {
    run_on_index_threads(ws, ix, spec, mask, None)
}

/// [`run_on_index_masked`] on a given number of threads (`None`: one per
/// core, for indexes of at least 20,000 units). The result does not depend
/// on it; tests check that.
#[doc(hidden)]
pub fn run_on_index_threads(
    ws: &Workspace,
    ix: &EventIndex,
    spec: &FunnelSpec,
    mask: Option<&[bool]>,
    threads: Option<usize>,
) -> Result<FunnelResult> {
    if mask.is_some_and(|m| m.len() != ix.units()) {
        return Err(Error::Internal(
            "a unit mask does not match the index".into(),
        ));
    }
    let plan = plan(spec)?;
    let k = plan.k;
    let mut warnings = Vec::new();
    if ix.sessions == SessionSource::Derived {
        warnings.push(format!(
            "dataset \"{}\" has no session column: sessions end after 30 minutes without an event",
            ix.dataset_name
        ));
    }
    let masks = masks(ws, ix, spec, &mut warnings)?;
    let buyer = if spec.by_buyer_status() {
        Some(Buyer::new(ws, ix, spec)?)
    } else {
        None
    };
    let breakdown: Option<Arc<Interned>> = match &spec.breakdown {
        Some(b) if !b.is_buyer_status() => Some(ix.interned(ws, &b.column)?),
        _ => None,
    };
    let labels: Vec<String> = (0..k).map(|q| spec.step_label(q)).collect();

    let held = held(ws, ix, spec)?;
    let pass = Pass::new(&plan, Cols::of(ix), &masks, held.as_deref().map(Hold::of));
    // units are split into contiguous ranges, one per thread; the partial
    // results merge without depending on the split
    let units = ix.units();
    crate::job::step("Counting the funnel", 0, units as u64)?;
    let threads = if let Some(t) = threads {
        t.max(1)
    } else if units >= 20_000 {
        std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
            .min(8)
    } else {
        1
    };
    let filled = filled(breakdown.as_deref());
    let ctx = UnitsCtx {
        pass: &pass,
        breakdown: breakdown.as_deref(),
        buyer: buyer.as_ref(),
        filled,
        plan: &plan,
        mask,
    };
    let mut parts: Vec<Partial> = if threads <= 1 {
        vec![ctx.run(0..units)]
    } else {
        let per = units.div_ceil(threads);
        std::thread::scope(|sc| {
            let handles: Vec<_> = (0..threads)
                .map(|i| {
                    let ctx = &ctx;
                    let r = (i * per).min(units)..((i + 1) * per).min(units);
                    sc.spawn(move || ctx.run(r))
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("a funnel thread panicked"))
                .collect()
        })
    };
    crate::job::checkpoint()?;
    let mut all = parts.remove(0);
    for p in parts {
        all.merge(p);
    }
    let Partial {
        total,
        groups,
        trend,
        mut ttc,
        excluded,
    } = all;

    let breakdown_out = match &breakdown {
        None if buyer.is_some() => {
            let named: Vec<(String, Agg)> = groups
                .into_iter()
                .zip(STATUS_NAMES)
                .filter_map(|(g, name)| g.map(|agg| (name.to_string(), agg)))
                .collect();
            breakdown_rows(named, plan.limit, k, &labels)
        }
        None => Vec::new(),
        Some(b) => {
            let named: Vec<(String, Agg)> = groups
                .into_iter()
                .enumerate()
                .filter_map(|(i, g)| {
                    g.map(|agg| {
                        let v = b.dict.get(i).cloned().unwrap_or_else(|| NONE_VALUE.into());
                        (v, agg)
                    })
                })
                .collect();
            breakdown_rows(merge_same(named, k), plan.limit, k, &labels)
        }
    };
    let time_to_convert = plan.ttc.map(|(a, b, bins)| {
        let hist = histogram(&ttc, bins);
        let (avg, med) = avg_median(&mut ttc);
        TimeToConvert {
            from_step: a,
            to_step: b,
            bins: hist,
            average_seconds: avg,
            median_seconds: med,
        }
    });
    Ok(FunnelResult {
        steps: total.results(&labels),
        breakdown: breakdown_out,
        trend: plan.trend.map(|_| {
            trend
                .into_values()
                .map(|(period, entered, converted)| TrendPoint {
                    period,
                    entered,
                    converted,
                    rate: ratio(converted, entered),
                })
                .collect()
        }),
        time_to_convert,
        unit: ix.unit.as_str().to_string(),
        excluded,
        warnings,
    })
}

/// The furthest step (0-based) each unit reached, `-1` for a unit that did
/// not enter (or that `mask` leaves out): the same outcome the counts of
/// [`run_on_index_masked`] add up, so `count[q]` is the number of units whose
/// level is at least `q`. Used to list who dropped where ([`crate::dropoff`]).
pub(crate) fn unit_levels(
    ws: &Workspace,
    ix: &EventIndex,
    spec: &FunnelSpec,
    mask: Option<&[bool]>,
) -> Result<Vec<i32>> {
    let levels = unit_step_events(ws, ix, spec, mask, 0)?;
    Ok(levels.into_iter().map(|(level, _)| level).collect())
}

/// The per-unit views that list who reached or left each step (who
/// dropped, paths from a step) read a unit's furthest step as "did every
/// step up to it": not so with optional steps or an open funnel, which
/// they refuse for now, as does the value view (its per-step counts are the
/// units whose furthest step is at least the step).
pub(crate) fn furthest_step_says_all(spec: &FunnelSpec) -> Result<()> {
    let why = if spec.open == Some(true) {
        "an open funnel (\"open\")"
    } else if spec.steps.iter().any(|s| s.optional == Some(true)) {
        "optional steps"
    } else {
        return Ok(());
    };
    Err(Error::Invalid(format!(
        "this view takes a unit's furthest step to mean it did every step before it, which is not so with {why}; remove that option to use it here (the funnel's own counts support it)"
    )))
}

/// No event: a [`UnitOutcome::last_seen`] of a unit whose events the
/// funnel's filters and date range all leave out.
pub(crate) const NO_EVENT: u32 = u32::MAX;

/// One unit's counted attempt, as the funnel's counts add it up, and the
/// unit's last event the funnel sees.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct UnitOutcome {
    /// The furthest step reached (0-based); -1 for a unit that did not
    /// enter, was excluded, or that the mask leaves out.
    pub level: i32,
    /// The index position of the event that filled step `level` (0 when
    /// `level` is -1).
    pub level_pos: u32,
    /// The index position of the unit's last event that passes the
    /// funnel's filters and date range ([`NO_EVENT`]: none).
    pub last_seen: u32,
    /// With groups asked for: the code, in the breakdown column, of the
    /// unit's group as the funnel's breakdown attributes it
    /// ([`agg::attributed`]); `NULL_CODE` for none, or a unit that did not
    /// enter.
    pub group: u32,
}

/// The times (µs) of the first and last event seen.
pub(crate) type Span = (i64, i64);

/// Every unit's [`UnitOutcome`] (in index order, `mask`ed units at level
/// -1), the times of the first and last event the funnel sees in the
/// whole index (mask or not; None when it sees none), and the warnings
/// [`run_on_index_masked`] gives: the per-unit form of its counts, so the
/// number of units with level at least `q` is step `q`'s count (without
/// optional steps or `open`; with them, the last step's count is still the
/// units at the last level). Units are split over `threads` as the funnel
/// splits them (`None`: one per core from 20,000 units). With `groups`
/// and a breakdown in the spec, each outcome's `group` is the unit's
/// breakdown group (the interned column is returned with them): the
/// funnel's breakdown rows, per unit, in the same pass.
#[allow(clippy::type_complexity)]
pub(crate) fn unit_outcomes(
    ws: &Workspace,
    ix: &EventIndex,
    spec: &FunnelSpec,
    mask: Option<&[bool]>,
    threads: Option<usize>,
    groups: bool,
) -> Result<(
    Vec<UnitOutcome>,
    Option<Span>,
    Vec<String>,
    Option<Arc<Interned>>,
)> {
    if mask.is_some_and(|m| m.len() != ix.units()) {
        return Err(Error::Internal(
            "a unit mask does not match the index".into(),
        ));
    }
    let plan = plan(spec)?;
    let mut warnings = Vec::new();
    if ix.sessions == SessionSource::Derived {
        warnings.push(format!(
            "dataset \"{}\" has no session column: sessions end after 30 minutes without an event",
            ix.dataset_name
        ));
    }
    let masks = masks(ws, ix, spec, &mut warnings)?;
    let held = held(ws, ix, spec)?;
    let pass = Pass::new(&plan, Cols::of(ix), &masks, held.as_deref().map(Hold::of));
    let breakdown: Option<Arc<Interned>> = match (&spec.breakdown, groups) {
        (Some(b), true) => Some(ix.interned(ws, &b.column)?),
        _ => None,
    };
    let filled = filled(breakdown.as_deref());
    let grouping = breakdown
        .as_deref()
        .map(|b| &b.codes[..])
        .zip(plan.attribution);
    let units = ix.units();
    let threads = match threads {
        Some(t) => t.max(1),
        None if units >= 20_000 => std::thread::available_parallelism()
            .map(|n| n.get())
            .unwrap_or(1)
            .min(8),
        None => 1,
    };
    let none = UnitOutcome {
        level: -1,
        level_pos: 0,
        last_seen: NO_EVENT,
        group: NULL_CODE,
    };
    crate::job::step("Following each unit's attempt", 0, units as u64)?;
    let mut outs = vec![none; units];
    let per = units.div_ceil(threads).max(1);
    let run = |first: usize, chunk: &mut [UnitOutcome]| -> Option<(i64, i64)> {
        let mut evs = UnitEvents::default();
        let mut out = Outcome::new();
        let mut paths: Box<Paths> = Box::new([[0; MAX_STEPS]; MAX_STEPS]);
        let mut scratch = Scratch::default();
        let mut span: Option<(i64, i64)> = None;
        let seen = |p: usize| masks.get(&pass.ix, p) & PRESENT != 0;
        for (i, o) in chunk.iter_mut().enumerate() {
            let u = first + i;
            let range = ix.unit_starts[u] as usize..ix.unit_starts[u + 1] as usize;
            let Some(last) = range.clone().rev().find(|&p| seen(p)) else {
                continue;
            };
            let first_p = range.clone().find(|&p| seen(p)).unwrap_or(last);
            let (t0, t1) = (ix.time[first_p], ix.time[last]);
            span = Some(match span {
                None => (t0, t1),
                Some((a, b)) => (a.min(t0), b.max(t1)),
            });
            if mask.is_some_and(|m| !m[u]) {
                continue;
            }
            o.last_seen = last as u32;
            pass.decide(range, &mut evs, &mut out, &mut paths, &mut scratch);
            o.level = out.level;
            if out.level >= 0 {
                let level = out.level as usize;
                o.level_pos = out.path[level];
                if let Some((b, attr)) = grouping {
                    o.group = agg::attributed(b, &filled, attr, &out.path[..=level], out.skipped);
                }
            }
        }
        span
    };
    let spans: Vec<Option<(i64, i64)>> = if threads <= 1 {
        vec![run(0, &mut outs)]
    } else {
        std::thread::scope(|sc| {
            let handles: Vec<_> = outs
                .chunks_mut(per)
                .enumerate()
                .map(|(i, chunk)| {
                    let run = &run;
                    sc.spawn(move || run(i * per, chunk))
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().expect("a funnel thread panicked"))
                .collect()
        })
    };
    crate::job::checkpoint()?;
    let span = spans
        .into_iter()
        .flatten()
        .reduce(|(a, b), (c, d)| (a.min(c), b.max(d)));
    Ok((outs, span, warnings, breakdown))
}

/// Per unit, its furthest step (as [`unit_levels`]) and the index position
/// of the event its counted attempt used for `step` (0-based; meaningful
/// only when the level is at least `step`). Used by paths from a step.
pub(crate) fn unit_step_events(
    ws: &Workspace,
    ix: &EventIndex,
    spec: &FunnelSpec,
    mask: Option<&[bool]>,
    step: usize,
) -> Result<Vec<(i32, u32)>> {
    Ok(unit_step_pair_events(ws, ix, spec, mask, step, step)?
        .into_iter()
        .map(|(level, a, _)| (level, a))
        .collect())
}

/// Per unit, its furthest step and the index positions of the events its
/// counted attempt used for steps `a` and `b` (0-based; each meaningful
/// only when the level reaches that step). Used by paths between two steps.
pub(crate) fn unit_step_pair_events(
    ws: &Workspace,
    ix: &EventIndex,
    spec: &FunnelSpec,
    mask: Option<&[bool]>,
    a: usize,
    b: usize,
) -> Result<Vec<(i32, u32, u32)>> {
    if mask.is_some_and(|m| m.len() != ix.units()) {
        return Err(Error::Internal(
            "a unit mask does not match the index".into(),
        ));
    }
    furthest_step_says_all(spec)?;
    let plan = plan(spec)?;
    let mut warnings = Vec::new();
    let masks = masks(ws, ix, spec, &mut warnings)?;
    let held = held(ws, ix, spec)?;
    let pass = Pass::new(&plan, Cols::of(ix), &masks, held.as_deref().map(Hold::of));
    let mut evs = UnitEvents::default();
    let mut out = Outcome::new();
    let mut paths: Box<Paths> = Box::new([[0; MAX_STEPS]; MAX_STEPS]);
    let mut scratch = Scratch::default();
    let mut res = vec![(-1i32, 0u32, 0u32); ix.units()];
    for (u, slot) in res.iter_mut().enumerate() {
        if mask.is_some_and(|m| !m[u]) {
            continue;
        }
        let range = ix.unit_starts[u] as usize..ix.unit_starts[u + 1] as usize;
        pass.decide(range, &mut evs, &mut out, &mut paths, &mut scratch);
        let pos = |step: usize| {
            if out.level >= step as i32 {
                out.path[step]
            } else {
                0
            }
        };
        *slot = (out.level, pos(a), pos(b));
    }
    Ok(res)
}
