//! Hand-built event sequences, one or more per rule of docs/funnel.md.

#[path = "funnel_util.rs"]
mod util;

use serde_json::json;
use util::*;

fn abc() -> serde_json::Value {
    json!([{"event": "A"}, {"event": "B"}, {"event": "C"}])
}

#[test]
fn ordered_counts_each_unit_once_per_step() {
    let mut w = workspace();
    events(
        &mut w,
        &[
            ("u1", 0, "A", ""),
            ("u1", 10, "B", ""),
            ("u1", 20, "C", ""),
            ("u1", 30, "A", ""), // a second attempt does not count twice
            ("u1", 40, "B", ""),
            ("u2", 0, "A", ""),
            ("u2", 5, "X", ""), // other events in between are ignored
            ("u2", 10, "B", ""),
            ("u3", 0, "B", ""), // later steps before step 0 do not count
            ("u3", 10, "C", ""),
            ("u3", 20, "A", ""),
        ],
    );
    let r = run(&mut w, json!({"dataset": "ev", "steps": abc()}));
    assert_eq!(counts(&r), vec![3, 2, 1]);
    assert_eq!(r.steps[0].label, "A");
    assert_eq!(r.steps[1].dropped, 1);
    assert!((r.steps[1].conversion_from_start - 2.0 / 3.0).abs() < 1e-12);
    assert!((r.steps[2].conversion_from_previous - 0.5).abs() < 1e-12);
    assert_eq!(r.steps[0].average_seconds, None);
    assert_eq!(r.unit, "users");
}

#[test]
fn one_event_fills_at_most_one_step() {
    let mut w = workspace();
    events(
        &mut w,
        &[("u1", 0, "A", ""), ("u2", 0, "A", ""), ("u2", 9, "A", "")],
    );
    let r = run(
        &mut w,
        json!({"dataset": "ev", "steps": [{"event": "A"}, {"event": "A"}]}),
    );
    assert_eq!(counts(&r), vec![2, 1]);
    assert_eq!(r.steps[1].average_seconds, Some(9.0));
}

#[test]
fn window_is_inclusive_and_measured_from_step_zero() {
    let mut w = workspace();
    let wk = 7 * DAY;
    events(
        &mut w,
        &[
            ("exact", 0, "A", ""),
            ("exact", wk, "B", ""),
            ("late", 0, "A", ""),
            ("late", wk + 1, "B", ""),
            // each step within 7 days of the previous, but C is 8 days after A
            ("chain", 0, "A", ""),
            ("chain", 4 * DAY, "B", ""),
            ("chain", 8 * DAY, "C", ""),
        ],
    );
    let r = run(
        &mut w,
        json!({"dataset": "ev", "steps": abc(), "window": "7d"}),
    );
    assert_eq!(counts(&r), vec![3, 2, 0]);
    let r = run(
        &mut w,
        json!({"dataset": "ev", "steps": abc(), "window": "1w"}),
    );
    assert_eq!(counts(&r), vec![3, 2, 0]);
    let r = run(
        &mut w,
        json!({"dataset": "ev", "steps": abc(), "window": "8d"}),
    );
    assert_eq!(counts(&r), vec![3, 3, 1]);
}

#[test]
fn attempt_carried_from_latest_usable_start() {
    let mut w = workspace();
    events(
        &mut w,
        &[
            ("u", 0, "A", ""),
            ("u", 100, "A", ""),
            ("u", 250, "B", ""),
            // a start too old for the window still lets a later one work
            ("v", 0, "A", ""),
            ("v", 10 * DAY, "A", ""),
            ("v", 10 * DAY + 60, "B", ""),
        ],
    );
    let r = run(
        &mut w,
        json!({"dataset": "ev", "steps": [{"event": "A"}, {"event": "B"}], "window": "7d"}),
    );
    assert_eq!(counts(&r), vec![2, 2]);
    // u: 150 s from the latest A; v: 60 s
    assert_eq!(r.steps[1].average_seconds, Some(105.0));
    assert_eq!(r.steps[1].median_seconds, Some(105.0));
}

#[test]
fn furthest_attempt_wins_with_its_times() {
    let mut w = workspace();
    events(
        &mut w,
        &[
            ("u", 0, "A", ""),
            ("u", 10, "B", ""),
            ("u", 3 * DAY, "A", ""),
            ("u", 3 * DAY + 100, "B", ""),
            ("u", 3 * DAY + 400, "C", ""),
        ],
    );
    let r = run(
        &mut w,
        json!({"dataset": "ev", "steps": abc(), "window": "1d"}),
    );
    assert_eq!(counts(&r), vec![1, 1, 1]);
    assert_eq!(r.steps[1].average_seconds, Some(100.0));
    assert_eq!(r.steps[2].average_seconds, Some(300.0));
}

#[test]
fn strict_order_breaks_on_any_other_event() {
    let mut w = workspace();
    events(
        &mut w,
        &[
            ("u1", 0, "A", ""),
            ("u1", 5, "X", ""),
            ("u1", 10, "B", ""),
            ("u2", 0, "A", ""),
            ("u2", 10, "B", ""),
            ("u3", 0, "A", ""),
            ("u3", 5, "A", ""),
            ("u3", 10, "B", ""),
        ],
    );
    let steps = json!([{"event": "A"}, {"event": "B"}]);
    let r = run(
        &mut w,
        json!({"dataset": "ev", "steps": steps, "order": "strict"}),
    );
    assert_eq!(counts(&r), vec![3, 2]);
    let r = run(
        &mut w,
        json!({"dataset": "ev", "steps": steps, "order": "ordered"}),
    );
    assert_eq!(counts(&r), vec![3, 3]);
    // an event removed by the funnel's filters does not break the run
    let r = run(
        &mut w,
        json!({"dataset": "ev", "steps": steps, "order": "strict",
               "where": [{"column": "event", "op": "ne", "value": "X"}]}),
    );
    assert_eq!(counts(&r), vec![3, 3]);
}

#[test]
fn unordered_counts_distinct_steps_within_one_window() {
    let mut w = workspace();
    events(
        &mut w,
        &[
            ("u1", 0, "C", ""),
            ("u1", 10, "B", ""),
            ("u1", 20, "A", ""),
            ("u2", 0, "B", ""),
            ("u2", 2 * DAY, "C", ""), // outside a 1-day window from B
            ("u3", 0, "C", ""),
            ("u3", 5, "C", ""),
        ],
    );
    let r = run(
        &mut w,
        json!({"dataset": "ev", "steps": abc(), "order": "unordered", "window": "1d"}),
    );
    assert_eq!(counts(&r), vec![3, 1, 1]);
    // step k's time: from the k-th distinct step to the (k+1)-th
    assert_eq!(r.steps[1].average_seconds, Some(10.0));
    // [A, A] unordered needs two A events
    let r = run(
        &mut w,
        json!({"dataset": "ev", "steps": [{"event": "C"}, {"event": "C"}], "order": "unordered"}),
    );
    assert_eq!(counts(&r), vec![3, 1]);
}

#[test]
fn ties_are_taken_in_funnel_order() {
    let mut w = workspace();
    events(
        &mut w,
        &[
            // B is stored first, but at the same instant as A
            ("u1", 5, "B", ""),
            ("u1", 5, "A", ""),
            // identical events at one instant fill consecutive steps
            ("u2", 7, "A", ""),
            ("u2", 7, "A", ""),
        ],
    );
    let r = run(
        &mut w,
        json!({"dataset": "ev", "steps": [{"event": "A"}, {"event": "B"}]}),
    );
    assert_eq!(counts(&r), vec![2, 1]);
    assert_eq!(r.steps[1].average_seconds, Some(0.0));
    let r = run(
        &mut w,
        json!({"dataset": "ev", "steps": [{"event": "A"}, {"event": "A"}]}),
    );
    assert_eq!(counts(&r), vec![2, 1]);
    let r = run(
        &mut w,
        json!({"dataset": "ev", "steps": [{"event": "A"}, {"event": "B"}], "order": "strict"}),
    );
    assert_eq!(counts(&r), vec![2, 1]);
}

#[test]
fn exclusions_spoil_attempts_and_leave_units_out() {
    let mut w = workspace();
    events(
        &mut w,
        &[
            ("spoiled", 0, "A", ""),
            ("spoiled", 5, "X", ""),
            ("spoiled", 10, "B", ""),
            ("clean_retry", 0, "A", ""),
            ("clean_retry", 5, "X", ""),
            ("clean_retry", 6, "A", ""),
            ("clean_retry", 10, "B", ""),
            ("after", 0, "A", ""),
            ("after", 10, "B", ""),
            ("after", 20, "X", ""),
            ("no_b", 0, "A", ""),
            ("no_b", 5, "X", ""),
            ("outside", 0, "A", ""),
            ("outside", 3 * DAY, "X", ""),
            ("before", 0, "X", ""),
            ("before", 5, "A", ""),
        ],
    );
    let r = run(
        &mut w,
        json!({"dataset": "ev", "steps": [{"event": "A"}, {"event": "B"}], "window": "1d",
               "exclude": [{"event": "X", "from_step": 0, "to_step": 1}]}),
    );
    // counted: clean_retry (1), after (1), outside (0), before (0)
    assert_eq!(counts(&r), vec![4, 2]);
    assert_eq!(r.excluded, 2);
    // the retry's times are the clean attempt's
    assert_eq!(r.steps[1].average_seconds, Some(7.0));
}

#[test]
fn exclusion_between_later_steps() {
    let mut w = workspace();
    events(
        &mut w,
        &[
            // X between A and B is allowed when excluding only between B and C
            ("u1", 0, "A", ""),
            ("u1", 1, "X", ""),
            ("u1", 2, "B", ""),
            ("u1", 3, "C", ""),
            ("u2", 0, "A", ""),
            ("u2", 2, "B", ""),
            ("u2", 3, "X", ""),
            ("u2", 4, "C", ""),
        ],
    );
    let r = run(
        &mut w,
        json!({"dataset": "ev", "steps": abc(), "exclude": [{"event": "X", "from_step": 1, "to_step": 2}]}),
    );
    assert_eq!(counts(&r), vec![1, 1, 1]);
    assert_eq!(r.excluded, 1);
}

#[test]
fn breakdown_attribution_none_and_other() {
    let mut w = workspace();
    events(
        &mut w,
        &[
            ("u1", 0, "A", "mobile"),
            ("u1", 10, "B", "desktop"),
            ("u2", 0, "A", "mobile"),
            ("u3", 0, "A", ""),
            ("u3", 10, "B", "tablet"),
            ("u4", 0, "A", "desktop"),
            ("u4", 5, "B", "desktop"),
            ("u5", 0, "A", "tv"),
        ],
    );
    let steps = json!([{"event": "A"}, {"event": "B"}]);
    let by = |r: &stepwise_engine::funnel::FunnelResult| -> Vec<(String, Vec<u64>)> {
        r.breakdown
            .iter()
            .map(|b| (b.value.clone(), b.steps.iter().map(|s| s.count).collect()))
            .collect()
    };
    let r = run(
        &mut w,
        json!({"dataset": "ev", "steps": steps, "breakdown": {"column": "device"}}),
    );
    assert_eq!(
        by(&r),
        vec![
            // u3's step-0 event has no value: first touch takes B's (tablet)
            ("mobile".into(), vec![2, 1]),
            ("desktop".into(), vec![1, 1]),
            ("tablet".into(), vec![1, 1]),
            ("tv".into(), vec![1, 0]),
        ]
    );
    let r = run(
        &mut w,
        json!({"dataset": "ev", "steps": steps, "breakdown": {"column": "device", "attribution": "last_touch"}}),
    );
    assert_eq!(
        by(&r),
        vec![
            ("desktop".into(), vec![2, 2]),
            ("mobile".into(), vec![1, 0]),
            ("tablet".into(), vec![1, 1]),
            ("tv".into(), vec![1, 0]),
        ]
    );
    let r = run(
        &mut w,
        json!({"dataset": "ev", "steps": steps, "breakdown": {"column": "device", "attribution": "step", "step": 1, "limit": 2}}),
    );
    // units that never reached step 1 have no value there
    assert_eq!(
        by(&r),
        vec![
            ("(none)".into(), vec![2, 0]),
            ("desktop".into(), vec![2, 2]),
            ("Other".into(), vec![1, 1]),
        ]
    );
    // the rows add up to the total
    let total: u64 = r.breakdown.iter().map(|b| b.steps[0].count).sum();
    assert_eq!(total, r.steps[0].count);
}

#[test]
fn conversion_time_average_and_median() {
    let mut w = workspace();
    events(
        &mut w,
        &[
            ("u1", 0, "A", ""),
            ("u1", 10, "B", ""),
            ("u2", 0, "A", ""),
            ("u2", 20, "B", ""),
            ("u3", 0, "A", ""),
            ("u3", 90, "B", ""),
            ("u3", 100, "C", ""),
        ],
    );
    let r = run(&mut w, json!({"dataset": "ev", "steps": abc()}));
    assert_eq!(r.steps[1].average_seconds, Some(40.0));
    assert_eq!(r.steps[1].median_seconds, Some(20.0));
    assert_eq!(r.steps[2].average_seconds, Some(10.0));
    let r = run(
        &mut w,
        json!({"dataset": "ev", "steps": abc(), "time_to_convert": {"from_step": 0, "to_step": 1, "bins": 4}}),
    );
    let t = r.time_to_convert.unwrap();
    assert_eq!(t.bins.len(), 4);
    assert_eq!(
        t.bins.iter().map(|b| b.count).collect::<Vec<_>>(),
        vec![2, 0, 0, 1]
    );
    assert_eq!(t.bins[0].from_seconds, 10.0);
    assert_eq!(t.bins[3].to_seconds, 90.0);
    assert_eq!(t.median_seconds, Some(20.0));
}

#[test]
fn trend_by_period_of_entry() {
    let mut w = workspace();
    // 2024-09-02 is a Monday
    let mon = 1_725_235_200;
    events(
        &mut w,
        &[
            ("u1", mon, "A", ""),
            ("u1", mon + 60, "B", ""),
            ("u2", mon + DAY, "A", ""),
            ("u3", mon + 7 * DAY, "A", ""),
            ("u3", mon + 7 * DAY + 5, "B", ""),
        ],
    );
    let steps = json!([{"event": "A"}, {"event": "B"}]);
    let r = run(
        &mut w,
        json!({"dataset": "ev", "steps": steps, "trend": {"interval": "week"}}),
    );
    let t = r.trend.unwrap();
    assert_eq!(t.len(), 2);
    assert_eq!(
        (t[0].period.as_str(), t[0].entered, t[0].converted),
        ("2024-09-02", 2, 1)
    );
    assert_eq!(
        (t[1].period.as_str(), t[1].entered, t[1].converted),
        ("2024-09-09", 1, 1)
    );
    assert_eq!(t[0].rate, 0.5);
    let r = run(
        &mut w,
        json!({"dataset": "ev", "steps": steps, "trend": {"interval": "day"}}),
    );
    assert_eq!(r.trend.unwrap().len(), 3);
    let r = run(
        &mut w,
        json!({"dataset": "ev", "steps": steps, "trend": {"interval": "month"}}),
    );
    let t = r.trend.unwrap();
    assert_eq!(
        (t[0].period.as_str(), t[0].entered, t[0].converted),
        ("2024-09", 3, 2)
    );
}

#[test]
fn sessions_from_a_column_and_derived_by_gap() {
    let mut w = workspace();
    let cols = [
        col(
            "user",
            stepwise_engine::ColumnType::Text,
            Some(stepwise_engine::Role::User),
        ),
        col(
            "sid",
            stepwise_engine::ColumnType::Text,
            Some(stepwise_engine::Role::Session),
        ),
        col(
            "time",
            stepwise_engine::ColumnType::Timestamp,
            Some(stepwise_engine::Role::Time),
        ),
        col(
            "event",
            stepwise_engine::ColumnType::Text,
            Some(stepwise_engine::Role::Event),
        ),
    ];
    let rows: Vec<Vec<String>> = [
        ("u1", "s1", 0, "A"),
        ("u1", "s1", 10, "B"),
        ("u1", "s2", 20, "A"),
        ("u1", "s3", 30, "B"),
        ("u2", "s1", 0, "A"), // same session id, other user: another session
    ]
    .iter()
    .map(|(u, s, t, e)| vec![u.to_string(), s.to_string(), t.to_string(), e.to_string()])
    .collect();
    dataset(
        &mut w.ws,
        "sess",
        stepwise_engine::DatasetKind::Events,
        &cols,
        &rows,
    );
    let steps = json!([{"event": "A"}, {"event": "B"}]);
    let r = run(
        &mut w,
        json!({"dataset": "sess", "steps": steps, "count": "sessions"}),
    );
    assert_eq!(counts(&r), vec![3, 1]);
    assert_eq!(r.unit, "sessions");
    let r = run(&mut w, json!({"dataset": "sess", "steps": steps}));
    assert_eq!(counts(&r), vec![2, 1]);

    // no session column: a new session after 30 minutes without events
    events(
        &mut w,
        &[
            ("u1", 0, "A", ""),
            ("u1", 1800, "B", ""), // exactly 30 minutes: same session
            ("u2", 0, "A", ""),
            ("u2", 1801, "B", ""), // a new session
        ],
    );
    let r = run(
        &mut w,
        json!({"dataset": "ev", "steps": steps, "count": "sessions"}),
    );
    assert_eq!(counts(&r), vec![2, 1]);
    assert!(
        r.warnings.iter().any(|w| w.contains("30 minutes")),
        "{:?}",
        r.warnings
    );
}

#[test]
fn where_filters_date_range_pages() {
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
        col("device", stepwise_engine::ColumnType::Text, None),
        col("price", stepwise_engine::ColumnType::Decimal, None),
    ];
    let d0 = 1_725_148_800; // 2024-09-01
    let rows: Vec<Vec<String>> = [
        ("u1", d0, "/product/1", "Mobile", "10"),
        ("u1", d0 + 10, "/checkout/start", "Mobile", "10"),
        ("u1", d0 + 20, "/thanks", "Mobile", "55.5"),
        ("u2", d0, "/product/2", "desktop", "5"),
        ("u2", d0 + 10, "/checkout", "desktop", ""),
        ("u3", d0 - DAY, "/product/3", "desktop", "7"), // before the date range
        ("u3", d0 + 10, "/checkout", "desktop", "7"),
        ("u4", d0 + 30 * DAY, "/product/3", "tablet", "1"), // after it
    ]
    .iter()
    .map(|(u, t, p, d, x)| {
        vec![
            u.to_string(),
            t.to_string(),
            p.to_string(),
            d.to_string(),
            x.to_string(),
        ]
    })
    .collect();
    dataset(
        &mut w.ws,
        "pages",
        stepwise_engine::DatasetKind::Events,
        &cols,
        &rows,
    );
    let steps =
        json!([{"page": "/product/*"}, {"page": "/checkout*"}, {"page": {"regex": "^/than"}}]);
    let r = run(&mut w, json!({"dataset": "pages", "steps": steps}));
    assert_eq!(counts(&r), vec![4, 3, 1]);
    assert_eq!(r.steps[1].label, "/checkout*");
    assert_eq!(r.steps[2].label, "/^/than/");
    let r = run(
        &mut w,
        json!({"dataset": "pages", "steps": steps, "date_range": {"from": "2024-09-01", "to": "2024-09-30"}}),
    );
    assert_eq!(counts(&r), vec![2, 2, 1]);
    let r = run(
        &mut w,
        json!({"dataset": "pages", "steps": steps, "date_range": {"from": "2024-09-01", "to": "2024-10-01"}}),
    );
    assert_eq!(counts(&r), vec![3, 2, 1]);

    let with = |w: &mut Ws, f: serde_json::Value| {
        counts(&run(
            w,
            json!({"dataset": "pages", "steps": [{"page": "/product/*", "where": [f]}]}),
        ))[0]
    };
    assert_eq!(
        with(
            &mut w,
            json!({"column": "device", "op": "eq", "value": "desktop"})
        ),
        2
    );
    assert_eq!(
        with(
            &mut w,
            json!({"column": "device", "op": "ne", "value": "desktop"})
        ),
        2
    );
    assert_eq!(
        with(
            &mut w,
            json!({"column": "device", "op": "contains", "value": "MOB"})
        ),
        1
    );
    assert_eq!(
        with(
            &mut w,
            json!({"column": "device", "op": "not_contains", "value": "top"})
        ),
        2
    );
    assert_eq!(
        with(
            &mut w,
            json!({"column": "device", "op": "starts_with", "value": "tab"})
        ),
        1
    );
    assert_eq!(
        with(
            &mut w,
            json!({"column": "device", "op": "regex", "value": "^(Mob|tab)"})
        ),
        2
    );
    assert_eq!(
        with(
            &mut w,
            json!({"column": "device", "op": "in", "value": ["Mobile", "tablet"]})
        ),
        2
    );
    assert_eq!(
        with(
            &mut w,
            json!({"column": "device", "op": "not_in", "value": ["Mobile", "tablet"]})
        ),
        2
    );
    assert_eq!(
        with(&mut w, json!({"column": "price", "op": "gt", "value": 5})),
        2
    );
    assert_eq!(
        with(&mut w, json!({"column": "price", "op": "gte", "value": 5})),
        3
    );
    assert_eq!(
        with(&mut w, json!({"column": "price", "op": "lt", "value": 7})),
        2
    );
    assert_eq!(
        with(
            &mut w,
            json!({"column": "price", "op": "lte", "value": "7"})
        ),
        3
    );
    assert_eq!(
        with(&mut w, json!({"column": "price", "op": "eq", "value": 10})),
        1
    );
    let r = run(
        &mut w,
        json!({"dataset": "pages", "steps": [{"page": "/checkout*", "where": [{"column": "price", "op": "is_not_set"}]}]}),
    );
    assert_eq!(counts(&r), vec![1]);
    let r = run(
        &mut w,
        json!({"dataset": "pages", "steps": [{"page": "/checkout*", "where": [{"column": "price", "op": "is_set"}]}]}),
    );
    assert_eq!(counts(&r), vec![2]);
    // a filter on every event
    let r = run(
        &mut w,
        json!({"dataset": "pages", "steps": steps, "where": [{"column": "device", "op": "eq", "value": "Mobile"}]}),
    );
    assert_eq!(counts(&r), vec![1, 1, 1]);
}

#[test]
fn bad_specs_are_clear_sentences() {
    let mut w = workspace();
    events(&mut w, &[("u1", 0, "A", "")]);
    let e = run_err(
        &mut w,
        json!({"dataset": "nope", "steps": [{"event": "A"}]}),
    );
    assert!(e.contains("no dataset named \"nope\""), "{e}");
    let e = run_err(
        &mut w,
        json!({"dataset": "ev", "steps": [{"event": "A", "where": [{"column": "colour", "op": "eq", "value": "red"}]}]}),
    );
    assert!(e.contains("no column \"colour\""), "{e}");
    let e = run_err(
        &mut w,
        json!({"dataset": "ev", "steps": [{"event": "A"}], "window": "7 parsecs"}),
    );
    assert!(e.contains("window \"7 parsecs\""), "{e}");
    let e = run_err(
        &mut w,
        json!({"dataset": "ev", "steps": [{"event": "A"}], "window": "0d"}),
    );
    assert!(e.contains("longer than zero"), "{e}");
    let e = run_err(
        &mut w,
        json!({"dataset": "ev", "steps": [{"event": "A"}, {"event": "B"}], "exclude": [{"event": "X", "from_step": 1, "to_step": 1}]}),
    );
    assert!(e.contains("must be after from_step"), "{e}");
    let e = run_err(&mut w, json!({"dataset": "ev", "steps": []}));
    assert!(e.contains("at least one step"), "{e}");
    let e = run_err(&mut w, json!({"dataset": "ev", "steps": [{"label": "x"}]}));
    assert!(e.contains("matches every event"), "{e}");
    let e = run_err(&mut w, json!({"dataset": "ev", "steps": [{"page": "/x"}]}));
    assert!(e.contains("no page column"), "{e}");
    let e = run_err(
        &mut w,
        json!({"dataset": "ev", "steps": [{"event": "A"}], "order": "sideways"}),
    );
    assert!(e.contains("sideways"), "{e}");
    let e = run_err(
        &mut w,
        json!({"dataset": "ev", "steps": [{"event": "A"}], "breakdown": {"column": "device", "attribution": "step", "step": 3}}),
    );
    assert!(e.contains("step 3 is not a step"), "{e}");
    let e = run_err(
        &mut w,
        json!({"dataset": "ev", "steps": [{"event": "A", "where": [{"column": "device", "op": "in"}]}]}),
    );
    assert!(e.contains("needs a list"), "{e}");
    let e = run_err(
        &mut w,
        json!({"dataset": "ev", "steps": [{"event": "A"}], "date_range": {"from": "last tuesday"}}),
    );
    assert!(e.contains("not a date"), "{e}");
    // a dataset without a time column
    let cols = [
        col(
            "user",
            stepwise_engine::ColumnType::Text,
            Some(stepwise_engine::Role::User),
        ),
        col(
            "event",
            stepwise_engine::ColumnType::Text,
            Some(stepwise_engine::Role::Event),
        ),
    ];
    dataset(
        &mut w.ws,
        "notime",
        stepwise_engine::DatasetKind::Events,
        &cols,
        &[vec!["u".into(), "A".into()]],
    );
    let e = run_err(
        &mut w,
        json!({"dataset": "notime", "steps": [{"event": "A"}]}),
    );
    assert!(e.contains("no time column"), "{e}");
    // unknown events are a warning, not an error
    let r = run(
        &mut w,
        json!({"dataset": "ev", "steps": [{"event": "A"}, {"event": "Nope"}]}),
    );
    assert_eq!(counts(&r), vec![1, 0]);
    assert!(r
        .warnings
        .iter()
        .any(|w| w.contains("no event named \"Nope\"")));
}

#[test]
fn index_is_cached_per_dataset_and_unit() {
    let mut w = workspace();
    events(&mut w, &[("u1", 0, "A", ""), ("u1", 5, "B", "")]);
    let rec = w.ws.dataset("ev").unwrap();
    let steps = json!([{"event": "A"}, {"event": "B"}]);
    run(&mut w, json!({"dataset": "ev", "steps": steps}));
    assert!(w
        .cache
        .contains(rec.id, stepwise_engine::index::Unit::Users));
    assert!(!w
        .cache
        .contains(rec.id, stepwise_engine::index::Unit::Sessions));
    let a = w
        .cache
        .get(&w.ws, &rec, stepwise_engine::index::Unit::Users)
        .unwrap();
    let b = w
        .cache
        .get(&w.ws, &rec, stepwise_engine::index::Unit::Users)
        .unwrap();
    assert!(std::sync::Arc::ptr_eq(&a, &b));
}

#[test]
fn csv_import_with_integer_epoch_times() {
    let mut w = workspace();
    let path = w.dir.path().join("shop events.csv");
    std::fs::write(
        &path,
        "user_id,event_time,event_name,device_category\n\
         a,1725148800000,view_item,mobile\n\
         a,1725148860000,add_to_cart,mobile\n\
         b,1725148800000,view_item,desktop\n\
         a,1725148900000,purchase,mobile\n",
    )
    .unwrap();
    let opts = stepwise_engine::import::ImportOptions {
        name: Some("shop events".into()),
        map: vec![(stepwise_engine::Role::Time, "event_time".into())],
        ..Default::default()
    };
    stepwise_engine::import::import_file(
        &mut w.ws,
        &path,
        &opts,
        &mut stepwise_engine::Job::silent(),
    )
    .unwrap();
    let r = run(
        &mut w,
        json!({"dataset": "shop events",
               "steps": [{"label": "Viewed product", "event": "view_item"},
                         {"event": "add_to_cart", "where": [{"column": "device_category", "op": "eq", "value": "mobile"}]},
                         {"event": "purchase"}],
               "window": "30m"}),
    );
    assert_eq!(counts(&r), vec![2, 1, 1]);
    assert_eq!(r.steps[0].label, "Viewed product");
    // milliseconds were recognised: 60 s, then 40 s
    assert_eq!(r.steps[1].average_seconds, Some(60.0));
    assert_eq!(r.steps[2].average_seconds, Some(40.0));
}

#[test]
fn metric_table_funnel_sums_rows() {
    let mut w = workspace();
    let path = w.dir.path().join("pages.csv");
    std::fs::write(
        &path,
        "Page path,Device,Users\n/product/a,mobile,600\n/product/b,desktop,400\n/cart,mobile,300\n/cart,desktop,100\n/checkout,mobile,50\n/checkout,desktop,30\n",
    )
    .unwrap();
    stepwise_engine::import::import_file(
        &mut w.ws,
        &path,
        &stepwise_engine::import::ImportOptions::default(),
        &mut stepwise_engine::Job::silent(),
    )
    .unwrap();
    let r = run(
        &mut w,
        json!({"dataset": "pages", "metric": "Users", "dimension": "Page path",
               "steps": [{"label": "Product", "value": "/product/*"}, {"value": "/cart"}, {"value": {"regex": "^/check"}}],
               "breakdown": {"column": "Device"}}),
    );
    assert_eq!(counts(&r), vec![1000, 400, 80]);
    assert_eq!(r.steps[1].dropped, 600);
    assert!((r.steps[2].conversion_from_previous - 0.2).abs() < 1e-12);
    assert_eq!(r.steps[1].average_seconds, None);
    assert_eq!(r.unit, "rows");
    let by: Vec<(String, Vec<u64>)> = r
        .breakdown
        .iter()
        .map(|b| (b.value.clone(), b.steps.iter().map(|s| s.count).collect()))
        .collect();
    assert_eq!(
        by,
        vec![
            ("mobile".into(), vec![600, 300, 50]),
            ("desktop".into(), vec![400, 100, 30])
        ]
    );
    // defaults: the first dimension and metric columns
    let r = run(
        &mut w,
        json!({"dataset": "pages", "steps": [{"value": "/cart"}, {"value": "/checkout", "where": [{"column": "Device", "op": "eq", "value": "mobile"}]}]}),
    );
    assert_eq!(counts(&r), vec![400, 50]);
    let e = run_err(
        &mut w,
        json!({"dataset": "pages", "steps": [{"event": "x"}]}),
    );
    assert!(e.contains("metric table"), "{e}");
    let e = run_err(
        &mut w,
        json!({"dataset": "pages", "steps": [{"value": "/cart"}], "trend": {"interval": "day"}}),
    );
    assert!(e.contains("metric table"), "{e}");
}

#[test]
fn from_one_start_each_step_takes_the_first_matching_event() {
    let mut w = workspace();
    events(
        &mut w,
        &[
            ("u", 0, "A", ""),
            ("u", 1, "B", ""),
            ("u", 2, "B", ""),
            ("u", 5, "C", ""),
        ],
    );
    let r = run(&mut w, json!({"dataset": "ev", "steps": abc()}));
    assert_eq!(counts(&r), vec![1, 1, 1]);
    assert_eq!(r.steps[1].average_seconds, Some(1.0));
    assert_eq!(r.steps[2].average_seconds, Some(4.0));
}

#[test]
fn strict_ties_put_other_events_last() {
    let mut w = workspace();
    events(
        &mut w,
        &[("u", 5, "A", ""), ("u", 5, "X", ""), ("u", 5, "B", "")],
    );
    let r = run(
        &mut w,
        json!({"dataset": "ev", "steps": [{"event": "A"}, {"event": "B"}], "order": "strict"}),
    );
    assert_eq!(counts(&r), vec![1, 1]);
}

#[test]
fn counting_users_needs_a_user_column() {
    let mut w = workspace();
    let cols = [
        col(
            "sid",
            stepwise_engine::ColumnType::Text,
            Some(stepwise_engine::Role::Session),
        ),
        col(
            "time",
            stepwise_engine::ColumnType::Timestamp,
            Some(stepwise_engine::Role::Time),
        ),
        col(
            "event",
            stepwise_engine::ColumnType::Text,
            Some(stepwise_engine::Role::Event),
        ),
    ];
    let rows: Vec<Vec<String>> = [("s1", 0, "A"), ("s1", 5, "B"), ("s2", 0, "A")]
        .iter()
        .map(|(s, t, e)| vec![s.to_string(), t.to_string(), e.to_string()])
        .collect();
    dataset(
        &mut w.ws,
        "visits",
        stepwise_engine::DatasetKind::Events,
        &cols,
        &rows,
    );
    let steps = json!([{"event": "A"}, {"event": "B"}]);
    let e = run_err(&mut w, json!({"dataset": "visits", "steps": steps}));
    assert!(
        e.contains("no user column") && e.contains("count sessions"),
        "{e}"
    );
    let r = run(
        &mut w,
        json!({"dataset": "visits", "steps": steps, "count": "sessions"}),
    );
    assert_eq!(counts(&r), vec![2, 1]);
}

#[test]
fn far_away_dates_do_not_break_trends() {
    let mut w = workspace();
    let far = 400_000_000_000i64; // year ~14,700
    events(
        &mut w,
        &[
            ("u1", far, "A", ""),
            ("u1", far + 5, "B", ""),
            ("u2", -far, "A", ""),
        ],
    );
    for interval in ["day", "week", "month"] {
        let r = run(
            &mut w,
            json!({"dataset": "ev", "steps": [{"event": "A"}, {"event": "B"}], "trend": {"interval": interval}}),
        );
        let t = r.trend.unwrap();
        assert_eq!(t.iter().map(|p| p.entered).sum::<u64>(), 2, "{interval}");
        assert_eq!(t.iter().map(|p| p.converted).sum::<u64>(), 1, "{interval}");
    }
}
