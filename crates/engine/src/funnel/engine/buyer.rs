//! Buyer status (`"breakdown": {"column": "$buyer_status"}`): is a unit's
//! counted attempt a first-time or a returning buyer's? See docs/funnel.md,
//! "Buyer status".
//!
//! A **goal event** is an event that passes the funnel's `where` filters and
//! matches its last step (event, page, the step's `where`), at any time
//! (before the date range too). The attempt is **returning** when the
//! unit's user (the unit itself when it has no user) has a goal event
//! strictly before the attempt's first step event, **first-time** otherwise.
//! Goal events at the same instant as the start (the line items of the
//! same order) are not earlier.

use super::*;
use crate::index::Unit;
use crate::model::Role;

pub(crate) struct Buyer {
    /// Per indexed event: whose goal events count as its prior purchases.
    key: Vec<u32>,
    /// Per key: the time of its first goal event (`i64::MAX`: none).
    first_goal: Vec<i64>,
}

impl Buyer {
    pub(crate) fn new(ws: &Workspace, ix: &EventIndex, spec: &FunnelSpec) -> Result<Buyer> {
        let n = ix.len();
        let units = ix.units();
        // the user of each event; sessions of one user share it, and a
        // session without a user is its own key
        let user_col = ix
            .record()
            .info
            .columns
            .iter()
            .find(|c| c.role == Some(Role::User))
            .map(|c| c.name.clone());
        let mut key = vec![0u32; n];
        let keys = match (ix.unit, user_col) {
            (Unit::Sessions, Some(col)) => {
                let users = ix.interned(ws, &col)?;
                let d = users.dict.len();
                for (u, w) in ix.unit_starts.windows(2).enumerate() {
                    let (a, b) = (w[0] as usize, w[1] as usize);
                    for (k, &c) in key[a..b].iter_mut().zip(&users.codes[a..b]) {
                        *k = if c == NULL_CODE { (d + u) as u32 } else { c };
                    }
                }
                d + units
            }
            _ => {
                for (u, w) in ix.unit_starts.windows(2).enumerate() {
                    key[w[0] as usize..w[1] as usize].fill(u as u32);
                }
                units
            }
        };
        // goal events: the funnel's filters and its last step, at any time
        let last = spec
            .steps
            .last()
            .ok_or_else(|| Error::Invalid("a funnel needs at least one step".into()))?;
        let mut goal = vec![PRESENT; n];
        for (col, f) in compile_filters(ws, ix, spec.filters.as_deref().unwrap_or_default())? {
            for (g, ok) in goal.iter_mut().zip(f.matches_all(&col)) {
                if !ok {
                    *g = 0;
                }
            }
        }
        let m = compile_matcher(
            ws,
            ix,
            last.event.as_deref(),
            last.page.as_ref(),
            last.filters.as_deref().unwrap_or_default(),
            "the last step",
            &mut Vec::new(),
        )?;
        apply(&m, 1, ix, &mut goal);
        let mut first_goal = vec![i64::MAX; keys];
        for p in 0..n {
            if goal[p] & 1 != 0 {
                let f = &mut first_goal[key[p] as usize];
                *f = (*f).min(ix.time[p]);
            }
        }
        Ok(Buyer { key, first_goal })
    }

    /// 0 (first-time) or 1 (returning) for an attempt whose first step
    /// event is indexed event `pos`, at time `start`.
    #[inline]
    pub(crate) fn status(&self, pos: usize, start: i64) -> usize {
        (self.first_goal[self.key[pos] as usize] < start) as usize
    }
}

/// The row names, by [`Buyer::status`].
pub(crate) const STATUS_NAMES: [&str; 2] = [FIRST_TIME, RETURNING];
