//! Funnels: the spec, the fast engine over an [`EventIndex`](crate::index::EventIndex),
//! funnels from metric tables, and a plain reference implementation the
//! fast path is tested against. The semantics are written down in
//! docs/funnel.md.

pub mod engine;
pub mod metric;
pub mod reference;
pub mod spec;
pub mod sql;

pub use engine::{
    run_on_index, run_on_index_masked, run_on_index_threads, MAX_EXCLUSIONS, MAX_STEPS,
};
pub use spec::*;

use crate::error::Result;
use crate::index::IndexCache;
use crate::model::DatasetKind;
use crate::store::Workspace;

/// Runs a funnel: on an event dataset through its (cached) index, on a
/// metric table by summing its metric column.
pub fn run_funnel(
    ws: &Workspace,
    spec: &FunnelSpec,
    cache: &mut IndexCache,
) -> Result<FunnelResult> {
    let rec = ws.dataset(&spec.dataset)?;
    if rec.info.kind == DatasetKind::Metrics {
        if spec.segment.is_some() {
            return Err(crate::Error::Invalid(format!(
                "dataset \"{}\" is a metric table: it has no users to put in a segment",
                rec.info.name
            )));
        }
        return metric::run_metric_funnel(ws, &rec, spec);
    }
    engine::plan(spec)?;
    let ix = cache.get(ws, &rec, spec.unit())?;
    let mask = funnel_mask(ws, &ix, spec)?;
    engine::run_on_index_masked(ws, &ix, spec, mask.as_deref())
}

/// The units a funnel's own `"segment"` lets in (None: every unit).
pub fn funnel_mask(
    ws: &Workspace,
    ix: &crate::index::EventIndex,
    spec: &FunnelSpec,
) -> Result<Option<Vec<bool>>> {
    spec.segment
        .as_deref()
        .map(|s| crate::segment::Evaluator::new(ws, ix).members(s))
        .transpose()
}
