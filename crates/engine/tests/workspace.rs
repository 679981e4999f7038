//! The workspace as a user meets it: a real SQLite file on disk, imported
//! into, closed, reopened.

use std::path::Path;
use stepwise_engine::column::Cell;
use stepwise_engine::import::{import_file, ImportOptions};
use stepwise_engine::{ColumnType, DatasetKind, Error, Job, Role, Workspace};

fn write(dir: &Path, name: &str, text: &str) -> std::path::PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

const EVENTS: &str = "time,event,user_id,page,value\n\
2024-09-01T10:00:00Z,page_view,u1,/home,\n\
2024-09-01T10:01:00Z,view_item,u1,/p/1,\n\
2024-09-01T10:05:30Z,purchase,u1,/checkout,85.5\n\
2024-09-02T08:00:00Z,page_view,u2,/home,\n";

#[test]
fn import_reopen_and_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let ws_path = dir.path().join("ws.stepwise");
    let csv = write(dir.path(), "shop events.csv", EVENTS);
    {
        let mut ws = Workspace::open(&ws_path).unwrap();
        let info =
            import_file(&mut ws, &csv, &ImportOptions::default(), &mut Job::silent()).unwrap();
        assert_eq!(info.name, "shop events");
        assert_eq!(info.rows, 4);
        assert_eq!(info.kind, DatasetKind::Events);
        let types: Vec<_> = info
            .columns
            .iter()
            .map(|c| (c.name.as_str(), c.ty, c.role))
            .collect();
        assert_eq!(
            types,
            vec![
                ("time", ColumnType::Timestamp, Some(Role::Time)),
                ("event", ColumnType::Text, Some(Role::Event)),
                ("user_id", ColumnType::Text, Some(Role::User)),
                ("page", ColumnType::Text, Some(Role::Page)),
                ("value", ColumnType::Decimal, Some(Role::Value)),
            ]
        );
    }
    // A new process would do exactly this: open the file again.
    let ws = Workspace::open(&ws_path).unwrap();
    let list = ws.datasets().unwrap();
    assert_eq!(list.len(), 1);
    let rec = ws.dataset("shop events").unwrap();
    let value = ws.read_column_named(&rec, "value").unwrap();
    assert_eq!(value.cell(0), Cell::Null);
    assert_eq!(value.cell(2), Cell::Float(85.5));
    let time = ws.read_column_named(&rec, "time").unwrap();
    assert_eq!(time.cell(0), Cell::Int(1_725_184_800_000_000));
    let preview = ws.preview("shop events", 1, 2).unwrap();
    assert_eq!(preview.total, 4);
    assert_eq!(preview.rows.len(), 2);
    assert_eq!(preview.rows[0][1], Cell::Text("view_item".into()));
    // The preview shows instants as UTC text, not microseconds.
    assert_eq!(preview.rows[0][0], Cell::Text("2024-09-01 10:01:00".into()));
    // milliseconds always with three digits, microseconds with six
    let f = stepwise_engine::store::format_timestamp;
    assert_eq!(f(1_500_000), "1970-01-01 00:00:01.500");
    assert_eq!(f(1_230_000), "1970-01-01 00:00:01.230");
    assert_eq!(f(1_000_001), "1970-01-01 00:00:01.000001");
    assert_eq!(f(-1_000), "1969-12-31 23:59:59.999");
    assert_eq!(stepwise_engine::store::format_date(-1), "1969-12-31");
}

#[test]
fn the_file_is_sqlite_in_wal_mode_with_a_schema_version() {
    let dir = tempfile::tempdir().unwrap();
    let ws_path = dir.path().join("ws.stepwise");
    let ws = Workspace::open(&ws_path).unwrap();
    assert!(ws.schema_version().unwrap() >= 2);
    drop(ws);
    let conn = rusqlite::Connection::open(&ws_path).unwrap();
    let mode: String = conn
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    assert_eq!(mode, "wal");
    let tables: i64 = conn
        .query_row(
            "SELECT COUNT(*) FROM sqlite_master WHERE type='table' AND name IN ('datasets','dataset_columns','column_chunks','saved_items')",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(tables, 4);
    // a new file has 64 KiB pages (chunk blobs span few pages)
    let page: i64 = conn
        .query_row("PRAGMA page_size", [], |r| r.get(0))
        .unwrap();
    assert_eq!(page, stepwise_engine::store::PAGE_SIZE);
}

/// A workspace made with another page size (an earlier version's 4 KiB)
/// keeps it: opening never rewrites the file, and imports work on it.
#[test]
fn an_existing_file_keeps_its_page_size() {
    let dir = tempfile::tempdir().unwrap();
    let ws_path = dir.path().join("old.stepwise");
    {
        let conn = rusqlite::Connection::open(&ws_path).unwrap();
        conn.pragma_update(None, "page_size", 4096).unwrap();
        conn.execute_batch("CREATE TABLE t(x); DROP TABLE t;")
            .unwrap();
    }
    let mut ws = Workspace::open(&ws_path).unwrap();
    let csv = write(
        dir.path(),
        "e.csv",
        "time,event,user\n2024-09-01T10:00:00Z,view_item,u1\n2024-09-01T10:01:00Z,purchase,u1\n",
    );
    import_file(&mut ws, &csv, &ImportOptions::default(), &mut Job::silent()).unwrap();
    drop(ws);
    let conn = rusqlite::Connection::open(&ws_path).unwrap();
    let page: i64 = conn
        .query_row("PRAGMA page_size", [], |r| r.get(0))
        .unwrap();
    assert_eq!(page, 4096);
    let rows: i64 = conn
        .query_row("SELECT rows FROM datasets", [], |r| r.get(0))
        .unwrap();
    assert_eq!(rows, 2);
}

#[test]
fn a_newer_schema_is_refused_not_clobbered() {
    let dir = tempfile::tempdir().unwrap();
    let ws_path = dir.path().join("ws.stepwise");
    {
        let conn = rusqlite::Connection::open(&ws_path).unwrap();
        conn.pragma_update(None, "user_version", 999).unwrap();
    }
    match Workspace::open(&ws_path) {
        Err(Error::SchemaTooNew { found: 999, .. }) => {}
        Err(e) => panic!("wrong error: {e}"),
        Ok(_) => panic!("opened a workspace from the future"),
    }
}

#[test]
fn two_workspaces_are_independent() {
    let dir = tempfile::tempdir().unwrap();
    let csv = write(dir.path(), "a.csv", EVENTS);
    let mut one = Workspace::open(&dir.path().join("one.stepwise")).unwrap();
    let two = Workspace::open(&dir.path().join("two.stepwise")).unwrap();
    import_file(
        &mut one,
        &csv,
        &ImportOptions::default(),
        &mut Job::silent(),
    )
    .unwrap();
    assert_eq!(one.datasets().unwrap().len(), 1);
    assert!(two.datasets().unwrap().is_empty());
}

#[test]
fn a_failed_import_leaves_the_workspace_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let ws_path = dir.path().join("ws.stepwise");
    let mut ws = Workspace::open(&ws_path).unwrap();
    let good = write(dir.path(), "good.csv", EVENTS);
    import_file(
        &mut ws,
        &good,
        &ImportOptions::default(),
        &mut Job::silent(),
    )
    .unwrap();
    let before = std::fs::read(&ws_path).unwrap().len();
    let chunks_before: i64 = rusqlite::Connection::open(&ws_path)
        .unwrap()
        .query_row("SELECT COUNT(*) FROM column_chunks", [], |r| r.get(0))
        .unwrap();

    // Ragged: the third data row has one field too many.
    let bad = write(dir.path(), "bad.csv", "a,b\n1,2\n3,4\n5,6,7\n");
    let err =
        import_file(&mut ws, &bad, &ImportOptions::default(), &mut Job::silent()).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("bad.csv"), "{msg}");
    assert!(msg.contains("row 4"), "{msg}");
    assert!(msg.contains("3 fields"), "{msg}");

    assert_eq!(ws.datasets().unwrap().len(), 1);
    assert!(!ws.has_dataset("bad").unwrap());
    let chunks_after: i64 = rusqlite::Connection::open(&ws_path)
        .unwrap()
        .query_row("SELECT COUNT(*) FROM column_chunks", [], |r| r.get(0))
        .unwrap();
    assert_eq!(chunks_before, chunks_after);
    let _ = before;
}

#[test]
fn a_cancelled_import_stores_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::open(&dir.path().join("ws.stepwise")).unwrap();
    let mut text = String::from("time,event,user_id\n");
    for i in 0..200_000 {
        text.push_str(&format!("2024-09-01T10:00:00Z,e{},u{}\n", i % 7, i % 1000));
    }
    let csv = write(dir.path(), "big.csv", &text);
    let cancel = stepwise_engine::CancelToken::new();
    let c2 = cancel.clone();
    let mut job = Job::new(cancel, move |p| {
        if p.rows_done > 0 {
            c2.cancel()
        }
    });
    let err = import_file(&mut ws, &csv, &ImportOptions::default(), &mut job).unwrap_err();
    assert!(matches!(err, Error::Cancelled), "{err}");
    assert!(ws.datasets().unwrap().is_empty());
}

#[test]
fn a_taken_name_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::open(&dir.path().join("ws.stepwise")).unwrap();
    let csv = write(dir.path(), "a.csv", EVENTS);
    import_file(&mut ws, &csv, &ImportOptions::default(), &mut Job::silent()).unwrap();
    let err =
        import_file(&mut ws, &csv, &ImportOptions::default(), &mut Job::silent()).unwrap_err();
    assert!(err.to_string().contains("already exists"), "{err}");
    assert_eq!(ws.datasets().unwrap().len(), 1);
}

/// A dataset's ClickHouse connection is stored in the file (not its
/// credentials), follows a rename, survives a reopen, and a malformed one
/// is refused without touching the stored one.
#[test]
fn a_clickhouse_connection_is_stored_per_dataset() {
    use stepwise_engine::clickhouse::Connection;
    let dir = tempfile::tempdir().unwrap();
    let ws_path = dir.path().join("ws.stepwise");
    let csv = write(dir.path(), "shop.csv", EVENTS);
    let conn = Connection {
        url: "http://127.0.0.1:8123/?database=analytics".into(),
        table: Some("events".into()),
        row_order: None,
    };
    {
        let mut ws = Workspace::open(&ws_path).unwrap();
        import_file(&mut ws, &csv, &ImportOptions::default(), &mut Job::silent()).unwrap();
        assert_eq!(ws.clickhouse("shop").unwrap(), None);
        ws.set_clickhouse("shop", Some(&conn)).unwrap();
        for bad in ["https://x/", "http://user:pw@x/", "http://"] {
            let c = Connection {
                url: bad.into(),
                ..conn.clone()
            };
            assert!(ws.set_clickhouse("shop", Some(&c)).is_err(), "{bad}");
        }
        assert!(matches!(
            ws.set_clickhouse("nosuch", Some(&conn)),
            Err(Error::NoSuchDataset(_))
        ));
        ws.rename_dataset("shop", "store").unwrap();
        assert_eq!(ws.clickhouse("shop").unwrap(), None);
    }
    let mut ws = Workspace::open(&ws_path).unwrap();
    assert_eq!(ws.clickhouse("store").unwrap(), Some(conn));
    ws.set_clickhouse("store", None).unwrap();
    assert_eq!(ws.clickhouse("store").unwrap(), None);
}

/// A dataset's stored size is kept in its row (every query looks the
/// dataset up, and summing the chunks reads a page per chunk): equal to
/// the sum after an import and an append, and filled in by the migration
/// for a workspace written before it.
#[test]
fn stored_size_is_kept_and_migrated() {
    let dir = tempfile::tempdir().unwrap();
    let ws_path = dir.path().join("ws.stepwise");
    let csv = write(dir.path(), "shop.csv", EVENTS);
    let sum = |p: &Path| -> i64 {
        let conn = rusqlite::Connection::open(p).unwrap();
        conn.query_row("SELECT SUM(LENGTH(data)) FROM column_chunks", [], |r| {
            r.get(0)
        })
        .unwrap()
    };
    let mut ws = Workspace::open(&ws_path).unwrap();
    import_file(&mut ws, &csv, &ImportOptions::default(), &mut Job::silent()).unwrap();
    let first = ws.dataset("shop").unwrap().info.stored_bytes;
    assert!(first > 0);
    assert_eq!(first as i64, sum(&ws_path));
    // a newer export: the same header, one more day
    let newer = write(
        dir.path(),
        "shop newer.csv",
        "time,event,user_id,page,value\n2024-09-03T09:00:00Z,view_item,u3,/p/2,\n",
    );
    stepwise_engine::import::append_file(
        &mut ws,
        "shop",
        &newer,
        &ImportOptions::default(),
        &mut Job::silent(),
    )
    .unwrap();
    let appended = ws.dataset("shop").unwrap().info.stored_bytes;
    assert!(appended > first);
    assert_eq!(appended as i64, sum(&ws_path));
    drop(ws);
    // as a workspace of schema 5 had it: no column, then opened again
    {
        let conn = rusqlite::Connection::open(&ws_path).unwrap();
        conn.execute_batch(
            "ALTER TABLE datasets DROP COLUMN stored_bytes; PRAGMA user_version = 5;",
        )
        .unwrap();
    }
    let ws = Workspace::open(&ws_path).unwrap();
    assert_eq!(ws.dataset("shop").unwrap().info.stored_bytes, appended);
    let listed: Vec<u64> = ws
        .datasets()
        .unwrap()
        .iter()
        .map(|d| d.stored_bytes)
        .collect();
    assert_eq!(listed, vec![appended]);
}
