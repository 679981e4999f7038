//! Segments beyond their conditions: the audience CSV and saved segments.
//! The conditions themselves, worked by hand on a tiny clickstream
//! (docs/segments.md), are case files in tests/cases/segment/, run by
//! tests/cases.rs.

mod common;

use common::ws::TempWs;
use stepwise_engine::index::Unit;
use stepwise_engine::segment::{write_audience_csv, SegmentSpec};
use stepwise_engine::Role;

#[test]
fn audience_csv_neutralises_formulas() {
    let csv = "user,time,event\n=HYPERLINK(\"x\"),2024-09-01T10:00:00Z,buy\n\"a,b\",2024-09-01T10:00:00Z,buy\n-3,2024-09-01T10:00:00Z,buy\nplain,2024-09-01T10:00:00Z,look\n";
    let mut f = TempWs::with_csv(
        "shop",
        csv,
        &[
            (Role::User, "user"),
            (Role::Time, "time"),
            (Role::Event, "event"),
        ],
    );
    let spec = SegmentSpec::from_json(
        r#"{"name": "Buyers", "dataset": "shop", "conditions": [{"did": {"event": "buy"}}]}"#,
    )
    .unwrap();
    let mut out = Vec::new();
    let n = write_audience_csv(&f.ws, &spec, &mut f.cache, Unit::Users, &mut out).unwrap();
    assert_eq!(n, 3);
    let text = String::from_utf8(out).unwrap();
    let mut lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.remove(0), "user");
    lines.sort();
    assert_eq!(lines, vec!["\"'=HYPERLINK(\"\"x\"\")\"", "\"a,b\"", "'-3"]);
    // a CSV reader gets the ids back, the formulas neutralised
    let mut ids: Vec<String> = csv::Reader::from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap()[0].to_string())
        .collect();
    ids.sort();
    assert_eq!(ids, ["'-3", "'=HYPERLINK(\"x\")", "a,b"]);
}

#[test]
fn segments_save_and_load() {
    use stepwise_engine::saved::{save_segment, saved_segments};
    let f = TempWs::new();
    let spec = SegmentSpec::from_json(
        r##"{"name": "Filter users", "description": "used the filter", "color": "#3366cc", "dataset": "shop",
            "match": "any", "conditions": [{"did": {"event": "use_filter"}, "at_least": 2},
            {"not": {"measure": "days_active", "op": "lt", "value": 2}}]}"##,
    )
    .unwrap();
    save_segment(&f.ws, &spec).unwrap();
    save_segment(&f.ws, &spec).unwrap();
    assert_eq!(saved_segments(&f.ws).unwrap(), vec![spec]);
}
