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

/// Counts by (level, code): a flat table when the dictionary is small
/// enough (one add per unit), a map per level otherwise.
enum Tally {
    Flat { width: usize, n: Vec<u64> },
    Maps(Vec<HashMap<u32, u64>>),
}

/// Flat tables up to this many cells (32 MB).
const FLAT_CELLS: usize = 1 << 22;

impl Tally {
    fn new(levels: usize, dict: usize) -> Tally {
        let width = dict + 1;
        if width.saturating_mul(levels) <= FLAT_CELLS {
            Tally::Flat {
                width,
                n: vec![0; width * levels],
            }
        } else {
            Tally::Maps(vec![HashMap::new(); levels])
        }
    }
    #[inline]
    fn add(&mut self, q: usize, code: u32) {
        match self {
            Tally::Flat { width, n } => {
                // NULL_CODE (a missing value) takes the last slot
                let slot = (code as usize).min(*width - 1);
                n[q * *width + slot] += 1;
            }
            Tally::Maps(m) => *m[q].entry(code).or_insert(0) += 1,
        }
    }
    /// Level `q`'s counts by code (`NULL_CODE` for a missing value).
    fn level(&self, q: usize) -> HashMap<u32, u64> {
        match self {
            Tally::Flat { width, n } => n[q * width..(q + 1) * width]
                .iter()
                .enumerate()
                .filter(|(_, &c)| c > 0)
                .map(|(i, &c)| {
                    let code = if i == width - 1 { NULL_CODE } else { i as u32 };
                    (code, c)
                })
                .collect(),
            Tally::Maps(m) => m[q].clone(),
        }
    }
}

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
    let mut ev = Tally::new(levels, events.dict.len());
    let mut pg = Tally::new(levels, pages.map_or(0, |p| p.dict.len()));
    for o in outs {
        if o.level < 0 || o.level >= goal || o.last_seen == NO_EVENT {
            continue;
        }
        let q = o.level as usize;
        let p = o.last_seen as usize;
        counts[q] += 1;
        ev.add(q, events.codes[p]);
        if let Some(pages) = pages {
            pg.add(q, pages.codes[p]);
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
            last_events: buckets(&ev.level(q), events, top, counts[q]),
            last_pages: match pages {
                Some(p) => buckets(&pg.level(q), p, top, counts[q]),
                None => Vec::new(),
            },
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flat_and_map_tallies_agree() {
        let mut flat = Tally::new(2, 3);
        assert!(matches!(flat, Tally::Flat { .. }));
        let mut maps = Tally::Maps(vec![HashMap::new(); 2]);
        for (q, code) in [
            (0, 0),
            (0, 2),
            (0, 2),
            (1, NULL_CODE),
            (1, 1),
            (0, NULL_CODE),
        ] {
            flat.add(q, code);
            maps.add(q, code);
        }
        for q in 0..2 {
            assert_eq!(flat.level(q), maps.level(q));
        }
        let want: HashMap<u32, u64> = [(0, 1), (2, 2), (NULL_CODE, 1)].into();
        assert_eq!(flat.level(0), want);
        // too large a dictionary for a flat table
        assert!(matches!(Tally::new(32, 1 << 20), Tally::Maps(_)));
    }

    #[test]
    fn the_rest_pools_as_other() {
        let dict = Interned {
            dict: vec!["a".into(), "b".into(), "c".into()],
            ..Default::default()
        };
        let counts: HashMap<u32, u64> = [(0, 5), (1, 3), (2, 3), (NULL_CODE, 1)].into();
        let b = buckets(&counts, &dict, 2, 12);
        let got: Vec<(&str, u64)> = b.iter().map(|x| (x.value.as_str(), x.count)).collect();
        assert_eq!(got, [("a", 5), ("b", 3), ("Other", 4)]);
        assert_eq!(b[0].share, 5.0 / 12.0);
    }
}
