//! The fuzz targets' bodies (`import::fuzzing`) over the committed seed
//! corpus (fuzz/corpus/<target>/), so CI runs them on stable (the inputs a
//! fuzzer once crashed on are tests/fuzz_seeds/, run by fuzz_regressions.rs).
//! See docs/import.md for running the fuzzers themselves.

use std::path::{Path, PathBuf};
use stepwise_engine::import::{self, fuzzing, ImportOptions};
use stepwise_engine::{ColumnType, Job, Workspace};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz")
}

fn inputs(kind: &str, target: &str) -> Vec<PathBuf> {
    let dir = fuzz_dir().join(kind).join(target);
    let mut files: Vec<PathBuf> = match std::fs::read_dir(&dir) {
        Ok(rd) => rd.map(|e| e.unwrap().path()).collect(),
        Err(_) => Vec::new(),
    };
    files.sort();
    files
}

fn run_all(target: &str, f: fn(&[u8])) -> usize {
    let seeds = inputs("corpus", target);
    assert!(seeds.len() >= 3, "the seed corpus of {target} is missing");
    let mut n = 0;
    for p in seeds.iter() {
        let data = std::fs::read(p).unwrap();
        let started = std::time::Instant::now();
        f(&data);
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "{} took {:?}",
            p.display(),
            started.elapsed()
        );
        n += 1;
    }
    n
}

#[test]
fn csv_sniffer_over_the_corpus() {
    assert!(run_all("csv_sniffer", fuzzing::csv_sniffer) >= 10);
}

#[test]
fn xlsx_over_the_corpus() {
    assert!(run_all("xlsx", fuzzing::xlsx) >= 4);
}

#[test]
fn json_flattener_over_the_corpus() {
    assert!(run_all("json_flattener", fuzzing::json_flattener) >= 6);
}

/// The seeds are real inputs, not noise: the well-formed ones import as
/// they read.
#[test]
fn the_seeds_import_as_they_read() {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::open(&dir.path().join("w.stepwise")).unwrap();
    let mut import = |target: &str, name: &str| {
        let p = fuzz_dir().join("corpus").join(target).join(name);
        import::import_file(&mut ws, &p, &ImportOptions::default(), &mut Job::silent())
            .unwrap_or_else(|e| panic!("{name}: {e}"))
    };
    let d = import("csv_sniffer", "plain.csv");
    assert_eq!(d.rows, 2);
    assert_eq!(d.columns[0].ty, ColumnType::Timestamp);
    assert_eq!(d.columns[3].ty, ColumnType::Decimal);
    let d = import("csv_sniffer", "semicolon_decimal_comma.csv");
    assert_eq!(d.rows, 2);
    assert_eq!(d.columns[1].ty, ColumnType::Integer);
    let d = import("xlsx", "orders.xlsx");
    assert_eq!(d.rows, 2);
    let names: Vec<&str> = d.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["Order", "Date", "Total"]);
    let d = import("xlsx", "title_rows.xlsx");
    assert_eq!(d.rows, 2);
    assert_eq!(d.columns[0].name, "Channel");
    let d = import("json_flattener", "ga4_params.ndjson");
    assert_eq!(d.rows, 2);
    assert!(
        d.columns.iter().any(|c| c.name.contains("page_location")),
        "{:?}",
        d.columns
    );
    let d = import("json_flattener", "array.json");
    assert!(
        d.columns.iter().any(|c| c.name == "user.id"),
        "{:?}",
        d.columns
    );
}
