//! Import features on files written here: dialects and encodings, time
//! zones, role overrides, presets for event exports (GA4 BigQuery JSON,
//! Mixpanel, Amplitude, PostHog), spreadsheets with title rows and merged
//! headers, duplicate detection and appends.

mod common;

use std::path::{Path, PathBuf};
use stepwise_engine::column::{Cell, Column};
use stepwise_engine::import::{self, ImportOptions};
use stepwise_engine::{
    CancelToken, ColumnType, DatasetKind, Error, Job, Progress, Role, Workspace,
};

struct Ws {
    dir: tempfile::TempDir,
    ws: Workspace,
}

fn ws() -> Ws {
    let dir = tempfile::tempdir().unwrap();
    let ws = Workspace::open(&dir.path().join("w.stepwise")).unwrap();
    Ws { dir, ws }
}

impl Ws {
    fn file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }
    fn import(&mut self, name: &str, bytes: &[u8], opts: ImportOptions) -> import::ImportReport {
        let p = self.file(name, bytes);
        import::import_file_report(&mut self.ws, &p, &opts, &mut Job::silent())
            .unwrap_or_else(|e| panic!("{name}: {e}"))
    }
    /// Imports `path` with `opts`, expecting an error.
    fn refuse(&mut self, path: &Path, opts: ImportOptions) -> Error {
        import::import_file(&mut self.ws, path, &opts, &mut Job::silent()).unwrap_err()
    }
    /// Appends `path` to `dataset`, expecting an error.
    fn refuse_append(&mut self, dataset: &str, path: &Path) -> Error {
        import::append_file(
            &mut self.ws,
            dataset,
            path,
            &ImportOptions::default(),
            &mut Job::silent(),
        )
        .unwrap_err()
    }
    fn col(&self, dataset: &str, column: &str) -> Column {
        let rec = self.ws.dataset(dataset).unwrap();
        self.ws.read_column_named(&rec, column).unwrap()
    }
    fn cells(&self, dataset: &str, column: &str) -> Vec<Cell> {
        let c = self.col(dataset, column);
        (0..c.len()).map(|i| c.cell(i)).collect()
    }
}

fn role_of(r: &import::ImportReport, role: Role) -> Option<String> {
    r.dataset
        .columns
        .iter()
        .find(|c| c.role == Some(role))
        .map(|c| c.name.clone())
}

fn ty_of(r: &import::ImportReport, name: &str) -> ColumnType {
    r.dataset
        .columns
        .iter()
        .find(|c| c.name == name)
        .unwrap()
        .ty
}

const T0: i64 = 1_704_067_200_000_000; // 2024-01-01 00:00:00 UTC in µs

#[test]
fn delimiters_quotes_and_line_endings() {
    let mut w = ws();
    for (name, text) in [
        ("comma.csv", "a,b\r\n\"x, y\",1\r\n\"say \"\"hi\"\"\",2\r\n"),
        ("semi.csv", "a;b\n\"x, y\";1\n\"say \"\"hi\"\"\";2\n"),
        ("tab.tsv", "a\tb\n\"x, y\"\t1\n\"say \"\"hi\"\"\"\t2\n"),
        ("pipe.txt", "a|b\r\"x, y\"|1\r\"say \"\"hi\"\"\"|2"),
    ] {
        let r = w.import(name, text.as_bytes(), ImportOptions::default());
        let ds = &r.dataset.name;
        assert_eq!(r.dataset.rows, 2, "{name}");
        assert_eq!(
            w.cells(ds, "a"),
            vec![Cell::Text("x, y".into()), Cell::Text("say \"hi\"".into())],
            "{name}"
        );
        assert_eq!(w.cells(ds, "b"), vec![Cell::Int(1), Cell::Int(2)], "{name}");
    }
}

#[test]
fn encodings() {
    let mut w = ws();
    let text = "Stadt;Umsatz\nZürich;1.234,50\nKöln;99,95\nMünchen;7,00\n";
    // Windows-1252 (Latin-1) without BOM
    let latin: Vec<u8> = text.chars().map(|c| u32::from(c) as u8).collect();
    let r = w.import("latin.csv", &latin, ImportOptions::default());
    assert_eq!(r.encoding.as_deref(), Some("windows-1252"));
    assert_eq!(r.delimiter.as_deref(), Some(";"));
    assert_eq!(r.number_style, import::infer::NumStyle::Comma);
    assert_eq!(w.cells("latin", "Stadt")[0], Cell::Text("Zürich".into()));
    assert_eq!(
        w.cells("latin", "Umsatz"),
        vec![Cell::Float(1234.5), Cell::Float(99.95), Cell::Float(7.0)]
    );
    // UTF-16 BE with BOM, UTF-16 LE without BOM, UTF-8 with BOM
    let mut be = vec![0xfe, 0xff];
    be.extend(text.encode_utf16().flat_map(|u| u.to_be_bytes()));
    let r = w.import("be.csv", &be, ImportOptions::default());
    assert_eq!(r.encoding.as_deref(), Some("UTF-16BE"));
    assert_eq!(w.cells("be", "Stadt")[2], Cell::Text("München".into()));
    let le: Vec<u8> = text.encode_utf16().flat_map(|u| u.to_le_bytes()).collect();
    let r = w.import("le.csv", &le, ImportOptions::default());
    assert_eq!(r.encoding.as_deref(), Some("UTF-16LE"));
    assert_eq!(w.cells("le", "Stadt")[1], Cell::Text("Köln".into()));
    let mut bom = b"\xef\xbb\xbf".to_vec();
    bom.extend(text.as_bytes());
    let r = w.import("bom.csv", &bom, ImportOptions::default());
    assert_eq!(r.dataset.columns[0].name, "Stadt");
}

#[test]
fn preambles_titles_and_several_tables() {
    let mut w = ws();
    let text = "# ----\n# Report\n# Start date: 20240101\n\nname,count\na,1\nb,2\n\n\
                # Second card\nkind,n\nx,5\ny,6\nz,7\n\nNo data available\n";
    let p = w.file("multi.csv", text.as_bytes());
    let tables = import::list_tables(&p, &ImportOptions::default()).unwrap();
    assert_eq!(tables.len(), 3);
    assert_eq!(tables[0].columns, vec!["name", "count"]);
    assert_eq!(
        tables[0].title.as_deref(),
        Some("Report · Start date: 20240101")
    );
    assert_eq!(tables[1].title.as_deref(), Some("Second card"));
    assert_eq!((tables[0].rows, tables[1].rows), (2, 3));
    assert_eq!(tables[0].line, 5);
    assert_eq!(tables[1].line, 10);
    let r = w.import("multi.csv", text.as_bytes(), ImportOptions::default());
    assert_eq!(r.table, 1);
    assert_eq!(r.dataset.rows, 3);
    let r = w.import(
        "multi2.csv",
        text.as_bytes(),
        ImportOptions {
            table: Some(0),
            allow_duplicate: true,
            ..Default::default()
        },
    );
    assert_eq!(r.dataset.rows, 2);
}

#[test]
fn the_header_can_be_forced() {
    let mut w = ws();
    let r = w.import(
        "h1.csv",
        b"a,b\n1,2\n",
        ImportOptions {
            header: Some(false),
            ..Default::default()
        },
    );
    assert_eq!(r.dataset.rows, 2);
    assert_eq!(r.dataset.columns[0].name, "column_1");
    assert_eq!(w.cells("h1", "column_1")[0], Cell::Text("a".into()));
    let r = w.import(
        "h2.csv",
        b"1,2\n3,4\n5,6\n",
        ImportOptions {
            header: Some(true),
            ..Default::default()
        },
    );
    assert_eq!(r.dataset.rows, 2);
    let names: Vec<&str> = r.dataset.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, vec!["1", "2"]);
    assert_eq!(w.cells("h2", "2"), vec![Cell::Int(4), Cell::Int(6)]);
}

#[test]
fn totals_rows_are_dropped_only_when_they_add_up() {
    let mut w = ws();
    let r = w.import(
        "t.csv",
        b"page,views\n/a,10\n,5\n/b,20\n,35\n",
        ImportOptions::default(),
    );
    assert_eq!(r.dataset.rows, 4 - 1);
    assert_eq!(r.skipped_rows, 1);
    // an empty first cell at the end that is not a sum stays
    let r = w.import(
        "u.csv",
        b"page,views\n/a,10\n/b,20\n,7\n",
        ImportOptions::default(),
    );
    assert_eq!(r.dataset.rows, 3);
    let r = w.import(
        "v.csv",
        b"page,views\n/a,10\n/b,20\nTotal,30\n",
        ImportOptions::default(),
    );
    assert_eq!(r.dataset.rows, 2);
}

#[test]
fn dates_numbers_and_durations() {
    let mut w = ws();
    let text = "day,us_day,amount,share,spent,stamp,epoch_ms\n\
                13/01/2024,01/13/2024,\"$1,299.00\",12.5%,00:01:23,2024-01-01T00:00:00Z,1704067200000\n\
                02/01/2024,02/01/2024,$5,100%,1:00:00,2024-01-01 01:00:00+01:00,1704067260000\n";
    let r = w.import("mixed.csv", text.as_bytes(), ImportOptions::default());
    assert_eq!(ty_of(&r, "day"), ColumnType::Date);
    assert_eq!(ty_of(&r, "us_day"), ColumnType::Date);
    let jan13 = 19_735;
    assert_eq!(
        w.cells("mixed", "day"),
        vec![Cell::Int(jan13), Cell::Int(jan13 - 11)]
    );
    assert_eq!(
        w.cells("mixed", "us_day"),
        vec![Cell::Int(jan13), Cell::Int(jan13 + 19)]
    );
    assert_eq!(
        w.cells("mixed", "amount"),
        vec![Cell::Float(1299.0), Cell::Float(5.0)]
    );
    assert_eq!(
        w.cells("mixed", "share"),
        vec![Cell::Float(0.125), Cell::Float(1.0)]
    );
    assert_eq!(ty_of(&r, "spent"), ColumnType::Duration);
    assert_eq!(
        w.cells("mixed", "spent"),
        vec![Cell::Int(83_000), Cell::Int(3_600_000)]
    );
    assert_eq!(
        w.cells("mixed", "stamp"),
        vec![Cell::Int(T0), Cell::Int(T0)]
    );
    assert_eq!(ty_of(&r, "epoch_ms"), ColumnType::Timestamp);
    assert_eq!(
        w.cells("mixed", "epoch_ms"),
        vec![Cell::Int(T0), Cell::Int(T0 + 60_000_000)]
    );
}

#[test]
fn time_zones() {
    let mut w = ws();
    let text = b"time,event\n2024-01-01 02:00:00,view\n2024-01-01 01:00:00Z,cart\n";
    let r = w.import(
        "tz.csv",
        text,
        ImportOptions {
            time_zone: Some("+02:00".into()),
            ..Default::default()
        },
    );
    assert_eq!(r.time_zone, "+02:00");
    // a time without a zone is local (+02:00); one with a zone keeps it
    assert_eq!(
        w.cells("tz", "time"),
        vec![Cell::Int(T0), Cell::Int(T0 + 3_600_000_000)]
    );
    assert_eq!(w.ws.dataset_meta("tz").unwrap()["time_zone"], "+02:00");
    // a named zone applies daylight saving: +01:00 in January, +02:00 in July
    let r = w.import(
        "ams.csv",
        b"time,event\n2024-01-01 01:00:00,view\n2024-07-01 02:00:00,view\n",
        ImportOptions {
            time_zone: Some("Europe/Amsterdam".into()),
            ..Default::default()
        },
    );
    assert_eq!(r.time_zone, "Europe/Amsterdam");
    let july = 1_719_792_000_000_000; // 2024-07-01 00:00:00 UTC
    assert_eq!(w.cells("ams", "time"), vec![Cell::Int(T0), Cell::Int(july)]);
    let p = w.file("tz2.csv", text);
    let err = w.refuse(
        &p,
        ImportOptions {
            time_zone: Some("Mars/Olympus".into()),
            ..Default::default()
        },
    );
    assert!(
        matches!(err, Error::Invalid(_)) && err.to_string().contains("+02:00"),
        "{err}"
    );
}

#[test]
fn role_and_type_overrides() {
    let mut w = ws();
    let text =
        b"when,what,who,amount\n2024-01-01 00:00:00,signup,u1,5\n2024-01-02 00:00:00,buy,u2,7\n";
    let r = w.import("plain.csv", text, ImportOptions::default());
    assert_eq!(r.dataset.kind, DatasetKind::Metrics);
    let map = ["time=when", "event=what", "user=who", "value=amount"]
        .iter()
        .map(|s| import::parse_map(s).unwrap())
        .collect();
    let r = w.import(
        "mapped.csv",
        text,
        ImportOptions {
            map,
            allow_duplicate: true,
            types: vec![("amount".into(), ColumnType::Decimal)],
            ..Default::default()
        },
    );
    assert_eq!(r.dataset.kind, DatasetKind::Events);
    assert_eq!(role_of(&r, Role::Event).as_deref(), Some("what"));
    assert_eq!(role_of(&r, Role::User).as_deref(), Some("who"));
    assert_eq!(role_of(&r, Role::Value).as_deref(), Some("amount"));
    assert_eq!(ty_of(&r, "amount"), ColumnType::Decimal);
    assert_eq!(
        w.cells("mapped", "amount"),
        vec![Cell::Float(5.0), Cell::Float(7.0)]
    );
    assert!(import::parse_map("colour=x")
        .unwrap_err()
        .to_string()
        .contains("unknown role"));
    assert!(import::parse_map("user")
        .unwrap_err()
        .to_string()
        .contains("ROLE=COLUMN"));
    let p = w.file("bad_map.csv", text);
    let err = w.refuse(
        &p,
        ImportOptions {
            map: vec![(Role::User, "nobody".into())],
            ..Default::default()
        },
    );
    assert!(err.to_string().contains("no column \"nobody\""), "{err}");
}

#[test]
fn ga4_bigquery_ndjson_event_params() {
    let mut w = ws();
    let mut text = String::new();
    for (i, name) in ["session_start", "page_view", "add_to_cart", "purchase"]
        .iter()
        .enumerate()
    {
        text.push_str(&format!(
            r#"{{"event_date":"20201101","event_timestamp":"{}","event_name":"{name}","event_params":[{{"key":"ga_session_id","value":{{"string_value":null,"int_value":"1604188800"}}}},{{"key":"page_location","value":{{"string_value":"https://shop.example/p{i}","int_value":null}}}}],"user_pseudo_id":"2697787.2422183099","device":{{"category":"mobile"}},"items":[]}}"#,
            1_604_188_800_000_000i64 + i as i64 * 1_000_000
        ));
        text.push('\n');
    }
    let r = w.import("ga4.ndjson", text.as_bytes(), ImportOptions::default());
    assert_eq!(r.format, "ndjson");
    assert_eq!(r.preset.as_deref(), Some("GA4 BigQuery export"));
    assert_eq!(r.dataset.kind, DatasetKind::Events);
    assert_eq!(r.dataset.rows, 4);
    assert_eq!(role_of(&r, Role::Time).as_deref(), Some("event_timestamp"));
    assert_eq!(role_of(&r, Role::Event).as_deref(), Some("event_name"));
    assert_eq!(role_of(&r, Role::User).as_deref(), Some("user_pseudo_id"));
    assert_eq!(
        role_of(&r, Role::Session).as_deref(),
        Some("event_params.ga_session_id")
    );
    assert_eq!(
        role_of(&r, Role::Page).as_deref(),
        Some("event_params.page_location")
    );
    assert_eq!(ty_of(&r, "user_pseudo_id"), ColumnType::Text);
    assert_eq!(ty_of(&r, "event_date"), ColumnType::Date);
    assert_eq!(
        w.cells("ga4", "event_timestamp")[1],
        Cell::Int(1_604_188_801_000_000)
    );
    assert_eq!(
        w.cells("ga4", "device.category")[0],
        Cell::Text("mobile".into())
    );
}

#[test]
fn mixpanel_amplitude_posthog_exports() {
    let mut w = ws();
    let mixpanel = "{\"event\":\"Viewed\",\"properties\":{\"time\":1704067200,\"distinct_id\":\"a\",\"$current_url\":\"/home\",\"$insert_id\":\"x1\"}}\n\
                    {\"event\":\"Bought\",\"properties\":{\"time\":1704067260,\"distinct_id\":\"a\",\"$current_url\":\"/cart\",\"$insert_id\":\"x2\",\"revenue\":9.5}}\n";
    let r = w.import(
        "mixpanel.json",
        mixpanel.as_bytes(),
        ImportOptions::default(),
    );
    assert_eq!(r.preset.as_deref(), Some("Mixpanel export"));
    assert_eq!(r.dataset.kind, DatasetKind::Events);
    assert_eq!(role_of(&r, Role::Time).as_deref(), Some("time"));
    assert_eq!(role_of(&r, Role::Page).as_deref(), Some("$current_url"));
    assert_eq!(
        w.cells("mixpanel", "time"),
        vec![Cell::Int(T0), Cell::Int(T0 + 60_000_000)]
    );
    assert_eq!(
        w.cells("mixpanel", "revenue"),
        vec![Cell::Null, Cell::Float(9.5)]
    );

    let amplitude = r#"[{"event_type":"session_start","amplitude_id":111,"user_id":"u1","device_id":"d1","session_id":1704067200000,"event_time":"2024-01-01 00:00:00.000000","event_properties":{"page_url":"/"}},
        {"event_type":"purchase","amplitude_id":111,"user_id":"u1","device_id":"d1","session_id":1704067200000,"event_time":"2024-01-01 00:05:00.500000","event_properties":{"page_url":"/thanks"},"revenue":12}]"#;
    let r = w.import(
        "amplitude.json",
        amplitude.as_bytes(),
        ImportOptions::default(),
    );
    assert_eq!(r.preset.as_deref(), Some("Amplitude export"));
    assert_eq!(role_of(&r, Role::Session).as_deref(), Some("session_id"));
    assert_eq!(ty_of(&r, "session_id"), ColumnType::Integer);
    assert_eq!(
        role_of(&r, Role::Page).as_deref(),
        Some("event_properties.page_url")
    );
    assert_eq!(
        w.cells("amplitude", "event_time")[1],
        Cell::Int(T0 + 300_500_000)
    );

    let posthog = r#"[{"uuid":"0188","event":"$pageview","distinct_id":"p1","timestamp":"2024-01-01T00:00:00Z","properties":{"$current_url":"https://x/","$session_id":"s1"}}]"#;
    let r = w.import("posthog.json", posthog.as_bytes(), ImportOptions::default());
    assert_eq!(r.preset.as_deref(), Some("PostHog export"));
    assert_eq!(role_of(&r, Role::Session).as_deref(), Some("$session_id"));
    assert_eq!(r.dataset.kind, DatasetKind::Events);
}

/// A workbook: a "Notes" sheet first, then "Funnel by country" with these
/// rows (merged cells as given).
fn xlsx(rows: &[&[&str]], merge: Option<&str>) -> Vec<u8> {
    common::xlsx::workbook(&[
        (
            "Notes",
            common::xlsx::sheet_xml(&[&["Read me first"]], None),
        ),
        ("Funnel by country", common::xlsx::sheet_xml(rows, merge)),
    ])
}

#[test]
fn spreadsheet_title_rows_merged_headers_and_sheets() {
    let mut w = ws();
    let book = xlsx(
        &[
            &["Funnel by country, Q1"],
            &[],
            &["step", "Users", "", "", "note"],
            &["view", "100", "80", "", ""],
            &["cart", "30", "20", "", "x"],
            &["buy", "10", "5", "", ""],
            &["Total", "140", "105", "", ""],
            &[],
            &["side table", "1"],
        ],
        Some("B3:C3"),
    );
    let p = w.file("book.xlsx", &book);
    assert_eq!(
        import::list_sheets(&p).unwrap(),
        vec!["Notes", "Funnel by country"]
    );
    let r = w.import("book.xlsx", &book, ImportOptions::default());
    assert_eq!(r.sheet.as_deref(), Some("Funnel by country"));
    assert_eq!(r.format, "xlsx");
    let names: Vec<&str> = r.dataset.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, vec!["step", "Users", "Users_2"]);
    assert_eq!(r.dataset.rows, 3);
    assert_eq!(r.skipped_rows, 1);
    assert_eq!(
        w.cells("book", "Users_2"),
        vec![Cell::Int(80), Cell::Int(20), Cell::Int(5)]
    );
    let p = w.file("book2.xlsx", &book);
    let err = w.refuse(
        &p,
        ImportOptions {
            sheet: Some("Nope".into()),
            ..Default::default()
        },
    );
    assert!(
        err.to_string().contains("Notes, Funnel by country"),
        "{err}"
    );
}

#[test]
fn reimport_is_detected_by_content() {
    let mut w = ws();
    let text = b"time,event\n2024-01-01 00:00:00,view\n";
    w.import("first.csv", text, ImportOptions::default());
    let p = w.file("copy of first.csv", text);
    let err = w.refuse(&p, ImportOptions::default());
    match &err {
        Error::Duplicate { dataset, .. } => assert_eq!(dataset, "first"),
        other => panic!("{other:?}"),
    }
    assert_eq!(err.code(), "duplicate");
    assert!(
        err.to_string()
            .contains("same content as dataset \"first\""),
        "{err}"
    );
    assert_eq!(w.ws.datasets().unwrap().len(), 1);
    let info = import::import_file(
        &mut w.ws,
        &p,
        &ImportOptions {
            allow_duplicate: true,
            ..Default::default()
        },
        &mut Job::silent(),
    )
    .unwrap();
    assert_eq!(info.name, "copy of first");
}

#[test]
fn appending_a_newer_export() {
    let mut w = ws();
    let jan = "event_time,event_type,user_id,price\n2024-01-01 00:00:00 UTC,view,1,\n2024-01-01 00:01:00 UTC,purchase,1,9.99\n";
    let r = w.import("events.csv", jan.as_bytes(), ImportOptions::default());
    assert_eq!(r.dataset.kind, DatasetKind::Events);
    // columns in another order, one extra column
    let feb = "user_id,event_type,event_time,price,extra\n2,view,2024-02-01 00:00:00 UTC,,a\n2,purchase,2024-02-01 00:02:00 UTC,5,b\n3,view,2024-02-02 00:00:00 UTC,,c\n";
    let p = w.file("feb.csv", feb.as_bytes());
    let progress = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = progress.clone();
    let mut job = Job::new(CancelToken::new(), move |p: &Progress| {
        seen.lock().unwrap().push(p.clone())
    });
    let rep =
        import::append_file(&mut w.ws, "events", &p, &ImportOptions::default(), &mut job).unwrap();
    assert_eq!(rep.rows_imported, 3);
    assert_eq!(rep.dataset.rows, 5);
    assert!(rep.notes.iter().any(|n| n.contains("extra")));
    assert_eq!(
        w.cells("events", "user_id"),
        vec![
            Cell::Int(1),
            Cell::Int(1),
            Cell::Int(2),
            Cell::Int(2),
            Cell::Int(3)
        ]
    );
    assert_eq!(w.cells("events", "price")[3], Cell::Float(5.0));
    assert_eq!(
        w.ws.dataset_meta("events").unwrap()["files"]
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert!(progress.lock().unwrap().iter().any(|p| p.rows_done == 3));
    // the same export again is a duplicate
    let err = w.refuse_append("events", &p);
    assert!(matches!(err, Error::Duplicate { .. }), "{err:?}");
    // a file without one of the dataset's columns is refused, nothing added
    let p = w.file("other.csv", b"user_id,event_type\n4,view\n");
    let err = w.refuse_append("events", &p);
    assert!(err.to_string().contains("event_time"), "{err}");
    let p = w.file(
        "texty.csv",
        b"event_time,event_type,user_id,price\n2024-03-01 00:00:00 UTC,view,anna,1\n",
    );
    let err = w.refuse_append("events", &p);
    assert!(
        err.to_string()
            .contains("text values here but integer values"),
        "{err}"
    );
    assert_eq!(w.ws.dataset("events").unwrap().info.rows, 5);
    // a cancelled append leaves the dataset as it was
    let mut big = String::from("event_time,event_type,user_id,price\n");
    for i in 0..200_000 {
        big.push_str(&format!("2024-04-01 00:00:00 UTC,view,{i},\n"));
    }
    let p = w.file("big.csv", big.as_bytes());
    let token = CancelToken::new();
    let t2 = token.clone();
    let mut job = Job::new(token, move |p: &Progress| {
        if p.stage == "storing" {
            t2.cancel()
        }
    });
    let err = import::append_file(&mut w.ws, "events", &p, &ImportOptions::default(), &mut job)
        .unwrap_err();
    assert!(matches!(err, Error::Cancelled));
    assert_eq!(w.ws.dataset("events").unwrap().info.rows, 5);
    assert_eq!(w.col("events", "user_id").len(), 5);
}

#[test]
fn progress_reports_bytes_and_rows() {
    let mut w = ws();
    let mut text = String::from("time,event,user\n");
    for i in 0..150_000 {
        text.push_str(&format!(
            "2024-01-01 00:00:{:02},view,u{}\n",
            i % 60,
            i % 1000
        ));
    }
    let p = w.file("p.csv", text.as_bytes());
    let seen = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let s2 = seen.clone();
    let mut job = Job::new(CancelToken::new(), move |p: &Progress| {
        s2.lock().unwrap().push(p.clone())
    });
    import::import_file(&mut w.ws, &p, &ImportOptions::default(), &mut job).unwrap();
    let seen = seen.lock().unwrap();
    let last = seen.last().unwrap();
    assert_eq!(last.stage, "done");
    assert_eq!(last.rows_done, 150_000);
    assert_eq!(last.bytes_done, text.len() as u64);
    let storing: Vec<_> = seen.iter().filter(|p| p.stage == "storing").collect();
    assert!(storing.len() >= 2);
    assert!(storing
        .windows(2)
        .all(|w| w[0].rows_done < w[1].rows_done && w[0].bytes_done <= w[1].bytes_done));
}

/// Text without quote characters is split line by line on the storing
/// pass; text with one goes through the CSV reader. Both store the same,
/// for the first table and for a later one (after a blank line).
#[test]
fn the_line_splitter_stores_what_the_csv_reader_stores() {
    let mut w = ws();
    let mut body = String::from("time,event,user,n\r\n");
    for i in 0..150_000u32 {
        if i == 100_000 {
            body.push_str("\r\n"); // a blank line: a second table follows
        }
        match i % 11 {
            3 => body.push_str(&format!("2024-01-01 00:00:{:02},view\r\n", i % 60)),
            5 => body.push_str(&format!("2024-01-01 00:00:{:02},,u{},\r\n", i % 60, i % 7)),
            _ => body.push_str(&format!(
                "2024-01-01 00:{:02}:{:02},e{},u{},{}\r\n",
                (i / 60) % 60,
                i % 60,
                i % 5,
                i % 13,
                i
            )),
        }
    }
    body.push_str("2024-01-02 00:00:00,last,u1,1"); // no final line end
    let plain = w.file("plain.csv", body.as_bytes());
    // one quoted cell that reads the same: the CSV reader's path
    let quoted = w.file(
        "quoted.csv",
        body.replacen(",e1,", ",\"e1\",", 1).as_bytes(),
    );
    for (table, rows) in [(None, 100_000), (Some(1), 50_001)] {
        let mut ids = Vec::new();
        for (p, name) in [(&plain, "plain"), (&quoted, "quoted")] {
            let name = format!("{name}{table:?}");
            let opts = ImportOptions {
                name: Some(name.clone()),
                table,
                allow_duplicate: true,
                ..Default::default()
            };
            let info = import::import_file(&mut w.ws, p, &opts, &mut Job::silent()).unwrap();
            assert_eq!(info.rows, rows, "{name}");
            ids.push(w.ws.dataset(&name).unwrap());
        }
        let (ra, rb) = (&ids[0], &ids[1]);
        assert_eq!(ra.info.columns, rb.info.columns);
        for i in 0..ra.info.columns.len() {
            let (ca, cb): (Column, Column) = (
                w.ws.read_column(ra, i).unwrap(),
                w.ws.read_column(rb, i).unwrap(),
            );
            assert_eq!(ca.len(), cb.len());
            for r in 0..ca.len() {
                assert_eq!(ca.cell(r), cb.cell(r), "{table:?} column {i}, row {r}");
            }
        }
        let ev = w.ws.read_column(ra, 1).unwrap();
        if table.is_none() {
            assert_eq!(ev.cell(3), Cell::Text("view".into()));
            assert_eq!(ev.cell(5), Cell::Null);
        } else {
            assert_eq!(ev.cell(ev.len() - 1), Cell::Text("last".into()));
        }
    }
}
