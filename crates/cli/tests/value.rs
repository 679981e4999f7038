//! `stepwise value SPEC.json`: the JSON the issue names, the text table,
//! and bad input as one readable sentence (exit 1).

use std::path::Path;
mod common;
use common::{ok, stepwise};

/// Ten users view, five add to cart, two buy (40 and 60), over ten days:
/// the worked example of docs/value.md.
fn shop(dir: &Path) -> std::path::PathBuf {
    let ws = dir.join("ws.stepwise");
    let csv = dir.join("shop.csv");
    let mut text = String::from("time,user,event,page,revenue\n");
    for u in 1..=10 {
        text += &format!("2024-09-{u:02} 10:00:00,u{u},view,/p{},\n", u % 2 + 1);
        if u <= 5 {
            text += &format!("2024-09-{u:02} 10:05:00,u{u},cart,/cart,\n");
        }
        if u <= 2 {
            text += &format!(
                "2024-09-{u:02} 10:10:00,u{u},purchase,/thanks,{}\n",
                20 * u + 20
            );
        }
    }
    std::fs::write(&csv, text).unwrap();
    ok(&stepwise(
        &ws,
        &[
            "import",
            csv.to_str().unwrap(),
            "--name",
            "shop",
            "--map",
            "user=user",
        ],
    ));
    ws
}

fn write_spec(dir: &Path, name: &str, extra: &str) -> String {
    let path = dir.join(name);
    std::fs::write(
        &path,
        format!(
            r#"{{"dataset": "shop", "steps": [{{"event": "view"}}, {{"event": "cart"}}, {{"event": "purchase"}}]{extra}}}"#
        ),
    )
    .unwrap();
    path.to_str().unwrap().to_string()
}

#[test]
fn value_json_has_the_issues_fields() {
    let dir = tempfile::tempdir().unwrap();
    let ws = shop(dir.path());
    let spec = write_spec(
        dir.path(),
        "v.json",
        r#", "value": {"column": "revenue"}, "what_if": {"step": 2, "relative": 0.1}"#,
    );
    let v: serde_json::Value =
        serde_json::from_str(&ok(&stepwise(&ws, &["value", &spec, "--json"]))).unwrap();
    let steps = v["steps"].as_array().unwrap();
    let counts: Vec<u64> = steps.iter().map(|s| s["count"].as_u64().unwrap()).collect();
    assert_eq!(counts, [10, 5, 2]);
    assert_eq!(steps[1]["goal_rate"], 0.4);
    assert_eq!(steps[1]["value_per_unit"]["value"], 20.0);
    let vpu = &steps[0]["value_per_unit"];
    assert!(vpu["low"].as_f64().unwrap() < 10.0 && vpu["high"].as_f64().unwrap() > 10.0);
    let w = &v["what_if"];
    assert!((w["extra_goals"]["value"].as_f64().unwrap() - 0.2).abs() < 1e-12);
    assert!((w["extra_value"]["value"].as_f64().unwrap() - 10.0).abs() < 1e-12);
    assert!(w["extra_value"]["low"].as_f64().unwrap() < 10.0);
    assert!(w["extra_value"]["high"].as_f64().unwrap() > 10.0);
    assert!(w["per_month"]["extra_value"]["value"].is_number());
    assert_eq!(v["opportunities"].as_array().unwrap().len(), 2);
    let wasted = v["wasted"].as_array().unwrap();
    assert_eq!(wasted[0]["count"], 5);
    assert_eq!(wasted[1]["count"], 3);
    assert_eq!(v["non_converters"], 8);
    assert!(v["timing"]["funnel_ms"].is_number());
}

#[test]
fn value_text_is_the_table() {
    let dir = tempfile::tempdir().unwrap();
    let ws = shop(dir.path());
    let spec = write_spec(
        dir.path(),
        "v.json",
        r#", "value": {"per_goal": 50}, "what_if": {"step": 3, "points": 0.2}"#,
    );
    let out = ok(&stepwise(&ws, &["value", &spec]));
    assert!(out.contains("value per unit"), "{out}");
    // the cart step: 5 users, 50% of the start, 40% to the goal, 20.00 each
    let cart = out.lines().find(|l| l.contains(" cart ")).unwrap();
    assert!(cart.contains("50.0%") || cart.contains("50%"), "{cart}");
    assert!(cart.contains("20.00"), "{cart}");
    assert!(out.contains("What if step 3"), "{out}");
    assert!(out.contains("Opportunities"), "{out}");
    assert!(out.contains("non-converters stopped"), "{out}");
}

#[test]
fn bad_value_specs_exit_1_with_a_sentence() {
    let dir = tempfile::tempdir().unwrap();
    let ws = shop(dir.path());
    let cases = [
        ("", "no \"value\""),
        (r#", "value": {}"#, "names no order value"),
        (r#", "value": {"column": "price"}"#, "no column \"price\""),
        (
            r#", "value": {"per_goal": 5}, "what_if": {"step": 2, "relative": 11}"#,
            "out of range",
        ),
        (
            r#", "value": {"per_goal": 5}, "what_if": {"step": 2, "relative": -1.5}"#,
            "out of range",
        ),
        (
            r#", "value": {"per_goal": 5}, "what_if": {"step": 2, "like": {"column": "page", "value": "/p9"}}"#,
            "no unit in the funnel has \u{201c}/p9\u{201d} in column \"page\"",
        ),
        (
            r#", "value": {"per_goal": 5}, "effort": {"2": 12}"#,
            "whole number from 1",
        ),
    ];
    for (i, (extra, want)) in cases.iter().enumerate() {
        let spec = write_spec(dir.path(), &format!("bad{i}.json"), extra);
        let out = stepwise(&ws, &["value", &spec]);
        assert_eq!(out.status.code(), Some(1), "{extra}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.starts_with("stepwise: "), "{err}");
        assert!(!err.contains("row 0"), "{err}");
        assert!(err.contains(want), "{extra}: {err}");
        assert_eq!(err.trim_end().lines().count(), 1, "{err}");
    }
    // a goal no one reached
    let path = dir.path().join("nogoal.json");
    std::fs::write(
        &path,
        r#"{"dataset": "shop", "steps": [{"event": "view"}, {"event": "refund"}], "value": {"per_goal": 5}}"#,
    )
    .unwrap();
    let out = stepwise(&ws, &["value", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no one reached the goal"), "{err}");
}

/// "If the others converted like the /p2 visitors": the users with an odd
/// number saw /p2 (u1, u3, u5, u7, u9) and 3 of 5 added to cart (60%); the
/// others 2 of 5 (40%). Everyone at 60%: 5 × (0.6 − 0.4) = 1 more cart (=
/// 10 × (0.6 − 0.5)), buying at 2/5: 0.4 goals, worth 0.4 × 50 = 20 over the
/// ten days. The same question by a persona ("ever saw /p2") gives the same
/// numbers. An effort of 4 for step 2 gives ease 7 and ICE = impact ×
/// confidence × 7, printed on the opportunity's line.
#[test]
fn value_like_a_persona_or_a_value_and_ice() {
    let dir = tempfile::tempdir().unwrap();
    let ws = shop(dir.path());
    let by_value = write_spec(
        dir.path(),
        "like.json",
        r#", "value": {"column": "revenue"}, "what_if": {"step": 2, "like": {"column": "page", "value": "/p2"}}, "effort": {"2": 4}"#,
    );
    let v: serde_json::Value =
        serde_json::from_str(&ok(&stepwise(&ws, &["value", &by_value, "--json"]))).unwrap();
    let w = &v["what_if"];
    assert_eq!(w["like"]["name"], "page = /p2");
    assert_eq!(
        [
            &w["like"]["prev"],
            &w["like"]["at"],
            &w["like"]["rest_prev"],
            &w["like"]["rest_at"]
        ],
        [5, 3, 5, 2]
    );
    assert!((w["extra_units"].as_f64().unwrap() - 1.0).abs() < 1e-12);
    assert!((w["extra_goals"]["value"].as_f64().unwrap() - 0.4).abs() < 1e-12);
    assert!((w["extra_value"]["value"].as_f64().unwrap() - 20.0).abs() < 1e-12);
    assert!((w["per_day"]["extra_value"]["value"].as_f64().unwrap() - 2.0).abs() < 1e-12);
    let p2 = v["priorities"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["step"] == 2)
        .unwrap();
    assert_eq!(p2["effort"], 4);
    assert_eq!(p2["ease"], 7);
    let ice = p2["impact"].as_u64().unwrap() * p2["confidence"].as_u64().unwrap() * 7;
    assert_eq!(p2["ice"], ice);
    assert_eq!(
        v["shown"]["priorities"]["table"]["rows"]
            .as_array()
            .unwrap()
            .len(),
        v["opportunities"].as_array().unwrap().len()
    );

    let by_persona = write_spec(
        dir.path(),
        "persona.json",
        r#", "value": {"column": "revenue"}, "what_if": {"step": 2, "like": {"segment": {"name": "Saw p2", "conditions": [{"column": "page", "op": "eq", "value": "/p2", "value_of": "ever"}]}}}"#,
    );
    let p: serde_json::Value =
        serde_json::from_str(&ok(&stepwise(&ws, &["value", &by_persona, "--json"]))).unwrap();
    assert_eq!(p["what_if"]["like"]["name"], "Saw p2");
    assert_eq!(p["what_if"]["extra_goals"], w["extra_goals"]);

    let text = ok(&stepwise(&ws, &["value", &by_value]));
    assert!(
        text.contains("What if step 2 \u{201c}cart\u{201d} converted for everyone as for \u{201c}page = /p2\u{201d} (50.0% \u{2192} 60.0%"),
        "{text}"
    );
    assert!(
        text.contains("3 of 5 (60.0%); everyone else 2 of 5 (40.0%)"),
        "{text}"
    );
    assert!(text.contains(&format!("effort  4  ICE {ice:>4}")), "{text}");
}
