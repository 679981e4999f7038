//! Wasted traffic: where the units that did not reach the goal stopped —
//! the last step each reached, and the last event (and page) each saw —
//! read off the per-unit outcome the funnel's counts add up, in one pass
//! over the units.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::funnel::engine::{UnitOutcome, NO_EVENT, OTHER};
use crate::funnel::FunnelSpec;
use crate::index::{Interned, NULL_CODE};

/// The name a missing event name or page is shown as.
pub const NO_VALUE: &str = "(none)";

/// One value (an event name or a page) and how many stopped with it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export, rename = "WastedBucket")]
pub struct Bucket {
    /// The event name or page; "Other" pools the values beyond the top N,
    /// "(none)" is a missing one.
    pub value: String,
    #[ts(type = "number")]
    pub count: u64,
    /// Fraction 0..1 of the step's non-converters.
    pub share: f64,
}

/// The non-converters whose furthest step was this one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct WastedStep {
    /// The step reached last, numbered from 1 as printed.
    pub step: usize,
    pub label: String,
    #[ts(type = "number")]
    pub count: u64,
    /// Fraction 0..1 of all non-converters.
    pub share: f64,
    /// The last event each saw: the top N names by count, then "Other".
    pub last_events: Vec<Bucket>,
    /// The last page each saw (empty when the dataset has no page column).
    pub last_pages: Vec<Bucket>,
}

/// Per level, counts by code (`NULL_CODE` for a missing value).
type Tally = Vec<HashMap<u32, u64>>;

/// The top `top` values by count (ties by value), the rest pooled as
/// "Other", with shares of `total`.
fn buckets(counts: &HashMap<u32, u64>, dict: &Interned, top: usize, total: u64) -> Vec<Bucket> {
    let mut named: Vec<(String, u64)> = counts
        .iter()
        .map(|(&c, &n)| {
            let v = if c == NULL_CODE {
                NO_VALUE.to_string()
            } else {
                dict.dict
                    .get(c as usize)
                    .map_or(NO_VALUE, |s| s.as_str())
                    .to_string()
            };
            (v, n)
        })
        .collect();
    named.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let rest: u64 = named.iter().skip(top).map(|x| x.1).sum();
    let share = |n: u64| {
        if total == 0 {
            0.0
        } else {
            n as f64 / total as f64
        }
    };
    let mut out: Vec<Bucket> = named
        .into_iter()
        .take(top)
        .map(|(value, count)| Bucket {
            share: share(count),
            value,
            count,
        })
        .collect();
    if rest > 0 {
        out.push(Bucket {
            value: OTHER.to_string(),
            count: rest,
            share: share(rest),
        });
    }
    out
}

/// The non-converters (units that entered but did not reach the last step)
/// by their furthest step, each step with the last events and pages they
/// saw. `pages` is None when the dataset has no page column.
pub(crate) fn wasted(
    spec: &FunnelSpec,
    outs: &[UnitOutcome],
    events: &Interned,
    pages: Option<&Interned>,
    top: usize,
) -> Vec<WastedStep> {
    let goal = spec.steps.len() as i32 - 1;
    let levels = goal.max(0) as usize;
    let mut counts = vec![0u64; levels];
    let mut ev: Tally = vec![HashMap::new(); levels];
    let mut pg: Tally = vec![HashMap::new(); levels];
    for o in outs {
        if o.level < 0 || o.level >= goal || o.last_seen == NO_EVENT {
            continue;
        }
        let q = o.level as usize;
        let p = o.last_seen as usize;
        counts[q] += 1;
        *ev[q].entry(events.codes[p]).or_insert(0) += 1;
        if let Some(pages) = pages {
            *pg[q].entry(pages.codes[p]).or_insert(0) += 1;
        }
    }
    let all: u64 = counts.iter().sum();
    (0..levels)
        .map(|q| WastedStep {
            step: q + 1,
            label: spec.step_label(q),
            count: counts[q],
            share: if all == 0 {
                0.0
            } else {
                counts[q] as f64 / all as f64
            },
            last_events: buckets(&ev[q], events, top, counts[q]),
            last_pages: match pages {
                Some(p) => buckets(&pg[q], p, top, counts[q]),
                None => Vec::new(),
            },
        })
        .collect()
}
