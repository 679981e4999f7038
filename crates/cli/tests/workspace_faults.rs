//! A read-only workspace file, as the kernel enforces it: an import is
//! refused with one sentence naming the file, and nothing is lost (the
//! file passes `PRAGMA integrity_check` and lists the same datasets).
//!
//! Root ignores file permissions (chmod 0444 does not stop root writing),
//! so when the tests run as root (CI does) the CLI is run as the unprivileged
//! user `nobody` (uid 65534) with `setpriv`; the workspace file then is
//! read-only for that process in the same way it is for an analyst whose
//! file is read-only. Full disk and locked workspaces:
//! crates/engine/tests/workspace_faults.rs.

#![cfg(unix)]

use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::{Command, Output};

const NOBODY: u32 = 65534;

fn is_root() -> bool {
    let out = Command::new("id").arg("-u").output().expect("id -u");
    String::from_utf8_lossy(&out.stdout).trim() == "0"
}

/// Runs the CLI; as root, as `nobody` (see the file's comment).
fn stepwise(ws: &Path, args: &[&str]) -> Output {
    let bin = env!("CARGO_BIN_EXE_stepwise");
    let mut cmd = if is_root() {
        let mut c = Command::new("setpriv");
        c.args([
            &format!("--reuid={NOBODY}"),
            &format!("--regid={NOBODY}"),
            "--clear-groups",
            "--",
            bin,
        ]);
        c
    } else {
        Command::new(bin)
    };
    cmd.arg("--workspace")
        .arg(ws)
        .args(args)
        .env_remove("STEPWISE_WORKSPACE")
        .env("HOME", ws.parent().unwrap())
        .output()
        .expect("run stepwise")
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn chown_to_nobody(p: &Path) {
    if is_root() {
        let ok = Command::new("chown")
            .arg(format!("{NOBODY}:{NOBODY}"))
            .arg(p)
            .status()
            .unwrap();
        assert!(ok.success());
    }
}

fn chmod(p: &Path, mode: u32) {
    std::fs::set_permissions(p, std::fs::Permissions::from_mode(mode)).unwrap();
}

/// The file's integrity and its datasets (name, rows), read by this process.
fn check(ws: &Path) -> Vec<(String, u64)> {
    let conn =
        rusqlite::Connection::open_with_flags(ws, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    let ok: String = conn
        .query_row("PRAGMA integrity_check", [], |r| r.get(0))
        .unwrap();
    assert_eq!(ok, "ok");
    let mut st = conn
        .prepare("SELECT name, rows FROM datasets ORDER BY id")
        .unwrap();
    let rows = st
        .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, u64>(1)?)))
        .unwrap();
    rows.map(|r| r.unwrap()).collect()
}

/// A folder the CLI's user may enter, with a workspace holding one dataset
/// and a CSV to import.
fn setup() -> (tempfile::TempDir, std::path::PathBuf, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    chmod(dir.path(), 0o755);
    let ws = dir.path().join("ro.stepwise");
    let seed = dir.path().join("seed.csv");
    std::fs::write(&seed, "a,b\n1,x\n2,y\n").unwrap();
    let csv = dir.path().join("events.csv");
    std::fs::write(
        &csv,
        "time,event,user\n2024-01-01 10:00,view,a\n2024-01-01 10:01,buy,a\n",
    )
    .unwrap();
    for p in [&seed, &csv] {
        chmod(p, 0o644);
    }
    let out = Command::new(env!("CARGO_BIN_EXE_stepwise"))
        .arg("--workspace")
        .arg(&ws)
        .args(["import", seed.to_str().unwrap()])
        .env_remove("STEPWISE_WORKSPACE")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    (dir, ws, csv)
}

fn assert_read_only_refusal(out: &Output, ws: &Path) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert_eq!(
        err.trim_end(),
        format!(
            "stepwise: {}: the workspace file (or its -wal or -shm file beside it) is read-only, so nothing can be stored in it; make them writable or choose another workspace (nothing was stored)",
            ws.display()
        )
    );
}

#[test]
fn a_read_only_workspace_file_refuses_an_import_and_still_reads() {
    let (dir, ws, csv) = setup();
    let before = check(&ws);
    assert_eq!(before, [("seed".to_string(), 2)]);
    // the folder is the user's (so SQLite may make its -wal and -shm
    // files); the workspace file is read-only
    chown_to_nobody(dir.path());
    chown_to_nobody(&ws);
    chmod(&ws, 0o444);
    let out = stepwise(&ws, &["import", csv.to_str().unwrap()]);
    assert_read_only_refusal(&out, &ws);
    let more = dir.path().join("more.csv");
    std::fs::write(&more, "a,b\n3,z\n").unwrap();
    chmod(&more, 0o644);
    let out = stepwise(&ws, &["import", more.to_str().unwrap(), "--append", "seed"]);
    assert_read_only_refusal(&out, &ws);
    // reading still works
    let out = stepwise(&ws, &["datasets", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["datasets"][0]["name"], "seed");
    assert_eq!(v["datasets"].as_array().unwrap().len(), 1);
    assert_eq!(check(&ws), before);
    // made writable again, the same import goes through. SQLite gave the
    // -wal and -shm files it made for the read-only reader the file's own
    // read-only mode: they must be made writable too (the message says so)
    chmod(&ws, 0o644);
    let stderr_now = stepwise(&ws, &["import", csv.to_str().unwrap()]);
    assert_read_only_refusal(&stderr_now, &ws);
    for side in ["stepwise-wal", "stepwise-shm"] {
        let p = ws.with_extension(side);
        if p.exists() {
            chmod(&p, 0o644);
        }
    }
    let out = stepwise(&ws, &["import", csv.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(check(&ws).len(), 2);
}
