//! `stepwise save`, `stepwise saved` and `--saved NAME`: saved work runs from
//! the workspace with the same numbers as from its file.

use std::path::Path;
use std::process::Command;
mod common;
use common::{json, ok, stepwise};

/// A workspace with the generated dataset "shop".
fn shop(dir: &Path) -> std::path::PathBuf {
    let ws = dir.join("ws.stepwise");
    let csv = dir.join("clicks.csv");
    let p = csv.to_str().unwrap();
    json(&stepwise(
        &ws,
        &["generate", "--events", "20000", "--out", p],
    ));
    json(&stepwise(&ws, &["import", p, "--name", "shop", "--json"]));
    ws
}

const FUNNEL: &str = r#"{"dataset":"shop","steps":[{"label":"Viewed product","event":"view_item"},{"event":"add_to_cart"},{"event":"purchase"}],"window":"7d"}"#;
const SEGMENT: &str = r#"{"name":"Filter users","dataset":"shop","conditions":[{"did":{"event":"use_filter"},"at_least":1}]}"#;
const COMPARE: &str = r#"{"funnel":{"dataset":"shop","steps":[{"event":"view_item"},{"event":"purchase"}],"window":"7d"},"by":"device_category","baseline":"desktop"}"#;
const IMPACT: &str = r#"{"dataset":"shop","goal":{"event":"purchase"},"candidates":[{"event":"sign_up_newsletter"},{"event":"use_filter"}],"window":"30d","order_value":85.0}"#;
const REPORT: &str = r#"{"title":"September review","client":"Acme","sections":[
    {"funnel":{"dataset":"shop","steps":[{"event":"view_item"},{"event":"add_to_cart"},{"event":"purchase"}],"window":"7d"}},
    {"impact":{"dataset":"shop","goal":{"event":"purchase"},"candidates":[{"event":"use_filter"}]}},
    {"text":"Next: test a shorter checkout."}]}"#;

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.to_str().unwrap().to_string()
}

#[test]
fn saved_items_run_with_the_same_numbers_as_their_files() {
    let dir = tempfile::tempdir().unwrap();
    let ws = shop(dir.path());
    let d = dir.path();
    let files = [
        ("funnel", "Checkout", write(d, "f.json", FUNNEL)),
        ("segment", "Filter users", write(d, "s.json", SEGMENT)),
        ("compare", "By device", write(d, "c.json", COMPARE)),
        ("impact", "Drivers", write(d, "i.json", IMPACT)),
    ];
    for (kind, name, file) in &files {
        let out = ok(&stepwise(&ws, &["save", kind, name, file]));
        assert!(
            out.contains(&format!("Saved {kind} \u{201c}{name}\u{201d}")),
            "{out}"
        );
        let mut from_file = json(&stepwise(&ws, &[kind, file, "--json"]));
        let mut from_saved = json(&stepwise(&ws, &[kind, "--saved", name, "--json"]));
        // the funnel's timing is the only thing that may differ
        from_file.as_object_mut().unwrap().remove("timing");
        from_saved.as_object_mut().unwrap().remove("timing");
        assert_eq!(from_file, from_saved, "{kind}");
        // and the plain text is the same too
        if *kind != "funnel" {
            assert_eq!(
                ok(&stepwise(&ws, &[kind, file])),
                ok(&stepwise(&ws, &[kind, "--saved", name]))
            );
        }
    }
    let f = json(&stepwise(&ws, &["funnel", "--saved", "Checkout", "--json"]));
    assert_eq!(f["steps"][0]["label"], "Viewed product");

    // segment --saved with the audience CSV
    let a = d.join("a.csv");
    let b = d.join("b.csv");
    ok(&stepwise(
        &ws,
        &["segment", &files[1].2, "--csv", a.to_str().unwrap()],
    ));
    ok(&stepwise(
        &ws,
        &[
            "segment",
            "--saved",
            "Filter users",
            "--csv",
            b.to_str().unwrap(),
        ],
    ));
    assert_eq!(std::fs::read(&a).unwrap(), std::fs::read(&b).unwrap());

    // the report: same tables (CSV) and the same PDF text
    let report = write(d, "r.json", REPORT);
    let saved = json(&stepwise(
        &ws,
        &["save", "report", "September", &report, "--json"],
    ));
    assert_eq!(saved["kind"], "report");
    assert_eq!(saved["name"], "September");
    assert_eq!(saved["spec"]["title"], "September review");
    assert!(saved["updated_at"].as_str().is_some());
    let from_file = d.join("file.csv");
    let from_saved = d.join("saved.csv");
    let f1 = json(&stepwise(
        &ws,
        &[
            "report",
            &report,
            "--out",
            from_file.to_str().unwrap(),
            "--json",
        ],
    ));
    let f2 = json(&stepwise(
        &ws,
        &[
            "report",
            "--saved",
            "September",
            "--out",
            from_saved.to_str().unwrap(),
            "--json",
        ],
    ));
    let (f1, f2) = (
        f1["files"].as_array().unwrap(),
        f2["files"].as_array().unwrap(),
    );
    assert_eq!(f1.len(), f2.len());
    assert!(!f1.is_empty());
    for (a, b) in f1.iter().zip(f2) {
        assert_eq!(
            std::fs::read(a.as_str().unwrap()).unwrap(),
            std::fs::read(b.as_str().unwrap()).unwrap()
        );
    }
    let pdf1 = d.join("file.pdf");
    let pdf2 = d.join("saved.pdf");
    ok(&stepwise(
        &ws,
        &["report", &report, "--out", pdf1.to_str().unwrap()],
    ));
    ok(&stepwise(
        &ws,
        &[
            "report",
            "--saved",
            "September",
            "--out",
            pdf2.to_str().unwrap(),
        ],
    ));
    assert_eq!(pdf_text(&pdf1), pdf_text(&pdf2));
    assert!(pdf_text(&pdf1).contains("shorter checkout"));

    // saved lists all five, as text and JSON, in the app's shape
    let list = json(&stepwise(&ws, &["saved", "--json"]));
    let items = list["items"].as_array().unwrap();
    let kinds: Vec<(&str, &str)> = items
        .iter()
        .map(|i| (i["kind"].as_str().unwrap(), i["name"].as_str().unwrap()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("compare", "By device"),
            ("funnel", "Checkout"),
            ("impact", "Drivers"),
            ("report", "September"),
            ("segment", "Filter users"),
        ]
    );
    assert_eq!(items[1]["spec"]["steps"][0]["event"], "view_item");
    assert!(items[1]["updated_at"].as_str().is_some());
    assert_eq!(list["unreadable"].as_array().unwrap().len(), 0);
    let text = ok(&stepwise(&ws, &["saved"]));
    for (_, name) in &kinds {
        assert!(text.contains(name), "{text}");
    }
    let only = json(&stepwise(&ws, &["saved", "funnel", "--json"]));
    assert_eq!(only["items"].as_array().unwrap().len(), 1);

    // saving again replaces; the new spec is what runs
    let shorter = write(
        d,
        "f2.json",
        r#"{"dataset":"shop","steps":[{"event":"view_item"},{"event":"purchase"}]}"#,
    );
    ok(&stepwise(&ws, &["save", "funnel", "Checkout", &shorter]));
    let f = json(&stepwise(&ws, &["funnel", "--saved", "Checkout", "--json"]));
    assert_eq!(f["steps"].as_array().unwrap().len(), 2);
}

fn pdf_text(path: &Path) -> String {
    let out = Command::new("pdftotext")
        .arg(path)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils) is needed for this test");
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout).into_owned()
}

#[test]
fn save_refuses_what_is_not_a_spec_of_its_kind_and_names_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let ws = dir.path().join("ws.stepwise");
    // the app's old persona shape: "metric" where the engine wants "measure"
    let old = write(
        dir.path(),
        "old.json",
        r#"{"name":"Big","conditions":[{"metric":"revenue","op":"gte","value":100}]}"#,
    );
    let out = stepwise(&ws, &["save", "segment", "Big", &old]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("old.json") && err.contains("measure"), "{err}");
    // a funnel is not a segment
    let f = write(dir.path(), "f.json", FUNNEL);
    assert_eq!(
        stepwise(&ws, &["save", "segment", "F", &f]).status.code(),
        Some(1)
    );
    // nothing was saved
    let list = json(&stepwise(&ws, &["saved", "--json"]));
    assert!(list["items"].as_array().unwrap().is_empty());
    // an unknown kind is bad usage
    assert_eq!(
        stepwise(&ws, &["save", "gadget", "x", &f]).status.code(),
        Some(2)
    );
    // --saved with no such item says what there is
    ok(&stepwise(&ws, &["save", "funnel", "Checkout", &f]));
    let out = stepwise(&ws, &["funnel", "--saved", "Chekout"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no saved funnel \"Chekout\"") && err.contains("\"Checkout\""),
        "{err}"
    );
    // a file and --saved together, or neither, is bad usage
    assert_eq!(
        stepwise(&ws, &["funnel", &f, "--saved", "Checkout"])
            .status
            .code(),
        Some(2)
    );
    assert_eq!(stepwise(&ws, &["funnel"]).status.code(), Some(2));
    let text = ok(&stepwise(&ws, &["saved"]));
    assert!(text.contains("Checkout"), "{text}");
}

#[test]
fn items_the_app_saved_are_listed_and_run() {
    // The app saves through Workspace::save_item with the engine's JSON; the
    // CLI lists and runs what it saved.
    let dir = tempfile::tempdir().unwrap();
    let ws = shop(dir.path());
    let w = stepwise_engine::Workspace::open(&ws).unwrap();
    w.save_item(
        "funnel",
        "From the app",
        &serde_json::from_str(FUNNEL).unwrap(),
    )
    .unwrap();
    drop(w);
    let list = json(&stepwise(&ws, &["saved", "--json"]));
    assert_eq!(list["items"][0]["name"], "From the app");
    let file = write(dir.path(), "f.json", FUNNEL);
    let mut a = json(&stepwise(&ws, &["funnel", &file, "--json"]));
    let mut b = json(&stepwise(
        &ws,
        &["funnel", "--saved", "From the app", "--json"],
    ));
    a.as_object_mut().unwrap().remove("timing");
    b.as_object_mut().unwrap().remove("timing");
    assert_eq!(a, b);
}
