//! The single-pass import of delimited text gives exactly what the
//! two-pass import gives: same columns, types, roles, rows, cells,
//! metadata and content hash; and it falls back to two passes when the
//! rest of the file disagrees with what the prefix decided.

mod common;

use std::path::{Path, PathBuf};
use stepwise_engine::import::{self, ImportOptions, ReadPath, Strategy};
use stepwise_engine::{Job, Workspace};

fn data_dir() -> Option<PathBuf> {
    common::real::real_data()
}

/// Everything an import leaves in the workspace, minus the clock.
#[derive(Debug, PartialEq)]
struct Stored {
    report: String,
    columns: Vec<stepwise_engine::column::Column>,
    meta: serde_json::Value,
    hash: Option<String>,
}

fn import(
    path: &Path,
    opts: &ImportOptions,
    strategy: Strategy,
) -> (Result<Stored, String>, ReadPath) {
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::open(&dir.path().join("w.stepwise")).unwrap();
    let (report, how) =
        match import::import_file_with(&mut ws, path, opts, &mut Job::silent(), strategy) {
            Ok(r) => r,
            Err(e) => return (Err(e.to_string()), ReadPath::TwoPass),
        };
    let name = report.dataset.name.clone();
    let rec = ws.dataset(&name).unwrap();
    let columns = (0..rec.info.columns.len())
        .map(|i| ws.read_column(&rec, i).unwrap())
        .collect();
    let mut meta = ws.dataset_meta(&name).unwrap();
    for f in meta["files"].as_array_mut().unwrap() {
        f.as_object_mut().unwrap().remove("imported_at");
    }
    let mut report = report;
    report.dataset.imported_at.clear();
    report.dataset.stored_bytes = 0;
    assert_eq!(rec.info.rows, report.dataset.rows);
    (
        Ok(Stored {
            report: format!("{report:?}"),
            columns,
            meta,
            hash: rec.content_hash.clone(),
        }),
        how,
    )
}

/// Imports both ways and checks they agree; returns how the single pass
/// went.
fn both(path: &Path, opts: &ImportOptions, prefix: usize) -> ReadPath {
    let (two, how2) = import(path, opts, Strategy::TwoPass);
    assert_eq!(how2, ReadPath::TwoPass);
    let (one, how) = import(path, opts, Strategy::Prefix(prefix));
    assert_eq!(one, two, "{} with a {prefix}-byte prefix", path.display());
    how
}

fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p
}

/// A clickstream of `n` rows (types settled from the first row).
fn events(n: usize) -> String {
    let mut s = String::from("time,event,user_id,value,day\n");
    for i in 0..n {
        s.push_str(&format!(
            "2024-09-01T{:02}:{:02}:{:02}.{:03}Z,{},u{},{},0{}/0{}/2024\n",
            (i / 3600) % 24,
            (i / 60) % 60,
            i % 60,
            i % 1000,
            ["page_view", "add_to_cart", "purchase"][i % 3],
            i % 97,
            if i % 5 == 0 {
                format!("{}.5", i % 50)
            } else {
                String::new()
            },
            1 + i % 9,
            1 + i % 7,
        ));
    }
    s
}

#[test]
fn plain_files_take_one_pass_and_match_two() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "ev.csv", &events(3000));
    for prefix in [200, 4096, 1 << 20] {
        assert_eq!(
            both(&p, &ImportOptions::default(), prefix),
            ReadPath::SinglePass
        );
    }
    // CRLF line ends, a BOM, a preamble of # comments and blank lines
    let text = format!(
        "\u{feff}# Report\n# Start date: 20240901\n\n{}",
        events(500)
    )
    .replace('\n', "\r\n");
    let p = write(dir.path(), "crlf.csv", &text);
    assert_eq!(
        both(&p, &ImportOptions::default(), 300),
        ReadPath::SinglePass
    );
    // no header row; semicolons and decimal commas
    let mut text = String::new();
    for i in 0..2000 {
        text.push_str(&format!("{};{},{};x{}\n", i + 1, i, i % 10, i % 13));
    }
    let p = write(dir.path(), "headerless.csv", &text);
    assert_eq!(
        both(&p, &ImportOptions::default(), 256),
        ReadPath::SinglePass
    );
    // the header forced either way
    let p = write(dir.path(), "ev2.csv", &events(700));
    for header in [Some(false), Some(true)] {
        let opts = ImportOptions {
            header,
            ..Default::default()
        };
        both(&p, &opts, 512);
    }
}

#[test]
fn late_surprises_fall_back_to_two_passes() {
    let dir = tempfile::tempdir().unwrap();
    let base = events(3000);
    let cases: Vec<(&str, String)> = vec![
        // a type that changes after the prefix
        (
            "late_text.csv",
            format!("{base}2024-09-02T00:00:00.000Z,page_view,u1,n/a,01/01/2024\n"),
        ),
        // DD/MM decided by a late row (a day over 12)
        (
            "late_dmy.csv",
            format!("{base}2024-09-02T00:00:00.000Z,page_view,u1,,25/01/2024\n"),
        ),
        // a second table late in the file
        (
            "late_table.csv",
            format!("{base}\nname,count\na,1\nb,2\nc,3\n"),
        ),
        // a quote late in the file
        (
            "late_quote.csv",
            format!("{base}2024-09-02T00:00:00.000Z,\"page, view\",u1,,01/01/2024\n"),
        ),
        // a short row and a long one
        (
            "late_short.csv",
            format!("{base}2024-09-02T00:00:00.000Z,page_view\n"),
        ),
        (
            "late_long.csv",
            format!("{base}2024-09-02T00:00:00.000Z,page_view,u1,,01/01/2024,extra\n"),
        ),
        // a totals row at the end
        (
            "late_total.csv",
            format!("{base}Total,,,{},\n", {
                (0..3000)
                    .filter(|i| i % 5 == 0)
                    .map(|i| (i % 50) as f64 + 0.5)
                    .sum::<f64>()
            }),
        ),
        // decimal commas outnumber points late in the file
        ("late_style.csv", {
            let mut s = String::from("a;b\n");
            for i in 0..200 {
                s.push_str(&format!("x{i};{i}.5\n"));
            }
            for i in 0..400 {
                s.push_str(&format!("y{i};{i},25\n"));
            }
            s
        }),
        // a lone CR late in the file
        (
            "late_cr.csv",
            format!("{base}2024-09-02T00:00:00.000Z,page\rview,u1,,01/01/2024\n"),
        ),
        // a row of empty cells
        (
            "late_blank.csv",
            format!("{base},,,,\n2024-09-02T00:00:00.000Z,page_view,u1,,01/01/2024\n"),
        ),
    ];
    for (name, text) in &cases {
        let p = write(dir.path(), name, text);
        assert_eq!(
            both(&p, &ImportOptions::default(), 4096),
            ReadPath::TwoPass,
            "{name} should fall back"
        );
        // with the whole file as prefix the decision is the whole file's
        both(&p, &ImportOptions::default(), 1 << 20);
    }
    // invalid UTF-8 late: both refuse it, naming row and column
    let mut bytes = base.clone().into_bytes();
    bytes.extend_from_slice(b"2024-09-02T00:00:00.000Z,caf\xe9,u1,,01/01/2024\n");
    let p = dir.path().join("late_latin1.csv");
    std::fs::write(&p, bytes).unwrap();
    let (two, _) = import(&p, &ImportOptions::default(), Strategy::TwoPass);
    let (one, _) = import(&p, &ImportOptions::default(), Strategy::Prefix(4096));
    assert_eq!(one, two);
    assert!(two.unwrap_err().contains("UTF-8"));
}

#[test]
fn a_reimport_is_found_by_the_single_pass_hash() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "ev.csv", &events(1000));
    let mut ws = Workspace::open(&dir.path().join("w.stepwise")).unwrap();
    let (first, how) = import::import_file_with(
        &mut ws,
        &p,
        &ImportOptions::default(),
        &mut Job::silent(),
        Strategy::Prefix(1000),
    )
    .unwrap();
    assert_eq!(how, ReadPath::SinglePass);
    let want = {
        use sha2::Digest;
        format!("{:x}", sha2::Sha256::digest(std::fs::read(&p).unwrap()))
    };
    assert_eq!(first.content_hash, want);
    let opts = ImportOptions {
        name: Some("again".into()),
        ..Default::default()
    };
    let err = import::import_file_with(
        &mut ws,
        &p,
        &opts,
        &mut Job::silent(),
        Strategy::Prefix(1000),
    )
    .unwrap_err();
    assert!(
        matches!(err, stepwise_engine::Error::Duplicate { .. }),
        "{err}"
    );
    // nothing of the refused import is left
    assert_eq!(ws.datasets().unwrap().len(), 1);
}

#[test]
fn real_exports_read_the_same_in_one_pass() {
    let Some(root) = data_dir() else { return };
    let mut files = Vec::new();
    for sub in ["ga", "platforms", "datasets"] {
        for e in std::fs::read_dir(root.join(sub)).unwrap() {
            let p = e.unwrap().path();
            let ext = p.extension().and_then(|e| e.to_str()).unwrap_or("");
            if matches!(ext, "csv" | "tsv" | "txt") {
                files.push(p);
            }
        }
    }
    files.sort();
    assert!(files.len() >= 10);
    let mut single = 0;
    for p in &files {
        for prefix in [2048, 1 << 20] {
            if both(p, &ImportOptions::default(), prefix) == ReadPath::SinglePass {
                single += 1;
            }
        }
    }
    // most exports are one plain table
    assert!(single >= files.len() / 2, "{single} of {}", files.len() * 2);
}

#[test]
fn a_file_cut_short_during_the_single_pass_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let p = write(dir.path(), "cut.csv", &common::import::many_rows(400_000));
    let ws_path = dir.path().join("w.stepwise");
    let mut ws = Workspace::open(&ws_path).unwrap();
    // cut while the prefix is scanned: the rest is read from the file
    let mut job = common::import::when_stage("reading", &p, |v| common::import::cut(v, |n| n / 2));
    let err = import::import_file_with(
        &mut ws,
        &p,
        &ImportOptions::default(),
        &mut job,
        Strategy::Prefix(3 << 20),
    )
    .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("changed while it was being imported"),
        "{text}"
    );
    assert!(text.contains("cut.csv"), "{text}");
    assert!(ws.datasets().unwrap().is_empty());
}

#[test]
fn a_file_removed_during_the_single_pass_is_read_through_its_handle() {
    let dir = tempfile::tempdir().unwrap();
    let text = common::import::many_rows(200_000);
    let p = write(dir.path(), "gone.csv", &text);
    let mut ws = Workspace::open(&dir.path().join("w.stepwise")).unwrap();
    let mut job = common::import::when_stage("reading", &p, |v| std::fs::remove_file(v).unwrap());
    let (report, how) = import::import_file_with(
        &mut ws,
        &p,
        &ImportOptions::default(),
        &mut job,
        Strategy::Prefix(3 << 20),
    )
    .unwrap();
    assert_eq!(how, ReadPath::SinglePass);
    assert!(!p.exists());
    // the whole file as it was opened, hash included
    assert_eq!(report.dataset.rows, 200_000);
    use sha2::Digest;
    assert_eq!(
        report.content_hash,
        format!("{:x}", sha2::Sha256::digest(text.as_bytes()))
    );
}
