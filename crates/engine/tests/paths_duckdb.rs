//! Paths and weekly retention on a generated clickstream, checked against
//! DuckDB SQL (tests/reference/paths_reference.py): the next-event level-1
//! counts and level-1 -> level-2 edges from each user's first view_item,
//! and the weekly first-seen retention table; and paths between two funnel
//! steps (tests/reference/paths_between_reference.py). Needs python3 with duckdb:
//! under CI a missing one fails the test; elsewhere it is skipped with a
//! note.

mod common;

use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;
use stepwise_engine::generate::{write_clickstream_file, GenOptions};
use stepwise_engine::import::{import_file, ImportOptions};
use stepwise_engine::paths::{run_paths, PathNodeKind, PathsSpec};
use stepwise_engine::retention::{run_retention, RetentionSpec};
use stepwise_engine::Job;

fn duckdb_available() -> bool {
    let ok = Command::new("python3")
        .args(["-c", "import duckdb"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        if common::under_ci() {
            panic!("python3 with duckdb is needed under CI (pip install duckdb)");
        }
        eprintln!(
            "python3 with duckdb not found (pip install duckdb); skipping the DuckDB cross-check"
        );
    }
    ok
}

#[test]
fn paths_and_weekly_retention_equal_duckdb() {
    if !duckdb_available() {
        return;
    }
    let mut w = common::funnel::workspace();
    let csv = w.dir.path().join("clicks.csv");
    write_clickstream_file(&csv, &GenOptions::with_events(60_000)).unwrap();
    let opts = ImportOptions {
        name: Some("clicks".into()),
        ..Default::default()
    };
    import_file(&mut w.ws, &csv, &opts, &mut Job::silent()).unwrap();

    let script =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/reference/paths_reference.py");
    let out = Command::new("python3")
        .arg(&script)
        .arg(&csv)
        .args(["view_item", "5"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let want: Value = serde_json::from_slice(&out.stdout).unwrap();

    let spec: PathsSpec = serde_json::from_value(
        json!({"dataset": "clicks", "from": {"event": "view_item"}, "levels": 2, "top": 50}),
    )
    .unwrap();
    let r = run_paths(&w.ws, &spec, &mut w.cache).unwrap();
    assert_eq!(r.units, want["units"].as_u64().unwrap());
    assert!(r.nodes.iter().all(|n| n.kind != PathNodeKind::Other));
    let level1: BTreeMap<String, u64> = r
        .nodes
        .iter()
        .filter(|n| n.level == 1)
        .map(|n| (n.name.clone(), n.count))
        .collect();
    let want1: BTreeMap<String, u64> = serde_json::from_value(want["level1"].clone()).unwrap();
    assert_eq!(level1, want1);
    let level2: BTreeMap<String, u64> = r
        .edges
        .iter()
        .filter(|e| r.nodes[e.from].level == 1)
        .map(|e| {
            (
                format!("{} > {}", r.nodes[e.from].name, r.nodes[e.to].name),
                e.count,
            )
        })
        .collect();
    let want2: BTreeMap<String, u64> = serde_json::from_value(want["level2"].clone()).unwrap();
    assert_eq!(level2, want2);

    let spec: RetentionSpec = serde_json::from_value(
        json!({"dataset": "clicks", "cohort": "first_seen", "return": "any", "interval": "week", "periods": 5}),
    )
    .unwrap();
    let r = run_retention(&w.ws, &spec, &mut w.cache).unwrap();
    let got: Vec<Value> = r
        .cohorts
        .iter()
        .map(|c| json!({"period": c.period, "size": c.size, "returned": c.returned}))
        .collect();
    assert_eq!(Value::Array(got), want["cohorts"]);
    assert!(r.cohorts.len() >= 4, "{:?}", r.cohorts);
}

/// Between two steps on a generated clickstream, against DuckDB SQL
/// (tests/reference/paths_between_reference.py): the users, every sequence
/// and its count, and the spreads of events and seconds between, for
/// view_item -> add_to_cart (mostly nothing between) and page_view ->
/// begin_checkout (several events between).
#[test]
fn between_two_steps_equals_duckdb() {
    if !duckdb_available() {
        return;
    }
    let mut w = common::funnel::workspace();
    let csv = w.dir.path().join("clicks.csv");
    write_clickstream_file(&csv, &GenOptions::with_events(60_000)).unwrap();
    let opts = ImportOptions {
        name: Some("clicks".into()),
        ..Default::default()
    };
    import_file(&mut w.ws, &csv, &opts, &mut Job::silent()).unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/reference/paths_between_reference.py");
    for (a, b) in [
        ("view_item", "add_to_cart"),
        ("page_view", "begin_checkout"),
    ] {
        let out = Command::new("python3")
            .arg(&script)
            .arg(&csv)
            .args([a, b])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let want: Value = serde_json::from_slice(&out.stdout).unwrap();
        let spec: PathsSpec = serde_json::from_value(json!({
            "dataset": "clicks",
            "from": {"funnel": {"dataset": "clicks", "steps": [{"event": a}, {"event": b}]}, "between": 1},
            "top": 50
        }))
        .unwrap();
        let r = run_paths(&w.ws, &spec, &mut w.cache).unwrap();
        let got = r.between.expect("between");
        assert_eq!(got.units, want["units"].as_u64().unwrap(), "{a} -> {b}");
        assert!(got.units > 50, "{a} -> {b}: {}", got.units);
        let want_seqs: BTreeMap<String, u64> =
            serde_json::from_value(want["sequences"].clone()).unwrap();
        assert!(want_seqs.len() <= 50, "more sequences than the top 50");
        let got_seqs: BTreeMap<String, u64> = got
            .sequences
            .iter()
            .map(|s| (s.name.clone(), s.count))
            .collect();
        assert_eq!(got_seqs, want_seqs, "{a} -> {b}");
        for (name, spread) in [("events", &got.events), ("seconds", &got.seconds)] {
            let w: Vec<f64> = serde_json::from_value(want[name].clone()).unwrap();
            let g = [spread.median, spread.p75, spread.p90];
            for (g, w) in g.iter().zip(&w) {
                assert!(
                    (g.unwrap() - w).abs() < 1e-6,
                    "{a} -> {b} {name}: {g:?} vs {w}"
                );
            }
        }
    }
}
