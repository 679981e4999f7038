//! Funnels on real exports (read-only, from ../shared/data/real or
//! STEPWISE_SHARED_DATA): the fast engine equals the reference, and the
//! counts make sense.

mod common;

use common::funnel::*;
use serde_json::json;
use stepwise_engine::funnel::reference::reference_funnel;
use stepwise_engine::funnel::{run_funnel, FunnelSpec};
use stepwise_engine::import::{import_file, ImportOptions};
use stepwise_engine::{Job, Role};

fn check(w: &mut Ws, spec: serde_json::Value) -> Vec<u64> {
    let spec: FunnelSpec = serde_json::from_value(spec).unwrap();
    let mut fast = run_funnel(&w.ws, &spec, &mut w.cache).unwrap();
    fast.warnings.clear();
    let slow = reference_funnel(&w.ws, &spec).unwrap();
    assert_eq!(fast, slow, "{}", serde_json::to_string(&spec).unwrap());
    let c = counts(&fast);
    assert!(c.windows(2).all(|p| p[1] <= p[0]), "{c:?}");
    c
}

#[test]
fn rees46_store_events() {
    let Some(dir) = common::real::real_data() else {
        return;
    };
    let mut w = workspace();
    let opts = ImportOptions {
        name: Some("rees46".into()),
        map: vec![(Role::Session, "user_session".into())],
        ..Default::default()
    };
    import_file(
        &mut w.ws,
        &dir.join("datasets/rees46_ecommerce_events_2019-10_head.csv"),
        &opts,
        &mut Job::silent(),
    )
    .unwrap();
    let steps = json!([{"event": "view"}, {"event": "cart"}, {"event": "purchase"}]);
    let users = check(
        &mut w,
        json!({"dataset": "rees46", "steps": steps, "window": "1d",
               "breakdown": {"column": "brand", "limit": 5},
               "time_to_convert": {"from_step": 0, "to_step": 1, "bins": 5}}),
    );
    assert!(users[0] > 1000 && users[1] > 0, "{users:?}");
    let sessions = check(
        &mut w,
        json!({"dataset": "rees46", "steps": steps, "count": "sessions"}),
    );
    assert!(sessions[0] >= users[0]);
    check(
        &mut w,
        json!({"dataset": "rees46", "steps": steps, "order": "strict"}),
    );
    check(
        &mut w,
        json!({"dataset": "rees46", "steps": [{"event": "view", "where": [{"column": "price", "op": "gt", "value": 100}]}, {"event": "cart"}],
               "breakdown": {"column": "category_code", "attribution": "last_touch"}}),
    );
}

#[test]
fn taobao_user_behaviour() {
    let Some(dir) = common::real::real_data() else {
        return;
    };
    let mut w = workspace();
    // the export has no header row; name the columns in a temporary copy
    let raw = std::fs::read_to_string(dir.join("datasets/taobao_UserBehavior_sample.csv")).unwrap();
    let path = w.dir.path().join("taobao.csv");
    std::fs::write(
        &path,
        format!("user_id,item_id,category_id,behavior_type,timestamp\n{raw}"),
    )
    .unwrap();
    import_file(
        &mut w.ws,
        &path,
        &ImportOptions::default(),
        &mut Job::silent(),
    )
    .unwrap();
    let steps = json!([{"event": "pv"}, {"event": "cart"}, {"event": "buy"}]);
    let c = check(
        &mut w,
        json!({"dataset": "taobao", "steps": steps, "window": "7d", "trend": {"interval": "day"}}),
    );
    assert!(c[0] > 30 && c[0] <= 43, "{c:?}");
    check(
        &mut w,
        json!({"dataset": "taobao", "steps": steps, "order": "unordered", "window": "1d"}),
    );
    check(
        &mut w,
        json!({"dataset": "taobao", "steps": steps, "count": "sessions"}),
    );
    check(
        &mut w,
        json!({"dataset": "taobao", "steps": [{"event": "pv"}, {"event": "buy"}],
               "exclude": [{"event": "fav", "from_step": 0, "to_step": 1}], "window": "2h"}),
    );
}

/// First-time vs returning buyers on the Shopify orders export (one row per
/// line item; the preset makes Email the user, Name the session, i.e. the
/// order, and Created at the time), against a direct count of the CSV. The
/// preset alone makes a metric table (the export has no event column);
/// mapping Financial Status (set on an order's first row: "paid") as the
/// event makes it an event dataset.
#[test]
fn shopify_orders_first_time_and_returning_buyers() {
    let Some(dir) = common::real::real_data() else {
        return;
    };
    let path = dir.join("platforms/shopify_orders_export_devstore_inr.csv");
    let mut w = workspace();
    let opts = ImportOptions {
        name: Some("orders".into()),
        map: vec![(Role::Event, "Financial Status".into())],
        ..Default::default()
    };
    import_file(&mut w.ws, &path, &opts, &mut Job::silent()).unwrap();

    // the direct count: an order (Name) is returning when another order of
    // the same (non-empty) Email was created strictly earlier; every
    // timestamp has the offset -0500, so the text orders as time does
    let mut rd = csv::Reader::from_path(&path).unwrap();
    let h = rd.headers().unwrap().clone();
    let at = |n: &str| h.iter().position(|x| x == n).unwrap();
    let (name, email, created) = (at("Name"), at("Email"), at("Created at"));
    let mut orders: std::collections::BTreeMap<String, (String, String)> = Default::default();
    for r in rd.records() {
        let r = r.unwrap();
        assert!(r[created].ends_with("-0500"));
        orders
            .entry(r[name].to_string())
            .or_insert((r[email].to_string(), r[created].to_string()));
    }
    let returning = orders
        .values()
        .filter(|(e, t)| !e.is_empty() && orders.values().any(|(e2, t2)| e2 == e && t2 < t))
        .count() as u64;
    let first_time = orders.len() as u64 - returning;
    assert_eq!((first_time, returning), (3, 48));

    // a funnel of one step, "an order": each line-item row matches it, the
    // order's rows are one session at one instant
    let steps = json!([{"label": "Order", "where": [{"column": "Name", "op": "is_set"}]}]);
    let by = |r: &stepwise_engine::funnel::FunnelResult, v: &str| {
        r.breakdown
            .iter()
            .find(|b| b.value == v)
            .map_or(0, |b| b.steps[0].count)
    };
    let spec: FunnelSpec = serde_json::from_value(json!({
        "dataset": "orders", "steps": steps, "count": "sessions",
        "breakdown": {"column": "$buyer_status"}
    }))
    .unwrap();
    let r = run_funnel(&w.ws, &spec, &mut w.cache).unwrap();
    assert_eq!(r, reference_funnel(&w.ws, &spec).unwrap());
    assert_eq!(r.steps[0].count, orders.len() as u64);
    assert_eq!(by(&r, "First-time"), first_time);
    assert_eq!(by(&r, "Returning"), returning);
    // counting customers, each enters at its first order: all first-time
    let spec: FunnelSpec = serde_json::from_value(json!({
        "dataset": "orders", "steps": steps, "breakdown": {"column": "$buyer_status"}
    }))
    .unwrap();
    let r = run_funnel(&w.ws, &spec, &mut w.cache).unwrap();
    assert_eq!(by(&r, "First-time"), 2);
    assert_eq!(by(&r, "Returning"), 0);
}
