//! The on-disk index cache: a derived, deletable folder beside the
//! workspace file (`<workspace>.index/`) holding built [`EventIndex`]es and
//! the interned extra columns queries loaded (breakdown columns), as flat
//! little-endian arrays that are memory-mapped back, so the first query in a
//! new process does not rebuild the index from the stored column chunks.
//!
//! - Files: `ds<id>-<unit>.idx` (the index) and `ds<id>-<unit>-c<col>.col`
//!   (column `col` interned, in index order).
//! - Every file starts with a header: magic, [`FORMAT_VERSION`], file kind,
//!   the dataset's fingerprint ([`fingerprint`]: catalog row, metadata,
//!   columns and roles, the list of stored chunks with their lengths, and the
//!   first bytes of the first chunk of every role column), the file length,
//!   and a table of sections with checksums for the small ones (dictionaries,
//!   metadata); the header has its own checksum. The big arrays are not
//!   checksummed (that would read them all), but every code and offset is
//!   range-checked before use, so a damaged file cannot crash a query.
//! - A file that is missing, short, of another version, of another
//!   fingerprint (the dataset was appended to, re-imported, re-mapped) or
//!   damaged is ignored and rewritten after a rebuild.
//! - Files are written to a temporary name and renamed, never written in
//!   place, so a mapped file never changes under a reader.
//! - `STEPWISE_INDEX_CACHE=off` turns the disk cache off; deleting the
//!   folder is always safe.

use super::arr::{Arr, Plain};
use super::{EventIndex, Interned, SessionSource, Unit, NULL_CODE};
use crate::store::{DatasetRecord, Workspace};
use sha2::{Digest, Sha256};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// Bump when the layout of cache files changes: older files are rebuilt.
pub const FORMAT_VERSION: u32 = 1;
/// The environment variable that turns the disk cache off (`off` or `0`).
pub const DISK_ENV: &str = "STEPWISE_INDEX_CACHE";
const MAGIC: &[u8; 8] = b"STPWIDX\0";
const KIND_INDEX: u32 = 1;
const KIND_COLUMN: u32 = 2;
const ALIGN: usize = 64;
const HEAD: usize = 64;

/// The cache folder of a workspace file: `<file>.index` beside it.
pub fn cache_dir(workspace: &Path) -> PathBuf {
    let mut s = workspace.as_os_str().to_os_string();
    s.push(".index");
    PathBuf::from(s)
}

/// Whether the environment turns the disk cache off.
pub fn disabled_by_env() -> bool {
    std::env::var(DISK_ENV)
        .map(|v| {
            matches!(
                v.trim().to_ascii_lowercase().as_str(),
                "off" | "0" | "no" | "false"
            )
        })
        .unwrap_or(false)
}

/// Where one index (dataset, unit) of one dataset version lives on disk.
#[derive(Debug, Clone)]
pub(crate) struct Slot {
    pub dir: PathBuf,
    pub dataset_id: i64,
    pub unit: Unit,
    pub fingerprint: [u8; 32],
}

impl Slot {
    fn stem(&self) -> String {
        format!("ds{}-{}", self.dataset_id, self.unit.as_str())
    }
    pub fn index_path(&self) -> PathBuf {
        self.dir.join(format!("{}.idx", self.stem()))
    }
    pub fn column_path(&self, col: usize) -> PathBuf {
        self.dir.join(format!("{}-c{col}.col", self.stem()))
    }
}

/// A fast 64-bit checksum (FxHash mix over 8-byte words).
fn checksum(bytes: &[u8]) -> u64 {
    let mut h = 0x243F_6A88_85A3_08D3u64 ^ bytes.len() as u64;
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let w = u64::from_le_bytes(c.try_into().unwrap_or_default());
        h = (h.rotate_left(5) ^ w).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
    let mut last = [0u8; 8];
    last[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
    h = (h.rotate_left(5) ^ u64::from_le_bytes(last)).wrapping_mul(0x517c_c1b7_2722_0a95);
    h ^ (h >> 29)
}

/// The fingerprint of a dataset's current version: everything the index is
/// built from, cheaply (no full column read).
pub(crate) fn fingerprint(ws: &Workspace, rec: &DatasetRecord) -> crate::Result<[u8; 32]> {
    let conn = ws.conn();
    let err = ws.err();
    let mut h = Sha256::new();
    h.update(FORMAT_VERSION.to_le_bytes());
    h.update(rec.id.to_le_bytes());
    let row: (String, i64, Option<String>, String, Option<String>, String) = conn
        .query_row(
            "SELECT kind, rows, source, imported_at, content_hash, meta FROM datasets WHERE id = ?1",
            [rec.id],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?, r.get(5)?)),
        )
        .map_err(&err)?;
    let field = |h: &mut Sha256, s: &str| {
        h.update((s.len() as u64).to_le_bytes());
        h.update(s.as_bytes());
    };
    field(&mut h, &row.0);
    h.update(row.1.to_le_bytes());
    field(&mut h, row.2.as_deref().unwrap_or("\u{0}"));
    field(&mut h, &row.3);
    field(&mut h, row.4.as_deref().unwrap_or("\u{0}"));
    field(&mut h, &row.5);
    for c in &rec.info.columns {
        field(&mut h, &c.name);
        field(&mut h, c.ty.as_str());
        field(&mut h, c.role.map(|r| r.as_str()).unwrap_or("-"));
    }
    // the chunks' ids from the index on (dataset, column, chunk) alone,
    // and their total size from the dataset's row: reading each chunk's
    // row for its length costs a 64 KB page per chunk (~1 s at 100M events)
    h.update(rec.info.stored_bytes.to_le_bytes());
    {
        let mut st = conn
            .prepare_cached(
                "SELECT id, col, chunk FROM column_chunks WHERE dataset_id = ?1 ORDER BY col, chunk",
            )
            .map_err(&err)?;
        let mut rows = st.query([rec.id]).map_err(&err)?;
        while let Some(r) = rows.next().map_err(&err)? {
            for i in 0..3 {
                let v: i64 = r.get(i).map_err(&err)?;
                h.update(v.to_le_bytes());
            }
        }
    }
    {
        // the first bytes of each role column: a dataset deleted and
        // imported again with other options, that happens to get the same
        // id, differs here even when the catalog looks alike
        let mut st = conn
            .prepare_cached(
                "SELECT substr(data, 1, 4096) FROM column_chunks WHERE dataset_id = ?1 AND col = ?2 ORDER BY chunk LIMIT 1",
            )
            .map_err(&err)?;
        for (i, c) in rec.info.columns.iter().enumerate() {
            if c.role.is_none() {
                continue;
            }
            let mut rows = st
                .query(rusqlite::params![rec.id, i as i64])
                .map_err(&err)?;
            if let Some(r) = rows.next().map_err(&err)? {
                if let Ok(b) = r.get_ref(0).map_err(&err)?.as_blob() {
                    h.update(b);
                }
            }
        }
    }
    Ok(h.finalize().into())
}

/// One section of a file to write: bytes, and whether to checksum them.
struct Section<'a>(&'a [u8], bool);

fn write_file(path: &Path, kind: u32, fp: &[u8; 32], sections: &[Section]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let table = HEAD + sections.len() * 24 + 8;
    let mut offs = Vec::with_capacity(sections.len());
    let mut at = table.next_multiple_of(ALIGN);
    for s in sections {
        offs.push(at);
        at = (at + s.0.len()).next_multiple_of(ALIGN);
    }
    let total = at;
    let mut head = Vec::with_capacity(table);
    head.extend_from_slice(MAGIC);
    head.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    head.extend_from_slice(&kind.to_le_bytes());
    head.extend_from_slice(fp);
    head.extend_from_slice(&(sections.len() as u32).to_le_bytes());
    head.extend_from_slice(&0u32.to_le_bytes());
    head.extend_from_slice(&(total as u64).to_le_bytes());
    for (s, &o) in sections.iter().zip(&offs) {
        head.extend_from_slice(&(o as u64).to_le_bytes());
        head.extend_from_slice(&(s.0.len() as u64).to_le_bytes());
        let sum = if s.1 { checksum(s.0) } else { 0 };
        head.extend_from_slice(&sum.to_le_bytes());
    }
    let sum = checksum(&head);
    head.extend_from_slice(&sum.to_le_bytes());

    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let name = path.file_name().and_then(|s| s.to_str()).unwrap_or("cache");
    let tmp = dir.join(format!(".{name}.tmp{}-{n}", std::process::id()));
    let result = (|| {
        let f = std::fs::File::create(&tmp)?;
        let mut w = std::io::BufWriter::with_capacity(1 << 20, f);
        w.write_all(&head)?;
        let mut pos = head.len();
        let zeros = [0u8; ALIGN];
        for (s, &o) in sections.iter().zip(&offs) {
            w.write_all(&zeros[..o - pos])?;
            w.write_all(s.0)?;
            pos = o + s.0.len();
        }
        w.write_all(&zeros[..total - pos])?;
        w.into_inner().map_err(|e| e.into_error())?;
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// A mapped cache file whose header checked out.
struct Mapped {
    map: Arc<memmap2::Mmap>,
    /// (offset, length in bytes, checksum or 0) of each section.
    sections: Vec<(usize, usize, u64)>,
}

impl Mapped {
    fn open(path: &Path, kind: u32, fp: &[u8; 32]) -> Option<Mapped> {
        let f = std::fs::File::open(path).ok()?;
        // SAFETY: cache files are only replaced by rename, never modified
        // in place; a file cut short by someone else is caught by the
        // length check below before any section is read.
        let map = unsafe { memmap2::Mmap::map(&f) }.ok()?;
        let b = &map[..];
        if b.len() < HEAD + 8 || &b[..8] != MAGIC {
            return None;
        }
        let u32_at = |o: usize| u32::from_le_bytes(b[o..o + 4].try_into().unwrap_or_default());
        let u64_at = |o: usize| u64::from_le_bytes(b[o..o + 8].try_into().unwrap_or_default());
        if u32_at(8) != FORMAT_VERSION || u32_at(12) != kind || &b[16..48] != fp {
            return None;
        }
        let ns = u32_at(48) as usize;
        if ns > 64 {
            return None;
        }
        let table = HEAD + ns * 24;
        if b.len() < table + 8 || u64_at(56) != b.len() as u64 {
            return None;
        }
        if checksum(&b[..table]) != u64_at(table) {
            return None;
        }
        let mut sections = Vec::with_capacity(ns);
        for i in 0..ns {
            let o = HEAD + i * 24;
            let (off, len, sum) = (u64_at(o) as usize, u64_at(o + 8) as usize, u64_at(o + 16));
            if off.checked_add(len)? > b.len() || !off.is_multiple_of(ALIGN) {
                return None;
            }
            sections.push((off, len, sum));
        }
        Some(Mapped {
            map: Arc::new(map),
            sections,
        })
    }
    /// A checksummed section's bytes.
    fn checked(&self, i: usize) -> Option<&[u8]> {
        let &(off, len, sum) = self.sections.get(i)?;
        let b = &self.map[off..off + len];
        (checksum(b) == sum).then_some(b)
    }
    fn arr<T: Plain>(&self, i: usize, len: usize) -> Option<Arr<T>> {
        let &(off, bytes, _) = self.sections.get(i)?;
        if bytes != len.checked_mul(std::mem::size_of::<T>())? {
            return None;
        }
        Arr::mapped(&self.map, off, len)
    }
}

fn encode_dict(dict: &[String]) -> Vec<u8> {
    let mut out = Vec::with_capacity(4 + dict.iter().map(|s| s.len() + 4).sum::<usize>());
    out.extend_from_slice(&(dict.len() as u32).to_le_bytes());
    for s in dict {
        out.extend_from_slice(&(s.len() as u32).to_le_bytes());
        out.extend_from_slice(s.as_bytes());
    }
    out
}

fn decode_dict(b: &[u8]) -> Option<Vec<String>> {
    let mut pos = 0;
    let u32_next = |b: &[u8], pos: &mut usize| -> Option<u32> {
        let v = u32::from_le_bytes(b.get(*pos..*pos + 4)?.try_into().ok()?);
        *pos += 4;
        Some(v)
    };
    let n = u32_next(b, &mut pos)? as usize;
    if n > b.len() {
        return None;
    }
    let mut dict = Vec::with_capacity(n);
    for _ in 0..n {
        let len = u32_next(b, &mut pos)? as usize;
        let s = b.get(pos..pos.checked_add(len)?)?;
        pos += len;
        dict.push(String::from_utf8(s.to_vec()).ok()?);
    }
    (pos == b.len()).then_some(dict)
}

/// Every code is below the dictionary's length or the null code.
fn codes_ok(codes: &[u32], dict_len: usize) -> bool {
    let n = dict_len as u32;
    codes.chunks(4096).all(|c| {
        c.iter()
            .fold(true, |ok, &x| ok & ((x < n) | (x == NULL_CODE)))
    })
}

#[derive(serde::Serialize, serde::Deserialize)]
struct IndexMeta {
    n: u64,
    units: u64,
    dropped: u64,
    sessions: String,
    event_column: Option<String>,
    page_column: Option<String>,
}

/// Writes a built index (errors are returned; callers ignore them, since
/// the cache is only an optimisation).
pub(crate) fn save_index(slot: &Slot, ix: &EventIndex) -> std::io::Result<()> {
    let meta = IndexMeta {
        n: ix.len() as u64,
        units: ix.units() as u64,
        dropped: ix.dropped_rows,
        sessions: match ix.sessions {
            SessionSource::None => "none",
            SessionSource::Column => "column",
            SessionSource::Derived => "derived",
        }
        .into(),
        event_column: ix.event_column.clone(),
        page_column: ix.page_column.clone(),
    };
    let meta = serde_json::to_vec(&meta).map_err(std::io::Error::other)?;
    let ev_dict = encode_dict(&ix.event.dict);
    let pg_dict = encode_dict(&ix.page.dict);
    write_file(
        &slot.index_path(),
        KIND_INDEX,
        &slot.fingerprint,
        &[
            Section(&meta, true),
            Section(ix.rows.as_bytes(), false),
            Section(ix.unit_of.as_bytes(), false),
            Section(ix.unit_starts.as_bytes(), false),
            Section(ix.time.as_bytes(), false),
            Section(ix.event.codes.as_bytes(), false),
            Section(&ev_dict, true),
            Section(ix.page.codes.as_bytes(), false),
            Section(&pg_dict, true),
        ],
    )
}

/// The parts of an index read back from disk (None: missing, stale or
/// damaged).
pub(crate) struct LoadedIndex {
    pub rows: Arr<u32>,
    pub unit_of: Arr<u32>,
    pub unit_starts: Arr<u32>,
    pub time: Arr<i64>,
    pub event: Interned,
    pub page: Interned,
    pub dropped: u64,
    pub sessions: SessionSource,
    pub event_column: Option<String>,
    pub page_column: Option<String>,
}

pub(crate) fn load_index(slot: &Slot, dataset_rows: u64) -> Option<LoadedIndex> {
    let m = Mapped::open(&slot.index_path(), KIND_INDEX, &slot.fingerprint)?;
    let meta: IndexMeta = serde_json::from_slice(m.checked(0)?).ok()?;
    let n = usize::try_from(meta.n).ok()?;
    let units = usize::try_from(meta.units).ok()?;
    if meta.n.checked_add(meta.dropped)? != dataset_rows || units > n {
        return None;
    }
    let sessions = match (slot.unit, meta.sessions.as_str()) {
        (Unit::Users, "none") => SessionSource::None,
        (Unit::Sessions, "column") => SessionSource::Column,
        (Unit::Sessions, "derived") => SessionSource::Derived,
        _ => return None,
    };
    let rows: Arr<u32> = m.arr(1, n)?;
    let unit_of: Arr<u32> = m.arr(2, n)?;
    let unit_starts: Arr<u32> = m.arr(3, units + 1)?;
    let time: Arr<i64> = m.arr(4, n)?;
    let event = Interned {
        codes: m.arr(5, n)?,
        dict: decode_dict(m.checked(6)?)?,
    };
    let page = Interned {
        codes: m.arr(7, n)?,
        dict: decode_dict(m.checked(8)?)?,
    };
    // offsets and codes are used as indexes: check them all
    if unit_starts[0] != 0 || unit_starts[units] as usize != n {
        return None;
    }
    // the checks read every mapped page (which also faults it in): the
    // row and unit arrays on a second thread, the rest on this one; the
    // second thread also touches each page of the times, which every query
    // reads, so that the first query does not pay for those faults
    let max_row = u32::try_from(dataset_rows).unwrap_or(u32::MAX);
    let (rows_ok, rest_ok) = std::thread::scope(|sc| {
        let other = sc.spawn(|| {
            let touched = time.iter().step_by(512).fold(0i64, |a, &t| a ^ t);
            std::hint::black_box(touched);
            rows.chunks(4096)
                .all(|c| c.iter().fold(true, |ok, &r| ok & (r < max_row)))
                && unit_of
                    .chunks(4096)
                    .all(|c| c.iter().fold(true, |ok, &u| ok & ((u as usize) < units)))
        });
        let rest = unit_starts.windows(2).all(|w| w[0] < w[1])
            && codes_ok(&event.codes, event.dict.len())
            && codes_ok(&page.codes, page.dict.len());
        (other.join().unwrap_or(false), rest)
    });
    if !(rows_ok && rest_ok) {
        return None;
    }
    Some(LoadedIndex {
        rows,
        unit_of,
        unit_starts,
        time,
        event,
        page,
        dropped: meta.dropped,
        sessions,
        event_column: meta.event_column,
        page_column: meta.page_column,
    })
}

#[derive(serde::Serialize, serde::Deserialize)]
struct ColumnMeta {
    column: String,
    idx: u64,
    n: u64,
}

pub(crate) fn save_column(
    slot: &Slot,
    idx: usize,
    name: &str,
    x: &Interned,
) -> std::io::Result<()> {
    let meta = ColumnMeta {
        column: name.to_string(),
        idx: idx as u64,
        n: x.codes.len() as u64,
    };
    let meta = serde_json::to_vec(&meta).map_err(std::io::Error::other)?;
    let dict = encode_dict(&x.dict);
    write_file(
        &slot.column_path(idx),
        KIND_COLUMN,
        &slot.fingerprint,
        &[
            Section(&meta, true),
            Section(x.codes.as_bytes(), false),
            Section(&dict, true),
        ],
    )
}

pub(crate) fn load_column(slot: &Slot, idx: usize, name: &str, n: usize) -> Option<Interned> {
    let m = Mapped::open(&slot.column_path(idx), KIND_COLUMN, &slot.fingerprint)?;
    let meta: ColumnMeta = serde_json::from_slice(m.checked(0)?).ok()?;
    if meta.column != name || meta.idx != idx as u64 || meta.n != n as u64 {
        return None;
    }
    let x = Interned {
        codes: m.arr(1, n)?,
        dict: decode_dict(m.checked(2)?)?,
    };
    codes_ok(&x.codes, x.dict.len()).then_some(x)
}

/// Removes cache files of datasets that no longer exist, and the column
/// files of `slot`'s (dataset, unit) from older versions. Best effort.
pub(crate) fn prune(ws: &Workspace, slot: &Slot) {
    let Ok(ids) = (|| -> rusqlite::Result<Vec<i64>> {
        let mut st = ws.conn().prepare("SELECT id FROM datasets")?;
        let ids = st.query_map([], |r| r.get(0))?;
        ids.collect()
    })() else {
        return;
    };
    let Ok(entries) = std::fs::read_dir(&slot.dir) else {
        return;
    };
    let own = format!("ds{}-{}-c", slot.dataset_id, slot.unit.as_str());
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(name) = name.to_str() else { continue };
        let Some(rest) = name.strip_prefix("ds") else {
            continue;
        };
        let id: Option<i64> = rest.split('-').next().and_then(|s| s.parse().ok());
        let gone = id.is_some_and(|id| !ids.contains(&id));
        let old_column = name.starts_with(&own)
            && Mapped::open(&e.path(), KIND_COLUMN, &slot.fingerprint).is_none();
        if gone || old_column {
            let _ = std::fs::remove_file(e.path());
        }
    }
}
