//! Exports: charts (clipboard, PNG), reports, tables (CSV/XLSX), the
//! drop-off list and a persona's audience.

use std::path::Path;

use tauri::State;
use tauri_plugin_clipboard_manager::ClipboardExt;

use stepwise_engine::chart;
use stepwise_engine::report::ExportFormat;
use stepwise_engine::session::TableAnalysis;
use stepwise_engine::{Error, ErrorCode};

use crate::state::{AppError, AppState, CmdResult};

/// Scale of the images copied and saved: 2x for sharp slides.
const PNG_SCALE: f32 = 2.0;

/// Copies a chart (the engine's SVG, as shown) to the clipboard as an
/// image at 2x.
#[tauri::command(async)]
pub fn copy_chart(app: tauri::AppHandle, svg: String) -> CmdResult<()> {
    let (rgba, w, h) = chart::export::svg_to_rgba(&svg, PNG_SCALE)?;
    let image = tauri::image::Image::new_owned(rgba, w, h);
    app.clipboard().write_image(&image).map_err(|e| {
        AppError::new(
            ErrorCode::Clipboard,
            format!("The chart could not be put on the clipboard: {e}."),
        )
    })
}

/// Saves a chart as PNG at 2x where the save dialog said.
#[tauri::command(async)]
pub fn save_chart_png(svg: String, path: String) -> CmdResult<()> {
    let png = chart::export::svg_to_png(&svg, PNG_SCALE)?;
    std::fs::write(&path, png).map_err(|source| Error::Io {
        path: path.into(),
        source,
    })?;
    Ok(())
}

/// Builds a report from its spec (running every section on the current
/// data) and writes it where the save dialog said; returns the files.
#[tauri::command(async)]
pub fn export_report(
    state: State<'_, AppState>,
    spec: serde_json::Value,
    path: String,
    format: ExportFormat,
) -> CmdResult<Vec<String>> {
    let files = state
        .session()
        .export_report(spec, Path::new(&path), format)?;
    Ok(files.iter().map(|f| f.display().to_string()).collect())
}

/// Writes everyone who dropped at `step` as CSV where the save dialog said;
/// returns how many.
#[tauri::command(async)]
pub fn export_dropoff(
    state: State<'_, AppState>,
    spec: serde_json::Value,
    step: usize,
    path: String,
) -> CmdResult<u64> {
    Ok(state
        .session()
        .export_dropoff(spec, step, Path::new(&path))?)
}

/// Writes a persona's members (unit ids) as CSV; returns how many.
#[tauri::command(async)]
pub fn export_audience(
    state: State<'_, AppState>,
    spec: serde_json::Value,
    path: String,
) -> CmdResult<u64> {
    Ok(state.session().export_audience(spec, Path::new(&path))?)
}

/// Writes the table of a funnel, comparison or impact analysis (the one the
/// app shows and the report prints) as CSV or XLSX (`format`, else the
/// path's extension); returns the file written.
#[tauri::command(async)]
pub fn export_table(
    state: State<'_, AppState>,
    analysis: TableAnalysis,
    spec: serde_json::Value,
    path: String,
    format: Option<ExportFormat>,
) -> CmdResult<String> {
    let file = state
        .session()
        .export_table(analysis, spec, Path::new(&path), format)?;
    Ok(file.display().to_string())
}
