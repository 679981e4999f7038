//! Behaviour of the comparison layer: the verdict rule, empty and extreme
//! groups, Holm across groups, bad input, the JSON shape, the sample-size
//! calculator, and properties that must hold for any counts.

use proptest::prelude::*;
use serde_json::Value;
use stepwise_engine::stats::proportion::{
    chi_square_k_by_2, diff_interval_newcombe, holm, wilson, z_test_pooled,
};
use stepwise_engine::stats::{
    compare_groups, sample_size, GroupCounts, MinimumEffect, SampleSizeInput, VerdictKind,
};

fn g(name: &str, conversions: u64, users: u64) -> GroupCounts {
    GroupCounts::new(name, conversions, users)
}

#[test]
fn stats_tiny_samples_are_not_enough_data() {
    // Same counts as the "tiny" fixture (p = 0.36): expected conversions are
    // 0.6 and 0.4, far below 5.
    let cmp = compare_groups(&g("base", 0, 2), &[g("arm", 1, 3)], 0.95).unwrap();
    let arm = &cmp.groups[1].conversion;
    assert!(arm.p_value.is_some());
    assert_eq!(arm.verdict, "not enough data");
    assert_eq!(arm.verdict_kind, VerdictKind::NotEnoughData);
    assert!(
        arm.note.as_deref().unwrap().contains("below 5"),
        "{:?}",
        arm.note
    );
    assert_eq!(cmp.chi_square.unwrap().verdict, "not enough data");
}

#[test]
fn stats_a_large_enough_difference_with_few_conversions_is_still_a_result() {
    // 0 of 500 against 25 of 500: expected conversions are 12.5 each, so the
    // test is trusted; the lift is -100% and has no Katz interval, the
    // difference has its Newcombe interval.
    let cmp = compare_groups(&g("base", 25, 500), &[g("arm", 0, 500)], 0.95).unwrap();
    let arm = &cmp.groups[1].conversion;
    assert_eq!(arm.verdict, "significant at 95%");
    assert_eq!(arm.lift, Some(-1.0));
    assert_eq!((arm.lift_ci_low, arm.lift_ci_high), (None, None));
    assert!(arm.diff_ci_high.unwrap() < 0.0);
    assert_eq!(arm.rate, Some(0.0));
    assert_eq!(arm.ci_low, Some(0.0));
}

#[test]
fn stats_nobody_or_everybody_converting_is_not_enough_data() {
    for (b, a) in [((0, 300), (0, 200)), ((30, 30), (20, 20))] {
        let cmp = compare_groups(&g("base", b.0, b.1), &[g("arm", a.0, a.1)], 0.95).unwrap();
        let arm = &cmp.groups[1].conversion;
        assert_eq!((arm.p_value, arm.p_adjusted, arm.z), (None, None, None));
        assert_eq!(arm.verdict, "not enough data");
        assert!(cmp.chi_square.is_none());
        // The rates and the difference interval still exist.
        assert!(arm.rate.is_some() && arm.diff_ci_low.is_some());
    }
}

#[test]
fn stats_an_empty_group_is_left_out_of_holm_and_chi_square() {
    let base = g("base", 200, 4000);
    let with_empty = [g("B", 260, 4000), g("nobody", 0, 0), g("C", 215, 4000)];
    let without = [g("B", 260, 4000), g("C", 215, 4000)];
    let a = compare_groups(&base, &with_empty, 0.95).unwrap();
    let b = compare_groups(&base, &without, 0.95).unwrap();
    let empty = &a.groups[2].conversion;
    assert_eq!(a.groups[2].name, "nobody");
    assert_eq!(
        (
            empty.rate,
            empty.ci_low,
            empty.diff,
            empty.lift,
            empty.p_value
        ),
        (None, None, None, None, None)
    );
    assert_eq!(empty.verdict, "not enough data");
    assert_eq!(empty.note.as_deref(), Some("a group has no users"));
    // B and C get exactly the numbers they get without the empty group.
    assert_eq!(a.groups[1].conversion, b.groups[1].conversion);
    assert_eq!(a.groups[3].conversion, b.groups[2].conversion);
    assert_eq!(a.chi_square, b.chi_square);
}

#[test]
fn stats_holm_decides_the_verdict() {
    // Three arms whose raw p-values are about 0.028, 0.041 and 0.80: each of
    // the first two would pass alone, but Holm makes them 0.083 and 0.083.
    let base = g("base", 500, 10_000);
    let arms = [
        g("a", 570, 10_000),
        g("b", 565, 10_000),
        g("c", 508, 10_000),
    ];
    let cmp = compare_groups(&base, &arms, 0.95).unwrap();
    let raw: Vec<f64> = cmp.groups[1..]
        .iter()
        .map(|r| r.conversion.p_value.unwrap())
        .collect();
    let adj: Vec<f64> = cmp.groups[1..]
        .iter()
        .map(|r| r.conversion.p_adjusted.unwrap())
        .collect();
    assert_eq!(adj, holm(&raw));
    assert!(raw[0] < 0.05 && raw[1] < 0.05, "{raw:?}");
    assert!(adj[0] > 0.05 && adj[1] > 0.05, "{adj:?}");
    for row in &cmp.groups[1..] {
        assert_eq!(
            row.conversion.verdict, "no clear difference",
            "{}",
            row.name
        );
    }
    // A single arm is its own family: adjusted = raw, significant.
    let one = compare_groups(&base, &arms[..1], 0.95).unwrap();
    let row = &one.groups[1].conversion;
    assert_eq!(row.p_adjusted, row.p_value);
    assert_eq!(row.verdict, "significant at 95%");
}

#[test]
fn stats_verdict_words_follow_the_confidence_level() {
    let base = g("base", 100, 1000);
    let arm = [g("arm", 145, 1000)]; // p = 0.0021
    let words = |c: f64| {
        compare_groups(&base, &arm, c).unwrap().groups[1]
            .conversion
            .verdict
            .clone()
    };
    assert_eq!(words(0.95), "significant at 95%");
    assert_eq!(words(0.9), "significant at 90%");
    assert_eq!(words(0.99), "significant at 99%");
    assert_eq!(words(0.999), "no clear difference");
    assert_eq!(words(0.995), "significant at 99.5%");
}

#[test]
fn stats_bad_input_is_a_clear_error() {
    let e = compare_groups(&g("base", 10, 100), &[g("Mobile", 12, 10)], 0.95).unwrap_err();
    let msg = e.to_string();
    assert!(
        msg.contains("\"Mobile\"") && msg.contains("12 conversions") && msg.contains("10 users"),
        "{msg}"
    );
    assert_eq!(e.code(), "invalid");
    let e = compare_groups(&g("base", 10, 100), &[], 1.5).unwrap_err();
    assert!(e.to_string().contains("confidence level"), "{e}");
    let e = compare_groups(&g("base", 101, 100), &[], 0.95).unwrap_err();
    assert!(e.to_string().contains("\"base\""), "{e}");
}

#[test]
fn stats_json_shape_matches_the_cli_contract() {
    let cmp = compare_groups(
        &g("A", 200, 4000),
        &[g("B", 260, 4000), g("C", 215, 4000)],
        0.95,
    )
    .unwrap();
    let v: Value = serde_json::to_value(&cmp).unwrap();
    assert_eq!(v["baseline"], "A");
    let base = &v["groups"][0]["conversion"];
    // the comparison with the baseline: null on the baseline itself
    let versus = [
        "diff",
        "diff_ci_low",
        "diff_ci_high",
        "lift",
        "p_value",
        "p_adjusted",
    ];
    for key in ["rate", "ci_low", "ci_high", "verdict"]
        .iter()
        .chain(&versus)
    {
        assert!(base.get(key).is_some(), "missing {key}");
    }
    for key in versus {
        assert!(base[key].is_null(), "baseline {key} should be null");
    }
    assert_eq!(base["rate"], 0.05);
    assert_eq!(
        v["groups"][1]["conversion"]["verdict"],
        "significant at 95%"
    );
    assert_eq!(v["groups"][1]["conversion"]["verdict_kind"], "significant");
    let chi = &v["chi_square"];
    assert_eq!(chi["df"], 2);
    assert!(chi["statistic"].is_f64() && chi["p_value"].is_f64());
    // Round trip.
    let back: stepwise_engine::stats::Comparison = serde_json::from_value(v).unwrap();
    assert_eq!(back, cmp);
}

#[test]
fn stats_sample_size_calculator() {
    // docs/statistics.md: 5% baseline, +20% relative (to 6%), alpha 0.05,
    // power 0.8, 2,000 visitors a day over 2 arms. The classic formula gives
    // 8157.73 per arm (tests/reference/stats_reference.py).
    let input = SampleSizeInput {
        baseline_rate: 0.05,
        minimum_effect: MinimumEffect::Relative(0.2),
        alpha: 0.05,
        power: 0.8,
        daily_traffic: Some(2000.0),
        arms: 2,
    };
    let plan = sample_size(&input).unwrap();
    assert!((plan.target_rate - 0.06).abs() < 1e-15);
    assert!((plan.users_per_arm_exact - 8157.731447849284).abs() < 1e-8);
    assert_eq!(plan.users_per_arm, 8158);
    assert_eq!(plan.total_users, 16_316);
    assert_eq!(plan.days, Some(9));
    assert!((plan.users_per_arm_cohen_h - 8142.595394203761).abs() < 1e-8);

    // The same effect typed in rate points.
    let abs = sample_size(&SampleSizeInput {
        minimum_effect: MinimumEffect::Absolute(0.01),
        ..input.clone()
    })
    .unwrap();
    assert_eq!(abs.users_per_arm, plan.users_per_arm);

    // Three arms take 1.5 times as long; no traffic gives no days.
    let three = sample_size(&SampleSizeInput {
        arms: 3,
        ..input.clone()
    })
    .unwrap();
    assert_eq!((three.total_users, three.days), (24_474, Some(13)));
    let none = sample_size(&SampleSizeInput {
        daily_traffic: None,
        ..input.clone()
    })
    .unwrap();
    assert_eq!(none.days, None);

    // A smaller effect needs more users: roughly 1/effect^2.
    let half = sample_size(&SampleSizeInput {
        minimum_effect: MinimumEffect::Relative(0.1),
        ..input.clone()
    })
    .unwrap();
    assert!(
        half.users_per_arm > 3 * plan.users_per_arm && half.users_per_arm < 5 * plan.users_per_arm
    );

    // Bad input.
    for bad in [
        SampleSizeInput {
            baseline_rate: 0.0,
            ..input.clone()
        },
        SampleSizeInput {
            baseline_rate: 1.2,
            ..input.clone()
        },
        SampleSizeInput {
            minimum_effect: MinimumEffect::Absolute(0.0),
            ..input.clone()
        },
        SampleSizeInput {
            minimum_effect: MinimumEffect::Relative(19.0),
            ..input.clone()
        },
        SampleSizeInput {
            minimum_effect: MinimumEffect::Absolute(f64::NAN),
            ..input.clone()
        },
        SampleSizeInput {
            alpha: 0.0,
            ..input.clone()
        },
        SampleSizeInput {
            power: 1.0,
            ..input.clone()
        },
        SampleSizeInput {
            arms: 1,
            ..input.clone()
        },
        SampleSizeInput {
            daily_traffic: Some(0.0),
            ..input.clone()
        },
    ] {
        let e = sample_size(&bad).unwrap_err();
        assert_eq!(e.code(), "invalid", "{e}");
    }
}

fn counts() -> impl Strategy<Value = (u64, u64)> {
    (1u64..5000).prop_flat_map(|n| (0..=n, Just(n)))
}

proptest! {
    #[test]
    fn stats_prop_wilson_contains_the_rate((c, n) in counts(), conf in 0.5f64..0.999) {
        let (lo, hi) = wilson(c, n, conf).unwrap();
        let p = c as f64 / n as f64;
        prop_assert!(0.0 <= lo && lo <= p + 1e-15 && p <= hi + 1e-15 && hi <= 1.0);
        // A higher confidence never gives a narrower interval.
        let (lo2, hi2) = wilson(c, n, (conf + 1.0) / 2.0).unwrap();
        prop_assert!(lo2 <= lo + 1e-15 && hi2 + 1e-15 >= hi);
    }

    #[test]
    fn stats_prop_newcombe_contains_the_difference(a in counts(), b in counts()) {
        let (lo, hi) = diff_interval_newcombe(a.0, a.1, b.0, b.1, 0.95).unwrap();
        let d = a.0 as f64 / a.1 as f64 - b.0 as f64 / b.1 as f64;
        prop_assert!(lo <= d + 1e-15 && d <= hi + 1e-15 && lo >= -1.0 - 1e-15 && hi <= 1.0 + 1e-15);
    }

    #[test]
    fn stats_prop_z_test_is_antisymmetric_and_matches_chi_square(a in counts(), b in counts()) {
        if let Some((z, p)) = z_test_pooled(a.0, a.1, b.0, b.1) {
            let (z2, p2) = z_test_pooled(b.0, b.1, a.0, a.1).unwrap();
            prop_assert_eq!(z, -z2);
            prop_assert_eq!(p, p2);
            prop_assert!((0.0..=1.0).contains(&p));
            let chi = chi_square_k_by_2(&[a, b]).unwrap();
            prop_assert!((chi.statistic - z * z).abs() <= 1e-9 * (1.0 + z * z));
            prop_assert!((chi.p_value - p).abs() <= 1e-9 * p.max(1e-300) + 1e-15);
        } else {
            prop_assert!(chi_square_k_by_2(&[a, b]).is_none());
        }
    }

    #[test]
    fn stats_prop_holm_is_at_least_raw_and_keeps_order(ps in proptest::collection::vec(0.0f64..=1.0, 0..12)) {
        let adj = holm(&ps);
        for i in 0..ps.len() {
            prop_assert!(adj[i] >= ps[i] && adj[i] <= 1.0);
            for j in 0..ps.len() {
                if ps[i] < ps[j] {
                    prop_assert!(adj[i] <= adj[j]);
                }
            }
        }
    }
}
