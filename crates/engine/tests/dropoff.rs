//! Who dropped where: the list of units that reached step k-1 but not k has
//! exactly count[k-1] - count[k] entries, on a hand-built case and on
//! generated clickstreams (users and sessions, every order).

#[path = "funnel_util.rs"]
mod funnel_util;

use funnel_util::*;
use stepwise_engine::dropoff::{dropoff, write_dropoff_csv};
use stepwise_engine::funnel::{run_funnel, FunnelSpec};
use stepwise_engine::generate::{write_clickstream_file, GenOptions};
use stepwise_engine::import::{import_file, ImportOptions};
use stepwise_engine::{ColumnType, DatasetKind, Job, Role};

fn spec(json: &str) -> FunnelSpec {
    FunnelSpec::from_json(json).unwrap()
}

#[test]
fn a_hand_built_funnel_lists_exactly_who_dropped() {
    let mut w = workspace();
    events(
        &mut w,
        &[
            // a: all three steps
            ("a", 10, "view", "m"),
            ("a", 20, "cart", "m"),
            ("a", 30, "buy", "m"),
            // b: view, cart
            ("b", 10, "view", "d"),
            ("b", 20, "cart", "d"),
            // c: view only
            ("c", 10, "view", "d"),
            // d: cart before view: in order, only the view counts
            ("d", 10, "cart", "m"),
            ("d", 20, "view", "m"),
            // =cmd: a formula-looking id, view only
            ("=cmd", 10, "view", "m"),
            // an id a CSV must quote, view only
            ("x,\"y\"", 10, "view", "m"),
            // e: never entered
            ("e", 10, "buy", "m"),
        ],
    );
    let s = spec(
        r#"{"dataset": "ev", "steps": [{"event": "view"}, {"event": "cart"}, {"event": "buy"}]}"#,
    );
    let r = run_funnel(&w.ws, &s, &mut w.cache).unwrap();
    let counts: Vec<u64> = r.steps.iter().map(|s| s.count).collect();
    assert_eq!(counts, vec![6, 2, 1]);

    let d1 = dropoff(&w.ws, &s, &mut w.cache, 1, 100).unwrap();
    assert_eq!(d1.count, 4);
    assert_eq!(d1.header, vec!["user"]);
    let mut ids: Vec<&str> = d1.rows.iter().map(|r| r[0].as_str()).collect();
    ids.sort();
    assert_eq!(ids, vec!["=cmd", "c", "d", "x,\"y\""]);
    assert_eq!(d1.from_label, "view");
    assert_eq!(d1.to_label, "cart");

    let d2 = dropoff(&w.ws, &s, &mut w.cache, 2, 100).unwrap();
    assert_eq!(d2.rows, vec![vec!["b".to_string()]]);

    // the limit cuts the rows, not the count
    let d = dropoff(&w.ws, &s, &mut w.cache, 1, 2).unwrap();
    assert_eq!((d.count, d.rows.len()), (4, 2));

    // CSV: header, one line per unit, the formula neutralised
    let mut out = Vec::new();
    let n = write_dropoff_csv(&w.ws, &s, &mut w.cache, 1, &mut out).unwrap();
    assert_eq!(n, 4);
    let text = String::from_utf8(out).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.remove(0), "user");
    lines.sort();
    assert_eq!(lines, vec!["\"x,\"\"y\"\"\"", "'=cmd", "c", "d"]);
    // a CSV reader gets the ids back, the formula neutralised
    let mut ids: Vec<String> = csv::Reader::from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap()[0].to_string())
        .collect();
    ids.sort();
    assert_eq!(ids, ["'=cmd", "c", "d", "x,\"y\""]);

    // steps out of range are errors in words
    for bad in [0, 3] {
        let e = dropoff(&w.ws, &s, &mut w.cache, bad, 10).unwrap_err();
        assert!(e.to_string().contains("from 2 to 3"), "{e}");
    }
}

#[test]
fn on_generated_data_every_drop_matches_the_funnel_counts() {
    let mut w = workspace();
    let path = w.dir.path().join("shop.csv");
    write_clickstream_file(&path, &GenOptions::with_events(40_000)).unwrap();
    let io = ImportOptions {
        name: Some("shop".into()),
        ..Default::default()
    };
    import_file(&mut w.ws, &path, &io, &mut Job::silent()).unwrap();
    for (order, count) in [
        ("ordered", "users"),
        ("strict", "sessions"),
        ("unordered", "users"),
        ("ordered", "sessions"),
    ] {
        let s = spec(&format!(
            r#"{{"dataset": "shop", "order": "{order}", "count": "{count}", "window": "2d",
                "steps": [{{"event": "view_item"}}, {{"event": "add_to_cart"}},
                          {{"event": "begin_checkout"}}, {{"event": "purchase"}}],
                "exclude": [{{"event": "use_filter", "from_step": 1, "to_step": 2}}]}}"#
        ));
        let r = run_funnel(&w.ws, &s, &mut w.cache).unwrap();
        assert!(r.steps[0].count > 100, "{order}/{count}: {:?}", r.steps);
        for k in 1..4 {
            let d = dropoff(&w.ws, &s, &mut w.cache, k, 5).unwrap();
            let expected = r.steps[k - 1].count - r.steps[k].count;
            assert_eq!(d.count, expected, "{order}/{count} step {k}");
            assert_eq!(d.unit, count);
            assert_eq!(d.rows.len(), expected.min(5) as usize);
            let mut out = Vec::new();
            let n = write_dropoff_csv(&w.ws, &s, &mut w.cache, k, &mut out).unwrap();
            assert_eq!(n, expected);
            let text = String::from_utf8(out).unwrap();
            assert_eq!(text.lines().count() as u64, expected + 1);
            if count == "sessions" {
                assert_eq!(d.header, vec!["user", "session"]);
            }
            // ids are distinct
            let mut lines: Vec<&str> = text.lines().skip(1).collect();
            lines.sort();
            lines.dedup();
            assert_eq!(lines.len() as u64, expected, "{order}/{count} step {k}");
        }
    }
}

#[test]
fn a_metric_table_has_nobody_to_list() {
    let mut w = workspace();
    let cols = [
        col("page", ColumnType::Text, Some(Role::Page)),
        col("users", ColumnType::Integer, Some(Role::Metric)),
    ];
    let rows = vec![
        vec!["/".to_string(), "100".to_string()],
        vec!["/cart".to_string(), "10".to_string()],
    ];
    dataset(&mut w.ws, "report", DatasetKind::Metrics, &cols, &rows);
    let s = spec(r#"{"dataset": "report", "steps": [{"value": "/"}, {"value": "/cart"}]}"#);
    let e = dropoff(&w.ws, &s, &mut w.cache, 1, 10).unwrap_err();
    assert!(e.to_string().contains("metric table"), "{e}");
}

#[test]
fn optional_steps_and_open_funnels_are_refused_with_a_reason() {
    let mut w = workspace();
    events(&mut w, &[("u1", 0, "A", ""), ("u1", 10, "C", "")]);
    for (s, why) in [
        (
            r#"{"dataset": "ev", "steps": [{"event": "A"}, {"event": "B", "optional": true}, {"event": "C"}]}"#,
            "optional steps",
        ),
        (
            r#"{"dataset": "ev", "steps": [{"event": "A"}, {"event": "C"}], "open": true}"#,
            "\"open\"",
        ),
    ] {
        let e = dropoff(&w.ws, &spec(s), &mut w.cache, 1, 10).unwrap_err();
        assert!(e.to_string().contains(why), "{e}");
        // the funnel itself runs
        assert!(run_funnel(&w.ws, &spec(s), &mut w.cache).is_ok());
    }
}
