//! The folder of real exports (../shared/data/real, see its SOURCES.md):
//! found at `STEPWISE_SHARED_DATA`, else beside the repository. Outside CI
//! a missing folder skips the test with a note; under CI (`CI` set, and not
//! `false` or `0`) it fails the test, so a moved folder cannot turn the
//! real-data tests green silently.

use super::under_ci;
use std::path::{Path, PathBuf};

/// Where the real exports are looked for.
pub fn real_data_path() -> PathBuf {
    std::env::var_os("STEPWISE_SHARED_DATA")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/real"))
}

/// The decision for a folder (or file) `path` that must exist: `Ok(Some)`
/// when it does, `Ok(None)` (skip) when it does not outside CI, `Err` (the
/// failure message) when it does not under CI.
pub fn present_or_skip(path: &Path, ci: bool) -> Result<Option<PathBuf>, String> {
    let found = if path.is_dir() {
        path.join("SOURCES.md").is_file()
    } else {
        path.is_file()
    };
    if found {
        Ok(Some(path.to_path_buf()))
    } else if ci {
        Err(format!(
            "real exports missing at {} under CI (set STEPWISE_SHARED_DATA to the folder that holds SOURCES.md)",
            path.display()
        ))
    } else {
        eprintln!(
            "real exports not found at {} (set STEPWISE_SHARED_DATA); skipping",
            path.display()
        );
        Ok(None)
    }
}

/// The real data folder, or `None` to skip (outside CI); fails under CI.
pub fn real_data() -> Option<PathBuf> {
    present_or_skip(&real_data_path(), under_ci()).unwrap_or_else(|e| panic!("{e}"))
}

/// One file of the real data folder (`rel` below it), or `None` to skip;
/// fails under CI when the folder or the file is missing.
pub fn real_file(rel: &str) -> Option<PathBuf> {
    let dir = real_data()?;
    present_or_skip(&dir.join(rel), under_ci()).unwrap_or_else(|e| panic!("{e}"))
}
