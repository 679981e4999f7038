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
    pub codes: Vec<u32>,
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
    pub rows: Vec<u32>,
    /// The unit of each event (0..units, in index order).
    pub unit_of: Vec<u32>,
    /// Event `i` of unit `u` is at `unit_starts[u] + i`; `units() + 1` entries.
    pub unit_starts: Vec<u32>,
    /// The time of each event, µs since the epoch, UTC.
    pub time: Vec<i64>,
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
                None => codes.clone(),
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
pub use crate::store::format_date;

/// µs since the epoch as RFC 3339 UTC (seconds precision).
pub fn format_timestamp(micros: i64) -> String {
    match time::OffsetDateTime::from_unix_timestamp(micros.div_euclid(1_000_000)) {
        Ok(t) => t
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap_or_default(),
        Err(_) => micros.to_string(),
    }
}

/// Reads a column straight into interned form, chunk by chunk, with one
/// dictionary for the whole column (cheaper than [`Workspace::read_column`]
/// and re-interning when a text column has many distinct values).
fn read_interned(ws: &Workspace, dataset: &DatasetRecord, col: usize) -> Result<Interned> {
    let mut st = ws
        .conn()
        .prepare_cached(
            "SELECT data FROM column_chunks WHERE dataset_id = ?1 AND col = ?2 ORDER BY chunk",
        )
        .map_err(ws.err())?;
    let mut rows = st
        .query(rusqlite::params![dataset.id, col as i64])
        .map_err(ws.err())?;
    let mut out = Interned::default();
    let mut map: FxMap<String, u32> = FxMap::default();
    while let Some(row) = rows.next().map_err(ws.err())? {
        let blob = row.get_ref(0).map_err(ws.err())?;
        let bytes = blob.as_blob().map_err(|e| Error::Internal(e.to_string()))?;
        let chunk = Column::decode(bytes)?;
        let part = intern_column(&chunk);
        let remap: Vec<u32> = part
            .dict
            .into_iter()
            .map(|s| match map.get(&s) {
                Some(&c) => c,
                None => {
                    let c = out.dict.len() as u32;
                    out.dict.push(s.clone());
                    map.insert(s, c);
                    c
                }
            })
            .collect();
        out.codes.extend(part.codes.into_iter().map(|c| {
            if c == NULL_CODE {
                NULL_CODE
            } else {
                remap[c as usize]
            }
        }));
    }
    Ok(out)
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

/// Stable counting sort of `rows` by `key` (keys below `nkeys`).
fn counting_sort(rows: &[u32], nkeys: usize, key: impl Fn(u32) -> u32) -> Vec<u32> {
    let mut start = vec![0u32; nkeys + 1];
    for &r in rows {
        start[key(r) as usize + 1] += 1;
    }
    for k in 1..start.len() {
        start[k] += start[k - 1];
    }
    let mut out = vec![0u32; rows.len()];
    for &r in rows {
        let k = key(r) as usize;
        out[start[k] as usize] = r;
        start[k] += 1;
    }
    out
}

/// Reorders a column into index order.
fn permute(col: &Column, rows: &[u32]) -> Column {
    let values = match &col.values {
        Values::Int(v) => Values::Int(rows.iter().map(|&r| v[r as usize]).collect()),
        Values::Float(v) => Values::Float(rows.iter().map(|&r| v[r as usize]).collect()),
        Values::Bool(v) => Values::Bool(rows.iter().map(|&r| v[r as usize]).collect()),
        Values::Text { dict, codes } => Values::Text {
            dict: dict.clone(),
            codes: rows.iter().map(|&r| codes[r as usize]).collect(),
        },
    };
    Column {
        ty: col.ty,
        values,
        valid: col
            .valid
            .as_ref()
            .map(|v| rows.iter().map(|&r| v[r as usize]).collect()),
    }
}

fn permute_interned(x: &Interned, rows: &[u32]) -> Interned {
    Interned {
        dict: x.dict.clone(),
        codes: rows.iter().map(|&r| x.codes[r as usize]).collect(),
    }
}

impl EventIndex {
    /// Builds the index of an event dataset for counting `unit`.
    pub fn build(ws: &Workspace, dataset: &DatasetRecord, unit: Unit) -> Result<EventIndex> {
        let name = &dataset.info.name;
        let time_idx = role_column(dataset, Role::Time).ok_or_else(|| {
            Error::Invalid(format!(
                "dataset \"{name}\" has no time column, so it cannot make a funnel; map one with --map time=COLUMN"
            ))
        })?;
        let user_idx = role_column(dataset, Role::User);
        let session_idx = role_column(dataset, Role::Session);
        let event_idx = role_column(dataset, Role::Event);
        let page_idx = role_column(dataset, Role::Page);
        if event_idx.is_none() && page_idx.is_none() {
            return Err(Error::Invalid(format!(
                "dataset \"{name}\" has neither an event nor a page column, so it has no steps to match; map one with --map event=COLUMN"
            )));
        }
        match unit {
            Unit::Users if user_idx.is_none() => {
                return Err(Error::Invalid(format!(
                    "dataset \"{name}\" has no user column, so it cannot count users; map one with --map user=COLUMN{}",
                    if session_idx.is_some() { " or count sessions" } else { "" }
                )))
            }
            Unit::Sessions if user_idx.is_none() && session_idx.is_none() => {
                return Err(Error::Invalid(format!(
                    "dataset \"{name}\" has neither a user nor a session column, so it cannot count sessions; map one with --map session=COLUMN"
                )))
            }
            _ => {}
        }
        let time_name = &dataset.info.columns[time_idx].name;
        let times = time_micros_raw(ws.read_column(dataset, time_idx)?, time_name)?;
        let n = times.len();
        if n > u32::MAX as usize - 1 {
            return Err(Error::Invalid(format!(
                "dataset \"{name}\" has more than 4 billion rows; split it"
            )));
        }
        let users = match user_idx {
            Some(i) => Some(read_interned(ws, dataset, i)?),
            None => None,
        };
        let sessions = match (unit, session_idx) {
            (Unit::Sessions, Some(i)) => Some(read_interned(ws, dataset, i)?),
            _ => None,
        };
        let check_len = |x: &Option<Interned>| x.as_ref().is_none_or(|x| x.codes.len() == n);
        if !check_len(&users) || !check_len(&sessions) {
            return Err(Error::Internal(format!(
                "dataset \"{name}\" has columns of different lengths"
            )));
        }

        // usable rows, in row order
        let mut dropped = 0u64;
        let mut usable: Vec<u32> = Vec::with_capacity(n);
        for (r, t) in times.iter().enumerate() {
            let u = users.as_ref().map_or(0, |x| x.codes[r]);
            let s = sessions.as_ref().map_or(0, |x| x.codes[r]);
            let missing = *t == NULL_TIME
                || (users.is_some() && u == NULL_CODE && sessions.is_none())
                || (sessions.is_some() && s == NULL_CODE);
            if missing {
                dropped += 1;
            } else {
                usable.push(r as u32);
            }
        }
        let time_of = |r: u32| times[r as usize];
        // sort by (user, session, time, row): counting sorts by session then
        // user keep row order within a unit; then each unit's slice is sorted
        // by time only if it is not already (exports are usually in time
        // order, so this is linear)
        let mut order = usable;
        for x in [&sessions, &users].into_iter().flatten() {
            let nk = x.dict.len() as u32;
            order = counting_sort(&order, nk as usize + 1, |r| match x.codes[r as usize] {
                NULL_CODE => nk,
                c => c,
            });
        }
        let ukey = |r: u32| users.as_ref().map_or(0, |x| x.codes[r as usize]);
        let skey = |r: u32| sessions.as_ref().map_or(0, |x| x.codes[r as usize]);
        let mut i = 0;
        while i < order.len() {
            let (u, s) = (ukey(order[i]), skey(order[i]));
            let mut j = i + 1;
            while j < order.len() && ukey(order[j]) == u && skey(order[j]) == s {
                j += 1;
            }
            let slice = &mut order[i..j];
            if !slice.windows(2).all(|w| time_of(w[0]) <= time_of(w[1])) {
                slice.sort_unstable_by_key(|&r| (time_of(r), r));
            }
            i = j;
        }

        let derive = unit == Unit::Sessions && sessions.is_none();
        let mut rows = Vec::with_capacity(order.len());
        let mut time = Vec::with_capacity(order.len());
        let mut unit_of = Vec::with_capacity(order.len());
        let mut unit_starts = Vec::new();
        let mut prev: Option<(u32, u32, i64)> = None;
        for (i, &r) in order.iter().enumerate() {
            let (u, s, t) = (ukey(r), skey(r), time_of(r));
            let new_unit = match prev {
                None => true,
                Some((pu, ps, pt)) => {
                    pu != u || ps != s || (derive && t.saturating_sub(pt) > SESSION_GAP_MICROS)
                }
            };
            if new_unit {
                unit_starts.push(i as u32);
            }
            prev = Some((u, s, t));
            rows.push(r);
            time.push(t);
            unit_of.push((unit_starts.len() - 1) as u32);
        }
        unit_starts.push(rows.len() as u32);
        drop(order);

        let interned_role = |idx: Option<usize>| -> Result<Interned> {
            Ok(match idx {
                Some(i) => permute_interned(&read_interned(ws, dataset, i)?, &rows),
                None => Interned {
                    dict: Vec::new(),
                    codes: vec![NULL_CODE; rows.len()],
                },
            })
        };
        let event = interned_role(event_idx)?;
        let page = interned_role(page_idx)?;
        Ok(EventIndex {
            dataset_id: dataset.id,
            dataset_name: name.clone(),
            unit,
            sessions: match (unit, session_idx) {
                (Unit::Users, _) => SessionSource::None,
                (Unit::Sessions, Some(_)) => SessionSource::Column,
                (Unit::Sessions, None) => SessionSource::Derived,
            },
            rows,
            unit_of,
            unit_starts,
            time,
            event,
            page,
            dropped_rows: dropped,
            event_column: event_idx.map(|i| dataset.info.columns[i].name.clone()),
            page_column: page_idx.map(|i| dataset.info.columns[i].name.clone()),
            record: dataset.clone(),
            columns: Mutex::new(HashMap::new()),
            interned: Mutex::new(HashMap::new()),
        })
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
        let col = Arc::new(permute(&col, &self.rows));
        self.columns
            .lock()
            .map_err(poisoned)?
            .insert(name.to_string(), col.clone());
        Ok(col)
    }

    /// A column of the dataset as interned text in index order (for
    /// breakdowns), built on first use.
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
        let x = Arc::new(permute_interned(
            &read_interned(ws, &self.record, idx)?,
            &self.rows,
        ));
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

/// Built indexes, keyed by dataset id and unit (a re-imported dataset gets
/// a new id, so a stale index is never used).
#[derive(Default)]
pub struct IndexCache {
    map: HashMap<(i64, Unit), Arc<EventIndex>>,
}

impl IndexCache {
    pub fn new() -> Self {
        Self::default()
    }
    /// The index of `dataset` for `unit`, built if not cached.
    pub fn get(
        &mut self,
        ws: &Workspace,
        dataset: &DatasetRecord,
        unit: Unit,
    ) -> Result<Arc<EventIndex>> {
        let key = (dataset.id, unit);
        if let Some(ix) = self.map.get(&key) {
            if ix.record.info.rows == dataset.info.rows {
                return Ok(ix.clone());
            }
        }
        let ix = Arc::new(EventIndex::build(ws, dataset, unit)?);
        self.map.insert(key, ix.clone());
        Ok(ix)
    }
    /// Whether an index is cached.
    pub fn contains(&self, dataset_id: i64, unit: Unit) -> bool {
        self.map.contains_key(&(dataset_id, unit))
    }
    /// Forgets every index of a dataset (after it is deleted or replaced).
    pub fn forget(&mut self, dataset_id: i64) {
        self.map.retain(|(id, _), _| *id != dataset_id);
    }
    pub fn clear(&mut self) {
        self.map.clear()
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
