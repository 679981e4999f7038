//! The desktop shell: Tauri commands, each a line or two over the engine's
//! session facade (`stepwise_engine::session`). Long jobs run on a
//! blocking worker thread and stream progress through a Tauri Channel;
//! every error crosses the boundary as the engine's `ErrorInfo`
//! (`{code, message, missing_role?}`), with the app's own hints.

mod analyses;
mod dataset_extras;
mod datasets;
mod exports;
mod journeys;
mod recent;
mod report;
mod state;
mod value;
mod workspace;

use std::sync::Arc;

use stepwise_engine::session::Session;
use stepwise_engine::Error;

pub use state::{AppError, AppState, CmdResult};

/// The window event that carries an analysis's progress
/// (`stepwise_engine::job::AnalysisProgress`).
pub const ANALYSIS_PROGRESS: &str = "analysis-progress";

impl AppState {
    pub fn open(path: &std::path::Path) -> Result<AppState, Error> {
        Ok(AppState(Arc::new(Session::open(path)?)))
    }
}

/// Starts the app on the workspace that `STEPWISE_WORKSPACE` names, else
/// the default one in the platform's app-data folder (as the CLI does).
pub fn run() {
    let path = stepwise_engine::store::resolve_workspace_path(None);
    let state = match AppState::open(&path) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("Stepwise cannot open its workspace: {e}");
            std::process::exit(1);
        }
    };
    let session = state.0.clone();
    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .plugin(tauri_plugin_clipboard_manager::init())
        .setup(move |app| {
            recent::remember(app.handle(), &path);
            // analyses report progress to the window as the event
            // "analysis-progress" (the busy bar; a Cancel stops them)
            let handle = app.handle().clone();
            session.on_progress(Arc::new(move |p| {
                use tauri::Emitter;
                let _ = handle.emit(ANALYSIS_PROGRESS, p);
            }));
            Ok(())
        })
        .manage(state)
        .invoke_handler(tauri::generate_handler![
            workspace::workspace_info,
            workspace::open_workspace,
            recent::recent_workspaces,
            datasets::list_datasets,
            datasets::preview_rows,
            datasets::delete_dataset,
            datasets::rename_dataset,
            datasets::dataset_values,
            datasets::dataset_summary,
            datasets::import_files,
            datasets::import_sample,
            datasets::file_tables,
            datasets::append_dataset,
            datasets::reimport_dataset,
            datasets::cancel_import,
            analyses::cancel_analyses,
            analyses::save_item,
            analyses::list_items,
            analyses::delete_item,
            analyses::run_funnel,
            analyses::funnel_dropoff,
            analyses::count_segment,
            analyses::compare,
            analyses::impact,
            analyses::bottleneck_across,
            analyses::plan_sample_size,
            analyses::sample_ratio_check,
            exports::copy_chart,
            exports::save_chart_png,
            exports::export_report,
            exports::export_dropoff,
            exports::export_audience,
            exports::export_table,
            dataset_extras::get_clickhouse,
            dataset_extras::set_clickhouse,
            dataset_extras::event_tags,
            dataset_extras::set_event_tag,
            report::report_pages,
            value::run_value,
            value::export_wasted,
            journeys::run_paths,
            journeys::run_retention,
            journeys::export_path_node,
            journeys::export_path_edge,
        ])
        .run(tauri::generate_context!())
        .unwrap_or_else(|e| {
            eprintln!("Stepwise could not start its window: {e}");
            std::process::exit(1);
        });
}
