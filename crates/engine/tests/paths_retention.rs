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
    // the edge table runs in time order: view (Before 1) -> cart (Start),
    // then the journeys' start "end" (Before 2) -> view
    let t = stepwise_engine::present::paths_edges(&r).shown();
    let rows: Vec<Vec<&str>> = t
        .rows
        .iter()
        .map(|r| r.iter().map(|c| c.text.as_str()).collect())
        .collect();
    assert_eq!(
        rows,
        [
            ["Before 1", "view", "Start", "cart", "2", "100%"],
            ["Before 2", "end", "Before 1", "view", "2", "100%"],
        ]
    );

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

/// The "between two steps" example of docs/paths.md: funnel view -> cart
/// -> purchase, what b1..b5 did between view and cart.
fn between_shop(w: &mut Ws) {
    events(
        w,
        &[
            // b1: straight to cart: nothing between, 0 events, 10 s
            ("b1", 0, "view", "m"),
            ("b1", 10, "cart", "m"),
            // b2: search: 1 event, 60 s
            ("b2", 0, "view", "m"),
            ("b2", 30, "search", "m"),
            ("b2", 60, "cart", "m"),
            // b3: search, search (a repeat), review: "search > review", 3 events, 100 s
            ("b3", 0, "view", "d"),
            ("b3", 10, "search", "d"),
            ("b3", 20, "search", "d"),
            ("b3", 40, "review", "d"),
            ("b3", 100, "cart", "d"),
            ("b3", 150, "purchase", "d"),
            // b4: search: 1 event, 200 s
            ("b4", 0, "view", "d"),
            ("b4", 50, "search", "d"),
            ("b4", 200, "cart", "d"),
            // b5: six events, 300 s: shown as five then "…"
            ("b5", 0, "view", "m"),
            ("b5", 10, "search", "m"),
            ("b5", 20, "review", "m"),
            ("b5", 30, "size", "m"),
            ("b5", 40, "review", "m"),
            ("b5", 50, "search", "m"),
            ("b5", 60, "size", "m"),
            ("b5", 300, "cart", "m"),
            // b6 never reaches cart: not between
            ("b6", 0, "view", "m"),
            ("b6", 5, "search", "m"),
        ],
    );
}

#[test]
fn between_two_steps() {
    let mut w = workspace();
    between_shop(&mut w);
    let funnel = json!({"dataset": "ev", "steps": [{"event": "view"}, {"event": "cart"}, {"event": "purchase"}]});
    let r = paths(
        &mut w,
        json!({"dataset": "ev", "from": {"funnel": funnel, "between": 1}, "levels": 2}),
    );
    check_invariants(&r);
    // b1..b5 went from view to cart
    assert_eq!(r.units, 5);
    assert_eq!(r.nodes[0].name, "view \u{2192} cart");
    // the Sankey stops at cart: level 1 search 4 (b2..b5), reached cart 1
    // (b1); level 2 reached cart 2 (b2, b4), review 2 (b3, b5)
    assert_eq!(node(&r, 1, "search"), 4);
    assert_eq!(node(&r, 1, "reached cart"), 1);
    assert_eq!(node(&r, 2, "reached cart"), 2);
    assert_eq!(node(&r, 2, "review"), 2);
    let b = r.between.as_ref().expect("between");
    assert_eq!(
        (b.step, b.from_label.as_str(), b.to_label.as_str()),
        (1, "view", "cart")
    );
    assert_eq!(b.units, 5);
    let seqs: Vec<(&str, u64)> = b
        .sequences
        .iter()
        .map(|s| (s.name.as_str(), s.count))
        .collect();
    assert_eq!(
        seqs,
        [
            ("search", 2),
            ("(nothing)", 1),
            ("search \u{203a} review", 1),
            (
                "search \u{203a} review \u{203a} size \u{203a} review \u{203a} search \u{203a} \u{2026}",
                1
            ),
        ]
    );
    assert!(b.sequences[3].more && b.sequences[3].events.len() == 5);
    assert!(b.sequences[1].events.is_empty() && !b.sequences[1].other);
    // events between [0, 1, 3, 1, 6] sorted [0, 1, 1, 3, 6]: median 1, p75
    // rank 3 = 3, p90 rank 3.6 = 3 + 0.6 (6 - 3) = 4.8
    assert_eq!(b.events.median, Some(1.0));
    assert_eq!(b.events.p75, Some(3.0));
    assert!((b.events.p90.unwrap() - 4.8).abs() < 1e-9);
    // seconds [10, 60, 100, 200, 300]: median 100, p75 200, p90 260
    assert_eq!(b.seconds.median, Some(100.0));
    assert_eq!(b.seconds.p75, Some(200.0));
    assert!((b.seconds.p90.unwrap() - 260.0).abs() < 1e-9);

    // top 2: the rest pool into "other" (2 units), last
    let r = paths(
        &mut w,
        json!({"dataset": "ev", "from": {"funnel": funnel, "between": 1}, "top": 2}),
    );
    let seqs: Vec<(&str, u64, bool)> = r
        .between
        .as_ref()
        .unwrap()
        .sequences
        .iter()
        .map(|s| (s.name.as_str(), s.count, s.other))
        .collect();
    assert_eq!(
        seqs,
        [
            ("search", 2, false),
            ("(nothing)", 1, false),
            ("other", 2, true)
        ]
    );

    // between cart and purchase: b3 alone, nothing between, 50 s
    let r = paths(
        &mut w,
        json!({"dataset": "ev", "from": {"funnel": funnel, "between": 2}}),
    );
    let b = r.between.unwrap();
    assert_eq!(b.units, 1);
    assert_eq!(b.sequences[0].name, "(nothing)");
    assert_eq!(b.seconds.median, Some(50.0));

    // unordered, the same here: each unit viewed before it carted
    let unordered = json!({"dataset": "ev", "order": "unordered", "steps": [{"event": "view"}, {"event": "cart"}]});
    let b = paths(
        &mut w,
        json!({"dataset": "ev", "from": {"funnel": unordered, "between": 1}}),
    )
    .between
    .unwrap();
    assert_eq!(
        (b.units, b.seconds.median, b.events.p75),
        (5, Some(100.0), Some(3.0))
    );

    // readable errors
    let e = paths_err(
        &mut w,
        json!({"dataset": "ev", "from": {"funnel": funnel, "between": 3}}),
    );
    assert!(
        e.contains("between 3 is not a step with a next step"),
        "{e}"
    );
    let e = paths_err(
        &mut w,
        json!({"dataset": "ev", "from": {"funnel": funnel, "between": 1}, "direction": "previous"}),
    );
    assert!(e.contains("leave out \"direction\""), "{e}");
    let e = PathsSpec::from_json(
        &json!({"dataset": "ev", "from": {"funnel": funnel, "between": 1, "step": 1}}).to_string(),
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("must be one start"), "{e}");
}

/// The converters-vs-drop-offs example of docs/paths.md: 40 users who
/// reached purchase, 60 who viewed and did not.
fn converters_shop(w: &mut Ws) {
    let mut rows: Vec<(String, i64, &str)> = Vec::new();
    let mut user = |n: usize, tag: &str, evs: &[&'static str]| {
        for i in 0..n {
            for (t, e) in evs.iter().enumerate() {
                rows.push((format!("{tag}{i}"), t as i64 * 10, e));
            }
        }
    };
    // converters: 30 view -> cart -> purchase, 10 view -> search -> cart -> purchase
    user(30, "c", &["view", "cart", "purchase"]);
    user(10, "s", &["view", "search", "cart", "purchase"]);
    // drop-offs: 10 view -> cart, 18 view -> search, 32 view and nothing more
    user(10, "d", &["view", "cart"]);
    user(18, "e", &["view", "search"]);
    user(32, "f", &["view"]);
    let refs: Vec<(&str, i64, &str, &str)> = rows
        .iter()
        .map(|(u, t, e)| (u.as_str(), *t, *e, "m"))
        .collect();
    events(w, &refs);
}

#[test]
fn converters_against_dropoffs() {
    use stepwise_engine::stats::proportion::{holm, z_test_pooled};
    let mut w = workspace();
    converters_shop(&mut w);
    let funnel = json!({"dataset": "ev", "steps": [{"event": "view"}, {"event": "cart"}, {"event": "purchase"}]});
    let r = paths(
        &mut w,
        json!({"dataset": "ev", "from": {"funnel": funnel, "step": 1}, "compare": "converters", "levels": 1}),
    );
    check_invariants(&r);
    assert_eq!(r.units, 100);
    let c = r.comparison.as_ref().expect("comparison");
    assert_eq!((c.converters, c.dropoffs, c.confidence), (40, 60, 0.95));
    let rows: Vec<(&str, u64, u64)> = c
        .rows
        .iter()
        .map(|x| (x.name.as_str(), x.converters, x.dropoffs))
        .collect();
    // level 1 in node order: cart 40, search 28, end 32
    assert_eq!(rows, [("cart", 30, 10), ("search", 10, 18), ("end", 0, 32)]);
    for x in &c.rows {
        assert_eq!(r.nodes[x.node].name, x.name);
        assert_eq!(r.nodes[x.node].count, x.converters + x.dropoffs);
    }
    // cart: 30/40 = 75% against 10/60 = 16.7%; pooled 40%, se
    // sqrt(0.4 * 0.6 * (1/40 + 1/60)) = 0.1, z = (0.75 - 1/6) / 0.1 = 5.833
    let cart = &c.rows[0];
    assert_eq!(cart.converters_share, Some(0.75));
    assert!((cart.difference.unwrap() - (0.75 - 1.0 / 6.0)).abs() < 1e-12);
    assert!((cart.z.unwrap() - 35.0 / 6.0).abs() < 1e-9);
    // search: 25% against 30%: z = -0.05 / sqrt(0.28 * 0.72 / 24) = -0.546
    assert!((c.rows[1].z.unwrap() + 0.05 / (0.28f64 * 0.72 / 24.0).sqrt()).abs() < 1e-9);
    // each p-value is the stats module's pooled z-test; the adjusted ones
    // its Holm adjustment over the three
    let p: Vec<f64> = c.rows.iter().map(|x| x.p_value.unwrap()).collect();
    for (x, (cv, dv)) in c.rows.iter().zip([(30, 10), (10, 18), (0, 32)]) {
        assert_eq!(x.p_value, z_test_pooled(cv, 40, dv, 60).map(|t| t.1));
    }
    let adjusted: Vec<f64> = c.rows.iter().map(|x| x.p_adjusted.unwrap()).collect();
    assert_eq!(adjusted, holm(&p));
    // search's difference is not significant (p 0.585); cart's and end's are
    assert!((adjusted[1] - 0.585).abs() < 0.001, "{adjusted:?}");
    let sig: Vec<bool> = c.rows.iter().map(|x| x.significant).collect();
    assert_eq!(sig, [true, false, true]);

    // readable errors
    let e = paths_err(
        &mut w,
        json!({"dataset": "ev", "from": {"event": "view"}, "compare": "converters"}),
    );
    assert!(e.contains("needs \"from\" a funnel step"), "{e}");
    let e = paths_err(
        &mut w,
        json!({"dataset": "ev", "from": {"funnel": funnel, "step": 3}, "compare": "converters"}),
    );
    assert!(e.contains("the funnel's last step"), "{e}");
    let e = paths_err(
        &mut w,
        json!({"dataset": "ev", "from": {"funnel": funnel, "step": 1}, "compare": "converters", "confidence": 1.5}),
    );
    assert!(e.contains("between 50% and 100%"), "{e}");
}

#[test]
fn an_edges_units_are_the_units_that_walked_it() {
    use stepwise_engine::paths::{edge_units, write_edge_csv};
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
    let csv = |w: &mut Ws, from: usize, to: usize| {
        let mut out = Vec::new();
        let n = write_edge_csv(&w.ws, &spec, &mut w.cache, from, to, &mut out).unwrap();
        (n, String::from_utf8(out).unwrap())
    };
    // view -> cart: u1, u2; cart -> purchase: u1; cart -> end: u2
    assert_eq!(csv(&mut w, 0, at(1, "cart")), (2, "user\nu1\nu2\n".into()));
    assert_eq!(
        csv(&mut w, at(1, "cart"), at(2, "purchase")),
        (1, "user\nu1\n".into())
    );
    assert_eq!(
        csv(&mut w, at(1, "cart"), at(2, "end")),
        (1, "user\nu2\n".into())
    );
    // search -> end (level 2): u3; view -> end (level 1): u4
    assert_eq!(
        csv(&mut w, at(1, "search"), at(2, "end")),
        (1, "user\nu3\n".into())
    );
    assert_eq!(csv(&mut w, 0, at(1, "end")), (1, "user\nu4\n".into()));
    // every edge: as many units as its count
    for e in &r.edges {
        let (_, got, units) = edge_units(&w.ws, &spec, &mut w.cache, e.from, e.to).unwrap();
        assert_eq!(&got, e);
        assert_eq!(units.len() as u64, e.count, "{e:?}");
    }
    // an edge the paths do not have: a sentence, nothing written
    let mut out = Vec::new();
    let e = write_edge_csv(&w.ws, &spec, &mut w.cache, 0, at(2, "end"), &mut out)
        .unwrap_err()
        .to_string();
    assert!(e.contains("no edge goes from node 0"), "{e}");
    assert!(out.is_empty());
}
