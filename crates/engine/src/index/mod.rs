//! The analysis index of an event dataset: its events sorted by (unit, time)
//! in columnar memory, with event names, pages and units interned, so that a
//! funnel is one pass over a few flat arrays.
//!
//! - Rows without a unit id or without a time are left out (counted in
//!   [`EventIndex::dropped_rows`]).
//! - The time column may be a timestamp (µs), a date (taken as midnight UTC),
//!   an integer epoch (seconds, milliseconds, microseconds or nanoseconds,
//!   guessed from the magnitude of the largest value) or a decimal epoch in
//!   seconds.
//! - Units: [`Unit::Users`] groups by the user column. [`Unit::Sessions`]
//!   groups by (user, session) when the dataset has a session column (or by
//!   session alone when it has no user column); without a session column,
//!   sessions are derived per user: a new session starts after more than 30
//!   minutes without an event ([`SESSION_GAP_MICROS`]).
//! - Other columns are loaded on demand, reordered to index order, and kept
//!   ([`EventIndex::column`]).
//!
//! Indexes are cached in memory by an [`IndexCache`] keyed by dataset id and
//! unit, so the app builds each once per dataset version.

mod arr;
pub mod disk;

pub use arr::{Arr, Plain};

use crate::column::{Column, Values};
use crate::error::{Error, Result};
use crate::model::{ColumnType, Role};
use crate::store::{DatasetRecord, Workspace};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use ts_rs::TS;

/// The code of a missing value in an interned column.
pub const NULL_CODE: u32 = u32::MAX;

/// The inactivity gap that ends a derived session: 30 minutes.
pub const SESSION_GAP_MICROS: i64 = 30 * 60 * 1_000_000;

/// What a funnel counts: people or visits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Unit {
    #[default]
    Users,
    Sessions,
}

impl Unit {
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Users => "users",
            Unit::Sessions => "sessions",
        }
    }
}

/// How sessions were found for a [`Unit::Sessions`] index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SessionSource {
    /// Not a session index.
    None,
    /// The dataset's session column.
    Column,
    /// Derived from a 30-minute inactivity gap per user.
    Derived,
}

/// A fast, non-cryptographic hasher for interning (the FxHash mix).
#[derive(Default, Clone, Copy)]
struct FxHasher(u64);

impl std::hash::Hasher for FxHasher {
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut b = [0u8; 8];
            b[..chunk.len()].copy_from_slice(chunk);
            self.0 =
                (self.0.rotate_left(5) ^ u64::from_le_bytes(b)).wrapping_mul(0x517c_c1b7_2722_0a95);
        }
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

type FxMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<FxHasher>>;

/// Text values with a dictionary: `dict[codes[i]]`, [`NULL_CODE`] for none.
#[derive(Debug, Clone, Default)]
pub struct Interned {
    pub dict: Vec<String>,
    pub codes: Arr<u32>,
}

impl Interned {
    pub fn get(&self, i: usize) -> Option<&str> {
        match self.codes[i] {
            NULL_CODE => None,
            c => Some(&self.dict[c as usize]),
        }
    }
    /// The code of a value, if it occurs.
    pub fn code_of(&self, s: &str) -> Option<u32> {
        self.dict.iter().position(|d| d == s).map(|p| p as u32)
    }
}

/// A dataset's events sorted by (unit, time, original row).
#[derive(Debug)]
pub struct EventIndex {
    pub dataset_id: i64,
    pub dataset_name: String,
    pub unit: Unit,
    pub sessions: SessionSource,
    /// The row of each indexed event in the dataset.
    pub rows: Arr<u32>,
    /// The unit of each event (0..units, in index order).
    pub unit_of: Arr<u32>,
    /// Event `i` of unit `u` is at `unit_starts[u] + i`; `units() + 1` entries.
    pub unit_starts: Arr<u32>,
    /// The time of each event, µs since the epoch, UTC.
    pub time: Arr<i64>,
    /// Event names (the column with role Event), interned.
    pub event: Interned,
    /// Pages (the column with role Page), interned.
    pub page: Interned,
    /// Dataset rows left out for want of a unit or a time.
    pub dropped_rows: u64,
    /// Name of the column holding event names / pages, if any.
    pub event_column: Option<String>,
    pub page_column: Option<String>,
    record: DatasetRecord,
    columns: Mutex<HashMap<String, Arc<Column>>>,
    interned: Mutex<HashMap<String, Arc<Interned>>>,
    /// Where this index and its interned columns are cached on disk.
    disk: Option<disk::Slot>,
}

fn role_column(rec: &DatasetRecord, role: Role) -> Option<usize> {
    rec.info.columns.iter().position(|c| c.role == Some(role))
}

/// Interns any column as text (numbers formatted, dates as YYYY-MM-DD,
/// timestamps as RFC 3339).
pub fn intern_column(col: &Column) -> Interned {
    match &col.values {
        Values::Text { dict, codes } => {
            let codes = match &col.valid {
                None => codes.clone().into(),
                Some(v) => codes
                    .iter()
                    .zip(v)
                    .map(|(&c, &ok)| if ok { c } else { NULL_CODE })
                    .collect(),
            };
            Interned {
                dict: dict.clone(),
                codes,
            }
        }
        _ => {
            let mut map: FxMap<String, u32> = FxMap::default();
            let mut dict = Vec::new();
            let codes = (0..col.len())
                .map(|i| match cell_text(col, i) {
                    None => NULL_CODE,
                    Some(s) => *map.entry(s.clone()).or_insert_with(|| {
                        dict.push(s);
                        (dict.len() - 1) as u32
                    }),
                })
                .collect();
            Interned { dict, codes }
        }
    }
}

/// A cell as text, as breakdowns show it; None for null.
pub fn cell_text(col: &Column, i: usize) -> Option<String> {
    if col.is_null(i) {
        return None;
    }
    Some(match &col.values {
        Values::Text { dict, codes } => dict[codes[i] as usize].clone(),
        Values::Float(v) => format_float(v[i]),
        Values::Bool(v) => v[i].to_string(),
        Values::Int(v) => match col.ty {
            ColumnType::Date => format_date(v[i]),
            ColumnType::Timestamp => format_timestamp(v[i]),
            _ => v[i].to_string(),
        },
    })
}

fn format_float(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

/// Days since the epoch as YYYY-MM-DD (the preview's format too).
pub use crate::calendar::format_date;
/// µs since the epoch as RFC 3339 UTC (seconds precision).
pub use crate::calendar::format_rfc3339 as format_timestamp;

/// Interns byte strings into dense codes in order of first appearance,
/// keeping them in one arena (no allocation per string).
struct ByteInterner {
    arena: Vec<u8>,
    /// Entry `c` is `arena[starts[c]..starts[c + 1]]`.
    starts: Vec<usize>,
    hashes: Vec<u64>,
    /// Open addressing: 0 = empty, else (high 32 bits of the hash) << 32 |
    /// (code + 1), so most misses are told apart without reading the arena.
    table: Vec<u64>,
}

impl ByteInterner {
    fn new() -> Self {
        ByteInterner {
            arena: Vec::new(),
            starts: vec![0],
            hashes: Vec::new(),
            table: vec![0; 1024],
        }
    }
    fn len(&self) -> usize {
        self.hashes.len()
    }
    #[inline]
    fn hash(b: &[u8]) -> u64 {
        let mut h = b.len() as u64;
        let mut chunks = b.chunks_exact(8);
        for c in &mut chunks {
            let w = u64::from_le_bytes(c.try_into().unwrap_or_default());
            h = (h.rotate_left(5) ^ w).wrapping_mul(0x517c_c1b7_2722_0a95);
        }
        let mut last = [0u8; 8];
        last[..chunks.remainder().len()].copy_from_slice(chunks.remainder());
        h = (h.rotate_left(5) ^ u64::from_le_bytes(last)).wrapping_mul(0x517c_c1b7_2722_0a95);
        // the multiply only carries upwards: mix the high bits (where the
        // last bytes of ids like "u000123" land) into the low ones the
        // table uses (murmur3's finalizer)
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
    }
    fn get(&self, c: usize) -> &[u8] {
        &self.arena[self.starts[c]..self.starts[c + 1]]
    }
    #[inline]
    fn entry(h: u64, c: usize) -> u64 {
        (h & 0xFFFF_FFFF_0000_0000) | (c as u64 + 1)
    }
    fn grow(&mut self) {
        let size = self.table.len() * 2;
        let mask = size - 1;
        let mut table = vec![0u64; size];
        for (c, &h) in self.hashes.iter().enumerate() {
            let mut i = h as usize & mask;
            while table[i] != 0 {
                i = (i + 1) & mask;
            }
            table[i] = Self::entry(h, c);
        }
        self.table = table;
    }
    #[inline]
    fn intern(&mut self, b: &[u8]) -> u32 {
        if (self.len() + 1) * 2 > self.table.len() {
            self.grow();
        }
        let h = Self::hash(b);
        let tag = h & 0xFFFF_FFFF_0000_0000;
        let mask = self.table.len() - 1;
        let mut i = h as usize & mask;
        loop {
            let slot = self.table[i];
            if slot == 0 {
                let c = self.len();
                self.arena.extend_from_slice(b);
                self.starts.push(self.arena.len());
                self.hashes.push(h);
                self.table[i] = Self::entry(h, c);
                return c as u32;
            }
            if slot & 0xFFFF_FFFF_0000_0000 == tag {
                let c = (slot as u32 - 1) as usize;
                if self.get(c) == b {
                    return c as u32;
                }
            }
            i = (i + 1) & mask;
        }
    }
    fn into_dict(self) -> Vec<String> {
        (0..self.len())
            .map(|c| String::from_utf8_lossy(self.get(c)).into_owned())
            .collect()
    }
}

/// The stored chunks of one column, copied out of the workspace (so they
/// can be decoded on other threads).
fn read_blobs(ws: &Workspace, dataset: &DatasetRecord, col: usize) -> Result<Vec<Vec<u8>>> {
    let mut st = ws
        .conn()
        .prepare_cached(
            "SELECT data FROM column_chunks WHERE dataset_id = ?1 AND col = ?2 ORDER BY chunk",
        )
        .map_err(ws.err())?;
    let mut rows = st
        .query(rusqlite::params![dataset.id, col as i64])
        .map_err(ws.err())?;
    let mut out = Vec::new();
    while let Some(row) = rows.next().map_err(ws.err())? {
        let blob = row.get_ref(0).map_err(ws.err())?;
        out.push(
            blob.as_blob()
                .map_err(|e| Error::Internal(e.to_string()))?
                .to_vec(),
        );
    }
    Ok(out)
}

/// Decodes a column's chunks into interned form with one dictionary for the
/// whole column (the dictionary's strings only if `dict` is asked for;
/// otherwise just its size).
fn intern_blobs(blobs: &[Vec<u8>], want_dict: bool) -> Result<(Interned, usize)> {
    let mut it = ByteInterner::new();
    let mut codes: Vec<u32> = Vec::new();
    for bytes in blobs {
        if !Column::decode_text_codes(bytes, |b| it.intern(b), NULL_CODE, &mut codes)? {
            // not a text column: intern its cells as text
            let part = intern_column(&Column::decode(bytes)?);
            let remap: Vec<u32> = part.dict.iter().map(|s| it.intern(s.as_bytes())).collect();
            codes.extend(part.codes.iter().map(|&c| {
                if c == NULL_CODE {
                    NULL_CODE
                } else {
                    remap[c as usize]
                }
            }));
        }
    }
    let n = it.len();
    let dict = if want_dict {
        it.into_dict()
    } else {
        Vec::new()
    };
    Ok((
        Interned {
            dict,
            codes: codes.into(),
        },
        n,
    ))
}

/// Reads a column straight into interned form, chunk by chunk, with one
/// dictionary for the whole column (cheaper than [`Workspace::read_column`]
/// and re-interning when a text column has many distinct values).
fn read_interned(ws: &Workspace, dataset: &DatasetRecord, col: usize) -> Result<Interned> {
    Ok(intern_blobs(&read_blobs(ws, dataset, col)?, true)?.0)
}

/// Decodes a time column's chunks.
fn decode_time(blobs: &[Vec<u8>], ty: ColumnType, col_name: &str) -> Result<Vec<i64>> {
    let mut whole = Column::empty(ty);
    for b in blobs {
        whole.append(Column::decode(b)?)?;
    }
    time_micros_raw(whole, col_name)
}
/// A time column as µs since the epoch (None for null).
pub(crate) fn time_micros(col: &Column, col_name: &str) -> Result<Vec<Option<i64>>> {
    Ok(time_micros_raw(col.clone(), col_name)?
        .into_iter()
        .map(|t| (t != NULL_TIME).then_some(t))
        .collect())
}

/// A missing time in [`time_micros_raw`].
const NULL_TIME: i64 = i64::MIN;

/// A time column as µs since the epoch, [`NULL_TIME`] for null; consumes
/// the column so a timestamp column without nulls is used as it is.
fn time_micros_raw(col: Column, col_name: &str) -> Result<Vec<i64>> {
    let valid = col.valid;
    let ok = |i: usize| valid.as_ref().is_none_or(|v| v[i]);
    Ok(match (col.values, col.ty) {
        (Values::Int(mut v), ColumnType::Timestamp) => {
            if valid.is_some() {
                for (i, x) in v.iter_mut().enumerate() {
                    if !ok(i) {
                        *x = NULL_TIME;
                    }
                }
            }
            v
        }
        (Values::Int(v), ColumnType::Date) => v
            .iter()
            .enumerate()
            .map(|(i, &d)| if ok(i) { d.saturating_mul(86_400_000_000) } else { NULL_TIME })
            .collect(),
        (Values::Int(v), _) => {
            let max = v
                .iter()
                .enumerate()
                .filter(|&(i, _)| ok(i))
                .map(|(_, x)| x.unsigned_abs())
                .max()
                .unwrap_or(0);
            // seconds up to year ~5138, then ms, µs, ns
            let (mul, div) = if max < 100_000_000_000 {
                (1_000_000, 1)
            } else if max < 100_000_000_000_000 {
                (1_000, 1)
            } else if max < 100_000_000_000_000_000 {
                (1, 1)
            } else {
                (1, 1_000)
            };
            v.iter()
                .enumerate()
                .map(|(i, &x)| if ok(i) { x.saturating_mul(mul) / div } else { NULL_TIME })
                .collect()
        }
        (Values::Float(v), _) => v
            .iter()
            .enumerate()
            .map(|(i, &x)| {
                if ok(i) && x.is_finite() {
                    (x * 1e6).round() as i64
                } else {
                    NULL_TIME
                }
            })
            .collect(),
        _ => {
            return Err(Error::Invalid(format!(
                "the time column \"{col_name}\" holds {} values, not times; map another column to the time role",
                col.ty.as_str()
            )))
        }
    })
}

/// Stable counting sort of `rows` by `key` (keys below `nkeys`); also
/// returns the bucket bounds (`nkeys + 1` entries).
fn counting_sort(rows: &[u32], nkeys: usize, key: impl Fn(u32) -> u32) -> (Vec<u32>, Vec<u32>) {
    let mut start = vec![0u32; nkeys + 1];
    for &r in rows {
        start[key(r) as usize + 1] += 1;
    }
    for k in 1..start.len() {
        start[k] += start[k - 1];
    }
    let bounds = start.clone();
    let mut out = vec![0u32; rows.len()];
    for &r in rows {
        let k = key(r) as usize;
        out[start[k] as usize] = r;
        start[k] += 1;
    }
    (out, bounds)
}

/// Reorders a column into index order.
fn permute(col: &Column, rows: &[u32]) -> Result<Column> {
    if rows.iter().any(|&r| r as usize >= col.len()) {
        return Err(Error::Internal(
            "the analysis index does not match the dataset; delete the .index folder beside the workspace".into(),
        ));
    }
    let values = match &col.values {
        Values::Int(v) => Values::Int(rows.iter().map(|&r| v[r as usize]).collect()),
        Values::Float(v) => Values::Float(rows.iter().map(|&r| v[r as usize]).collect()),
        Values::Bool(v) => Values::Bool(rows.iter().map(|&r| v[r as usize]).collect()),
        Values::Text { dict, codes } => Values::Text {
            dict: dict.clone(),
            codes: rows.iter().map(|&r| codes[r as usize]).collect(),
        },
    };
    Ok(Column {
        ty: col.ty,
        values,
        valid: col
            .valid
            .as_ref()
            .map(|v| rows.iter().map(|&r| v[r as usize]).collect()),
    })
}

fn permute_interned(x: Interned, rows: &[u32]) -> Result<Interned> {
    let codes = &x.codes;
    if rows.iter().any(|&r| r as usize >= codes.len()) {
        return Err(Error::Internal(
            "the analysis index does not match the dataset; delete the .index folder beside the workspace".into(),
        ));
    }
    let codes = rows.iter().map(|&r| codes[r as usize]).collect();
    Ok(Interned {
        dict: x.dict,
        codes,
    })
}

fn joined<T>(r: std::thread::Result<Result<T>>) -> Result<T> {
    r.map_err(|_| Error::Internal("an index thread panicked".into()))?
}

impl EventIndex {
    /// Builds the index of an event dataset for counting `unit`.
    pub fn build(ws: &Workspace, dataset: &DatasetRecord, unit: Unit) -> Result<EventIndex> {
        let name = &dataset.info.name;
        let time_idx = role_column(dataset, Role::Time).ok_or_else(|| {
            Error::missing_role(
                Role::Time,
                format!("dataset \"{name}\" has no time column, so it cannot make a funnel"),
            )
        })?;
        let user_idx = role_column(dataset, Role::User);
        let session_idx = role_column(dataset, Role::Session);
        let event_idx = role_column(dataset, Role::Event);
        let page_idx = role_column(dataset, Role::Page);
        if event_idx.is_none() && page_idx.is_none() {
            return Err(Error::missing_role(Role::Event, format!(
                "dataset \"{name}\" has neither an event nor a page column, so it has no steps to match"
            )));
        }
        match unit {
            Unit::Users if user_idx.is_none() => {
                return Err(Error::missing_role(Role::User, format!(
                    "dataset \"{name}\" has no user column, so it cannot count users{}",
                    if session_idx.is_some() { "; count sessions instead" } else { "" }
                )))
            }
            Unit::Sessions if user_idx.is_none() && session_idx.is_none() => {
                return Err(Error::missing_role(Role::Session, format!(
                    "dataset \"{name}\" has neither a user nor a session column, so it cannot count sessions"
                )))
            }
            _ => {}
        }
        let time_name = &dataset.info.columns[time_idx].name;
        let time_ty = dataset.info.columns[time_idx].ty;
        // copy the stored chunks out (SQLite reads are one thread), then
        // decode on two: the unit columns on one, the rest on the other
        let blobs = |i: Option<usize>| i.map(|i| read_blobs(ws, dataset, i)).transpose();
        let time_blobs = read_blobs(ws, dataset, time_idx)?;
        let user_blobs = blobs(user_idx)?;
        let session_blobs = blobs(match unit {
            Unit::Sessions => session_idx,
            Unit::Users => None,
        })?;
        let event_blobs = blobs(event_idx)?;
        let page_blobs = blobs(page_idx)?;
        type Units = (Option<(Interned, usize)>, Option<(Interned, usize)>);
        let (units_part, rest_part) = std::thread::scope(|sc| {
            let h = sc.spawn(|| -> Result<Units> {
                let intern = |b: &Option<Vec<Vec<u8>>>| {
                    b.as_deref().map(|b| intern_blobs(b, false)).transpose()
                };
                Ok((intern(&user_blobs)?, intern(&session_blobs)?))
            });
            let rest = (|| {
                let times = decode_time(&time_blobs, time_ty, time_name)?;
                let intern = |b: &Option<Vec<Vec<u8>>>| {
                    b.as_deref()
                        .map(|b| intern_blobs(b, true).map(|x| x.0))
                        .transpose()
                };
                Ok((times, intern(&event_blobs)?, intern(&page_blobs)?))
            })();
            (joined(h.join()), rest)
        });
        drop((
            time_blobs,
            user_blobs,
            session_blobs,
            event_blobs,
            page_blobs,
        ));
        let (users, sessions) = units_part?;
        let (times, event_raw, page_raw): (Vec<i64>, Option<Interned>, Option<Interned>) =
            rest_part?;
        let n = times.len();
        if n > u32::MAX as usize - 1 {
            return Err(Error::Invalid(format!(
                "dataset \"{name}\" has more than 4 billion rows; split it"
            )));
        }
        let check_len = |x: Option<&Interned>| x.is_none_or(|x| x.codes.len() == n);
        if !check_len(users.as_ref().map(|x| &x.0))
            || !check_len(sessions.as_ref().map(|x| &x.0))
            || !check_len(event_raw.as_ref())
            || !check_len(page_raw.as_ref())
        {
            return Err(Error::Internal(format!(
                "dataset \"{name}\" has columns of different lengths"
            )));
        }

        // usable rows, in row order
        let ucodes = users.as_ref().map(|x| &x.0.codes[..]);
        let scodes = sessions.as_ref().map(|x| &x.0.codes[..]);
        let mut dropped = 0u64;
        let mut usable: Vec<u32> = Vec::with_capacity(n);
        for (r, t) in times.iter().enumerate() {
            let u = ucodes.map_or(0, |x| x[r]);
            let s = scodes.map_or(0, |x| x[r]);
            let missing = *t == NULL_TIME
                || (ucodes.is_some() && u == NULL_CODE && scodes.is_none())
                || (scodes.is_some() && s == NULL_CODE);
            if missing {
                dropped += 1;
            } else {
                usable.push(r as u32);
            }
        }
        // sort by (user, session, time, row): counting sorts by session then
        // user keep row order within a unit; then each unit's slice is sorted
        // by time only if it is not already (exports are usually in time
        // order, so this is linear)
        fn key_of(codes: &[u32], nk: usize) -> impl Fn(u32) -> u32 + '_ {
            let nk = nk as u32;
            move |r: u32| match codes[r as usize] {
                NULL_CODE => nk,
                c => c,
            }
        }
        let mut order = usable;
        if let (Some(codes), Some((_, nk))) = (scodes, &sessions) {
            order = counting_sort(&order, nk + 1, key_of(codes, *nk)).0;
        }
        // group bounds: where (user, session) changes
        let mut bounds: Vec<u32> = Vec::new();
        if let (Some(codes), Some((_, nk))) = (ucodes, &users) {
            let (o, b) = counting_sort(&order, nk + 1, key_of(codes, *nk));
            order = o;
            bounds = b;
        } else {
            bounds.push(0);
            bounds.push(order.len() as u32);
        }
        bounds.dedup();
        if let Some(sc) = scodes {
            // split user groups where the session changes
            let mut split = Vec::with_capacity(bounds.len());
            for w in bounds.windows(2) {
                split.push(w[0]);
                for i in w[0] + 1..w[1] {
                    if sc[order[i as usize] as usize] != sc[order[i as usize - 1] as usize] {
                        split.push(i);
                    }
                }
            }
            split.push(order.len() as u32);
            bounds = split;
        }
        let mut time: Vec<i64> = order.iter().map(|&r| times[r as usize]).collect();
        drop(times);
        for w in bounds.windows(2) {
            let (a, b) = (w[0] as usize, w[1] as usize);
            let ts = &mut time[a..b];
            if !ts.windows(2).all(|w| w[0] <= w[1]) {
                let mut pairs: Vec<(i64, u32)> = ts
                    .iter()
                    .copied()
                    .zip(order[a..b].iter().copied())
                    .collect();
                pairs.sort_unstable();
                for (j, (t, r)) in pairs.into_iter().enumerate() {
                    ts[j] = t;
                    order[a + j] = r;
                }
            }
        }

        let derive = unit == Unit::Sessions && sessions.is_none();
        let mut unit_of = Vec::with_capacity(order.len());
        let mut unit_starts = Vec::with_capacity(bounds.len() + 1);
        for w in bounds.windows(2) {
            let (a, b) = (w[0] as usize, w[1] as usize);
            if a == b {
                continue;
            }
            unit_starts.push(a as u32);
            for i in a..b {
                if derive && i > a && time[i].saturating_sub(time[i - 1]) > SESSION_GAP_MICROS {
                    unit_starts.push(i as u32);
                }
                unit_of.push((unit_starts.len() - 1) as u32);
            }
        }
        unit_starts.push(order.len() as u32);
        let rows = order;

        let missing = || Interned {
            dict: Vec::new(),
            codes: vec![NULL_CODE; rows.len()].into(),
        };
        let (event, page) = std::thread::scope(|sc| {
            let h = sc.spawn(|| event_raw.map(|x| permute_interned(x, &rows)).transpose());
            let page = page_raw.map(|x| permute_interned(x, &rows)).transpose();
            (joined(h.join()), page)
        });
        let event = event?.unwrap_or_else(missing);
        let page = page?.unwrap_or_else(missing);
        Ok(EventIndex {
            dataset_id: dataset.id,
            dataset_name: name.clone(),
            unit,
            sessions: match (unit, session_idx) {
                (Unit::Users, _) => SessionSource::None,
                (Unit::Sessions, Some(_)) => SessionSource::Column,
                (Unit::Sessions, None) => SessionSource::Derived,
            },
            rows: rows.into(),
            unit_of: unit_of.into(),
            unit_starts: unit_starts.into(),
            time: time.into(),
            event,
            page,
            dropped_rows: dropped,
            event_column: event_idx.map(|i| dataset.info.columns[i].name.clone()),
            page_column: page_idx.map(|i| dataset.info.columns[i].name.clone()),
            record: dataset.clone(),
            columns: Mutex::new(HashMap::new()),
            interned: Mutex::new(HashMap::new()),
            disk: None,
        })
    }

    /// An index read back from the disk cache of `slot`, if it is there,
    /// current and whole.
    fn load(slot: &disk::Slot, dataset: &DatasetRecord) -> Option<EventIndex> {
        let x = disk::load_index(slot, dataset.info.rows)?;
        Some(EventIndex {
            dataset_id: dataset.id,
            dataset_name: dataset.info.name.clone(),
            unit: slot.unit,
            sessions: x.sessions,
            rows: x.rows,
            unit_of: x.unit_of,
            unit_starts: x.unit_starts,
            time: x.time,
            event: x.event,
            page: x.page,
            dropped_rows: x.dropped,
            event_column: x.event_column,
            page_column: x.page_column,
            record: dataset.clone(),
            columns: Mutex::new(HashMap::new()),
            interned: Mutex::new(HashMap::new()),
            disk: Some(slot.clone()),
        })
    }

    /// Whether the index was read back from the disk cache (its arrays are
    /// memory-mapped) rather than built.
    pub fn from_disk(&self) -> bool {
        self.time.is_mapped() || self.unit_starts.is_mapped()
    }
    /// Number of indexed events.
    pub fn len(&self) -> usize {
        self.rows.len()
    }
    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }
    /// Number of units (users or sessions).
    pub fn units(&self) -> usize {
        self.unit_starts.len() - 1
    }
    /// The dataset record the index was built from.
    pub fn record(&self) -> &DatasetRecord {
        &self.record
    }

    /// A column of the dataset in index order, loaded on first use.
    pub fn column(&self, ws: &Workspace, name: &str) -> Result<Arc<Column>> {
        if let Some(c) = self.columns.lock().map_err(poisoned)?.get(name) {
            return Ok(c.clone());
        }
        let col = ws.read_column_named(&self.record, name)?;
        let col = Arc::new(permute(&col, &self.rows)?);
        self.columns
            .lock()
            .map_err(poisoned)?
            .insert(name.to_string(), col.clone());
        Ok(col)
    }

    /// A column of the dataset as interned text in index order (for
    /// breakdowns), built on first use, or read from the disk cache when
    /// the index came with one (and written there after a build).
    pub fn interned(&self, ws: &Workspace, name: &str) -> Result<Arc<Interned>> {
        if let Some(c) = self.interned.lock().map_err(poisoned)?.get(name) {
            return Ok(c.clone());
        }
        let idx = self
            .record
            .info
            .columns
            .iter()
            .position(|c| c.name == name)
            .ok_or_else(|| {
                Error::Invalid(format!(
                    "dataset \"{}\" has no column \"{name}\"",
                    self.dataset_name
                ))
            })?;
        let cached = self
            .disk
            .as_ref()
            .and_then(|slot| disk::load_column(slot, idx, name, self.len()));
        let x = match cached {
            Some(x) => x,
            None => {
                let x = permute_interned(read_interned(ws, &self.record, idx)?, &self.rows)?;
                if let Some(slot) = &self.disk {
                    let _ = disk::save_column(slot, idx, name, &x);
                }
                x
            }
        };
        let x = Arc::new(x);
        self.interned
            .lock()
            .map_err(poisoned)?
            .insert(name.to_string(), x.clone());
        Ok(x)
    }
}

fn poisoned<T>(_: T) -> Error {
    Error::Internal("the index cache lock is poisoned".into())
}

/// Datasets with fewer rows than this are not cached on disk by default:
/// they build in a few milliseconds.
pub const DISK_MIN_ROWS: u64 = 100_000;

/// Built indexes, keyed by dataset id and unit, in memory and (for datasets
/// of at least [`DISK_MIN_ROWS`] rows) on disk beside the workspace file
/// (see [`disk`]). An index in memory is used while the dataset's catalog
/// record (id, rows, import time, content hash, stored size, columns) is
/// unchanged; one on disk while its fingerprint matches.
pub struct IndexCache {
    map: HashMap<(i64, Unit), Arc<EventIndex>>,
    disk_min_rows: Option<u64>,
}

impl Default for IndexCache {
    fn default() -> Self {
        IndexCache {
            map: HashMap::new(),
            disk_min_rows: (!disk::disabled_by_env()).then_some(DISK_MIN_ROWS),
        }
    }
}

fn same_version(a: &DatasetRecord, b: &DatasetRecord) -> bool {
    a.id == b.id
        && a.info.rows == b.info.rows
        && a.info.imported_at == b.info.imported_at
        && a.info.stored_bytes == b.info.stored_bytes
        && a.info.columns == b.info.columns
        && a.content_hash == b.content_hash
}

impl IndexCache {
    pub fn new() -> Self {
        Self::default()
    }
    /// A cache that keeps indexes on disk for datasets of at least
    /// `min_rows` rows (`None`: memory only).
    pub fn with_disk(min_rows: Option<u64>) -> Self {
        IndexCache {
            map: HashMap::new(),
            disk_min_rows: min_rows,
        }
    }
    /// The index of `dataset` for `unit`: from memory, else from the disk
    /// cache, else built (and written to the disk cache).
    pub fn get(
        &mut self,
        ws: &Workspace,
        dataset: &DatasetRecord,
        unit: Unit,
    ) -> Result<Arc<EventIndex>> {
        let key = (dataset.id, unit);
        if let Some(ix) = self.map.get(&key) {
            if same_version(&ix.record, dataset) {
                return Ok(ix.clone());
            }
        }
        let slot = match self.disk_min_rows {
            Some(min) if dataset.info.rows >= min && cfg!(target_endian = "little") => {
                Some(disk::Slot {
                    dir: disk::cache_dir(ws.path()),
                    dataset_id: dataset.id,
                    unit,
                    fingerprint: disk::fingerprint(ws, dataset)?,
                })
            }
            _ => None,
        };
        let loaded = slot.as_ref().and_then(|s| EventIndex::load(s, dataset));
        let ix = match loaded {
            Some(ix) => ix,
            None => {
                let mut ix = EventIndex::build(ws, dataset, unit)?;
                if let Some(slot) = slot {
                    if disk::save_index(&slot, &ix).is_ok() {
                        disk::prune(ws, &slot);
                        ix.disk = Some(slot);
                    }
                }
                ix
            }
        };
        let ix = Arc::new(ix);
        self.map.insert(key, ix.clone());
        Ok(ix)
    }
    /// Whether an index is cached in memory.
    pub fn contains(&self, dataset_id: i64, unit: Unit) -> bool {
        self.map.contains_key(&(dataset_id, unit))
    }
    /// Forgets every index of a dataset (after it is deleted or replaced).
    /// Files on disk are left: they no longer match and are replaced or
    /// pruned at the next build.
    pub fn forget(&mut self, dataset_id: i64) {
        self.map.retain(|(id, _), _| *id != dataset_id);
    }
    pub fn clear(&mut self) {
        self.map.clear()
    }
    /// Deletes the disk cache of a workspace (the `<workspace>.index`
    /// folder); it is rebuilt as queries need it.
    pub fn delete_disk_cache(ws: &Workspace) -> Result<()> {
        let dir = disk::cache_dir(ws.path());
        match std::fs::remove_dir_all(&dir) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(source) => Err(Error::Io { path: dir, source }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::column::ColumnBuilder;

    fn ints(ty: ColumnType, v: &[Option<i64>]) -> Column {
        let mut b = ColumnBuilder::new(ty);
        for x in v {
            match x {
                Some(x) => b.push_int(*x),
                None => b.push_null(),
            }
        }
        b.take()
    }

    #[test]
    fn epoch_units_are_guessed_from_magnitude() {
        let s = 1_725_148_800i64; // 2024-09-01 in seconds
        let want = Some(s * 1_000_000);
        for (v, unit) in [
            (s, "seconds"),
            (s * 1_000, "millis"),
            (s * 1_000_000, "micros"),
            (s * 1_000_000_000, "nanos"),
        ] {
            let t = time_micros(&ints(ColumnType::Integer, &[Some(v), None]), "t").unwrap();
            assert_eq!(t, vec![want, None], "{unit}");
        }
        let d = time_micros(&ints(ColumnType::Date, &[Some(19_967)]), "d").unwrap();
        assert_eq!(d, vec![Some(19_967 * 86_400_000_000)]);
        let mut f = ColumnBuilder::new(ColumnType::Decimal);
        f.push_float(1.5);
        assert_eq!(time_micros(&f.take(), "f").unwrap(), vec![Some(1_500_000)]);
        let mut t = ColumnBuilder::new(ColumnType::Text);
        t.push_text("yesterday");
        let e = time_micros(&t.take(), "when").unwrap_err();
        assert!(e.to_string().contains("\"when\" holds text values"), "{e}");
    }

    #[test]
    fn interning_numbers_and_nulls() {
        let c = ints(ColumnType::Integer, &[Some(7), None, Some(7), Some(8)]);
        let x = intern_column(&c);
        assert_eq!(x.get(0), Some("7"));
        assert_eq!(x.get(1), None);
        assert_eq!(x.codes[0], x.codes[2]);
        assert_eq!(x.dict.len(), 2);
        assert_eq!(format_date(19_967), "2024-09-01");
        assert_eq!(
            format_timestamp(1_725_148_800_000_000),
            "2024-09-01T00:00:00Z"
        );
    }
}
