//! What each step of a funnel is worth (docs/value.md): the value table,
//! a what-if, the ranked opportunities and where the non-converters
//! stopped, with the engine's tables of them; and each wasted-traffic
//! bucket's audience as CSV.

use std::path::Path;

use tauri::State;

use stepwise_engine::session::{ChartView, ValueView};
use stepwise_engine::value::WastedAudience;

use crate::state::{AppState, CmdResult};

/// Runs a value spec (a funnel spec plus `value`, and optionally
/// `what_if`, `confidence`, `opportunity`, `wasted_top`); with `chart`,
/// the engine's chart of where the non-converters stopped comes along.
#[tauri::command(async)]
pub fn run_value(
    state: State<'_, AppState>,
    spec: serde_json::Value,
    chart: Option<ChartView>,
) -> CmdResult<ValueView> {
    Ok(state.session().value(spec, chart.as_ref())?)
}

/// Writes the units of one wasted-traffic bucket as CSV where the save
/// dialog said; returns how many.
#[tauri::command(async)]
pub fn export_wasted(
    state: State<'_, AppState>,
    spec: serde_json::Value,
    which: WastedAudience,
    path: String,
) -> CmdResult<u64> {
    Ok(state
        .session()
        .export_wasted(spec, &which, Path::new(&path))?)
}
