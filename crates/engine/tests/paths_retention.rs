//! Paths and retention on small hand-made datasets: the worked examples of
//! docs/paths.md and docs/retention.md, arithmetic in the comments.

mod common;

use common::funnel::*;
use serde_json::json;
use stepwise_engine::paths::{run_paths, PathNodeKind, PathsResult, PathsSpec};
use stepwise_engine::retention::{run_retention, RetentionResult, RetentionSpec};

fn paths(w: &mut Ws, spec: serde_json::Value) -> PathsResult {
    let spec: PathsSpec = serde_json::from_value(spec).unwrap();
    run_paths(&w.ws, &spec, &mut w.cache).unwrap()
}

fn paths_err(w: &mut Ws, spec: serde_json::Value) -> String {
    let spec: PathsSpec = serde_json::from_value(spec).unwrap();
    run_paths(&w.ws, &spec, &mut w.cache)
        .unwrap_err()
        .to_string()
}

fn retention(w: &mut Ws, spec: serde_json::Value) -> RetentionResult {
    let spec: RetentionSpec = serde_json::from_value(spec).unwrap();
    run_retention(&w.ws, &spec, &mut w.cache).unwrap()
}

/// (level, name) -> count.
fn node(r: &PathsResult, level: usize, name: &str) -> u64 {
    r.nodes
        .iter()
        .find(|n| n.level == level && n.name == name)
        .map(|n| n.count)
        .unwrap_or(0)
}

/// (level, from name) -> (level + 1, to name) count.
fn edge(r: &PathsResult, level: usize, from: &str, to: &str) -> u64 {
    r.edges
        .iter()
        .find(|e| {
            let (a, b) = (&r.nodes[e.from], &r.nodes[e.to]);
            a.level == level && a.name == from && b.name == to
        })
        .map(|e| e.count)
        .unwrap_or(0)
}

/// Every level's nodes add up to the units still walking, and every node's
/// count is what flows into it.
fn check_invariants(r: &PathsResult) {
    let mut walking = r.units;
    for l in 1..=r.levels {
        let at: Vec<_> = r.nodes.iter().filter(|n| n.level == l).collect();
        let sum: u64 = at.iter().map(|n| n.count).sum();
        assert_eq!(sum, walking, "level {l}");
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

fn shop(w: &mut Ws) {
    events(
        w,
        &[
            // u1: view -> cart -> purchase
            ("u1", 0, "view", "m"),
            ("u1", 10, "cart", "m"),
            ("u1", 20, "purchase", "m"),
            // u2: view, view again (a repeat, collapsed), cart
            ("u2", 0, "view", "m"),
            ("u2", 5, "view", "m"),
            ("u2", 10, "cart", "m"),
            // u3: view -> search
            ("u3", 0, "view", "d"),
            ("u3", 10, "search", "d"),
            // u4: home, then view as its last event
            ("u4", 0, "home", "d"),
            ("u4", 10, "view", "d"),
            // u5 never views: not at the start
            ("u5", 0, "home", "d"),
        ],
    );
}

#[test]
fn next_events_from_an_event() {
    let mut w = workspace();
    shop(&mut w);
    let r = paths(
        &mut w,
        json!({"dataset": "ev", "from": {"event": "view"}, "levels": 2}),
    );
    check_invariants(&r);
    // start: u1..u4 viewed = 4
    assert_eq!(r.units, 4);
    // level 1: cart (u1, u2: u2's second view collapsed) 2, search (u3) 1,
    // end (u4 viewed last) 1; 2 + 1 = 3 = 4 units - 1 end
    assert_eq!(node(&r, 1, "cart"), 2);
    assert_eq!(node(&r, 1, "search"), 1);
    assert_eq!(node(&r, 1, "end"), 1);
    // level 2: purchase (u1) 1, end (u2 after cart, u3 after search) 2;
    // u4 already ended and is not counted again: 1 + 2 = 3 = 4 - 1
    assert_eq!(node(&r, 2, "purchase"), 1);
    assert_eq!(node(&r, 2, "end"), 2);
    assert_eq!(edge(&r, 0, "view", "cart"), 2);
    assert_eq!(edge(&r, 1, "cart", "purchase"), 1);
    assert_eq!(edge(&r, 1, "cart", "end"), 1);
    assert_eq!(edge(&r, 1, "search", "end"), 1);
    // nodes by level, largest first, end last
    let l1: Vec<&str> = r
        .nodes
        .iter()
        .filter(|n| n.level == 1)
        .map(|n| n.name.as_str())
        .collect();
    assert_eq!(l1, ["cart", "search", "end"]);

    // repeats kept: u2's second view is level 1, its cart level 2
    let r = paths(
        &mut w,
        json!({"dataset": "ev", "from": {"event": "view"}, "levels": 2, "collapse_repeats": false}),
    );
    check_invariants(&r);
    assert_eq!(node(&r, 1, "view"), 1);
    assert_eq!(node(&r, 1, "cart"), 1);
    assert_eq!(node(&r, 2, "cart"), 1);

    // top 1 per level: search pools into other
    let r = paths(
        &mut w,
        json!({"dataset": "ev", "from": {"event": "view"}, "levels": 2, "top": 1}),
    );
    check_invariants(&r);
    assert_eq!(node(&r, 1, "cart"), 2);
    assert_eq!(node(&r, 1, "other"), 1);
    assert_eq!(edge(&r, 1, "other", "end"), 1);
}

#[test]
fn previous_events_and_funnel_starts() {
    let mut w = workspace();
    shop(&mut w);
    // before each unit's first cart: u1 view; u2 view (the view at 5, then
    // the view at 0 collapsed) -> end
    let r = paths(
        &mut w,
        json!({"dataset": "ev", "from": {"event": "cart"}, "direction": "previous", "levels": 2}),
    );
    check_invariants(&r);
    assert_eq!(r.units, 2);
    assert_eq!(node(&r, 1, "view"), 2);
    assert_eq!(node(&r, 2, "end"), 2);

    // funnel view -> cart -> purchase: step 2 reached by u1, u2; dropped at
    // step 2 (reached cart, not purchase): u2 alone
    let funnel = json!({"dataset": "ev", "steps": [{"event": "view"}, {"event": "cart"}, {"event": "purchase"}]});
    let r = paths(
        &mut w,
        json!({"dataset": "ev", "from": {"funnel": funnel, "step": 2}}),
    );
    check_invariants(&r);
    assert_eq!(r.units, 2);
    assert_eq!(r.nodes[0].name, "cart");
    assert_eq!(node(&r, 1, "purchase"), 1);
    assert_eq!(node(&r, 1, "end"), 1);
    let r = paths(
        &mut w,
        json!({"dataset": "ev", "from": {"funnel": funnel, "dropoff": 2}}),
    );
    assert_eq!(r.units, 1);
    assert_eq!(node(&r, 1, "end"), 1);
    // dropped at step 1 (viewed, never carted): u3 (search), u4 (end)
    let r = paths(
        &mut w,
        json!({"dataset": "ev", "from": {"funnel": funnel, "dropoff": 1}, "levels": 1}),
    );
    assert_eq!(r.units, 2);
    assert_eq!(node(&r, 1, "search"), 1);
    assert_eq!(node(&r, 1, "end"), 1);

    // readable errors
    let e = paths_err(&mut w, json!({"dataset": "ev", "from": {"event": "nope"}}));
    assert!(e.contains("\"nope\" does not occur"), "{e}");
    let e = paths_err(
        &mut w,
        json!({"dataset": "ev", "from": {"event": "view"}, "levels": 0}),
    );
    assert!(e.contains("from 1 to 10"), "{e}");
    let e = paths_err(
        &mut w,
        json!({"dataset": "ev", "from": {"funnel": funnel, "dropoff": 3}}),
    );
    assert!(e.contains("choose from 1 to 2"), "{e}");
    let e = paths_err(
        &mut w,
        json!({"dataset": "nope", "from": {"event": "view"}}),
    );
    assert!(e.contains("nope"), "{e}");
    let e = paths_err(
        &mut w,
        json!({"dataset": "ev", "from": {"funnel": funnel, "step": 1}, "count": "sessions"}),
    );
    assert!(e.contains("give one count, in the funnel"), "{e}");
    let other = json!({"dataset": "other", "steps": [{"event": "view"}]});
    let e = paths_err(
        &mut w,
        json!({"dataset": "ev", "from": {"funnel": other, "step": 1}}),
    );
    assert!(e.contains("on dataset \"other\""), "{e}");
    let e = paths_err(
        &mut w,
        json!({"dataset": "ev", "from": {"event": "view"}, "groups": [{"pattern": "/p/*"}]}),
    );
    assert!(e.contains("need \"by\": \"page\""), "{e}");
    let e = paths_err(
        &mut w,
        json!({"dataset": "ev", "from": {"page": "/"}, "by": "page"}),
    );
    assert!(e.contains("no page column"), "{e}");
}

#[test]
fn pages_and_page_groups() {
    let mut w = workspace();
    let cols = [
        col(
            "user",
            stepwise_engine::ColumnType::Text,
            Some(stepwise_engine::Role::User),
        ),
        col(
            "time",
            stepwise_engine::ColumnType::Timestamp,
            Some(stepwise_engine::Role::Time),
        ),
        col(
            "page",
            stepwise_engine::ColumnType::Text,
            Some(stepwise_engine::Role::Page),
        ),
    ];
    let rows: Vec<Vec<String>> = [
        ("a", 0, "/"),
        ("a", 1, "/product/1"),
        ("a", 2, "/product/2"),
        ("a", 3, "/cart"),
        ("b", 0, "/"),
        ("b", 1, "/product/3"),
        ("b", 2, "/"),
    ]
    .iter()
    .map(|(u, t, p)| vec![u.to_string(), t.to_string(), p.to_string()])
    .collect();
    dataset(
        &mut w.ws,
        "ev",
        stepwise_engine::DatasetKind::Events,
        &cols,
        &rows,
    );
    // grouped: a = / -> product -> cart (the two product pages are one
    // node, collapsed); b = / -> product -> /
    let r = paths(
        &mut w,
        json!({"dataset": "ev", "from": {"page": "/"}, "by": "page", "levels": 2,
               "groups": [{"name": "product", "pattern": "/product/*"}]}),
    );
    check_invariants(&r);
    assert_eq!(node(&r, 1, "product"), 2);
    assert_eq!(node(&r, 2, "/cart"), 1);
    assert_eq!(node(&r, 2, "/"), 1);
    // ungrouped: a's level 1 is /product/1, b's /product/3
    let r = paths(
        &mut w,
        json!({"dataset": "ev", "from": {"page": "/"}, "by": "page", "levels": 1}),
    );
    assert_eq!(node(&r, 1, "/product/1"), 1);
    assert_eq!(node(&r, 1, "/product/3"), 1);
}

const MON: i64 = 1_725_235_200; // 2024-09-02 00:00 UTC, a Monday
const H: i64 = 3_600;

fn visits(w: &mut Ws) {
    events(
        w,
        &[
            // u1: day 0 twice (the second is a return in period 0), day 1
            ("u1", MON + 10 * H, "view", "m"),
            ("u1", MON + 11 * H, "view", "m"),
            ("u1", MON + DAY + 10 * H, "view", "m"),
            // u2: day 0, buys on day 2
            ("u2", MON + 9 * H, "view", "m"),
            ("u2", MON + 2 * DAY + 9 * H, "purchase", "m"),
            // u3: day 1 only
            ("u3", MON + DAY + 8 * H, "view", "d"),
            // u4: day 1, day 2
            ("u4", MON + DAY + 7 * H, "view", "d"),
            ("u4", MON + 2 * DAY + 7 * H, "view", "d"),
        ],
    );
}

#[test]
fn daily_retention_worked_example() {
    let mut w = workspace();
    visits(&mut w);
    let r = retention(
        &mut w,
        json!({"dataset": "ev", "cohort": "first_seen", "return": "any", "interval": "day", "periods": 3, "goal": "view"}),
    );
    assert_eq!(r.users, 4);
    assert_eq!(r.cohorts.len(), 2);
    // cohort 2024-09-02: u1, u2. Period 0: u1 (11:00); period 1: u1;
    // period 2: u2's purchase. The data ends on day 2: 3 periods.
    let c = &r.cohorts[0];
    assert_eq!(c.period, "2024-09-02");
    assert_eq!((c.size, c.returned.clone()), (2, vec![1, 1, 1]));
    assert_eq!(c.rates, vec![0.5, 0.5, 0.5]);
    // cohort 2024-09-03: u3, u4. Period 0: nobody; period 1: u4. Day 3 is
    // past the data: 2 periods.
    let c = &r.cohorts[1];
    assert_eq!((c.size, c.returned.clone()), (2, vec![0, 1]));
    // the curve: p0 (1 + 0) / 4, p1 (1 + 1) / 4, p2 1 / 2
    let curve: Vec<(u64, u64)> = r.curve.iter().map(|p| (p.users, p.returned)).collect();
    assert_eq!(curve, [(4, 1), (4, 2), (2, 1)]);
    // repeat "purchase" of views: u1 3 orders (gaps 1 h, 23 h), u2 1,
    // u3 1, u4 2 (gap 24 h): 4 customers, 2 repeat (50%), 7 orders, 1.75
    // each, median gap of [1 h, 23 h, 24 h] = 23 h
    let rp = r.repeat.unwrap();
    assert_eq!((rp.customers, rp.repeat_customers, rp.orders), (4, 2, 7));
    assert_eq!(rp.repeat_rate, 0.5);
    assert_eq!(rp.orders_per_customer, 1.75);
    assert_eq!(rp.median_seconds_between_orders, Some(23.0 * 3600.0));

    // cohort by purchase, return any: u2 alone, on day 2 (the last)
    let r = retention(
        &mut w,
        json!({"dataset": "ev", "cohort": {"event": "purchase"}, "return": "any", "interval": "week"}),
    );
    assert_eq!(r.users, 1);
    assert_eq!(r.cohorts[0].period, "2024-09-02");
    assert_eq!(r.cohorts[0].returned, vec![0]);
    // return = purchase, weekly: u2 bought in week 0 after first seen
    let r = retention(
        &mut w,
        json!({"dataset": "ev", "cohort": "first_seen", "return": {"event": "purchase"}, "interval": "week"}),
    );
    assert_eq!(r.cohorts[0].size, 4);
    assert_eq!(r.cohorts[0].returned, vec![1]);
    let spec: RetentionSpec = serde_json::from_value(
        json!({"dataset": "ev", "cohort": {"event": "nope"}, "return": "any", "interval": "day"}),
    )
    .unwrap();
    let e = run_retention(&w.ws, &spec, &mut w.cache).unwrap_err();
    assert!(e.to_string().contains("\"nope\" does not occur"), "{e}");
}

#[test]
fn paths_of_sessions() {
    let mut w = workspace();
    events_with_sessions(
        &mut w,
        &[
            // u1's session s1: view -> cart; s2: view, then nothing
            ("u1", "s1", 0, "view", "m"),
            ("u1", "s1", 10, "cart", "m"),
            ("u1", "s2", DAY, "view", "m"),
            ("u1", "s2", DAY + 10, "view", "m"),
        ],
    );
    // by session, each session starts at its first view: 2 units; s1 goes
    // on to cart, s2's second view is a repeat and its journey ends
    let r = paths(
        &mut w,
        json!({"dataset": "ev", "from": {"event": "view"}, "count": "sessions", "levels": 1}),
    );
    check_invariants(&r);
    assert_eq!((r.unit.as_str(), r.units), ("sessions", 2));
    assert_eq!(node(&r, 1, "cart"), 1);
    assert_eq!(node(&r, 1, "end"), 1);
    // by user, one journey: view -> cart -> view
    let r = paths(
        &mut w,
        json!({"dataset": "ev", "from": {"event": "view"}, "levels": 2}),
    );
    assert_eq!(r.units, 1);
    assert_eq!(edge(&r, 1, "cart", "view"), 1);
}

#[test]
fn a_nodes_units_are_the_units_through_it() {
    use stepwise_engine::paths::{node_units, write_node_csv};
    let mut w = workspace();
    shop(&mut w);
    let spec: PathsSpec =
        serde_json::from_value(json!({"dataset": "ev", "from": {"event": "view"}, "levels": 2}))
            .unwrap();
    let r = run_paths(&w.ws, &spec, &mut w.cache).unwrap();
    let at = |level: usize, name: &str| {
        r.nodes
            .iter()
            .position(|n| n.level == level && n.name == name)
            .unwrap()
    };
    let csv = |w: &mut Ws, node: usize| {
        let mut out = Vec::new();
        let n = write_node_csv(&w.ws, &spec, &mut w.cache, node, &mut out).unwrap();
        (n, String::from_utf8(out).unwrap())
    };
    // cart at level 1: u1 and u2 (as many as the node counts)
    let (n, text) = csv(&mut w, at(1, "cart"));
    assert_eq!(n, node(&r, 1, "cart"));
    assert_eq!(text, "user\nu1\nu2\n");
    // the start: every unit that viewed
    let (n, text) = csv(&mut w, 0);
    assert_eq!((n, text.as_str()), (4, "user\nu1\nu2\nu3\nu4\n"));
    // end at level 2: u2 (after cart) and u3 (after search), not u4 (ended at level 1)
    let (_, text) = csv(&mut w, at(2, "end"));
    assert_eq!(text, "user\nu2\nu3\n");
    let (_, text) = csv(&mut w, at(1, "end"));
    assert_eq!(text, "user\nu4\n");
    // every node: as many units as its count
    for (i, nd) in r.nodes.iter().enumerate() {
        let (_, _, units) = node_units(&w.ws, &spec, &mut w.cache, i).unwrap();
        assert_eq!(units.len() as u64, nd.count, "{nd:?}");
    }
    // a node that does not exist: a sentence, no file
    let mut out = Vec::new();
    let e = write_node_csv(&w.ws, &spec, &mut w.cache, 99, &mut out)
        .unwrap_err()
        .to_string();
    assert!(e.contains("node 99 is not a node of these paths"), "{e}");
}
