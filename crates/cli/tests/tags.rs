//! Micro and macro conversions: `stepwise tag` stores an event's tag in
//! the workspace; an impact analysis suggests the events that go with the
//! goal (higher conversion after Holm's correction, or a required step) and
//! leaves out those already tagged; `"candidates": "micro"` ranks exactly
//! the events tagged micro.

mod common;
use common::{json, ok, stepwise};

#[test]
fn impact_suggests_micro_conversions_and_ranks_the_tagged_ones() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws.stepwise");
    // 200 users view; u0..u99 use the filter; u0..u59 and u100..u109 buy,
    // each after a cart; every other user does "noise" (35 of its 100 buy,
    // as 35 of the other 100: no difference)
    let mut csv = String::from("user,time,event\n");
    for u in 0..200 {
        csv.push_str(&format!("u{u},2024-09-01T10:00:00Z,view\n"));
        if u < 100 {
            csv.push_str(&format!("u{u},2024-09-01T10:01:00Z,filter\n"));
        }
        if u % 2 == 0 {
            csv.push_str(&format!("u{u},2024-09-01T10:02:00Z,noise\n"));
        }
        if u < 60 || (100..110).contains(&u) {
            csv.push_str(&format!("u{u},2024-09-01T10:03:00Z,cart\n"));
            csv.push_str(&format!("u{u},2024-09-01T10:04:00Z,buy\n"));
        }
    }
    let file = dir.path().join("events.csv");
    std::fs::write(&file, csv).unwrap();
    ok(&stepwise(
        &ws,
        &["import", file.to_str().unwrap(), "--name", "shop"],
    ));
    let spec = dir.path().join("impact.json");
    let write = |candidates: &str| {
        std::fs::write(
            &spec,
            format!(r#"{{"dataset":"shop","goal":{{"event":"buy"}},"candidates":{candidates}}}"#),
        )
        .unwrap()
    };
    write(r#""auto""#);
    let run = || {
        json(&stepwise(
            &ws,
            &["impact", spec.to_str().unwrap(), "--json"],
        ))
    };
    let v = run();
    assert_eq!(
        v["suggested_micro"],
        serde_json::json!(["filter", "cart"]),
        "{v}"
    );
    let notes = v["shown"]["notes"].to_string();
    assert!(notes.contains("Suggested micro conversions"), "{notes}");

    // no tags yet: "micro" candidates are refused in words
    write(r#""micro""#);
    let out = stepwise(&ws, &["impact", spec.to_str().unwrap(), "--json"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("tagged a micro conversion"));

    // confirm them (and the goal as macro): listed, no longer suggested
    ok(&stepwise(&ws, &["tag", "shop", "filter", "micro"]));
    ok(&stepwise(&ws, &["tag", "shop", "cart", "micro"]));
    ok(&stepwise(&ws, &["tag", "shop", "buy", "macro"]));
    let tags = json(&stepwise(&ws, &["tag", "shop", "--json"]));
    assert_eq!(
        tags,
        serde_json::json!([
            {"event": "buy", "tag": "macro"},
            {"event": "cart", "tag": "micro"},
            {"event": "filter", "tag": "micro"}
        ])
    );
    let v = run();
    let names: Vec<&str> = v["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["event"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["filter", "cart"], "exactly the micro-tagged events");
    assert_eq!(v["candidates"][0]["users_did"], 100);
    assert_eq!(v["candidates"][0]["goals_did"], 60);
    write(r#""auto""#);
    assert_eq!(run()["suggested_micro"], serde_json::json!([]));

    // untag; a dataset that does not exist is refused
    ok(&stepwise(&ws, &["tag", "shop", "cart", "none"]));
    let tags = json(&stepwise(&ws, &["tag", "shop", "--json"]));
    assert_eq!(tags.as_array().unwrap().len(), 2);
    let out = stepwise(&ws, &["tag", "nosuch", "cart", "micro"]);
    assert!(!out.status.success());
}
