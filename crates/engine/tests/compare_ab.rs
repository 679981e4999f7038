//! `compare` on a small A/B test written as a CSV: the numbers must be the
//! ones statsmodels/scipy give on the same counts. The expected values are
//! copied from crates/engine/tests/stats_reference.rs, which were printed by
//! tests/reference/stats_reference.py (statsmodels proportion_confint
//! "wilson", confint_proportions_2indep "newcomb"/"log", proportions_ztest,
//! multipletests "holm"; scipy chi2_contingency without correction).

mod common;

use common::ws::TempWs;
use std::fmt::Write as _;
use stepwise_engine::compare::{run_compare, CompareSpec};
use stepwise_engine::Role;

/// Variant A: 200 of 4000 buy; B: 260 of 4000; C: 215 of 4000. Mobile
/// users are every fourth user; the checkout step loses more of them.
fn ab_csv() -> String {
    let mut s = String::from("user,time,event,variant,device\n");
    let t0 = 1_725_148_800i64; // 2024-09-01
    let mut u = 0;
    for (variant, buyers) in [("A", 200), ("B", 260), ("C", 215)] {
        for i in 0..4000 {
            u += 1;
            let device = if u % 4 == 0 { "mobile" } else { "desktop" };
            let t = t0 + u * 10;
            writeln!(s, "u{u},{t},visit,{variant},{device}").unwrap();
            if i < buyers {
                writeln!(s, "u{u},{},purchase,{variant},{device}", t + 60).unwrap();
            }
        }
    }
    s
}

fn fixture() -> TempWs {
    TempWs::with_csv(
        "ab",
        &ab_csv(),
        &[
            (Role::User, "user"),
            (Role::Time, "time"),
            (Role::Event, "event"),
        ],
    )
}

const FUNNEL: &str = r#"{"dataset": "ab", "steps": [{"label": "Visit", "event": "visit"}, {"label": "Purchase", "event": "purchase"}]}"#;

fn close(a: Option<f64>, b: f64, what: &str) {
    let a = a.unwrap_or_else(|| panic!("{what} is null"));
    assert!(
        (a - b).abs() <= 1e-9 * b.abs().max(1e-3),
        "{what}: {a} vs {b}"
    );
}

fn check_worked_example(v: &serde_json::Value) {
    let seg = |name: &str| {
        v["segments"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == name)
            .unwrap_or_else(|| panic!("no segment {name}"))
            .clone()
    };
    assert_eq!(v["baseline"], "A");
    let a = seg("A");
    let b = seg("B");
    let c = seg("C");
    assert_eq!(a["steps"][0]["count"], 4000);
    assert_eq!(a["steps"][1]["count"], 200);
    assert_eq!(b["steps"][1]["count"], 260);
    assert_eq!(b["steps"][1]["label"], "Purchase");
    assert_eq!(c["steps"][1]["conversion_from_start"], 215.0 / 4000.0);
    let f = |x: &serde_json::Value| x.as_f64();
    let ac = &a["conversion"];
    close(f(&ac["ci_low"]), 0.043667138340424475, "A ci_low");
    close(f(&ac["ci_high"]), 0.05719636062030688, "A ci_high");
    for k in ["diff", "lift", "p_value", "p_adjusted"] {
        assert!(ac[k].is_null(), "baseline {k}");
    }
    assert_eq!(ac["verdict"], "baseline");
    let bc = &b["conversion"];
    close(f(&bc["rate"]), 0.065, "B rate");
    close(f(&bc["ci_low"]), 0.0577698514733424, "B ci_low");
    close(f(&bc["ci_high"]), 0.07306486418869791, "B ci_high");
    close(f(&bc["diff"]), 0.015, "B diff");
    close(
        f(&bc["diff_ci_low"]),
        0.0047988895753926526,
        "B diff_ci_low",
    );
    close(
        f(&bc["diff_ci_high"]),
        0.025254129469704567,
        "B diff_ci_high",
    );
    close(f(&bc["lift"]), 0.3, "B lift");
    close(
        f(&bc["lift_ci_low"]),
        1.0868757244509857 - 1.0,
        "B lift_ci_low",
    );
    close(f(&bc["p_value"]), 0.003956786600976492, "B p");
    close(f(&bc["p_adjusted"]), 0.007913573201952984, "B p_adjusted");
    assert_eq!(bc["verdict"], "significant at 95%");
    let cc = &c["conversion"];
    close(f(&cc["p_value"]), 0.44953165323524147, "C p");
    close(f(&cc["p_adjusted"]), 0.44953165323524147, "C p_adjusted");
    close(
        f(&cc["diff_ci_low"]),
        -0.005994712856818126,
        "C diff_ci_low",
    );
    assert_eq!(cc["verdict"], "no clear difference");
    let chi = &v["chi_square"];
    close(f(&chi["statistic"]), 9.183222958057394, "chi2");
    assert_eq!(chi["df"], 2);
    close(f(&chi["p_value"]), 0.010136510430740885, "chi2 p");
}

#[test]
fn compare_by_a_variant_column() {
    let mut fx = fixture();
    let spec = CompareSpec::from_json(&format!(
        r#"{{"funnel": {FUNNEL}, "by": "variant", "baseline": "A"}}"#
    ))
    .unwrap();
    let r = run_compare(&fx.ws, &spec, &mut fx.cache).unwrap();
    let v = serde_json::to_value(&r).unwrap();
    check_worked_example(&v);
    assert_eq!(r.segments.len(), 3);
}

#[test]
fn compare_segments_and_everyone_else() {
    let mut fx = fixture();
    let seg = |v: &str| {
        format!(
            r#"{{"name": "{v}", "conditions": [{{"column": "variant", "op": "eq", "value": "{v}", "value_of": "first"}}]}}"#
        )
    };
    let spec = CompareSpec::from_json(&format!(
        r#"{{"funnel": {FUNNEL}, "segments": [{}, {}, {}], "baseline": "A"}}"#,
        seg("C"),
        seg("B"),
        seg("A")
    ))
    .unwrap();
    let r = run_compare(&fx.ws, &spec, &mut fx.cache).unwrap();
    // order as given
    let names: Vec<&str> = r.segments.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["C", "B", "A"]);
    check_worked_example(&serde_json::to_value(&r).unwrap());

    // B against everyone else (A and C: 415 of 8000), by hand
    let spec = CompareSpec::from_json(&format!(
        r#"{{"funnel": {FUNNEL}, "segments": [{{"not": {b}}}, {b}], "baseline": "Not B"}}"#,
        b = seg("B")
    ))
    .unwrap();
    let r = run_compare(&fx.ws, &spec, &mut fx.cache).unwrap();
    assert_eq!(r.baseline, "Not B");
    let rest = &r.segments[0];
    assert_eq!((rest.steps[0].count, rest.steps[1].count), (8000, 415));
    let b = &r.segments[1];
    let t = stepwise_engine::stats::compare_two(260, 4000, 415, 8000, 0.95);
    assert_eq!(b.conversion.p_value, t.p_value);
    assert_eq!(b.conversion.diff, t.diff);
    // one comparison: Holm leaves it alone
    assert_eq!(b.conversion.p_adjusted, t.p_value);
}

#[test]
fn compare_names_the_bottleneck() {
    let mut fx = fixture();
    let spec =
        CompareSpec::from_json(&format!(r#"{{"funnel": {FUNNEL}, "by": "variant"}}"#)).unwrap();
    let r = run_compare(&fx.ws, &spec, &mut fx.cache).unwrap();
    // default baseline: the largest group (ties by value: A)
    assert_eq!(r.baseline, "A");
    let b = r.bottleneck.unwrap();
    assert_eq!((b.entered, b.left), (12000, 12000 - 675));
    // A loses the most: 3800/4000 = 95.0% against (B and C) 7525/8000 = 94.1%
    let w = b.worst_group.unwrap();
    assert_eq!(w.name, "A");
    assert!(b.finding.starts_with(
        "The biggest drop is from Visit to Purchase: 94.4% of users leave. It is worst on A (95.0% leave vs 94.1% elsewhere)"
    ), "{}", b.finding);
}

#[test]
fn compare_errors_are_sentences() {
    let mut fx = fixture();
    let e = run_compare(
        &fx.ws,
        &CompareSpec::from_json(&format!(
            r#"{{"funnel": {FUNNEL}, "by": "variant", "baseline": "Z"}}"#
        ))
        .unwrap(),
        &mut fx.cache,
    )
    .unwrap_err();
    assert!(
        e.to_string()
            .contains("\"Z\" is not one of the groups (A, B, C)"),
        "{e}"
    );
    let e = run_compare(
        &fx.ws,
        &CompareSpec::from_json(&format!(r#"{{"funnel": {FUNNEL}}}"#)).unwrap(),
        &mut fx.cache,
    )
    .unwrap_err();
    assert!(e.to_string().contains("\"segments\" or \"by\""), "{e}");
    let e = run_compare(
        &fx.ws,
        &CompareSpec::from_json(&format!(r#"{{"funnel": {FUNNEL}, "by": "colour"}}"#)).unwrap(),
        &mut fx.cache,
    )
    .unwrap_err();
    assert!(e.to_string().contains("colour"), "{e}");
}

#[test]
fn compare_and_funnel_bottleneck_agree() {
    use stepwise_engine::bottleneck::funnel_bottleneck;
    use stepwise_engine::funnel::{run_funnel, FunnelSpec};
    let mut fx = fixture();
    let f = FunnelSpec::from_json(
        r#"{"dataset": "ab", "steps": [{"label": "Visit", "event": "visit"}, {"label": "Purchase", "event": "purchase"}], "breakdown": {"column": "variant"}}"#,
    )
    .unwrap();
    let r = run_funnel(&fx.ws, &f, &mut fx.cache).unwrap();
    let from_funnel = funnel_bottleneck(&r, 0.95).unwrap();
    let spec =
        CompareSpec::from_json(&format!(r#"{{"funnel": {FUNNEL}, "by": "variant"}}"#)).unwrap();
    let from_compare = run_compare(&fx.ws, &spec, &mut fx.cache)
        .unwrap()
        .bottleneck
        .unwrap();
    assert_eq!(from_funnel, from_compare);
    // a segment on another dataset is refused
    let spec = CompareSpec::from_json(&format!(
        r#"{{"funnel": {FUNNEL}, "segments": [{{"name": "x", "dataset": "other", "conditions": []}}]}}"#
    ))
    .unwrap();
    let e = run_compare(&fx.ws, &spec, &mut fx.cache).unwrap_err();
    assert!(e.to_string().contains("one dataset"), "{e}");
}

#[test]
fn bottleneck_across_columns_finds_the_worst_group() {
    use stepwise_engine::bottleneck::bottleneck_across;
    use stepwise_engine::funnel::FunnelSpec;
    // 200 desktop users: 120 cart, 60 buy; 200 mobile users: 120 cart, 24
    // buy; the source alternates within each device, so it makes no
    // difference.
    let mut s = String::from("user,time,event,device,source\n");
    for (d, buyers) in [("desktop", 60), ("mobile", 24)] {
        for i in 0..200 {
            let u = format!("{d}{i}");
            let src = if i % 2 == 0 { "ads" } else { "seo" };
            let t = 1_725_148_800 + i * 100;
            writeln!(s, "{u},{t},visit,{d},{src}").unwrap();
            if i < 120 {
                writeln!(s, "{u},{},cart,{d},{src}", t + 10).unwrap();
            }
            if i < buyers {
                writeln!(s, "{u},{},buy,{d},{src}", t + 20).unwrap();
            }
        }
    }
    let TempWs { ws, mut cache, .. } = TempWs::with_csv(
        "shop",
        &s,
        &[
            (Role::User, "user"),
            (Role::Time, "time"),
            (Role::Event, "event"),
        ],
    );
    let f = FunnelSpec::from_json(
        r#"{"dataset": "shop", "steps": [{"event": "visit"}, {"event": "cart"}, {"event": "buy"}]}"#,
    )
    .unwrap();
    // 400 -> 240 -> 84: 40% leave before the cart, 65% after it
    let b = bottleneck_across(&ws, &f, &mut cache, &[], 0.95)
        .unwrap()
        .unwrap();
    assert_eq!(
        (b.from_step, b.to_step, b.entered, b.left),
        (1, 2, 240, 156)
    );
    let w = b.worst_group.as_ref().unwrap();
    assert_eq!(w.name, "mobile");
    assert!(w.significant);
    assert_eq!(
        b.finding,
        "The biggest drop is from cart to buy: 65.0% of users leave. It is worst where device is mobile (80.0% leave vs 50.0% elsewhere)."
    );
    // by source alone: no group leaves more than the rest by a real margin
    let b = bottleneck_across(&ws, &f, &mut cache, &["source".to_string()], 0.95)
        .unwrap()
        .unwrap();
    if let Some(w) = &b.worst_group {
        assert!(!w.significant, "{w:?}");
        assert!(b.finding.ends_with("could be chance."), "{}", b.finding);
    }
}

#[test]
fn an_open_funnel_is_refused_with_a_reason() {
    let mut fx = fixture();
    let mut f: serde_json::Value = serde_json::from_str(FUNNEL).unwrap();
    f["open"] = serde_json::json!(true);
    let spec = CompareSpec::from_json(&format!(r#"{{"funnel": {f}, "by": "variant"}}"#)).unwrap();
    let e = run_compare(&fx.ws, &spec, &mut fx.cache)
        .unwrap_err()
        .to_string();
    assert!(e.contains("\"open\""), "{e}");
}
