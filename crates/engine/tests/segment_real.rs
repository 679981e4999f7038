//! Segments, compare and impact on a real event log (REES46, 14,862 rows:
//! view -> cart -> purchase), read from the shared data folder
//! (STEPWISE_SHARED_DATA, else ../shared/data/real next to the repository).
//! Member counts are checked against counts made straight from the CSV
//! text here; compare and impact against identities that must hold.

mod common;

use std::collections::{HashMap, HashSet};
use std::time::Instant;
use stepwise_engine::compare::{run_compare, CompareSpec};
use stepwise_engine::impact::{run_impact, ImpactSpec};
use stepwise_engine::import::{import_file, ImportOptions};
use stepwise_engine::index::{IndexCache, Unit};
use stepwise_engine::segment::{segment_members, SegmentSpec};
use stepwise_engine::{Job, Role, Workspace};

#[test]
fn segments_on_rees46() {
    let Some(dir) = common::real::real_data() else {
        return;
    };
    let path = dir.join("datasets/rees46_ecommerce_events_2019-10_head.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    // straight from the text: per user, event types and sessions
    let mut types: HashMap<&str, Vec<&str>> = HashMap::new();
    let mut sessions: HashMap<&str, HashSet<&str>> = HashMap::new();
    for line in text.lines().skip(1) {
        let f: Vec<&str> = line.trim_end_matches('\r').split(',').collect();
        types.entry(f[7]).or_default().push(f[1]);
        sessions.entry(f[7]).or_default().insert(f[8]);
    }
    let carted = types.values().filter(|t| t.contains(&"cart")).count() as u64;
    let cart_no_buy = types
        .values()
        .filter(|t| t.contains(&"cart") && !t.contains(&"purchase"))
        .count() as u64;
    let multi_session = sessions.values().filter(|s| s.len() >= 2).count() as u64;

    let tmp = tempfile::tempdir().unwrap();
    let mut ws = Workspace::open(&tmp.path().join("w.stepwise")).unwrap();
    let opts = ImportOptions {
        name: Some("rees".into()),
        map: vec![
            (Role::User, "user_id".into()),
            (Role::Time, "event_time".into()),
            (Role::Event, "event_type".into()),
            (Role::Session, "user_session".into()),
            (Role::Value, "price".into()),
        ],
        ..Default::default()
    };
    import_file(&mut ws, &path, &opts, &mut Job::silent()).unwrap();
    let mut cache = IndexCache::new();

    let seg = |c: &str| {
        SegmentSpec::from_json(&format!(
            r#"{{"name": "s", "dataset": "rees", "conditions": {c}}}"#
        ))
        .unwrap()
    };
    let t = Instant::now();
    let r = segment_members(
        &ws,
        &seg(r#"[{"did": {"event": "cart"}}]"#),
        &mut cache,
        Unit::Users,
    )
    .unwrap();
    eprintln!("segment (index build included): {:?}", t.elapsed());
    assert_eq!(r.total_units, types.len() as u64);
    assert_eq!(r.members, carted);
    let r = segment_members(
        &ws,
        &seg(r#"[{"did": {"event": "cart"}}, {"did_not": {"event": "purchase"}}]"#),
        &mut cache,
        Unit::Users,
    )
    .unwrap();
    assert_eq!(r.members, cart_no_buy);
    let r = segment_members(
        &ws,
        &seg(r#"[{"measure": "sessions", "op": "gte", "value": 2}]"#),
        &mut cache,
        Unit::Users,
    )
    .unwrap();
    assert_eq!(r.members, multi_session);

    // compare: cart users and everyone else partition the funnel
    let funnel = r#"{"dataset": "rees", "steps": [{"event": "view"}, {"event": "purchase"}]}"#;
    let spec = CompareSpec::from_json(&format!(
        r#"{{"funnel": {funnel}, "segments": [{{"not": {s}}}, {s}]}}"#,
        s = r#"{"name": "Cart users", "conditions": [{"did": {"event": "cart"}}]}"#
    ))
    .unwrap();
    let t = Instant::now();
    let c = run_compare(&ws, &spec, &mut cache).unwrap();
    eprintln!("compare: {:?}", t.elapsed());
    let whole = stepwise_engine::funnel::run_funnel(
        &ws,
        &stepwise_engine::funnel::FunnelSpec::from_json(funnel).unwrap(),
        &mut cache,
    )
    .unwrap();
    for k in 0..2 {
        assert_eq!(
            c.segments[0].steps[k].count + c.segments[1].steps[k].count,
            whole.steps[k].count
        );
    }
    assert!(c.chi_square.is_some());

    // impact: the did/not split covers every user, and cart (a step on the
    // way to most purchases) ranks above view-only behaviour
    let t = Instant::now();
    let i = run_impact(
        &ws,
        &ImpactSpec::from_json(
            r#"{"dataset": "rees", "goal": {"event": "purchase"}, "candidates": "auto"}"#,
        )
        .unwrap(),
        &mut cache,
    )
    .unwrap();
    eprintln!("impact auto: {:?}", t.elapsed());
    for row in &i.candidates {
        assert_eq!(row.users_did + row.users_not, i.users);
        assert_eq!(row.goals_did + row.goals_not, i.goal_users);
    }
    assert_eq!(i.candidates[0].label, "cart", "{:#?}", i.candidates);
    assert!(i.order_value.unwrap() > 0.0);
}
