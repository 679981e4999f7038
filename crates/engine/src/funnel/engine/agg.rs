//! Aggregation: per-step counts and durations of groups of units, the
//! per-thread partial results over ranges of units and their merge, trend
//! periods, breakdown rows and histograms.

use super::*;

/// Per-step counts and step-to-step durations (µs) of a group of units.
#[derive(Debug, Clone)]
pub(crate) struct Agg {
    pub counts: Vec<u64>,
    pub diffs: Vec<Vec<i64>>,
}

impl Agg {
    pub fn new(k: usize) -> Agg {
        Agg {
            counts: vec![0; k],
            diffs: vec![Vec::new(); k],
        }
    }
    /// Adds a unit that reached `level` with step times `times`, except
    /// the `skipped` steps (optional steps it skipped, steps before an open
    /// funnel's entry), where `times` holds the time of the last step done
    /// before. A step's duration runs from the previous step done.
    #[inline]
    pub fn add(&mut self, level: usize, times: &[i64], skipped: u64) {
        let first = (!skipped).trailing_zeros() as usize;
        for q in 0..=level {
            if skipped & (1 << q) != 0 {
                continue;
            }
            self.counts[q] += 1;
            if q > first {
                self.diffs[q].push(times[q] - times[q - 1]);
            }
        }
    }
    pub fn merge(&mut self, other: Agg) {
        for (a, b) in self.counts.iter_mut().zip(other.counts) {
            *a += b;
        }
        for (a, b) in self.diffs.iter_mut().zip(other.diffs) {
            a.extend(b);
        }
    }
    pub fn results(mut self, labels: &[String]) -> Vec<StepResult> {
        step_results(&self.counts, labels, |q| avg_median(&mut self.diffs[q]))
    }
}

/// The step results of per-step counts: conversion from the first step and
/// from the previous one, the number dropped, and the average and median
/// durations `times(q)` gives for step `q`. Every funnel (events, metric
/// tables, the reference) builds its steps here.
pub(crate) fn step_results(
    counts: &[u64],
    labels: &[String],
    mut times: impl FnMut(usize) -> (Option<f64>, Option<f64>),
) -> Vec<StepResult> {
    let c0 = counts.first().copied().unwrap_or(0);
    (0..counts.len())
        .map(|q| {
            let c = counts[q];
            let prev = if q == 0 { c } else { counts[q - 1] };
            let (avg, med) = times(q);
            StepResult {
                label: labels[q].clone(),
                count: c,
                conversion_from_start: ratio(c, c0),
                conversion_from_previous: ratio(c, prev),
                dropped: prev.saturating_sub(c),
                average_seconds: avg,
                median_seconds: med,
            }
        })
        .collect()
}

pub(crate) fn ratio(a: u64, b: u64) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

/// Average and median in seconds of durations in µs (None when empty).
/// The sum is exact (integers), so the result does not depend on the order
/// units were visited in; the median is found by selection, not a sort.
pub(crate) fn avg_median(d: &mut [i64]) -> (Option<f64>, Option<f64>) {
    if d.is_empty() {
        return (None, None);
    }
    let n = d.len();
    let sum: i128 = d.iter().map(|&x| x as i128).sum();
    let avg = sum as f64 / n as f64 / 1e6;
    let (left, mid, _) = d.select_nth_unstable(n / 2);
    let mid = *mid as f64;
    let med = if n % 2 == 1 {
        mid
    } else {
        let below = left.iter().copied().max().unwrap_or(0) as f64;
        (below + mid) / 2.0
    };
    (Some(avg), Some(med / 1e6))
}

/// The period a time falls in: its key (for order) and label.
pub(crate) fn period(t: i64, interval: Interval) -> (i64, String) {
    let days = t.div_euclid(86_400_000_000);
    match interval {
        Interval::Hour => {
            let hours = t.div_euclid(3_600_000_000);
            let label = format!(
                "{} {:02}:00",
                crate::calendar::format_date(days),
                hours.rem_euclid(24)
            );
            (hours, label)
        }
        Interval::Day => (days, crate::calendar::format_date(days)),
        Interval::Week => {
            // 1970-01-01 was a Thursday; weeks start on Monday
            let monday = days - (days + 3).rem_euclid(7);
            (monday, crate::calendar::format_date(monday))
        }
        Interval::Month => match crate::calendar::month_of(days) {
            Some((y, m)) => (y * 12 + m, format!("{y:04}-{m:02}")),
            // beyond the calendar's range: one period per day, labelled by it
            None => (i64::MIN / 2 + days, days.to_string()),
        },
    }
}

/// The key of [`period`] without its label.
pub(crate) fn period_key(t: i64, interval: Interval) -> i64 {
    let days = t.div_euclid(86_400_000_000);
    match interval {
        Interval::Hour => t.div_euclid(3_600_000_000),
        Interval::Day => days,
        Interval::Week => days - (days + 3).rem_euclid(7),
        Interval::Month => match crate::calendar::month_of(days) {
            Some((y, m)) => y * 12 + m,
            None => i64::MIN / 2 + days,
        },
    }
}

/// Histogram of durations (µs) in `bins` equal bins from min to max.
pub(crate) fn histogram(d: &[i64], bins: usize) -> Vec<TimeBin> {
    if d.is_empty() {
        return Vec::new();
    }
    let lo = *d.iter().min().unwrap_or(&0) as f64 / 1e6;
    let hi = *d.iter().max().unwrap_or(&0) as f64 / 1e6;
    let bins = if hi > lo { bins } else { 1 };
    let width = (hi - lo) / bins as f64;
    let mut counts = vec![0u64; bins];
    for &x in d {
        let s = x as f64 / 1e6;
        let b = if width > 0.0 {
            (((s - lo) / width) as usize).min(bins - 1)
        } else {
            0
        };
        counts[b] += 1;
    }
    counts
        .into_iter()
        .enumerate()
        .map(|(i, count)| TimeBin {
            from_seconds: lo + width * i as f64,
            to_seconds: if i + 1 == bins {
                hi
            } else {
                lo + width * (i + 1) as f64
            },
            count,
        })
        .collect()
}

/// Ranks breakdown groups by entries (then value), keeps `limit`, pools the
/// rest into "Other".
pub(crate) fn breakdown_rows(
    groups: Vec<(String, Agg)>,
    limit: usize,
    k: usize,
    labels: &[String],
) -> Vec<BreakdownRow> {
    let mut groups = groups;
    groups.sort_by(|a, b| {
        b.1.counts[0]
            .cmp(&a.1.counts[0])
            .then_with(|| a.0.cmp(&b.0))
    });
    let mut rows = Vec::new();
    let mut other: Option<Agg> = None;
    for (i, (v, agg)) in groups.into_iter().enumerate() {
        if i < limit {
            rows.push((v, agg));
        } else {
            other.get_or_insert_with(|| Agg::new(k)).merge(agg);
        }
    }
    let mut out: Vec<BreakdownRow> = rows
        .into_iter()
        .map(|(value, agg)| BreakdownRow {
            value,
            steps: agg.results(labels),
        })
        .collect();
    if let Some(o) = other {
        out.push(BreakdownRow {
            value: OTHER.into(),
            steps: o.results(labels),
        });
    }
    out
}

/// What one thread found over its units.
pub(super) struct Partial {
    pub(super) total: Agg,
    pub(super) groups: Vec<Option<Agg>>,
    pub(super) trend: BTreeMap<i64, (String, u64, u64)>,
    pub(super) ttc: Vec<i64>,
    pub(super) excluded: u64,
}

impl Partial {
    pub(super) fn merge(&mut self, o: Partial) {
        self.total.merge(o.total);
        for (a, b) in self.groups.iter_mut().zip(o.groups) {
            match (a.as_mut(), b) {
                (Some(a), Some(b)) => a.merge(b),
                (None, Some(b)) => *a = Some(b),
                _ => {}
            }
        }
        for (key, (label, e, c)) in o.trend {
            let x = self.trend.entry(key).or_insert((label, 0, 0));
            x.1 += e;
            x.2 += c;
        }
        self.ttc.extend(o.ttc);
        self.excluded += o.excluded;
    }
}

pub(super) struct UnitsCtx<'a> {
    pub(super) pass: &'a Pass<'a>,
    pub(super) breakdown: Option<&'a Interned>,
    /// With a buyer-status breakdown: two groups, first-time and returning.
    pub(super) buyer: Option<&'a Buyer>,
    /// Per breakdown dictionary entry (and a last slot for missing): does
    /// it hold a value (not empty text)?
    pub(super) filled: Vec<bool>,
    pub(super) plan: &'a Plan,
    pub(super) mask: Option<&'a [bool]>,
}

impl UnitsCtx<'_> {
    pub(super) fn run(&self, units: std::ops::Range<usize>) -> Partial {
        let (plan, pass) = (self.plan, self.pass);
        let ix = &pass.ix;
        let bcodes: Option<&[u32]> = self.breakdown.map(|b| &b.codes[..]);
        let k = plan.k;
        let mut p = Partial {
            total: Agg::new(k),
            groups: match (self.breakdown, self.buyer) {
                (Some(b), _) => vec![None; b.dict.len() + 1],
                (None, Some(_)) => vec![None; STATUS_NAMES.len()],
                (None, None) => Vec::new(),
            },
            trend: BTreeMap::new(),
            ttc: Vec::new(),
            excluded: 0,
        };
        let mut evs = UnitEvents::default();
        let mut out = Outcome::new();
        let mut times = [0i64; MAX_STEPS];
        let mut paths: Box<Paths> = Box::new([[0; MAX_STEPS]; MAX_STEPS]);
        let mut scratch = Scratch::default();
        let mut trend = Periods::default();
        // one unit the long way: its events collected, its attempt decided
        let mut follow = |u: usize, p: &mut Partial| {
            let range = ix.unit_starts[u] as usize..ix.unit_starts[u + 1] as usize;
            pass.collect(range, &mut evs);
            pass.outcome(&evs, &mut out, &mut paths, &mut scratch);
            if out.excluded {
                p.excluded += 1;
            }
            if let Some(interval) = plan.trend {
                // each period in which the unit starts an attempt
                for &(key, t, converted) in &out.periods {
                    trend.add(key, t, converted, interval, &mut p.trend);
                }
            }
            if out.level < 0 {
                return;
            }
            let level = out.level as usize;
            for (t, &pos) in times.iter_mut().zip(&out.path).take(level + 1) {
                *t = ix.time[pos as usize];
            }
            p.total.add(level, &times, out.skipped);
            if let (Some(b), Some(attr)) = (bcodes, plan.attribution) {
                let code = attributed(b, &self.filled, attr, &out.path[..=level], out.skipped);
                let g = slot(code, p.groups.len());
                p.groups[g]
                    .get_or_insert_with(|| Agg::new(k))
                    .add(level, &times, out.skipped);
            }
            if let Some(buyer) = self.buyer {
                // the attempt starts at its first step event done
                let q = (0..=level)
                    .find(|q| out.skipped & (1 << q) == 0)
                    .unwrap_or(0);
                let g = buyer.status(out.path[q] as usize, times[q]);
                p.groups[g]
                    .get_or_insert_with(|| Agg::new(k))
                    .add(level, &times, out.skipped);
            }
            if let Some((a, b, _)) = plan.ttc {
                if level >= b && out.skipped & (1 << a | 1 << b) == 0 {
                    p.ttc.push(times[b] - times[a]);
                }
            }
        };
        let wanted = |u: usize| self.mask.is_none_or(|m| m[u]);
        if pass.lean() && self.buyer.is_none() {
            // `Pass::scan` decides most units from their event names; the
            // rest of a block of units is followed after it, their times
            // fetched ahead (they are the only times the pass reads).
            // Level-0 units are added up, then to the totals (a level-0
            // unit only counts at step 0), per group slot.
            const BLOCK: usize = 1024;
            let mut zero = 0u64;
            let mut zero_groups = vec![0u64; p.groups.len()];
            let mut later: Vec<u32> = Vec::with_capacity(BLOCK);
            let mut a = units.start;
            while a < units.end {
                let b = (a + BLOCK).min(units.end);
                later.clear();
                for u in (a..b).filter(|&u| wanted(u)) {
                    let range = ix.unit_starts[u] as usize..ix.unit_starts[u + 1] as usize;
                    match pass.scan(range.clone()) {
                        Scan::Out => {}
                        Scan::First(pos) => {
                            zero += 1;
                            if let (Some(b), Some(attr)) = (bcodes, plan.attribution) {
                                let code = attributed(b, &self.filled, attr, &[pos], 0);
                                let g = slot(code, zero_groups.len());
                                zero_groups[g] += 1;
                            }
                        }
                        Scan::More => {
                            prefetch(&ix.time[range]);
                            later.push(u as u32);
                        }
                    }
                }
                for &u in &later {
                    follow(u as usize, &mut p);
                }
                a = b;
            }
            if k > 0 {
                p.total.counts[0] += zero;
                for (g, n) in zero_groups.into_iter().enumerate() {
                    if n > 0 {
                        p.groups[g].get_or_insert_with(|| Agg::new(k)).counts[0] += n;
                    }
                }
            }
        } else {
            for u in units.filter(|&u| wanted(u)) {
                follow(u, &mut p);
            }
        }
        if let Some(interval) = plan.trend {
            trend.drain_into(interval, &mut p.trend);
        }
        p
    }
}

/// Asks the processor to bring the cache lines of `xs` in (at most the
/// first four), without waiting for them.
#[inline]
fn prefetch<T>(xs: &[T]) {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        let bytes = std::mem::size_of_val(xs);
        let p = xs.as_ptr() as *const i8;
        for off in (0..bytes.min(256)).step_by(64) {
            // a prefetch never faults; the addresses are inside `xs`
            #[allow(unused_unsafe)]
            unsafe {
                _mm_prefetch(p.add(off), _MM_HINT_T0)
            };
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = xs;
}

/// The breakdown code (`NULL_CODE`: none) of a unit's counted attempt,
/// `path` its step events up to its furthest step, `skipped` the steps it
/// skipped: first touch, the first non-empty value among the attempt's step
/// events (else the first event's); last touch, the last one; a step's, the
/// value at that step's event. `filled` tells, per code (then one for
/// `NULL_CODE`), whether the value is non-empty. The funnel's breakdown and
/// [`super::unit_outcomes`]'s groups both take it from here.
#[inline]
pub(crate) fn attributed(
    b: &[u32],
    filled: &[bool],
    (attr, step): (Attribution, usize),
    path: &[u32],
    skipped: u64,
) -> u32 {
    let set = |x: &&u32| filled[slot(b[**x as usize], filled.len())];
    let level = path.len() - 1;
    let pos = match attr {
        Attribution::FirstTouch => path.iter().find(set).or(path.first()).copied(),
        Attribution::LastTouch => path.iter().rev().find(set).or(path.last()).copied(),
        Attribution::Step => (level >= step && skipped & (1 << step) == 0).then(|| path[step]),
    };
    pos.map_or(NULL_CODE, |x| b[x as usize])
}

/// Trend counts by period key, in a dense run of cells (keys are a few
/// consecutive days, weeks or months), so that a unit costs an index and
/// not a map search; keys far from the others go to the map.
#[derive(Default)]
pub(super) struct Periods {
    pub(super) base: i64,
    /// (entered, converted, a time in the period) per key from `base`.
    pub(super) cells: Vec<(u64, u64, i64)>,
}

impl Periods {
    const MAX_CELLS: i64 = 4096;

    #[inline]
    pub(super) fn add(
        &mut self,
        key: i64,
        t: i64,
        converted: bool,
        interval: Interval,
        map: &mut BTreeMap<i64, (String, u64, u64)>,
    ) {
        if self.cells.is_empty() {
            self.base = key;
        }
        let len = self.cells.len() as i64;
        let i = key.wrapping_sub(self.base);
        let cell = if (0..len).contains(&i) {
            Some(i as usize)
        } else if i >= len && i < Self::MAX_CELLS {
            self.cells.resize(i as usize + 1, (0, 0, 0));
            Some(i as usize)
        } else if i < 0 && i > len - Self::MAX_CELLS {
            let more = (-i) as usize;
            self.cells
                .splice(0..0, std::iter::repeat_n((0, 0, 0), more));
            self.base = key;
            Some(0)
        } else {
            None
        };
        match cell {
            Some(c) => {
                let x = &mut self.cells[c];
                if x.0 == 0 {
                    x.2 = t;
                }
                x.0 += 1;
                x.1 += converted as u64;
            }
            None => {
                let e = map
                    .entry(key)
                    .or_insert_with(|| (period(t, interval).1, 0, 0));
                e.1 += 1;
                e.2 += converted as u64;
            }
        }
    }

    pub(super) fn drain_into(
        self,
        interval: Interval,
        map: &mut BTreeMap<i64, (String, u64, u64)>,
    ) {
        for (i, (e, c, t)) in self.cells.into_iter().enumerate() {
            if e == 0 {
                continue;
            }
            let x = map
                .entry(self.base + i as i64)
                .or_insert_with(|| (period(t, interval).1, 0, 0));
            x.1 += e;
            x.2 += c;
        }
    }
}

/// Groups with the same text (e.g. a dictionary holding "" and a missing
/// value both shown as "(none)") become one.
pub(super) fn merge_same(groups: Vec<(String, Agg)>, k: usize) -> Vec<(String, Agg)> {
    let mut map: HashMap<String, Agg> = HashMap::new();
    let mut order = Vec::new();
    for (v, agg) in groups {
        let v = if v.is_empty() {
            NONE_VALUE.to_string()
        } else {
            v
        };
        match map.get_mut(&v) {
            Some(a) => a.merge(agg),
            None => {
                order.push(v.clone());
                map.insert(v, agg);
            }
        }
    }
    order
        .into_iter()
        .map(|v| {
            let a = map.remove(&v).unwrap_or_else(|| Agg::new(k));
            (v, a)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The dense cells give the same periods, labels and counts as a map
    /// searched per unit, for keys after and before the first one, and
    /// far from it (those go to the map).
    #[test]
    pub(super) fn trend_cells_equal_a_map() {
        const DAY: i64 = 86_400_000_000;
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        for interval in [
            Interval::Hour,
            Interval::Day,
            Interval::Week,
            Interval::Month,
        ] {
            let mut cells = Periods::default();
            let mut map = BTreeMap::new();
            let mut want: BTreeMap<i64, (String, u64, u64)> = BTreeMap::new();
            for i in 0..5_000u64 {
                // mostly within 60 days of 2024-09-01, some decades away
                let day = match i % 50 {
                    7 => 19_967 + next(40_000) as i64 - 20_000,
                    _ => 19_967 + next(60) as i64 - 30,
                };
                let t = day * DAY + next(DAY as u64) as i64;
                let conv = next(3) == 0;
                let key = period_key(t, interval);
                cells.add(key, t, conv, interval, &mut map);
                let e = want
                    .entry(key)
                    .or_insert_with(|| (period(t, interval).1, 0, 0));
                e.1 += 1;
                e.2 += conv as u64;
            }
            cells.drain_into(interval, &mut map);
            assert_eq!(map, want, "{interval:?}");
        }
    }
}
