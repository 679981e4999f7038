//! The CLI killed (SIGKILL, no chance to clean up) at random moments of a
//! large import, 20 times in a row on the same workspace. After each kill
//! the workspace must:
//! - pass `PRAGMA integrity_check`;
//! - list exactly the datasets it had (an import is one transaction: the
//!   killed import's dataset is there whole, if the kill came after its
//!   commit, or not at all);
//! - keep its size, with no orphaned pages. Precisely: after a fresh
//!   connection opens the file (SQLite then ignores the WAL frames the
//!   killed transaction left, as no commit frame follows them) and runs
//!   `PRAGMA wal_checkpoint(TRUNCATE)`, the main file's `page_count` and
//!   `freelist_count` are exactly what they were before the import began
//!   (measured the same way), so its size in bytes (page_count × page_size)
//!   is exactly the same, and the `-wal` file is empty. Zero pages of slack:
//!   in WAL mode an uncommitted transaction never reaches the main file, so
//!   any growth would be a leak.
//!
//! The kill moments come from a seeded generator (`STEPWISE_KILL_SEED` to
//! replay another run): every other kill comes 0-2.5 s after the CLI
//! started (the workspace open, the sniffing, maybe the first chunks), the
//! others 0-1.5 s after the import's first write to the workspace (its WAL
//! grew), so that half of them land while chunks are being stored, however
//! fast the machine is.

#![cfg(unix)]

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const EVENTS: u64 = 1_000_000;
const KILLS: usize = 20;

fn cli() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_stepwise"));
    c.env_remove("STEPWISE_WORKSPACE");
    c
}

/// splitmix64: a small, seeded, reproducible generator.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [lo, hi) milliseconds.
    fn millis(&mut self, lo: u64, hi: u64) -> Duration {
        Duration::from_millis(lo + self.next() % (hi - lo))
    }
}

/// What "keeps its size" compares: the main file after a checkpoint.
#[derive(Debug, PartialEq, Eq, Clone, Copy)]
struct Size {
    page_count: u64,
    freelist_count: u64,
    page_size: u64,
    file_bytes: u64,
}

/// Opens the workspace with a fresh connection (which recovers it from the
/// WAL as SQLite does after a crash), checks its integrity, checkpoints it
/// and measures it; returns its datasets (name, rows) and its size.
fn inspect(ws: &Path) -> (Vec<(String, u64)>, Size) {
    let conn = rusqlite::Connection::open(ws).unwrap();
    let ok: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok", "integrity_check");
    let (busy, _, _): (i64, i64, i64) = conn
        .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?))
        })
        .unwrap();
    assert_eq!(busy, 0, "the checkpoint ran to the end");
    let q = |sql: &str| -> u64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    let size = Size {
        page_count: q("PRAGMA page_count"),
        freelist_count: q("PRAGMA freelist_count"),
        page_size: q("PRAGMA page_size"),
        file_bytes: std::fs::metadata(ws).unwrap().len(),
    };
    assert_eq!(size.file_bytes, size.page_count * size.page_size);
    let wal = ws.with_extension("stepwise-wal");
    let wal_bytes = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
    assert_eq!(wal_bytes, 0, "the WAL is empty after the checkpoint");
    let mut st = conn
        .prepare("SELECT name, rows FROM datasets ORDER BY id")
        .unwrap();
    let names = st
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, u64>(1)?)))
        .unwrap()
        .map(|r| r.unwrap())
        .collect();
    (names, size)
}

/// The datasets as the CLI lists them.
fn cli_datasets(ws: &Path) -> Vec<(String, u64)> {
    let out = cli()
        .arg("--workspace")
        .arg(ws)
        .args(["datasets", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v["datasets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["name"].as_str().unwrap().to_string(),
                d["rows"].as_u64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn killing_an_import_at_random_moments_loses_and_leaks_nothing() {
    let seed: u64 = std::env::var("STEPWISE_KILL_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20_26_12_04);
    let mut rng = Rng(seed);
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("kill.stepwise");
    let big = dir.path().join("big.csv");
    let out = cli()
        .args(["generate", "--events", &EVENTS.to_string(), "--out"])
        .arg(&big)
        .output()
        .unwrap();
    assert!(out.status.success());
    // a workspace with two datasets already
    let small = dir.path().join("small.csv");
    let gen = cli()
        .args(["generate", "--events", "2000", "--seed", "7", "--out"])
        .arg(&small)
        .output()
        .unwrap();
    assert!(gen.status.success());
    for name in ["first", "second"] {
        let out = cli()
            .arg("--workspace")
            .arg(&ws)
            .args([
                "import",
                small.to_str().unwrap(),
                "--allow-duplicate",
                "--name",
                name,
            ])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let (mut expected, mut size) = inspect(&ws);
    assert_eq!(expected.len(), 2);
    eprintln!(
        "seed {seed}; {} events generated in {:?}; workspace {} pages of {} bytes",
        EVENTS,
        started.elapsed(),
        size.page_count,
        size.page_size
    );
    let mut wal_seen = 0u64;
    for i in 0..KILLS {
        let name = format!("big{i}");
        let wait = if i % 2 == 0 {
            rng.millis(30, 2500)
        } else {
            rng.millis(0, 1500)
        };
        let mut child = cli()
            .arg("--workspace")
            .arg(&ws)
            // the same file every time: an import that committed before its
            // kill must not make the next one a refused duplicate
            .args([
                "import",
                big.to_str().unwrap(),
                "--allow-duplicate",
                "--name",
                &name,
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let t = Instant::now();
        let wal_path = ws.with_extension("stepwise-wal");
        let wal_len = || std::fs::metadata(&wal_path).map(|m| m.len()).unwrap_or(0);
        let mut exited = false;
        // every other kill: once the import has begun writing its chunks
        // (the WAL has grown), whatever the machine's speed
        let mut storing = None;
        if i % 2 == 1 {
            while t.elapsed() < Duration::from_secs(30) {
                if child.try_wait().unwrap().is_some() {
                    exited = true;
                    break;
                }
                if wal_len() > 0 {
                    storing = Some(t.elapsed());
                    break;
                }
                std::thread::sleep(Duration::from_millis(2));
            }
            assert!(
                exited || storing.is_some(),
                "kill {i}: the import never wrote"
            );
        }
        let t = Instant::now();
        while !exited && t.elapsed() < wait {
            if child.try_wait().unwrap().is_some() {
                exited = true;
                break;
            }
            std::thread::sleep(Duration::from_millis(5));
        }
        let wal = wal_len();
        wal_seen = wal_seen.max(wal);
        if !exited {
            child.kill().unwrap(); // SIGKILL
        }
        let status = child.wait().unwrap();
        use std::os::unix::process::ExitStatusExt;
        let finished = if status.signal() == Some(9) {
            None
        } else {
            Some(status)
        };
        let (now, new_size) = inspect(&ws);
        // what the CLI lists is what the file holds
        assert_eq!(cli_datasets(&ws), now, "kill {i}");
        match finished {
            Some(status) => {
                // the import ended before the kill: it committed
                assert!(status.success(), "kill {i}: the import failed");
                expected.push((name.clone(), EVENTS));
                assert_eq!(now, expected, "kill {i}");
                size = new_size;
            }
            None if now.len() == expected.len() + 1 => {
                // killed between its commit and its exit: the dataset is
                // there, whole
                expected.push((name.clone(), EVENTS));
                assert_eq!(now, expected, "kill {i}: a dataset cut short");
                size = new_size;
            }
            None => {
                assert_eq!(now, expected, "kill {i} after {wait:?}");
                assert_eq!(
                    new_size, size,
                    "kill {i} after {wait:?}: the workspace changed size"
                );
            }
        }
        eprintln!(
            "kill {i:>2} {:>4} ms after {}: WAL {:>9} bytes at the kill; {} datasets, {} pages, {} free",
            wait.as_millis(),
            match storing {
                Some(s) => format!("the first write ({} ms)", s.as_millis()),
                None => "the start".into(),
            },
            wal,
            now.len(),
            new_size.page_count,
            new_size.freelist_count
        );
    }
    // some kills came while chunks were being written
    assert!(wal_seen > 0, "no kill came during the storing");
    // and the workspace takes an import afterwards
    let out = cli()
        .arg("--workspace")
        .arg(&ws)
        .args([
            "import",
            small.to_str().unwrap(),
            "--allow-duplicate",
            "--name",
            "after",
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    expected.push(("after".into(), 2000));
    assert_eq!(inspect(&ws).0, expected);
    eprintln!("{KILLS} kills in {:?}", started.elapsed());
}
