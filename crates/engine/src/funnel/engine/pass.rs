//! The pass over one unit's events: the ordered state machine and the
//! per-start evaluation that decide the unit's counted attempt. One
//! algorithm, kept in one file.

use super::*;

/// A unit's counted attempt: `level` is the last step reached (-1: none);
/// `path[q]` the index position of the event used for step q.
#[derive(Debug, Clone)]
pub(crate) struct Outcome {
    pub level: i32,
    pub excluded: bool,
    pub path: [u32; MAX_STEPS],
    /// Steps up to `level` the attempt did not do (skipped optional steps,
    /// steps before an open funnel's entry); `path` holds for each the
    /// event of the last step done before it (or the entry's).
    pub skipped: u64,
    /// With a trend: per period in which the unit starts an attempt, in
    /// time order, (period key, time of its first start, converted),
    /// for the periods whose counted attempt is not excluded.
    pub periods: Vec<(i64, i64, bool)>,
}

impl Outcome {
    /// No attempt: level -1, nothing excluded, skipped or per period.
    fn reset(&mut self) {
        self.level = -1;
        self.excluded = false;
        self.skipped = 0;
        self.periods.clear();
    }
    pub(super) fn new() -> Outcome {
        Outcome {
            level: -1,
            excluded: false,
            path: [0; MAX_STEPS],
            skipped: 0,
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
/// (level, key of its last step's event, start time, key of its start,
/// steps done, path, skipped steps). The keys order events: evs
/// positions, or index positions when attempts of several held values or
/// sets of kept steps compete (both follow time, then row).
#[derive(Default)]
struct Choice {
    furthest: i32,
    #[allow(clippy::type_complexity)]
    clean: Option<(i32, i64, i64, i64, i32, [usize; MAX_STEPS], u64)>,
    any: bool,
}

impl Choice {
    #[inline]
    #[allow(clippy::too_many_arguments)]
    fn offer(
        &mut self,
        level: i32,
        done: i32,
        clean: bool,
        last: i64,
        t0: i64,
        s: i64,
        g: &[usize; MAX_STEPS],
        skipped: u64,
    ) {
        if !self.any || level > self.furthest {
            self.furthest = level;
        }
        self.any = true;
        if !clean {
            return;
        }
        let better = match &self.clean {
            None => true,
            Some((l, cg, ct, cs, cd, _, _)) => {
                (
                    level,
                    std::cmp::Reverse(last),
                    done,
                    t0,
                    std::cmp::Reverse(s),
                ) > (*l, std::cmp::Reverse(*cg), *cd, *ct, std::cmp::Reverse(*cs))
            }
        };
        if better {
            self.clean = Some((level, last, t0, s, done, *g, skipped));
        }
    }
    /// The counted attempt: Some((level, path)), or None (excluded when
    /// `self.any`). Unordered funnels count the furthest clean attempt;
    /// ordered and strict ones only if it is as far as any.
    fn counted(&self, unordered: bool) -> Option<(i32, &[usize; MAX_STEPS], u64)> {
        match &self.clean {
            Some((level, _, _, _, _, g, skipped)) if unordered || *level == self.furthest => {
                Some((*level, g, *skipped))
            }
            _ => None,
        }
    }
}

/// Scratch space of the state machines: the path of the partial attempt
/// at each step (reused across units; only entries in use are read).
pub(super) type Paths = [[u32; MAX_STEPS]; MAX_STEPS];

pub(super) struct Pass<'a> {
    pub(super) plan: &'a Plan,
    pub(super) ix: Cols<'a>,
    pub(super) masks: &'a Masks,
    /// The column held constant (`hold`), if any.
    pub(super) hold: Option<Hold<'a>>,
    /// `scan` can decide units from their event names: ordered funnels on
    /// event names alone, without a step `within`, a trend, `hold`,
    /// optional steps or `open`.
    lean: bool,
}

/// What `Pass::scan` found in a unit.
pub(super) enum Scan {
    /// No first-step event: the unit does not enter.
    Out,
    /// Only first-step events: level 0, from the event at this position.
    First(u32),
    /// Anything else: `collect` and `outcome` decide.
    More,
}

impl<'a> Pass<'a> {
    /// Can `scan` decide units (see `lean`)?
    pub(super) fn lean(&self) -> bool {
        self.lean
    }

    pub(super) fn new(
        plan: &'a Plan,
        ix: Cols<'a>,
        masks: &'a Masks,
        hold: Option<Hold<'a>>,
    ) -> Pass<'a> {
        let lean = masks.simple.is_some()
            && plan.order == Order::Ordered
            && !plan.has_within
            && plan.trend.is_none()
            && !plan.hold
            && plan.optional == 0
            && !plan.open;
        Pass {
            plan,
            ix,
            masks,
            hold,
            lean,
        }
    }
}

/// The held column's codes in index order, and the codes that hold no
/// value (missing, and empty text if the dictionary has it).
pub(super) struct Hold<'a> {
    pub(super) codes: &'a [u32],
    pub(super) empty: u32,
}

impl<'a> Hold<'a> {
    pub(super) fn of(i: &'a Interned) -> Hold<'a> {
        Hold {
            codes: &i.codes[..],
            empty: i.code_of("").unwrap_or(NULL_CODE),
        }
    }
    /// The value code at index position `p`, None when it holds no value.
    #[inline]
    fn value(&self, p: u32) -> Option<u32> {
        let c = self.codes[p as usize];
        (c != NULL_CODE && c != self.empty).then_some(c)
    }
}

/// The index arrays the pass reads, as plain slices.
#[derive(Clone, Copy)]
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
pub(super) struct UnitEvents {
    pub(super) pos: Vec<u32>,
    pub(super) m: Vec<u64>,
    pub(super) t: Vec<i64>,
    pub(super) n: usize,
    pub(super) any: u64,
    /// Some instant holds two step events or more, one of which matches
    /// several steps: ordered funnels then match the events of each
    /// instant to steps (per-start evaluation).
    pub(super) ties: bool,
}

impl UnitEvents {
    #[inline]
    pub(super) fn len(&self) -> usize {
        self.n
    }
    /// The kept events' masks.
    #[inline]
    pub(super) fn ms(&self) -> &[u64] {
        &self.m[..self.n]
    }
    pub(super) fn clear(&mut self) {
        self.n = 0;
        self.any = 0;
        self.ties = false;
    }
    /// Makes the buffers at least `n` long (new entries zero).
    #[inline]
    pub(super) fn room(&mut self, n: usize) {
        if self.pos.len() < n {
            let n = n.max(2 * self.pos.len());
            self.pos.resize(n, 0);
            self.m.resize(n, 0);
            self.t.resize(n, 0);
        }
    }
    #[inline]
    pub(super) fn push(&mut self, p: u32, m: u64, t: i64) {
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
pub(super) fn tie_key(m: u64) -> u32 {
    (m & STEP_BITS).trailing_zeros().min(32)
}

impl Pass<'_> {
    #[inline]
    pub(super) fn t(&self, evs: &UnitEvents, j: usize) -> i64 {
        evs.t[j]
    }
    #[inline]
    pub(super) fn m(&self, evs: &UnitEvents, j: usize) -> u64 {
        evs.m[j]
    }

    /// With `lean`: decides a unit from its event names alone when it can,
    /// as `collect` and `outcome` would (`Scan::More`: it cannot, run
    /// them). One table lookup per event and no store.
    #[inline]
    pub(super) fn scan(&self, range: std::ops::Range<usize>) -> Scan {
        debug_assert!(self.lean);
        let pgc = self.masks.simple.unwrap_or(0);
        let evb = &self.masks.ev_bits[..];
        let cap = (evb.len() - 1) as u32;
        let keep_bits = (STEP_BITS | EXCL_BITS) & pgc;
        let start = range.start;
        let (mut seen, mut first) = (0u64, u32::MAX);
        for (i, &code) in self.ix.ev[range].iter().enumerate() {
            let b = evb[code.min(cap) as usize] & keep_bits;
            // the first kept event's position
            first = if first == u32::MAX && b != 0 {
                (start + i) as u32
            } else {
                first
            };
            seen |= b;
        }
        if seen & 1 == 0 {
            // no first-step event: an ordered funnel's unit cannot start
            Scan::Out
        } else if seen & !1 == 0 {
            Scan::First(first)
        } else {
            Scan::More
        }
    }

    /// The unit's counted attempt into `out` (its level, and the path up
    /// to it): from its event names alone when `scan` can tell, else its
    /// events collected and run through `outcome`.
    pub(super) fn decide(
        &self,
        range: std::ops::Range<usize>,
        evs: &mut UnitEvents,
        out: &mut Outcome,
        paths: &mut Paths,
        sc: &mut Scratch,
    ) {
        if self.lean {
            match self.scan(range.clone()) {
                Scan::Out => return out.reset(),
                Scan::First(pos) => {
                    out.reset();
                    out.level = 0;
                    out.path[0] = pos;
                    return;
                }
                Scan::More => {}
            }
        }
        self.collect(range, evs);
        self.outcome(evs, out, paths, sc);
    }

    /// The unit's events that matter, in funnel order, into `evs`.
    pub(super) fn collect(&self, range: std::ops::Range<usize>, evs: &mut UnitEvents) {
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

    pub(super) fn can_start(&self, m: u64) -> bool {
        if self.plan.order == Order::Unordered || self.plan.open {
            m & STEP_BITS != 0
        } else {
            m & 1 != 0
        }
    }

    pub(super) fn outcome(
        &self,
        evs: &UnitEvents,
        out: &mut Outcome,
        paths: &mut Paths,
        sc: &mut Scratch,
    ) {
        out.reset();
        if !self.can_start(evs.any) {
            return;
        }
        if self.plan.hold || self.plan.optional != 0 || self.plan.open {
            return self.per_start_sets(evs, out, sc);
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

    pub(super) fn ordered_machine(
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

    pub(super) fn strict_machine(
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
    pub(super) fn finish(&self, evs: &UnitEvents, best: i32, out: &mut Outcome) {
        out.level = best;
        for q in 0..=best.max(-1) {
            let q = q as usize;
            out.path[q] = evs.pos[out.path[q] as usize];
        }
    }

    /// Fills the per-unit tables of the per-start evaluation: for each step
    /// the next position matching it, for each start the end of its window,
    /// for each exclusion a running count.
    pub(super) fn tables(&self, evs: &UnitEvents, sc: &mut Scratch) {
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
    pub(super) fn reach(
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

    pub(super) fn augment(
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
    pub(super) fn spoiled(
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
    pub(super) fn per_start(&self, evs: &UnitEvents, out: &mut Outcome, sc: &mut Scratch) {
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
            let last = g[level as usize] as i64;
            unit.offer(level, level, clean, last, t0, s as i64, &g, 0);
            if let Some(interval) = self.plan.trend {
                let key = period_key(t0, interval);
                if period.as_ref().is_some_and(|p| p.0 != key) {
                    let (pk, pt, c) = period.take().unwrap_or_default();
                    if let Some((l, _, _)) = c.counted(unordered) {
                        out.periods.push((pk, pt, l + 1 == k));
                    }
                }
                period
                    .get_or_insert_with(|| (key, t0, Choice::default()))
                    .2
                    .offer(level, level, clean, last, t0, s as i64, &g, 0);
            }
        }
        if let Some((pk, pt, c)) = period {
            if let Some((l, _, _)) = c.counted(unordered) {
                out.periods.push((pk, pt, l + 1 == k));
            }
        }
        match unit.counted(unordered) {
            Some((level, g, _)) => {
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

impl Pass<'_> {
    /// Held columns, optional steps and open funnels: the per-start
    /// evaluation of variants of the unit's events. With `hold`, one set of
    /// events per value of the column, in which only the events with that
    /// value match steps (the others can still spoil an attempt, or break a
    /// strict one). In each set: an open funnel enters at the lowest step
    /// its first instant with a step event matches; then one funnel per
    /// subset of the optional steps after the entry that it skips (from
    /// skipping none), the kept steps renumbered. The best attempt over
    /// all of them is counted, by the same rules (furthest, then first
    /// there, then the most steps done, then latest start), events
    /// compared by index position (time, then row).
    fn per_start_sets(&self, evs: &UnitEvents, out: &mut Outcome, sc: &mut Scratch) {
        let unordered = self.plan.order == Order::Unordered;
        let strict = self.plan.order == Order::Strict;
        let k = self.plan.k as i32;
        let all_steps: u64 = if self.plan.k >= 64 {
            !0
        } else {
            (1u64 << self.plan.k) - 1
        };
        let mut values = std::mem::take(&mut sc.values);
        values.clear();
        if let Some(h) = &self.hold {
            values.extend(
                (0..evs.len())
                    .filter(|&j| evs.m[j] & STEP_BITS != 0)
                    .filter_map(|j| h.value(evs.pos[j])),
            );
            values.sort_unstable();
            values.dedup();
        }
        let sets = if self.hold.is_some() { values.len() } else { 1 };
        let mut sub = std::mem::take(&mut sc.sub);
        let mut var = std::mem::take(&mut sc.var);
        let mut plans = std::mem::take(&mut sc.plans);
        let mut unit = Choice::default();
        let mut periods: Vec<(i64, i64, Choice)> = Vec::new();
        let mut g = [0usize; MAX_STEPS];
        let mut gp = [0usize; MAX_STEPS];
        for vi in 0..sets {
            let value = values.get(vi).copied();
            // the events as this value's attempts see them
            sub.clear();
            for j in 0..evs.len() {
                let mut m = evs.m[j];
                if let Some(h) = &self.hold {
                    if h.value(evs.pos[j]) != value {
                        m &= !STEP_BITS;
                    }
                }
                sub.push(evs.pos[j], m, evs.t[j]);
            }
            // an open funnel's entry: the lowest step matched at the first
            // instant with a step event
            let entry = if self.plan.open {
                let Some(f) = (0..sub.len()).find(|&j| sub.m[j] & STEP_BITS & all_steps != 0)
                else {
                    continue;
                };
                let steps = (f..sub.len())
                    .take_while(|&j| sub.t[j] == sub.t[f])
                    .fold(0u64, |a, j| a | sub.m[j]);
                (steps & STEP_BITS & all_steps).trailing_zeros() as usize
            } else {
                0
            };
            let from = all_steps & !((1u64 << entry) - 1);
            // the optional steps after the entry, last first
            let mut opts = [0usize; MAX_STEPS];
            let mut no = 0;
            for q in (entry + 1..self.plan.k).rev() {
                if self.plan.optional & (1 << q) != 0 {
                    opts[no] = q;
                    no += 1;
                }
            }
            for d in 0..(1u32 << no) {
                let mut keep = from;
                for (i, &q) in opts[..no].iter().enumerate() {
                    if d >> i & 1 != 0 {
                        keep &= !(1u64 << q);
                    }
                }
                let mut kept = [0usize; MAX_STEPS];
                let mut nk = 0;
                for q in 0..self.plan.k {
                    if keep & (1 << q) != 0 {
                        kept[nk] = q;
                        nk += 1;
                    }
                }
                let kept = &kept[..nk];
                // the kept steps renumbered, in funnel order
                var.clear();
                let mut sorted = true;
                let (mut last_t, mut last_key) = (i64::MIN, 0);
                for j in 0..sub.len() {
                    let m0 = sub.m[j];
                    let mut m = m0 & !STEP_BITS;
                    for (i, &q) in kept.iter().enumerate() {
                        m |= ((m0 >> q) & 1) << i;
                    }
                    if !strict && m & (STEP_BITS | EXCL_BITS) == 0 {
                        continue;
                    }
                    let (t, key) = (sub.t[j], tie_key(m));
                    sorted &= !(t == last_t && key < last_key);
                    (last_t, last_key) = (t, key);
                    var.push(sub.pos[j], m, t);
                }
                if !sorted {
                    // at one instant, the events are taken by the first
                    // step they match here, then in dataset order
                    let mut all: Vec<(i64, u32, u32, u64)> = (0..var.len())
                        .map(|j| (var.t[j], tie_key(var.m[j]), var.pos[j], var.m[j]))
                        .collect();
                    all.sort_unstable();
                    for (j, (t, _, p, m)) in all.into_iter().enumerate() {
                        var.t[j] = t;
                        var.pos[j] = p;
                        var.m[j] = m;
                    }
                }
                let pi = match plans.iter().position(|(b, _)| *b == keep) {
                    Some(i) => i,
                    None => {
                        plans.push((keep, self.plan.kept(keep)));
                        plans.len() - 1
                    }
                };
                let pass = Pass::new(&plans[pi].1, self.ix, self.masks, None);
                if !pass.can_start(var.any) {
                    continue;
                }
                var.ties = self.masks.multi && self.plan.order == Order::Ordered && has_ties(&var);
                pass.tables(&var, sc);
                for s in 0..var.len() {
                    if !pass.can_start(var.m[s]) {
                        continue;
                    }
                    let lv = pass.reach(&var, s, &mut g, sc);
                    if lv < 0 {
                        continue;
                    }
                    let clean = !pass.spoiled(var.len(), s, &g, lv, sc);
                    // back to the funnel's steps: a step not done holds
                    // the event of the last step done before it
                    let level = kept[lv as usize];
                    let mut i = 0;
                    for (q, x) in gp.iter_mut().enumerate().take(level + 1) {
                        if i < lv as usize && kept[i + 1] == q {
                            i += 1;
                        }
                        *x = var.pos[g[i]] as usize;
                    }
                    let lmask = if level + 1 >= 64 {
                        !0
                    } else {
                        (1u64 << (level + 1)) - 1
                    };
                    let skipped = lmask & !keep;
                    let t0 = var.t[s];
                    let (last, start) = (gp[level] as i64, var.pos[s] as i64);
                    let level = level as i32;
                    unit.offer(level, lv, clean, last, t0, start, &gp, skipped);
                    if let Some(interval) = self.plan.trend {
                        let key = period_key(t0, interval);
                        let i = match periods.iter().position(|p| p.0 == key) {
                            Some(i) => i,
                            None => {
                                periods.push((key, t0, Choice::default()));
                                periods.len() - 1
                            }
                        };
                        let p = &mut periods[i];
                        p.1 = p.1.min(t0);
                        p.2.offer(level, lv, clean, last, t0, start, &gp, skipped);
                    }
                }
            }
        }
        sc.values = values;
        sc.sub = sub;
        sc.var = var;
        sc.plans = plans;
        periods.sort_unstable_by_key(|p| p.0);
        for (pk, pt, c) in &periods {
            if let Some((l, _, _)) = c.counted(unordered) {
                out.periods.push((*pk, *pt, l + 1 == k));
            }
        }
        match unit.counted(unordered) {
            Some((level, g, skipped)) => {
                out.level = level;
                out.skipped = skipped;
                for (slot, &p) in out.path.iter_mut().zip(g).take(level as usize + 1) {
                    *slot = p as u32;
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
pub(super) struct Scratch {
    /// `next[q * (n + 1) + j]`: first position >= j matching step q (n: none).
    pub(super) next: Vec<u32>,
    /// `ends[s]`: first position after the window of an attempt from s.
    pub(super) ends: Vec<u32>,
    /// `prefix[e * (n + 1) + j]`: events of exclusion e before position j.
    pub(super) prefix: Vec<u32>,
    /// No event matches two steps.
    pub(super) disjoint: bool,
    /// With `UnitEvents::ties`: the first position of each position's
    /// instant, and the first position after it.
    pub(super) grp_start: Vec<u32>,
    pub(super) grp_end: Vec<u32>,
    /// The events of one instant that may fill steps.
    pub(super) avail: Vec<usize>,
    /// With `hold`: the unit's held values, and its events as one value's
    /// attempts see them.
    pub(super) values: Vec<u32>,
    pub(super) sub: UnitEvents,
    /// One variant of `sub`: the kept steps of an open funnel or of a
    /// subset of skipped optional steps, renumbered; and the plans of the
    /// variants met so far, by their kept steps.
    pub(super) var: UnitEvents,
    pub(super) plans: Vec<(u64, Plan)>,
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
