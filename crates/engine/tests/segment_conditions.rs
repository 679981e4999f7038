//! Segment conditions, worked by hand on a tiny clickstream (docs/segments.md).
//! Every expected member list below was worked out from the CSV by hand.

use std::path::Path;
use stepwise_engine::import::{import_file, ImportOptions};
use stepwise_engine::index::{IndexCache, Unit};
use stepwise_engine::segment::{segment_members, write_audience_csv, SegmentSpec};
use stepwise_engine::{Job, Role, Workspace};

const EVENTS: &str = "\
user,time,event,page,device,revenue
u1,2024-09-01T10:00:00Z,page_view,/home,mobile,
u1,2024-09-01T10:05:00Z,use_filter,/search,mobile,
u1,2024-09-01T10:10:00Z,purchase,/thanks,desktop,50
u1,2024-09-03T09:00:00Z,purchase,/thanks,desktop,30
u2,2024-09-02T12:00:00Z,page_view,/home,desktop,
u2,2024-09-02T12:10:00Z,use_filter,/search,desktop,
u2,2024-09-02T12:20:00Z,use_filter,/search?q=x,desktop,
u2,2024-09-20T08:00:00Z,use_filter,/search,,
u3,2024-09-05T08:00:00Z,page_view,/home,,
u3,2024-09-05T08:45:00Z,page_view,/cart,tablet,
u3,2024-09-05T09:00:00Z,purchase,/thanks,tablet,200
u4,2024-09-10T08:00:00Z,page_view,/home,mobile,
";

pub struct Fixture {
    _dir: tempfile::TempDir,
    ws: Workspace,
    cache: IndexCache,
}

fn import(name: &str, csv: &str, map: &[(Role, &str)]) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(format!("{name}.csv"));
    std::fs::write(&path, csv).unwrap();
    let mut ws = Workspace::open(&dir.path().join("w.stepwise")).unwrap();
    let opts = ImportOptions {
        name: Some(name.into()),
        map: map.iter().map(|(r, c)| (*r, c.to_string())).collect(),
        ..Default::default()
    };
    import_file(&mut ws, Path::new(&path), &opts, &mut Job::silent()).unwrap();
    Fixture {
        _dir: dir,
        ws,
        cache: IndexCache::new(),
    }
}

fn shop() -> Fixture {
    import(
        "shop",
        EVENTS,
        &[
            (Role::User, "user"),
            (Role::Time, "time"),
            (Role::Event, "event"),
            (Role::Page, "page"),
            (Role::Value, "revenue"),
        ],
    )
}

/// The sorted members of a segment given by its conditions (JSON list).
fn members_unit(f: &mut Fixture, conditions: &str, unit: Unit) -> Vec<String> {
    let spec = SegmentSpec::from_json(&format!(
        r#"{{"name": "s", "dataset": "shop", "conditions": {conditions}}}"#
    ))
    .unwrap();
    let r = segment_members(&f.ws, &spec, &mut f.cache, unit).unwrap();
    assert_eq!(r.members as usize, r.sample.len());
    let mut s = r.sample;
    s.sort();
    s
}

fn members(f: &mut Fixture, conditions: &str) -> Vec<String> {
    members_unit(f, conditions, Unit::Users)
}

fn err(f: &mut Fixture, conditions: &str) -> String {
    let spec = SegmentSpec::from_json(&format!(
        r#"{{"name": "s", "dataset": "shop", "conditions": {conditions}}}"#
    ))
    .unwrap();
    segment_members(&f.ws, &spec, &mut f.cache, Unit::Users)
        .unwrap_err()
        .to_string()
}

fn ids(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

#[test]
fn property_ever_first_last() {
    let mut f = shop();
    let prop = |op: &str, value: &str, of: &str| {
        format!(r#"[{{"column": "device", "op": "{op}", "value": {value}, "value_of": "{of}"}}]"#)
    };
    // ever: any event of the user
    assert_eq!(
        members(&mut f, &prop("eq", "\"mobile\"", "ever")),
        ids(&["u1", "u4"])
    );
    assert_eq!(
        members(&mut f, &prop("eq", "\"tablet\"", "ever")),
        ids(&["u3"])
    );
    // ne passes a missing cell: u2 and u3 have one
    assert_eq!(
        members(&mut f, &prop("ne", "\"mobile\"", "ever")),
        ids(&["u1", "u2", "u3"])
    );
    // first: the earliest event with a value (u3's first event has none)
    assert_eq!(
        members(&mut f, &prop("eq", "\"mobile\"", "first")),
        ids(&["u1", "u4"])
    );
    assert_eq!(
        members(&mut f, &prop("eq", "\"tablet\"", "first")),
        ids(&["u3"])
    );
    // last: the latest event with a value (u2's last event has none)
    assert_eq!(
        members(&mut f, &prop("eq", "\"mobile\"", "last")),
        ids(&["u4"])
    );
    assert_eq!(
        members(&mut f, &prop("eq", "\"desktop\"", "last")),
        ids(&["u1", "u2"])
    );
    assert_eq!(
        members(&mut f, &prop("in", "[\"tablet\", \"mobile\"]", "last")),
        ids(&["u3", "u4"])
    );
    // default is ever
    assert_eq!(
        members(&mut f, r#"[{"column": "device", "op": "is_not_set"}]"#),
        ids(&["u2", "u3"])
    );
    assert_eq!(
        members(
            &mut f,
            r#"[{"column": "device", "op": "contains", "value": "TOP"}]"#
        ),
        ids(&["u1", "u2"])
    );
    // numbers compare as numbers
    assert_eq!(
        members(
            &mut f,
            r#"[{"column": "revenue", "op": "gt", "value": 40}]"#
        ),
        ids(&["u1", "u3"])
    );
    assert!(err(
        &mut f,
        r#"[{"column": "colour", "op": "eq", "value": "red"}]"#
    )
    .contains("colour"));
}

#[test]
fn behaviour_counts_and_time() {
    let mut f = shop();
    assert_eq!(
        members(&mut f, r#"[{"did": {"event": "use_filter"}}]"#),
        ids(&["u1", "u2"])
    );
    assert_eq!(
        members(
            &mut f,
            r#"[{"did": {"event": "use_filter"}, "at_least": 2}]"#
        ),
        ids(&["u2"])
    );
    assert_eq!(
        members(
            &mut f,
            r#"[{"did": {"event": "use_filter"}, "at_most": 1}]"#
        ),
        ids(&["u1"])
    );
    assert_eq!(
        members(&mut f, r#"[{"did_not": {"event": "use_filter"}}]"#),
        ids(&["u3", "u4"])
    );
    // u2's third filter is 18 days after first seen
    assert_eq!(
        members(
            &mut f,
            r#"[{"did": {"event": "use_filter"}, "at_least": 3}]"#
        ),
        ids(&["u2"])
    );
    assert_eq!(
        members(
            &mut f,
            r#"[{"did": {"event": "use_filter"}, "at_least": 3, "within_days": 7}]"#
        ),
        Vec::<String>::new()
    );
    assert_eq!(
        members(
            &mut f,
            r#"[{"did": {"event": "use_filter"}, "date_range": {"to": "2024-09-01"}}]"#
        ),
        ids(&["u1"])
    );
    // pages: glob and exact
    assert_eq!(
        members(&mut f, r#"[{"did": {"page": "/search*"}, "at_least": 2}]"#),
        ids(&["u2"])
    );
    assert_eq!(
        members(&mut f, r#"[{"did": {"page": "/search"}, "at_least": 2}]"#),
        ids(&["u2"])
    );
    assert_eq!(
        members(&mut f, r#"[{"did": {"page": "/cart"}}]"#),
        ids(&["u3"])
    );
    // with a filter on the event
    assert_eq!(
        members(
            &mut f,
            r#"[{"did": {"event": "purchase", "where": [{"column": "device", "op": "eq", "value": "desktop"}]}}]"#
        ),
        ids(&["u1"])
    );
    assert!(err(&mut f, r#"[{"did_not": {"event": "x"}, "at_least": 2}]"#).contains("did_not"));
    assert!(err(&mut f, r#"[{"did": {}}]"#).contains("needs"));
}

#[test]
fn value_conditions() {
    let mut f = shop();
    // revenue: u1 50 + 30 = 80, u3 200
    assert_eq!(
        members(
            &mut f,
            r#"[{"measure": "revenue", "op": "gte", "value": 80}]"#
        ),
        ids(&["u1", "u3"])
    );
    assert_eq!(
        members(
            &mut f,
            r#"[{"measure": "revenue", "op": "gt", "value": 80}]"#
        ),
        ids(&["u3"])
    );
    assert_eq!(
        members(
            &mut f,
            r#"[{"measure": "revenue", "op": "eq", "value": 0}]"#
        ),
        ids(&["u2", "u4"])
    );
    // derived sessions: u1 2 (a 2-day gap), u2 2, u3 2 (45 minutes between
    // its first two events), u4 1
    assert_eq!(
        members(
            &mut f,
            r#"[{"measure": "sessions", "op": "eq", "value": 2}]"#
        ),
        ids(&["u1", "u2", "u3"])
    );
    assert_eq!(
        members(
            &mut f,
            r#"[{"measure": "sessions", "op": "lt", "value": 2}]"#
        ),
        ids(&["u4"])
    );
    // days active: u1 Sep 1 and 3, u2 Sep 2 and 20, u3 and u4 one day
    assert_eq!(
        members(
            &mut f,
            r#"[{"measure": "days_active", "op": "gte", "value": 2}]"#
        ),
        ids(&["u1", "u2"])
    );
    // first seen: u1 Sep 1, u2 Sep 2, u3 Sep 5, u4 Sep 10
    assert_eq!(
        members(
            &mut f,
            r#"[{"measure": "first_seen", "op": "gte", "value": "2024-09-05"}]"#
        ),
        ids(&["u3", "u4"])
    );
    assert_eq!(
        members(
            &mut f,
            r#"[{"measure": "first_seen", "op": "lt", "value": "2024-09-02"}]"#
        ),
        ids(&["u1"])
    );
    assert!(err(
        &mut f,
        r#"[{"measure": "first_seen", "op": "gte", "value": "soon"}]"#
    )
    .contains("date"));
    assert!(err(
        &mut f,
        r#"[{"measure": "revenue", "op": "contains", "value": 1}]"#
    )
    .contains("gte"));
}

#[test]
fn groups_and_not() {
    let mut f = shop();
    assert_eq!(
        members(
            &mut f,
            r#"[{"did": {"event": "use_filter"}}, {"column": "device", "op": "eq", "value": "mobile"}]"#
        ),
        ids(&["u1"])
    );
    let any = r#"{"match": "any", "conditions": [
        {"measure": "revenue", "op": "gte", "value": 100},
        {"measure": "first_seen", "op": "gte", "value": "2024-09-10"}]}"#;
    assert_eq!(members(&mut f, &format!("[{any}]")), ids(&["u3", "u4"]));
    assert_eq!(
        members(&mut f, r#"[{"not": {"did": {"event": "use_filter"}}}]"#),
        ids(&["u3", "u4"])
    );
    assert_eq!(
        members(
            &mut f,
            &format!(
                r#"[{any}, {{"not": {{"column": "device", "op": "eq", "value": "tablet"}}}}]"#
            )
        ),
        ids(&["u4"])
    );
    // an empty "all" is everyone
    assert_eq!(members(&mut f, "[]"), ids(&["u1", "u2", "u3", "u4"]));
}

#[test]
fn sessions_as_units_and_share() {
    let mut f = shop();
    // 7 derived sessions; purchases are in u1's two and u3's second
    let spec = SegmentSpec::from_json(
        r#"{"name": "Buyers", "dataset": "shop", "conditions": [{"did": {"event": "purchase"}}]}"#,
    )
    .unwrap();
    let r = segment_members(&f.ws, &spec, &mut f.cache, Unit::Sessions).unwrap();
    assert_eq!((r.members, r.total_units), (3, 7));
    assert!((r.share - 3.0 / 7.0).abs() < 1e-12);
    assert_eq!(r.unit, "sessions");
    assert!(
        r.sample[0].starts_with("u1 / 2024-09-01T10:00:00Z"),
        "{:?}",
        r.sample
    );
    let users = segment_members(&f.ws, &spec, &mut f.cache, Unit::Users).unwrap();
    assert_eq!((users.members, users.total_units), (2, 4));
    assert_eq!(
        members_unit(
            &mut f,
            r#"[{"measure": "sessions", "op": "eq", "value": 1}]"#,
            Unit::Sessions
        )
        .len(),
        7
    );
}

#[test]
fn audience_csv_neutralises_formulas() {
    let csv = "user,time,event\n=HYPERLINK(\"x\"),2024-09-01T10:00:00Z,buy\n\"a,b\",2024-09-01T10:00:00Z,buy\n-3,2024-09-01T10:00:00Z,buy\nplain,2024-09-01T10:00:00Z,look\n";
    let mut f = import(
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
}

#[test]
fn a_segment_needs_a_dataset() {
    let mut f = shop();
    let spec = SegmentSpec::from_json(r#"{"name": "x", "conditions": []}"#).unwrap();
    let e = segment_members(&f.ws, &spec, &mut f.cache, Unit::Users).unwrap_err();
    assert!(e.to_string().contains("dataset"), "{e}");
}

#[test]
fn a_funnel_can_be_restricted_to_a_segment() {
    use stepwise_engine::funnel::{run_funnel, FunnelSpec};
    let mut f = shop();
    let run = |f: &mut Fixture, segment: &str| {
        let spec = FunnelSpec::from_json(&format!(
            r#"{{"dataset": "shop", "steps": [{{"event": "page_view"}}, {{"event": "purchase"}}]{segment}}}"#
        ))
        .unwrap();
        let r = run_funnel(&f.ws, &spec, &mut f.cache).unwrap();
        r.steps.iter().map(|s| s.count).collect::<Vec<_>>()
    };
    // everyone: u1..u4 view, u1 and u3 buy
    assert_eq!(run(&mut f, ""), [4, 2]);
    // filter users u1, u2: u1 buys
    let seg = r#", "segment": {"name": "Filter users", "conditions": [{"did": {"event": "use_filter"}}]}"#;
    assert_eq!(run(&mut f, seg), [2, 1]);
    // the others u3, u4: u3 buys
    let seg =
        r#", "segment": {"name": "Others", "conditions": [{"did_not": {"event": "use_filter"}}]}"#;
    assert_eq!(run(&mut f, seg), [2, 1]);
    // nobody
    let seg = r#", "segment": {"name": "Big spenders", "conditions": [{"measure": "revenue", "op": "gt", "value": 1000}]}"#;
    assert_eq!(run(&mut f, seg), [0, 0]);
}

#[test]
fn segments_save_and_load() {
    use stepwise_engine::segment::{save_segment, saved_segments};
    let f = shop();
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
