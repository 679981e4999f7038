//! Shared by the report and chart tests: the poppler/qpdf tools, required
//! in CI.
#![allow(dead_code)]

use std::path::Path;
use std::process::Command;

/// Is the tool installed? In CI a missing tool fails the test.
pub fn tool(name: &str) -> bool {
    let ok = Command::new(name).arg("-v").output().is_ok()
        || Command::new(name).arg("--version").output().is_ok();
    if !ok {
        let msg = format!("{name} not found: install poppler-utils and qpdf to run the PDF checks");
        if std::env::var_os("CI").is_some() {
            panic!("{msg}");
        }
        eprintln!("{msg}; skipping");
    }
    ok
}

/// Runs `cmd args path` (pdftotext writes to stdout): success and output.
pub fn run(cmd: &str, args: &[&str], path: &Path) -> (bool, String) {
    let mut c = Command::new(cmd);
    c.args(args).arg(path);
    if cmd == "pdftotext" {
        c.arg("-");
    }
    let out = c.output().unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
    )
}

/// The fonts `pdffonts` lists for a PDF, one row each; fails unless there
/// is at least one and every one is embedded.
pub fn embedded_fonts(pdf: &Path) -> Vec<String> {
    let (ok, fonts) = run("pdffonts", &[], pdf);
    assert!(ok, "{fonts}");
    let rows: Vec<String> = fonts.lines().skip(2).map(str::to_string).collect();
    assert!(!rows.is_empty(), "{fonts}");
    for r in &rows {
        let cols: Vec<&str> = r.split_whitespace().collect();
        // name type [encoding] emb sub uni object ID: emb is the 5th from the end.
        assert_eq!(cols[cols.len() - 5], "yes", "font not embedded: {r}");
    }
    rows
}
