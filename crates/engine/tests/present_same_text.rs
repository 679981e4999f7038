//! The app's tables are the report's: for a funnel, a comparison and an
//! impact ranking run through the session facade (what the desktop app
//! calls), every cell's text equals what the PDF report prints for the same
//! spec, the marked row is the bottleneck module's step, and the notes and
//! headings are the report's; the exported CSV is the report's CSV.

use stepwise_engine::bottleneck::funnel_bottleneck;
use stepwise_engine::funnel::FunnelSpec;
use stepwise_engine::generate::{write_clickstream_file, GenOptions};
use stepwise_engine::import::{import_file, ImportOptions};
use stepwise_engine::index::IndexCache;
use stepwise_engine::present::Shown;
use stepwise_engine::report::build::build_report_dated;
use stepwise_engine::report::{table_to_csv, ReportSpec, Section, Table};
use stepwise_engine::session::{Session, TableAnalysis};
use stepwise_engine::{Job, Workspace};

const FUNNEL: &str = r#"{"dataset": "shop", "steps": [
    {"event": "page_view", "label": "Landed"},
    {"event": "view_item", "label": "Viewed product"},
    {"event": "add_to_cart", "label": "Added to cart"},
    {"event": "purchase", "label": "Purchased"}], "window": "7d"}"#;

fn compare_json() -> String {
    format!(r#"{{"funnel": {FUNNEL}, "by": "device_category"}}"#)
}

const IMPACT: &str = r#"{"dataset": "shop", "goal": {"event": "purchase"},
  "candidates": [{"event": "use_filter"}, {"event": "sign_up_newsletter"}, {"event": "add_to_cart"}]}"#;

fn session() -> (tempfile::TempDir, Session) {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("shop.csv");
    write_clickstream_file(&file, &GenOptions::with_events(20_000)).unwrap();
    let path = dir.path().join("w.stepwise");
    let mut ws = Workspace::open(&path).unwrap();
    let opts = ImportOptions {
        name: Some("shop".into()),
        ..Default::default()
    };
    import_file(&mut ws, &file, &opts, &mut Job::silent()).unwrap();
    drop(ws);
    let s = Session::open(&path).unwrap();
    (dir, s)
}

/// The report's first chart section for a one-section report.
fn report_section(s: &Session, section: &str) -> (String, Table, Vec<String>) {
    let spec =
        ReportSpec::from_json(&format!(r#"{{"title": "T", "sections": [{section}]}}"#)).unwrap();
    let doc = s
        .analyse(|ws, cache| build_report_dated(ws, &spec, cache, None))
        .unwrap();
    doc.sections
        .iter()
        .find_map(|sec| match sec {
            Section::Chart(c) => Some((c.heading.clone(), sec.table().unwrap(), c.notes.clone())),
            _ => None,
        })
        .unwrap()
}

fn assert_same(shown: &Shown, report: &(String, Table, Vec<String>)) {
    let (heading, table, notes) = report;
    assert_eq!(&shown.heading, heading);
    assert_eq!(&shown.notes, notes);
    assert_eq!(shown.table.columns, table.columns);
    assert_eq!(shown.table.rows.len(), table.rows.len());
    for (i, row) in shown.table.rows.iter().enumerate() {
        assert_eq!(row.len(), table.columns.len());
        for (j, cell) in row.iter().enumerate() {
            assert_eq!(cell.text, table.display(i, j), "row {i}, column {j}");
        }
    }
    assert_eq!(shown.table.highlight, table.highlight);
}

#[test]
fn funnel_table_is_the_reports() {
    let (_dir, s) = session();
    let app = s
        .funnel(serde_json::from_str(FUNNEL).unwrap(), None, None)
        .unwrap();
    let report = report_section(&s, &format!(r#"{{"funnel": {FUNNEL}}}"#));
    assert_same(app.shown(), &report);
    // the marked row is the bottleneck module's step
    let spec = FunnelSpec::from_json(FUNNEL).unwrap();
    let r = s
        .analyse(|ws, cache| stepwise_engine::funnel::run_funnel(ws, &spec, cache))
        .unwrap();
    let b = funnel_bottleneck(&r, 0.95).unwrap();
    assert_eq!(app.shown().bottleneck_step, Some(b.to_step));
    assert_eq!(app.shown().table.highlight, Some(b.to_step));
    assert!(app.shown().findings.contains(&b.finding));
    // one JSON object: the result's fields and `shown` side by side
    let json = serde_json::to_value(&app).unwrap();
    assert!(json["steps"].is_array() && json["shown"]["table"]["rows"].is_array());
    assert_eq!(json["shown"]["bottleneck_step"], b.to_step);
    assert!(json.get("svg").is_none());
    // a count prints with separators, a rate as a percentage
    let first = &app.shown().table.rows[0];
    assert_eq!(
        first[1].text,
        stepwise_engine::chart::format::count(r.steps[0].count)
    );
    assert_eq!(first[2].text, "100%");
}

#[test]
fn comparison_and_impact_tables_are_the_reports() {
    let (dir, s) = session();
    let app = s
        .compare(serde_json::from_str(&compare_json()).unwrap(), None)
        .unwrap();
    let report = report_section(&s, &format!(r#"{{"compare": {}}}"#, compare_json()));
    assert_same(app.shown(), &report);

    let app = s
        .impact(serde_json::from_str(IMPACT).unwrap(), None)
        .unwrap();
    let report = report_section(&s, &format!(r#"{{"impact": {IMPACT}}}"#));
    assert_same(app.shown(), &report);
    assert!(app
        .shown()
        .notes
        .iter()
        .any(|n| n.starts_with("Holm-adjusted p-values decide significance")));
    assert!(app
        .shown()
        .table
        .columns
        .iter()
        .any(|c| c.name == "p (Holm)"));

    // the exported table is the report's CSV
    let out = dir.path().join("impact.csv");
    s.export_table(
        TableAnalysis::Impact,
        serde_json::from_str(IMPACT).unwrap(),
        &out,
        None,
    )
    .unwrap();
    assert_eq!(
        std::fs::read_to_string(&out).unwrap(),
        table_to_csv(&report.1)
    );
    let out = dir.path().join("impact.xlsx");
    s.export_table(
        TableAnalysis::Impact,
        serde_json::from_str(IMPACT).unwrap(),
        &out,
        None,
    )
    .unwrap();
    assert!(std::fs::read(&out).unwrap().starts_with(b"PK"));
}

#[test]
fn a_spec_that_does_not_parse_names_the_field() {
    let (_dir, s) = session();
    let e = s
        .count_segment(
            serde_json::json!({"name": "Big spenders", "conditions": {"metric": "revenue"}}),
        )
        .unwrap_err();
    let m = e.to_string();
    assert!(m.starts_with("the persona could not be read: "), "{m}");
    assert!(!m.contains("invalid args"), "{m}");
    assert!(!m.contains('`'), "{m}");
    let _ = IndexCache::new();
}

/// The ICE table: the app's (`shown.priorities`), the report's table under
/// the opportunities and the exported CSV are the same cells; a typed effort
/// gives the ICE column.
#[test]
fn the_ice_table_is_the_reports_and_the_export() {
    let (dir, s) = session();
    let spec = format!(
        r#"{{{}, "value": {{"column": "value"}}, "effort": {{"2": 3, "4": 9}},
            "what_if": {{"step": 3, "like": {{"segment": {{"name": "Filter users",
              "conditions": [{{"did": {{"event": "use_filter"}}}}]}}}}}}}}"#,
        FUNNEL.trim_start_matches('{').trim_end_matches('}')
    );
    let v: stepwise_engine::value::ValueSpec = serde_json::from_str(&spec).unwrap();
    let r = s
        .analyse(|ws, cache| stepwise_engine::value::run_value(ws, &v, cache))
        .unwrap();
    let shown = stepwise_engine::present::value(None, None, &v, &r).shown();
    let report = ReportSpec::from_json(&format!(
        r#"{{"title": "T", "sections": [{{"value": {spec}}}]}}"#
    ))
    .unwrap();
    let doc = s
        .analyse(|ws, cache| build_report_dated(ws, &report, cache, None))
        .unwrap();
    let table = doc
        .sections
        .iter()
        .find_map(|sec| match sec {
            Section::Table { heading, table } if heading.ends_with("prioritisation (ICE)") => {
                Some(table.clone())
            }
            _ => None,
        })
        .expect("the report carries the ICE table");
    assert_eq!(shown.priorities.table.columns, table.columns);
    for (i, row) in shown.priorities.table.rows.iter().enumerate() {
        for (j, cell) in row.iter().enumerate() {
            assert_eq!(cell.text, table.display(i, j), "row {i}, column {j}");
        }
    }
    let step2 = r.priorities.iter().position(|p| p.step == 2).unwrap();
    assert_eq!(shown.priorities.table.rows[step2][5].text, "3");
    assert_eq!(
        shown.priorities.table.rows[step2][7].text,
        (r.priorities[step2].impact * r.priorities[step2].confidence * 8).to_string()
    );
    let out = dir.path().join("ice.csv");
    s.export_table(
        TableAnalysis::ValuePriorities,
        serde_json::from_str(&spec).unwrap(),
        &out,
        None,
    )
    .unwrap();
    assert_eq!(std::fs::read_to_string(&out).unwrap(), table_to_csv(&table));
}
