//! Numbers as an analyst reads them (docs/reports.md, UI.md "Numbers"):
//! counts with thousands separators (`780,928`), rates as percentages with one
//! decimal (`24.8%`) and two when small (`0.45%`), durations in words
//! (`3 min 20 s`, `2.4 days`), and axis ticks that are round numbers printed
//! without a trailing `.0`.

/// Group the digits of a non-negative integer string in threes: `780928` -> `780,928`.
fn group_digits(digits: &str) -> String {
    let n = digits.len();
    let mut out = String::with_capacity(n + n / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (n - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A count with thousands separators: `780,928`.
pub fn count(n: u64) -> String {
    group_digits(&n.to_string())
}

/// A signed integer with thousands separators: `-12,400`.
pub fn integer(n: i64) -> String {
    if n < 0 {
        format!("\u{2212}{}", group_digits(&n.unsigned_abs().to_string()))
    } else {
        group_digits(&n.to_string())
    }
}

/// A decimal number with thousands separators and a fixed number of decimals:
/// `number(1234.5, 1)` = `1,234.5`. Negative numbers use a true minus sign.
/// Not-a-number prints as an en dash.
pub fn number(x: f64, decimals: usize) -> String {
    if !x.is_finite() {
        return "\u{2013}".to_string();
    }
    let s = format!("{:.*}", decimals, x.abs());
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (s.as_str(), None),
    };
    let mut out = String::new();
    // -0.0 after rounding is plain 0.
    let is_zero = s.chars().all(|c| c == '0' || c == '.');
    if x < 0.0 && !is_zero {
        out.push('\u{2212}');
    }
    out.push_str(&group_digits(int));
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    out
}

/// A rate (a fraction 0..1) as a percentage: one decimal (`24.8%`), two below
/// 1% (`0.45%`), `0%` and `100%` for exactly zero and one. Not-a-number prints as an en dash.
pub fn percent(rate: f64) -> String {
    if !rate.is_finite() {
        return "\u{2013}".to_string();
    }
    if rate == 0.0 {
        return "0%".to_string();
    }
    if rate == 1.0 {
        return "100%".to_string();
    }
    let p = rate * 100.0;
    let decimals = if p.abs() < 0.995 { 2 } else { 1 };
    format!("{}%", number(p, decimals))
}

/// A relative change as a signed percentage: `+12.4%`, `−3.0%`, `0%`.
pub fn signed_percent(change: f64) -> String {
    if !change.is_finite() {
        return "\u{2013}".to_string();
    }
    let body = percent(change.abs());
    if body == "0%" || body == "0.00%" {
        return "0%".to_string();
    }
    if change > 0.0 {
        format!("+{body}")
    } else {
        format!("\u{2212}{body}")
    }
}

/// A difference between two rates in percentage points: `+2.3 pp`.
pub fn percentage_points(diff: f64) -> String {
    if !diff.is_finite() {
        return "\u{2013}".to_string();
    }
    let p = diff * 100.0;
    let decimals = if p.abs() < 0.995 && p != 0.0 { 2 } else { 1 };
    let body = number(p.abs(), decimals);
    if body.chars().all(|c| c == '0' || c == '.') {
        return "0 pp".to_string();
    }
    let sign = if p > 0.0 { "+" } else { "\u{2212}" };
    format!("{sign}{body} pp")
}

/// A p-value: `p = 0.032`, `p < 0.001`.
pub fn p_value(p: f64) -> String {
    if !p.is_finite() {
        return "\u{2013}".to_string();
    }
    if p < 0.001 {
        "p < 0.001".to_string()
    } else if p < 0.01 {
        format!("p = {p:.3}")
    } else {
        format!("p = {p:.2}")
    }
}

/// A confidence level (a fraction) as a percentage without needless
/// decimals: `95%`, `99%`, `97.5%` (the "95% low" of an interval column).
pub fn level(confidence: f64) -> String {
    if !confidence.is_finite() {
        return "\u{2013}".to_string();
    }
    let pct = confidence * 100.0;
    let whole = (pct - pct.round()).abs() < 1e-9;
    format!("{}%", number(pct, if whole { 0 } else { 1 }))
}

/// An amount of money without a currency symbol (the export's currency is
/// unknown): two decimals with thousands separators, `1,234.50`.
pub fn money(x: f64) -> String {
    number(x, 2)
}

/// A p-value as a table cell: `< 0.001`, three decimals below 0.01
/// (`0.004`), else two (`0.24`); the same digits as [`p_value`].
pub fn p_plain(p: f64) -> String {
    p_value(p)
        .trim_start_matches("p = ")
        .trim_start_matches("p ")
        .to_string()
}

/// A length of time given in seconds, in words: `45 s`, `3 min 20 s`,
/// `2 h 5 min`, `2.4 days`, `7 days`. Below ten seconds one decimal is kept (`1.5 s`).
pub fn duration(seconds: f64) -> String {
    if !seconds.is_finite() {
        return "\u{2013}".to_string();
    }
    if seconds < 0.0 {
        // A negative time that rounds to zero is plain 0, as in `number`.
        let body = duration(-seconds);
        return if body == "0 s" {
            body
        } else {
            format!("\u{2212}{body}")
        };
    }
    // -0.0 is 0 (Rust prints it with a sign).
    let seconds = seconds + 0.0;
    if seconds < 10.0 {
        let s = format!("{seconds:.1}");
        let s = s.strip_suffix(".0").unwrap_or(&s);
        return format!("{s} s");
    }
    let total = seconds.round() as u64;
    if total < 60 {
        return format!("{total} s");
    }
    if total < 3600 {
        let (m, s) = (total / 60, total % 60);
        return if s == 0 {
            format!("{m} min")
        } else {
            format!("{m} min {s} s")
        };
    }
    if total < 86_400 {
        let minutes = (seconds / 60.0).round() as u64;
        let (h, m) = (minutes / 60, minutes % 60);
        if h >= 24 {
            return "1 day".to_string();
        }
        return if m == 0 {
            format!("{h} h")
        } else {
            format!("{h} h {m} min")
        };
    }
    let days = seconds / 86_400.0;
    let s = format!("{days:.1}");
    let s = s.strip_suffix(".0").unwrap_or(&s);
    if s == "1" {
        "1 day".to_string()
    } else {
        format!("{s} days")
    }
}

/// A large number for a tight space: `780,928` stays, `12.4M`, `1.2B`.
/// Not-a-number prints as an en dash.
pub fn compact(x: f64) -> String {
    if !x.is_finite() {
        return "\u{2013}".to_string();
    }
    let a = x.abs();
    if a >= 1e9 {
        format!("{}B", trim_zeros(&number(x / 1e9, 1)))
    } else if a >= 1e6 {
        format!("{}M", trim_zeros(&number(x / 1e6, 1)))
    } else if x.fract() == 0.0 {
        number(x, 0)
    } else {
        trim_zeros(&number(x, 2))
    }
}

fn trim_zeros(s: &str) -> String {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s.to_string()
    }
}

/// What a value measures, which decides how it is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ValueKind {
    /// Whole units (users, sessions, orders): `780,928`.
    Count,
    /// A fraction 0..1 shown as a percentage: `24.8%`.
    Rate,
    /// A relative change (fraction): `+12.4%`.
    Lift,
    /// Seconds, shown as a duration: `3 min 20 s`.
    Seconds,
    /// Any other number: `1,234.56`.
    Number,
    /// An amount of money, currency unknown: `1,234.50`.
    Money,
    /// A p-value in a column: `0.032`, `< 0.001`.
    #[serde(rename = "p_value")]
    PValue,
}

/// Format one value of the given kind the way tables and labels show it.
pub fn value(kind: ValueKind, x: f64) -> String {
    match kind {
        ValueKind::Count => {
            if x.is_finite() && x >= 0.0 && x.fract() == 0.0 && x < 1.8e19 {
                count(x as u64)
            } else {
                number(x, 0)
            }
        }
        ValueKind::Rate => percent(x),
        ValueKind::Lift => signed_percent(x),
        ValueKind::Seconds => duration(x),
        ValueKind::Money => money(x),
        ValueKind::PValue => p_plain(x),
        ValueKind::Number => {
            if x.fract() == 0.0 {
                number(x, 0)
            } else if x.abs() >= 100.0 {
                number(x, 1)
            } else {
                number(x, 2)
            }
        }
    }
}

/// Round tick values covering `[lo, hi]`, about `target` of them: steps of
/// 1, 2, 2.5 or 5 times a power of ten. The first tick is at or below `lo`
/// and the last at or above `hi`.
pub fn nice_ticks(lo: f64, hi: f64, target: usize) -> Vec<f64> {
    let (lo, hi) = if lo.is_finite() && hi.is_finite() {
        (lo.min(hi), lo.max(hi))
    } else {
        (0.0, 1.0)
    };
    let span = if hi - lo > 0.0 {
        hi - lo
    } else if hi != 0.0 {
        hi.abs()
    } else {
        1.0
    };
    let hi = if hi - lo > 0.0 { hi } else { lo + span };
    let raw = span / target.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let norm = raw / mag;
    let step = mag
        * if norm <= 1.0 {
            1.0
        } else if norm <= 2.0 {
            2.0
        } else if norm <= 2.5 {
            2.5
        } else if norm <= 5.0 {
            5.0
        } else {
            10.0
        };
    let first = (lo / step + 1e-9).floor() as i64;
    let last = (hi / step - 1e-9).ceil() as i64;
    (first..=last)
        .map(|i| {
            let v = i as f64 * step;
            // Remove floating noise like 0.30000000000000004.
            let decimals = (-step.log10().floor()).max(0.0) as i32 + 2;
            let f = 10f64.powi(decimals);
            (v * f).round() / f
        })
        .collect()
}

/// Steps that make sense for a time axis, in seconds.
const DURATION_STEPS: [f64; 20] = [
    1.0, 2.0, 5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 300.0, 600.0, 900.0, 1800.0, 3600.0, 7200.0,
    10800.0, 21600.0, 43200.0, 86400.0, 172800.0, 604800.0,
];

/// Like [`nice_ticks`] for seconds: steps of whole seconds, minutes, hours or days.
pub fn duration_ticks(lo: f64, hi: f64, target: usize) -> Vec<f64> {
    let span = (hi - lo).max(1.0);
    let raw = span / target.max(1) as f64;
    let step = DURATION_STEPS
        .iter()
        .copied()
        .find(|s| *s >= raw)
        .unwrap_or_else(|| (raw / 604800.0).ceil() * 604800.0);
    let first = (lo / step + 1e-9).floor() as i64;
    let last = (hi / step - 1e-9).ceil() as i64;
    (first..=last).map(|i| i as f64 * step).collect()
}

/// The label of an axis tick of the given kind. `step` is the distance
/// between ticks and decides the decimals: ticks 0, 0.025, 0.05 of a rate
/// print as `0%`, `2.5%`, `5%`; counts print as `200,000` or `1.5M`.
pub fn tick(kind: ValueKind, v: f64, step: f64) -> String {
    let v = if v.abs() < step.abs() * 1e-9 { 0.0 } else { v };
    match kind {
        ValueKind::Rate | ValueKind::Lift => {
            let p = v * 100.0;
            let sp = (step * 100.0).abs();
            let decimals = decimals_for_step(sp);
            let body = trim_zeros(&number(p, decimals));
            if kind == ValueKind::Lift && v > 0.0 {
                format!("+{body}%")
            } else {
                format!("{body}%")
            }
        }
        ValueKind::Seconds => duration(v),
        ValueKind::PValue => trim_zeros(&number(v, decimals_for_step(step.abs()))),
        ValueKind::Count | ValueKind::Number | ValueKind::Money => {
            if step.abs() >= 1e6 || (v.abs() >= 1e7 && step.abs() >= 1e5) {
                compact(v)
            } else {
                trim_zeros(&number(v, decimals_for_step(step.abs())))
            }
        }
    }
}

fn decimals_for_step(step: f64) -> usize {
    if step <= 0.0 || !step.is_finite() {
        return 0;
    }
    let mut d = 0;
    let mut s = step;
    while d < 6 && (s - s.round()).abs() > 1e-9 {
        s *= 10.0;
        d += 1;
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_have_separators() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1000), "1,000");
        assert_eq!(count(780_928), "780,928");
        assert_eq!(count(12_345_678), "12,345,678");
        assert_eq!(integer(-12_400), "\u{2212}12,400");
    }

    #[test]
    fn rates_have_one_decimal_or_two_when_small() {
        assert_eq!(percent(0.248), "24.8%");
        assert_eq!(percent(0.0045), "0.45%");
        assert_eq!(percent(0.0), "0%");
        assert_eq!(percent(1.0), "100%");
        assert_eq!(percent(0.9999), "100.0%");
        assert_eq!(percent(0.00999), "1.0%");
        assert_eq!(percent(f64::NAN), "\u{2013}");
        assert_eq!(signed_percent(0.124), "+12.4%");
        assert_eq!(signed_percent(-0.03), "\u{2212}3.0%");
        assert_eq!(percentage_points(0.023), "+2.3 pp");
        assert_eq!(percentage_points(-0.0045), "\u{2212}0.45 pp");
    }

    #[test]
    fn durations_read_as_words() {
        assert_eq!(duration(0.0), "0 s");
        assert_eq!(duration(-0.0), "0 s");
        assert_eq!(duration(-0.01), "0 s");
        assert_eq!(duration(-5.0), "\u{2212}5 s");
        assert_eq!(duration(1.5), "1.5 s");
        assert_eq!(duration(45.0), "45 s");
        assert_eq!(duration(200.0), "3 min 20 s");
        assert_eq!(duration(180.0), "3 min");
        assert_eq!(duration(7_500.0), "2 h 5 min");
        assert_eq!(duration(2.4 * 86_400.0), "2.4 days");
        assert_eq!(duration(86_400.0), "1 day");
        assert_eq!(duration(86_399.0), "1 day");
        assert_eq!(duration(7.0 * 86_400.0), "7 days");
    }

    #[test]
    fn ticks_are_round_and_never_print_trailing_zero() {
        let t = nice_ticks(0.0, 780_928.0, 5);
        assert_eq!(t.first(), Some(&0.0));
        assert!(*t.last().unwrap() >= 780_928.0);
        let step = t[1] - t[0];
        assert_eq!(step, 200_000.0);
        let labels: Vec<String> = t.iter().map(|v| tick(ValueKind::Count, *v, step)).collect();
        assert_eq!(labels, ["0", "200,000", "400,000", "600,000", "800,000"]);
        assert!(labels.iter().all(|l| !l.ends_with(".0")));

        let t = nice_ticks(0.0, 0.07, 4);
        let step = t[1] - t[0];
        let labels: Vec<String> = t.iter().map(|v| tick(ValueKind::Rate, *v, step)).collect();
        assert_eq!(labels, ["0%", "2%", "4%", "6%", "8%"]);

        let t = nice_ticks(0.0, 0.1, 4);
        let step = t[1] - t[0];
        let labels: Vec<String> = t.iter().map(|v| tick(ValueKind::Rate, *v, step)).collect();
        assert_eq!(labels, ["0%", "2.5%", "5%", "7.5%", "10%"]);

        let t = nice_ticks(0.0, 24_000_000.0, 4);
        let step = t[1] - t[0];
        assert_eq!(tick(ValueKind::Count, t[1], step), "10M");
        assert_eq!(tick(ValueKind::Count, 2_500_000.0, 2_500_000.0), "2.5M");
        assert_eq!(tick(ValueKind::Lift, 0.1, 0.05), "+10%");
        assert_eq!(
            tick(ValueKind::Lift, -0.05, 0.05),
            "-5%".replace('-', "\u{2212}")
        );
    }

    #[test]
    fn duration_ticks_use_clock_steps() {
        let t = duration_ticks(0.0, 3000.0, 5);
        assert_eq!(t[1] - t[0], 600.0);
        assert_eq!(tick(ValueKind::Seconds, t[1], 600.0), "10 min");
    }

    #[test]
    fn values_by_kind() {
        assert_eq!(value(ValueKind::Count, 780_928.0), "780,928");
        assert_eq!(value(ValueKind::Number, 1234.567), "1,234.6");
        assert_eq!(value(ValueKind::Number, 12.345), "12.35");
        assert_eq!(value(ValueKind::Seconds, 200.0), "3 min 20 s");
        assert_eq!(p_value(0.0004), "p < 0.001");
        assert_eq!(p_value(0.032), "p = 0.03");
        assert_eq!(p_value(0.0032), "p = 0.003");
        assert_eq!(compact(12_400_000.0), "12.4M");
        assert_eq!(compact(12_330.0), "12,330");
        assert_eq!(level(0.95), "95%");
        assert_eq!(level(0.999), "99.9%");
        assert_eq!(level(0.975), "97.5%");
        assert_eq!(compact(f64::INFINITY), "\u{2013}");
        assert_eq!(compact(f64::NAN), "\u{2013}");
        assert_eq!(value(ValueKind::Money, 1234.5), "1,234.50");
        assert_eq!(value(ValueKind::Money, -3.0), "\u{2212}3.00");
        assert_eq!(value(ValueKind::PValue, 0.0004), "< 0.001");
        assert_eq!(value(ValueKind::PValue, 0.0032), "0.003");
        assert_eq!(value(ValueKind::PValue, 0.24), "0.24");
        // the PDF's durations: hours and minutes, not "1.5 h"
        assert_eq!(value(ValueKind::Seconds, 5400.0), "1 h 30 min");
    }
}
