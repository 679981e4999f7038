//! Masks: what each event matches (funnel filters and date range, a bit
//! per step and exclusion), computed per dictionary entry where it can be.

use super::*;

/// An event condition (step or exclusion) ready to evaluate on the index.
pub(super) struct EventMatcher {
    pub(super) event: Option<Vec<bool>>,
    pub(super) page: Option<Vec<bool>>,
    pub(super) filters: Vec<(Arc<Column>, CompiledFilter)>,
}

pub(super) fn table(x: &Interned, f: impl Fn(&str) -> bool) -> Vec<bool> {
    // one slot per dictionary entry, plus one for missing values
    let mut t: Vec<bool> = x.dict.iter().map(|s| f(s)).collect();
    t.push(false);
    t
}

#[inline]
pub(super) fn slot(code: u32, len: usize) -> usize {
    if code == NULL_CODE {
        len - 1
    } else {
        code as usize
    }
}

pub(super) fn compile_filters(
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

pub(super) fn compile_matcher(
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
                return Err(Error::missing_role(crate::model::Role::Event, format!(
                    "{what} names the event \"{name}\" but dataset \"{}\" has no event column; match a page instead, or give a column the event role",
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
                return Err(Error::missing_role(
                    crate::model::Role::Page,
                    format!(
                        "{what} names the page \"{}\" but dataset \"{}\" has no page column",
                        p.describe(),
                        ix.dataset_name
                    ),
                ));
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
pub(super) fn apply(m: &EventMatcher, bit: u64, ix: &EventIndex, masks: &mut [u64]) {
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
pub(super) fn apply_first(m: &EventMatcher, bit: u64, ix: &EventIndex, masks: &mut [u64]) {
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
    pub(super) full: Option<Vec<u64>>,
    pub(super) ev_bits: Vec<u64>,
    pub(super) pg_bits: Vec<u64>,
    /// The page bits when no condition looks at the page (most funnels).
    pub(super) pg_const: Option<u64>,
    pub(super) from: i64,
    pub(super) to: i64,
    /// The page bits when nothing but the event name decides (no
    /// per-event mask, no page condition, no date range): the pass then
    /// reads only the event codes.
    pub(super) simple: Option<u64>,
    /// Some event may match two steps or more (then events at one instant
    /// may need to be matched to steps, see `UnitEvents::ties`).
    pub(super) multi: bool,
}

impl Masks {
    #[inline]
    pub(super) fn get(&self, ix: &Cols, p: usize) -> u64 {
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
    let range = range_micros(spec.date_range.as_ref())?;
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
