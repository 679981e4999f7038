//! The semantics brought in line with PostHog (docs/funnel.md): equal
//! timestamps as a matching, unordered funnels with exclusions, breakdown
//! attribution over missing values, and trends that judge each period on
//! its own. Every case is checked against the plain reference too, and a
//! property test compares the fast engine with the reference on data that
//! spans several days (so that periods, windows and ties all interact).

#[path = "funnel_util.rs"]
mod util;

use proptest::prelude::*;
use serde_json::json;
use stepwise_engine::funnel::reference::reference_funnel;
use stepwise_engine::funnel::{run_funnel, FunnelResult, FunnelSpec};
use util::*;

use util::fast_and_reference as both;

fn rows_of(r: &FunnelResult) -> Vec<(String, Vec<u64>)> {
    r.breakdown
        .iter()
        .map(|b| (b.value.clone(), b.steps.iter().map(|s| s.count).collect()))
        .collect()
}

fn trend_of(r: &FunnelResult) -> Vec<(String, u64, u64)> {
    r.trend
        .as_ref()
        .unwrap()
        .iter()
        .map(|p| (p.period.clone(), p.entered, p.converted))
        .collect()
}

fn steps(names: &[&str]) -> serde_json::Value {
    json!(names
        .iter()
        .map(|n| json!({"event": n}))
        .collect::<Vec<_>>())
}

#[test]
fn events_at_one_instant_fill_steps_as_a_matching() {
    let mut w = workspace();
    events(
        &mut w,
        &[
            // the example: [A, B, A] with B@5, A@5, A@5
            ("u1", 5, "B", "b"),
            ("u1", 5, "A", "a1"),
            ("u1", 5, "A", "a2"),
            // a longer funnel whose names repeat, all at one instant
            ("u2", 9, "C", ""),
            ("u2", 9, "B", ""),
            ("u2", 9, "A", ""),
            ("u2", 9, "B", ""),
            ("u2", 9, "A", ""),
            // too few events at the instant: as far as they go
            ("u3", 3, "B", ""),
            ("u3", 3, "A", ""),
        ],
    );
    let r = both(
        &mut w,
        json!({"dataset": "ev", "steps": steps(&["A", "B", "A"])}),
    );
    assert_eq!(counts(&r), vec![3, 3, 2]);
    assert_eq!(r.steps[2].average_seconds, Some(0.0));
    let r = both(
        &mut w,
        json!({"dataset": "ev", "steps": steps(&["A", "B", "A", "B", "C"])}),
    );
    assert_eq!(counts(&r), vec![3, 3, 2, 1, 1]);
    // which event fills which step: both of u1's A's start an attempt
    // that reaches step 2 at the same instant; the counted one is the
    // attempt whose last step came first in row order (see "Attempts and
    // counting"), here the one that started at the second A and took the
    // first A for step 2
    let r = both(
        &mut w,
        json!({"dataset": "ev", "steps": steps(&["A", "B", "A"]),
               "breakdown": {"column": "device", "attribution": "step", "step": 2}}),
    );
    assert_eq!(
        rows_of(&r),
        vec![
            ("(none)".into(), vec![2, 2, 1]),
            ("a1".into(), vec![1, 1, 1])
        ]
    );
    // later instants continue the attempt as before
    let mut w = workspace();
    events(
        &mut w,
        &[
            ("u1", 0, "A", ""),
            ("u1", 5, "B", ""),
            ("u1", 5, "A", ""),
            ("u1", 7, "A", ""),
            ("u1", 8, "C", ""),
        ],
    );
    let r = both(
        &mut w,
        json!({"dataset": "ev", "steps": steps(&["A", "A", "B", "A", "C"])}),
    );
    assert_eq!(counts(&r), vec![1, 1, 1, 1, 1]);
    // A@0, A@5 (step 1), B@5 (step 2), A@7, C@8
    assert_eq!(r.steps[1].average_seconds, Some(5.0));
    assert_eq!(r.steps[2].average_seconds, Some(0.0));
}

/// PostHog's test_funnel_unordered.py,
/// test_advanced_funnel_multiple_exclusions_between_steps: five people,
/// exclusions x and y over the whole funnel; an exclusion discards the
/// progress so far and the person counts at the steps reached after it.
#[test]
fn unordered_exclusions_discard_progress_like_posthog() {
    let mut w = workspace();
    let h = 3600;
    let people: [&[(i64, &str)]; 5] = [
        &[
            (h, "S"),
            (2 * h, "x"),
            (3 * h, "P"),
            (4 * h, "I"),
            (4 * h + h / 2, "y"),
            (5 * h, "T"),
            (6 * h, "V"),
        ],
        &[
            (h, "S"),
            (h + h / 2, "y"),
            (2 * h, "P"),
            (4 * h, "I"),
            (4 * h + h / 2, "y"),
            (5 * h, "T"),
            (5 * h + h / 2, "x"),
            (6 * h, "V"),
        ],
        &[
            (h, "S"),
            (h + h / 2, "x"),
            (2 * h, "P"),
            (4 * h, "I"),
            (5 * h, "T"),
            (5 * h + h / 2, "x"),
            (6 * h, "V"),
        ],
        &[
            (h, "S"),
            (2 * h, "P"),
            (4 * h, "I"),
            (5 * h, "T"),
            (6 * h, "V"),
        ],
        &[
            (h, "S"),
            (h + h / 2, "x"),
            (2 * h, "P"),
            (2 * h + h / 2, "x"),
            (4 * h, "I"),
            (4 * h + h / 2, "y"),
            (5 * h, "T"),
            (5 * h + h / 2, "x"),
            (6 * h, "V"),
        ],
    ];
    let names = ["p1", "p2", "p3", "p4", "p5"];
    let mut rows = Vec::new();
    for (p, evs) in names.iter().zip(people) {
        for &(t, e) in evs {
            rows.push((*p, t, e, ""));
        }
    }
    events(&mut w, &rows);
    let spec = json!({"dataset": "ev", "steps": steps(&["S", "P", "I", "T", "V"]), "order": "unordered",
                      "exclude": [{"event": "x"}, {"event": "y"}]});
    let r = both(&mut w, spec);
    assert_eq!(counts(&r), vec![5, 2, 1, 1, 1]);
    assert_eq!(r.excluded, 0);

    // progress spoiled with nothing after it: left out (and counted in
    // `excluded`); the exclusion after the funnel completed does nothing
    let mut w = workspace();
    events(
        &mut w,
        &[
            ("u1", 0, "A", ""),
            ("u1", 10, "B", ""),
            ("u1", 20, "X", ""),
            ("u2", 0, "B", ""),
            ("u2", 10, "A", ""),
            ("u2", 20, "C", ""),
            ("u2", 30, "X", ""),
            ("u3", 0, "A", ""),
            ("u3", 10, "X", ""),
            ("u3", 20, "B", ""),
        ],
    );
    let r = both(
        &mut w,
        json!({"dataset": "ev", "steps": steps(&["A", "B", "C"]), "order": "unordered",
               "exclude": [{"event": "X"}]}),
    );
    // u1: left out; u2: complete before X; u3: B after X counts one step
    assert_eq!(counts(&r), vec![2, 1, 1]);
    assert_eq!(r.excluded, 1);
    // ordered funnels keep their rule: the unit is left out when its
    // furthest attempt is spoiled (u2: A then X; u3: X between A and B);
    // u1's X comes after B
    let r = both(
        &mut w,
        json!({"dataset": "ev", "steps": steps(&["A", "B"]), "exclude": [{"event": "X"}]}),
    );
    assert_eq!(counts(&r), vec![1, 1]);
    assert_eq!(r.excluded, 2);
}

#[test]
fn first_and_last_touch_skip_missing_values() {
    let mut w = workspace();
    events(
        &mut w,
        &[
            // the value is set on some events only
            ("u1", 0, "A", ""),
            ("u1", 10, "B", "mobile"),
            ("u1", 20, "C", ""),
            ("u2", 0, "A", "desktop"),
            ("u2", 10, "B", ""),
            ("u3", 0, "A", ""),
            ("u3", 10, "B", ""),
            // values outside the counted attempt do not count
            ("u4", 0, "X", "tv"),
            ("u4", 5, "A", ""),
            ("u5", 0, "A", "mobile"),
            ("u5", 10, "B", "tablet"),
            ("u5", 20, "C", "desktop"),
        ],
    );
    let abc = steps(&["A", "B", "C"]);
    let r = both(
        &mut w,
        json!({"dataset": "ev", "steps": abc, "breakdown": {"column": "device"}}),
    );
    assert_eq!(
        rows_of(&r),
        vec![
            ("(none)".into(), vec![2, 1, 0]),
            ("mobile".into(), vec![2, 2, 2]),
            ("desktop".into(), vec![1, 1, 0]),
        ]
    );
    let r = both(
        &mut w,
        json!({"dataset": "ev", "steps": abc, "breakdown": {"column": "device", "attribution": "last_touch"}}),
    );
    assert_eq!(
        rows_of(&r),
        vec![
            ("(none)".into(), vec![2, 1, 0]),
            ("desktop".into(), vec![2, 2, 1]),
            ("mobile".into(), vec![1, 1, 1]),
        ]
    );
    // every unit in exactly one row
    for q in 0..3 {
        let sum: u64 = r.breakdown.iter().map(|b| b.steps[q].count).sum();
        assert_eq!(sum, r.steps[q].count);
    }
}

#[test]
fn trends_judge_each_period_on_its_own() {
    let mut w = workspace();
    // 2024-09-02 is a Monday
    let mon = 1_725_235_200;
    events(
        &mut w,
        &[
            // enters Monday without converting, Tuesday and converts
            ("u1", mon + 100, "A", ""),
            ("u1", mon + DAY + 100, "A", ""),
            ("u1", mon + DAY + 200, "B", ""),
            // converts Monday and enters again Wednesday without converting
            ("u2", mon + 100, "A", ""),
            ("u2", mon + 200, "B", ""),
            ("u2", mon + 2 * DAY, "A", ""),
            // Monday's attempt converts on Tuesday: Monday's conversion
            ("u3", mon + DAY - 10, "A", ""),
            ("u3", mon + DAY + 10, "B", ""),
        ],
    );
    let ab = steps(&["A", "B"]);
    let r = both(
        &mut w,
        json!({"dataset": "ev", "steps": ab, "window": "1d", "trend": {"interval": "day"}}),
    );
    assert_eq!(
        trend_of(&r),
        vec![
            ("2024-09-02".into(), 3, 2),
            ("2024-09-03".into(), 1, 1),
            ("2024-09-04".into(), 1, 0),
        ]
    );
    // the funnel itself still counts each unit once
    assert_eq!(counts(&r), vec![3, 3]);
    // weekly: one entry per unit and week
    let r = both(
        &mut w,
        json!({"dataset": "ev", "steps": ab, "window": "1d", "trend": {"interval": "week"}}),
    );
    assert_eq!(trend_of(&r), vec![("2024-09-02".into(), 3, 3)]);
    // a period whose attempts are all spoiled is left out of that period
    let mut w = workspace();
    events(
        &mut w,
        &[
            ("u1", mon, "A", ""),
            ("u1", mon + 5, "X", ""),
            ("u1", mon + 10, "B", ""),
            ("u1", mon + DAY, "A", ""),
            ("u1", mon + DAY + 10, "B", ""),
        ],
    );
    let r = both(
        &mut w,
        json!({"dataset": "ev", "steps": ab, "window": "1h", "trend": {"interval": "day"},
               "exclude": [{"event": "X"}]}),
    );
    assert_eq!(trend_of(&r), vec![("2024-09-03".into(), 1, 1)]);
}

/// The Stepwise side of the table "Where Stepwise differs from PostHog" in
/// docs/funnel.md (rows 1 to 4 and 6).
#[test]
fn divergences_from_posthog_stepwise_side() {
    let mut w = workspace();
    events(
        &mut w,
        &[
            // row 1: strict order among simultaneous events
            ("s1", 5, "A", ""),
            ("s1", 5, "B", ""),
            ("s1", 5, "X", ""),
            ("s1", 6, "C", ""),
        ],
    );
    let r = both(
        &mut w,
        json!({"dataset": "ev", "steps": steps(&["A", "B", "C"]), "order": "strict"}),
    );
    assert_eq!(counts(&r), vec![1, 1, 0]);

    // row 2: an excluded event at the step's instant comes after it
    let mut w = workspace();
    events(
        &mut w,
        &[("e1", 5, "A", ""), ("e1", 5, "X", ""), ("e1", 10, "B", "")],
    );
    let r = both(
        &mut w,
        json!({"dataset": "ev", "steps": steps(&["A", "B"]), "exclude": [{"event": "X"}]}),
    );
    assert_eq!((counts(&r), r.excluded), (vec![0, 0], 1));

    // row 3: unordered, one event matching two steps: a matching
    let mut w = workspace();
    events(&mut w, &[("m1", 0, "A", "m"), ("m1", 5, "A", "d")]);
    let r = both(
        &mut w,
        json!({"dataset": "ev", "order": "unordered", "steps": [
            {"event": "A"}, {"where": [{"column": "device", "op": "eq", "value": "m"}]}]}),
    );
    assert_eq!(counts(&r), vec![1, 1]);

    // row 4: first touch looks at the counted attempt only
    let mut w = workspace();
    events(
        &mut w,
        &[
            ("f1", 0, "A", "mobile"),
            ("f1", 3 * DAY, "A", ""),
            ("f1", 3 * DAY + 10, "B", "desktop"),
        ],
    );
    let r = both(
        &mut w,
        json!({"dataset": "ev", "steps": steps(&["A", "B"]), "window": "1d",
               "breakdown": {"column": "device"}}),
    );
    assert_eq!(rows_of(&r), vec![("desktop".into(), vec![1, 1])]);

    // row 6: a conversion time of 0 s counts
    let mut w = workspace();
    events(
        &mut w,
        &[
            ("z1", 0, "A", ""),
            ("z1", 0, "B", ""),
            ("z2", 0, "A", ""),
            ("z2", 10, "B", ""),
        ],
    );
    let r = both(
        &mut w,
        json!({"dataset": "ev", "steps": steps(&["A", "B"])}),
    );
    assert_eq!(r.steps[1].average_seconds, Some(5.0));
    assert_eq!(r.steps[1].median_seconds, Some(5.0));
}

// ---- property test: fast engine == reference over several days -----------

const NAMES: [&str; 4] = ["A", "B", "C", "X"];
const DEVICES: [&str; 4] = ["m", "d", "", "t"];

#[derive(Debug, Clone)]
struct Case {
    /// (user, hour, event, device)
    rows: Vec<(u8, u8, usize, usize)>,
    /// (event, `within` of the step: none, 4h or 8h, first-time)
    steps: Vec<(usize, usize, bool)>,
    order: usize,
    window: usize,
    exclude: Vec<(usize, usize, usize)>,
    breakdown: Option<usize>,
    interval: usize,
    /// hold the device column constant
    hold: bool,
    /// optional steps (bit i: step i, when neither first nor last), and
    /// an open funnel (ordered and strict only)
    options: (u8, bool),
}

fn case() -> impl Strategy<Value = Case> {
    (
        prop::collection::vec((0u8..3, 0u8..40, 0usize..4, 0usize..4), 0..30),
        prop::collection::vec((0usize..3, 0usize..3, prop::bool::weighted(0.2)), 1..5),
        0usize..3,
        0usize..3,
        prop::collection::vec((0usize..4, 0usize..4, 0usize..2), 0..2),
        prop::option::of(0usize..3),
        0usize..3,
        prop::bool::weighted(0.3),
        (
            prop::option::weighted(0.3, 0u8..16).prop_map(|o| o.unwrap_or(0)),
            prop::bool::weighted(0.25),
        ),
    )
        .prop_map(
            |(rows, steps, order, window, exclude, breakdown, interval, hold, options)| Case {
                rows,
                steps,
                order,
                window,
                exclude,
                breakdown,
                interval,
                hold,
                options,
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 250, .. ProptestConfig::default() })]

    #[test]
    fn fast_path_equals_reference_across_periods(c in case()) {
        if c.rows.is_empty() {
            return Ok(());
        }
        let mut w = workspace();
        // every 4 hours from a Monday, with ties: 40 slots over ~6.5 days
        let base = 1_725_235_200i64;
        let users: Vec<String> = c.rows.iter().map(|r| format!("u{}", r.0)).collect();
        let rows: Vec<(&str, i64, &str, &str)> = c
            .rows
            .iter()
            .zip(&users)
            .map(|(&(_, h, e, d), u)| (u.as_str(), base + h as i64 * 4 * 3600, NAMES[e], DEVICES[d]))
            .collect();
        events(&mut w, &rows);
        let k = c.steps.len();
        let order = ["ordered", "strict", "unordered"][c.order];
        let window = ["4h", "1d", "3d"][c.window];
        let interval = ["day", "week", "hour"][c.interval];
        let optional = |i: usize| c.order != 2 && i > 0 && i + 1 < k && c.options.0 >> i & 1 != 0;
        let mut spec = json!({
            "dataset": "ev",
            "steps": c.steps.iter().enumerate().map(|(i, &(e, within, first))| {
                let mut s = json!({"event": NAMES[e]});
                if first {
                    s["first_time"] = json!(true);
                }
                if optional(i) {
                    s["optional"] = json!(true);
                }
                // a step window on later steps of ordered and strict funnels
                if i > 0 && within > 0 && c.order != 2 {
                    s["within"] = json!(["", "4h", "8h"][within]);
                }
                s
            }).collect::<Vec<_>>(),
            "order": order,
            "window": window,
            "trend": {"interval": interval},
        });
        let excl: Vec<_> = c
            .exclude
            .iter()
            .filter_map(|&(a, b, ev)| {
                let (a, b) = (a.min(b), a.max(b));
                {
                    let event = ["X", "B"][ev];
                    (b < k && a < b && !optional(a) && !optional(b))
                        .then(|| json!({"event": event, "from_step": a, "to_step": b}))
                }
            })
            .collect();
        if !excl.is_empty() {
            spec["exclude"] = json!(excl);
        }
        if c.hold {
            spec["hold"] = json!("device");
        }
        if c.options.1 && c.order != 2 {
            spec["open"] = json!(true);
        }
        if let Some(a) = c.breakdown {
            let attribution = ["first_touch", "last_touch", "step"][a];
            spec["breakdown"] = json!({"column": "device", "attribution": attribution, "step": k - 1});
        }
        let spec: FunnelSpec = serde_json::from_value(spec).unwrap();
        let mut fast = run_funnel(&w.ws, &spec, &mut w.cache).unwrap();
        fast.warnings.clear();
        let slow = reference_funnel(&w.ws, &spec).unwrap();
        prop_assert_eq!(&fast, &slow, "spec {}", serde_json::to_string(&spec).unwrap());
        // each period's entrants are at most the units, and converted at
        // most entered
        for p in fast.trend.as_deref().unwrap_or_default() {
            prop_assert!(p.converted <= p.entered);
        }
    }
}
