//! `stepwise funnel` and `stepwise compare` with the buyer-status
//! breakdown (`"$buyer_status"`, docs/funnel.md "Buyer status").

mod common;
use common::{json, ok, stepwise};

/// The worked example of docs/funnel.md.
const EVENTS: &str = "user,sid,time,event
u1,s1,2024-09-02T10:00:00Z,purchase
u1,s2,2024-09-07T09:00:00Z,view
u1,s2,2024-09-07T09:30:00Z,purchase
u2,s3,2024-09-03T10:00:00Z,view
u2,s3,2024-09-03T10:20:00Z,purchase
u2,s3,2024-09-03T10:20:00Z,purchase
u3,s4,2024-09-04T00:00:00Z,view
u4,s5,2024-09-02T12:00:00Z,purchase
u4,s6,2024-09-05T00:00:00Z,view
";

fn rows(v: &serde_json::Value, key: &str, name: &str) -> Vec<(String, Vec<u64>)> {
    v[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b[name].as_str().unwrap().to_string(),
                b["steps"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|s| s["count"].as_u64().unwrap())
                    .collect(),
            )
        })
        .collect()
}

#[test]
fn funnel_and_compare_by_buyer_status() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws.stepwise");
    let csv = dir.path().join("events.csv");
    std::fs::write(&csv, EVENTS).unwrap();
    json(&stepwise(
        &ws,
        &[
            "import",
            csv.to_str().unwrap(),
            "--name",
            "ev",
            "--map",
            "user=user",
            "--map",
            "session=sid",
            "--json",
        ],
    ));
    let funnel =
        r#"{"dataset": "ev", "steps": [{"event": "view"}, {"event": "purchase"}], "window": "1d"}"#;
    let spec = dir.path().join("funnel.json");
    std::fs::write(
        &spec,
        funnel.replace(
            r#""window": "1d"}"#,
            r#""window": "1d", "breakdown": {"column": "$buyer_status"}}"#,
        ),
    )
    .unwrap();
    let f = json(&stepwise(
        &ws,
        &["funnel", spec.to_str().unwrap(), "--json"],
    ));
    let want = vec![
        ("First-time".to_string(), vec![2, 1]),
        ("Returning".to_string(), vec![2, 1]),
    ];
    assert_eq!(rows(&f, "breakdown", "value"), want);
    // the text table names the rows
    let text = ok(&stepwise(&ws, &["funnel", spec.to_str().unwrap()]));
    assert!(
        text.contains("First-time") && text.contains("Returning"),
        "{text}"
    );

    let cmp = dir.path().join("compare.json");
    std::fs::write(
        &cmp,
        format!(r#"{{"funnel": {funnel}, "by": "$buyer_status", "baseline": "Returning"}}"#),
    )
    .unwrap();
    let c = json(&stepwise(
        &ws,
        &["compare", cmp.to_str().unwrap(), "--json"],
    ));
    assert_eq!(c["baseline"], "Returning");
    // sentences name it in words
    assert_eq!(c["shown"]["heading"], "Comparison by buyer status");
    assert_eq!(rows(&c, "segments", "name"), want);

    // ClickHouse refuses it by name
    let out = stepwise(
        &ws,
        &["funnel", spec.to_str().unwrap(), "--sql", "clickhouse"],
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        !out.status.success() && err.contains("buyer status"),
        "{err}"
    );
}

/// The Shopify orders export (one row per line item), imported with its
/// Financial Status as the event (the preset alone gives a metric table):
/// orders by first-time and returning customers, 3 and 48 as a direct count
/// of the CSV gives (crates/engine/tests/funnel_real.rs counts it).
#[test]
fn shopify_orders_by_buyer_status() {
    let real = std::env::var_os("STEPWISE_SHARED_DATA")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/data/real")
        });
    let file = real.join("platforms/shopify_orders_export_devstore_inr.csv");
    if !file.is_file() {
        eprintln!("skipped: {} is not there", file.display());
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws.stepwise");
    let v = json(&stepwise(
        &ws,
        &[
            "import",
            file.to_str().unwrap(),
            "--name",
            "orders",
            "--map",
            "event=Financial Status",
            "--json",
        ],
    ));
    assert_eq!(v["datasets"][0]["kind"], "events");
    let spec = dir.path().join("orders.json");
    std::fs::write(
        &spec,
        r#"{"dataset": "orders", "steps": [{"label": "Order", "where": [{"column": "Name", "op": "is_set"}]}],
            "count": "sessions", "breakdown": {"column": "$buyer_status"}}"#,
    )
    .unwrap();
    let f = json(&stepwise(
        &ws,
        &["funnel", spec.to_str().unwrap(), "--json"],
    ));
    assert_eq!(f["steps"][0]["count"], 51);
    assert_eq!(
        rows(&f, "breakdown", "value"),
        vec![
            ("Returning".to_string(), vec![48]),
            ("First-time".to_string(), vec![3])
        ]
    );
}
