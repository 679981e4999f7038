//! Planning an A/B test: users needed per arm to detect a given change of a
//! conversion rate with a two-sided two-proportion test, and how many days
//! that takes at a given daily traffic. See docs/statistics.md.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::dist::{norm_cdf, norm_isf, norm_pdf};
use crate::{Error, Result};

/// The smallest change worth detecting.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum MinimumEffect {
    /// In rate points: 0.01 takes a 5% baseline to 6%.
    Absolute(f64),
    /// As a share of the baseline: 0.2 takes a 5% baseline to 6%.
    Relative(f64),
}

/// What the analyst types into the calculator.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SampleSizeInput {
    /// Today's conversion rate, a fraction in (0, 1).
    pub baseline_rate: f64,
    pub minimum_effect: MinimumEffect,
    /// Significance level of the two-sided test (0.05 for 95%).
    pub alpha: f64,
    /// Chance of detecting the effect when it is real (0.8 is usual).
    pub power: f64,
    /// Visitors entering the test per day, all arms together.
    pub daily_traffic: Option<f64>,
    /// Number of arms including the control (2 for a plain A/B test).
    pub arms: u32,
}

/// The calculator's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SampleSizePlan {
    pub baseline_rate: f64,
    /// The rate the variant would need to have: baseline + effect.
    pub target_rate: f64,
    /// Users per arm, the classic normal-approximation formula rounded up:
    /// the number the app shows.
    #[ts(type = "number")]
    pub users_per_arm: u64,
    /// The same before rounding.
    pub users_per_arm_exact: f64,
    /// Users per arm by Cohen's effect size h with the two-tailed normal
    /// power (statsmodels `NormalIndPower().solve_power`), before rounding;
    /// shown for comparison with other calculators.
    pub users_per_arm_cohen_h: f64,
    /// Cohen's h = |2 asin(sqrt(p2)) - 2 asin(sqrt(p1))|.
    pub cohen_h: f64,
    /// users_per_arm x arms.
    #[ts(type = "number")]
    pub total_users: u64,
    /// Whole days to reach total_users at daily_traffic (None without
    /// traffic).
    #[ts(type = "number | null")]
    pub days: Option<u64>,
}

/// Users per arm by the classic formula (Fleiss, without continuity
/// correction; R's `power.prop.test`):
/// n = (z_{a/2} sqrt(2 pbar (1 - pbar)) + z_b sqrt(p1 q1 + p2 q2))^2 / (p2 - p1)^2
/// with pbar = (p1 + p2) / 2, z_{a/2} = isf(alpha / 2), z_b = isf(1 - power).
pub fn users_per_arm_classic(p1: f64, p2: f64, alpha: f64, power: f64) -> f64 {
    let za = norm_isf(alpha / 2.0);
    let zb = norm_isf(1.0 - power);
    let pbar = (p1 + p2) / 2.0;
    let num =
        za * (2.0 * pbar * (1.0 - pbar)).sqrt() + zb * (p1 * (1.0 - p1) + p2 * (1.0 - p2)).sqrt();
    num * num / ((p2 - p1) * (p2 - p1))
}

/// Cohen's effect size for two proportions, |2 asin sqrt(p2) - 2 asin sqrt(p1)|
/// (statsmodels `proportion_effectsize(p2, p1)`, in absolute value).
pub fn cohen_h(p1: f64, p2: f64) -> f64 {
    (2.0 * p2.sqrt().asin() - 2.0 * p1.sqrt().asin()).abs()
}

/// Users per arm for effect size `h` with equal arms, two-sided: the n
/// solving P(Z > z - h sqrt(n/2)) + P(Z < -z - h sqrt(n/2)) = power with z =
/// isf(alpha / 2) (statsmodels `NormalIndPower().solve_power(effect_size=h,
/// alpha=alpha, power=power, ratio=1)`; its root finder agrees to ~1e-12,
/// ours is solved by Newton's method to full precision).
pub fn users_per_arm_cohen(h: f64, alpha: f64, power: f64) -> f64 {
    let z = norm_isf(alpha / 2.0);
    // t = h sqrt(n / 2); g(t) = cdf(t - z) + cdf(-z - t) - power, increasing.
    let g = |t: f64| norm_cdf(t - z) + norm_cdf(-z - t) - power;
    // Start from the one-tail solution, which is at or above the root.
    let mut t = z + norm_isf(1.0 - power);
    if power.is_nan() || power <= 2.0 * norm_cdf(-z) || t <= 0.0 {
        // The power at n = 0 is already alpha: no root to find.
        return 0.0;
    }
    for _ in 0..100 {
        let slope = norm_pdf(t - z) - norm_pdf(z + t);
        if slope <= 0.0 {
            break;
        }
        let step = g(t) / slope;
        t -= step;
        if step.abs() <= 1e-15 * t.abs() {
            break;
        }
    }
    2.0 * t * t / (h * h)
}

/// The calculator: users per arm, total and days.
pub fn sample_size(input: &SampleSizeInput) -> Result<SampleSizePlan> {
    let p1 = input.baseline_rate;
    if !(p1 > 0.0 && p1 < 1.0) {
        return Err(Error::Invalid(format!(
            "the baseline conversion rate must be between 0 and 1 (exclusive), got {p1}"
        )));
    }
    let p2 = match input.minimum_effect {
        MinimumEffect::Absolute(d) => p1 + d,
        MinimumEffect::Relative(r) => p1 * (1.0 + r),
    };
    if !(p2 > 0.0 && p2 < 1.0) || p2 == p1 || !p2.is_finite() {
        return Err(Error::Invalid(format!(
            "the minimum detectable effect must move the rate to a different value between 0 and 1; \
             it gives {p2} from a baseline of {p1}"
        )));
    }
    if !(input.alpha > 0.0 && input.alpha < 1.0) {
        return Err(Error::Invalid(format!(
            "the significance level alpha must be between 0 and 1, got {}",
            input.alpha
        )));
    }
    if !(input.power > input.alpha && input.power < 1.0) {
        // A two-sided test "detects" any effect with probability alpha even
        // with no users, so a power at or below alpha asks for nothing.
        return Err(Error::Invalid(format!(
            "the power must be above the significance level ({}) and below 1, got {}",
            input.alpha, input.power
        )));
    }
    if input.arms < 2 {
        return Err(Error::Invalid(format!(
            "a test needs at least 2 arms (control and one variant), got {}",
            input.arms
        )));
    }
    if let Some(t) = input.daily_traffic {
        if !(t > 0.0 && t.is_finite()) {
            return Err(Error::Invalid(format!(
                "daily traffic must be a positive number of visitors, got {t}"
            )));
        }
    }
    let exact = users_per_arm_classic(p1, p2, input.alpha, input.power);
    let users_per_arm = exact.ceil() as u64;
    let h = cohen_h(p1, p2);
    let total_users = users_per_arm * input.arms as u64;
    Ok(SampleSizePlan {
        baseline_rate: p1,
        target_rate: p2,
        users_per_arm,
        users_per_arm_exact: exact,
        users_per_arm_cohen_h: users_per_arm_cohen(h, input.alpha, input.power),
        cohen_h: h,
        total_users,
        days: input
            .daily_traffic
            .map(|t| test_days(users_per_arm, input.arms, t)),
    })
}

/// Whole days to put `users_per_arm` users in each of `arms` arms when
/// `daily_traffic` visitors a day enter the test, split evenly:
/// ceil(users_per_arm * arms / daily_traffic).
pub fn test_days(users_per_arm: u64, arms: u32, daily_traffic: f64) -> u64 {
    ((users_per_arm as f64 * arms as f64) / daily_traffic).ceil() as u64
}
