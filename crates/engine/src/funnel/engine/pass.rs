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
}

/// Scratch space of the state machines: the path of the partial attempt
/// at each step (reused across units; only entries in use are read).
pub(super) type Paths = [[u32; MAX_STEPS]; MAX_STEPS];

pub(super) struct Pass<'a> {
    pub(super) plan: &'a Plan,
    pub(super) ix: Cols<'a>,
    pub(super) masks: &'a Masks,
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
pub(super) struct UnitEvents {
    pub(super) pos: Vec<u32>,
    pub(super) m: Vec<u64>,
    pub(super) t: Vec<i64>,
    pub(super) n: usize,
    pub(super) any: u64,
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
    }

    pub(super) fn can_start(&self, m: u64) -> bool {
        if self.plan.order == Order::Unordered {
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
        out.level = -1;
        out.excluded = false;
        if !self.can_start(evs.any) {
            return;
        }
        let has_excl = !self.plan.excl.is_empty() && evs.any & EXCL_BITS != 0;
        if has_excl || self.plan.order == Order::Unordered {
            self.per_start(evs, out, sc)
        } else if self.plan.order == Order::Strict {
            self.strict_machine(evs, out, paths)
        } else {
            self.ordered_machine(evs, out, paths)
        }
    }

    pub(super) fn ordered_machine(&self, evs: &UnitEvents, out: &mut Outcome, paths: &mut Paths) {
        let k = self.plan.k;
        let w = self.plan.window;
        let mut t0 = [NONE; MAX_STEPS];
        let mut best = -1i32;
        for j in 0..evs.len() {
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
                        out.path = paths[q];
                    }
                }
            }
            if m & 1 != 0 && (t0[0] == NONE || t > t0[0]) {
                t0[0] = t;
                paths[0][0] = j as u32;
                if best < 0 {
                    best = 0;
                    out.path[0] = j as u32;
                }
            }
        }
        self.finish(evs, best, out)
    }

    pub(super) fn strict_machine(&self, evs: &UnitEvents, out: &mut Outcome, paths: &mut Paths) {
        let k = self.plan.k;
        let w = self.plan.window;
        let mut t0 = [NONE; MAX_STEPS];
        let mut best = -1i32;
        for j in 0..evs.len() {
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
                        out.path = paths[q];
                    }
                } else {
                    t0[q] = NONE;
                }
            }
            if m & 1 != 0 {
                t0[0] = t;
                paths[0][0] = j as u32;
                if best < 0 {
                    best = 0;
                    out.path[0] = j as u32;
                }
            } else {
                t0[0] = NONE;
            }
        }
        self.finish(evs, best, out)
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
    }

    /// The attempt from start `s`: fills `g` with evs positions, returns its
    /// level.
    pub(super) fn reach(
        &self,
        evs: &UnitEvents,
        s: usize,
        g: &mut [usize; MAX_STEPS],
        sc: &Scratch,
    ) -> i32 {
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
                    if j >= end {
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
                    if j >= end || self.m(evs, j) & (1 << (level + 1)) == 0 {
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

    /// One attempt per possible start; the furthest wins (see docs).
    pub(super) fn per_start(&self, evs: &UnitEvents, out: &mut Outcome, sc: &mut Scratch) {
        self.tables(evs, sc);
        let mut furthest = -1i32;
        // (level, g_L, t0, s, g)
        let mut clean: Option<(i32, usize, i64, usize, [usize; MAX_STEPS])> = None;
        let mut g = [0usize; MAX_STEPS];
        for s in 0..evs.len() {
            if !self.can_start(self.m(evs, s)) {
                continue;
            }
            let level = self.reach(evs, s, &mut g, sc);
            furthest = furthest.max(level);
            if level < 0 || self.spoiled(evs.len(), s, &g, level, sc) {
                continue;
            }
            let gl = g[level as usize];
            let t0 = self.t(evs, s);
            let better = match &clean {
                None => true,
                Some((l, cg, ct, cs, _)) => {
                    (level, std::cmp::Reverse(gl), t0, std::cmp::Reverse(s))
                        > (*l, std::cmp::Reverse(*cg), *ct, std::cmp::Reverse(*cs))
                }
            };
            if better {
                clean = Some((level, gl, t0, s, g));
            }
        }
        match clean {
            Some((level, _, _, _, g)) if level == furthest => {
                out.level = level;
                for (slot, &j) in out.path.iter_mut().zip(&g).take(level as usize + 1) {
                    *slot = evs.pos[j];
                }
            }
            _ => {
                out.level = -1;
                out.excluded = furthest >= 0;
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
}
