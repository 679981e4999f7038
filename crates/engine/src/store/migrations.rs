//! Versioned schema migrations. Each entry moves the schema from version
//! `i` to `i + 1`; `PRAGMA user_version` records where a file stands. Never
//! edit a migration that has shipped: add a new one. A migration is SQL, or
//! Rust for data that SQL cannot convert; each runs in its own transaction.

use super::saved::ConvertItem;
use crate::error::{Error, Result};
use rusqlite::Connection;
use std::path::Path;

enum Migration {
    Sql(&'static str),
    /// Rust, given the opener's conversion of saved items (migration 3).
    Code(fn(&rusqlite::Transaction, ConvertItem) -> rusqlite::Result<()>),
}

use Migration::{Code, Sql};

const MIGRATIONS: &[Migration] = &[
    // 1: datasets, their columns, and their values in column chunks.
    Sql(r#"
    CREATE TABLE datasets (
        id            INTEGER PRIMARY KEY,
        name          TEXT NOT NULL UNIQUE,
        kind          TEXT NOT NULL CHECK (kind IN ('events', 'metrics')),
        rows          INTEGER NOT NULL,
        source        TEXT,
        imported_at   TEXT NOT NULL,
        content_hash  TEXT,
        meta          TEXT NOT NULL DEFAULT '{}'
    );
    CREATE INDEX datasets_hash ON datasets(content_hash);
    CREATE TABLE dataset_columns (
        dataset_id  INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        idx         INTEGER NOT NULL,
        name        TEXT NOT NULL,
        type        TEXT NOT NULL,
        role        TEXT,
        PRIMARY KEY (dataset_id, idx)
    );
    CREATE TABLE column_chunks (
        id          INTEGER PRIMARY KEY,
        dataset_id  INTEGER NOT NULL REFERENCES datasets(id) ON DELETE CASCADE,
        col         INTEGER NOT NULL,
        chunk       INTEGER NOT NULL,
        rows        INTEGER NOT NULL,
        data        BLOB NOT NULL,
        UNIQUE (dataset_id, col, chunk)
    );
    "#),
    // 2: saved definitions (funnels, segments, reports), as JSON specs.
    Sql(r#"
    CREATE TABLE saved_items (
        id          INTEGER PRIMARY KEY,
        kind        TEXT NOT NULL,
        name        TEXT NOT NULL,
        spec        TEXT NOT NULL,
        updated_at  TEXT NOT NULL,
        UNIQUE (kind, name)
    );
    "#),
    // 3: saved items become the engine's own specs (the app saved its own
    // JSON before); one that cannot be converted is kept as `legacy_<kind>`.
    Code(super::saved::migrate_legacy_items),
    // 4: a dataset's ClickHouse connection (docs/clickhouse.md), by dataset
    // name (a re-import keeps it; credentials are never stored).
    Sql(r#"
    CREATE TABLE clickhouse_connections (
        dataset     TEXT PRIMARY KEY,
        url         TEXT NOT NULL,
        table_name  TEXT,
        row_order   TEXT
    );
    "#),
    // 5: events tagged micro or macro conversions, per dataset (by name).
    Sql(r#"
    CREATE TABLE event_tags (
        dataset  TEXT NOT NULL,
        event    TEXT NOT NULL,
        tag      TEXT NOT NULL CHECK (tag IN ('micro', 'macro')),
        PRIMARY KEY (dataset, event)
    );
    "#),
    // 6: a dataset's stored size, kept when its chunks are written: summing
    // LENGTH(data) reads a 64 KB page per chunk (~15 ms at 10M events,
    // ~150 ms at 100M), and every query looks the dataset up.
    Sql(r#"
    ALTER TABLE datasets ADD COLUMN stored_bytes INTEGER;
    UPDATE datasets SET stored_bytes =
        (SELECT COALESCE(SUM(LENGTH(data)), 0) FROM column_chunks c WHERE c.dataset_id = datasets.id);
    "#),
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

pub(super) fn migrate(conn: &mut Connection, path: &Path, convert: ConvertItem) -> Result<()> {
    let err = |source| Error::Store {
        path: path.to_path_buf(),
        source,
    };
    let found: i64 = conn
        .pragma_query_value(None, "user_version", |r| r.get(0))
        .map_err(err)?;
    if found > SCHEMA_VERSION {
        return Err(Error::SchemaTooNew {
            path: path.to_path_buf(),
            found,
            known: SCHEMA_VERSION,
        });
    }
    for (i, step) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        let tx = conn.transaction().map_err(err)?;
        match step {
            Sql(sql) => tx.execute_batch(sql).map_err(err)?,
            Code(run) => run(&tx, convert).map_err(err)?,
        }
        tx.pragma_update(None, "user_version", (i + 1) as i64)
            .map_err(err)?;
        tx.commit().map_err(err)?;
    }
    Ok(())
}
