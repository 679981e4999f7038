//! Proportions: one rate with its interval, two rates compared, several
//! rates tested together. Every function here matches a named function of
//! statsmodels or scipy (given in its doc) to 1e-12 on the same inputs; see
//! docs/statistics.md for the definitions in plain words.
//!
//! Conventions: a rate is `conversions / n`; "arm" is the group being
//! compared and "base" the baseline it is compared with; `confidence` is the
//! level of the interval (0.95 for 95%), i.e. statsmodels' `alpha = 1 -
//! confidence`. A result that does not exist (a rate of nobody, a test with
//! no variation) is `None`, never NaN.

use super::dist::{chi2_sf, norm_isf, norm_sf};

/// The two-sided critical value z with P(|Z| > z) = 1 - confidence
/// (1.959963984540054 for 95%).
pub fn z_critical(confidence: f64) -> f64 {
    norm_isf((1.0 - confidence) / 2.0)
}

/// `conversions / n`, or `None` when `n` is 0 (or when `conversions > n`,
/// which is not a rate: every function here then returns `None`).
pub fn rate(conversions: u64, n: u64) -> Option<f64> {
    (n > 0 && conversions <= n).then(|| conversions as f64 / n as f64)
}

/// Wilson score interval for a proportion, clipped to [0, 1]
/// (statsmodels `proportion_confint(count, nobs, alpha, method="wilson")`).
/// `None` when `n` is 0.
pub fn wilson(conversions: u64, n: u64, confidence: f64) -> Option<(f64, f64)> {
    let p = rate(conversions, n)?;
    let n = n as f64;
    let z = z_critical(confidence);
    let z2 = z * z;
    let denom = 1.0 + z2 / n;
    let center = (p + z2 / (2.0 * n)) / denom;
    let half = z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denom;
    Some((
        (center - half).clamp(0.0, 1.0),
        (center + half).clamp(0.0, 1.0),
    ))
}

/// Interval for the difference of two rates, `rate(arm) - rate(base)`, by
/// Newcombe's hybrid score method (his method 10: built from the two Wilson
/// intervals) — statsmodels `confint_proportions_2indep(count1, nobs1,
/// count2, nobs2, method="newcomb", compare="diff", alpha)` with the arm as
/// sample 1. Defined for 0% and 100% rates. `None` when either n is 0.
pub fn diff_interval_newcombe(
    arm_conv: u64,
    arm_n: u64,
    base_conv: u64,
    base_n: u64,
    confidence: f64,
) -> Option<(f64, f64)> {
    let p1 = rate(arm_conv, arm_n)?;
    let p2 = rate(base_conv, base_n)?;
    let (l1, u1) = wilson(arm_conv, arm_n, confidence)?;
    let (l2, u2) = wilson(base_conv, base_n, confidence)?;
    let d = p1 - p2;
    let d_low = ((p1 - l1).powi(2) + (u2 - p2).powi(2)).sqrt();
    let d_upp = ((p2 - l2).powi(2) + (u1 - p1).powi(2)).sqrt();
    Some((d - d_low, d + d_upp))
}

/// Interval for the ratio of two rates, `rate(arm) / rate(base)`, by the
/// log (Katz) method: log ratio ± z * sqrt(1/c1 - 1/n1 + 1/c2 - 1/n2),
/// exponentiated — statsmodels `confint_proportions_2indep(count1, nobs1,
/// count2, nobs2, method="log", compare="ratio", alpha)`. Subtract 1 from
/// both ends for an interval of the relative lift. `None` when either group
/// has no conversions (the log of 0 has no interval) or n is 0.
pub fn ratio_interval_katz(
    arm_conv: u64,
    arm_n: u64,
    base_conv: u64,
    base_n: u64,
    confidence: f64,
) -> Option<(f64, f64)> {
    if arm_conv == 0 || base_conv == 0 || arm_conv > arm_n || base_conv > base_n {
        return None;
    }
    let (c1, n1, c2, n2) = (
        arm_conv as f64,
        arm_n as f64,
        base_conv as f64,
        base_n as f64,
    );
    let ratio = (c1 / n1) / (c2 / n2);
    let var = 1.0 / c1 - 1.0 / n1 + 1.0 / c2 - 1.0 / n2;
    let d = z_critical(confidence) * var.sqrt();
    Some(((ratio.ln() - d).exp(), (ratio.ln() + d).exp()))
}

/// Two-proportion z-test with pooled variance, two-sided: z = (p1 - p2) /
/// sqrt(p(1-p)(1/n1 + 1/n2)) with p the pooled rate, p-value = 2 P(Z > |z|)
/// — statsmodels `proportions_ztest([c1, c2], [n1, n2])`. Returns `(z,
/// p_value)`; `None` when either n is 0 or when nobody (or everybody)
/// converted in both groups, where the test has nothing to measure.
pub fn z_test_pooled(arm_conv: u64, arm_n: u64, base_conv: u64, base_n: u64) -> Option<(f64, f64)> {
    let p1 = rate(arm_conv, arm_n)?;
    let p2 = rate(base_conv, base_n)?;
    let pooled = (arm_conv + base_conv) as f64 / (arm_n + base_n) as f64;
    if pooled <= 0.0 || pooled >= 1.0 {
        return None;
    }
    let se = (pooled * (1.0 - pooled) * (1.0 / arm_n as f64 + 1.0 / base_n as f64)).sqrt();
    let z = (p1 - p2) / se;
    Some((z, 2.0 * norm_sf(z.abs())))
}

/// Holm's step-down adjustment of p-values for multiple comparisons
/// (statsmodels `multipletests(pvals, method="holm")[1]`): sort ascending,
/// multiply the i-th smallest (from 0) by (m - i), carry the running
/// maximum, cap at 1. Returned in the input order.
pub fn holm(p_values: &[f64]) -> Vec<f64> {
    let m = p_values.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| p_values[a].total_cmp(&p_values[b]));
    let mut adjusted = vec![0.0; m];
    let mut running = 0.0f64;
    for (i, &idx) in order.iter().enumerate() {
        let v = (p_values[idx] * (m - i) as f64).min(1.0);
        running = running.max(v);
        adjusted[idx] = running;
    }
    adjusted
}

/// The expected counts of a 2x2 table (converted / not, arm / base) under
/// "same rate in both", in the order [arm conv, arm not, base conv, base
/// not]. Used by the "not enough data" rule.
pub fn expected_2x2(arm_conv: u64, arm_n: u64, base_conv: u64, base_n: u64) -> [f64; 4] {
    let total = (arm_n + base_n) as f64;
    let conv = (arm_conv + base_conv) as f64;
    let not = total - conv;
    let (n1, n2) = (arm_n as f64, base_n as f64);
    if total == 0.0 {
        return [0.0; 4];
    }
    [
        n1 * conv / total,
        n1 * not / total,
        n2 * conv / total,
        n2 * not / total,
    ]
}

/// Pearson's chi-square test of independence on a k x 2 table (one row per
/// group: converted, did not), without Yates' continuity correction —
/// scipy `chi2_contingency(table, correction=False)`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChiSquareTest {
    pub statistic: f64,
    pub df: u32,
    pub p_value: f64,
    /// The smallest expected count in the table (the test is trusted when
    /// it is at least 5).
    pub min_expected: f64,
}

/// The chi-square test over groups given as `(conversions, n)`. Groups with
/// n = 0 (or conversions > n) have no row in the table and are left out. `None` when fewer than
/// two groups remain or when nobody (or everybody) converted, where the
/// expected counts have a zero and scipy refuses too.
pub fn chi_square_k_by_2(groups: &[(u64, u64)]) -> Option<ChiSquareTest> {
    let rows: Vec<(f64, f64)> = groups
        .iter()
        .filter(|&&(c, n)| n > 0 && c <= n)
        .map(|&(c, n)| (c as f64, (n - c) as f64))
        .collect();
    if rows.len() < 2 {
        return None;
    }
    let col_conv: f64 = rows.iter().map(|r| r.0).sum();
    let col_not: f64 = rows.iter().map(|r| r.1).sum();
    let total = col_conv + col_not;
    if col_conv == 0.0 || col_not == 0.0 {
        return None;
    }
    let mut statistic = 0.0;
    let mut min_expected = f64::INFINITY;
    for &(conv, not) in &rows {
        let row_total = conv + not;
        for (obs, col) in [(conv, col_conv), (not, col_not)] {
            let exp = row_total * col / total;
            min_expected = min_expected.min(exp);
            statistic += (obs - exp) * (obs - exp) / exp;
        }
    }
    let df = (rows.len() - 1) as u32;
    Some(ChiSquareTest {
        statistic,
        df,
        p_value: chi2_sf(statistic, df as f64),
        min_expected,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holm_keeps_order_and_monotonicity() {
        let adj = holm(&[0.04, 0.01, 0.03]);
        // sorted: 0.01*3=0.03, 0.03*2=0.06, 0.04*1=0.04 -> max-carry 0.06
        assert_eq!(adj, vec![0.06, 0.03, 0.06]);
        assert!(holm(&[]).is_empty());
    }

    #[test]
    fn undefined_results_are_none() {
        assert_eq!(wilson(0, 0, 0.95), None);
        assert_eq!(z_test_pooled(0, 10, 0, 20), None);
        assert_eq!(z_test_pooled(10, 10, 20, 20), None);
        assert_eq!(ratio_interval_katz(0, 10, 3, 20, 0.95), None);
        assert_eq!(chi_square_k_by_2(&[(3, 10), (0, 0)]), None);
    }
}
