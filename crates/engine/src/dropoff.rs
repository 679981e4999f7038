//! Who dropped where: the units (users, or sessions when the funnel counts
//! sessions) that reached step k-1 of a funnel but not step k. The list is
//! read off the same per-unit outcome the funnel's counts add up, so its
//! length is always `count[k-1] - count[k]`.

use std::io::Write;

use serde::Serialize;
use ts_rs::TS;

use crate::csv_out::CsvWriter;
use crate::error::{Error, Result};
use crate::funnel::FunnelSpec;
use crate::index::{EventIndex, IndexCache};
use crate::model::DatasetKind;
use crate::segment::UnitIds;
use crate::store::Workspace;

/// The drop-off at one step, with its first rows.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Dropoff {
    /// The step not reached (0-based, at least 1).
    pub step: usize,
    /// Label of the step reached last (`step - 1`).
    pub from_label: String,
    /// Label of the step not reached.
    pub to_label: String,
    /// "users" or "sessions".
    pub unit: String,
    /// How many dropped there (`count[step-1] - count[step]`).
    #[ts(type = "number")]
    pub count: u64,
    /// Names of the id columns: `["user"]`, or `["user", "session"]`
    /// (`"session_start"` for sessions derived from a 30-minute gap).
    pub header: Vec<String>,
    /// The first `limit` units, in index order (by id).
    pub rows: Vec<Vec<String>>,
}

/// The index and the units (index positions) that dropped at `step`.
fn dropped_units(
    ws: &Workspace,
    spec: &FunnelSpec,
    cache: &mut IndexCache,
    step: usize,
) -> Result<(std::sync::Arc<EventIndex>, Vec<usize>)> {
    let k = spec.steps.len();
    if k < 2 {
        return Err(Error::Invalid(
            "a funnel needs at least two steps before anyone can drop out of it".into(),
        ));
    }
    if step == 0 || step >= k {
        return Err(Error::Invalid(format!(
            "step {} has no drop-off to list: choose a step from 2 to {k} (the first step is where units enter)",
            step + 1
        )));
    }
    let rec = ws.dataset(&spec.dataset)?;
    if rec.info.kind == DatasetKind::Metrics {
        return Err(Error::Invalid(format!(
            "dataset \"{}\" is a metric table: it has totals, not the users or sessions who dropped out",
            rec.info.name
        )));
    }
    let ix = cache.get(ws, &rec, spec.unit())?;
    let mask = crate::funnel::funnel_mask(ws, &ix, spec)?;
    let levels = crate::funnel::engine::unit_levels(ws, &ix, spec, mask.as_deref())?;
    let want = step as i32 - 1;
    let units = levels
        .iter()
        .enumerate()
        .filter(|(_, &l)| l == want)
        .map(|(u, _)| u)
        .collect();
    Ok((ix, units))
}

/// The units that reached step `step - 1` but not step `step` (0-based,
/// `step >= 1`), with the first `limit` of them.
pub fn dropoff(
    ws: &Workspace,
    spec: &FunnelSpec,
    cache: &mut IndexCache,
    step: usize,
    limit: usize,
) -> Result<Dropoff> {
    let (ix, units) = dropped_units(ws, spec, cache, step)?;
    let ids = UnitIds::new(ws, &ix)?;
    Ok(Dropoff {
        step,
        from_label: spec.step_label(step - 1),
        to_label: spec.step_label(step),
        unit: ix.unit.as_str().to_string(),
        count: units.len() as u64,
        header: ids.header().iter().map(|h| h.to_string()).collect(),
        rows: units
            .iter()
            .take(limit)
            .map(|&u| ids.cells(&ix, u))
            .collect(),
    })
}

/// Writes every unit that dropped at `step` as CSV (a header, then one row
/// per unit; cells a spreadsheet would run as a formula are neutralised);
/// returns the number of units written.
pub fn write_dropoff_csv<W: Write>(
    ws: &Workspace,
    spec: &FunnelSpec,
    cache: &mut IndexCache,
    step: usize,
    out: W,
) -> Result<u64> {
    let (ix, units) = dropped_units(ws, spec, cache, step)?;
    let ids = UnitIds::new(ws, &ix)?;
    let mut w = CsvWriter::new(out, "the drop-off list");
    w.text_row(ids.header())?;
    for &u in &units {
        w.text_row(ids.cells(&ix, u))?;
    }
    w.finish()?;
    Ok(units.len() as u64)
}
