//! Paths that are not regular files are refused at once, with a sentence
//! naming them (a named pipe with no writer used to block the CLI forever),
//! and standard input is read only when asked for, as `-`.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Runs the CLI with stdin closed and gives up (killing it) after 10 s.
fn run_bounded(ws: &Path, args: &[&str]) -> (Output, Duration) {
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_stepwise"))
        .arg("--workspace")
        .arg(ws)
        .args(args)
        .env_remove("STEPWISE_WORKSPACE")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run stepwise");
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(10) {
            child.kill().unwrap();
            let _ = child.wait();
            panic!("stepwise {args:?} was still running after 10 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    (out, started.elapsed())
}

/// The temporary folder the CLI is given (TMPDIR), next to the workspace.
fn tmp_of(ws: &Path) -> std::path::PathBuf {
    let tmp = ws.parent().unwrap().join("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    tmp
}

fn run_with_stdin(ws: &Path, args: &[&str], input: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_stepwise"))
        .arg("--workspace")
        .arg(ws)
        .args(args)
        .env_remove("STEPWISE_WORKSPACE")
        .env("TMPDIR", tmp_of(ws))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run stepwise");
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    let writer = std::thread::spawn(move || {
        // the CLI may exit before it reads (bad usage): a broken pipe is fine
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    out
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The datasets the workspace lists, by name.
fn dataset_names(ws: &Path) -> Vec<String> {
    let (out, _) = run_bounded(ws, &["datasets", "--json"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    v["datasets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["name"].as_str().unwrap().to_string())
        .collect()
}

/// Asserts the CLI refused `path` quickly, with exit code 1 and one line
/// naming the path and saying what it is.
fn assert_refused(ws: &Path, args: &[&str], path: &Path, what: &str) {
    let (out, took) = run_bounded(ws, args);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{args:?}: {err}");
    assert!(took < Duration::from_secs(5), "{args:?} took {took:?}");
    assert_eq!(
        err.trim_end(),
        format!(
            "stepwise: {}: this is {what}, not a regular file, so it cannot be imported; choose a data file saved on disk",
            path.display()
        ),
        "{args:?}"
    );
    assert!(out.stdout.is_empty(), "{args:?}");
}

#[cfg(unix)]
#[test]
fn a_named_pipe_with_no_writer_is_refused_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("w.stepwise");
    let fifo = dir.path().join("events.csv");
    let made = Command::new("mkfifo").arg(&fifo).status().expect("mkfifo");
    assert!(made.success());
    let p = fifo.to_str().unwrap();
    assert_refused(&ws, &["import", p, "--name", "x"], &fifo, "a named pipe");
    assert_refused(&ws, &["tables", p], &fifo, "a named pipe");
    assert_refused(&ws, &["tables", p, "--json"], &fifo, "a named pipe");
    assert!(dataset_names(&ws).is_empty());
}

#[test]
fn a_folder_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("w.stepwise");
    let folder = dir.path().join("exports");
    std::fs::create_dir(&folder).unwrap();
    let p = folder.to_str().unwrap();
    assert_refused(&ws, &["import", p], &folder, "a folder");
    assert_refused(&ws, &["tables", p], &folder, "a folder");
    assert!(dataset_names(&ws).is_empty());
}

#[cfg(unix)]
#[test]
fn a_device_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("w.stepwise");
    for dev in ["/dev/zero", "/dev/null", "/dev/stdin"] {
        let path = Path::new(dev);
        if !path.exists() {
            continue;
        }
        // /dev/stdin is what the CLI's stdin is: /dev/null here, a device
        assert_refused(&ws, &["import", dev, "--name", "x"], path, "a device");
        assert_refused(&ws, &["tables", dev], path, "a device");
    }
    assert!(dataset_names(&ws).is_empty());
}

#[test]
fn standard_input_is_read_as_dash() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("w.stepwise");
    let csv = b"event_time,event_name,user_id\n2024-09-01 10:00:00,view_item,7\n2024-09-01 10:02:00,purchase,7\n";
    let out = run_with_stdin(&ws, &["import", "-", "--name", "piped", "--json"], csv);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let d = &v["datasets"][0];
    assert_eq!(d["name"], "piped");
    assert_eq!(d["rows"], 2);
    assert_eq!(d["columns"][0]["type"], "timestamp");
    // the same content again is a duplicate, as from a file
    let out = run_with_stdin(&ws, &["import", "-", "--name", "again"], csv);
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("same content"), "{}", stderr(&out));
    // appending from stdin
    let more = b"event_time,event_name,user_id\n2024-09-02 10:00:00,view_item,8\n";
    let out = run_with_stdin(&ws, &["import", "-", "--append", "piped", "--json"], more);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["datasets"][0]["rows"], 3);
    // the format is sniffed from the content: NDJSON on stdin
    let nd = b"{\"ts\":\"2024-09-01T10:00:00Z\",\"event\":\"view\",\"user\":\"a\"}\n{\"ts\":\"2024-09-01T10:01:00Z\",\"event\":\"buy\",\"user\":\"a\"}\n";
    let out = run_with_stdin(&ws, &["import", "-", "--name", "nd", "--json"], nd);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["datasets"][0]["rows"], 2);
    assert_eq!(dataset_names(&ws), ["piped", "nd"]);
    // `tables -` lists what stdin holds
    let out = run_with_stdin(&ws, &["tables", "-", "--json"], csv);
    assert!(out.status.success(), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["tables"][0]["rows"], 2);
    assert_eq!(v["tables"][0]["columns"][1], "event_name");
    // empty stdin is an empty file
    let out = run_with_stdin(&ws, &["import", "-", "--name", "empty"], b"");
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("stdin: the file is empty"),
        "{}",
        stderr(&out)
    );
    // no leftovers of the spooled input
    let left: Vec<_> = std::fs::read_dir(tmp_of(&ws)).unwrap().collect();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn standard_input_needs_a_name() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("w.stepwise");
    let out = run_with_stdin(&ws, &["import", "-"], b"a,b\n1,2\n");
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("needs --name"), "{}", stderr(&out));
    assert!(dataset_names(&ws).is_empty());
}
