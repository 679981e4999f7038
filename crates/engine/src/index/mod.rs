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
mod build;
mod cache;
pub mod disk;
mod intern;

pub use arr::{Arr, Plain};
pub(crate) use build::time_micros;
pub use cache::*;
pub use intern::*;

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

#[cfg(test)]
mod tests {
    use super::build::*;
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
