//! Files that change under an import, and the rows to make them long.

use std::path::{Path, PathBuf};
use stepwise_engine::{CancelToken, Job, Progress};

/// A CSV of `n` view events (times within an hour, 97 users).
pub fn many_rows(n: usize) -> String {
    let mut s = String::from("time,event,user\n");
    for i in 0..n {
        s.push_str(&format!(
            "2024-01-01 00:{:02}:{:02},view,u{}\n",
            (i / 60) % 60,
            i % 60,
            i % 97
        ));
    }
    s
}

/// A job that does `act` to `victim` the first time the import reports
/// `stage` (for `reading`: once some bytes are read).
pub fn when_stage(
    stage: &'static str,
    victim: &Path,
    act: impl FnOnce(&Path) + Send + 'static,
) -> Job<'static> {
    let victim: PathBuf = victim.to_path_buf();
    let mut act = Some(act);
    Job::new(CancelToken::new(), move |pr: &Progress| {
        if pr.stage == stage && (stage != "reading" || pr.bytes_done > 0) {
            if let Some(f) = act.take() {
                f(&victim);
            }
        }
    })
}

/// Cuts a file to `len(its length)` bytes.
pub fn cut(path: &Path, len: impl FnOnce(u64) -> u64) {
    let file = std::fs::OpenOptions::new().write(true).open(path).unwrap();
    file.set_len(len(file.metadata().unwrap().len())).unwrap();
}
