//! `stepwise funnel SPEC --sql clickhouse [--table NAME]` prints the funnel
//! as ClickHouse SQL, and refuses what cannot run there with a sentence.

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

#[test]
fn funnel_prints_clickhouse_sql_for_a_table() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws.stepwise");
    let csv = dir.path().join("events.csv");
    std::fs::write(
        &csv,
        "user,time,event,device\na,2024-09-01T10:00:00Z,view,m\na,2024-09-01T10:01:00Z,buy,m\n",
    )
    .unwrap();
    let out = stepwise(&ws, &["import", csv.to_str().unwrap(), "--name", "shop"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let spec = dir.path().join("f.json");
    std::fs::write(
        &spec,
        r#"{"dataset":"shop","steps":[{"event":"view"},{"event":"buy"}],"breakdown":{"column":"device"}}"#,
    )
    .unwrap();
    let spec = spec.to_str().unwrap();

    let out = stepwise(&ws, &["funnel", spec, "--sql", "clickhouse"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let sql = String::from_utf8(out.stdout).unwrap();
    assert!(sql.contains("FROM `shop`"), "{sql}");
    assert!(sql.contains("`event` = 'view'"), "{sql}");
    assert!(
        sql.contains("SELECT value, toUInt32(step) AS step"),
        "{sql}"
    );

    let out = stepwise(
        &ws,
        &[
            "funnel",
            spec,
            "--sql",
            "clickhouse",
            "--table",
            "analytics.events",
            "--row-order",
            "device",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let sql = String::from_utf8(out.stdout).unwrap();
    assert!(sql.contains("FROM analytics.events"), "{sql}");
    assert!(sql.contains("`device` AS _r"), "{sql}");

    // an option that is not pushed down is refused, not ignored
    let trend = dir.path().join("t.json");
    std::fs::write(
        &trend,
        r#"{"dataset":"shop","steps":[{"event":"view"}],"trend":{"interval":"day"}}"#,
    )
    .unwrap();
    let out = stepwise(
        &ws,
        &["funnel", trend.to_str().unwrap(), "--sql", "clickhouse"],
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("cannot be run in ClickHouse: a trend"),
        "{err}"
    );

    // --table needs --sql
    let out = stepwise(&ws, &["funnel", spec, "--table", "x"]);
    assert!(!out.status.success());
}
