//! Evaluation: a segment's conditions over an index, as a mask of its
//! units, and the per-unit measures the conditions compare.

use super::*;

/// Evaluates segments over one index.
pub struct Evaluator<'a> {
    ws: &'a Workspace,
    ix: &'a EventIndex,
    /// Only these units' answers are wanted ([`Evaluator::among`]).
    only: Option<&'a [bool]>,
}

/// `f` of every unit (0 to `n` − 1; with `only`, of the units it marks,
/// false for the others), in order: on one thread per core (at most 8) from
/// 20,000 units, each over a contiguous range, as the funnel splits them;
/// the result does not depend on the split.
pub(super) fn per_unit(
    n: usize,
    only: Option<&[bool]>,
    f: impl Fn(usize) -> bool + Sync,
) -> Vec<bool> {
    let f = |u: usize| only.is_none_or(|o| o[u]) && f(u);
    let threads = if n >= 20_000 {
        std::thread::available_parallelism()
            .map(|t| t.get())
            .unwrap_or(1)
            .min(8)
    } else {
        1
    };
    if threads <= 1 {
        return (0..n).map(f).collect();
    }
    let mut out = vec![false; n];
    let per = n.div_ceil(threads);
    std::thread::scope(|sc| {
        for (i, chunk) in out.chunks_mut(per).enumerate() {
            let f = &f;
            sc.spawn(move || {
                for (j, o) in chunk.iter_mut().enumerate() {
                    *o = f(i * per + j);
                }
            });
        }
    });
    out
}

pub(super) fn unit_range(ix: &EventIndex, u: usize) -> std::ops::Range<usize> {
    ix.unit_starts[u] as usize..ix.unit_starts[u + 1] as usize
}

/// Which events (index order) match `m`. Errors name `what`.
pub fn event_bits(
    ws: &Workspace,
    ix: &EventIndex,
    m: &EventMatch,
    what: &str,
) -> Result<Vec<bool>> {
    let n = ix.len();
    let filters = m.filters.as_deref().unwrap_or_default();
    if m.event.is_none() && m.page.is_none() && filters.is_empty() {
        return Err(Error::Invalid(format!(
            "{what} needs an \"event\", a \"page\" or \"where\" filters"
        )));
    }
    let mut bits = vec![true; n];
    if let Some(name) = &m.event {
        if ix.event_column.is_none() {
            return Err(Error::missing_role(crate::model::Role::Event, format!(
                "{what} names the event \"{name}\" but dataset \"{}\" has no event column; match a page instead, or give a column the event role",
                ix.dataset_name
            )));
        }
        let code = ix.event.code_of(name);
        for (b, &c) in bits.iter_mut().zip(&ix.event.codes) {
            *b = *b && code.is_some_and(|x| x == c);
        }
    }
    if let Some(p) = &m.page {
        if ix.page_column.is_none() {
            return Err(Error::missing_role(
                crate::model::Role::Page,
                format!(
                    "{what} matches the page \"{}\" but dataset \"{}\" has no page column",
                    p.describe(),
                    ix.dataset_name
                ),
            ));
        }
        let pm = PatternMatcher::new(p)?;
        let table: Vec<bool> = ix.page.dict.iter().map(|s| pm.matches(s)).collect();
        for (b, &c) in bits.iter_mut().zip(&ix.page.codes) {
            *b = *b && c != NULL_CODE && table[c as usize];
        }
    }
    for f in filters {
        let col = ix.column(ws, &f.column)?;
        let cf = CompiledFilter::new(f, col.ty)?;
        for (b, ok) in bits.iter_mut().zip(cf.matches_all(&col)) {
            *b = *b && ok;
        }
    }
    Ok(bits)
}

pub(super) fn numeric_target(v: &serde_json::Value, what: &str) -> Result<f64> {
    let x = match v {
        serde_json::Value::Number(n) => n.as_f64(),
        serde_json::Value::String(s) => s.trim().parse::<f64>().ok(),
        _ => None,
    };
    x.filter(|x| x.is_finite())
        .ok_or_else(|| Error::Invalid(format!("{what} needs a number, got {v}")))
}

pub(super) fn compare_num(op: FilterOp, x: f64, t: f64) -> bool {
    match op {
        FilterOp::Eq => x == t,
        FilterOp::Ne => x != t,
        FilterOp::Gt => x > t,
        FilterOp::Gte => x >= t,
        FilterOp::Lt => x < t,
        FilterOp::Lte => x <= t,
        _ => false,
    }
}

impl<'a> Evaluator<'a> {
    pub fn new(ws: &'a Workspace, ix: &'a EventIndex) -> Self {
        Evaluator { ws, ix, only: None }
    }

    /// Evaluates the conditions on event data only for the units `units`
    /// marks (one entry per unit): the others' answers are left unspecified
    /// (a `not` may turn them true), for a caller that reads only these
    /// units' (the value view's persona, at the units of one step).
    pub fn among(mut self, units: &'a [bool]) -> Self {
        if units.len() == self.ix.units() {
            self.only = Some(units);
        }
        self
    }

    /// Which units are members of `spec` (one entry per unit of the index).
    pub fn members(&self, spec: &SegmentSpec) -> Result<Vec<bool>> {
        self.group(&spec.as_group())
    }

    fn group(&self, g: &GroupCondition) -> Result<Vec<bool>> {
        let n = self.ix.units();
        let any = g.match_.unwrap_or_default() == Match::Any;
        let mut out = vec![!any; n];
        for c in &g.conditions {
            let v = self.condition(c)?;
            for (o, x) in out.iter_mut().zip(v) {
                *o = if any { *o || x } else { *o && x };
            }
        }
        Ok(out)
    }

    /// Which units satisfy one condition.
    pub fn condition(&self, c: &Condition) -> Result<Vec<bool>> {
        crate::job::step("Finding the persona's members", 0, 0)?;
        match c {
            Condition::Group(g) => self.group(g),
            Condition::Not(n) => Ok(self.condition(&n.not)?.into_iter().map(|x| !x).collect()),
            Condition::Property(p) => self.property(p),
            Condition::Behaviour(b) => self.behaviour(b),
            Condition::Measure(m) => self.measure(m),
        }
    }

    fn property(&self, p: &PropertyCondition) -> Result<Vec<bool>> {
        let ix = self.ix;
        let col = ix.column(self.ws, &p.column)?;
        let filter = Filter {
            column: p.column.clone(),
            op: p.op,
            value: p.value.clone(),
        };
        let cf = CompiledFilter::new(&filter, col.ty)?;
        let bits = cf.matches_all(&col);
        let missing = cf.matches_text(None);
        // a cell "has a value" when it is not null and not empty text
        let has_value = |i: usize| -> bool {
            if col.is_null(i) {
                return false;
            }
            match &col.values {
                crate::column::Values::Text { dict, codes } => {
                    !dict[codes[i] as usize].trim().is_empty()
                }
                _ => true,
            }
        };
        let value_of = p.value_of.unwrap_or_default();
        Ok(per_unit(ix.units(), self.only, |u| {
            let mut r = unit_range(ix, u);
            match value_of {
                ValueOf::Ever => r.any(|i| bits[i]),
                ValueOf::First => r.find(|&i| has_value(i)).map_or(missing, |i| bits[i]),
                ValueOf::Last => r.rev().find(|&i| has_value(i)).map_or(missing, |i| bits[i]),
            }
        }))
    }

    fn behaviour(&self, b: &BehaviourCondition) -> Result<Vec<bool>> {
        let ix = self.ix;
        let (m, did) = match (&b.did, &b.did_not) {
            (Some(m), None) => (m, true),
            (None, Some(m)) => (m, false),
            _ => {
                return Err(Error::Invalid(
                    "a behaviour condition needs exactly one of \"did\" and \"did_not\"".into(),
                ))
            }
        };
        if !did && (b.at_least.is_some() || b.at_most.is_some()) {
            return Err(Error::Invalid(
                "a \"did_not\" condition takes no at_least / at_most; use \"did\" with \"at_most\""
                    .into(),
            ));
        }
        let at_least = b.at_least.unwrap_or(1);
        if let Some(max) = b.at_most {
            if max < at_least {
                return Err(Error::Invalid(format!(
                    "a behaviour condition asks for at least {at_least} and at most {max} events, which no one can do"
                )));
            }
        }
        let what = format!("the behaviour condition on {}", m.describe());
        let (from, to) = range_micros(b.date_range.as_ref())?;
        let within = b.within_days.map(|d| d as i64 * DAY_MICROS);
        // no time bound: a plain count of the unit's matching events, which
        // the compiler turns into a tight loop over the bits alone
        let unbounded = from == i64::MIN && to == i64::MAX && within.is_none();
        // an event name alone, unbounded: a count of the unit's events with
        // that code, without a table of flags over every event
        let by_name = match (&m.event, &m.page, m.filters.as_deref().unwrap_or_default()) {
            (Some(name), None, []) if unbounded && ix.event_column.is_some() => {
                Some(ix.event.code_of(name))
            }
            _ => None,
        };
        let bits = match by_name {
            Some(_) => Vec::new(),
            None => event_bits(self.ws, ix, m, &what)?,
        };
        let codes = &ix.event.codes[..];
        Ok(per_unit(ix.units(), self.only, |u| {
            let r = unit_range(ix, u);
            let count = if let Some(code) = by_name {
                match code {
                    Some(c) => codes[r].iter().map(|&x| (x == c) as u64).sum::<u64>(),
                    None => 0,
                }
            } else if unbounded {
                bits[r].iter().map(|&b| b as u64).sum::<u64>()
            } else {
                let first = ix.time[r.start];
                r.filter(|&i| {
                    let t = ix.time[i];
                    bits[i] && t >= from && t < to && within.is_none_or(|w| t - first <= w)
                })
                .count() as u64
            };
            if did {
                count >= at_least && b.at_most.is_none_or(|m| count <= m)
            } else {
                count == 0
            }
        }))
    }

    fn measure(&self, m: &MeasureCondition) -> Result<Vec<bool>> {
        if !matches!(
            m.op,
            FilterOp::Eq
                | FilterOp::Ne
                | FilterOp::Gt
                | FilterOp::Gte
                | FilterOp::Lt
                | FilterOp::Lte
        ) {
            return Err(Error::Invalid(format!(
                "a value condition takes eq, ne, gt, gte, lt or lte, not {}",
                crate::filter::op_name(m.op)
            )));
        }
        if m.column.is_some() && m.measure != Measure::Revenue {
            return Err(Error::Invalid(
                "only a revenue condition takes a \"column\"".into(),
            ));
        }
        let values = match m.measure {
            Measure::Revenue => self.revenue(m.column.as_deref())?,
            Measure::Sessions => self.sessions()?,
            Measure::DaysActive => days_active(self.ix),
            Measure::FirstSeen => first_seen_days(self.ix),
        };
        let target = match m.measure {
            Measure::FirstSeen => {
                let text = match &m.value {
                    serde_json::Value::String(s) => s.clone(),
                    v => v.to_string(),
                };
                let us = parse_bound(&text, false).map_err(|_| {
                    Error::Invalid(format!(
                        "the first_seen condition needs a date like \"2024-09-01\", got {}",
                        m.value
                    ))
                })?;
                us.div_euclid(DAY_MICROS) as f64
            }
            _ => numeric_target(&m.value, "a value condition")?,
        };
        Ok(values
            .into_iter()
            .map(|x| compare_num(m.op, x, target))
            .collect())
    }

    /// The sum of the value column over each unit's events (nulls count 0).
    pub fn revenue(&self, column: Option<&str>) -> Result<Vec<f64>> {
        let per_event = event_values(self.ws, self.ix, column)?;
        Ok((0..self.ix.units())
            .map(|u| {
                unit_range(self.ix, u)
                    .map(|i| per_event[i].unwrap_or(0.0))
                    .sum()
            })
            .collect())
    }

    /// Sessions per unit: 1 for a session index; for users, the distinct
    /// values of the session column, or derived sessions (a gap of more
    /// than 30 minutes starts a new one).
    pub fn sessions(&self) -> Result<Vec<f64>> {
        let ix = self.ix;
        if ix.unit == Unit::Sessions {
            return Ok(vec![1.0; ix.units()]);
        }
        let session_col = ix
            .record()
            .info
            .columns
            .iter()
            .find(|c| c.role == Some(Role::Session))
            .map(|c| c.name.clone());
        match session_col {
            Some(name) => {
                let s = ix.interned(self.ws, &name)?;
                Ok((0..ix.units())
                    .map(|u| {
                        let mut codes: Vec<u32> = unit_range(ix, u)
                            .map(|i| s.codes[i])
                            .filter(|&c| c != NULL_CODE)
                            .collect();
                        codes.sort_unstable();
                        codes.dedup();
                        codes.len() as f64
                    })
                    .collect())
            }
            None => Ok((0..ix.units())
                .map(|u| {
                    let r = unit_range(ix, u);
                    let gaps = (r.start + 1..r.end)
                        .filter(|&i| ix.time[i] - ix.time[i - 1] > crate::index::SESSION_GAP_MICROS)
                        .count();
                    (gaps + 1) as f64
                })
                .collect()),
        }
    }
}

/// Distinct UTC days with an event, per unit.
pub fn days_active(ix: &EventIndex) -> Vec<f64> {
    (0..ix.units())
        .map(|u| {
            let r = unit_range(ix, u);
            let mut days = 0;
            let mut last = None;
            for i in r {
                let d = ix.time[i].div_euclid(DAY_MICROS);
                if last != Some(d) {
                    days += 1;
                    last = Some(d);
                }
            }
            days as f64
        })
        .collect()
}

/// The day (since the epoch, UTC) of each unit's first event.
pub fn first_seen_days(ix: &EventIndex) -> Vec<f64> {
    (0..ix.units())
        .map(|u| ix.time[ix.unit_starts[u] as usize].div_euclid(DAY_MICROS) as f64)
        .collect()
}

/// The value column (role Value, or `column`) as numbers per event, in
/// index order (None for nulls).
pub fn event_values(
    ws: &Workspace,
    ix: &EventIndex,
    column: Option<&str>,
) -> Result<Vec<Option<f64>>> {
    let col = value_column(ws, ix, column)?;
    Ok((0..ix.len()).map(|i| value_at(&col, i)).collect())
}

/// The amount column of [`event_values`] (named, or the one with role
/// Value), in index order; an error when there is none or it holds no
/// amounts.
pub fn value_column(
    ws: &Workspace,
    ix: &EventIndex,
    column: Option<&str>,
) -> Result<std::sync::Arc<crate::column::Column>> {
    let name = match column {
        Some(c) => c.to_string(),
        None => ix
            .record()
            .info
            .columns
            .iter()
            .find(|c| c.role == Some(Role::Value))
            .map(|c| c.name.clone())
            .ok_or_else(|| {
                Error::missing_role(crate::model::Role::Value, format!(
                    "dataset \"{}\" has no value (revenue) column; give a column the value role, or name the column to use with \"column\"",
                    ix.dataset_name
                ))
            })?,
    };
    let col = ix.column(ws, &name)?;
    use crate::column::Values;
    match &col.values {
        Values::Float(_) => {}
        Values::Int(_) if matches!(col.ty, crate::model::ColumnType::Integer) => {}
        _ => {
            return Err(Error::Invalid(format!(
                "the column \"{name}\" of dataset \"{}\" holds {} values, not amounts; pick a number column for revenue",
                ix.dataset_name,
                col.ty.as_str()
            )))
        }
    }
    Ok(col)
}

/// Event `i`'s amount in a [`value_column`] (None: empty or not finite).
#[inline]
pub fn value_at(col: &crate::column::Column, i: usize) -> Option<f64> {
    use crate::column::Values;
    match &col.values {
        Values::Float(v) => (!col.is_null(i) && v[i].is_finite()).then(|| v[i]),
        Values::Int(v) => (!col.is_null(i)).then(|| v[i] as f64),
        _ => None,
    }
}

/// The mask of a segment over `ix`; `negate` gives its complement
/// ("everyone else").
pub fn segment_mask(
    ws: &Workspace,
    ix: &EventIndex,
    spec: &SegmentSpec,
    negate: bool,
) -> Result<Vec<bool>> {
    let m = Evaluator::new(ws, ix).members(spec)?;
    Ok(if negate {
        m.into_iter().map(|x| !x).collect()
    } else {
        m
    })
}

#[cfg(test)]
mod tests {
    use super::per_unit;

    /// Split over threads (from 20,000 units) or not, every unit's answer
    /// lands in its own place.
    #[test]
    fn per_unit_is_the_plain_map_in_order() {
        for n in [0, 1, 19_999, 20_000, 20_001, 123_457] {
            let f = |u: usize| (u.wrapping_mul(2_654_435_761) >> 7).is_multiple_of(3);
            let want: Vec<bool> = (0..n).map(f).collect();
            assert_eq!(per_unit(n, None, f), want, "{n} units");
            let only: Vec<bool> = (0..n).map(|u| !u.is_multiple_of(5)).collect();
            let want: Vec<bool> = (0..n).map(|u| only[u] && f(u)).collect();
            assert_eq!(per_unit(n, Some(&only), f), want, "{n} units, among");
        }
    }
}
