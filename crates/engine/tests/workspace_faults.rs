//! A workspace that cannot take a write: a full disk (injected with
//! `Workspace::set_size_limit`, which makes SQLite fail with SQLITE_FULL
//! exactly as a full file system does), and a workspace locked by another
//! connection (a write transaction, or an exclusive lock). Each must give
//! one clear sentence naming the workspace file, and lose nothing: the file
//! passes `PRAGMA integrity_check` and lists the same datasets with the
//! same rows. A read-only workspace file: crates/cli/tests/workspace_faults.rs
//! (it needs a process that is not root).

use std::path::{Path, PathBuf};
use std::time::Duration;
use stepwise_engine::import::{self, ImportOptions};
use stepwise_engine::{Job, Workspace};

struct Fixture {
    dir: tempfile::TempDir,
    ws: Workspace,
    ws_path: PathBuf,
}

fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let ws_path = dir.path().join("faults.stepwise");
    let mut ws = Workspace::open(&ws_path).unwrap();
    for (name, body) in [
        (
            "first",
            "time,event,user\n2024-01-01 10:00,view,a\n2024-01-01 10:01,buy,a\n",
        ),
        ("second", "a,b\n1,x\n2,y\n3,z\n"),
    ] {
        let p = dir.path().join(format!("{name}.csv"));
        std::fs::write(&p, body).unwrap();
        import::import_file(&mut ws, &p, &ImportOptions::default(), &mut Job::silent()).unwrap();
    }
    Fixture { dir, ws, ws_path }
}

impl Fixture {
    fn file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }
}

fn many_rows(n: usize) -> Vec<u8> {
    let mut out = b"time,event,user,value\n".to_vec();
    for i in 0..n {
        out.extend_from_slice(
            format!(
                "2024-01-{:02} {:02}:{:02}:00,e{},u{},{}.{:02}\n",
                1 + i % 28,
                i % 24,
                i % 60,
                i % 97,
                i,
                i % 1000,
                i % 100
            )
            .as_bytes(),
        );
    }
    out
}

/// The datasets (name and rows) a fresh connection to the file lists,
/// after checking the file's integrity.
fn check(ws: &Path) -> Vec<(String, u64)> {
    let conn = rusqlite::Connection::open(ws).unwrap();
    let ok: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok", "integrity_check of {}", ws.display());
    drop(conn);
    let ws = Workspace::open(ws).unwrap();
    ws.datasets()
        .unwrap()
        .into_iter()
        .map(|d| (d.name, d.rows))
        .collect()
}

/// One sentence on one line that names the workspace file and says
/// nothing was stored.
fn assert_one_clear_sentence(text: &str, ws: &Path, says: &str) {
    assert!(text.contains(says), "{text}");
    assert!(
        text.contains(&ws.display().to_string()),
        "names the file: {text}"
    );
    assert!(text.contains("nothing was stored"), "{text}");
    assert_eq!(text.lines().count(), 1, "{text}");
    assert!(!text.contains("SQLITE") && !text.contains("code"), "{text}");
}

#[test]
fn a_full_disk_stops_an_import_and_an_append_and_keeps_everything() {
    let mut f = fixture();
    let before = check(&f.ws_path);
    let big = f.file("big.csv", &many_rows(150_000));
    // room for one more 64 KiB page only: the import's first chunk fails
    // with SQLITE_FULL, as on a full file system
    let size = std::fs::metadata(&f.ws_path).unwrap().len()
        + std::fs::metadata(f.ws_path.with_extension("stepwise-wal"))
            .map(|m| m.len())
            .unwrap_or(0);
    f.ws.set_size_limit(size + 64 * 1024).unwrap();
    let err = import::import_file(
        &mut f.ws,
        &big,
        &ImportOptions::default(),
        &mut Job::silent(),
    )
    .unwrap_err();
    assert_one_clear_sentence(&err.to_string(), &f.ws_path, "the disk is full");
    assert_eq!(check(&f.ws_path), before);
    // an append that does not fit
    let mut more = b"a,b\n".to_vec();
    for i in 0..200_000 {
        more.extend_from_slice(format!("{i},value number {i}\n").as_bytes());
    }
    let more = f.file("more.csv", &more);
    let err = import::append_file(
        &mut f.ws,
        "second",
        &more,
        &ImportOptions::default(),
        &mut Job::silent(),
    )
    .unwrap_err();
    assert_one_clear_sentence(&err.to_string(), &f.ws_path, "the disk is full");
    assert_eq!(check(&f.ws_path), before);
    // the same connection goes on working once there is room again
    f.ws.set_size_limit(1 << 40).unwrap();
    let info = import::import_file(
        &mut f.ws,
        &big,
        &ImportOptions::default(),
        &mut Job::silent(),
    )
    .unwrap();
    assert_eq!(info.rows, 150_000);
    let mut after = before.clone();
    after.push(("big".into(), 150_000));
    assert_eq!(check(&f.ws_path), after);
}

#[test]
fn a_workspace_another_connection_is_writing_to() {
    let mut f = fixture();
    let before = check(&f.ws_path);
    let p = f.file("small.csv", b"time,event,user\n2024-01-02 10:00,view,b\n");
    // another program holds the write lock: an open write transaction
    let other = rusqlite::Connection::open(&f.ws_path).unwrap();
    other
        .execute_batch("BEGIN IMMEDIATE; UPDATE datasets SET name = name")
        .unwrap();
    f.ws.set_busy_timeout(Duration::from_millis(200)).unwrap();
    let err = import::import_file(&mut f.ws, &p, &ImportOptions::default(), &mut Job::silent())
        .unwrap_err();
    assert_one_clear_sentence(&err.to_string(), &f.ws_path, "the workspace is busy");
    let err = import::append_file(
        &mut f.ws,
        "first",
        &p,
        &ImportOptions::default(),
        &mut Job::silent(),
    )
    .unwrap_err();
    assert_one_clear_sentence(&err.to_string(), &f.ws_path, "the workspace is busy");
    // readers are not blocked by a writer (WAL): the datasets are there
    assert_eq!(
        f.ws.datasets()
            .unwrap()
            .into_iter()
            .map(|d| (d.name, d.rows))
            .collect::<Vec<_>>(),
        before
    );
    other.execute_batch("ROLLBACK").unwrap();
    drop(other);
    assert_eq!(check(&f.ws_path), before);
    // and once the other writer is done, the import goes through
    import::import_file(&mut f.ws, &p, &ImportOptions::default(), &mut Job::silent()).unwrap();
    assert_eq!(check(&f.ws_path).len(), before.len() + 1);
}

#[test]
fn a_workspace_another_connection_holds_exclusively() {
    let f = fixture();
    let before = check(&f.ws_path);
    let Fixture { dir, ws, ws_path } = f;
    drop(ws);
    // another program holds the file in exclusive locking mode: in WAL
    // mode that keeps every other connection out, readers too
    let other = rusqlite::Connection::open(&ws_path).unwrap();
    other
        .execute_batch("PRAGMA locking_mode = EXCLUSIVE; BEGIN IMMEDIATE; UPDATE datasets SET name = name; COMMIT")
        .unwrap();
    let started = std::time::Instant::now();
    let err = match Workspace::open(&ws_path) {
        // the open itself may already need the lock (schema check) …
        Err(e) => e,
        // … or the first read or write does
        Ok(mut ws) => {
            ws.set_busy_timeout(Duration::from_millis(200)).unwrap();
            let p = dir.path().join("small.csv");
            std::fs::write(&p, "a\n1\n").unwrap();
            import::import_file(&mut ws, &p, &ImportOptions::default(), &mut Job::silent())
                .unwrap_err()
        }
    };
    assert!(started.elapsed() < Duration::from_secs(30));
    assert_one_clear_sentence(&err.to_string(), &ws_path, "the workspace is busy");
    drop(other);
    assert_eq!(check(&ws_path), before);
}
