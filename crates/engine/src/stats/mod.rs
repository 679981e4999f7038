//! Statistics for comparing conversion rates, as pure functions: intervals,
//! tests, multiple-comparison adjustment, verdicts and the A/B sample-size
//! calculator. Every number agrees with scipy/statsmodels on the same
//! inputs (see crates/engine/tests/stats_*.rs and tests/reference/); the
//! definitions, in plain words with worked examples, are in
//! docs/statistics.md.
//!
//! - [`dist`]: normal and chi-square distributions.
//! - [`proportion`]: Wilson, Newcombe, Katz, pooled z-test, Holm,
//!   chi-square k x 2.
//! - [`compare`]: a baseline against named groups, with verdicts
//!   ([`compare_groups`], [`compare_two`]).
//! - [`sample_size`]: users per arm and test duration.
//! - [`srm`]: the sample-ratio check of an A/B test's split.

pub mod compare;
pub mod dist;
pub mod proportion;
pub mod sample_size;
pub mod srm;

pub use compare::{
    compare_groups, compare_two, not_enough_data_reason, verdict_words, ChiSquare, ComparedGroup,
    Comparison, ConversionStats, GroupCounts, TwoGroupTest, VerdictKind, MIN_EXPECTED,
};
pub use sample_size::{sample_size, test_days, MinimumEffect, SampleSizeInput, SampleSizePlan};
pub use srm::{sample_ratio_check, SrmTest, SRM_ALPHA};
