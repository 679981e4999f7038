//! `stepwise import --map`: roles on a real export.
//!
//! The real files are found at `STEPWISE_SHARED_DATA`, else at
//! `../shared/data/real` beside the repository. Without them the test says
//! so and passes, except under CI (`CI=true`), where it fails.

use std::path::{Path, PathBuf};
use std::process::Command;

fn data_dir() -> Option<PathBuf> {
    let dir = std::env::var_os("STEPWISE_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/real"));
    if dir.join("SOURCES.md").exists() {
        return Some(dir);
    }
    let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false" && v != "0");
    assert!(
        !ci,
        "real exports not found at {} under CI (set STEPWISE_SHARED_DATA)",
        dir.display()
    );
    eprintln!(
        "SKIPPED: real exports not found at {} (set STEPWISE_SHARED_DATA); this test fails under CI",
        dir.display()
    );
    None
}

#[test]
fn two_columns_mapped_to_dimension_both_keep_it_rees46() {
    let Some(data) = data_dir() else { return };
    let file = data.join("datasets/rees46_ecommerce_events_2019-10_head.csv");
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_stepwise"))
        .arg("--workspace")
        .arg(dir.path().join("ws.stepwise"))
        .arg("import")
        .arg(&file)
        .args([
            "--map",
            "dimension=category_code",
            "--map",
            "dimension=brand",
            "--json",
        ])
        .env_remove("STEPWISE_WORKSPACE")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let d = &v["datasets"][0];
    assert_eq!(d["rows"], 14862);
    assert_eq!(d["kind"], "events");
    let role = |name: &str| {
        d["columns"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .unwrap_or_else(|| panic!("no column {name}"))["role"]
            .clone()
    };
    assert_eq!(role("category_code"), "dimension");
    assert_eq!(role("brand"), "dimension");
    // the rest is mapped as without --map (SOURCES.md's funnel mapping)
    assert_eq!(role("user_id"), "user");
    assert_eq!(role("user_session"), "session");
    assert_eq!(role("event_time"), "time");
    assert_eq!(role("event_type"), "event");
}
