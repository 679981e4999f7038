//! Every input a fuzzer once crashed or hung on, kept in
//! tests/fuzz_seeds/<target>/, fed through the very function that target
//! runs (`import::fuzzing::<target>`), on stable, in CI. None may panic or
//! take long; an import error is fine. See docs/import.md, "Fuzzing".

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};
use stepwise_engine::import::fuzzing;

fn seeds(target: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fuzz_seeds")
        .join(target);
    let mut files: Vec<PathBuf> = match std::fs::read_dir(&dir) {
        Ok(rd) => rd.map(|e| e.unwrap().path()).collect(),
        Err(_) => Vec::new(),
    };
    files.sort();
    files
}

/// Runs `f` over every seed of `target`; returns how many there were.
fn run(target: &str, f: fn(&[u8])) -> usize {
    let files = seeds(target);
    for p in &files {
        let data = std::fs::read(p).unwrap();
        let started = Instant::now();
        f(&data);
        let took = started.elapsed();
        assert!(
            took < Duration::from_secs(20),
            "{} took {took:?}",
            p.display()
        );
    }
    files.len()
}

#[test]
fn csv_sniffer_seeds() {
    run("csv_sniffer", fuzzing::csv_sniffer);
}

#[test]
fn xlsx_seeds() {
    run("xlsx", fuzzing::xlsx);
}

#[test]
fn json_flattener_seeds() {
    run("json_flattener", fuzzing::json_flattener);
}

#[test]
fn import_store_seeds() {
    run("import_store", fuzzing::import_store);
}

/// A crash found through one format may hide in another target's path:
/// every seed goes through every target.
#[test]
fn every_seed_through_every_target() {
    type Target = (&'static str, fn(&[u8]));
    let targets: [Target; 4] = [
        ("csv_sniffer", fuzzing::csv_sniffer),
        ("xlsx", fuzzing::xlsx),
        ("json_flattener", fuzzing::json_flattener),
        ("import_store", fuzzing::import_store),
    ];
    for (from, _) in targets {
        for p in seeds(from) {
            let data = std::fs::read(&p).unwrap();
            for (_, f) in targets {
                f(&data);
            }
        }
    }
}

/// The end-to-end target over its committed corpus (fuzz/corpus/
/// import_store: a few seeds of every format), as CI can run it.
#[test]
fn import_store_over_its_corpus() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/corpus/import_store");
    let mut n = 0;
    for e in std::fs::read_dir(dir).unwrap() {
        let data = std::fs::read(e.unwrap().path()).unwrap();
        fuzzing::import_store(&data);
        n += 1;
    }
    assert!(n >= 9, "the corpus of import_store is missing");
}
