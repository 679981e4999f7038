//! Comparing conversion rates of several groups (segments, A/B arms)
//! against a baseline, with the words an analyst can paste.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::proportion::{
    chi_square_k_by_2, diff_interval_newcombe, expected_2x2, holm, rate, ratio_interval_katz,
    wilson, z_test_pooled,
};
use crate::{Error, Result};

/// Expected counts below this make a test "not enough data" (Cochran's
/// rule for the normal and chi-square approximations).
pub const MIN_EXPECTED: f64 = 5.0;

/// A group's counts: `conversions` of `users` reached the goal.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct GroupCounts {
    pub name: String,
    #[ts(type = "number")]
    pub conversions: u64,
    #[ts(type = "number")]
    pub users: u64,
}

impl GroupCounts {
    pub fn new(name: impl Into<String>, conversions: u64, users: u64) -> Self {
        GroupCounts {
            name: name.into(),
            conversions,
            users,
        }
    }
}

/// The verdict of a comparison, as a code; `verdict_words` gives the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum VerdictKind {
    /// The row everything is compared with.
    Baseline,
    /// The (Holm-adjusted) p-value is at or below 1 - confidence.
    Significant,
    /// Enough data, but the p-value is above 1 - confidence.
    NoClearDifference,
    /// A group is empty, the test is undefined, or an expected count is
    /// below 5.
    NotEnoughData,
}

/// The words for a verdict: "significant at 95%", "no clear difference",
/// "not enough data", "baseline".
pub fn verdict_words(kind: VerdictKind, confidence: f64) -> String {
    match kind {
        VerdictKind::Baseline => "baseline".to_string(),
        VerdictKind::Significant => format!("significant at {}%", percent_label(confidence)),
        VerdictKind::NoClearDifference => "no clear difference".to_string(),
        VerdictKind::NotEnoughData => "not enough data".to_string(),
    }
}

/// 0.95 -> "95", 0.999 -> "99.9".
fn percent_label(confidence: f64) -> String {
    let s = format!("{:.4}", confidence * 100.0);
    s.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// One group's conversion compared with the baseline: the `conversion`
/// object of `stepwise compare --json`. Rates are fractions 0..1; `None`
/// (JSON null) where a number does not exist: the baseline's own
/// diff/lift/p, a rate of an empty group, a lift over a 0% baseline.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ConversionStats {
    pub rate: Option<f64>,
    /// Wilson score interval of the rate.
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    /// rate - baseline rate, in rate points.
    pub diff: Option<f64>,
    /// Newcombe hybrid score interval of the difference.
    pub diff_ci_low: Option<f64>,
    pub diff_ci_high: Option<f64>,
    /// rate / baseline rate - 1.
    pub lift: Option<f64>,
    /// Log (Katz) interval of the ratio, minus 1; null when either group
    /// has no conversions.
    pub lift_ci_low: Option<f64>,
    pub lift_ci_high: Option<f64>,
    /// z statistic of the pooled two-proportion test (positive: above the
    /// baseline).
    pub z: Option<f64>,
    /// Two-sided p-value of the pooled two-proportion z-test.
    pub p_value: Option<f64>,
    /// The p-value after Holm's adjustment across all non-baseline groups.
    pub p_adjusted: Option<f64>,
    /// "significant at 95%", "no clear difference", "not enough data" or
    /// "baseline".
    pub verdict: String,
    pub verdict_kind: VerdictKind,
    /// Why the verdict is "not enough data", in one sentence.
    pub note: Option<String>,
}

/// A group with its counts and statistics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ComparedGroup {
    pub name: String,
    #[ts(type = "number")]
    pub conversions: u64,
    #[ts(type = "number")]
    pub users: u64,
    pub conversion: ConversionStats,
}

/// Pearson's chi-square test across all groups at once (k x 2 table, no
/// Yates correction).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ChiSquare {
    pub statistic: f64,
    pub df: u32,
    pub p_value: f64,
    pub verdict: String,
    pub verdict_kind: VerdictKind,
}

/// Every group against the baseline, plus the chi-square across all.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Comparison {
    pub baseline: String,
    /// Confidence level of the intervals and verdicts (0.95).
    pub confidence: f64,
    /// The baseline first, then the other groups in the order given.
    pub groups: Vec<ComparedGroup>,
    /// None when fewer than two groups have users or nobody (or everybody)
    /// converted.
    pub chi_square: Option<ChiSquare>,
}

/// One group against a baseline, without multiple-comparison adjustment:
/// what `compare_groups` computes per row, and what micro-conversion impact
/// uses (did the action vs did not).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TwoGroupTest {
    pub rate: Option<f64>,
    pub base_rate: Option<f64>,
    pub diff: Option<f64>,
    pub diff_ci: Option<(f64, f64)>,
    pub lift: Option<f64>,
    pub lift_ci: Option<(f64, f64)>,
    pub z: Option<f64>,
    pub p_value: Option<f64>,
    /// Smallest expected count of the 2x2 table (0 when a group is empty).
    pub min_expected: f64,
}

/// One group (`conv` of `n`) against a baseline (`base_conv` of `base_n`).
pub fn compare_two(
    conv: u64,
    n: u64,
    base_conv: u64,
    base_n: u64,
    confidence: f64,
) -> TwoGroupTest {
    let r = rate(conv, n);
    let b = rate(base_conv, base_n);
    let diff = r.zip(b).map(|(r, b)| r - b);
    let lift = match (r, b) {
        (Some(r), Some(b)) if b > 0.0 => Some(r / b - 1.0),
        _ => None,
    };
    let (z, p) = match z_test_pooled(conv, n, base_conv, base_n) {
        Some((z, p)) => (Some(z), Some(p)),
        None => (None, None),
    };
    let min_expected = expected_2x2(conv, n, base_conv, base_n)
        .into_iter()
        .fold(f64::INFINITY, f64::min);
    TwoGroupTest {
        rate: r,
        base_rate: b,
        diff,
        diff_ci: diff_interval_newcombe(conv, n, base_conv, base_n, confidence),
        lift,
        lift_ci: ratio_interval_katz(conv, n, base_conv, base_n, confidence)
            .map(|(lo, hi)| (lo - 1.0, hi - 1.0)),
        z,
        p_value: p,
        min_expected,
    }
}

/// The "not enough data" rule for a two-group test: a reason, or None when
/// the test can be trusted.
pub fn not_enough_data_reason(conv: u64, n: u64, base_conv: u64, base_n: u64) -> Option<String> {
    if n == 0 || base_n == 0 {
        return Some("a group has no users".to_string());
    }
    let conv_total = conv + base_conv;
    let total = n + base_n;
    if conv_total == 0 {
        return Some("nobody converted in either group".to_string());
    }
    if conv_total == total {
        return Some("everybody converted in both groups".to_string());
    }
    let min = expected_2x2(conv, n, base_conv, base_n)
        .into_iter()
        .fold(f64::INFINITY, f64::min);
    if min < MIN_EXPECTED {
        return Some(format!(
            "an expected count is {min:.1}, below 5: too few users or conversions for the test"
        ));
    }
    None
}

fn check_counts(g: &GroupCounts) -> Result<()> {
    if g.conversions > g.users {
        return Err(Error::Invalid(format!(
            "group \"{}\" has {} conversions but only {} users; conversions cannot exceed users",
            g.name, g.conversions, g.users
        )));
    }
    Ok(())
}

/// Compare each group with the baseline: rate and Wilson interval for every
/// group; difference (Newcombe interval), lift (Katz interval), z-test
/// p-value, Holm-adjusted p-value and verdict for the others; and the
/// chi-square across all groups. `confidence` is e.g. 0.95.
pub fn compare_groups(
    baseline: &GroupCounts,
    others: &[GroupCounts],
    confidence: f64,
) -> Result<Comparison> {
    if !(confidence > 0.0 && confidence < 1.0) {
        return Err(Error::Invalid(format!(
            "the confidence level must be between 0 and 1 (e.g. 0.95), got {confidence}"
        )));
    }
    check_counts(baseline)?;
    for g in others {
        check_counts(g)?;
    }
    let alpha = 1.0 - confidence;
    let (bc, bn) = (baseline.conversions, baseline.users);

    let tests: Vec<TwoGroupTest> = others
        .iter()
        .map(|g| compare_two(g.conversions, g.users, bc, bn, confidence))
        .collect();

    // Holm across the non-baseline groups whose p-value exists.
    let defined: Vec<usize> = (0..tests.len())
        .filter(|&i| tests[i].p_value.is_some())
        .collect();
    let raw: Vec<f64> = defined
        .iter()
        .map(|&i| tests[i].p_value.unwrap_or(1.0))
        .collect();
    let adjusted_defined = holm(&raw);
    let mut adjusted = vec![None; tests.len()];
    for (k, &i) in defined.iter().enumerate() {
        adjusted[i] = Some(adjusted_defined[k]);
    }

    let mut groups = Vec::with_capacity(others.len() + 1);
    let base_ci = wilson(bc, bn, confidence);
    groups.push(ComparedGroup {
        name: baseline.name.clone(),
        conversions: bc,
        users: bn,
        conversion: ConversionStats {
            rate: rate(bc, bn),
            ci_low: base_ci.map(|c| c.0),
            ci_high: base_ci.map(|c| c.1),
            diff: None,
            diff_ci_low: None,
            diff_ci_high: None,
            lift: None,
            lift_ci_low: None,
            lift_ci_high: None,
            z: None,
            p_value: None,
            p_adjusted: None,
            verdict: verdict_words(VerdictKind::Baseline, confidence),
            verdict_kind: VerdictKind::Baseline,
            note: (bn == 0).then(|| "the baseline has no users".to_string()),
        },
    });
    for ((g, t), p_adj) in others.iter().zip(&tests).zip(adjusted) {
        let reason = not_enough_data_reason(g.conversions, g.users, bc, bn);
        let kind = match (&reason, p_adj) {
            (Some(_), _) | (None, None) => VerdictKind::NotEnoughData,
            (None, Some(p)) if p <= alpha => VerdictKind::Significant,
            (None, Some(_)) => VerdictKind::NoClearDifference,
        };
        let ci = wilson(g.conversions, g.users, confidence);
        groups.push(ComparedGroup {
            name: g.name.clone(),
            conversions: g.conversions,
            users: g.users,
            conversion: ConversionStats {
                rate: t.rate,
                ci_low: ci.map(|c| c.0),
                ci_high: ci.map(|c| c.1),
                diff: t.diff,
                diff_ci_low: t.diff_ci.map(|c| c.0),
                diff_ci_high: t.diff_ci.map(|c| c.1),
                lift: t.lift,
                lift_ci_low: t.lift_ci.map(|c| c.0),
                lift_ci_high: t.lift_ci.map(|c| c.1),
                z: t.z,
                p_value: t.p_value,
                p_adjusted: p_adj,
                verdict: verdict_words(kind, confidence),
                verdict_kind: kind,
                note: reason,
            },
        });
    }

    let table: Vec<(u64, u64)> = std::iter::once((bc, bn))
        .chain(others.iter().map(|g| (g.conversions, g.users)))
        .collect();
    let chi_square = chi_square_k_by_2(&table).map(|c| {
        let kind = if c.min_expected < MIN_EXPECTED {
            VerdictKind::NotEnoughData
        } else if c.p_value <= alpha {
            VerdictKind::Significant
        } else {
            VerdictKind::NoClearDifference
        };
        ChiSquare {
            statistic: c.statistic,
            df: c.df,
            p_value: c.p_value,
            verdict: verdict_words(kind, confidence),
            verdict_kind: kind,
        }
    });

    Ok(Comparison {
        baseline: baseline.name.clone(),
        confidence,
        groups,
        chi_square,
    })
}
