//! The desktop shell: Tauri commands, each a few lines over the engine.
//! Long jobs run on a blocking worker thread and stream progress through a
//! Tauri Channel; every error crosses the boundary as `{code, message}`.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use stepwise_engine::compare::{CompareResult, CompareSpec};
use stepwise_engine::funnel::{FunnelResult, FunnelSpec};
use stepwise_engine::impact::{ImpactResult, ImpactSpec};
use stepwise_engine::import::{self, ImportOptions, ImportReport};
use stepwise_engine::index::{IndexCache, Unit};
use stepwise_engine::report::{ExportFormat, ReportSpec};
use stepwise_engine::segment::{SegmentResult, SegmentSpec};
use stepwise_engine::store::SavedItem;
use stepwise_engine::{
    CancelToken, ColumnType, DatasetInfo, Error, ErrorInfo, ImportEvent, Job, Preview, Role,
    ValueCount, Workspace, WorkspaceInfo,
};
use tauri::ipc::Channel;
use tauri::State;

/// The app's state: the open workspace and the running job's cancel flag.
pub struct AppState {
    path: PathBuf,
    ws: Mutex<Workspace>,
    job: Mutex<Option<CancelToken>>,
    /// Analysis indexes, built once per dataset and unit, reused on every edit.
    indexes: Mutex<IndexCache>,
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
            indexes: Mutex::new(IndexCache::new()),
        })
    }
    /// Drops cached indexes (a dataset was deleted or changed; SQLite may
    /// reuse its id).
    fn forget_indexes(&self) {
        self.indexes
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clear();
    }
    /// Runs an analysis on the workspace with the shared index cache.
    fn analyse<T>(
        &self,
        f: impl FnOnce(&Workspace, &mut IndexCache) -> Result<T, Error>,
    ) -> CmdResult<T> {
        let ws = self.ws();
        let mut cache = self.indexes.lock().unwrap_or_else(|p| p.into_inner());
        f(&ws, &mut cache).map_err(to_info)
    }
    fn ws(&self) -> std::sync::MutexGuard<'_, Workspace> {
        self.ws.lock().unwrap_or_else(|p| p.into_inner())
    }
}

#[tauri::command(async)]
fn workspace_info(state: State<'_, AppState>) -> CmdResult<WorkspaceInfo> {
    let n = state.ws().datasets().map_err(to_info)?.len();
    Ok(WorkspaceInfo {
        path: state.path.display().to_string(),
        datasets: n as u32,
    })
}

#[tauri::command(async)]
fn list_datasets(state: State<'_, AppState>) -> CmdResult<Vec<DatasetInfo>> {
    state.ws().datasets().map_err(to_info)
}

#[tauri::command(async)]
fn preview_rows(
    state: State<'_, AppState>,
    name: String,
    offset: u64,
    limit: u64,
) -> CmdResult<Preview> {
    state.ws().preview(&name, offset, limit).map_err(to_info)
}

#[tauri::command(async)]
fn delete_dataset(state: State<'_, AppState>, name: String) -> CmdResult<()> {
    state.ws().delete_dataset(&name).map_err(to_info)?;
    state.forget_indexes();
    Ok(())
}

#[tauri::command(async)]
fn rename_dataset(state: State<'_, AppState>, from: String, to: String) -> CmdResult<()> {
    state.ws().rename_dataset(&from, &to).map_err(to_info)
}

#[tauri::command(async)]
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

#[tauri::command(async)]
fn save_item(
    state: State<'_, AppState>,
    kind: String,
    name: String,
    spec: serde_json::Value,
) -> CmdResult<()> {
    state.ws().save_item(&kind, &name, &spec).map_err(to_info)
}

#[tauri::command(async)]
fn list_items(state: State<'_, AppState>, kind: String) -> CmdResult<Vec<SavedItem>> {
    state.ws().list_items(&kind).map_err(to_info)
}

#[tauri::command(async)]
fn delete_item(state: State<'_, AppState>, kind: String, name: String) -> CmdResult<bool> {
    state.ws().delete_item(&kind, &name).map_err(to_info)
}

/// Runs a funnel; the first run on a dataset builds its index, later
/// runs reuse it (the builder recomputes on every edit).
#[tauri::command(async)]
fn run_funnel(state: State<'_, AppState>, spec: FunnelSpec) -> CmdResult<FunnelResult> {
    state.analyse(|ws, cache| stepwise_engine::funnel::run_funnel(ws, &spec, cache))
}

/// A persona's live member count and a sample of members.
#[tauri::command(async)]
fn count_segment(state: State<'_, AppState>, spec: SegmentSpec) -> CmdResult<SegmentResult> {
    state.analyse(|ws, cache| {
        stepwise_engine::segment::segment_members(ws, &spec, cache, Unit::Users)
    })
}

#[tauri::command(async)]
fn compare(state: State<'_, AppState>, spec: CompareSpec) -> CmdResult<CompareResult> {
    state.analyse(|ws, cache| stepwise_engine::compare::run_compare(ws, &spec, cache))
}

#[tauri::command(async)]
fn impact(state: State<'_, AppState>, spec: ImpactSpec) -> CmdResult<ImpactResult> {
    state.analyse(|ws, cache| stepwise_engine::impact::run_impact(ws, &spec, cache))
}

/// Builds a report from its spec (running every section on the current
/// data) and writes it where the save dialog said.
#[tauri::command(async)]
fn export_report(
    state: State<'_, AppState>,
    spec: ReportSpec,
    path: String,
    format: ExportFormat,
) -> CmdResult<Vec<String>> {
    let files = state.analyse(|ws, cache| {
        stepwise_engine::report::export_report(ws, &spec, Path::new(&path), format, cache)
    })?;
    Ok(files.iter().map(|f| f.display().to_string()).collect())
}

/// Runs imports one after another on a worker thread, each in its own
/// transaction, over a second connection to the workspace (WAL lets the
/// window keep reading meanwhile). One job at a time; `cancel_import` stops it.
async fn run_import_job<F>(
    state: &AppState,
    on_progress: Channel<ImportEvent>,
    work: F,
) -> CmdResult<Vec<ImportReport>>
where
    F: FnOnce(
            &mut Workspace,
            &mut dyn FnMut(&str) -> Job<'static>,
        ) -> Result<Vec<ImportReport>, Error>
        + Send
        + 'static,
{
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
        work(&mut ws, &mut make_job)
    })
    .await;
    *state.job.lock().unwrap_or_else(|p| p.into_inner()) = None;
    state.forget_indexes();
    match result {
        Ok(r) => r.map_err(to_info),
        Err(e) => Err(ErrorInfo {
            code: "internal".into(),
            message: format!("the import stopped unexpectedly: {e}"),
        }),
    }
}

/// Imports dropped or chosen files, each as a new dataset.
#[tauri::command]
async fn import_files(
    state: State<'_, AppState>,
    paths: Vec<String>,
    on_progress: Channel<ImportEvent>,
) -> CmdResult<Vec<ImportReport>> {
    run_import_job(&state, on_progress, move |ws, make_job| {
        let mut done = Vec::new();
        for p in paths {
            let mut job = make_job(&p);
            done.push(import::import_file_report(
                ws,
                Path::new(&p),
                &ImportOptions::default(),
                &mut job,
            )?);
        }
        Ok(done)
    })
    .await
}

/// "Open sample store data": generates the bundled sample clickstream
/// (50,000 events, deterministic) and imports it as "Sample store".
#[tauri::command]
async fn import_sample(
    state: State<'_, AppState>,
    on_progress: Channel<ImportEvent>,
) -> CmdResult<Vec<ImportReport>> {
    let dir = state
        .path
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(std::env::temp_dir);
    run_import_job(&state, on_progress, move |ws, make_job| {
        let file = dir.join("sample-store.csv");
        stepwise_engine::generate::write_clickstream_file(
            &file,
            &stepwise_engine::generate::GenOptions::sample_store(),
        )
        .map_err(|source| Error::Io {
            path: file.clone(),
            source,
        })?;
        let opts = ImportOptions {
            name: Some("Sample store".into()),
            allow_duplicate: true,
            ..Default::default()
        };
        let mut job = make_job(&file.display().to_string());
        // The file stays beside the workspace: it is the dataset's source
        // (the mapping screen re-reads it).
        Ok(vec![import::import_file_report(
            ws, &file, &opts, &mut job,
        )?])
    })
    .await
}

/// The mapping screen's overrides for a re-import.
#[derive(serde::Deserialize)]
struct ImportOverrides {
    #[serde(default)]
    map: Vec<(Role, String)>,
    #[serde(default)]
    types: Vec<(String, ColumnType)>,
    time_zone: Option<String>,
}

/// Re-reads a dataset's source file with the analyst's overrides and
/// replaces the dataset with the result (the old one goes only once the
/// new one is stored).
#[tauri::command]
async fn reimport_dataset(
    state: State<'_, AppState>,
    name: String,
    options: ImportOverrides,
) -> CmdResult<ImportReport> {
    let source = {
        let ws = state.ws();
        let rec = ws.dataset(&name).map_err(to_info)?;
        rec.info.source.clone().ok_or_else(|| ErrorInfo {
            code: "invalid".into(),
            message: format!("\"{name}\" has no source file to read again."),
        })?
    };
    let channel: Channel<ImportEvent> = Channel::new(|_| Ok(()));
    let mut reports = run_import_job(&state, channel, move |ws, make_job| {
        let temp = format!("{name} (re-import)");
        let opts = ImportOptions {
            name: Some(temp.clone()),
            map: options.map,
            types: options.types,
            time_zone: options.time_zone,
            allow_duplicate: true,
            ..Default::default()
        };
        let mut job = make_job(&source);
        let mut report = import::import_file_report(ws, Path::new(&source), &opts, &mut job)?;
        ws.delete_dataset(&name)?;
        ws.rename_dataset(&temp, &name)?;
        report.dataset = ws.dataset(&name)?.info;
        Ok(vec![report])
    })
    .await?;
    Ok(reports.remove(0))
}

#[tauri::command(async)]
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
            run_funnel,
            import_sample,
            reimport_dataset,
            count_segment,
            compare,
            impact,
            export_report,
        ])
        .run(tauri::generate_context!())
        .unwrap_or_else(|e| {
            eprintln!("Stepwise could not start its window: {e}");
            std::process::exit(1);
        });
}
