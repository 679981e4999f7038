//! The workspace: one SQLite file (WAL mode) holding datasets, their
//! columns (stored column by column in encoded chunks, see [`crate::column`]),
//! and saved work (funnels, segments, comparisons, impact analyses, reports)
//! as rows of JSON (`saved.rs`; their typed form is [`crate::saved`]). The
//! schema is versioned by `PRAGMA user_version` and migrated forward on open.

mod migrations;
mod saved;

pub use saved::{check_kind, convert_nothing, ConvertItem, SavedRow, ITEM_KINDS, LEGACY_PREFIX};

use crate::column::Column;
use crate::error::{Error, Result};
use crate::model::{ColumnInfo, ColumnType, DatasetInfo, DatasetKind, Role};
use rusqlite::{params, Connection, OptionalExtension, Transaction};
use std::path::{Path, PathBuf};

/// A SQLite error as the engine's error. The three a user can act on are
/// said plainly: a full disk, a workspace another program is writing, and
/// a read-only workspace file.
pub(crate) fn store_error(path: PathBuf, source: rusqlite::Error) -> Error {
    use rusqlite::ErrorCode;
    let code = match &source {
        rusqlite::Error::SqliteFailure(e, _) => Some(e.code),
        _ => None,
    };
    let plain = match code {
        Some(ErrorCode::DiskFull) => Some(
            "the disk is full, so the workspace could not grow; free some space and try again (nothing was stored)",
        ),
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => Some(
            "the workspace is busy: another Stepwise (or another program) is writing to it; try again when it has finished (nothing was stored)",
        ),
        Some(ErrorCode::ReadOnly) => Some(
            "the workspace file (or its -wal or -shm file beside it) is read-only, so nothing can be stored in it; make them writable or choose another workspace (nothing was stored)",
        ),
        _ => None,
    };
    match plain {
        Some(msg) => Error::Io {
            path,
            source: std::io::Error::other(msg),
        },
        None => Error::Store { path, source },
    }
}

/// How long a write waits for another writer to finish before it gives up
/// with "the workspace is busy".
pub const BUSY_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(10);

/// The environment variable that names the workspace file.
pub const WORKSPACE_ENV: &str = "STEPWISE_WORKSPACE";
/// The app's identifier; the default workspace lives in the platform's
/// app-data folder under it (the same folder Tauri's `app_data_dir` gives).
pub const APP_IDENTIFIER: &str = "app.stepwise.desktop";

pub struct Workspace {
    conn: Connection,
    path: PathBuf,
}

/// The workspace file a shell should open: an explicit path (`--workspace`)
/// first, then `STEPWISE_WORKSPACE`, then the platform default.
pub fn resolve_workspace_path(explicit: Option<&Path>) -> PathBuf {
    if let Some(p) = explicit {
        return p.to_path_buf();
    }
    if let Some(p) = std::env::var_os(WORKSPACE_ENV).filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    default_workspace_path()
}

pub fn default_workspace_path() -> PathBuf {
    let base = directories::BaseDirs::new()
        .map(|d| d.data_dir().to_path_buf())
        .unwrap_or_else(|| PathBuf::from("."));
    base.join(APP_IDENTIFIER).join("workspace.stepwise")
}

/// A dataset's row in the catalog, with its internal id.
#[derive(Debug, Clone)]
pub struct DatasetRecord {
    pub id: i64,
    pub info: DatasetInfo,
    pub content_hash: Option<String>,
}

/// Page size of a new workspace file (bytes).
pub const PAGE_SIZE: i64 = 65536;

impl Workspace {
    /// Opens (creating if needed) the workspace at `path` and migrates it,
    /// converting items saved before schema 3 with `convert`.
    /// `Workspace::open` (in [`crate::saved`], which knows the analyses'
    /// specs) is this with the saved items' own conversion; a layer below
    /// the analyses opening a scratch workspace passes [`convert_nothing`].
    pub fn open_with(path: &Path, convert: ConvertItem) -> Result<Workspace> {
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).map_err(|source| Error::Io {
                path: dir.to_path_buf(),
                source,
            })?;
        }
        let store_err = |source| store_error(path.to_path_buf(), source);
        let mut conn = Connection::open(path).map_err(store_err)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(store_err)?;
        // A new file gets 64 KiB pages: the workspace is mostly chunk blobs
        // of ~1 MB, which then span 16 pages instead of 256 (fewer page
        // writes, WAL frames and checksums on import, fewer overflow pages
        // to follow when the index reads them). Only takes effect before
        // the first table exists; an existing file keeps its page size.
        conn.pragma_update(None, "page_size", PAGE_SIZE)
            .map_err(store_err)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(store_err)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(store_err)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(store_err)?;
        migrations::migrate(&mut conn, path, convert)?;
        Ok(Workspace {
            conn,
            path: path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// How long writes wait for another writer (default [`BUSY_TIMEOUT`]).
    pub fn set_busy_timeout(&self, wait: std::time::Duration) -> Result<()> {
        self.conn.busy_timeout(wait).map_err(self.err())
    }

    /// Caps the workspace file at about `bytes` (SQLite's
    /// `max_page_count`, for this connection): a write that would grow it
    /// further fails as a full disk would. For tests of that path, and for
    /// a user who wants a bound.
    pub fn set_size_limit(&self, bytes: u64) -> Result<()> {
        let page: i64 = self
            .conn
            .pragma_query_value(None, "page_size", |r| r.get(0))
            .map_err(self.err())?;
        let pages = (bytes / page.max(512) as u64).max(1) as i64;
        self.conn
            .pragma_update(None, "max_page_count", pages)
            .map_err(self.err())
    }

    pub(crate) fn err(&self) -> impl Fn(rusqlite::Error) -> Error + '_ {
        move |source| store_error(self.path.clone(), source)
    }

    pub fn schema_version(&self) -> Result<i64> {
        self.conn
            .pragma_query_value(None, "user_version", |r| r.get(0))
            .map_err(self.err())
    }

    /// Every dataset, oldest first.
    pub fn datasets(&self) -> Result<Vec<DatasetInfo>> {
        let ids: Vec<i64> = {
            let mut st = self
                .conn
                .prepare("SELECT id FROM datasets ORDER BY id")
                .map_err(self.err())?;
            let rows = st.query_map([], |r| r.get(0)).map_err(self.err())?;
            rows.collect::<std::result::Result<_, _>>()
                .map_err(self.err())?
        };
        ids.into_iter()
            .map(|id| self.record_by_id(id).map(|r| r.info))
            .collect()
    }

    pub fn dataset(&self, name: &str) -> Result<DatasetRecord> {
        let id: Option<i64> = self
            .conn
            .query_row("SELECT id FROM datasets WHERE name = ?1", [name], |r| {
                r.get(0)
            })
            .optional()
            .map_err(self.err())?;
        match id {
            Some(id) => self.record_by_id(id),
            None => Err(Error::NoSuchDataset(name.to_string())),
        }
    }

    pub fn has_dataset(&self, name: &str) -> Result<bool> {
        self.conn
            .query_row("SELECT 1 FROM datasets WHERE name = ?1", [name], |_| Ok(()))
            .optional()
            .map(|o| o.is_some())
            .map_err(self.err())
    }

    /// Datasets imported from a file with this content hash.
    pub fn datasets_with_hash(&self, hash: &str) -> Result<Vec<String>> {
        let mut st = self
            .conn
            .prepare("SELECT name FROM datasets WHERE content_hash = ?1 ORDER BY id")
            .map_err(self.err())?;
        let rows = st.query_map([hash], |r| r.get(0)).map_err(self.err())?;
        rows.collect::<std::result::Result<_, _>>()
            .map_err(self.err())
    }

    /// Datasets whose content came from a file with this hash: the
    /// first file (content_hash) or an appended one (listed in meta).
    pub fn datasets_with_content(&self, hash: &str) -> Result<Vec<String>> {
        let mut st = self
            .conn
            .prepare(
                "SELECT name FROM datasets WHERE content_hash = ?1 OR instr(meta, ?1) > 0 ORDER BY id",
            )
            .map_err(self.err())?;
        let rows = st.query_map([hash], |r| r.get(0)).map_err(self.err())?;
        rows.collect::<std::result::Result<_, _>>()
            .map_err(self.err())
    }

    /// A dataset's metadata (JSON object; `{}` when none).
    pub fn dataset_meta(&self, name: &str) -> Result<serde_json::Value> {
        let meta: Option<String> = self
            .conn
            .query_row("SELECT meta FROM datasets WHERE name = ?1", [name], |r| {
                r.get(0)
            })
            .optional()
            .map_err(self.err())?;
        let meta = meta.ok_or_else(|| Error::NoSuchDataset(name.to_string()))?;
        Ok(serde_json::from_str(&meta).unwrap_or_else(|_| serde_json::json!({})))
    }

    /// Starts appending rows to an existing dataset, in one transaction
    /// (same columns; dropping the writer rolls back).
    pub fn append_dataset(&mut self, name: &str) -> Result<DatasetWriter<'_>> {
        let rec = self.dataset(name)?;
        let path = self.path.clone();
        let err = move |source| store_error(path.clone(), source);
        // take the write lock now (waiting for another writer), not at
        // the first insert
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(&err)?;
        let next_chunk: i64 = tx
            .query_row(
                "SELECT COALESCE(MAX(chunk) + 1, 0) FROM column_chunks WHERE dataset_id = ?1",
                [rec.id],
                |r| r.get(0),
            )
            .map_err(&err)?;
        Ok(DatasetWriter {
            tx,
            id: rec.id,
            ncols: rec.info.columns.len(),
            chunk: next_chunk,
            rows: rec.info.rows,
            path: self.path.clone(),
        })
    }

    fn record_by_id(&self, id: i64) -> Result<DatasetRecord> {
        #[allow(clippy::type_complexity)]
        let (name, kind, rows, source, imported_at, content_hash, stored): (
            String,
            String,
            i64,
            Option<String>,
            String,
            Option<String>,
            Option<i64>,
        ) = self
            .conn
            .query_row(
                "SELECT name, kind, rows, source, imported_at, content_hash, stored_bytes FROM datasets WHERE id = ?1",
                [id],
                |r| {
                    Ok((
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                        r.get(6)?,
                    ))
                },
            )
            .map_err(self.err())?;
        let mut st = self
            .conn
            .prepare(
                "SELECT name, type, role FROM dataset_columns WHERE dataset_id = ?1 ORDER BY idx",
            )
            .map_err(self.err())?;
        let columns = st
            .query_map([id], |r| {
                let ty: String = r.get(1)?;
                let role: Option<String> = r.get(2)?;
                Ok(ColumnInfo {
                    name: r.get(0)?,
                    ty: ColumnType::parse(&ty).unwrap_or(ColumnType::Text),
                    role: role.as_deref().and_then(Role::parse),
                })
            })
            .map_err(self.err())?
            .collect::<std::result::Result<Vec<_>, _>>()
            .map_err(self.err())?;
        // kept by DatasetWriter::finish (migration 6); summed only for a
        // dataset still being written
        let stored_bytes: i64 = match stored {
            Some(b) => b,
            None => self
                .conn
                .query_row(STORED_BYTES_SQL, [id], |r| r.get(0))
                .map_err(self.err())?,
        };
        Ok(DatasetRecord {
            id,
            info: DatasetInfo {
                name,
                kind: DatasetKind::parse(&kind).unwrap_or(DatasetKind::Metrics),
                rows: rows as u64,
                columns,
                source,
                imported_at,
                stored_bytes: stored_bytes as u64,
            },
            content_hash,
        })
    }

    /// Reads a whole column of a dataset (all chunks, in order).
    pub fn read_column(&self, dataset: &DatasetRecord, col: usize) -> Result<Column> {
        let ty = dataset
            .info
            .columns
            .get(col)
            .ok_or_else(|| Error::Internal(format!("no column {col}")))?
            .ty;
        let mut st = self
            .conn
            .prepare_cached(
                "SELECT data FROM column_chunks WHERE dataset_id = ?1 AND col = ?2 ORDER BY chunk",
            )
            .map_err(self.err())?;
        let mut rows = st
            .query(params![dataset.id, col as i64])
            .map_err(self.err())?;
        let mut whole = Column::empty(ty);
        let total = dataset.info.rows.div_ceil(crate::column::CHUNK_ROWS as u64);
        let stage = format!("Reading column \"{}\"", dataset.info.columns[col].name);
        let mut done = 0u64;
        while let Some(row) = rows.next().map_err(self.err())? {
            crate::job::step(&stage, done, total)?;
            done += 1;
            let blob = row.get_ref(0).map_err(self.err())?;
            let bytes = blob.as_blob().map_err(|e| Error::Internal(e.to_string()))?;
            whole.append(Column::decode(bytes)?)?;
        }
        crate::job::step(&stage, total, total)?;
        Ok(whole)
    }

    /// Rows `offset..offset+limit` of a dataset, reading only the chunks
    /// they fall in (the preview grid scrolls through millions this way).
    pub fn preview(&self, name: &str, offset: u64, limit: u64) -> Result<crate::model::Preview> {
        let rec = self.dataset(name)?;
        let total = rec.info.rows;
        let start = offset.min(total);
        let end = offset.saturating_add(limit.min(10_000)).min(total);
        let ncols = rec.info.columns.len();
        let mut rows: Vec<Vec<crate::column::Cell>> =
            (start..end).map(|_| Vec::with_capacity(ncols)).collect();
        if start < end {
            let first = start / crate::column::CHUNK_ROWS as u64;
            let last = (end - 1) / crate::column::CHUNK_ROWS as u64;
            let mut st = self
                .conn
                .prepare_cached(
                    "SELECT chunk, data FROM column_chunks WHERE dataset_id = ?1 AND col = ?2 AND chunk BETWEEN ?3 AND ?4 ORDER BY chunk",
                )
                .map_err(self.err())?;
            for col in 0..ncols {
                let mut q = st
                    .query(params![rec.id, col as i64, first as i64, last as i64])
                    .map_err(self.err())?;
                while let Some(row) = q.next().map_err(self.err())? {
                    let chunk: i64 = row.get(0).map_err(self.err())?;
                    let blob = row.get_ref(1).map_err(self.err())?;
                    let c = Column::decode(
                        blob.as_blob().map_err(|e| Error::Internal(e.to_string()))?,
                    )?;
                    let base = chunk as u64 * crate::column::CHUNK_ROWS as u64;
                    for i in 0..c.len() as u64 {
                        let r = base + i;
                        if r >= start && r < end {
                            rows[(r - start) as usize].push(display_cell(c.ty, c.cell(i as usize)));
                        }
                    }
                }
            }
        }
        Ok(crate::model::Preview {
            columns: rec.info.columns,
            rows,
            total,
        })
    }

    /// The most frequent values of a column with their counts (the step
    /// picker's list), most frequent first.
    pub fn value_counts(
        &self,
        name: &str,
        column: &str,
        limit: usize,
    ) -> Result<Vec<crate::model::ValueCount>> {
        let rec = self.dataset(name)?;
        let col = self.read_column_named(&rec, column)?;
        let mut counts: std::collections::HashMap<String, u64> = std::collections::HashMap::new();
        match &col.values {
            crate::column::Values::Text { dict, codes } => {
                let mut by_code = vec![0u64; dict.len()];
                for (i, &c) in codes.iter().enumerate() {
                    if !col.is_null(i) {
                        by_code[c as usize] += 1;
                    }
                }
                for (code, n) in by_code.into_iter().enumerate() {
                    if n > 0 {
                        *counts.entry(dict[code].clone()).or_default() += n;
                    }
                }
            }
            _ => {
                for i in 0..col.len() {
                    let key = match col.cell(i) {
                        crate::column::Cell::Null => continue,
                        crate::column::Cell::Int(x) => x.to_string(),
                        crate::column::Cell::Float(x) => x.to_string(),
                        crate::column::Cell::Bool(x) => x.to_string(),
                        crate::column::Cell::Text(s) => s,
                    };
                    *counts.entry(key).or_default() += 1;
                }
            }
        }
        let mut out: Vec<_> = counts
            .into_iter()
            .map(|(value, count)| crate::model::ValueCount { value, count })
            .collect();
        out.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
        out.truncate(limit);
        Ok(out)
    }

    /// Reads a column by name.
    pub fn read_column_named(&self, dataset: &DatasetRecord, name: &str) -> Result<Column> {
        let idx = dataset
            .info
            .columns
            .iter()
            .position(|c| c.name == name)
            .ok_or_else(|| {
                Error::Invalid(format!(
                    "dataset \"{}\" has no column \"{name}\"",
                    dataset.info.name
                ))
            })?;
        self.read_column(dataset, idx)
    }

    /// Starts writing a new dataset. Nothing is visible to anyone until
    /// [`DatasetWriter::finish`]; dropping the writer rolls everything back.
    pub fn create_dataset(
        &mut self,
        name: &str,
        kind: DatasetKind,
        columns: &[ColumnInfo],
        source: Option<&str>,
        content_hash: Option<&str>,
    ) -> Result<DatasetWriter<'_>> {
        let name = name.trim();
        if name.is_empty() {
            return Err(Error::Invalid("a dataset needs a name".into()));
        }
        if self.has_dataset(name)? {
            return Err(Error::DatasetExists(name.to_string()));
        }
        let path = self.path.clone();
        let err = move |source| store_error(path.clone(), source);
        // take the write lock now (waiting for another writer), not at
        // the first insert
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .map_err(&err)?;
        let now = now_rfc3339();
        tx.execute(
            "INSERT INTO datasets(name, kind, rows, source, imported_at, content_hash) VALUES (?1, ?2, 0, ?3, ?4, ?5)",
            params![name, kind.as_str(), source, now, content_hash],
        )
        .map_err(&err)?;
        let id = tx.last_insert_rowid();
        for (i, c) in columns.iter().enumerate() {
            tx.execute(
                "INSERT INTO dataset_columns(dataset_id, idx, name, type, role) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![id, i as i64, c.name, c.ty.as_str(), c.role.map(|r| r.as_str())],
            )
            .map_err(&err)?;
        }
        Ok(DatasetWriter {
            tx,
            id,
            ncols: columns.len(),
            chunk: 0,
            rows: 0,
            path: self.path.clone(),
        })
    }

    pub fn delete_dataset(&mut self, name: &str) -> Result<()> {
        let rec = self.dataset(name)?;
        let tx = self
            .conn
            .transaction()
            .map_err(|source| store_error(self.path.clone(), source))?;
        for sql in [
            "DELETE FROM column_chunks WHERE dataset_id = ?1",
            "DELETE FROM dataset_columns WHERE dataset_id = ?1",
            "DELETE FROM datasets WHERE id = ?1",
        ] {
            tx.execute(sql, [rec.id])
                .map_err(|source| store_error(self.path.clone(), source))?;
        }
        tx.commit()
            .map_err(|source| store_error(self.path.clone(), source))
    }

    pub fn rename_dataset(&mut self, from: &str, to: &str) -> Result<()> {
        let to = to.trim();
        if to.is_empty() {
            return Err(Error::Invalid("a dataset needs a name".into()));
        }
        let rec = self.dataset(from)?;
        if from != to && self.has_dataset(to)? {
            return Err(Error::DatasetExists(to.to_string()));
        }
        let tx = self
            .conn
            .transaction()
            .map_err(|source| store_error(self.path.clone(), source))?;
        for (sql, p) in [
            (
                "UPDATE datasets SET name = ?1 WHERE id = ?2",
                params![to, rec.id],
            ),
            (
                "UPDATE OR REPLACE clickhouse_connections SET dataset = ?1 WHERE dataset = ?2",
                params![to, from],
            ),
            (
                "UPDATE OR REPLACE event_tags SET dataset = ?1 WHERE dataset = ?2",
                params![to, from],
            ),
        ] {
            tx.execute(sql, p)
                .map_err(|source| store_error(self.path.clone(), source))?;
        }
        tx.commit()
            .map_err(|source| store_error(self.path.clone(), source))
    }

    /// The dataset's ClickHouse connection, if one is stored.
    pub fn clickhouse(&self, dataset: &str) -> Result<Option<crate::model::ClickhouseConnection>> {
        self.conn
            .query_row(
                "SELECT url, table_name, row_order FROM clickhouse_connections WHERE dataset = ?1",
                [dataset],
                |r| {
                    Ok(crate::model::ClickhouseConnection {
                        url: r.get(0)?,
                        table: r.get(1)?,
                        row_order: r.get(2)?,
                    })
                },
            )
            .optional()
            .map_err(self.err())
    }

    /// Stores (or with `None` forgets) the dataset's ClickHouse connection;
    /// the dataset must exist and the connection be well formed.
    pub fn set_clickhouse(
        &mut self,
        dataset: &str,
        conn: Option<&crate::model::ClickhouseConnection>,
    ) -> Result<()> {
        self.dataset(dataset)?;
        match conn {
            None => self
                .conn
                .execute(
                    "DELETE FROM clickhouse_connections WHERE dataset = ?1",
                    [dataset],
                )
                .map_err(self.err())?,
            Some(c) => {
                if let Some(p) = c.problem() {
                    return Err(Error::Invalid(p));
                }
                let t = |v: &Option<String>| v.as_ref().map(|x| x.trim().to_string());
                self.conn
                    .execute(
                        "INSERT OR REPLACE INTO clickhouse_connections (dataset, url, table_name, row_order) VALUES (?1, ?2, ?3, ?4)",
                        params![dataset, c.url.trim(), t(&c.table), t(&c.row_order)],
                    )
                    .map_err(self.err())?
            }
        };
        Ok(())
    }

    /// The dataset's tagged events (micro and macro conversions), by name.
    pub fn event_tags(&self, dataset: &str) -> Result<Vec<crate::model::TaggedEvent>> {
        use crate::model::{EventTag, TaggedEvent};
        let mut st = self
            .conn
            .prepare("SELECT event, tag FROM event_tags WHERE dataset = ?1 ORDER BY event")
            .map_err(self.err())?;
        let rows = st
            .query_map([dataset], |r| {
                let tag: String = r.get(1)?;
                Ok(TaggedEvent {
                    event: r.get(0)?,
                    tag: if tag == "macro" {
                        EventTag::Macro
                    } else {
                        EventTag::Micro
                    },
                })
            })
            .map_err(self.err())?;
        rows.collect::<std::result::Result<_, _>>()
            .map_err(self.err())
    }

    /// Tags `event` of `dataset` micro or macro, or (None) removes its tag.
    pub fn set_event_tag(
        &mut self,
        dataset: &str,
        event: &str,
        tag: Option<crate::model::EventTag>,
    ) -> Result<()> {
        let rec = self.dataset(dataset)?;
        if rec.info.kind == DatasetKind::Metrics {
            return Err(Error::Invalid(format!(
                "dataset \"{dataset}\" is a metric table: it has no events to tag"
            )));
        }
        let event = event.trim();
        if event.is_empty() {
            return Err(Error::Invalid("name the event to tag".into()));
        }
        match tag {
            None => self.conn.execute(
                "DELETE FROM event_tags WHERE dataset = ?1 AND event = ?2",
                params![dataset, event],
            ),
            Some(t) => self.conn.execute(
                "INSERT OR REPLACE INTO event_tags (dataset, event, tag) VALUES (?1, ?2, ?3)",
                params![dataset, event, t.as_str()],
            ),
        }
        .map_err(self.err())?;
        Ok(())
    }

    /// The raw connection, for engine modules that keep their own tables.
    #[allow(dead_code)]
    pub(crate) fn conn(&self) -> &Connection {
        &self.conn
    }
}

/// A dataset's stored size: the sum of its chunks' lengths.
const STORED_BYTES_SQL: &str =
    "SELECT COALESCE(SUM(LENGTH(data)), 0) FROM column_chunks WHERE dataset_id = ?1";

/// Writes a dataset's chunks inside one transaction.
pub struct DatasetWriter<'a> {
    tx: Transaction<'a>,
    id: i64,
    ncols: usize,
    chunk: i64,
    rows: u64,
    path: PathBuf,
}

impl DatasetWriter<'_> {
    fn err(&self) -> impl Fn(rusqlite::Error) -> Error + '_ {
        move |source| store_error(self.path.clone(), source)
    }

    /// Writes one chunk: a column per dataset column, all of the same length.
    pub fn write_chunk(&mut self, columns: &[Column]) -> Result<()> {
        if columns.len() != self.ncols {
            return Err(Error::Internal("chunk column count differs".into()));
        }
        let n = columns.first().map(|c| c.len()).unwrap_or(0);
        if columns.iter().any(|c| c.len() != n) {
            return Err(Error::Internal("chunk columns differ in length".into()));
        }
        if n == 0 {
            return Ok(());
        }
        {
            let mut st = self
                .tx
                .prepare_cached(
                    "INSERT INTO column_chunks(dataset_id, col, chunk, rows, data) VALUES (?1, ?2, ?3, ?4, ?5)",
                )
                .map_err(self.err())?;
            for (i, c) in columns.iter().enumerate() {
                st.execute(params![self.id, i as i64, self.chunk, n as i64, c.encode()])
                    .map_err(self.err())?;
            }
        }
        self.chunk += 1;
        self.rows += n as u64;
        Ok(())
    }

    /// Writes already encoded chunk blobs (one per column), e.g. from
    /// encoder threads. `rows` is the chunk's row count.
    pub fn write_encoded_chunk(&mut self, rows: usize, blobs: &[Vec<u8>]) -> Result<()> {
        if blobs.len() != self.ncols {
            return Err(Error::Internal("chunk column count differs".into()));
        }
        if rows == 0 {
            return Ok(());
        }
        {
            let mut st = self
                .tx
                .prepare_cached(
                    "INSERT INTO column_chunks(dataset_id, col, chunk, rows, data) VALUES (?1, ?2, ?3, ?4, ?5)",
                )
                .map_err(self.err())?;
            for (i, b) in blobs.iter().enumerate() {
                st.execute(params![self.id, i as i64, self.chunk, rows as i64, b])
                    .map_err(self.err())?;
            }
        }
        self.chunk += 1;
        self.rows += rows as u64;
        Ok(())
    }

    pub fn rows(&self) -> u64 {
        self.rows
    }

    /// Sets the content hash of the dataset being written (a one-pass
    /// import knows it only at the end).
    pub fn set_content_hash(&mut self, hash: &str) -> Result<()> {
        self.tx
            .execute(
                "UPDATE datasets SET content_hash = ?1 WHERE id = ?2",
                params![hash, self.id],
            )
            .map_err(self.err())?;
        Ok(())
    }

    /// Other datasets whose content came from a file with this hash, as
    /// [`Workspace::datasets_with_content`] finds them.
    pub fn others_with_content(&self, hash: &str) -> Result<Vec<String>> {
        let mut st = self
            .tx
            .prepare(
                "SELECT name FROM datasets WHERE id != ?2 AND (content_hash = ?1 OR instr(meta, ?1) > 0) ORDER BY id",
            )
            .map_err(self.err())?;
        let rows = st
            .query_map(params![hash, self.id], |r| r.get(0))
            .map_err(self.err())?;
        rows.collect::<std::result::Result<_, _>>()
            .map_err(self.err())
    }

    /// Replaces the dataset's metadata (a JSON object) in this transaction.
    pub fn set_meta(&mut self, meta: &str) -> Result<()> {
        self.tx
            .execute(
                "UPDATE datasets SET meta = ?1 WHERE id = ?2",
                params![meta, self.id],
            )
            .map_err(self.err())?;
        Ok(())
    }

    /// Records the row count and commits. Only now does the dataset exist.
    pub fn finish(self) -> Result<()> {
        let bytes: i64 = self
            .tx
            .query_row(STORED_BYTES_SQL, [self.id], |r| r.get(0))
            .map_err(self.err())?;
        self.tx
            .execute(
                "UPDATE datasets SET rows = ?1, stored_bytes = ?3 WHERE id = ?2",
                params![self.rows as i64, self.id, bytes],
            )
            .map_err(self.err())?;
        let path = self.path.clone();
        self.tx.commit().map_err(|source| store_error(path, source))
    }
}

/// A cell as the preview shows it: instants, dates and durations as text
/// (UTC), everything else as stored.
pub fn display_cell(ty: ColumnType, cell: crate::column::Cell) -> crate::column::Cell {
    use crate::column::Cell;
    match (ty, cell) {
        (ColumnType::Timestamp, Cell::Int(us)) => Cell::Text(format_timestamp(us)),
        (ColumnType::Date, Cell::Int(days)) => Cell::Text(format_date(days)),
        (ColumnType::Duration, Cell::Int(ms)) => {
            let s = ms.unsigned_abs() / 1000;
            let sign = if ms < 0 { "-" } else { "" };
            Cell::Text(format!(
                "{sign}{:02}:{:02}:{:02}",
                s / 3600,
                s / 60 % 60,
                s % 60
            ))
        }
        (_, c) => c,
    }
}

// Dates and times are written by [`crate::calendar`]; re-exported here,
// where the workspace and its callers have always found them.
pub use crate::calendar::{format_date, format_timestamp, now_rfc3339};
