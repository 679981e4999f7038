//! Paths and retention on the real REES46 store export (read-only, from
//! ../shared/data/real or STEPWISE_SHARED_DATA): the invariants hold on
//! real data (every level adds up to the units still walking, nodes equal
//! their inflow, cohort sizes add up to the users; between two steps and
//! converters against drop-offs agree with the funnel's counts).

mod common;

use common::funnel::*;
use serde_json::json;
use stepwise_engine::import::{import_file, ImportOptions};
use stepwise_engine::paths::{run_paths, PathNodeKind, PathsResult, PathsSpec};
use stepwise_engine::retention::{run_retention, RetentionSpec};
use stepwise_engine::{Job, Role};

fn check(r: &PathsResult) {
    let mut walking = r.units;
    for l in 1..=r.levels {
        let at: Vec<_> = r.nodes.iter().filter(|n| n.level == l).collect();
        assert_eq!(
            at.iter().map(|n| n.count).sum::<u64>(),
            walking,
            "level {l}"
        );
        // level 1's named nodes are the units at the start minus the ends
        let ends: u64 = at
            .iter()
            .filter(|n| n.kind == PathNodeKind::End)
            .map(|n| n.count)
            .sum();
        walking -= ends;
    }
    for (i, n) in r.nodes.iter().enumerate().skip(1) {
        let inflow: u64 = r.edges.iter().filter(|e| e.to == i).map(|e| e.count).sum();
        assert_eq!(inflow, n.count, "{n:?}");
    }
}

#[test]
fn rees46_paths_and_retention() {
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
    let run = |w: &mut Ws, v: serde_json::Value| {
        let spec: PathsSpec = serde_json::from_value(v).unwrap();
        let r = run_paths(&w.ws, &spec, &mut w.cache).unwrap();
        check(&r);
        r
    };
    // after a cart: SOURCES.md counts 140 cart rows; the users who carted
    // are fewer than 140 and more than 0
    let r = run(
        &mut w,
        json!({"dataset": "rees46", "from": {"event": "cart"}, "levels": 5}),
    );
    assert!(r.units > 0 && r.units <= 140, "{}", r.units);
    // view has 3 event names at most: no "other" with top 8
    assert!(r.nodes.iter().all(|n| n.kind != PathNodeKind::Other));
    let steps = json!([{"event": "view"}, {"event": "cart"}, {"event": "purchase"}]);
    for count in ["users", "sessions"] {
        let funnel = json!({"dataset": "rees46", "steps": steps, "count": count});
        let reached = run(
            &mut w,
            json!({"dataset": "rees46", "from": {"funnel": funnel, "step": 2}, "levels": 5}),
        );
        let dropped = run(
            &mut w,
            json!({"dataset": "rees46", "from": {"funnel": funnel, "dropoff": 2}, "levels": 5}),
        );
        let f: stepwise_engine::funnel::FunnelSpec = serde_json::from_value(funnel).unwrap();
        let counts = counts(&stepwise_engine::funnel::run_funnel(&w.ws, &f, &mut w.cache).unwrap());
        // from step 2: every unit counted at step 2; its drop-offs are step
        // 2's count minus step 3's
        assert_eq!(reached.units, counts[1], "{count}");
        assert_eq!(dropped.units, counts[1] - counts[2], "{count}");
        assert_eq!(reached.unit, count);
        let back = run(
            &mut w,
            json!({"dataset": "rees46", "from": {"funnel": f, "step": 3}, "direction": "previous", "levels": 3, "top": 2}),
        );
        assert_eq!(back.units, counts[2]);
        // between view and cart: the units counted at cart; sequences add
        // up to them; the spreads are ordered
        let between = run(
            &mut w,
            json!({"dataset": "rees46", "from": {"funnel": f, "between": 1}, "levels": 5}),
        );
        let b = between.between.unwrap();
        assert_eq!(b.units, counts[1], "{count}");
        assert_eq!(b.sequences.iter().map(|q| q.count).sum::<u64>(), b.units);
        for sp in [&b.events, &b.seconds] {
            let (m, p75, p90) = (sp.median.unwrap(), sp.p75.unwrap(), sp.p90.unwrap());
            assert!(0.0 <= m && m <= p75 && p75 <= p90, "{sp:?}");
        }
        // converters (purchased) against drop-offs from view: the groups
        // are the funnel's counts, every level-1 node splits into the two,
        // the adjusted p-values are Holm's over the tested rows
        let cmp = run(
            &mut w,
            json!({"dataset": "rees46", "from": {"funnel": f, "step": 1}, "compare": "converters", "levels": 1}),
        );
        let c = cmp.comparison.unwrap();
        assert_eq!(
            (c.converters, c.converters + c.dropoffs),
            (counts[2], counts[0])
        );
        for x in &c.rows {
            assert_eq!(x.converters + x.dropoffs, cmp.nodes[x.node].count);
        }
        let tested: Vec<f64> = c.rows.iter().filter_map(|x| x.p_value).collect();
        let adjusted: Vec<f64> = c.rows.iter().filter_map(|x| x.p_adjusted).collect();
        assert_eq!(adjusted, stepwise_engine::stats::proportion::holm(&tested));
    }

    // retention: the export spans under three hours, one day: one cohort of
    // every user (SOURCES.md: 3,939 users)
    let spec: RetentionSpec = serde_json::from_value(json!({"dataset": "rees46",
        "cohort": "first_seen", "return": "any", "interval": "day", "goal": "purchase"}))
    .unwrap();
    let r = run_retention(&w.ws, &spec, &mut w.cache).unwrap();
    assert_eq!(r.users, 3_939);
    assert_eq!(r.cohorts.iter().map(|c| c.size).sum::<u64>(), r.users);
    assert_eq!(r.cohorts.len(), 1);
    assert_eq!(r.cohorts[0].period, "2019-10-01");
    assert_eq!(r.cohorts[0].returned.len(), 1);
    assert!(r.cohorts[0].returned[0] < r.users);
    let rp = r.repeat.unwrap();
    // 178 purchase rows; orders are purchase instants per user, so fewer
    assert!(rp.customers > 0 && rp.orders <= 178 && rp.orders >= rp.customers);
    assert!(rp.repeat_customers <= rp.customers);
    // cohort by purchase: exactly the customers
    let spec: RetentionSpec = serde_json::from_value(json!({"dataset": "rees46",
        "cohort": {"event": "purchase"}, "return": {"event": "purchase"}, "interval": "week"}))
    .unwrap();
    let r2 = run_retention(&w.ws, &spec, &mut w.cache).unwrap();
    assert_eq!(r2.users, rp.customers);
    // every repeat customer bought again within the export's one week: a
    // return in period 0 (a purchase row at the same instant as the first,
    // another line item, is a return event too, so >=)
    assert!(r2.cohorts[0].returned[0] >= rp.repeat_customers);
    assert!(r2.cohorts[0].returned[0] <= r2.users);
}
