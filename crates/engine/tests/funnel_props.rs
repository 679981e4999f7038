//! Property tests: on random small event data and random funnels, the fast
//! engine equals the plain reference implementation, and counts never rise
//! along a funnel.

#[path = "funnel_util.rs"]
mod util;

use proptest::prelude::*;
use serde_json::json;
use stepwise_engine::funnel::reference::reference_funnel;
use stepwise_engine::funnel::{run_funnel, FunnelSpec};
use util::*;

const NAMES: [&str; 4] = ["A", "B", "C", "X"];
const ORDERS: [&str; 3] = ["ordered", "strict", "unordered"];
const WINDOWS: [&str; 4] = ["10m", "20m", "1h", "3h"];
const EXCL: [&str; 2] = ["X", "B"];
const DEVICES: [&str; 4] = ["m", "d", "t", ""];

#[derive(Debug, Clone)]
struct Case {
    rows: Vec<(u8, i64, usize, usize)>,
    steps: Vec<(usize, bool)>,
    order: usize,
    window: usize,
    sessions: bool,
    exclude: Vec<(usize, usize, usize)>,
    /// (attribution, or 3: buyer status; step; limit)
    breakdown: Option<(usize, usize, usize)>,
    extras: bool,
    /// (from, to) in 10-minute steps, and a filter on every event
    limits: (Option<u32>, Option<u32>, bool),
    /// a session column: each row's session (3 = missing), and whether the
    /// user is missing
    sessions_col: Option<Vec<(u8, bool)>>,
    /// hold the device column constant (`hold`)
    hold: bool,
    /// optional steps (bit i: step i, when neither first nor last), and
    /// an open funnel (ordered and strict only)
    options: (u8, bool),
}

fn case() -> impl Strategy<Value = Case> {
    (
        prop::collection::vec((0u8..3, 0i64..14, 0usize..4, 0usize..4), 0..40),
        prop::collection::vec((0usize..3, prop::bool::weighted(0.15)), 1..5),
        0usize..3,
        0usize..4,
        any::<bool>(),
        prop::collection::vec((0usize..4, 0usize..4, 0usize..2), 0..3),
        prop::option::of((0usize..4, 0usize..4, 1usize..4)),
        any::<bool>(),
        (
            prop::option::weighted(0.2, 0u32..10),
            prop::option::weighted(0.2, 5u32..24),
            prop::bool::weighted(0.2),
        ),
        prop::option::weighted(
            0.3,
            prop::collection::vec((0u8..4, prop::bool::weighted(0.1)), 40),
        ),
        prop::bool::weighted(0.3),
        (
            prop::option::weighted(0.3, 0u8..16).prop_map(|o| o.unwrap_or(0)),
            prop::bool::weighted(0.25),
        ),
    )
        .prop_map(
            |(
                rows,
                steps,
                order,
                window,
                sessions,
                exclude,
                breakdown,
                extras,
                limits,
                sessions_col,
                hold,
                options,
            )| Case {
                rows,
                steps,
                order,
                window,
                sessions,
                exclude,
                breakdown,
                extras,
                limits,
                sessions_col,
                hold,
                options,
            },
        )
}

fn spec_of(c: &Case) -> serde_json::Value {
    let k = c.steps.len();
    let unordered = ORDERS[c.order] == "unordered";
    let optional = |i: usize| !unordered && i > 0 && i + 1 < k && c.options.0 >> i & 1 != 0;
    let steps: Vec<_> = c
        .steps
        .iter()
        .enumerate()
        .map(|(i, &(e, filtered))| {
            let mut s = if filtered {
                json!({"event": NAMES[e], "where": [{"column": "device", "op": "in", "value": ["m", "t"]}]})
            } else {
                json!({"event": NAMES[e]})
            };
            if optional(i) {
                s["optional"] = json!(true);
            }
            s
        })
        .collect();
    let mut spec = json!({
        "dataset": "ev",
        "steps": steps,
        "order": ORDERS[c.order],
        "window": WINDOWS[c.window],
        "count": if c.sessions { "sessions" } else { "users" },
    });
    let excl: Vec<_> = c
        .exclude
        .iter()
        .filter_map(|&(a, b, ev)| {
            let (a, b) = (a.min(b), a.max(b));
            (b < k && a < b && !optional(a) && !optional(b))
                .then(|| json!({"event": EXCL[ev], "from_step": a, "to_step": b}))
        })
        .collect();
    if !excl.is_empty() {
        spec["exclude"] = json!(excl);
    }
    if let Some((attr, step, limit)) = c.breakdown {
        if attr == 3 {
            // first-time vs returning buyers of the last step
            spec["breakdown"] = json!({"column": "$buyer_status", "limit": limit});
        } else {
            let attr = ["first_touch", "last_touch", "step"][attr];
            spec["breakdown"] = json!({"column": "device", "attribution": attr, "step": step.min(k - 1), "limit": limit});
        }
    }
    // 2024-09-02 00:00 UTC plus 10-minute steps
    let at = |x: u32| format!("2024-09-02T{:02}:{:02}:00Z", x / 6, (x % 6) * 10);
    if c.limits.0.is_some() || c.limits.1.is_some() {
        let mut r = json!({});
        if let Some(a) = c.limits.0 {
            r["from"] = json!(at(a));
        }
        if let Some(b) = c.limits.1 {
            r["to"] = json!(at(b.max(c.limits.0.unwrap_or(0))));
        }
        spec["date_range"] = r;
    }
    if c.hold {
        spec["hold"] = json!("device");
    }
    if c.options.1 && !unordered {
        spec["open"] = json!(true);
    }
    if c.limits.2 {
        spec["where"] = json!([{"column": "device", "op": "ne", "value": "d"}]);
    }
    if c.extras {
        spec["trend"] = json!({"interval": "day"});
        if k > 1 {
            spec["time_to_convert"] = json!({"from_step": 0, "to_step": k - 1, "bins": 3});
        }
    }
    spec
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 300, .. ProptestConfig::default() })]

    #[test]
    fn fast_path_equals_reference(c in case()) {
        check(&c, spec_of(&c))?;
    }

    /// The shapes the pass decides most units of from their event names
    /// alone (`Pass::scan`: ordered, steps by event only, no date range,
    /// filter, trend, hold, optional step or open funnel; exclusions,
    /// breakdowns and time to convert allowed).
    #[test]
    fn lean_path_equals_reference(c in case().prop_map(|mut c| {
        c.order = 0;
        c.steps.iter_mut().for_each(|s| s.1 = false);
        c.limits = (None, None, false);
        c.hold = false;
        c.options = (0, false);
        c
    })) {
        let mut spec = spec_of(&c);
        spec.as_object_mut().unwrap().remove("trend");
        check(&c, spec)?;
    }
}

fn check(c: &Case, spec: serde_json::Value) -> Result<(), TestCaseError> {
    let mut w = workspace();
    // times in 10-minute steps from a Monday, so ties, windows and
    // 30-minute session gaps all happen
    let base = 1_725_235_200i64;
    let rows: Vec<(String, i64, &str, &str)> = c
        .rows
        .iter()
        .map(|&(u, t, e, d)| {
            (
                format!("u{u}"),
                base + t * 600 + (t % 3) * 1800,
                NAMES[e],
                DEVICES[d],
            )
        })
        .collect();
    let rows_ref: Vec<(&str, i64, &str, &str)> = rows
        .iter()
        .map(|(u, t, e, d)| (u.as_str(), *t, *e, *d))
        .collect();
    if rows_ref.is_empty() {
        return Ok(());
    }
    match &c.sessions_col {
        None => events(&mut w, &rows_ref),
        Some(sc) => {
            let sids = ["s0", "s1", "s2", ""];
            let with: Vec<(&str, &str, i64, &str, &str)> = rows_ref
                .iter()
                .zip(sc)
                .map(|(&(u, t, e, d), &(s, no_user))| {
                    (if no_user { "" } else { u }, sids[s as usize], t, e, d)
                })
                .collect();
            events_with_sessions(&mut w, &with);
        }
    }
    let spec: FunnelSpec = serde_json::from_value(spec).unwrap();
    let mut fast = run_funnel(&w.ws, &spec, &mut w.cache).unwrap();
    let slow = reference_funnel(&w.ws, &spec).unwrap();
    fast.warnings.clear();
    prop_assert_eq!(
        &fast,
        &slow,
        "spec {}",
        serde_json::to_string(&spec).unwrap()
    );
    // counts never rise along the required steps of a funnel that is
    // not open, overall and per breakdown value; an optional step
    // counts at most the required step before it
    let required: Vec<usize> = (0..spec.steps.len())
        .filter(|&q| spec.steps[q].optional != Some(true))
        .collect();
    if spec.open != Some(true) {
        for steps in std::iter::once(&fast.steps).chain(fast.breakdown.iter().map(|b| &b.steps)) {
            for p in required.windows(2) {
                prop_assert!(steps[p[1]].count <= steps[p[0]].count);
                for q in p[0] + 1..p[1] {
                    prop_assert!(steps[q].count <= steps[p[0]].count);
                }
            }
        }
    }
    // breakdown rows add up to the whole
    if !fast.breakdown.is_empty() {
        for q in 0..fast.steps.len() {
            let sum: u64 = fast.breakdown.iter().map(|b| b.steps[q].count).sum();
            prop_assert_eq!(sum, fast.steps[q].count);
        }
    }
    Ok(())
}

/// Enough units that the engine splits them over threads; the result must
/// still equal the reference.
#[test]
fn threaded_pass_equals_reference() {
    let mut w = workspace();
    let base = 1_725_235_200i64;
    let names = ["A", "B", "C", "X"];
    let devices = ["m", "d", "t", ""];
    let mut x = 0x2545_F491_4F6C_DD1Du64;
    let mut next = |n: u64| {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x % n
    };
    let mut rows: Vec<(String, i64, &str, &str)> = Vec::new();
    for u in 0..30_000 {
        for _ in 0..1 + next(5) {
            rows.push((
                format!("u{u}"),
                base + next(40) as i64 * 900,
                names[next(4) as usize],
                devices[next(4) as usize],
            ));
        }
    }
    let rows_ref: Vec<(&str, i64, &str, &str)> = rows
        .iter()
        .map(|(u, t, e, d)| (u.as_str(), *t, *e, *d))
        .collect();
    events(&mut w, &rows_ref);
    for spec in [
        json!({"dataset": "ev", "steps": [{"event": "A"}, {"event": "B"}, {"event": "C"}], "window": "2h",
               "breakdown": {"column": "device"}, "trend": {"interval": "month"},
               "time_to_convert": {"from_step": 0, "to_step": 2, "bins": 5}}),
        // decided from event names where it can (Pass::scan)
        json!({"dataset": "ev", "steps": [{"event": "A"}, {"event": "B"}, {"event": "C"}], "window": "1h",
               "breakdown": {"column": "device", "attribution": "last_touch"},
               "time_to_convert": {"from_step": 0, "to_step": 2, "bins": 5}}),
        json!({"dataset": "ev", "steps": [{"event": "A"}, {"event": "B"}, {"event": "C"}], "window": "1h",
               "exclude": [{"event": "X", "from_step": 1, "to_step": 2}], "count": "sessions",
               "breakdown": {"column": "device", "attribution": "step", "step": 1}}),
        json!({"dataset": "ev", "steps": [{"event": "A"}, {"event": "B"}], "order": "unordered",
               "exclude": [{"event": "X", "from_step": 0, "to_step": 1}], "count": "sessions"}),
    ] {
        let spec: FunnelSpec = serde_json::from_value(spec).unwrap();
        let mut fast = run_funnel(&w.ws, &spec, &mut w.cache).unwrap();
        fast.warnings.clear();
        let slow = reference_funnel(&w.ws, &spec).unwrap();
        assert_eq!(fast, slow);
        assert!(fast.steps[1].count > 100);
    }
}
