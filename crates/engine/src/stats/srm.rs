//! The sample-ratio check of an A/B test: do the units assigned to the
//! variants match the planned split? A chi-square goodness-of-fit test of
//! the observed counts against the planned shares (scipy's
//! `scipy.stats.chisquare(observed, f_exp)`); a p-value below
//! [`SRM_ALPHA`] is a sample-ratio mismatch (SRM), the sign of a broken
//! assignment or tracking, and the test's result should not be read.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::dist::chi2_sf;
use crate::{Error, Result};

/// The p-value under which a split is called a mismatch. Strict, as is
/// usual for SRM checks (Kohavi et al.): the check runs on every test, and
/// a real mismatch gives tiny p-values on any sizeable test.
pub const SRM_ALPHA: f64 = 0.001;

/// The sample-ratio test of one A/B test (the app gets it with its
/// sentence, `crate::present::sample_ratio`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SrmTest {
    /// Pearson's chi-square statistic.
    pub statistic: f64,
    pub df: u32,
    pub p_value: f64,
    /// Units each variant should have had under the planned split.
    pub expected: Vec<f64>,
    /// The planned shares, normalised to sum to 1.
    pub planned: Vec<f64>,
    /// True when `p_value` < [`SRM_ALPHA`].
    pub mismatch: bool,
}

/// Checks `observed` units per variant against the `planned` shares (any
/// positive weights; an even split when `None`).
pub fn sample_ratio_check(observed: &[u64], planned: Option<&[f64]>) -> Result<SrmTest> {
    let k = observed.len();
    if k < 2 {
        return Err(Error::Invalid(
            "the sample-ratio check needs at least two variants".into(),
        ));
    }
    let weights: Vec<f64> = match planned {
        Some(w) if w.len() != k => {
            return Err(Error::Invalid(format!(
                "the planned split has {} shares for {} variants",
                w.len(),
                k
            )))
        }
        Some(w) => w.to_vec(),
        None => vec![1.0; k],
    };
    if weights.iter().any(|w| !w.is_finite() || *w <= 0.0) {
        return Err(Error::Invalid(
            "every planned share must be a number above zero".into(),
        ));
    }
    let total: u64 = observed.iter().sum();
    if total == 0 {
        return Err(Error::Invalid(
            "no units were assigned to any variant, so there is no split to check".into(),
        ));
    }
    let wsum: f64 = weights.iter().sum();
    let planned: Vec<f64> = weights.iter().map(|w| w / wsum).collect();
    let expected: Vec<f64> = planned.iter().map(|p| p * total as f64).collect();
    let statistic: f64 = observed
        .iter()
        .zip(&expected)
        .map(|(&o, &e)| (o as f64 - e) * (o as f64 - e) / e)
        .sum();
    let df = (k - 1) as u32;
    let p_value = chi2_sf(statistic, df as f64);
    let mismatch = p_value < SRM_ALPHA;
    Ok(SrmTest {
        statistic,
        df,
        p_value,
        expected,
        planned,
        mismatch,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, rel: f64) {
        assert!(
            (a - b).abs() <= rel * b.abs().max(1e-300),
            "{a} is not {b} (within {rel})"
        );
    }

    #[test]
    fn an_even_split_agrees_with_scipy() {
        // scipy.stats.chisquare([5000, 5100])
        //   -> statistic=0.9900990099009901, pvalue=0.3197181768128675
        let c = sample_ratio_check(&[5000, 5100], None).unwrap();
        close(c.statistic, 0.9900990099009901, 1e-12);
        close(c.p_value, 0.3197181768128675, 1e-9);
        assert_eq!(c.df, 1);
        assert!(!c.mismatch);
        assert_eq!(c.expected, vec![5050.0, 5050.0]);
    }

    #[test]
    fn a_broken_split_is_a_mismatch() {
        // scipy.stats.chisquare([5000, 5400])
        //   -> statistic=15.384615384615385, pvalue=8.769942375590228e-05
        let c = sample_ratio_check(&[5000, 5400], None).unwrap();
        close(c.statistic, 15.384615384615385, 1e-12);
        close(c.p_value, 8.769942375590228e-05, 1e-7);
        assert!(c.mismatch);
    }

    #[test]
    fn an_uneven_plan_with_three_variants_agrees_with_scipy() {
        // scipy.stats.chisquare([1000, 2150, 1010], f_exp=[1040, 2080, 1040])
        //   (planned 25/50/25 of 4160)
        //   -> statistic=4.759615384615385, pvalue=0.09256837740979998
        let c = sample_ratio_check(&[1000, 2150, 1010], Some(&[1.0, 2.0, 1.0])).unwrap();
        close(c.statistic, 4.759615384615385, 1e-12);
        close(c.p_value, 0.09256837740979998, 1e-9);
        assert_eq!(c.df, 2);
        assert_eq!(c.planned, vec![0.25, 0.5, 0.25]);
        assert!(!c.mismatch);
    }

    #[test]
    fn refuses_what_cannot_be_checked() {
        assert!(sample_ratio_check(&[10], None).is_err());
        assert!(sample_ratio_check(&[0, 0], None).is_err());
        assert!(sample_ratio_check(&[10, 12], Some(&[0.5])).is_err());
        assert!(sample_ratio_check(&[10, 12], Some(&[0.5, 0.0])).is_err());
    }
}
