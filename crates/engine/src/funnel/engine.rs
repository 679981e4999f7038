//! The fast funnel: every event gets a bit mask of the steps and exclusions
//! it matches (computed per dictionary entry where it can be), then one pass
//! over the units of the index decides each unit's counted attempt.
//!
//! Per unit:
//! - ordered and strict funnels without exclusion events in the unit run a
//!   state machine that keeps, for every step, the partial attempt with the
//!   latest start (it dominates every other: its window ends last);
//! - unordered funnels, and units that contain an excluded event, run the
//!   per-start evaluation (one attempt per possible start, exactly as the
//!   definition reads), which costs more but is rare or bounded by the window.
//!
//! Both must agree with `reference.rs`; property tests check it.

use super::matcher::{parse_bound, CompiledFilter, PatternMatcher};
use super::spec::*;
use crate::column::Column;
use crate::error::{Error, Result};
use crate::index::{EventIndex, Interned, SessionSource, NULL_CODE};
use crate::store::Workspace;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

pub const MAX_STEPS: usize = 32;
pub const MAX_EXCLUSIONS: usize = 31;
pub(crate) const PRESENT: u64 = 1 << 63;
pub(crate) const STEP_BITS: u64 = 0xFFFF_FFFF;
pub(crate) const EXCL_BITS: u64 = !STEP_BITS & !PRESENT;
const NONE: i64 = i64::MIN;

/// The checked, defaulted parts of a spec that the pass needs.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    pub k: usize,
    pub order: Order,
    pub window: i64,
    /// (from_step, to_step) of each exclusion; exclusion `e` is bit 32 + e.
    pub excl: Vec<(usize, usize)>,
    pub attribution: Option<(Attribution, usize)>,
    pub ttc: Option<(usize, usize, usize)>,
    pub trend: Option<Interval>,
    pub limit: usize,
    /// Per step, the longest time (µs) from the previous step's event
    /// (`within`; i64::MAX when the step has none).
    pub within: Vec<i64>,
    /// Some step has a `within`.
    pub has_within: bool,
}

/// Checks the parts of a spec that do not need the data.
pub(crate) fn plan(spec: &FunnelSpec) -> Result<Plan> {
    let k = spec.steps.len();
    if k == 0 {
        return Err(Error::Invalid("a funnel needs at least one step".into()));
    }
    if k > MAX_STEPS {
        return Err(Error::Invalid(format!(
            "a funnel has at most {MAX_STEPS} steps; this one has {k}"
        )));
    }
    let window = spec.window_micros()?;
    let exclusions = spec.exclude.as_deref().unwrap_or_default();
    if exclusions.len() > MAX_EXCLUSIONS {
        return Err(Error::Invalid(format!(
            "a funnel has at most {MAX_EXCLUSIONS} exclusions; this one has {}",
            exclusions.len()
        )));
    }
    let mut excl = Vec::new();
    for (i, x) in exclusions.iter().enumerate() {
        let a = x.from_step.unwrap_or(0);
        let b = x.to_step.unwrap_or(k - 1);
        if b >= k {
            return Err(Error::Invalid(format!(
                "exclusion {}: to_step {b} is not a step; the steps are numbered 0 to {}",
                i + 1,
                k - 1
            )));
        }
        if b <= a {
            return Err(Error::Invalid(format!(
                "exclusion {}: to_step ({b}) must be after from_step ({a})",
                i + 1
            )));
        }
        if x.event.is_none()
            && x.page.is_none()
            && x.filters.as_deref().unwrap_or_default().is_empty()
        {
            return Err(Error::Invalid(format!(
                "exclusion {} matches every event; give it an event, a page or a filter",
                i + 1
            )));
        }
        excl.push((a, b));
    }
    for (i, s) in spec.steps.iter().enumerate() {
        if s.event.is_none()
            && s.page.is_none()
            && s.filters.as_deref().unwrap_or_default().is_empty()
        {
            return Err(Error::Invalid(format!(
                "step {i} (\"{}\") matches every event; give it an event, a page or a filter",
                spec.step_label(i)
            )));
        }
    }
    let mut within = vec![i64::MAX; k];
    for (i, s) in spec.steps.iter().enumerate() {
        let Some(w) = &s.within else { continue };
        if i == 0 {
            return Err(Error::Invalid(
                "step 0 has a \"within\", but it has no previous step; give it to a later step"
                    .into(),
            ));
        }
        if spec.order() == Order::Unordered {
            return Err(Error::Invalid(format!(
                "step {i} has a \"within\", but an unordered funnel has no previous step; use the funnel's window"
            )));
        }
        within[i] = parse_window(w).map_err(|e| Error::Invalid(format!("step {i}: {e}")))?;
    }
    let has_within = within.iter().any(|&w| w != i64::MAX);
    if spec.unit() == crate::index::Unit::Sessions {
        if let Some(i) = spec.steps.iter().position(|s| s.first_time == Some(true)) {
            return Err(Error::Invalid(format!(
                "step {i} is a first-time step, which needs \"count\": \"users\" (a user's first event of that kind, not a session's)"
            )));
        }
    }
    let mut limit = 10;
    let attribution = match &spec.breakdown {
        None => None,
        Some(b) => {
            let a = b.attribution.unwrap_or_default();
            let step = match a {
                Attribution::Step => b.step.ok_or_else(|| {
                    Error::Invalid(
                        "the breakdown's attribution is \"step\" but it names no step; add \"step\": N"
                            .into(),
                    )
                })?,
                _ => 0,
            };
            if step >= k {
                return Err(Error::Invalid(format!(
                    "the breakdown's step {step} is not a step; the steps are numbered 0 to {}",
                    k - 1
                )));
            }
            if let Some(l) = b.limit {
                if l == 0 {
                    return Err(Error::Invalid(
                        "the breakdown's limit must be at least 1".into(),
                    ));
                }
                limit = l;
            }
            Some((a, step))
        }
    };
    let ttc = match &spec.time_to_convert {
        None => None,
        Some(t) => {
            let a = t.from_step.unwrap_or(0);
            let b = t.to_step.unwrap_or(k - 1);
            if b >= k {
                return Err(Error::Invalid(format!(
                    "time_to_convert: to_step {b} is not a step; the steps are numbered 0 to {}",
                    k - 1
                )));
            }
            if b <= a {
                return Err(Error::Invalid(format!(
                    "time_to_convert: to_step ({b}) must be after from_step ({a})"
                )));
            }
            let bins = t.bins.unwrap_or(10);
            if bins == 0 || bins > 1000 {
                return Err(Error::Invalid(
                    "time_to_convert: bins must be between 1 and 1000".into(),
                ));
            }
            Some((a, b, bins))
        }
    };
    Ok(Plan {
        k,
        order: spec.order(),
        window,
        excl,
        attribution,
        ttc,
        trend: spec.trend.as_ref().map(|t| t.interval),
        limit,
        within,
        has_within,
    })
}

/// An event condition (step or exclusion) ready to evaluate on the index.
struct EventMatcher {
    event: Option<Vec<bool>>,
    page: Option<Vec<bool>>,
    filters: Vec<(Arc<Column>, CompiledFilter)>,
}

fn table(x: &Interned, f: impl Fn(&str) -> bool) -> Vec<bool> {
    // one slot per dictionary entry, plus one for missing values
    let mut t: Vec<bool> = x.dict.iter().map(|s| f(s)).collect();
    t.push(false);
    t
}

#[inline]
fn slot(code: u32, len: usize) -> usize {
    if code == NULL_CODE {
        len - 1
    } else {
        code as usize
    }
}

fn compile_filters(
    ws: &Workspace,
    ix: &EventIndex,
    filters: &[Filter],
) -> Result<Vec<(Arc<Column>, CompiledFilter)>> {
    filters
        .iter()
        .map(|f| {
            let col = ix.column(ws, &f.column)?;
            let c = CompiledFilter::new(f, col.ty)?;
            Ok((col, c))
        })
        .collect()
}

fn compile_matcher(
    ws: &Workspace,
    ix: &EventIndex,
    event: Option<&str>,
    page: Option<&Pattern>,
    filters: &[Filter],
    what: &str,
    warnings: &mut Vec<String>,
) -> Result<EventMatcher> {
    let event = match event {
        None => None,
        Some(name) => {
            if ix.event_column.is_none() {
                return Err(Error::Invalid(format!(
                    "{what} names the event \"{name}\" but dataset \"{}\" has no event column; match a page instead, or map one with --map event=COLUMN",
                    ix.dataset_name
                )));
            }
            let t = table(&ix.event, |s| s == name);
            if !t.iter().any(|&b| b) {
                warnings.push(format!(
                    "{what}: no event named \"{name}\" in dataset \"{}\"",
                    ix.dataset_name
                ));
            }
            Some(t)
        }
    };
    let page = match page {
        None => None,
        Some(p) => {
            if ix.page_column.is_none() {
                return Err(Error::Invalid(format!(
                    "{what} names the page \"{}\" but dataset \"{}\" has no page column; map one with --map page=COLUMN",
                    p.describe(),
                    ix.dataset_name
                )));
            }
            let m = PatternMatcher::new(p)?;
            let t = table(&ix.page, |s| m.matches(s));
            if !t.iter().any(|&b| b) {
                warnings.push(format!(
                    "{what}: no page matches \"{}\" in dataset \"{}\"",
                    p.describe(),
                    ix.dataset_name
                ));
            }
            Some(t)
        }
    };
    Ok(EventMatcher {
        event,
        page,
        filters: compile_filters(ws, ix, filters)?,
    })
}

/// Sets `bit` on every present event the matcher accepts.
fn apply(m: &EventMatcher, bit: u64, ix: &EventIndex, masks: &mut [u64]) {
    let mut ok: Option<Vec<bool>> = None;
    for (col, f) in &m.filters {
        let v = f.matches_all(col);
        ok = Some(match ok {
            None => v,
            Some(mut o) => {
                o.iter_mut().zip(&v).for_each(|(a, &b)| *a &= b);
                o
            }
        });
    }
    let ev: &[u32] = &ix.event.codes;
    let pg: &[u32] = &ix.page.codes;
    for i in 0..masks.len() {
        if masks[i] & PRESENT == 0 {
            continue;
        }
        if let Some(t) = &m.event {
            if !t[slot(ev[i], t.len())] {
                continue;
            }
        }
        if let Some(t) = &m.page {
            if !t[slot(pg[i], t.len())] {
                continue;
            }
        }
        if let Some(o) = &ok {
            if !o[i] {
                continue;
            }
        }
        masks[i] |= bit;
    }
}

/// A first-time step: sets `bit` on each unit's first event the matcher
/// accepts among all of the unit's events (before the funnel's filters and
/// date range), if that event is present.
fn apply_first(m: &EventMatcher, bit: u64, ix: &EventIndex, masks: &mut [u64]) {
    let mut every = vec![PRESENT; masks.len()];
    apply(m, bit, ix, &mut every);
    for u in 0..ix.units() {
        let (a, b) = (ix.unit_starts[u] as usize, ix.unit_starts[u + 1] as usize);
        if let Some(i) = (a..b).find(|&i| every[i] & bit != 0) {
            if masks[i] & PRESENT != 0 {
                masks[i] |= bit;
            }
        }
    }
}

/// What an event matches: PRESENT if it passes the funnel's filters and
/// date range, plus a bit per matching step and exclusion. Conditions on the
/// event name and page are two small tables looked up as the pass goes;
/// only filters on other columns need a mask per event, computed up front.
pub(crate) struct Masks {
    full: Option<Vec<u64>>,
    ev_bits: Vec<u64>,
    pg_bits: Vec<u64>,
    /// The page bits when no condition looks at the page (most funnels).
    pg_const: Option<u64>,
    from: i64,
    to: i64,
    /// The page bits when nothing but the event name decides (no
    /// per-event mask, no page condition, no date range): the pass then
    /// reads only the event codes.
    simple: Option<u64>,
    /// Some event may match two steps or more (then events at one instant
    /// may need to be matched to steps, see `UnitEvents::ties`).
    multi: bool,
}

impl Masks {
    #[inline]
    fn get(&self, ix: &Cols, p: usize) -> u64 {
        let t = ix.time[p];
        if t < self.from || t >= self.to {
            return 0;
        }
        let base = match &self.full {
            Some(f) => f[p],
            None => PRESENT,
        };
        if base & PRESENT == 0 {
            return 0;
        }
        let pg = match self.pg_const {
            Some(b) => b,
            None => self.pg_bits[slot(ix.pg[p], self.pg_bits.len())],
        };
        base | (self.ev_bits[slot(ix.ev[p], self.ev_bits.len())] & pg)
    }
}

pub(crate) fn masks(
    ws: &Workspace,
    ix: &EventIndex,
    spec: &FunnelSpec,
    warnings: &mut Vec<String>,
) -> Result<Masks> {
    let n = ix.len();
    let global = compile_filters(ws, ix, spec.filters.as_deref().unwrap_or_default())?;
    let mut full: Option<Vec<u64>> = None;
    for (col, f) in &global {
        let masks = full.get_or_insert_with(|| vec![PRESENT; n]);
        let v = f.matches_all(col);
        for (m, ok) in masks.iter_mut().zip(v) {
            if !ok {
                *m = 0;
            }
        }
    }
    let mut range = (i64::MIN, i64::MAX);
    if let Some(r) = &spec.date_range {
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
        range = (from.unwrap_or(i64::MIN), to.unwrap_or(i64::MAX));
    }
    let mut matchers: Vec<(EventMatcher, u64, bool)> = Vec::new();
    for (k, s) in spec.steps.iter().enumerate() {
        let what = format!("step {k} (\"{}\")", spec.step_label(k));
        let m = compile_matcher(
            ws,
            ix,
            s.event.as_deref(),
            s.page.as_ref(),
            s.filters.as_deref().unwrap_or_default(),
            &what,
            warnings,
        )?;
        matchers.push((m, 1 << k, s.first_time == Some(true)));
    }
    for (e, x) in spec
        .exclude
        .as_deref()
        .unwrap_or_default()
        .iter()
        .enumerate()
    {
        let what = format!("exclusion {}", e + 1);
        let m = compile_matcher(
            ws,
            ix,
            x.event.as_deref(),
            x.page.as_ref(),
            x.filters.as_deref().unwrap_or_default(),
            &what,
            warnings,
        )?;
        matchers.push((m, 1 << (32 + e), false));
    }
    // conditions on the event name and page only: two tables of bits, read
    // during the pass; conditions with filters: a mask per event, now
    let ne = ix.event.dict.len() + 1;
    let np = ix.page.dict.len() + 1;
    let mut ev_bits = vec![0u64; ne];
    let mut pg_bits = vec![0u64; np];
    for (m, bit, first_time) in &matchers {
        if *first_time {
            apply_first(m, *bit, ix, full.get_or_insert_with(|| vec![PRESENT; n]));
            continue;
        }
        if !m.filters.is_empty() {
            apply(m, *bit, ix, full.get_or_insert_with(|| vec![PRESENT; n]));
            continue;
        }
        for (c, b) in ev_bits.iter_mut().enumerate() {
            if m.event.as_ref().is_none_or(|t| t[c]) {
                *b |= bit;
            }
        }
        for (c, b) in pg_bits.iter_mut().enumerate() {
            if m.page.as_ref().is_none_or(|t| t[c]) {
                *b |= bit;
            }
        }
    }
    let pg_const = pg_bits.iter().all(|&b| b == pg_bits[0]).then(|| pg_bits[0]);
    let simple = pg_const.filter(|_| full.is_none() && range == (i64::MIN, i64::MAX));
    let several = |b: &u64| (b & STEP_BITS).count_ones() >= 2;
    let multi = full.is_some() || ev_bits.iter().any(several) || pg_bits.iter().any(several);
    Ok(Masks {
        full,
        ev_bits,
        pg_bits,
        pg_const,
        from: range.0,
        to: range.1,
        simple,
        multi,
    })
}

/// A unit's counted attempt: `level` is the last step reached (-1: none);
/// `path[q]` the index position of the event used for step q.
#[derive(Debug, Clone)]
pub(crate) struct Outcome {
    pub level: i32,
    pub excluded: bool,
    pub path: [u32; MAX_STEPS],
    /// With a trend: per period in which the unit starts an attempt, in
    /// time order, (period key, time of its first start, converted),
    /// for the periods whose counted attempt is not excluded.
    pub periods: Vec<(i64, i64, bool)>,
}

impl Outcome {
    fn new() -> Outcome {
        Outcome {
            level: -1,
            excluded: false,
            path: [0; MAX_STEPS],
            periods: Vec::new(),
        }
    }
}

/// Does some instant hold two step events or more, one of which matches
/// several steps?
fn has_ties(evs: &UnitEvents) -> bool {
    let n = evs.len();
    let mut j = 0;
    while j < n {
        let t = evs.t[j];
        let (mut count, mut multi) = (0, false);
        while j < n && evs.t[j] == t {
            let b = evs.m[j] & STEP_BITS;
            count += (b != 0) as u32;
            multi |= b & b.wrapping_sub(1) != 0;
            j += 1;
        }
        if count >= 2 && multi {
            return true;
        }
    }
    false
}

/// The choice among attempts (of a unit, or of its starts in one period):
/// the furthest level any reached, and the best clean attempt as
/// (level, position of its last step, start time, start, path).
#[derive(Default)]
struct Choice {
    furthest: i32,
    clean: Option<(i32, usize, i64, usize, [usize; MAX_STEPS])>,
    any: bool,
}

impl Choice {
    #[inline]
    fn offer(&mut self, level: i32, clean: bool, t0: i64, s: usize, g: &[usize; MAX_STEPS]) {
        if !self.any || level > self.furthest {
            self.furthest = level;
        }
        self.any = true;
        if !clean {
            return;
        }
        let gl = g[level as usize];
        let better = match &self.clean {
            None => true,
            Some((l, cg, ct, cs, _)) => {
                (level, std::cmp::Reverse(gl), t0, std::cmp::Reverse(s))
                    > (*l, std::cmp::Reverse(*cg), *ct, std::cmp::Reverse(*cs))
            }
        };
        if better {
            self.clean = Some((level, gl, t0, s, *g));
        }
    }
    /// The counted attempt: Some((level, path)), or None (excluded when
    /// `self.any`). Unordered funnels count the furthest clean attempt;
    /// ordered and strict ones only if it is as far as any.
    fn counted(&self, unordered: bool) -> Option<(i32, &[usize; MAX_STEPS])> {
        match &self.clean {
            Some((level, _, _, _, g)) if unordered || *level == self.furthest => Some((*level, g)),
            _ => None,
        }
    }
}

/// Scratch space of the state machines: the path of the partial attempt
/// at each step (reused across units; only entries in use are read).
type Paths = [[u32; MAX_STEPS]; MAX_STEPS];

struct Pass<'a> {
    plan: &'a Plan,
    ix: Cols<'a>,
    masks: &'a Masks,
}

/// The index arrays the pass reads, as plain slices.
pub(crate) struct Cols<'a> {
    pub time: &'a [i64],
    pub ev: &'a [u32],
    pub pg: &'a [u32],
    pub unit_starts: &'a [u32],
}

impl<'a> Cols<'a> {
    pub fn of(ix: &'a EventIndex) -> Self {
        Cols {
            time: &ix.time,
            ev: &ix.event.codes,
            pg: &ix.page.codes,
            unit_starts: &ix.unit_starts,
        }
    }
}

/// The events of one unit that matter, in funnel order: index position,
/// mask and time, in the first `n` entries of the buffers. The buffers only
/// grow (reused across units without being cleared or zeroed); `any` is
/// the union of the kept events' masks.
#[derive(Debug, Default)]
struct UnitEvents {
    pos: Vec<u32>,
    m: Vec<u64>,
    t: Vec<i64>,
    n: usize,
    any: u64,
    /// Some instant holds two step events or more, one of which matches
    /// several steps: ordered funnels then match the events of each
    /// instant to steps (per-start evaluation).
    ties: bool,
}

impl UnitEvents {
    #[inline]
    fn len(&self) -> usize {
        self.n
    }
    /// The kept events' masks.
    #[inline]
    fn ms(&self) -> &[u64] {
        &self.m[..self.n]
    }
    fn clear(&mut self) {
        self.n = 0;
        self.any = 0;
        self.ties = false;
    }
    /// Makes the buffers at least `n` long (new entries zero).
    #[inline]
    fn room(&mut self, n: usize) {
        if self.pos.len() < n {
            let n = n.max(2 * self.pos.len());
            self.pos.resize(n, 0);
            self.m.resize(n, 0);
            self.t.resize(n, 0);
        }
    }
    #[inline]
    fn push(&mut self, p: u32, m: u64, t: i64) {
        self.room(self.n + 1);
        self.pos[self.n] = p;
        self.m[self.n] = m;
        self.t[self.n] = t;
        self.n += 1;
        self.any |= m;
    }
}

/// Tie key: events at one instant are taken in funnel order (the first step
/// they match), then in dataset order.
#[inline]
fn tie_key(m: u64) -> u32 {
    (m & STEP_BITS).trailing_zeros().min(32)
}

impl Pass<'_> {
    #[inline]
    fn t(&self, evs: &UnitEvents, j: usize) -> i64 {
        evs.t[j]
    }
    #[inline]
    fn m(&self, evs: &UnitEvents, j: usize) -> u64 {
        evs.m[j]
    }

    /// The unit's events that matter, in funnel order, into `evs`.
    fn collect(&self, range: std::ops::Range<usize>, evs: &mut UnitEvents) {
        evs.clear();
        let want = if self.plan.order == Order::Strict {
            PRESENT
        } else {
            STEP_BITS | EXCL_BITS
        };
        let mut sorted = true;
        let ix = &self.ix;
        if let Some(pgc) = self.masks.simple {
            // only the event name decides: one table lookup per event (a
            // missing name, NULL_CODE, maps to the table's last slot), and
            // no branch: every event's position is written, only kept ones
            // advance; then the kept ones' masks and times are read
            let evb = &self.masks.ev_bits[..];
            let cap = (evb.len() - 1) as u32;
            let keep_bits = want & pgc & !PRESENT;
            let n = range.len();
            let start = range.start;
            let codes = &ix.ev[range];
            evs.room(n);
            let ps = &mut evs.pos[..n];
            let mut c = 0usize;
            if want == PRESENT {
                for (i, p) in ps.iter_mut().enumerate() {
                    *p = (start + i) as u32;
                }
                c = n;
            } else {
                for (i, &code) in codes.iter().enumerate() {
                    ps[c] = (start + i) as u32;
                    // c <= i < n: the writes stay in bounds
                    c += (evb[code.min(cap) as usize] & keep_bits != 0) as usize;
                }
            }
            let (ps, ms, ts) = (&evs.pos[..c], &mut evs.m[..c], &mut evs.t[..c]);
            let mut any = 0u64;
            let (mut last_t, mut last_key) = (i64::MIN, 0);
            for ((&p, m), t) in ps.iter().zip(ms.iter_mut()).zip(ts.iter_mut()) {
                let p = p as usize;
                let x = PRESENT | (evb[ix.ev[p].min(cap) as usize] & pgc);
                let tp = ix.time[p];
                *m = x;
                *t = tp;
                any |= x;
                let key = tie_key(x);
                sorted &= !(tp == last_t && key < last_key);
                (last_t, last_key) = (tp, key);
            }
            evs.n = c;
            evs.any = any;
        } else {
            let (mut last_t, mut last_key) = (i64::MIN, 0);
            for p in range {
                let m = self.masks.get(ix, p);
                if m & want != 0 && m & PRESENT != 0 {
                    let t = ix.time[p];
                    let key = tie_key(m);
                    if t == last_t && key < last_key {
                        sorted = false;
                    }
                    (last_t, last_key) = (t, key);
                    evs.push(p as u32, m, t);
                }
            }
        }
        if !sorted {
            let mut all: Vec<(i64, u32, u32, u64)> = (0..evs.len())
                .map(|j| (evs.t[j], tie_key(evs.m[j]), evs.pos[j], evs.m[j]))
                .collect();
            all.sort_unstable();
            for (j, (t, _, p, m)) in all.into_iter().enumerate() {
                evs.t[j] = t;
                evs.pos[j] = p;
                evs.m[j] = m;
            }
        }
        if self.masks.multi && self.plan.order == Order::Ordered {
            evs.ties = has_ties(evs);
        }
    }

    fn can_start(&self, m: u64) -> bool {
        if self.plan.order == Order::Unordered {
            m & STEP_BITS != 0
        } else {
            m & 1 != 0
        }
    }

    fn outcome(&self, evs: &UnitEvents, out: &mut Outcome, paths: &mut Paths, sc: &mut Scratch) {
        out.level = -1;
        out.excluded = false;
        out.periods.clear();
        if !self.can_start(evs.any) {
            return;
        }
        let has_excl = !self.plan.excl.is_empty() && evs.any & EXCL_BITS != 0;
        if has_excl || self.plan.order == Order::Unordered || evs.ties || self.plan.has_within {
            self.per_start(evs, out, sc)
        } else {
            let n = evs.len();
            let best = self.machine(evs, 0..n, 0..n, &mut out.path, paths);
            self.finish(evs, best, out);
            if let Some(interval) = self.plan.trend {
                self.machine_periods(evs, best, paths, interval, &mut out.periods);
            }
        }
    }

    /// The state machine of the order over the events `span`, with
    /// attempts starting only at `starts`: the furthest level, and its
    /// path (evs positions) in `path`.
    #[inline]
    fn machine(
        &self,
        evs: &UnitEvents,
        span: std::ops::Range<usize>,
        starts: std::ops::Range<usize>,
        path: &mut [u32; MAX_STEPS],
        paths: &mut Paths,
    ) -> i32 {
        if self.plan.order == Order::Strict {
            self.strict_machine(evs, span, starts, path, paths)
        } else {
            self.ordered_machine(evs, span, starts, path, paths)
        }
    }

    /// Each period on its own: the periods of the unit's step-0 events,
    /// each with the furthest level of the attempts starting in it (from
    /// the state machine over those starts and their windows).
    fn machine_periods(
        &self,
        evs: &UnitEvents,
        unit_level: i32,
        paths: &mut Paths,
        interval: Interval,
        periods: &mut Vec<(i64, i64, bool)>,
    ) {
        let n = evs.len();
        let k = self.plan.k as i32;
        let Some(mut a) = (0..n).find(|&j| evs.m[j] & 1 != 0) else {
            return;
        };
        let first = a;
        loop {
            let key = period_key(evs.t[a], interval);
            let mut b = a;
            let mut next = None;
            for x in a + 1..n {
                if evs.m[x] & 1 != 0 {
                    if period_key(evs.t[x], interval) != key {
                        next = Some(x);
                        break;
                    }
                    b = x;
                }
            }
            let level = if a == first && next.is_none() {
                // one period: the unit's own attempt
                unit_level
            } else {
                let limit = evs.t[b].saturating_add(self.plan.window);
                let mut hi = b + 1;
                while hi < n && evs.t[hi] <= limit {
                    hi += 1;
                }
                let mut path = [0u32; MAX_STEPS];
                self.machine(evs, a..hi, a..b + 1, &mut path, paths)
            };
            periods.push((key, evs.t[a], level + 1 == k));
            match next {
                Some(x) => a = x,
                None => break,
            }
        }
    }

    fn ordered_machine(
        &self,
        evs: &UnitEvents,
        span: std::ops::Range<usize>,
        starts: std::ops::Range<usize>,
        path: &mut [u32; MAX_STEPS],
        paths: &mut Paths,
    ) -> i32 {
        let k = self.plan.k;
        let w = self.plan.window;
        let mut t0 = [NONE; MAX_STEPS];
        let mut best = -1i32;
        for j in span {
            let m = evs.m[j] & STEP_BITS;
            let t = evs.t[j];
            let mut rest = m & !1;
            while rest != 0 {
                let q = 63 - rest.leading_zeros() as usize;
                rest &= !(1u64 << q);
                if q >= k {
                    continue;
                }
                let s = t0[q - 1];
                if s != NONE && t - s <= w && (t0[q] == NONE || s > t0[q]) {
                    t0[q] = s;
                    // whole fixed-size arrays: a few vector moves, where a
                    // copy of q entries is a call to memcpy
                    paths[q] = paths[q - 1];
                    paths[q][q] = j as u32;
                    if q as i32 > best {
                        best = q as i32;
                        *path = paths[q];
                    }
                }
            }
            if m & 1 != 0 && starts.contains(&j) && (t0[0] == NONE || t > t0[0]) {
                t0[0] = t;
                paths[0][0] = j as u32;
                if best < 0 {
                    best = 0;
                    path[0] = j as u32;
                }
            }
        }
        best
    }

    fn strict_machine(
        &self,
        evs: &UnitEvents,
        span: std::ops::Range<usize>,
        starts: std::ops::Range<usize>,
        path: &mut [u32; MAX_STEPS],
        paths: &mut Paths,
    ) -> i32 {
        let k = self.plan.k;
        let w = self.plan.window;
        let mut t0 = [NONE; MAX_STEPS];
        let mut best = -1i32;
        for j in span {
            let m = evs.m[j] & STEP_BITS;
            let t = evs.t[j];
            for q in (1..k).rev() {
                let s = t0[q - 1];
                if m & (1 << q) != 0 && s != NONE && t - s <= w {
                    t0[q] = s;
                    paths[q] = paths[q - 1];
                    paths[q][q] = j as u32;
                    if q as i32 > best {
                        best = q as i32;
                        *path = paths[q];
                    }
                } else {
                    t0[q] = NONE;
                }
            }
            if m & 1 != 0 && starts.contains(&j) {
                t0[0] = t;
                paths[0][0] = j as u32;
                if best < 0 {
                    best = 0;
                    path[0] = j as u32;
                }
            } else {
                t0[0] = NONE;
            }
        }
        best
    }

    /// Turns evs-relative positions into index positions.
    fn finish(&self, evs: &UnitEvents, best: i32, out: &mut Outcome) {
        out.level = best;
        for q in 0..=best.max(-1) {
            let q = q as usize;
            out.path[q] = evs.pos[out.path[q] as usize];
        }
    }

    /// Fills the per-unit tables of the per-start evaluation: for each step
    /// the next position matching it, for each start the end of its window,
    /// for each exclusion a running count.
    fn tables(&self, evs: &UnitEvents, sc: &mut Scratch) {
        let n = evs.len();
        let k = self.plan.k;
        sc.next.clear();
        sc.next.resize(k * (n + 1), n as u32);
        for q in 0..k {
            let row = &mut sc.next[q * (n + 1)..(q + 1) * (n + 1)];
            for j in (0..n).rev() {
                row[j] = if self.m(evs, j) & (1 << q) != 0 {
                    j as u32
                } else {
                    row[j + 1]
                };
            }
        }
        sc.ends.clear();
        let mut end = 0usize;
        for s in 0..n {
            let limit = self.t(evs, s).saturating_add(self.plan.window);
            end = end.max(s + 1);
            while end < n && self.t(evs, end) <= limit {
                end += 1;
            }
            sc.ends.push(end as u32);
        }
        let ne = self.plan.excl.len();
        sc.prefix.clear();
        sc.prefix.resize(ne * (n + 1), 0);
        for e in 0..ne {
            let bit = 1u64 << (32 + e);
            let row = &mut sc.prefix[e * (n + 1)..(e + 1) * (n + 1)];
            for j in 0..n {
                row[j + 1] = row[j] + (self.m(evs, j) & bit != 0) as u32;
            }
        }
        sc.disjoint = evs.ms().iter().all(|&m| (m & STEP_BITS).count_ones() <= 1);
        if evs.ties {
            // the instant of each position: [grp_start, grp_end)
            sc.grp_start.clear();
            sc.grp_end.clear();
            sc.grp_end.resize(n, n as u32);
            let mut a = 0;
            for j in 0..n {
                if evs.t[j] != evs.t[a] {
                    sc.grp_end[a..j].iter_mut().for_each(|e| *e = j as u32);
                    a = j;
                }
                sc.grp_start.push(a as u32);
            }
        }
    }

    /// The attempt from start `s`: fills `g` with evs positions, returns its
    /// level.
    fn reach(
        &self,
        evs: &UnitEvents,
        s: usize,
        g: &mut [usize; MAX_STEPS],
        sc: &mut Scratch,
    ) -> i32 {
        if evs.ties && self.plan.order == Order::Ordered {
            return self.reach_ties(evs, s, g, sc);
        }
        let sc = &*sc;
        let k = self.plan.k;
        let n = evs.len();
        let end = sc.ends[s] as usize;
        let next = |q: usize, j: usize| sc.next[q * (n + 1) + j] as usize;
        match self.plan.order {
            Order::Ordered => {
                g[0] = s;
                let mut level = 0usize;
                while level + 1 < k {
                    let j = next(level + 1, g[level] + 1);
                    if j >= end || evs.t[j] - evs.t[g[level]] > self.plan.within[level + 1] {
                        break;
                    }
                    level += 1;
                    g[level] = j;
                }
                level as i32
            }
            Order::Strict => {
                g[0] = s;
                let mut level = 0usize;
                while level + 1 < k {
                    let j = g[level] + 1;
                    if j >= end
                        || self.m(evs, j) & (1 << (level + 1)) == 0
                        || evs.t[j] - evs.t[g[level]] > self.plan.within[level + 1]
                    {
                        break;
                    }
                    level += 1;
                    g[level] = j;
                }
                level as i32
            }
            Order::Unordered if sc.disjoint => {
                // each event fills at most one step: the attempt reaches a
                // new step at the first occurrence of each step in the window
                let mut found = [0usize; MAX_STEPS];
                let mut m = 0;
                for q in 0..k {
                    let j = next(q, s);
                    if j < end {
                        found[m] = j;
                        m += 1;
                    }
                }
                found[..m].sort_unstable();
                g[..m].copy_from_slice(&found[..m]);
                m as i32 - 1
            }
            Order::Unordered => {
                // incremental bipartite matching of events to steps
                let mut assign = [usize::MAX; MAX_STEPS];
                let mut level = -1i32;
                for j in s..end {
                    if level + 1 == k as i32 {
                        break;
                    }
                    if self.m(evs, j) & STEP_BITS == 0 {
                        continue;
                    }
                    let mut seen = 0u64;
                    if self.augment(evs, j, &mut assign, &mut seen) {
                        level += 1;
                        g[level as usize] = j;
                    }
                }
                level
            }
        }
    }

    /// An ordered attempt from `s` when events at one instant may fill
    /// steps in any order: instant by instant, the events of an instant
    /// fill as many next steps as they can (a matching), each step taking
    /// the first event that still lets the later ones be filled.
    fn reach_ties(
        &self,
        evs: &UnitEvents,
        s: usize,
        g: &mut [usize; MAX_STEPS],
        sc: &mut Scratch,
    ) -> i32 {
        let k = self.plan.k;
        let n = evs.len();
        let end = sc.ends[s] as usize;
        g[0] = s;
        let mut level = 0usize;
        let mut i = sc.grp_start[s] as usize;
        while level + 1 < k {
            // the first instant with an event for the next step
            let j = sc.next[(level + 1) * (n + 1) + i] as usize;
            if j >= end || evs.t[j] - evs.t[g[level]] > self.plan.within[level + 1] {
                break;
            }
            let (gs, ge) = (sc.grp_start[j] as usize, sc.grp_end[j] as usize);
            let want = STEP_BITS & !((1u64 << (level + 1)) - 1);
            sc.avail.clear();
            sc.avail
                .extend((gs..ge).filter(|&x| x != s && evs.m[x] & want != 0));
            level += fill_instant(evs, &sc.avail, level, k, g);
            i = ge;
        }
        level as i32
    }

    fn augment(
        &self,
        evs: &UnitEvents,
        j: usize,
        assign: &mut [usize; MAX_STEPS],
        seen: &mut u64,
    ) -> bool {
        let mut steps = self.m(evs, j) & STEP_BITS & ((1u64 << self.plan.k) - 1);
        while steps != 0 {
            let q = steps.trailing_zeros() as usize;
            steps &= steps - 1;
            if *seen & (1 << q) != 0 {
                continue;
            }
            *seen |= 1 << q;
            if assign[q] == usize::MAX || self.augment(evs, assign[q], assign, seen) {
                assign[q] = j;
                return true;
            }
        }
        false
    }

    /// Is there an excluded event after step a and before step b (or the
    /// end of the window, if the attempt never reached b)?
    fn spoiled(
        &self,
        n: usize,
        s: usize,
        g: &[usize; MAX_STEPS],
        level: i32,
        sc: &Scratch,
    ) -> bool {
        self.plan.excl.iter().enumerate().any(|(e, &(a, b))| {
            if level < a as i32 {
                return false;
            }
            let lo = g[a] + 1;
            let hi = if level >= b as i32 {
                g[b]
            } else {
                sc.ends[s] as usize
            };
            let row = &sc.prefix[e * (n + 1)..];
            lo < hi && row[hi] > row[lo]
        })
    }

    /// One attempt per possible start; the furthest wins (see docs). With
    /// a trend, the same choice among the starts of each period.
    fn per_start(&self, evs: &UnitEvents, out: &mut Outcome, sc: &mut Scratch) {
        self.tables(evs, sc);
        let unordered = self.plan.order == Order::Unordered;
        let k = self.plan.k as i32;
        let mut unit = Choice::default();
        let mut period: Option<(i64, i64, Choice)> = None;
        let mut g = [0usize; MAX_STEPS];
        for s in 0..evs.len() {
            if !self.can_start(self.m(evs, s)) {
                continue;
            }
            let level = self.reach(evs, s, &mut g, sc);
            if level < 0 {
                continue;
            }
            let clean = !self.spoiled(evs.len(), s, &g, level, sc);
            let t0 = self.t(evs, s);
            unit.offer(level, clean, t0, s, &g);
            if let Some(interval) = self.plan.trend {
                let key = period_key(t0, interval);
                if period.as_ref().is_some_and(|p| p.0 != key) {
                    let (pk, pt, c) = period.take().unwrap_or_default();
                    if let Some((l, _)) = c.counted(unordered) {
                        out.periods.push((pk, pt, l + 1 == k));
                    }
                }
                period
                    .get_or_insert_with(|| (key, t0, Choice::default()))
                    .2
                    .offer(level, clean, t0, s, &g);
            }
        }
        if let Some((pk, pt, c)) = period {
            if let Some((l, _)) = c.counted(unordered) {
                out.periods.push((pk, pt, l + 1 == k));
            }
        }
        match unit.counted(unordered) {
            Some((level, g)) => {
                out.level = level;
                for (slot, &j) in out.path.iter_mut().zip(g).take(level as usize + 1) {
                    *slot = evs.pos[j];
                }
            }
            None => {
                out.level = -1;
                out.excluded = unit.any;
            }
        }
    }
}

/// Per-unit tables of the per-start evaluation, reused across units.
#[derive(Debug, Default)]
struct Scratch {
    /// `next[q * (n + 1) + j]`: first position >= j matching step q (n: none).
    next: Vec<u32>,
    /// `ends[s]`: first position after the window of an attempt from s.
    ends: Vec<u32>,
    /// `prefix[e * (n + 1) + j]`: events of exclusion e before position j.
    prefix: Vec<u32>,
    /// No event matches two steps.
    disjoint: bool,
    /// With `UnitEvents::ties`: the first position of each position's
    /// instant, and the first position after it.
    grp_start: Vec<u32>,
    grp_end: Vec<u32>,
    /// The events of one instant that may fill steps.
    avail: Vec<usize>,
}

/// Kuhn's augmenting path: can step `q` get an event of `avail` (not
/// `taken`), moving others' events (`owner[i]`: the step holding
/// `avail[i]`)?
fn kuhn(
    evs: &UnitEvents,
    avail: &[usize],
    q: usize,
    owner: &mut [usize],
    seen: &mut [bool],
    taken: &[bool],
) -> bool {
    for i in 0..avail.len() {
        if seen[i] || taken[i] || evs.m[avail[i]] & (1u64 << q) == 0 {
            continue;
        }
        seen[i] = true;
        if owner[i] == usize::MAX || kuhn(evs, avail, owner[i], owner, seen, taken) {
            owner[i] = q;
            return true;
        }
    }
    false
}

/// Can the steps `steps` all get distinct events of `avail` not `taken`?
fn fillable(
    evs: &UnitEvents,
    avail: &[usize],
    steps: std::ops::Range<usize>,
    taken: &[bool],
) -> bool {
    let mut owner = vec![usize::MAX; avail.len()];
    steps.into_iter().all(|q| {
        let mut seen = vec![false; avail.len()];
        kuhn(evs, avail, q, &mut owner, &mut seen, taken)
    })
}

/// The steps after `level` that the events `avail` of one instant fill:
/// the most consecutive ones a matching allows, each step taking the
/// first event (in funnel order) that leaves the later ones fillable.
/// Writes them into `g` and returns how many.
fn fill_instant(
    evs: &UnitEvents,
    avail: &[usize],
    level: usize,
    k: usize,
    g: &mut [usize; MAX_STEPS],
) -> usize {
    let na = avail.len();
    let mut owner = vec![usize::MAX; na];
    let mut m = 0;
    let none = vec![false; na];
    while level + 1 + m < k {
        let mut seen = vec![false; na];
        if !kuhn(evs, avail, level + 1 + m, &mut owner, &mut seen, &none) {
            break;
        }
        m += 1;
    }
    let last = level + m;
    let mut taken = vec![false; na];
    for (q, slot) in g.iter_mut().enumerate().take(last + 1).skip(level + 1) {
        for i in 0..na {
            if taken[i] || evs.m[avail[i]] & (1u64 << q) == 0 {
                continue;
            }
            taken[i] = true;
            if fillable(evs, avail, q + 1..last + 1, &taken) {
                *slot = avail[i];
                break;
            }
            taken[i] = false;
        }
    }
    m
}

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
    /// Adds a unit that reached `level` with step times `times`.
    #[inline]
    pub fn add(&mut self, level: usize, times: &[i64]) {
        for q in 0..=level {
            self.counts[q] += 1;
            if q > 0 {
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
        let c0 = self.counts[0];
        (0..self.counts.len())
            .map(|q| {
                let c = self.counts[q];
                let prev = if q == 0 { c } else { self.counts[q - 1] };
                let (avg, med) = avg_median(&mut self.diffs[q]);
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
                crate::index::format_date(days),
                hours.rem_euclid(24)
            );
            (hours, label)
        }
        Interval::Day => (days, crate::index::format_date(days)),
        Interval::Week => {
            // 1970-01-01 was a Thursday; weeks start on Monday
            let monday = days - (days + 3).rem_euclid(7);
            (monday, crate::index::format_date(monday))
        }
        Interval::Month => match month_of(days) {
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
        Interval::Month => match month_of(days) {
            Some((y, m)) => y * 12 + m,
            None => i64::MIN / 2 + days,
        },
    }
}

/// (year, month) of a day since the epoch, within the calendar's range.
fn month_of(days: i64) -> Option<(i64, i64)> {
    let epoch = 2_440_588; // julian day of 1970-01-01
    let jd = i32::try_from(epoch + days).ok()?;
    let d = time::Date::from_julian_day(jd).ok()?;
    Some((d.year() as i64, d.month() as u8 as i64))
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

pub const NONE_VALUE: &str = "(none)";
pub const OTHER: &str = "Other";

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
    let breakdown: Option<Arc<Interned>> = match &spec.breakdown {
        Some(b) => Some(ix.interned(ws, &b.column)?),
        None => None,
    };
    let labels: Vec<String> = (0..k).map(|q| spec.step_label(q)).collect();

    let pass = Pass {
        plan: &plan,
        ix: Cols::of(ix),
        masks: &masks,
    };
    // units are split into contiguous ranges, one per thread; the partial
    // results merge without depending on the split
    let units = ix.units();
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
    let filled: Vec<bool> = match &breakdown {
        Some(b) => b
            .dict
            .iter()
            .map(|v| !v.is_empty())
            .chain([false])
            .collect(),
        None => Vec::new(),
    };
    let ctx = UnitsCtx {
        pass: &pass,
        breakdown: breakdown.as_deref(),
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
    if mask.is_some_and(|m| m.len() != ix.units()) {
        return Err(Error::Internal(
            "a unit mask does not match the index".into(),
        ));
    }
    let plan = plan(spec)?;
    let mut warnings = Vec::new();
    let masks = masks(ws, ix, spec, &mut warnings)?;
    let pass = Pass {
        plan: &plan,
        ix: Cols::of(ix),
        masks: &masks,
    };
    let mut evs = UnitEvents::default();
    let mut out = Outcome::new();
    let mut paths: Box<Paths> = Box::new([[0; MAX_STEPS]; MAX_STEPS]);
    let mut scratch = Scratch::default();
    let mut levels = vec![-1i32; ix.units()];
    for (u, level) in levels.iter_mut().enumerate() {
        if mask.is_some_and(|m| !m[u]) {
            continue;
        }
        let range = ix.unit_starts[u] as usize..ix.unit_starts[u + 1] as usize;
        pass.collect(range, &mut evs);
        pass.outcome(&evs, &mut out, &mut paths, &mut scratch);
        *level = out.level;
    }
    Ok(levels)
}

/// What one thread found over its units.
struct Partial {
    total: Agg,
    groups: Vec<Option<Agg>>,
    trend: BTreeMap<i64, (String, u64, u64)>,
    ttc: Vec<i64>,
    excluded: u64,
}

impl Partial {
    fn merge(&mut self, o: Partial) {
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

struct UnitsCtx<'a> {
    pass: &'a Pass<'a>,
    breakdown: Option<&'a Interned>,
    /// Per breakdown dictionary entry (and a last slot for missing): does
    /// it hold a value (not empty text)?
    filled: Vec<bool>,
    plan: &'a Plan,
    mask: Option<&'a [bool]>,
}

impl UnitsCtx<'_> {
    fn run(&self, units: std::ops::Range<usize>) -> Partial {
        let (plan, pass) = (self.plan, self.pass);
        let ix = &pass.ix;
        let bcodes: Option<&[u32]> = self.breakdown.map(|b| &b.codes[..]);
        let k = plan.k;
        let mut p = Partial {
            total: Agg::new(k),
            groups: match self.breakdown {
                Some(b) => vec![None; b.dict.len() + 1],
                None => Vec::new(),
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
        for u in units {
            if self.mask.is_some_and(|m| !m[u]) {
                continue;
            }
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
                continue;
            }
            let level = out.level as usize;
            for (t, &pos) in times.iter_mut().zip(&out.path).take(level + 1) {
                *t = ix.time[pos as usize];
            }
            p.total.add(level, &times);
            if let (Some(b), Some((attr, step))) = (bcodes, plan.attribution) {
                // first touch: the first non-empty value among the
                // attempt's step events; last touch: the last one
                let set = |x: &&u32| self.filled[slot(b[**x as usize], self.filled.len())];
                let path = &out.path[..=level];
                let pos = match attr {
                    Attribution::FirstTouch => path.iter().find(set).or(path.first()).copied(),
                    Attribution::LastTouch => path.iter().rev().find(set).or(path.last()).copied(),
                    Attribution::Step => (level >= step).then(|| out.path[step]),
                };
                let code = pos.map_or(NULL_CODE, |x| b[x as usize]);
                let g = slot(code, p.groups.len());
                p.groups[g]
                    .get_or_insert_with(|| Agg::new(k))
                    .add(level, &times);
            }
            if let Some((a, b, _)) = plan.ttc {
                if level >= b {
                    p.ttc.push(times[b] - times[a]);
                }
            }
        }
        if let Some(interval) = plan.trend {
            trend.drain_into(interval, &mut p.trend);
        }
        p
    }
}

/// Trend counts by period key, in a dense run of cells (keys are a few
/// consecutive days, weeks or months), so that a unit costs an index and
/// not a map search; keys far from the others go to the map.
#[derive(Default)]
struct Periods {
    base: i64,
    /// (entered, converted, a time in the period) per key from `base`.
    cells: Vec<(u64, u64, i64)>,
}

impl Periods {
    const MAX_CELLS: i64 = 4096;

    #[inline]
    fn add(
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

    fn drain_into(self, interval: Interval, map: &mut BTreeMap<i64, (String, u64, u64)>) {
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
fn merge_same(groups: Vec<(String, Agg)>, k: usize) -> Vec<(String, Agg)> {
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
    fn trend_cells_equal_a_map() {
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
