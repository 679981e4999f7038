//! What the CLI's test files share: run the built `stepwise` on a workspace,
//! and read its output as text or JSON after checking it succeeded.
#![allow(dead_code)] // each test file uses its own subset

use std::path::Path;
use std::process::{Command, Output};

/// The built binary on workspace `ws`, with STEPWISE_WORKSPACE unset.
pub fn stepwise(ws: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stepwise"))
        .arg("--workspace")
        .arg(ws)
        .args(args)
        .env_remove("STEPWISE_WORKSPACE")
        .output()
        .expect("run stepwise")
}

/// Stdout as text; fails the test with stderr when the command failed.
pub fn ok(out: &Output) -> String {
    assert!(
        out.status.success(),
        "stepwise failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

/// Stdout as JSON; fails the test with stderr when the command failed.
pub fn json(out: &Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "stepwise failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("valid JSON on stdout")
}
