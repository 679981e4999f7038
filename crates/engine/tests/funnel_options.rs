//! The options the anchors have (docs/funnel.md): step conversion windows
//! and hourly trends, each checked against the plain reference.

#[path = "funnel_util.rs"]
mod util;

use serde_json::json;
use util::*;

use util::fast_and_reference as both;

#[test]
fn step_windows_bound_the_time_from_the_previous_step() {
    let mut w = workspace();
    events(
        &mut w,
        &[
            // B 10 min after A, C 50 min after B: too late for C's 30m
            ("u1", 0, "A", ""),
            ("u1", 600, "B", ""),
            ("u1", 3600, "C", ""),
            // exactly 30 minutes: inclusive
            ("u2", 0, "A", ""),
            ("u2", 600, "B", ""),
            ("u2", 2400, "C", ""),
            // the first B is too late for B's 15m, a later attempt is not
            ("u3", 0, "A", ""),
            ("u3", 1000, "B", ""),
            ("u3", 2000, "A", ""),
            ("u3", 2100, "B", ""),
            ("u3", 2200, "C", ""),
        ],
    );
    let steps =
        json!([{"event": "A"}, {"event": "B", "within": "15m"}, {"event": "C", "within": "30m"}]);
    let r = both(&mut w, json!({"dataset": "ev", "steps": steps}));
    assert_eq!(counts(&r), vec![3, 3, 2]);
    // u3 counts from its second A: B 100 s later, C 100 s after B
    assert_eq!(r.steps[2].average_seconds, Some((1800.0 + 100.0) / 2.0));
    let r = both(
        &mut w,
        json!({"dataset": "ev", "steps": steps, "order": "strict"}),
    );
    assert_eq!(counts(&r), vec![3, 3, 2]);
    // the funnel's own window still holds
    let r = both(
        &mut w,
        json!({"dataset": "ev", "steps": steps, "window": "30m"}),
    );
    assert_eq!(counts(&r), vec![3, 3, 1]);
    // errors: on step 0, in an unordered funnel, not a duration
    for (spec, want) in [
        (
            json!({"dataset": "ev", "steps": [{"event": "A", "within": "1h"}, {"event": "B"}]}),
            "step 0",
        ),
        (
            json!({"dataset": "ev", "order": "unordered", "steps": [{"event": "A"}, {"event": "B", "within": "1h"}]}),
            "unordered",
        ),
        (
            json!({"dataset": "ev", "steps": [{"event": "A"}, {"event": "B", "within": "soon"}]}),
            "step 1",
        ),
    ] {
        let e = run_err(&mut w, spec);
        assert!(e.contains(want), "{e}");
    }
}

#[test]
fn hourly_trends_split_a_day() {
    let mut w = workspace();
    // 2024-09-02 00:00 UTC
    let mon = 1_725_235_200;
    let h = 3600;
    events(
        &mut w,
        &[
            ("u1", mon + 9 * h + 5, "A", ""),
            ("u1", mon + 9 * h + 50, "B", ""),
            ("u2", mon + 9 * h + 3000, "A", ""),
            ("u3", mon + 13 * h, "A", ""),
            ("u3", mon + 14 * h + 10, "B", ""),
            // a unit entering in two hours is an entrant of each
            ("u4", mon + 13 * h + 1, "A", ""),
            ("u4", mon + 23 * h + 59 * 60, "A", ""),
            ("u4", mon + 24 * h + 60, "B", ""),
        ],
    );
    let r = both(
        &mut w,
        json!({"dataset": "ev", "steps": [{"event": "A"}, {"event": "B"}], "window": "2h",
               "trend": {"interval": "hour"}}),
    );
    let t: Vec<(String, u64, u64)> = r
        .trend
        .unwrap()
        .into_iter()
        .map(|p| (p.period, p.entered, p.converted))
        .collect();
    assert_eq!(
        t,
        vec![
            ("2024-09-02 09:00".into(), 2, 1),
            ("2024-09-02 13:00".into(), 2, 1),
            ("2024-09-02 23:00".into(), 1, 1),
        ]
    );
}

#[test]
fn first_time_steps_take_only_the_first_event_of_that_kind() {
    let mut w = workspace();
    // 2024-09-02 00:00 UTC
    let mon = 1_725_235_200;
    events(
        &mut w,
        &[
            // u1 bought before: its purchase in the funnel is not its first
            ("u1", mon - 5 * DAY, "purchase", ""),
            ("u1", mon, "view", ""),
            ("u1", mon + 60, "purchase", ""),
            // u2's first purchase
            ("u2", mon, "view", ""),
            ("u2", mon + 60, "purchase", ""),
            ("u2", mon + 120, "purchase", ""),
            // u3's first view is not in the funnel's date range
            ("u3", mon - DAY, "view", ""),
            ("u3", mon + 10, "view", ""),
            ("u3", mon + 70, "purchase", ""),
        ],
    );
    let steps = json!([{"event": "view"}, {"event": "purchase", "first_time": true}]);
    let range = json!({"from": "2024-09-02"});
    let r = both(
        &mut w,
        json!({"dataset": "ev", "steps": steps, "date_range": range}),
    );
    assert_eq!(counts(&r), vec![3, 2]);
    // a first-time step 0: only users whose first view is in range enter
    let steps = json!([{"event": "view", "first_time": true}, {"event": "purchase"}]);
    let r = both(
        &mut w,
        json!({"dataset": "ev", "steps": steps, "date_range": range}),
    );
    assert_eq!(counts(&r), vec![2, 2]);
    let e = run_err(
        &mut w,
        json!({"dataset": "ev", "steps": steps, "count": "sessions"}),
    );
    assert!(e.contains("first-time"), "{e}");
}

#[test]
fn holding_a_column_constant_needs_every_step_on_one_value() {
    let mut w = workspace();
    // the "device" column plays a product id here
    events(
        &mut w,
        &[
            // p1 viewed and bought, p2 viewed and carted: no product did all three
            ("u1", 0, "view", "p1"),
            ("u1", 10, "view", "p2"),
            ("u1", 20, "cart", "p2"),
            ("u1", 30, "buy", "p1"),
            // one product all the way
            ("u2", 0, "view", "p1"),
            ("u2", 10, "cart", "p1"),
            ("u2", 20, "buy", "p1"),
            // a view with no product fills no step: u3 never enters
            ("u3", 0, "view", ""),
            ("u3", 10, "cart", "p1"),
            ("u3", 20, "buy", "p1"),
            // p1 reaches cart (15 s after its view), p2's cart came before its view
            ("u4", 0, "view", "p1"),
            ("u4", 5, "cart", "p2"),
            ("u4", 10, "view", "p2"),
            ("u4", 15, "cart", "p1"),
            ("u4", 20, "buy", "p2"),
        ],
    );
    let steps = json!([{"event": "view"}, {"event": "cart"}, {"event": "buy"}]);
    let r = both(&mut w, json!({"dataset": "ev", "steps": steps}));
    assert_eq!(counts(&r), vec![4, 4, 4]);
    let r = both(
        &mut w,
        json!({"dataset": "ev", "steps": steps, "hold": "device"}),
    );
    assert_eq!(counts(&r), vec![3, 3, 1]);
    // view to cart: u1 10 s (p2), u2 10 s, u4 15 s (p1)
    assert_eq!(r.steps[1].average_seconds, Some(35.0 / 3.0));
    // a breakdown by the held column shows the value that converted
    let r = both(
        &mut w,
        json!({"dataset": "ev", "steps": steps, "hold": "device", "breakdown": {"column": "device"}}),
    );
    let rows: Vec<(String, Vec<u64>)> = r
        .breakdown
        .iter()
        .map(|b| (b.value.clone(), b.steps.iter().map(|s| s.count).collect()))
        .collect();
    assert_eq!(
        rows,
        vec![("p1".into(), vec![2, 2, 1]), ("p2".into(), vec![1, 1, 0])]
    );
    // strict: only u2's events of p1 follow each other with nothing between
    let r = both(
        &mut w,
        json!({"dataset": "ev", "steps": steps, "hold": "device", "order": "strict"}),
    );
    assert_eq!(counts(&r), vec![3, 2, 1]);
    // unordered: u4's p2 did view, cart and buy in some order, and u3
    // enters at p1's cart
    let r = both(
        &mut w,
        json!({"dataset": "ev", "steps": steps, "hold": "device", "order": "unordered"}),
    );
    assert_eq!(counts(&r), vec![4, 4, 2]);
    // errors: no column, an unknown column
    let e = run_err(
        &mut w,
        json!({"dataset": "ev", "steps": steps, "hold": " "}),
    );
    assert!(e.contains("\"hold\" names no column"), "{e}");
    let e = run_err(
        &mut w,
        json!({"dataset": "ev", "steps": steps, "hold": "product"}),
    );
    assert!(e.contains("\"product\""), "{e}");
}

#[test]
fn a_held_value_spoiled_by_an_exclusion_gives_way_to_a_clean_one() {
    let mut w = workspace();
    events(
        &mut w,
        &[
            // p1 converts but a refund (of any product) comes between
            ("u1", 0, "view", "p1"),
            ("u1", 5, "refund", "p9"),
            ("u1", 10, "cart", "p1"),
            // u2: p1 spoiled, p2 clean and as far
            ("u2", 0, "view", "p1"),
            ("u2", 5, "refund", ""),
            ("u2", 10, "cart", "p1"),
            ("u2", 20, "view", "p2"),
            ("u2", 30, "cart", "p2"),
        ],
    );
    let r = both(
        &mut w,
        json!({"dataset": "ev", "steps": [{"event": "view"}, {"event": "cart"}], "hold": "device",
               "exclude": [{"event": "refund"}]}),
    );
    assert_eq!(counts(&r), vec![1, 1]);
    assert_eq!(r.excluded, 1);
    assert_eq!(r.steps[1].average_seconds, Some(10.0));
}

/// PostHog's own test of optional steps (test_funnel_udf.py,
/// `test_funnel_with_optional_steps`), the same journeys and counts.
#[test]
fn optional_steps_may_be_skipped_as_in_posthog() {
    let mut w = workspace();
    let journeys: &[(&str, &[&str])] = &[
        ("step1_only", &["one"]),
        ("step123", &["one", "two", "three"]),
        ("step13", &["one", "three"]),
        ("step12345", &["one", "two", "three", "four", "five"]),
        ("step1235", &["one", "two", "three", "five"]),
        ("step134", &["one", "three", "four"]),
        ("step1345", &["one", "three", "four", "five"]),
        ("step135", &["one", "three", "five"]),
    ];
    let mut rows = Vec::new();
    for (u, evs) in journeys {
        for e in *evs {
            let t = match *e {
                "one" => 0,
                "two" => 60,
                "three" => 120,
                "four" => 180,
                _ => 240,
            };
            rows.push((*u, t, *e, ""));
        }
    }
    events(&mut w, &rows);
    let steps = json!([{"event": "one"}, {"event": "two", "optional": true}, {"event": "three"},
        {"event": "four", "optional": true}, {"event": "five"}]);
    for order in ["ordered", "strict"] {
        let r = both(
            &mut w,
            json!({"dataset": "ev", "steps": steps, "order": order}),
        );
        assert_eq!(counts(&r), vec![8, 3, 7, 3, 4], "{order}");
    }
    // durations run from the previous step done: three after one (120 s)
    // or after two (60 s): 3 units via two, 4 straight from one
    let r = both(&mut w, json!({"dataset": "ev", "steps": steps}));
    let avg = r.steps[2].average_seconds.unwrap();
    assert!(
        (avg - (3.0 * 60.0 + 4.0 * 120.0) / 7.0).abs() < 1e-9,
        "{avg}"
    );
    // without the optional flags, skipping breaks the attempt
    let plain = json!([{"event": "one"}, {"event": "two"}, {"event": "three"},
        {"event": "four"}, {"event": "five"}]);
    let r = both(&mut w, json!({"dataset": "ev", "steps": plain}));
    assert_eq!(counts(&r), vec![8, 3, 3, 1, 1]);
    // a breakdown on a skipped step's event is "(none)"; time to convert
    // from a skipped step leaves the unit out
    let r = both(
        &mut w,
        json!({"dataset": "ev", "steps": steps, "breakdown": {"column": "device", "attribution": "step", "step": 1},
               "time_to_convert": {"from_step": 1, "to_step": 4}}),
    );
    assert_eq!(r.breakdown.len(), 1);
    assert_eq!(counts(&r), vec![8, 3, 7, 3, 4]);
    let ttc = r.time_to_convert.unwrap();
    // step12345 and step1235: two to five in 180 s
    assert_eq!(ttc.bins.iter().map(|b| b.count).sum::<u64>(), 2);
    assert_eq!(ttc.average_seconds, Some(180.0));
}

/// PostHog's `test_funnel_with_optional_steps_same_event`: going further
/// beats doing the optional step.
#[test]
fn optional_steps_give_way_to_reaching_further() {
    let mut w = workspace();
    events(
        &mut w,
        &[
            ("one", 0, "e", ""),
            ("two", 0, "e", ""),
            ("two", 60, "e", ""),
            ("three", 0, "e", ""),
            ("three", 60, "e", ""),
            ("three", 120, "e", ""),
            ("match", 0, "e", ""),
            ("match", 60, "e", "url"),
            ("match", 120, "e", ""),
        ],
    );
    let steps = json!([{"event": "e"}, {"event": "e", "optional": true},
        {"event": "e", "where": [{"column": "device", "op": "eq", "value": "url"}]}, {"event": "e"}]);
    let r = both(&mut w, json!({"dataset": "ev", "steps": steps}));
    assert_eq!(counts(&r), vec![4, 2, 1, 1]);
}

#[test]
fn optional_steps_refuse_what_has_no_meaning() {
    let mut w = workspace();
    events(&mut w, &[("u", 0, "A", "")]);
    let ab = |o: &str| json!([{"event": "A"}, {"event": "B", "optional": true}, {"event": "C"}, {"event": o}]);
    for (spec, want) in [
        (
            json!({"dataset": "ev", "steps": [{"event": "A", "optional": true}, {"event": "B"}]}),
            "first step",
        ),
        (
            json!({"dataset": "ev", "steps": [{"event": "A"}, {"event": "B", "optional": true}]}),
            "last step",
        ),
        (
            json!({"dataset": "ev", "steps": ab("D"), "order": "unordered"}),
            "unordered",
        ),
        (
            json!({"dataset": "ev", "steps": ab("D"), "exclude": [{"event": "X", "from_step": 1, "to_step": 2}]}),
            "step 1 is optional",
        ),
        (
            json!({"dataset": "ev", "steps": [{"event": "A"}, {"event": "B", "optional": true},
                {"event": "C", "optional": true}, {"event": "D", "optional": true},
                {"event": "E", "optional": true}, {"event": "F", "optional": true},
                {"event": "G", "optional": true}, {"event": "H"}]}),
            "at most 5 optional",
        ),
    ] {
        let e = run_err(&mut w, spec);
        assert!(e.contains(want), "{e}");
    }
}

/// GA4's open funnel: a unit enters at the step of its first step event.
#[test]
fn open_funnels_let_units_enter_at_any_step() {
    let mut w = workspace();
    events(
        &mut w,
        &[
            // from the start, all the way
            ("u1", 0, "A", ""),
            ("u1", 10, "B", ""),
            ("u1", 20, "C", ""),
            // enters at B, then C
            ("u2", 0, "B", ""),
            ("u2", 10, "C", ""),
            // enters at C only
            ("u3", 0, "C", ""),
            // enters at B (its first step event); the later A does not
            // move its entry back
            ("u4", 0, "B", ""),
            ("u4", 10, "A", ""),
            // A and B at one instant: enters at A, the lowest step
            ("u5", 0, "B", ""),
            ("u5", 0, "A", ""),
        ],
    );
    let steps = json!([{"event": "A"}, {"event": "B"}, {"event": "C"}]);
    let r = both(&mut w, json!({"dataset": "ev", "steps": steps}));
    assert_eq!(counts(&r), vec![3, 2, 1]);
    let r = both(
        &mut w,
        json!({"dataset": "ev", "steps": steps, "open": true}),
    );
    // A: u1 u5; B: u1 u2 u4 u5; C: u1 u2 u3
    assert_eq!(counts(&r), vec![2, 4, 3]);
    // durations only from a step done: B after A (10 s, 0 s), C after B
    assert_eq!(r.steps[1].average_seconds, Some(5.0));
    assert_eq!(r.steps[2].average_seconds, Some(10.0));
    let r = both(
        &mut w,
        json!({"dataset": "ev", "steps": steps, "open": true, "order": "strict"}),
    );
    assert_eq!(counts(&r), vec![2, 4, 3]);
    // an exclusion that ends at or before the entry does not apply
    let r = both(
        &mut w,
        json!({"dataset": "ev", "steps": steps, "open": true,
               "exclude": [{"event": "A", "from_step": 1, "to_step": 2}]}),
    );
    // u4's A comes after its B and before no C: its attempt B is spoiled
    assert_eq!(counts(&r), vec![2, 3, 3]);
    assert_eq!(r.excluded, 1);
    let e = run_err(
        &mut w,
        json!({"dataset": "ev", "steps": steps, "open": true, "order": "unordered"}),
    );
    assert!(e.contains("\"open\""), "{e}");
}

#[test]
fn buyer_status_splits_first_time_and_returning_buyers() {
    // the worked example of docs/funnel.md, "Buyer status"
    let mut w = workspace();
    let mon = 1_725_235_200; // 2024-09-02 00:00 UTC, day 0
    let h = 3600;
    let rows = [
        // u1 bought on day 0, then viewed and bought again on day 5
        ("u1", "s1", mon + 10 * h, "purchase", ""),
        ("u1", "s2", mon + 5 * DAY + 9 * h, "view", ""),
        ("u1", "s2", mon + 5 * DAY + 9 * h + 1800, "purchase", ""),
        // u2's first purchase is its attempt's own: not earlier
        ("u2", "s3", mon + DAY + 10 * h, "view", ""),
        ("u2", "s3", mon + DAY + 10 * h + 1200, "purchase", ""),
        ("u2", "s3", mon + DAY + 10 * h + 1200, "purchase", ""),
        // u3 never bought
        ("u3", "s4", mon + 2 * DAY, "view", ""),
        // u4 bought on day 0 and only viewed on day 3
        ("u4", "s5", mon + 12 * h, "purchase", ""),
        ("u4", "s6", mon + 3 * DAY, "view", ""),
    ];
    events_with_sessions(&mut w, &rows);
    let steps = json!([{"event": "view"}, {"event": "purchase"}]);
    let by = json!({"column": "$buyer_status"});
    let rows_of = |r: &stepwise_engine::funnel::FunnelResult| -> Vec<(String, Vec<u64>)> {
        r.breakdown
            .iter()
            .map(|b| (b.value.clone(), b.steps.iter().map(|s| s.count).collect()))
            .collect()
    };
    let r = both(
        &mut w,
        json!({"dataset": "ev", "steps": steps, "window": "1d", "breakdown": by}),
    );
    assert_eq!(counts(&r), vec![4, 2]);
    assert_eq!(
        rows_of(&r),
        vec![
            ("First-time".to_string(), vec![2, 1]),
            ("Returning".to_string(), vec![2, 1])
        ]
    );
    // purchases before the date range still make a buyer returning; u2's
    // attempt is outside it
    let r = both(
        &mut w,
        json!({"dataset": "ev", "steps": steps, "window": "1d", "breakdown": by,
               "date_range": {"from": "2024-09-04"}}),
    );
    assert_eq!(
        rows_of(&r),
        vec![
            ("Returning".to_string(), vec![2, 1]),
            ("First-time".to_string(), vec![1, 0])
        ]
    );
    // counting sessions: a session is returning when its user bought in
    // an earlier session (u1's s2, u4's s6)
    let r = both(
        &mut w,
        json!({"dataset": "ev", "steps": steps, "window": "1d", "breakdown": by, "count": "sessions"}),
    );
    assert_eq!(
        rows_of(&r),
        vec![
            ("First-time".to_string(), vec![2, 1]),
            ("Returning".to_string(), vec![2, 1])
        ]
    );
    // a one-step funnel of orders: u1's second order and nobody else's
    let orders = json!([{"event": "purchase"}]);
    let r = both(
        &mut w,
        json!({"dataset": "ev", "steps": orders, "breakdown": by, "count": "sessions"}),
    );
    assert_eq!(
        rows_of(&r),
        vec![
            ("First-time".to_string(), vec![3]),
            ("Returning".to_string(), vec![1])
        ]
    );
    // a comparison by buyer status: the same groups, with statistics
    let spec: stepwise_engine::compare::CompareSpec = serde_json::from_value(json!({
        "funnel": {"dataset": "ev", "steps": steps, "window": "1d"},
        "by": "$buyer_status", "baseline": "First-time"
    }))
    .unwrap();
    let c = stepwise_engine::compare::run_compare(&w.ws, &spec, &mut w.cache).unwrap();
    let names: Vec<&str> = c.segments.iter().map(|s| s.name.as_str()).collect();
    assert_eq!(names, ["First-time", "Returning"]);
    assert_eq!(c.baseline, "First-time");
    assert_eq!(c.segments[1].steps[1].count, 1);
}
