//! The desktop shell: Tauri commands, each a few lines over the engine.
//! Long jobs run on a blocking worker thread and stream progress through a
//! Tauri Channel; every error crosses the boundary as `{code, message}`.

use std::path::{Path, PathBuf};
use std::sync::Mutex;
use stepwise_engine::chart::{self, ChartData, ChartOptions, ChartSize, ThemeName};
use stepwise_engine::compare::{CompareResult, CompareSpec};
use stepwise_engine::dropoff::Dropoff;
use stepwise_engine::funnel::{FunnelResult, FunnelSpec};
use stepwise_engine::impact::{ImpactResult, ImpactSpec};
use stepwise_engine::import::{self, ImportOptions, ImportReport, TableInfo};
use stepwise_engine::index::{IndexCache, Unit};
use stepwise_engine::report::{ExportFormat, ReportSpec};
use stepwise_engine::segment::{SegmentResult, SegmentSpec};
use stepwise_engine::store::SavedItem;
use stepwise_engine::{
    CancelToken, ColumnType, DatasetInfo, Error, ErrorInfo, ImportEvent, Job, Preview, Role,
    ValueCount, Workspace, WorkspaceInfo,
};
use tauri::ipc::Channel;
use tauri::{Manager, State};
use tauri_plugin_clipboard_manager::ClipboardExt;

/// The app's state: the open workspace and the running job's cancel flag.
pub struct AppState {
    /// The open workspace's file (File > Open switches it).
    path: Mutex<PathBuf>,
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
            path: Mutex::new(path.to_path_buf()),
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
    fn path(&self) -> PathBuf {
        self.path.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
    /// Switches to another workspace file (created when missing): refused
    /// while an import runs; the index cache is cleared.
    fn switch(&self, path: &Path) -> CmdResult<()> {
        let job = self.job.lock().unwrap_or_else(|p| p.into_inner());
        if job.is_some() {
            return Err(ErrorInfo {
                code: "busy".into(),
                message:
                    "An import is running; wait for it or cancel it before switching workspaces."
                        .into(),
            });
        }
        let next = Workspace::open(path).map_err(to_info)?;
        *self.ws() = next;
        *self.path.lock().unwrap_or_else(|p| p.into_inner()) = path.to_path_buf();
        self.forget_indexes();
        Ok(())
    }
}

#[tauri::command(async)]
fn workspace_info(state: State<'_, AppState>) -> CmdResult<WorkspaceInfo> {
    let n = state.ws().datasets().map_err(to_info)?.len();
    Ok(WorkspaceInfo {
        path: state.path().display().to_string(),
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

/// Users, events and the period an event dataset covers (None for a
/// metric table), from the analysis index.
#[tauri::command(async)]
fn dataset_summary(
    state: State<'_, AppState>,
    name: String,
) -> CmdResult<Option<stepwise_engine::summary::DatasetSummary>> {
    state.analyse(|ws, cache| stepwise_engine::summary::summarise(ws, &name, cache))
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

/// How the app wants its charts drawn: the theme, the width of the view
/// (px) and an optional title.
#[derive(serde::Deserialize, Clone)]
struct ChartView {
    theme: ThemeName,
    width: u32,
    /// Series colours by name (a persona's own colour), for comparisons.
    #[serde(default)]
    colours: std::collections::HashMap<String, String>,
}

/// Height of a chart in the app, for its kind and width.
fn view_size(kind: &ChartData, width: u32) -> ChartSize {
    let width = width.clamp(480, 1800);
    let ratio = match kind {
        ChartData::Funnel(_) | ChartData::Comparison(_) => 0.46,
        ChartData::Impact(d) => (0.18 + 0.045 * d.items.len() as f64).clamp(0.3, 0.9),
        _ => 0.36,
    };
    let height = ((width as f64 * ratio) as u32).clamp(260, 720);
    ChartSize::Custom { width, height }
}

fn draw(chart: Option<ChartData>, view: Option<&ChartView>) -> CmdResult<Option<String>> {
    let (Some(chart), Some(view)) = (chart, view) else {
        return Ok(None);
    };
    let options = ChartOptions {
        theme: view.theme,
        size: view_size(&chart, view.width),
    };
    chart::render_svg(&chart, &options)
        .map(|svg| Some(chart::fonts::fit_text_lengths(&svg)))
        .map_err(to_info)
}

/// A result with the engine's charts of it (SVG), when the app asked.
#[derive(serde::Serialize)]
struct Charted<T> {
    #[serde(flatten)]
    result: T,
    #[serde(skip_serializing_if = "Option::is_none")]
    svg: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    trend_svg: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    histogram_svg: Option<String>,
}

impl<T> Charted<T> {
    fn plain(result: T, svg: Option<String>) -> Charted<T> {
        Charted {
            result,
            svg,
            trend_svg: None,
            histogram_svg: None,
        }
    }
}

/// Runs a funnel; the first run on a dataset builds its index, later
/// runs reuse it (the builder recomputes on every edit). With `chart`, the
/// engine's charts of the result come along as SVG (funnel, and the trend
/// and time-to-convert when the spec asks for them).
#[tauri::command(async)]
fn run_funnel(
    state: State<'_, AppState>,
    spec: FunnelSpec,
    chart: Option<ChartView>,
    title: Option<String>,
) -> CmdResult<Charted<FunnelResult>> {
    let r = state.analyse(|ws, cache| stepwise_engine::funnel::run_funnel(ws, &spec, cache))?;
    let t = title.as_deref();
    Ok(Charted {
        svg: draw(Some(chart::results::funnel(&spec, &r, t)), chart.as_ref())?,
        trend_svg: draw(chart::results::trend(&spec, &r, t), chart.as_ref())?,
        histogram_svg: draw(
            chart::results::time_to_convert(&spec, &r, t),
            chart.as_ref(),
        )?,
        result: r,
    })
}

/// Who dropped at `step` (0-based, >= 1): the count and the first rows.
#[tauri::command(async)]
fn funnel_dropoff(
    state: State<'_, AppState>,
    spec: FunnelSpec,
    step: usize,
    limit: usize,
) -> CmdResult<Dropoff> {
    state.analyse(|ws, cache| stepwise_engine::dropoff::dropoff(ws, &spec, cache, step, limit))
}

/// Writes everyone who dropped at `step` as CSV where the save dialog said;
/// returns how many.
#[tauri::command(async)]
fn export_dropoff(
    state: State<'_, AppState>,
    spec: FunnelSpec,
    step: usize,
    path: String,
) -> CmdResult<u64> {
    let file = std::fs::File::create(&path).map_err(|e| ErrorInfo {
        code: "io".into(),
        message: format!("Could not write {path}: {e}."),
    })?;
    let written = state.analyse(|ws, cache| {
        stepwise_engine::dropoff::write_dropoff_csv(
            ws,
            &spec,
            cache,
            step,
            std::io::BufWriter::new(file),
        )
    });
    if written.is_err() {
        // No half-written list left behind.
        let _ = std::fs::remove_file(&path);
    }
    written
}

/// A persona's live member count and a sample of members.
#[tauri::command(async)]
fn count_segment(state: State<'_, AppState>, spec: SegmentSpec) -> CmdResult<SegmentResult> {
    state.analyse(|ws, cache| {
        stepwise_engine::segment::segment_members(ws, &spec, cache, Unit::Users)
    })
}

#[tauri::command(async)]
fn compare(
    state: State<'_, AppState>,
    spec: CompareSpec,
    chart: Option<ChartView>,
) -> CmdResult<Charted<CompareResult>> {
    let r = state.analyse(|ws, cache| stepwise_engine::compare::run_compare(ws, &spec, cache))?;
    let mut data = chart::results::comparison(&spec, &r, None);
    if let (ChartData::Comparison(d), Some(view)) = (&mut data, &chart) {
        for se in &mut d.series {
            se.colour = view.colours.get(&se.name).cloned();
        }
    }
    let svg = draw(Some(data), chart.as_ref())?;
    Ok(Charted::plain(r, svg))
}

#[tauri::command(async)]
fn impact(
    state: State<'_, AppState>,
    spec: ImpactSpec,
    chart: Option<ChartView>,
) -> CmdResult<Charted<ImpactResult>> {
    let r = state.analyse(|ws, cache| stepwise_engine::impact::run_impact(ws, &spec, cache))?;
    let svg = draw(
        Some(chart::results::impact(&spec, &r, None)),
        chart.as_ref(),
    )?;
    Ok(Charted::plain(r, svg))
}

/// Scale of the images copied and saved: 2x for sharp slides.
const PNG_SCALE: f32 = 2.0;

/// Copies a chart (the engine's SVG, as shown) to the clipboard as an
/// image at 2x.
#[tauri::command(async)]
fn copy_chart(app: tauri::AppHandle, svg: String) -> CmdResult<()> {
    let (rgba, w, h) = chart::export::svg_to_rgba(&svg, PNG_SCALE).map_err(to_info)?;
    let image = tauri::image::Image::new_owned(rgba, w, h);
    app.clipboard().write_image(&image).map_err(|e| ErrorInfo {
        code: "clipboard".into(),
        message: format!("The chart could not be put on the clipboard: {e}."),
    })
}

/// Saves a chart as PNG at 2x where the save dialog said.
#[tauri::command(async)]
fn save_chart_png(svg: String, path: String) -> CmdResult<()> {
    let png = chart::export::svg_to_png(&svg, PNG_SCALE).map_err(to_info)?;
    std::fs::write(&path, png).map_err(|e| ErrorInfo {
        code: "io".into(),
        message: format!("Could not write {path}: {e}."),
    })
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
    let ws_path = state.path();
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

/// The sheet or table an import reads, chosen in the sheet picker.
#[derive(serde::Deserialize, Default, Clone)]
struct FileChoice {
    sheet: Option<String>,
    table: Option<usize>,
}

/// Imports dropped or chosen files, each as a new dataset; `choices` (one
/// per path, when given) names the sheet or table to read.
#[tauri::command]
async fn import_files(
    state: State<'_, AppState>,
    paths: Vec<String>,
    choices: Option<Vec<FileChoice>>,
    on_progress: Channel<ImportEvent>,
) -> CmdResult<Vec<ImportReport>> {
    let choices = choices.unwrap_or_default();
    run_import_job(&state, on_progress, move |ws, make_job| {
        let mut done = Vec::new();
        for (i, p) in paths.into_iter().enumerate() {
            let c = choices.get(i).cloned().unwrap_or_default();
            let opts = ImportOptions {
                sheet: c.sheet,
                table: c.table,
                ..Default::default()
            };
            let mut job = make_job(&p);
            done.push(import::import_file_report(
                ws,
                Path::new(&p),
                &opts,
                &mut job,
            )?);
        }
        Ok(done)
    })
    .await
}

/// What a file holds for the sheet picker: a workbook's sheets, or the
/// tables of a text file with several.
#[derive(serde::Serialize)]
struct FileTables {
    /// "sheets" (pick by title) or "tables" (pick by index).
    kind: &'static str,
    tables: Vec<TableInfo>,
}

/// Text files larger than this are not scanned for several tables before
/// the import (the import takes the largest).
const SCAN_LIMIT: u64 = 256 << 20;

#[tauri::command(async)]
fn file_tables(path: String) -> CmdResult<FileTables> {
    let p = Path::new(&path);
    if import::list_sheets(p).is_ok() {
        let tables = import::list_tables(p, &ImportOptions::default()).map_err(to_info)?;
        return Ok(FileTables {
            kind: "sheets",
            tables,
        });
    }
    let size = std::fs::metadata(p).map(|m| m.len()).unwrap_or(0);
    let tables = if size > SCAN_LIMIT {
        Vec::new()
    } else {
        // A file that cannot be read says so at the import, in its words.
        import::list_tables(p, &ImportOptions::default()).unwrap_or_default()
    };
    Ok(FileTables {
        kind: "tables",
        tables,
    })
}

/// Appends a newer export to an existing dataset (same columns), with
/// progress, in one transaction (a failed or cancelled append changes nothing).
#[tauri::command]
async fn append_dataset(
    state: State<'_, AppState>,
    name: String,
    path: String,
    choice: Option<FileChoice>,
    on_progress: Channel<ImportEvent>,
) -> CmdResult<ImportReport> {
    let c = choice.unwrap_or_default();
    let mut reports = run_import_job(&state, on_progress, move |ws, make_job| {
        let opts = ImportOptions {
            sheet: c.sheet,
            table: c.table,
            ..Default::default()
        };
        let mut job = make_job(&path);
        Ok(vec![import::append_file(
            ws,
            &name,
            Path::new(&path),
            &opts,
            &mut job,
        )?])
    })
    .await?;
    Ok(reports.remove(0))
}

// ---- workspaces -------------------------------------------------------------

/// How many recent workspaces are remembered.
const RECENT_MAX: usize = 8;

/// `path` first, then the others, without duplicates, at most [`RECENT_MAX`].
fn push_recent(list: Vec<String>, path: &str) -> Vec<String> {
    let mut out = vec![path.to_string()];
    out.extend(list.into_iter().filter(|p| p != path));
    out.truncate(RECENT_MAX);
    out
}

fn recent_file(app: &tauri::AppHandle) -> Option<PathBuf> {
    if let Some(d) = std::env::var_os("STEPWISE_CONFIG_DIR").filter(|d| !d.is_empty()) {
        return Some(PathBuf::from(d).join("recent-workspaces.json"));
    }
    app.path()
        .app_config_dir()
        .ok()
        .map(|d| d.join("recent-workspaces.json"))
}

fn read_recent(app: &tauri::AppHandle) -> Vec<String> {
    recent_file(app)
        .and_then(|f| std::fs::read_to_string(f).ok())
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or_default()
}

fn remember(app: &tauri::AppHandle, path: &Path) {
    let Some(file) = recent_file(app) else {
        return;
    };
    let list = push_recent(read_recent(app), &path.display().to_string());
    if let Some(dir) = file.parent() {
        let _ = std::fs::create_dir_all(dir);
    }
    if let Ok(text) = serde_json::to_string_pretty(&list) {
        // The list is a convenience: failing to save it is not an error.
        let _ = std::fs::write(file, text);
    }
}

/// The recent workspaces, most recent first (the open one included).
#[tauri::command(async)]
fn recent_workspaces(app: tauri::AppHandle) -> Vec<String> {
    read_recent(&app)
}

/// Opens another workspace (`create`: a new one, which must not exist yet)
/// and makes it the app's; the window then reloads its lists.
#[tauri::command(async)]
fn open_workspace(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    path: String,
    create: bool,
) -> CmdResult<WorkspaceInfo> {
    let mut p = PathBuf::from(&path);
    if create && p.extension().is_none() {
        p.set_extension("stepwise");
    }
    if create && p.exists() {
        return Err(ErrorInfo {
            code: "exists".into(),
            message: format!(
                "{} already exists; open it instead, or choose another name.",
                p.display()
            ),
        });
    }
    if !create && !p.is_file() {
        return Err(ErrorInfo {
            code: "not_found".into(),
            message: format!("There is no workspace at {}.", p.display()),
        });
    }
    state.switch(&p)?;
    remember(&app, &p);
    workspace_info(state)
}

/// "Open sample store data": generates the bundled sample clickstream
/// (50,000 events, deterministic) and imports it as "Sample store".
#[tauri::command]
async fn import_sample(
    state: State<'_, AppState>,
    on_progress: Channel<ImportEvent>,
) -> CmdResult<Vec<ImportReport>> {
    let dir = state
        .path()
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
        .plugin(tauri_plugin_clipboard_manager::init())
        .setup(move |app| {
            remember(app.handle(), &path);
            Ok(())
        })
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
            dataset_summary,
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
            funnel_dropoff,
            export_dropoff,
            copy_chart,
            save_chart_png,
            file_tables,
            append_dataset,
            recent_workspaces,
            open_workspace,
        ])
        .run(tauri::generate_context!())
        .unwrap_or_else(|e| {
            eprintln!("Stepwise could not start its window: {e}");
            std::process::exit(1);
        });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recent_workspaces_keep_the_last_eight_without_duplicates() {
        let mut list = Vec::new();
        for i in 0..10 {
            list = push_recent(list, &format!("/w/{i}.stepwise"));
        }
        assert_eq!(list.len(), RECENT_MAX);
        assert_eq!(list[0], "/w/9.stepwise");
        assert_eq!(list[7], "/w/2.stepwise");
        let list = push_recent(list, "/w/5.stepwise");
        assert_eq!(list.len(), RECENT_MAX);
        assert_eq!(list[0], "/w/5.stepwise");
        assert_eq!(list.iter().filter(|p| *p == "/w/5.stepwise").count(), 1);
    }
}
