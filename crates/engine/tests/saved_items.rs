//! Saved items are the engine's own specs; a workspace written by the
//! version before (schema 2, the app's own JSON) is converted on open.

use rusqlite::params;
use serde_json::json;
use std::path::Path;
use stepwise_engine::funnel::run_funnel;
use stepwise_engine::import::{import_file, ImportOptions};
use stepwise_engine::index::{IndexCache, Unit};
use stepwise_engine::report::build::build_report;
use stepwise_engine::report::Section;
use stepwise_engine::saved::SavedSpec;
use stepwise_engine::segment::segment_members;
use stepwise_engine::{Job, Role, Workspace};

const EVENTS: &str = "\
user,time,event,device,revenue
u1,2024-09-01T10:00:00Z,page_view,mobile,
u1,2024-09-01T10:05:00Z,use_filter,mobile,
u1,2024-09-01T10:10:00Z,purchase,desktop,50
u1,2024-09-03T09:00:00Z,purchase,desktop,30
u2,2024-09-02T12:00:00Z,page_view,desktop,
u2,2024-09-02T12:10:00Z,use_filter,desktop,
u2,2024-09-20T08:00:00Z,use_filter,,
u3,2024-09-05T08:00:00Z,page_view,,
u3,2024-09-05T08:45:00Z,page_view,tablet,
u3,2024-09-05T09:00:00Z,purchase,tablet,200
u4,2024-09-10T08:00:00Z,page_view,mobile,
";

/// A workspace with the dataset "shop".
fn shop(dir: &Path) -> std::path::PathBuf {
    let csv = dir.join("shop.csv");
    std::fs::write(&csv, EVENTS).unwrap();
    let path = dir.join("w.stepwise");
    let mut ws = Workspace::open(&path).unwrap();
    let opts = ImportOptions {
        name: Some("shop".into()),
        map: vec![
            (Role::User, "user".into()),
            (Role::Time, "time".into()),
            (Role::Event, "event".into()),
            (Role::Value, "revenue".into()),
        ],
        ..Default::default()
    };
    import_file(&mut ws, &csv, &opts, &mut Job::silent()).unwrap();
    path
}

// What the app of schema 2 saved, JSON for JSON: ui/src/lib/segment.ts
// buildSegment (value conditions as {"metric"}, behaviour "within N days"
// as within_days_of_first_seen, NOT groups, "colour"), funnel.ts buildSpec
// (the persona copied in as "segment"), ReportView.svelte (sections
// {type, title, spec, findings} and {type: "text", title, text}).
fn big_spenders_app() -> serde_json::Value {
    json!({"name": "Big spenders", "match": "all",
        "conditions": [{"metric": "revenue", "op": "gte", "value": 100}],
        "dataset": "shop", "colour": "#0072B2"})
}

fn filter_fans_app() -> serde_json::Value {
    json!({"name": "Filter fans", "match": "all", "conditions": [
        {"did": {"event": "use_filter"}, "at_least": 1, "within_days_of_first_seen": 7},
        {"not": {"match": "any", "conditions": [
            {"column": "device", "op": "eq", "value": "tablet", "value_of": "ever"}]}}
    ], "dataset": "shop", "description": "use the filter in their first week", "colour": "#E69F00"})
}

fn funnel_app() -> serde_json::Value {
    json!({"dataset": "shop", "steps": [{"event": "page_view"}, {"label": "Bought", "event": "purchase"}],
        "order": "ordered", "window": "14d", "count": "users", "segment": big_spenders_app()})
}

fn report_app() -> serde_json::Value {
    json!({"title": "September", "sections": [
        {"type": "funnel", "title": "Big spenders buy", "spec": funnel_app(), "findings": "Every big spender bought."},
        {"type": "text", "title": "Next steps", "text": "Show the filter earlier."}
    ]})
}

/// Writes the saved items as the shell of schema 2 did
/// (`INSERT ... (kind, name, spec, updated_at)` with the app's JSON), and
/// sets the file back to schema 2.
fn write_as_schema_2(path: &Path, items: &[(&str, &str, serde_json::Value)]) {
    let conn = rusqlite::Connection::open(path).unwrap();
    conn.execute("DELETE FROM saved_items", []).unwrap();
    // the tables of later migrations did not exist at schema 2
    conn.execute_batch(
        "DROP TABLE IF EXISTS clickhouse_connections; DROP TABLE IF EXISTS event_tags;
         ALTER TABLE datasets DROP COLUMN stored_bytes;",
    )
    .unwrap();
    for (kind, name, spec) in items {
        conn.execute(
            "INSERT INTO saved_items(kind, name, spec, updated_at) VALUES (?1, ?2, ?3, ?4)",
            params![kind, name, spec.to_string(), "2026-11-30T09:00:00Z"],
        )
        .unwrap();
    }
    conn.pragma_update(None, "user_version", 2).unwrap();
}

#[test]
fn items_saved_by_the_app_of_schema_2_load_as_engine_specs_and_run() {
    let dir = tempfile::tempdir().unwrap();
    let path = shop(dir.path());
    let half_week = json!({"name": "Half week", "match": "all", "conditions": [
        {"did": {"event": "use_filter"}, "at_least": 1, "within_days_of_first_seen": 3.5}]});
    write_as_schema_2(
        &path,
        &[
            ("segment", "Big spenders", big_spenders_app()),
            ("segment", "Filter fans", filter_fans_app()),
            ("segment", "Half week", half_week.clone()),
            ("funnel", "Big spenders buy", funnel_app()),
            ("report", "September", report_app()),
        ],
    );

    let ws = Workspace::open(&path).unwrap();
    // migrated to this build's version (3 converted the items; 4 and 5 add
    // the ClickHouse connections and the event tags; 6 keeps the stored size)
    assert_eq!(ws.schema_version().unwrap(), 6);
    let rec = ws.dataset("shop").unwrap();
    assert!(rec.info.stored_bytes > 0);
    assert!(ws.event_tags("shop").unwrap().is_empty());
    let mut cache = IndexCache::new();

    // segments: the engine's keys, and the counts worked by hand
    let SavedSpec::Segment(big) = ws.load_saved("segment", "Big spenders").unwrap() else {
        panic!("not a segment")
    };
    let v = serde_json::to_value(&big).unwrap();
    assert_eq!(v["conditions"][0]["measure"], "revenue");
    assert_eq!(big.color.as_deref(), Some("#0072B2"));
    let r = segment_members(&ws, &big, &mut cache, Unit::Users).unwrap();
    assert_eq!((r.members, r.total_units), (1, 4));
    assert_eq!(r.sample, ["u3"]);

    let SavedSpec::Segment(fans) = ws.load_saved("segment", "Filter fans").unwrap() else {
        panic!("not a segment")
    };
    assert_eq!(
        serde_json::to_value(&fans).unwrap()["conditions"][0]["within_days"],
        7
    );
    let r = segment_members(&ws, &fans, &mut cache, Unit::Users).unwrap();
    assert_eq!(r.sample, ["u1", "u2"]);

    // the funnel with its persona: only u3, who viewed and bought
    let SavedSpec::Funnel(f) = ws.load_saved("funnel", "Big spenders buy").unwrap() else {
        panic!("not a funnel")
    };
    let counts: Vec<u64> = run_funnel(&ws, &f, &mut cache)
        .unwrap()
        .steps
        .iter()
        .map(|s| s.count)
        .collect();
    assert_eq!(counts, [1, 1]);

    // the report: the app's sections as the engine's, and it builds
    let SavedSpec::Report(rep) = ws.load_saved("report", "September").unwrap() else {
        panic!("not a report")
    };
    assert_eq!(rep.sections[0].heading.as_deref(), Some("Big spenders buy"));
    assert_eq!(
        rep.sections[0].intro.as_deref(),
        Some("Every big spender bought.")
    );
    assert_eq!(rep.sections[0].funnel.as_ref(), Some(&f));
    assert_eq!(
        rep.sections[1].text.as_deref(),
        Some("Show the filter earlier.")
    );
    let doc = build_report(&ws, &rep, &mut cache).unwrap();
    let headings: Vec<&str> = doc.sections.iter().filter_map(|s| s.heading()).collect();
    assert!(headings.contains(&"Big spenders buy"), "{headings:?}");
    assert!(doc.sections.iter().any(
        |s| matches!(s, Section::Text { body, .. } if body.contains("Show the filter earlier"))
    ));

    // listing: the four converted ones; the fifth is kept, not lost, and says why
    let names: Vec<(String, &str)> = ws
        .saved(None)
        .unwrap()
        .iter()
        .map(|i| (i.name.clone(), i.kind()))
        .collect();
    assert_eq!(
        names,
        [
            ("Big spenders buy".to_string(), "funnel"),
            ("September".to_string(), "report"),
            ("Big spenders".to_string(), "segment"),
            ("Filter fans".to_string(), "segment"),
        ]
    );
    let kept = ws.unreadable_items().unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].kind, "legacy_segment");
    assert_eq!(kept[0].name, "Half week");
    assert_eq!(kept[0].spec, half_week);
    assert!(
        kept[0].reason.contains("earlier version") && kept[0].reason.contains("3.5"),
        "{}",
        kept[0].reason
    );
    let e = ws
        .load_saved("segment", "Half week")
        .unwrap_err()
        .to_string();
    assert!(e.contains("could not be converted"), "{e}");

    // the app's list_items gives the same items, on the same wire shape
    let listed = serde_json::to_value(ws.list_items("segment").unwrap()).unwrap();
    assert_eq!(listed[0]["kind"], "segment");
    assert_eq!(listed[0]["spec"]["conditions"][0]["measure"], "revenue");
    drop(ws);

    // opening again changes nothing
    let ws = Workspace::open(&path).unwrap();
    assert_eq!(ws.saved(None).unwrap().len(), 4);
    assert_eq!(ws.unreadable_items().unwrap().len(), 1);

    // a corrected segment saved under its name replaces the kept one
    let fixed = json!({"name": "Half week", "conditions": [
        {"did": {"event": "use_filter"}, "at_least": 1, "within_days": 3}]});
    ws.save_item("segment", "Half week", &fixed).unwrap();
    assert!(ws.unreadable_items().unwrap().is_empty());
    assert_eq!(ws.saved(Some("segment")).unwrap().len(), 3);
}

#[test]
fn the_shell_save_item_refuses_the_old_shape_and_accepts_the_engine_one() {
    let dir = tempfile::tempdir().unwrap();
    let path = shop(dir.path());
    let ws = Workspace::open(&path).unwrap();
    let e = ws
        .save_item("segment", "Big spenders", &big_spenders_app())
        .unwrap_err()
        .to_string();
    assert!(e.contains("not a valid segment spec"), "{e}");
    assert!(ws.saved(None).unwrap().is_empty());
    let engine = json!({"name": "Big spenders", "conditions": [{"measure": "revenue", "op": "gte", "value": 100}]});
    ws.save_item("segment", "Big spenders", &engine).unwrap();
    let e = ws
        .save_item("report", "September", &report_app())
        .unwrap_err()
        .to_string();
    assert!(e.contains("not a valid report spec"), "{e}");
    assert_eq!(ws.saved(None).unwrap().len(), 1);
}
