//! The built `stepwise` binary, run as a user or a script would.

use std::path::Path;
use std::process::{Command, Output};

fn stepwise(ws: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stepwise"))
        .arg("--workspace")
        .arg(ws)
        .args(args)
        .env_remove("STEPWISE_WORKSPACE")
        .output()
        .expect("run stepwise")
}

fn json(out: &Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "stepwise failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("valid JSON on stdout")
}

#[test]
fn import_then_list_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws.stepwise");
    let csv = dir.path().join("events.csv");
    std::fs::write(
        &csv,
        "event_time,event_name,user_id,revenue\n2024-09-01 10:00:00,view_item,7,\n2024-09-01 10:02:00,purchase,7,19.99\n",
    )
    .unwrap();
    let out = stepwise(
        &ws,
        &[
            "import",
            csv.to_str().unwrap(),
            "--name",
            "shop events",
            "--json",
        ],
    );
    let v = json(&out);
    let d = &v["datasets"][0];
    assert_eq!(d["name"], "shop events");
    assert_eq!(d["kind"], "events");
    assert_eq!(d["rows"], 2);
    assert_eq!(d["columns"][0]["name"], "event_time");
    assert_eq!(d["columns"][0]["type"], "timestamp");
    assert_eq!(d["columns"][0]["role"], "time");
    assert_eq!(d["columns"][1]["role"], "event");
    assert_eq!(d["columns"][3]["type"], "decimal");
    assert_eq!(d["columns"][3]["role"], "value");

    let v = json(&stepwise(&ws, &["datasets", "--json"]));
    assert_eq!(v["datasets"].as_array().unwrap().len(), 1);
    assert_eq!(v["datasets"][0]["name"], "shop events");
    assert_eq!(v["datasets"][0]["rows"], 2);

    // The plain table names the dataset too.
    let out = stepwise(&ws, &["datasets"]);
    assert!(String::from_utf8_lossy(&out.stdout).contains("shop events"));
}

#[test]
fn map_overrides_a_role() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws.stepwise");
    let csv = dir.path().join("hits.csv");
    std::fs::write(&csv, "when,what,who\n2024-09-01T10:00:00Z,a,x\n").unwrap();
    let v = json(&stepwise(
        &ws,
        &[
            "import",
            csv.to_str().unwrap(),
            "--map",
            "time=when",
            "--map",
            "event=what",
            "--map",
            "user=who",
            "--json",
        ],
    ));
    let cols = &v["datasets"][0]["columns"];
    assert_eq!(cols[0]["role"], "time");
    assert_eq!(cols[1]["role"], "event");
    assert_eq!(cols[2]["role"], "user");
    assert_eq!(v["datasets"][0]["kind"], "events");
}

#[test]
fn the_environment_variable_chooses_the_workspace() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("env.stepwise");
    let csv = dir.path().join("t.csv");
    std::fs::write(&csv, "page,views\n/a,3\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_stepwise"))
        .args(["import", csv.to_str().unwrap(), "--json"])
        .env("STEPWISE_WORKSPACE", &ws)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(ws.exists());
    let v = json(&stepwise(&ws, &["datasets", "--json"]));
    assert_eq!(v["datasets"][0]["kind"], "metrics");
}

#[test]
fn bad_input_exits_1_with_one_readable_sentence() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws.stepwise");
    let csv = dir.path().join("ragged.csv");
    std::fs::write(&csv, "a,b\n1,2\n1,2,3\n").unwrap();
    let out = stepwise(&ws, &["import", csv.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("ragged.csv") && err.contains("row 3"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    assert!(out.stdout.is_empty());

    let out = stepwise(
        &ws,
        &["import", dir.path().join("missing.csv").to_str().unwrap()],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing.csv"));

    // Nothing was stored by either.
    let v = json(&stepwise(&ws, &["datasets", "--json"]));
    assert!(v["datasets"].as_array().unwrap().is_empty());
}

#[test]
fn bad_usage_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = stepwise(&dir.path().join("ws.stepwise"), &["frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
    let out = stepwise(&dir.path().join("ws.stepwise"), &["import"]);
    assert_eq!(out.status.code(), Some(2));
}
