//! Import: a file becomes a dataset in one transaction, or nothing is
//! stored. The format is sniffed from the content ([`sniff`]); delimited
//! text is streamed in two passes ([`delimited`]); workbooks go through
//! calamine ([`sheet`]); JSON and NDJSON are flattened ([`json`]). Types
//! are inferred ([`infer`]), then roles and presets decide what the columns
//! mean ([`roles`]). See docs/import.md.

pub mod delimited;
pub mod encode;
#[doc(hidden)]
pub mod fuzzing;
pub mod infer;
pub mod json;
pub mod plan;
pub mod roles;
pub mod sheet;
pub mod single;
pub mod sniff;
pub mod source;
pub mod text;

use crate::error::{Error, Location, Result};
use crate::job::Job;
use crate::model::{ColumnType, DatasetInfo, Progress, Role};
use crate::store::Workspace;
use encode::Sink;
use infer::{CellParser, NumStyle};
use plan::Plan;
use sniff::Format;
use std::io::Read;
use std::path::Path;

/// What the analyst asked for at import.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// The dataset's name; default: the file's name without extension.
    pub name: Option<String>,
    /// Role overrides (`--map ROLE=COLUMN`).
    pub map: Vec<(Role, String)>,
    /// The sheet of a workbook to import (default: the sheet with the
    /// largest table).
    pub sheet: Option<String>,
    /// Which table of a file with several (0-based, as [`list_tables`]
    /// lists them; default: the one with the most rows).
    pub table: Option<usize>,
    /// The time zone of timestamps written without one: `UTC` (default),
    /// a fixed offset such as `+02:00`, or an IANA name such as
    /// `Europe/Amsterdam` (daylight saving applied). Stored instants are
    /// UTC.
    pub time_zone: Option<String>,
    /// Import even when a dataset already holds a file with the same
    /// content.
    pub allow_duplicate: bool,
    /// Force the first row to be (true) or not be (false) the header.
    pub header: Option<bool>,
    /// Type overrides, by column name.
    pub types: Vec<(String, ColumnType)>,
}

/// What an import did, for the shells to show.
#[derive(Debug, Clone, serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct ImportReport {
    pub dataset: DatasetInfo,
    /// `delimited`, `json`, `ndjson`, `xlsx`, `xls`, `xlsb`, `ods`.
    pub format: String,
    pub encoding: Option<String>,
    pub delimiter: Option<String>,
    pub sheet: Option<String>,
    /// The table imported (0-based) and how many the file has.
    pub table: usize,
    pub tables: usize,
    pub preset: Option<String>,
    pub number_style: NumStyle,
    pub time_zone: String,
    /// Rows read from this file (for an append: the rows added).
    #[ts(type = "number")]
    pub rows_imported: u64,
    /// Totals and subtotal rows left out.
    #[ts(type = "number")]
    pub skipped_rows: u64,
    pub content_hash: String,
    pub notes: Vec<String>,
}

/// One table of a file, for the analyst to pick.
#[derive(Debug, Clone, PartialEq, serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct TableInfo {
    pub index: usize,
    pub title: Option<String>,
    pub columns: Vec<String>,
    #[ts(type = "number")]
    pub rows: u64,
    /// 1-based line (delimited text) or row (sheet) of the header.
    #[ts(type = "number")]
    pub line: u64,
}

/// Parses `ROLE=COLUMN` as given to `--map`.
pub fn parse_map(s: &str) -> Result<(Role, String)> {
    let (role, col) = s
        .split_once('=')
        .ok_or_else(|| Error::Invalid(format!("--map takes ROLE=COLUMN, not \"{s}\"")))?;
    let role = Role::parse(role.trim()).ok_or_else(|| {
        Error::Invalid(format!(
            "unknown role \"{}\" in --map; use one of user, session, time, event, page, value, item",
            role.trim()
        ))
    })?;
    Ok((role, col.trim().to_string()))
}

/// Parses a time zone option: `UTC`, `Z`, `+02:00`, `-0500`, `UTC+8`, or
/// an IANA name such as `Europe/Amsterdam`.
pub fn parse_time_zone(s: &str) -> Result<infer::Zone> {
    infer::Zone::parse(s).ok_or_else(|| {
        Error::Invalid(format!(
            "time zone \"{s}\" is not understood; give UTC, an offset such as +02:00, or a name such as Europe/Amsterdam"
        ))
    })
}

fn zone_of(opts: &ImportOptions) -> Result<infer::Zone> {
    match &opts.time_zone {
        Some(z) => parse_time_zone(z),
        None => Ok(infer::Zone::default()),
    }
}

/// Where the rows come from in the storing pass.
pub(crate) enum Source {
    Delimited(delimited::Pass2),
    /// Rows already in memory (sheets, JSON documents).
    Memory(Vec<Vec<String>>),
    Ndjson(json::NdPass2),
}

/// Everything decided before storing.
pub(crate) struct Prepared {
    pub plan: Plan,
    pub hash: String,
    pub bytes_total: u64,
    pub source: Source,
    /// For each stored column, the index of the source column.
    pub order: Vec<usize>,
    pub format: &'static str,
    pub encoding: Option<String>,
    pub delimiter: Option<String>,
    pub sheet: Option<String>,
    pub table: usize,
    pub tables: usize,
    pub skipped_rows: u64,
    pub style: NumStyle,
    pub notes: Vec<String>,
}

fn io_err(path: &Path, source: std::io::Error) -> Error {
    Error::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// Reads the first bytes of a file, for the sniffers. Every import and
/// listing starts here, so a path that is not a regular file (a folder, a
/// named pipe, a device) is refused here, before it is opened.
fn read_head(path: &Path) -> Result<(Vec<u8>, u64)> {
    let meta = source::check_regular_file(path)?;
    let mut f = std::fs::File::open(path).map_err(|e| io_err(path, e))?;
    let mut head = Vec::with_capacity(sniff::SNIFF_BYTES);
    (&mut f)
        .take(sniff::SNIFF_BYTES as u64)
        .read_to_end(&mut head)
        .map_err(|e| io_err(path, e))?;
    Ok((head, meta.len()))
}

fn sniffed(path: &Path, head: &[u8]) -> Result<Format> {
    match sniff::sniff_format(head) {
        Format::Empty => Err(Error::bad_input(
            Location::file(path),
            "the file is empty; export the report again with its data",
        )),
        Format::NotTabular(what) => Err(Error::bad_input(
            Location::file(path),
            format!("this file is {what}, not a table Stepwise can import"),
        )),
        f => Ok(f),
    }
}

/// Sniffs, infers and plans, reading the file once (or loading a workbook
/// or JSON document).
fn prepare(path: &Path, opts: &ImportOptions, job: &mut Job) -> Result<Prepared> {
    let tz = zone_of(opts)?;
    let (head, total) = read_head(path)?;
    let format = sniffed(path, &head)?;
    job.report(&Progress {
        stage: "reading".into(),
        bytes_done: 0,
        bytes_total: total,
        rows_done: 0,
    });
    match format {
        Format::Delimited => {
            let scan = delimited::scan(path, &head, total, job)?;
            let i = delimited::choose_table(path, &scan.tables, opts.table)?;
            let chosen = delimited::with_header(&scan.tables[i], opts.header);
            let t = &chosen;
            let plan = delimited::plan_table(path, t, opts, tz, scan.style)?;
            let mut notes = Vec::new();
            if scan.tables.len() > 1 {
                notes.push(format!(
                    "the file holds {} tables; table {} ({}{} rows) was imported",
                    scan.tables.len(),
                    i + 1,
                    t.title
                        .as_ref()
                        .map(|s| format!("\"{s}\", "))
                        .unwrap_or_default(),
                    t.rows
                ));
            }
            if !t.has_header {
                notes.push(
                    "the file has no header row; columns are named column_1, column_2, …".into(),
                );
            }
            let width = plan.columns.len();
            Ok(Prepared {
                order: (0..width).collect(),
                source: Source::Delimited(delimited::Pass2 {
                    path: path.to_path_buf(),
                    encoding: scan.encoding,
                    dialect: scan.dialect,
                    range: t.data_range(),
                    width,
                    quoted: scan.quoted,
                }),
                plan,
                hash: scan.hash.clone(),
                bytes_total: scan.bytes,
                format: "delimited",
                encoding: Some(scan.encoding.name().to_string()),
                delimiter: Some(match scan.dialect.delimiter {
                    b'\t' => "tab".to_string(),
                    d => (d as char).to_string(),
                }),
                sheet: None,
                table: i,
                tables: scan.tables.len(),
                skipped_rows: t.totals as u64,
                style: scan.style,
                notes,
            })
        }
        Format::ZipWorkbook | Format::OleWorkbook => {
            sheet::prepare(path, format, opts, tz, total, job)
        }
        Format::Json | Format::Ndjson => json::prepare(path, format, opts, tz, total, job),
        Format::Empty | Format::NotTabular(_) => unreachable!("refused by sniffed()"),
    }
}

fn produce(p: &Prepared, sink: &mut Sink<'_>) -> Result<()> {
    match &p.source {
        Source::Delimited(d) => delimited::produce(d, &p.plan.parsers, &p.order, sink),
        Source::Memory(rows) => {
            let mut enc = encode::RowEncoder::new(&p.plan.parsers);
            for row in rows {
                enc.push_row(
                    p.order
                        .iter()
                        .map(|&i| row.get(i).map(|s| s.as_str()).unwrap_or("")),
                );
                if enc.is_full() {
                    sink(encode::Chunk {
                        columns: enc.take(),
                        raw: None,
                        bytes_done: 0,
                    })?;
                }
            }
            if enc.rows() > 0 {
                sink(encode::Chunk {
                    columns: enc.take(),
                    raw: None,
                    bytes_done: p.bytes_total,
                })?;
            }
            Ok(())
        }
        Source::Ndjson(n) => json::produce_nd(n, &p.plan.parsers, &p.order, sink),
    }
}

/// Imports `path` into the workspace as a new dataset.
pub fn import_file(
    ws: &mut Workspace,
    path: &Path,
    opts: &ImportOptions,
    job: &mut Job,
) -> Result<DatasetInfo> {
    import_file_report(ws, path, opts, job).map(|r| r.dataset)
}

/// The end of a new dataset's import: its meta, a last look for a cancel,
/// the commit, and the "done" progress.
pub(crate) fn commit_new(
    mut writer: crate::store::DatasetWriter<'_>,
    job: &mut Job,
    prepared: &Prepared,
    tz_name: &str,
    source: &str,
    rows: u64,
) -> Result<()> {
    writer.set_meta(&meta_json(prepared, tz_name, source, rows).to_string())?;
    job.check()?;
    writer.finish()
}

/// After an import's (or an append's) commit: the dataset's analysis index
/// is built and written to the disk cache ([`IndexCache::prepare_disk`]:
/// progress stage `indexing`), so that the first funnel in any process
/// loads it instead of building it; then the `done` progress. The data is
/// committed already: a failure here only leaves the first query to build
/// the index, as before.
///
/// [`IndexCache::prepare_disk`]: crate::index::IndexCache::prepare_disk
pub(crate) fn after_commit(ws: &Workspace, name: &str, job: &mut Job, bytes_total: u64, rows: u64) {
    let progress = |stage: &str| Progress {
        stage: stage.into(),
        bytes_done: bytes_total,
        bytes_total,
        rows_done: rows,
    };
    if let Ok(rec) = ws.dataset(name) {
        job.report(&progress("indexing"));
        crate::index::IndexCache::prepare_disk(ws, &rec);
    }
    job.report(&progress("done"));
}

fn meta_json(p: &Prepared, tz: &str, source: &str, rows: u64) -> serde_json::Value {
    serde_json::json!({
        "format": p.format,
        "encoding": p.encoding,
        "delimiter": p.delimiter,
        "sheet": p.sheet,
        "table": p.table,
        "preset": p.plan.preset,
        "number_style": p.style,
        "time_zone": tz,
        "files": [{
            "source": source,
            "content_hash": p.hash,
            "rows": rows,
            "imported_at": crate::store::now_rfc3339(),
        }],
    })
}

fn check_duplicate(ws: &Workspace, path: &Path, hash: &str, opts: &ImportOptions) -> Result<()> {
    if opts.allow_duplicate {
        return Ok(());
    }
    if let Some(name) = ws.datasets_with_content(hash)?.into_iter().next() {
        return Err(Error::Duplicate {
            dataset: name,
            path: path.to_path_buf(),
        });
    }
    Ok(())
}

/// Imports `path` as a new dataset and says how it was read.
pub fn import_file_report(
    ws: &mut Workspace,
    path: &Path,
    opts: &ImportOptions,
    job: &mut Job,
) -> Result<ImportReport> {
    import_file_with(ws, path, opts, job, Strategy::Auto).map(|(r, _)| r)
}

/// How delimited text is read (for tests and benchmarks; the shells use
/// [`Strategy::Auto`]).
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    /// The single pass when it can decide from the first
    /// [`single::PREFIX_BYTES`], else two passes.
    Auto,
    /// Two passes (scan, then store).
    TwoPass,
    /// The single pass deciding from this many first bytes.
    Prefix(usize),
}

/// Which way a delimited file was read.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadPath {
    SinglePass,
    TwoPass,
}

/// [`import_file_report`] with a chosen [`Strategy`]; says which way the
/// file was read.
#[doc(hidden)]
pub fn import_file_with(
    ws: &mut Workspace,
    path: &Path,
    opts: &ImportOptions,
    job: &mut Job,
    strategy: Strategy,
) -> Result<(ImportReport, ReadPath)> {
    let name = match &opts.name {
        Some(n) => n.trim().to_string(),
        None => default_name(path),
    };
    if ws.has_dataset(&name)? {
        return Err(Error::DatasetExists(name));
    }
    let prefix = match strategy {
        Strategy::Auto => Some(single::PREFIX_BYTES),
        Strategy::TwoPass => None,
        Strategy::Prefix(n) => Some(n),
    };
    if let Some(prefix) = prefix {
        zone_of(opts)?;
        let (head, total) = read_head(path)?;
        if sniffed(path, &head)? == Format::Delimited {
            if let Some(r) = single::try_import(ws, path, &name, opts, job, (&head, total), prefix)?
            {
                return Ok((r, ReadPath::SinglePass));
            }
        }
    }
    import_two_pass(ws, path, &name, opts, job).map(|r| (r, ReadPath::TwoPass))
}

fn import_two_pass(
    ws: &mut Workspace,
    path: &Path,
    name: &str,
    opts: &ImportOptions,
    job: &mut Job,
) -> Result<ImportReport> {
    let name = name.to_string();
    let prepared = prepare(path, opts, job)?;
    check_duplicate(ws, path, &prepared.hash, opts)?;
    let tz_name = zone_of(opts)?.name();
    let source = path.to_string_lossy().into_owned();
    let mut writer = ws.create_dataset(
        &name,
        prepared.plan.kind,
        &prepared.plan.columns,
        Some(&source),
        Some(&prepared.hash),
    )?;
    let rows = encode::store_chunks(
        &mut writer,
        job,
        prepared.bytes_total,
        &prepared.plan.parsers,
        |sink| produce(&prepared, sink),
    )?;
    if rows == 0 {
        return Err(Error::bad_input(
            Location::file(path),
            "the table has a header but no data rows",
        ));
    }
    commit_new(writer, job, &prepared, &tz_name, &source, rows)?;
    after_commit(ws, &name, job, prepared.bytes_total, rows);
    let info = ws.dataset(&name)?.info;
    Ok(report(prepared, info, tz_name, rows))
}

fn report(p: Prepared, info: DatasetInfo, tz: String, rows: u64) -> ImportReport {
    let preset = p
        .plan
        .preset
        .map(str::to_string)
        .or_else(|| roles::report_preset(&info.columns).map(str::to_string));
    ImportReport {
        dataset: info,
        format: p.format.to_string(),
        encoding: p.encoding,
        delimiter: p.delimiter,
        sheet: p.sheet,
        table: p.table,
        tables: p.tables,
        preset,
        number_style: p.style,
        time_zone: tz,
        rows_imported: rows,
        skipped_rows: p.skipped_rows,
        content_hash: p.hash,
        notes: p.notes,
    }
}

/// Appends a newer export of the same kind to an existing dataset, in one
/// transaction. The file must have every column of the dataset (by name);
/// its cells are read as the dataset's types. Extra columns are left out
/// (the report says which).
pub fn append_file(
    ws: &mut Workspace,
    dataset: &str,
    path: &Path,
    opts: &ImportOptions,
    job: &mut Job,
) -> Result<ImportReport> {
    let rec = ws.dataset(dataset)?;
    let meta = ws.dataset_meta(dataset)?;
    let mut opts = opts.clone();
    if opts.time_zone.is_none() {
        opts.time_zone = meta
            .get("time_zone")
            .and_then(|v| v.as_str())
            .map(str::to_string);
    }
    // the roles are the dataset's; the file's own guesses do not matter
    opts.map.clear();
    let mut prepared = prepare(path, &opts, job)?;
    check_duplicate(ws, path, &prepared.hash, &opts)?;
    let file_cols = &prepared.plan.columns;
    let mut order = Vec::with_capacity(rec.info.columns.len());
    let mut parsers: Vec<CellParser> = Vec::with_capacity(rec.info.columns.len());
    for col in &rec.info.columns {
        let i = file_cols
            .iter()
            .position(|c| c.name == col.name)
            .or_else(|| {
                file_cols
                    .iter()
                    .position(|c| roles::norm(&c.name) == roles::norm(&col.name))
            })
            .ok_or_else(|| {
                Error::bad_input(
                    Location::file(path).column(col.name.clone()),
                    format!(
                        "dataset \"{dataset}\" has this column but the file does not; append only a newer export of the same report"
                    ),
                )
            })?;
        let fp = prepared.plan.parsers[i];
        let fits = fp.ty == col.ty
            || col.ty == ColumnType::Text
            || (fp.ty == ColumnType::Integer && col.ty == ColumnType::Decimal)
            || (fp.ty == ColumnType::Text && file_column_empty(&prepared, i));
        if !fits {
            return Err(Error::bad_input(
                Location::file(path).column(col.name.clone()),
                format!(
                    "this column holds {} values here but {} values in dataset \"{dataset}\"",
                    fp.ty.as_str(),
                    col.ty.as_str()
                ),
            ));
        }
        let mut p = plan::retype(&fp, None, col.ty);
        if col.ty == ColumnType::Timestamp && fp.epoch.is_some() {
            p.epoch = fp.epoch;
        }
        order.push(i);
        parsers.push(p);
    }
    let extra: Vec<String> = file_cols
        .iter()
        .enumerate()
        .filter(|(i, _)| !order.contains(i))
        .map(|(_, c)| c.name.clone())
        .collect();
    if !extra.is_empty() {
        prepared.notes.push(format!(
            "columns not in the dataset were left out: {}",
            extra.join(", ")
        ));
    }
    prepared.order = order;
    prepared.plan.parsers = parsers;
    prepared.plan.columns = rec.info.columns.clone();
    prepared.plan.kind = rec.info.kind;
    let tz_name = zone_of(&opts)?.name();
    let source = path.to_string_lossy().into_owned();
    let mut meta = meta;
    let mut writer = ws.append_dataset(dataset)?;
    let rows = encode::store_chunks(
        &mut writer,
        job,
        prepared.bytes_total,
        &prepared.plan.parsers,
        |sink| produce(&prepared, sink),
    )?;
    if let Some(files) = meta.get_mut("files").and_then(|f| f.as_array_mut()) {
        files.push(serde_json::json!({
            "source": source,
            "content_hash": prepared.hash,
            "rows": rows,
            "imported_at": crate::store::now_rfc3339(),
        }));
    } else if let Some(obj) = meta.as_object_mut() {
        obj.insert(
            "files".into(),
            serde_json::json!([{ "source": source, "content_hash": prepared.hash, "rows": rows }]),
        );
    }
    writer.set_meta(&meta.to_string())?;
    job.check()?;
    writer.finish()?;
    after_commit(ws, dataset, job, prepared.bytes_total, rows);
    let info = ws.dataset(dataset)?.info;
    Ok(report(prepared, info, tz_name, rows))
}

fn file_column_empty(p: &Prepared, i: usize) -> bool {
    // a column that was all empty in the file is Text by default
    p.plan.parsers[i].ty == ColumnType::Text
        && p.plan.columns[i].role.is_none_or(|r| r == Role::Dimension)
}

/// The sheets of a workbook, in workbook order.
pub fn list_sheets(path: &Path) -> Result<Vec<String>> {
    let (head, _) = read_head(path)?;
    match sniffed(path, &head)? {
        f @ (Format::ZipWorkbook | Format::OleWorkbook) => sheet::list_sheets(path, f),
        _ => Err(Error::bad_input(
            Location::file(path),
            "this file is not a workbook, so it has no sheets",
        )),
    }
}

/// The tables of a file (several in GA4 snapshot CSVs, Matomo reports,
/// JSON documents with several lists; one in most files).
pub fn list_tables(path: &Path, opts: &ImportOptions) -> Result<Vec<TableInfo>> {
    let (head, total) = read_head(path)?;
    match sniffed(path, &head)? {
        Format::Delimited => {
            let scan = delimited::scan(path, &head, total, &mut Job::silent())?;
            Ok(scan
                .tables
                .iter()
                .enumerate()
                .map(|(i, t)| TableInfo {
                    index: i,
                    title: t.title.clone(),
                    columns: plan::header_names(&t.raw_header, t.width, t.has_header),
                    rows: t.rows,
                    line: t.line,
                })
                .collect())
        }
        f @ (Format::ZipWorkbook | Format::OleWorkbook) => sheet::list_tables(path, f, opts),
        f @ (Format::Json | Format::Ndjson) => json::list_tables(path, f),
        _ => Ok(Vec::new()),
    }
}

/// The file's name without its extension.
pub fn default_name(path: &Path) -> String {
    path.file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .filter(|s| !s.trim().is_empty())
        .unwrap_or_else(|| "dataset".to_string())
}
