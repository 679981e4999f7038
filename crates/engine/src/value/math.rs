//! The arithmetic of value and what-if sizing, as pure functions of a
//! funnel's counts and the order value: what the engine runs, and what the
//! simulation test resamples. Definitions and worked examples: docs/value.md.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::stats::proportion::{diff_interval_newcombe, wilson, z_critical};

/// A number with its confidence interval (`low <= value <= high`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
#[ts(export, rename = "ValueEstimate")]
pub struct Estimate {
    pub value: f64,
    pub low: f64,
    pub high: f64,
}

impl Estimate {
    /// A number known exactly (its interval is the number itself).
    pub fn exact(x: f64) -> Estimate {
        Estimate {
            value: x,
            low: x,
            high: x,
        }
    }
    /// Every bound times `k` (a negative `k` swaps the bounds).
    pub fn scale(self, k: f64) -> Estimate {
        let (a, b) = (self.low * k, self.high * k);
        Estimate {
            value: self.value * k,
            low: a.min(b),
            high: a.max(b),
        }
    }
}

/// The order value: its average `mean` and the standard error of that
/// average (0 for a typed value per goal).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Aov {
    pub mean: f64,
    pub se: f64,
}

/// The mean and the standard error of the mean (sample standard deviation,
/// n - 1, over sqrt(n); 0 for a single value). None for no values.
pub fn mean_se(values: &[f64]) -> Option<Aov> {
    let n = values.len();
    if n == 0 {
        return None;
    }
    let mean = values.iter().sum::<f64>() / n as f64;
    let se = if n < 2 {
        0.0
    } else {
        let ss: f64 = values.iter().map(|v| (v - mean) * (v - mean)).sum();
        (ss / (n as f64 - 1.0)).sqrt() / (n as f64).sqrt()
    };
    Some(Aov { mean, se })
}

/// A proportion `x / n` as an estimate with its Wilson interval.
pub fn proportion(x: u64, n: u64, confidence: f64) -> Option<Estimate> {
    let (low, high) = wilson(x, n, confidence)?;
    Some(Estimate {
        value: x as f64 / n as f64,
        low,
        high,
    })
}

/// `r * aov` with an interval: the estimate `r` has an (asymmetric)
/// interval and the average order value a normal one (`z * se`), combined
/// by the delta method on the product, each side with its own half-width
/// (the variance-recovery, "MOVER", form):
///
/// `low  = r*A - sqrt((A*(r - r_low))^2  + (r*z*se)^2)`
/// `high = r*A + sqrt((A*(r_high - r))^2 + (r*z*se)^2)`
///
/// With a typed value per goal (se = 0) this is exactly the rate's interval
/// times the value. `aov.mean` must be positive (the caller checks).
pub fn times_aov(r: Estimate, aov: Aov, confidence: f64) -> Estimate {
    let z = z_critical(confidence);
    let a = aov.mean;
    let spread = r.value.abs() * z * aov.se;
    let down = (a * (r.value - r.low)).hypot(spread);
    let up = (a * (r.high - r.value)).hypot(spread);
    let v = r.value * a;
    Estimate {
        value: v,
        low: v - down,
        high: v + up,
    }
}

/// How a what-if changes the conversion into its step.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Lift {
    /// The rate times `1 + x`.
    Relative(f64),
    /// The rate plus `y` (a fraction: 0.02 is two percentage points).
    Points(f64),
}

/// A what-if on counts: `prev` units reached the step before, `at` reached
/// the step, `goals` reached the goal (`goals <= at <= prev`, `at >= 1`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Sizing {
    /// The conversion into the step before and after the lift.
    pub rate_before: f64,
    pub rate_after: f64,
    /// The lift reached 100% (or 0%) and was held there.
    pub capped: bool,
    /// Extra units reaching the step: `prev * (rate_after - rate_before)`.
    pub extra_units: f64,
    /// Extra units reaching the goal, with their interval.
    pub extra_goals: Estimate,
}

/// Sizes a lift of the conversion from the step before into the step.
///
/// Extra units at the step are `prev * (c' - c)`; each converts to the goal
/// at the step's goal rate `g = goals / at` (the new arrivals behave like the
/// current ones), so `extra_goals = prev * (c' - c) * g`. The interval carries
/// the sampling error of the rates used:
/// - a relative lift that stays below 100%: `c' - c = x*c`, so
///   `extra_goals = x * prev * (c*g) = x * prev * q` with `q = goals / prev`,
///   one proportion: Wilson interval of `q`, times `x * prev`;
/// - points, or a relative lift held at 100%: the extra units are fixed by
///   the counts and the lift, and only `g` is estimated: Wilson interval of
///   `goals / at`, times the extra units.
pub fn size(prev: u64, at: u64, goals: u64, lift: Lift, confidence: f64) -> Option<Sizing> {
    if prev == 0 || at == 0 || at > prev || goals > at {
        return None;
    }
    let c = at as f64 / prev as f64;
    let (after, capped) = match lift {
        Lift::Relative(x) => {
            let a = c * (1.0 + x);
            (a.clamp(0.0, 1.0), !(0.0..=1.0).contains(&a))
        }
        Lift::Points(y) => {
            let a = c + y;
            (a.clamp(0.0, 1.0), !(0.0..=1.0).contains(&a))
        }
    };
    let extra_units = prev as f64 * (after - c);
    let extra_goals = match lift {
        Lift::Relative(x) if !capped => Estimate {
            // x * prev * (goals / prev), written so that every step's
            // uncapped lift gives the same number, bit for bit
            value: x * goals as f64,
            ..proportion(goals, prev, confidence)?.scale(x * prev as f64)
        },
        _ => proportion(goals, at, confidence)?.scale(extra_units),
    };
    Some(Sizing {
        rate_before: c,
        rate_after: after,
        capped,
        extra_units,
        extra_goals,
    })
}

/// `a × b` with an interval, `b` not negative (a rate), `a` of either
/// sign: the product's two terms' spreads added in quadrature, each side
/// from its own side of the intervals (the MOVER form of [`times_aov`], with
/// `b`'s interval asymmetric too). When `a` is negative, `b`'s high end
/// pulls the product down and its low end up.
pub fn product(a: Estimate, b: Estimate) -> Estimate {
    let v = a.value * b.value;
    let (a_down, a_up) = (b.value * (a.value - a.low), b.value * (a.high - a.value));
    let (b_down, b_up) = if a.value >= 0.0 {
        (a.value * (b.value - b.low), a.value * (b.high - b.value))
    } else {
        (-a.value * (b.high - b.value), -a.value * (b.value - b.low))
    };
    Estimate {
        value: v,
        low: v - a_down.hypot(b_down),
        high: v + a_up.hypot(b_up),
    }
}

/// `x1/n1 − x2/n2` of two independent proportions with Newcombe's hybrid
/// score interval (his method 10: each proportion's Wilson interval, the
/// sides combined in quadrature):
///
/// `low  = d − sqrt((p1 − l1)² + (u2 − p2)²)`
/// `high = d + sqrt((u1 − p1)² + (p2 − l2)²)`
/// (`stats::proportion::diff_interval_newcombe`, the comparisons' own).
pub fn difference(x1: u64, n1: u64, x2: u64, n2: u64, confidence: f64) -> Option<Estimate> {
    let (low, high) = diff_interval_newcombe(x1, n1, x2, n2, confidence)?;
    Some(Estimate {
        value: x1 as f64 / n1 as f64 - x2 as f64 / n2 as f64,
        low,
        high,
    })
}

/// "Step K converts for everyone as it does for these units" on counts:
/// `prev` units reached the step before and `at` the step, `goals` the goal
/// (as [`size`]); `like_prev` of the `prev` are the persona's (or the
/// value's) units, `like_at` of them reached the step. With
/// `m = prev − like_prev` the others and `c_l`, `c_r` the two groups'
/// conversions, everyone converting at `c_l` brings
/// `extra_units = m × (c_l − c_r)` (the same as `prev × (c_l − c)`: the
/// persona's own units already convert at `c_l`), each going on to the goal
/// at the step's rate to goal `g = goals / at`:
/// `extra_goals = m × (c_l − c_r) × g`. The interval carries the sampling
/// error of both groups' rates (Newcombe's interval of `c_l − c_r`) and of
/// `g` (Wilson), combined by [`product`]. None when the counts do not fit
/// (no one at the step, no persona units before it, or no one else).
pub fn size_like(
    prev: u64,
    at: u64,
    goals: u64,
    like_prev: u64,
    like_at: u64,
    confidence: f64,
) -> Option<Sizing> {
    if prev == 0 || at == 0 || at > prev || goals > at || like_at > like_prev {
        return None;
    }
    if like_prev == 0 || like_prev >= prev || like_at > at || at - like_at > prev - like_prev {
        return None;
    }
    let (rest_prev, rest_at) = (prev - like_prev, at - like_at);
    let d = difference(like_at, like_prev, rest_at, rest_prev, confidence)?;
    let g = proportion(goals, at, confidence)?;
    let c = at as f64 / prev as f64;
    let extra_units = rest_prev as f64 * d.value;
    Some(Sizing {
        rate_before: c,
        rate_after: like_at as f64 / like_prev as f64,
        capped: false,
        extra_units,
        extra_goals: product(d, g).scale(rest_prev as f64),
    })
}

/// An ICE score's three parts and their product (docs/value.md, "ICE").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ice {
    pub impact: u32,
    pub confidence: u32,
    /// `11 − effort` when the analyst typed an effort.
    pub ease: Option<u32>,
    /// `impact × confidence × ease` (1 to 1000) when there is an ease.
    pub score: Option<u32>,
}

/// A number rounded to the nearest whole and held within 1 – 10.
fn score_1_10(x: f64) -> u32 {
    if x.is_finite() {
        x.round().clamp(1.0, 10.0) as u32
    } else {
        1
    }
}

/// Impact 1 – 10 of an opportunity worth `value` when the largest is worth
/// `largest`: `round(10 × value / largest)`, held within 1 – 10 (an
/// opportunity worth nothing or less, or a list whose largest is not
/// positive, scores 1).
pub fn impact_score(value: f64, largest: f64) -> u32 {
    if largest > 0.0 && value > 0.0 {
        score_1_10(10.0 * value / largest)
    } else {
        1
    }
}

/// Confidence 1 – 10 of an estimate: `round(10 × (1 − h))` with `h` the
/// interval's relative half-width `(high − low) / (2 × |value|)`, held
/// within 1 – 10 (an interval as wide as the number, or wider, scores 1).
pub fn confidence_score(e: Estimate) -> u32 {
    if e.value == 0.0 {
        return 1;
    }
    let h = (e.high - e.low) / (2.0 * e.value.abs());
    score_1_10(10.0 * (1.0 - h))
}

/// The ICE of an opportunity worth `e` (the largest being worth `largest`)
/// with the analyst's `effort` (1 easiest – 10 hardest), if typed.
pub fn ice(e: Estimate, largest: f64, effort: Option<u32>) -> Ice {
    let impact = impact_score(e.value, largest);
    let confidence = confidence_score(e);
    let ease = effort.map(|x| 11 - x.clamp(1, 10));
    Ice {
        impact,
        confidence,
        ease,
        score: ease.map(|ease| impact * confidence * ease),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() <= 1e-9 * b.abs().max(1.0)
    }

    #[test]
    fn mean_and_standard_error() {
        // 10, 20, 30, 40: mean 25; squares about it 225+25+25+225 = 500,
        // variance 500/3, sd 12.9099..., se = sd/2 = 6.4549...
        let a = mean_se(&[10.0, 20.0, 30.0, 40.0]).unwrap();
        assert!(close(a.mean, 25.0));
        assert!(close(a.se, (500.0f64 / 3.0).sqrt() / 2.0));
        assert_eq!(mean_se(&[7.0]).unwrap().se, 0.0);
        assert!(mean_se(&[]).is_none());
    }

    #[test]
    fn a_typed_value_scales_the_wilson_interval() {
        let r = proportion(30, 100, 0.95).unwrap();
        let v = times_aov(
            r,
            Aov {
                mean: 50.0,
                se: 0.0,
            },
            0.95,
        );
        assert!(close(v.value, 15.0));
        assert!(close(v.low, r.low * 50.0));
        assert!(close(v.high, r.high * 50.0));
    }

    #[test]
    fn the_order_values_spread_widens_the_interval() {
        let r = proportion(30, 100, 0.95).unwrap();
        let narrow = times_aov(
            r,
            Aov {
                mean: 50.0,
                se: 0.0,
            },
            0.95,
        );
        let wide = times_aov(
            r,
            Aov {
                mean: 50.0,
                se: 5.0,
            },
            0.95,
        );
        assert!(wide.low < narrow.low && wide.high > narrow.high);
        // high: 15 + sqrt((50*(rh-0.3))^2 + (0.3*1.96*5)^2)
        let z = z_critical(0.95);
        let want = 15.0 + ((50.0 * (r.high - 0.3)).powi(2) + (0.3 * z * 5.0f64).powi(2)).sqrt();
        assert!(close(wide.high, want));
    }

    #[test]
    fn relative_lifts_give_x_times_the_goals_until_they_cap() {
        // 1000 -> 400 at the step, 100 goals: +10% makes the rate 44%,
        // 40 extra units at the step, each converting at 100/400 = 25%:
        // 10 extra goals = 10% of the goals
        let s = size(1000, 400, 100, Lift::Relative(0.1), 0.95).unwrap();
        assert!(close(s.rate_after, 0.44));
        assert!(close(s.extra_units, 40.0));
        assert!(close(s.extra_goals.value, 10.0));
        assert!(!s.capped);
        let (l, h) = wilson(100, 1000, 0.95).unwrap();
        assert!(close(s.extra_goals.low, 100.0 * l));
        assert!(close(s.extra_goals.high, 100.0 * h));
        // +200% would be 120%: held at 100%, 600 extra units at 25%
        let c = size(1000, 400, 100, Lift::Relative(2.0), 0.95).unwrap();
        assert!(c.capped);
        assert!(close(c.extra_units, 600.0));
        assert!(close(c.extra_goals.value, 150.0));
        // two points: 20 extra units at 25% = 5 goals, Wilson of 100/400
        let p = size(1000, 400, 100, Lift::Points(0.02), 0.95).unwrap();
        assert!(close(p.extra_goals.value, 5.0));
        let (l, h) = wilson(100, 400, 0.95).unwrap();
        assert!(close(p.extra_goals.low, 20.0 * l) && close(p.extra_goals.high, 20.0 * h));
        // a drop: the bounds swap round
        let d = size(1000, 400, 100, Lift::Relative(-0.1), 0.95).unwrap();
        assert!(close(d.extra_goals.value, -10.0));
        assert!(
            d.extra_goals.low < d.extra_goals.value && d.extra_goals.value < d.extra_goals.high
        );
        assert!(size(0, 0, 0, Lift::Points(0.1), 0.95).is_none());
    }

    #[test]
    fn like_a_persona_on_counts() {
        // 1,000 at step 1, 400 at step 2, 100 goals; the persona: 200 at
        // step 1, 120 at step 2 (60%); the others 800 -> 280 (35%).
        // Everyone at 60%: 600 at step 2, 200 more (= 800 x 0.25), each
        // reaching the goal at 100/400 = 25%: 50 more goals.
        let s = size_like(1000, 400, 100, 200, 120, 0.95).unwrap();
        assert!(close(s.rate_before, 0.4) && close(s.rate_after, 0.6));
        assert!(close(s.extra_units, 200.0));
        assert!(close(s.extra_goals.value, 50.0));
        // D = 0.25, Newcombe 0.173065 - 0.322920; g = 0.25, Wilson
        // 0.210085 - 0.294367; D x g = 0.0625, low 0.0625 -
        // hypot(0.25 x 0.076935, 0.25 x 0.039915) = 0.040831, high
        // 0.0625 + hypot(0.25 x 0.072920, 0.25 x 0.044367) = 0.083880;
        // times the 800 others: 32.66 - 67.10
        assert!((s.extra_goals.low - 32.664_776_682).abs() < 1e-6);
        assert!((s.extra_goals.high - 67.103_670_602).abs() < 1e-6);
        // no persona units before the step, or no one else: not sized
        assert!(size_like(1000, 400, 100, 0, 0, 0.95).is_none());
        assert!(size_like(1000, 400, 100, 1000, 400, 0.95).is_none());
    }

    #[test]
    fn ice_scores() {
        assert_eq!(impact_score(250.0, 500.0), 5);
        assert_eq!(impact_score(10.0, 500.0), 1);
        assert_eq!(impact_score(-3.0, 500.0), 1);
        // half-width 15 of 100: 10 x 0.85 = 8.5 -> 9 (half away from zero)
        let e = Estimate {
            value: 100.0,
            low: 85.0,
            high: 115.0,
        };
        assert_eq!(confidence_score(e), 9);
        // an interval wider than the number: 1
        let w = Estimate {
            value: 10.0,
            low: -5.0,
            high: 30.0,
        };
        assert_eq!(confidence_score(w), 1);
        let i = ice(e, 200.0, Some(4));
        assert_eq!(
            (i.impact, i.confidence, i.ease, i.score),
            (5, 9, Some(7), Some(315))
        );
        assert_eq!(ice(e, 200.0, None).score, None);
    }
}
