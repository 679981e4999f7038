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
