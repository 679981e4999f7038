//! The plain reference implementation: the definitions of docs/funnel.md
//! written out literally, row by row, with no index, no bit masks and no
//! state machine. It is slow (quadratic per unit, exponential for
//! unordered step matching) and only meant for tests on small data.

use super::engine::{
    avg_median, breakdown_rows, histogram, period, plan, ratio, Agg, Plan, NONE_VALUE,
};
use super::spec::*;
use crate::column::Column;
use crate::error::{Error, Result};
use crate::filter::{parse_bound, CompiledFilter, PatternMatcher};
use crate::index::{cell_text, time_micros, Unit, SESSION_GAP_MICROS};
use crate::model::Role;
use crate::store::{DatasetRecord, Workspace};
use std::collections::BTreeMap;

struct Cond {
    event: Option<String>,
    page: Option<PatternMatcher>,
    filters: Vec<(Column, CompiledFilter)>,
}

fn cond(
    ws: &Workspace,
    rec: &DatasetRecord,
    event: Option<&str>,
    page: Option<&Pattern>,
    filters: &[Filter],
) -> Result<Cond> {
    Ok(Cond {
        event: event.map(str::to_string),
        page: page.map(PatternMatcher::new).transpose()?,
        filters: filters
            .iter()
            .map(|f| {
                let col = ws.read_column_named(rec, &f.column)?;
                let c = CompiledFilter::new(f, col.ty)?;
                Ok((col, c))
            })
            .collect::<Result<_>>()?,
    })
}

fn role(rec: &DatasetRecord, r: Role) -> Option<usize> {
    rec.info.columns.iter().position(|c| c.role == Some(r))
}

/// One event of a unit, as the definitions see it.
#[derive(Debug, Clone)]
struct Ev {
    row: usize,
    time: i64,
    steps: Vec<bool>,
    excl: Vec<bool>,
}

impl Ev {
    fn first_step(&self) -> usize {
        self.steps
            .iter()
            .position(|&b| b)
            .unwrap_or(self.steps.len())
    }
}

/// Can the steps `need` be filled by distinct events of `avail` (not
/// `taken`)? Tries every assignment.
fn can_fill(evs: &[Ev], avail: &[usize], taken: &mut Vec<bool>, need: &[usize]) -> bool {
    let Some((&q, rest)) = need.split_first() else {
        return true;
    };
    for (i, &j) in avail.iter().enumerate() {
        if !taken[i] && evs[j].steps[q] {
            taken[i] = true;
            let ok = can_fill(evs, avail, taken, rest);
            taken[i] = false;
            if ok {
                return true;
            }
        }
    }
    false
}

/// The events of one instant that extend an attempt at `level`: the most
/// next steps (level+1, level+2, ...) that distinct events of `avail` can
/// fill, each step taking the first event (in funnel order) that still
/// lets the later ones be filled.
fn fill_instant(evs: &[Ev], avail: &[usize], level: usize, k: usize) -> Vec<usize> {
    let mut m = 0;
    while level + 1 + m < k {
        let need: Vec<usize> = (level + 1..=level + 1 + m).collect();
        if !can_fill(evs, avail, &mut vec![false; avail.len()], &need) {
            break;
        }
        m += 1;
    }
    let mut taken = vec![false; avail.len()];
    let mut chosen = Vec::new();
    for q in level + 1..=level + m {
        let rest: Vec<usize> = (q + 1..=level + m).collect();
        for i in 0..avail.len() {
            if taken[i] || !evs[avail[i]].steps[q] {
                continue;
            }
            taken[i] = true;
            if can_fill(evs, avail, &mut taken, &rest) {
                chosen.push(avail[i]);
                break;
            }
            taken[i] = false;
        }
    }
    chosen
}

/// The attempt from start `s`: the positions that reached each step.
/// `within[q]`: the longest time from step q-1's event to step q's.
fn attempt(evs: &[Ev], s: usize, order: Order, window: i64, within: &[i64]) -> Vec<usize> {
    let k = evs[s].steps.len();
    let t0 = evs[s].time;
    match order {
        Order::Ordered => {
            // instant by instant from the start's: the events of one
            // instant fill as many next steps as they can, in any order,
            // each at most once; then the next instant within the window
            let mut g = vec![s];
            let mut i = (0..=s).find(|&j| evs[j].time == t0).unwrap_or(s);
            while g.len() < k && i < evs.len() && evs[i].time - t0 <= window {
                let t = evs[i].time;
                let end = (i..evs.len())
                    .find(|&j| evs[j].time != t)
                    .unwrap_or(evs.len());
                // the next step's event is too late, and so are all later ones
                if t - evs[g[g.len() - 1]].time > within[g.len()] {
                    break;
                }
                let avail: Vec<usize> = (i..end).filter(|&j| j != s).collect();
                g.extend(fill_instant(evs, &avail, g.len() - 1, k));
                i = end;
            }
            g
        }
        Order::Strict => {
            // each next step: the very next event, if it matches, within the window
            let mut g = vec![s];
            while g.len() < k {
                let q = g.len();
                let j = g[q - 1] + 1;
                if j < evs.len()
                    && evs[j].steps[q]
                    && evs[j].time - t0 <= window
                    && evs[j].time - evs[g[q - 1]].time <= within[q]
                {
                    g.push(j)
                } else {
                    break;
                }
            }
            g
        }
        Order::Unordered => {
            // level after each event = most distinct steps that distinct
            // events from s up to it can fill, minus one
            let mut g = Vec::new();
            let mut seen: Vec<usize> = Vec::new();
            for j in s..evs.len() {
                if evs[j].time - t0 > window || g.len() == k {
                    break;
                }
                if !evs[j].steps.iter().any(|&b| b) {
                    continue;
                }
                seen.push(j);
                if max_matching(evs, &seen, k) > g.len() {
                    g.push(j);
                }
            }
            g
        }
    }
}

/// Largest number of steps that distinct events of `seen` can fill, by
/// trying every assignment.
fn max_matching(evs: &[Ev], seen: &[usize], k: usize) -> usize {
    fn go(evs: &[Ev], seen: &[usize], used: &mut Vec<bool>, step: usize, k: usize) -> usize {
        if step == k {
            return 0;
        }
        let mut best = go(evs, seen, used, step + 1, k);
        for (i, &j) in seen.iter().enumerate() {
            if !used[i] && evs[j].steps[step] {
                used[i] = true;
                best = best.max(1 + go(evs, seen, used, step + 1, k));
                used[i] = false;
            }
        }
        best
    }
    go(evs, seen, &mut vec![false; seen.len()], 0, k)
}

fn spoiled(evs: &[Ev], s: usize, g: &[usize], excl: &[(usize, usize)], window: i64) -> bool {
    let level = g.len() - 1;
    excl.iter().enumerate().any(|(e, &(a, b))| {
        level >= a
            && (g[a] + 1..evs.len()).any(|j| {
                let between = if level >= b {
                    j < g[b]
                } else {
                    evs[j].time - evs[s].time <= window
                };
                between && evs[j].excl[e]
            })
    })
}

/// Can the event at `s` start an attempt?
fn starts(evs: &[Ev], s: usize, order: Order) -> bool {
    match order {
        Order::Unordered => evs[s].steps.iter().any(|&b| b),
        _ => evs[s].steps[0],
    }
}

/// One way of reading a unit's events: the funnel of the steps `kept`
/// (all of them; or without the optional steps an attempt skips, or the
/// steps before an open funnel's entry), each event's `steps` renumbered
/// to the kept ones, and that funnel's plan.
struct Variant {
    evs: Vec<Ev>,
    kept: Vec<usize>,
    plan: Plan,
}

/// The variants of one list of events (a unit's, or one held value's): an
/// open funnel enters at the lowest step matched at the first instant with
/// a step event; then one variant per subset of the optional steps after
/// the entry that are skipped, from skipping none, the later optional
/// steps' skips counting first.
fn variants(evs: &[Ev], p: &Plan, out: &mut Vec<Variant>) {
    let k = p.k;
    let entry = if p.open {
        let Some(f) = evs.iter().position(|e| e.steps.iter().any(|&b| b)) else {
            return;
        };
        evs.iter()
            .filter(|e| e.time == evs[f].time)
            .map(|e| e.first_step())
            .min()
            .unwrap_or(0)
    } else {
        0
    };
    let opts: Vec<usize> = (entry + 1..k)
        .filter(|&q| p.optional & (1 << q) != 0)
        .collect();
    for d in 0..(1usize << opts.len()) {
        let skipped: Vec<usize> = opts
            .iter()
            .rev()
            .enumerate()
            .filter(|(i, _)| d >> i & 1 != 0)
            .map(|(_, &q)| q)
            .collect();
        let kept: Vec<usize> = (entry..k).filter(|q| !skipped.contains(q)).collect();
        let keep = kept.iter().fold(0u64, |a, &q| a | 1 << q);
        let mut vevs: Vec<Ev> = evs
            .iter()
            .map(|e| Ev {
                steps: kept.iter().map(|&q| e.steps[q]).collect(),
                ..e.clone()
            })
            .collect();
        // at one instant, events are taken in funnel order, then row order
        vevs.sort_by_key(|e| (e.time, e.first_step(), e.row));
        out.push(Variant {
            evs: vevs,
            plan: p.kept(keep),
            kept,
        });
    }
}

/// The counted attempt among the attempts from the starts (in any of the
/// `variants`) whose time `pick`s: Ok(Some((path as (time, row) of each
/// step's event, skipped steps))), Ok(None) if none started, Err(()) if
/// excluded. A step the attempt did not do (skipped, or before an open
/// funnel's entry) gets the event of the last step done before it (or the
/// entry's).
/// Ordered and strict: the furthest attempt, if clean (or a clean one that
/// gets as far). Unordered: the furthest clean attempt (an exclusion
/// discards the progress of the attempts it spoils, nothing more).
/// Among equals: the one that got there first, then the one that did the
/// most steps, then the latest start, then the earliest start row; with
/// `by_row` (several variants), events are compared by (time, row), else
/// by their place in the one list.
type Path = Vec<(i64, usize)>;
fn counted(
    variants: &[Variant],
    pick: impl Fn(i64) -> bool,
    p: &Plan,
    by_row: bool,
) -> std::result::Result<Option<(Path, u64)>, ()> {
    let order = p.order;
    let mut furthest: Option<usize> = None;
    type Key = (
        usize,
        std::cmp::Reverse<(i64, i64)>,
        usize,
        i64,
        std::cmp::Reverse<(i64, i64)>,
    );
    let mut best: Option<(Key, Path, u64)> = None;
    for v in variants {
        let evs = &v.evs;
        for s in 0..evs.len() {
            if !starts(evs, s, order) || !pick(evs[s].time) {
                continue;
            }
            let g = attempt(evs, s, order, p.window, &v.plan.within);
            let level = v.kept[g.len() - 1];
            furthest = furthest.max(Some(level));
            if spoiled(evs, s, &g, &v.plan.excl, p.window) {
                continue;
            }
            let at = |j: usize| {
                if by_row {
                    (evs[j].time, evs[j].row as i64)
                } else {
                    (j as i64, 0)
                }
            };
            let key = (
                level + 1,
                std::cmp::Reverse(at(g[g.len() - 1])),
                g.len(),
                evs[s].time,
                std::cmp::Reverse(at(s)),
            );
            if best.as_ref().is_none_or(|(bk, _, _)| key > *bk) {
                let mut path = Vec::new();
                let mut skipped = 0u64;
                let mut i = 0;
                for q in 0..=level {
                    if i + 1 < g.len() && v.kept[i + 1] == q {
                        i += 1;
                    }
                    if v.kept[i] != q {
                        skipped |= 1 << q;
                    }
                    path.push((evs[g[i]].time, evs[g[i]].row));
                }
                best = Some((key, path, skipped));
            }
        }
    }
    match (furthest, best) {
        (None, _) => Ok(None),
        (Some(_), Some((_, g, sk))) if order == Order::Unordered => Ok(Some((g, sk))),
        (Some(f), Some((_, g, sk))) if g.len() - 1 == f => Ok(Some((g, sk))),
        _ => Err(()),
    }
}

/// Runs a funnel on an event dataset the slow, literal way.
pub fn reference_funnel(ws: &Workspace, spec: &FunnelSpec) -> Result<FunnelResult> {
    let p = plan(spec)?;
    let k = p.k;
    let rec = ws.dataset(&spec.dataset)?;
    let time_idx = role(&rec, Role::Time).ok_or_else(|| Error::Invalid("no time column".into()))?;
    let time_name = rec.info.columns[time_idx].name.clone();
    let times = time_micros(&ws.read_column(&rec, time_idx)?, &time_name)?;
    let n = times.len();
    let text_of = |idx: Option<usize>| -> Result<Vec<Option<String>>> {
        Ok(match idx {
            Some(i) => {
                let c = ws.read_column(&rec, i)?;
                (0..n).map(|r| cell_text(&c, r)).collect()
            }
            None => vec![None; n],
        })
    };
    let users = text_of(role(&rec, Role::User))?;
    let has_user = role(&rec, Role::User).is_some();
    let session_idx = role(&rec, Role::Session);
    let sessions = text_of(session_idx)?;
    let events = text_of(role(&rec, Role::Event))?;
    let pages = text_of(role(&rec, Role::Page))?;

    let global = cond(
        ws,
        &rec,
        None,
        None,
        spec.filters.as_deref().unwrap_or_default(),
    )?;
    let (from, to) = match &spec.date_range {
        Some(r) => (
            r.from
                .as_deref()
                .map(|s| parse_bound(s, false))
                .transpose()?,
            r.to.as_deref().map(|s| parse_bound(s, true)).transpose()?,
        ),
        None => (None, None),
    };
    let steps: Vec<Cond> = spec
        .steps
        .iter()
        .map(|s| {
            cond(
                ws,
                &rec,
                s.event.as_deref(),
                s.page.as_ref(),
                s.filters.as_deref().unwrap_or_default(),
            )
        })
        .collect::<Result<_>>()?;
    let excls: Vec<Cond> = spec
        .exclude
        .as_deref()
        .unwrap_or_default()
        .iter()
        .map(|x| {
            cond(
                ws,
                &rec,
                x.event.as_deref(),
                x.page.as_ref(),
                x.filters.as_deref().unwrap_or_default(),
            )
        })
        .collect::<Result<_>>()?;
    let holds = |c: &Cond, r: usize| {
        c.event
            .as_ref()
            .is_none_or(|e| events[r].as_deref() == Some(e.as_str()))
            && c.page
                .as_ref()
                .is_none_or(|m| pages[r].as_deref().is_some_and(|p| m.matches(p)))
            && c.filters.iter().all(|(col, f)| f.matches_row(col, r))
    };

    // units: key -> rows, each sorted by time then row
    let mut units: BTreeMap<(String, String), Vec<usize>> = BTreeMap::new();
    for r in 0..n {
        let Some(t) = times[r] else { continue };
        let _ = t;
        let key = match spec.unit() {
            Unit::Users => match &users[r] {
                Some(u) => (u.clone(), String::new()),
                None => continue,
            },
            Unit::Sessions if session_idx.is_some() => match &sessions[r] {
                Some(s) => (users[r].clone().unwrap_or_default(), s.clone()),
                None => continue,
            },
            Unit::Sessions => match &users[r] {
                Some(u) => (u.clone(), String::new()),
                None => continue,
            },
        };
        if spec.unit() == Unit::Users && !has_user {
            continue;
        }
        units.entry(key).or_default().push(r);
    }
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for (_, mut rows) in units {
        rows.sort_by_key(|&r| (times[r], r));
        if spec.unit() == Unit::Sessions && session_idx.is_none() {
            // split at gaps longer than 30 minutes
            let mut cur: Vec<usize> = Vec::new();
            for r in rows {
                if let Some(&last) = cur.last() {
                    if times[r].unwrap_or(0) - times[last].unwrap_or(0) > SESSION_GAP_MICROS {
                        groups.push(std::mem::take(&mut cur));
                    }
                }
                cur.push(r);
            }
            groups.push(cur);
        } else {
            groups.push(rows);
        }
    }

    let hold_col = match &spec.hold {
        Some(h) => Some(ws.read_column_named(&rec, h)?),
        None => None,
    };
    let breakdown_col = match &spec.breakdown {
        Some(b) if !b.is_buyer_status() => Some(ws.read_column_named(&rec, &b.column)?),
        _ => None,
    };
    // buyer status: whose earlier goal events (the funnel's filters and
    // its last step, at any time, among the events in some unit) count
    // for an event's unit: its user's, else the session's own
    let buyer_key = |r: usize| match (&users[r], &sessions[r]) {
        (Some(u), _) => format!("u:{u}"),
        (None, s) => format!("s:{}", s.clone().unwrap_or_default()),
    };
    let mut first_goal: BTreeMap<String, i64> = BTreeMap::new();
    if spec.by_buyer_status() {
        for &r in groups.iter().flatten() {
            let Some(t) = times[r] else { continue };
            if global.filters.iter().all(|(col, f)| f.matches_row(col, r))
                && holds(&steps[k - 1], r)
            {
                let e = first_goal.entry(buyer_key(r)).or_insert(t);
                *e = (*e).min(t);
            }
        }
    }
    let labels: Vec<String> = (0..k).map(|q| spec.step_label(q)).collect();
    let mut total = Agg::new(k);
    let mut by_value: BTreeMap<String, Agg> = BTreeMap::new();
    let mut trend: BTreeMap<i64, (String, u64, u64)> = BTreeMap::new();
    let mut ttc = Vec::new();
    let mut excluded = 0;
    for rows in groups {
        // first-time steps: only the unit's first event matching the step,
        // among all its events (before the funnel's filters and date range)
        let firsts: Vec<Option<usize>> = spec
            .steps
            .iter()
            .zip(&steps)
            .map(|(s, c)| match s.first_time {
                Some(true) => rows.iter().copied().find(|&r| holds(c, r)),
                _ => None,
            })
            .collect();
        let step_holds = |q: usize, r: usize| {
            holds(&steps[q], r) && (spec.steps[q].first_time != Some(true) || firsts[q] == Some(r))
        };
        let evs: Vec<Ev> = rows
            .into_iter()
            .filter_map(|r| {
                let t = times[r]?;
                let present = global.filters.iter().all(|(col, f)| f.matches_row(col, r))
                    && from.is_none_or(|a| t >= a)
                    && to.is_none_or(|b| t < b);
                present.then(|| Ev {
                    row: r,
                    time: t,
                    steps: (0..k).map(|q| step_holds(q, r)).collect(),
                    excl: excls.iter().map(|c| holds(c, r)).collect(),
                })
            })
            .collect();
        // a held column: one list of events per value, in which only the
        // events with that (non-empty) value match steps
        let sets: Vec<Vec<Ev>> = match &hold_col {
            None => vec![evs],
            Some(col) => {
                let value = |r: usize| cell_text(col, r).filter(|v| !v.is_empty());
                let values: std::collections::BTreeSet<String> = evs
                    .iter()
                    .filter(|e| e.steps.iter().any(|&b| b))
                    .filter_map(|e| value(e.row))
                    .collect();
                values
                    .iter()
                    .map(|v| {
                        evs.iter()
                            .map(|e| {
                                let mut e = e.clone();
                                if value(e.row).as_ref() != Some(v) {
                                    e.steps.iter_mut().for_each(|b| *b = false);
                                }
                                e
                            })
                            .collect()
                    })
                    .collect()
            }
        };
        let mut vars = Vec::new();
        for evs in &sets {
            variants(evs, &p, &mut vars);
        }
        let held = hold_col.is_some() || p.optional != 0 || p.open;
        if let Some(interval) = p.trend {
            // each period on its own: the unit enters every period in which
            // an attempt starts, with the counted attempt among those starts
            let mut keys: BTreeMap<i64, i64> = BTreeMap::new();
            for v in &vars {
                let evs = &v.evs;
                for s in (0..evs.len()).filter(|&s| starts(evs, s, p.order)) {
                    let key = period(evs[s].time, interval).0;
                    let t = keys.entry(key).or_insert(evs[s].time);
                    *t = (*t).min(evs[s].time);
                }
            }
            for (key, t) in keys {
                let pick = |t: i64| period(t, interval).0 == key;
                if let Ok(Some((g, _))) = counted(&vars, pick, &p, held) {
                    let label = period(t, interval).1;
                    let e = trend.entry(key).or_insert_with(|| (label, 0, 0));
                    e.1 += 1;
                    if g.len() == k {
                        e.2 += 1;
                    }
                }
            }
        }
        let (g, skipped) = match counted(&vars, |_| true, &p, held) {
            Ok(Some(g)) => g,
            Ok(None) => continue,
            Err(()) => {
                excluded += 1;
                continue;
            }
        };
        let level = g.len() - 1;
        let ts: Vec<i64> = g.iter().map(|&(t, _)| t).collect();
        total.add(level, &ts, skipped);
        if let (Some(col), Some((attr, step))) = (&breakdown_col, p.attribution) {
            // first touch: the first value among the attempt's step events
            // that is not empty; last touch: the last one; step N: the
            // value on step N's event
            let value = |&(_, r): &(i64, usize)| cell_text(col, r).filter(|s| !s.is_empty());
            let v = match attr {
                Attribution::FirstTouch => g.iter().find_map(value),
                Attribution::LastTouch => g.iter().rev().find_map(value),
                Attribution::Step => g
                    .get(step)
                    .filter(|_| skipped & (1 << step) == 0)
                    .and_then(value),
            }
            .unwrap_or_else(|| NONE_VALUE.to_string());
            by_value
                .entry(v)
                .or_insert_with(|| Agg::new(k))
                .add(level, &ts, skipped);
        }
        if spec.by_buyer_status() {
            // returning: an earlier goal event than the attempt's first
            // step event done
            let q = (0..=level).find(|q| skipped & (1 << q) == 0).unwrap_or(0);
            let (start, row) = g[q];
            let returning = first_goal.get(&buyer_key(row)).is_some_and(|&t| t < start);
            by_value
                .entry(if returning { RETURNING } else { FIRST_TIME }.to_string())
                .or_insert_with(|| Agg::new(k))
                .add(level, &ts, skipped);
        }
        if let Some((a, b, _)) = p.ttc {
            if level >= b && skipped & (1 << a | 1 << b) == 0 {
                ttc.push(ts[b] - ts[a]);
            }
        }
    }
    Ok(FunnelResult {
        steps: total.results(&labels),
        breakdown: match &spec.breakdown {
            Some(_) => breakdown_rows(by_value.into_iter().collect(), p.limit, k, &labels),
            None => Vec::new(),
        },
        trend: p.trend.map(|_| {
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
        time_to_convert: p.ttc.map(|(a, b, bins)| {
            let hist = histogram(&ttc, bins);
            let (avg, med) = avg_median(&mut ttc);
            TimeToConvert {
                from_step: a,
                to_step: b,
                bins: hist,
                average_seconds: avg,
                median_seconds: med,
            }
        }),
        unit: spec.unit().as_str().to_string(),
        excluded,
        warnings: Vec::new(),
    })
}
