//! The desktop shell: Tauri commands, each a few lines over the engine.
//! Long jobs run on a blocking worker thread and stream progress through a
//! Tauri Channel; every error crosses the boundary as `{code, message}`.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use stepwise_engine::import::{self, ImportOptions};
use stepwise_engine::store::SavedItem;
use stepwise_engine::{
    CancelToken, DatasetInfo, Error, ErrorInfo, ImportEvent, Job, Preview, ValueCount, Workspace,
    WorkspaceInfo,
};
use tauri::ipc::Channel;
use tauri::State;

/// The app's state: the open workspace and the running job's cancel flag.
pub struct AppState {
    path: PathBuf,
    ws: Mutex<Workspace>,
    job: Mutex<Option<CancelToken>>,
}

type CmdResult<T> = Result<T, ErrorInfo>;

fn to_info(e: Error) -> ErrorInfo {
    ErrorInfo::from(&e)
}

impl AppState {
    pub fn open(path: &Path) -> Result<AppState, Error> {
        Ok(AppState {
            path: path.to_path_buf(),
            ws: Mutex::new(Workspace::open(path)?),
            job: Mutex::new(None),
        })
    }
    fn ws(&self) -> std::sync::MutexGuard<'_, Workspace> {
        self.ws.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[tauri::command]
fn workspace_info(state: State<'_, AppState>) -> CmdResult<WorkspaceInfo> {
    let n = state.ws().datasets().map_err(to_info)?.len();
    Ok(WorkspaceInfo {
        path: state.path.display().to_string(),
        datasets: n as u32,
    })
}

#[tauri::command]
fn list_datasets(state: State<'_, AppState>) -> CmdResult<Vec<DatasetInfo>> {
    state.ws().datasets().map_err(to_info)
}

#[tauri::command]
fn preview_rows(
    state: State<'_, AppState>,
    name: String,
    offset: u64,
    limit: u64,
) -> CmdResult<Preview> {
    state.ws().preview(&name, offset, limit).map_err(to_info)
}

#[tauri::command]
fn delete_dataset(state: State<'_, AppState>, name: String) -> CmdResult<()> {
    state.ws().delete_dataset(&name).map_err(to_info)
}

#[tauri::command]
fn rename_dataset(state: State<'_, AppState>, from: String, to: String) -> CmdResult<()> {
    state.ws().rename_dataset(&from, &to).map_err(to_info)
}

#[tauri::command]
fn dataset_values(
    state: State<'_, AppState>,
    name: String,
    column: String,
    limit: usize,
) -> CmdResult<Vec<ValueCount>> {
    state
        .ws()
        .value_counts(&name, &column, limit)
        .map_err(to_info)
}

#[tauri::command]
fn save_item(
    state: State<'_, AppState>,
    kind: String,
    name: String,
    spec: serde_json::Value,
) -> CmdResult<()> {
    state.ws().save_item(&kind, &name, &spec).map_err(to_info)
}

#[tauri::command]
fn list_items(state: State<'_, AppState>, kind: String) -> CmdResult<Vec<SavedItem>> {
    state.ws().list_items(&kind).map_err(to_info)
}

#[tauri::command]
fn delete_item(state: State<'_, AppState>, kind: String, name: String) -> CmdResult<bool> {
    state.ws().delete_item(&kind, &name).map_err(to_info)
}

/// Imports files one after another on a worker thread, each in its own
/// transaction, over a second connection to the workspace (WAL lets the
/// window keep reading meanwhile).
#[tauri::command]
async fn import_files(
    state: State<'_, AppState>,
    paths: Vec<String>,
    on_progress: Channel<ImportEvent>,
) -> CmdResult<Vec<DatasetInfo>> {
    let cancel = {
        let mut job = state.job.lock().unwrap_or_else(|p| p.into_inner());
        if job.is_some() {
            return Err(ErrorInfo {
                code: "busy".into(),
                message: "An import is already running; wait for it or cancel it.".into(),
            });
        }
        let token = CancelToken::new();
        *job = Some(token.clone());
        token
    };
    let ws_path = state.path.clone();
    let result = tauri::async_runtime::spawn_blocking(move || {
        let mut ws = Workspace::open(&ws_path)?;
        let mut done = Vec::new();
        for p in paths {
            let path = PathBuf::from(&p);
            let channel = on_progress.clone();
            let file = p.clone();
            let mut job = Job::new(cancel.clone(), move |progress| {
                let _ = channel.send(ImportEvent {
                    file: file.clone(),
                    progress: progress.clone(),
                });
            });
            done.push(import::import_file(
                &mut ws,
                &path,
                &ImportOptions::default(),
                &mut job,
            )?);
        }
        Ok::<_, Error>(done)
    })
    .await;
    *state.job.lock().unwrap_or_else(|p| p.into_inner()) = None;
    match result {
        Ok(r) => r.map_err(to_info),
        Err(e) => Err(ErrorInfo {
            code: "internal".into(),
            message: format!("the import stopped unexpectedly: {e}"),
        }),
    }
}

#[tauri::command]
fn cancel_import(state: State<'_, AppState>) {
    if let Some(t) = state.job.lock().unwrap_or_else(|p| p.into_inner()).as_ref() {
        t.cancel();
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
    tauri::Builder::default()
        .plugin(tauri_plugin_dialog::init())
        .manage(state)
        .invoke_handler(tauri::generate_handler![
            workspace_info,
            list_datasets,
            preview_rows,
            delete_dataset,
            rename_dataset,
            import_files,
            cancel_import,
            dataset_values,
            save_item,
            list_items,
            delete_item,
        ])
        .run(tauri::generate_context!())
        .unwrap_or_else(|e| {
            eprintln!("Stepwise could not start its window: {e}");
            std::process::exit(1);
        });
}
