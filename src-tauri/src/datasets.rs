//! Datasets: listing, preview, values, renaming and deleting, and the
//! imports (files, sample data, append, re-import), which run on a worker
//! thread and stream progress through a Tauri Channel.

use std::path::Path;

use tauri::ipc::Channel;
use tauri::State;

use stepwise_engine::import::ImportReport;
use stepwise_engine::session::{self, FileChoice, FileTables, ImportOverrides, Session};
use stepwise_engine::{
    CancelToken, DatasetInfo, ErrorCode, ImportEvent, Job, Preview, Result, ValueCount, Workspace,
};

use crate::state::{AppError, AppState, CmdResult};

#[tauri::command(async)]
pub fn list_datasets(state: State<'_, AppState>) -> CmdResult<Vec<DatasetInfo>> {
    Ok(state.session().ws().datasets()?)
}

#[tauri::command(async)]
pub fn preview_rows(
    state: State<'_, AppState>,
    name: String,
    offset: u64,
    limit: u64,
) -> CmdResult<Preview> {
    Ok(state.session().ws().preview(&name, offset, limit)?)
}

#[tauri::command(async)]
pub fn delete_dataset(state: State<'_, AppState>, name: String) -> CmdResult<()> {
    Ok(state.session().delete_dataset(&name)?)
}

#[tauri::command(async)]
pub fn rename_dataset(state: State<'_, AppState>, from: String, to: String) -> CmdResult<()> {
    Ok(state.session().ws().rename_dataset(&from, &to)?)
}

/// Users, events and the period an event dataset covers (None for a
/// metric table), from the analysis index.
#[tauri::command(async)]
pub fn dataset_summary(
    state: State<'_, AppState>,
    name: String,
) -> CmdResult<Option<stepwise_engine::summary::DatasetSummary>> {
    Ok(state
        .session()
        .analyse(|ws, cache| stepwise_engine::summary::summarise(ws, &name, cache))?)
}

#[tauri::command(async)]
pub fn dataset_values(
    state: State<'_, AppState>,
    name: String,
    column: String,
    limit: usize,
) -> CmdResult<Vec<ValueCount>> {
    let session = state.session();
    Ok(session.working(|| session.ws().value_counts(&name, &column, limit))?)
}

/// Runs an import job of the session on a worker thread; each file's
/// progress goes to `on_progress`.
async fn run_import_job<T: Send + 'static>(
    state: &AppState,
    on_progress: Channel<ImportEvent>,
    work: impl FnOnce(&mut Workspace, &mut dyn FnMut(&str) -> Job<'static>) -> Result<T>
        + Send
        + 'static,
) -> CmdResult<T> {
    let session: std::sync::Arc<Session> = state.0.clone();
    let result = tauri::async_runtime::spawn_blocking(move || {
        session.run_job(|ws, cancel: &CancelToken| {
            let mut make_job = |file: &str| {
                let channel = on_progress.clone();
                let file = file.to_string();
                Job::new(cancel.clone(), move |progress| {
                    let _ = channel.send(ImportEvent {
                        file: file.clone(),
                        progress: progress.clone(),
                    });
                })
            };
            work(ws, &mut make_job)
        })
    })
    .await;
    match result {
        Ok(r) => Ok(r?),
        Err(e) => Err(AppError::new(
            ErrorCode::Internal,
            format!("The import stopped unexpectedly: {e}"),
        )),
    }
}

/// Imports dropped or chosen files, each as a new dataset; `choices` (one
/// per path, when given) names the sheet or table to read.
#[tauri::command]
pub async fn import_files(
    state: State<'_, AppState>,
    paths: Vec<String>,
    choices: Option<Vec<FileChoice>>,
    on_progress: Channel<ImportEvent>,
) -> CmdResult<Vec<ImportReport>> {
    let choices = choices.unwrap_or_default();
    run_import_job(&state, on_progress, move |ws, make_job| {
        session::import_files(ws, &paths, &choices, make_job)
    })
    .await
}

/// What a file holds for the sheet picker.
#[tauri::command(async)]
pub fn file_tables(path: String) -> CmdResult<FileTables> {
    Ok(session::file_tables(Path::new(&path))?)
}

/// Appends a newer export to an existing dataset (same columns), with
/// progress, in one transaction (a failed or cancelled append changes nothing).
#[tauri::command]
pub async fn append_dataset(
    state: State<'_, AppState>,
    name: String,
    path: String,
    choice: Option<FileChoice>,
    on_progress: Channel<ImportEvent>,
) -> CmdResult<ImportReport> {
    let choice = choice.unwrap_or_default();
    run_import_job(&state, on_progress, move |ws, make_job| {
        let mut job = make_job(&path);
        session::append_file(ws, &name, &path, &choice, &mut job)
    })
    .await
}

/// "Open sample store data": generates the bundled sample clickstream
/// beside the workspace and imports it as "Sample store".
#[tauri::command]
pub async fn import_sample(
    state: State<'_, AppState>,
    on_progress: Channel<ImportEvent>,
) -> CmdResult<Vec<ImportReport>> {
    let dir = session::sample_dir(&state.session().path());
    run_import_job(&state, on_progress, move |ws, make_job| {
        let file = dir.join("sample-store.csv");
        let mut job = make_job(&file.display().to_string());
        Ok(vec![session::import_sample(ws, &dir, &mut job)?])
    })
    .await
}

/// Re-reads a dataset's source file with the analyst's overrides and
/// replaces the dataset with the result, atomically (a failure or a cancel
/// leaves the old one as it was).
#[tauri::command]
pub async fn reimport_dataset(
    state: State<'_, AppState>,
    name: String,
    options: ImportOverrides,
) -> CmdResult<ImportReport> {
    let channel: Channel<ImportEvent> = Channel::new(|_| Ok(()));
    run_import_job(&state, channel, move |ws, make_job| {
        let source = ws
            .dataset(&name)?
            .info
            .source
            .unwrap_or_else(|| name.clone());
        let mut job = make_job(&source);
        session::reimport(ws, &name, &options, &mut job)
    })
    .await
}

/// Not `async`: it runs on the main thread at once, even while long
/// commands occupy every worker thread of the async runtime.
#[tauri::command]
pub fn cancel_import(state: State<'_, AppState>) {
    state.session().cancel_job();
}
