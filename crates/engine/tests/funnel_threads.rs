//! The pass split over several threads gives exactly what one thread gives,
//! on random data and funnels (thread count forced, so small data splits).

#[path = "funnel_util.rs"]
mod util;

use proptest::prelude::*;
use serde_json::json;
use stepwise_engine::funnel::{run_on_index_threads, FunnelSpec};
use stepwise_engine::index::{EventIndex, Unit};
use util::*;

const NAMES: [&str; 4] = ["A", "B", "C", "X"];
const ORDERS: [&str; 3] = ["ordered", "strict", "unordered"];
const DEVICES: [&str; 4] = ["m", "d", "t", ""];

proptest! {
    #![proptest_config(ProptestConfig { cases: 150, .. ProptestConfig::default() })]

    #[test]
    fn threaded_equals_single(
        rows in prop::collection::vec((0u8..12, 0i64..30, 0usize..4, 0usize..4), 1..80),
        steps in prop::collection::vec(0usize..4, 1..5),
        order in 0usize..3,
        sessions in any::<bool>(),
        threads in 2usize..6,
        excl in any::<bool>(),
        masked in prop::option::of(prop::collection::vec(any::<bool>(), 200)),
    ) {
        let mut w = workspace();
        let base = 1_725_235_200i64;
        let rows: Vec<(String, i64, &str, &str)> = rows
            .iter()
            .map(|&(u, t, e, d)| (format!("u{u}"), base + t * 600, NAMES[e], DEVICES[d]))
            .collect();
        let rows_ref: Vec<(&str, i64, &str, &str)> =
            rows.iter().map(|(u, t, e, d)| (u.as_str(), *t, *e, *d)).collect();
        events(&mut w, &rows_ref);
        let k = steps.len();
        let mut spec = json!({
            "dataset": "ev",
            "steps": steps.iter().map(|&e| json!({"event": NAMES[e]})).collect::<Vec<_>>(),
            "order": ORDERS[order],
            "window": "1h",
            "count": if sessions { "sessions" } else { "users" },
            "breakdown": {"column": "device", "attribution": "last_touch"},
            "trend": {"interval": "day"},
        });
        if k > 1 {
            spec["time_to_convert"] = json!({"from_step": 0, "to_step": k - 1, "bins": 4});
            if excl {
                spec["exclude"] = json!([{"event": "X", "from_step": 0, "to_step": k - 1}]);
            }
        }
        let spec: FunnelSpec = serde_json::from_value(spec).unwrap();
        let unit = if sessions { Unit::Sessions } else { Unit::Users };
        let rec = w.ws.dataset("ev").unwrap();
        let ix = EventIndex::build(&w.ws, &rec, unit).unwrap();
        let mask: Option<Vec<bool>> = masked.map(|m| (0..ix.units()).map(|u| m[u % m.len()]).collect());
        let one = run_on_index_threads(&w.ws, &ix, &spec, mask.as_deref(), Some(1)).unwrap();
        let many = run_on_index_threads(&w.ws, &ix, &spec, mask.as_deref(), Some(threads)).unwrap();
        prop_assert_eq!(&one, &many);
        prop_assert!(ix.units() >= 1);
    }
}
