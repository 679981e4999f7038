//! The report preview: the engine's own pages, as the PDF will print them.

use tauri::State;

use crate::state::{AppState, CmdResult};

/// Builds the report from its spec on the current data (the path
/// `export_report` takes) and returns every page as SVG, in order.
#[tauri::command(async)]
pub fn report_pages(state: State<'_, AppState>, spec: serde_json::Value) -> CmdResult<Vec<String>> {
    Ok(state.session().report_pages(spec)?)
}
