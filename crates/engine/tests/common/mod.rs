//! Helpers shared by the integration tests: `mod common;` in a test file.
//! Each test binary uses only some of them.
#![allow(dead_code)]

pub mod case_file;
#[path = "../funnel_util.rs"]
pub mod funnel;
pub mod import;
pub mod real;
pub mod ws;
pub mod xlsx;

/// True when the tests run under CI (`CI` set, and not empty, `0` or
/// `false`): there, a missing input (real data, a golden image, a PDF
/// tool) fails a test instead of skipping it.
pub fn under_ci() -> bool {
    ci_value(std::env::var("CI").ok().as_deref())
}

/// Whether a value of `CI` means "this is CI".
pub fn ci_value(v: Option<&str>) -> bool {
    matches!(v.map(str::trim), Some(v) if !v.is_empty() && v != "0" && !v.eq_ignore_ascii_case("false"))
}
