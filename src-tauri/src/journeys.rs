//! Journeys: paths around an event, a page or a funnel step (with its
//! Sankey chart and node table) and retention cohorts (with the curve and
//! the cohort table), and a path node's units as an audience CSV.

use std::path::Path;

use tauri::State;

use stepwise_engine::retention::RetentionResult;
use stepwise_engine::session::{ChartView, Charted, PathsShown};

use crate::state::{AppState, CmdResult};

/// Where units went next (or came from): the engine's result, its Sankey
/// chart (SVG, with `chart`) and its node table (`shown`).
#[tauri::command(async)]
pub fn run_paths(
    state: State<'_, AppState>,
    spec: serde_json::Value,
    chart: Option<ChartView>,
) -> CmdResult<Charted<PathsShown>> {
    Ok(state.session().paths(spec, chart.as_ref())?)
}

/// Retention cohorts: the result, the curve (SVG, with `chart`) and the
/// cohort table (`shown`).
#[tauri::command(async)]
pub fn run_retention(
    state: State<'_, AppState>,
    spec: serde_json::Value,
    chart: Option<ChartView>,
) -> CmdResult<Charted<RetentionResult>> {
    Ok(state.session().retention(spec, chart.as_ref())?)
}

/// Writes the units through path node `node` (an index into the result's
/// nodes) as CSV where the save dialog said; returns how many.
#[tauri::command(async)]
pub fn export_path_node(
    state: State<'_, AppState>,
    spec: serde_json::Value,
    node: usize,
    path: String,
) -> CmdResult<u64> {
    Ok(state
        .session()
        .export_path_node(spec, node, Path::new(&path))?)
}

/// Writes the units through the path edge `from` -> `to` (indexes into the
/// result's nodes) as CSV where the save dialog said; returns how many.
#[tauri::command(async)]
pub fn export_path_edge(
    state: State<'_, AppState>,
    spec: serde_json::Value,
    from: usize,
    to: usize,
    path: String,
) -> CmdResult<u64> {
    Ok(state
        .session()
        .export_path_edge(spec, from, to, Path::new(&path))?)
}
