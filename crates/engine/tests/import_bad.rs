//! Bad inputs: each gives one clear message (naming file, row and column
//! where they apply) and leaves the workspace exactly as it was.

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use stepwise_engine::import::{self, ImportOptions};
use stepwise_engine::{CancelToken, Error, Job, Progress, Workspace};

struct Fixture {
    dir: tempfile::TempDir,
    ws: Workspace,
    ws_path: PathBuf,
}

/// A workspace that already holds one dataset, so "unchanged" means
/// something.
fn fixture() -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let ws_path = dir.path().join("w.stepwise");
    let mut ws = Workspace::open(&ws_path).unwrap();
    let seed = dir.path().join("seed.csv");
    std::fs::write(&seed, "a,b\n1,x\n2,y\n").unwrap();
    import::import_file(
        &mut ws,
        &seed,
        &ImportOptions::default(),
        &mut Job::silent(),
    )
    .unwrap();
    Fixture { dir, ws, ws_path }
}

/// Everything the workspace holds, as a comparable value.
fn snapshot(path: &Path) -> Vec<String> {
    let conn = rusqlite::Connection::open(path).unwrap();
    let mut out = Vec::new();
    for sql in [
        "SELECT name || '|' || kind || '|' || rows || '|' || meta FROM datasets ORDER BY id",
        "SELECT dataset_id || '|' || idx || '|' || name || '|' || type FROM dataset_columns ORDER BY dataset_id, idx",
        "SELECT dataset_id || '|' || col || '|' || chunk || '|' || rows || '|' || length(data) FROM column_chunks ORDER BY id",
    ] {
        let mut st = conn.prepare(sql).unwrap();
        let rows = st.query_map([], |r| r.get::<_, String>(0)).unwrap();
        out.extend(rows.map(|r| r.unwrap()));
    }
    out
}

impl Fixture {
    fn file(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let p = self.dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p
    }
    /// Imports `path` in two passes while `job` changes it: refused as
    /// changed, and nothing stored.
    fn refuse_changed(&mut self, path: &Path, mut job: Job, name: &str) {
        let before = snapshot(&self.ws_path);
        let err = import::import_file_with(
            &mut self.ws,
            path,
            &ImportOptions::default(),
            &mut job,
            import::Strategy::TwoPass,
        )
        .unwrap_err();
        assert_eq!(snapshot(&self.ws_path), before);
        assert_bad(
            &err,
            name,
            None,
            None,
            "changed while it was being imported",
        );
    }
    /// Imports `path`, expects an error, checks nothing changed.
    fn refuse(&mut self, path: &Path, opts: ImportOptions) -> Error {
        let before = snapshot(&self.ws_path);
        let err = import::import_file(&mut self.ws, path, &opts, &mut Job::silent()).unwrap_err();
        assert_eq!(
            snapshot(&self.ws_path),
            before,
            "workspace changed after: {err}"
        );
        err
    }
}

fn assert_bad(err: &Error, file: &str, row: Option<u64>, column: Option<&str>, words: &str) {
    match err {
        Error::BadInput { location, message } => {
            let name = location
                .file
                .as_ref()
                .and_then(|f| f.file_name())
                .map(|n| n.to_string_lossy().into_owned());
            assert_eq!(name.as_deref(), Some(file), "{err}");
            assert_eq!(location.row, row, "{err}");
            assert_eq!(location.column.as_deref(), column, "{err}");
            assert!(message.contains(words), "\"{message}\" lacks \"{words}\"");
        }
        other => panic!("expected bad input, got {other:?}"),
    }
    // one sentence naming the file first
    let text = err.to_string();
    assert!(text.starts_with(file), "{text}");
}

#[test]
fn empty_file() {
    let mut f = fixture();
    let p = f.file("empty.csv", b"");
    let err = f.refuse(&p, ImportOptions::default());
    assert_bad(&err, "empty.csv", None, None, "empty");
    let p = f.file("blank.csv", b"\n\n  \r\n");
    let err = f.refuse(&p, ImportOptions::default());
    assert_bad(&err, "blank.csv", None, None, "empty");
}

#[test]
fn header_only() {
    let mut f = fixture();
    let p = f.file("header.csv", b"# GA4 export\nEvent name,Event count\n");
    let err = f.refuse(&p, ImportOptions::default());
    assert_bad(&err, "header.csv", Some(2), None, "no data rows");
}

#[test]
fn binary_garbage() {
    let mut f = fixture();
    let mut bytes = Vec::new();
    let mut x: u32 = 12345;
    for _ in 0..10_000 {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
        bytes.push((x >> 16) as u8);
    }
    let p = f.file("garbage.csv", &bytes);
    let err = f.refuse(&p, ImportOptions::default());
    assert_bad(&err, "garbage.csv", None, None, "binary");
    let p = f.file("report.csv", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj");
    let err = f.refuse(&p, ImportOptions::default());
    assert_bad(&err, "report.csv", None, None, "PDF");
}

#[test]
fn truncated_and_encrypted_workbooks() {
    let mut f = fixture();
    let good = common::xlsx::workbook(&[(
        "Data",
        common::xlsx::sheet_xml(&[&["a", "b"], &["x", "1"], &["y", "2"]], None),
    )]);
    let ok = f.file("good.xlsx", &good);
    assert_eq!(
        import::import_file(
            &mut f.ws,
            &ok,
            &ImportOptions::default(),
            &mut Job::silent()
        )
        .unwrap()
        .rows,
        2
    );
    let p = f.file("cut.xlsx", &good[..good.len() / 2]);
    let err = f.refuse(&p, ImportOptions::default());
    assert_bad(&err, "cut.xlsx", None, None, "cut short");
    // an OOXML file encrypted with a password is an OLE container with an
    // EncryptedPackage stream
    let mut ole = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    ole.resize(1024, 0);
    ole.extend(
        "EncryptedPackage"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes()),
    );
    ole.resize(4096, 0);
    let p = f.file("secret.xlsx", &ole);
    let err = f.refuse(&p, ImportOptions::default());
    assert_bad(&err, "secret.xlsx", None, None, "password-protected");
    // an OLE file that is no workbook at all
    let mut junk = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    junk.resize(2048, 7);
    let p = f.file("junk.xls", &junk);
    let err = f.refuse(&p, ImportOptions::default());
    assert_bad(&err, "junk.xls", None, None, "cannot be read");
}

#[test]
fn zip_bomb() {
    let mut f = fixture();
    let mut buf = std::io::Cursor::new(Vec::new());
    {
        let mut z = zip::ZipWriter::new(&mut buf);
        let o: zip::write::SimpleFileOptions = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        z.start_file("xl/workbook.xml", o).unwrap();
        z.write_all(b"<workbook/>").unwrap();
        z.start_file("xl/worksheets/sheet1.xml", o).unwrap();
        let zeros = vec![b' '; 1 << 20];
        for _ in 0..64 {
            z.write_all(&zeros).unwrap();
        }
        z.finish().unwrap();
    }
    let bytes = buf.into_inner();
    assert!(bytes.len() < 1 << 20);
    let p = f.file("bomb.xlsx", &bytes);
    let err = f.refuse(&p, ImportOptions::default());
    assert_bad(&err, "bomb.xlsx", None, None, "zip bomb");
}

#[test]
fn a_ten_megabyte_cell() {
    let mut f = fixture();
    let mut bytes = b"name,blob\nfirst,small\nsecond,\"".to_vec();
    bytes.extend(std::iter::repeat_n(b'x', 10 << 20));
    bytes.extend(b"\"\nthird,z\n");
    let p = f.file("huge.csv", &bytes);
    let err = f.refuse(&p, ImportOptions::default());
    assert_bad(&err, "huge.csv", Some(3), Some("blob"), "10.0 MB");
}

#[test]
fn ragged_rows() {
    let mut f = fixture();
    let p = f.file("ragged.csv", b"a,b,c\n1,2,3\n4,5,6,7\n8,9,10\n");
    let err = f.refuse(&p, ImportOptions::default());
    assert_bad(
        &err,
        "ragged.csv",
        Some(3),
        Some("column 4"),
        "4 fields but the header has 3",
    );
    // short rows are padded with nulls, and empty extra fields are fine
    let p = f.file("short.csv", b"a,b,c\n1,2\n4,5,6,,\n");
    let info =
        import::import_file(&mut f.ws, &p, &ImportOptions::default(), &mut Job::silent()).unwrap();
    assert_eq!(info.rows, 2);
    let rec = f.ws.dataset("short").unwrap();
    let c = f.ws.read_column_named(&rec, "c").unwrap();
    assert!(c.is_null(0) && !c.is_null(1));
}

#[test]
fn invalid_utf8() {
    let mut f = fixture();
    // the head is plain ASCII (so the sniffer says UTF-8); a Latin-1 byte
    // comes far later
    let mut bytes = b"id,city\n".to_vec();
    for i in 0..20_000 {
        bytes.extend(format!("{i},Paris\n").as_bytes());
    }
    bytes.extend(b"20000,Z\xfcrich\n");
    let p = f.file("cities.csv", &bytes);
    let err = f.refuse(&p, ImportOptions::default());
    assert_bad(
        &err,
        "cities.csv",
        Some(20_002),
        Some("city"),
        "not valid UTF-8",
    );
}

#[test]
fn two_thousand_columns_import_and_ten_thousand_and_one_do_not() {
    let mut f = fixture();
    let header: Vec<String> = (0..2000).map(|i| format!("c{i}")).collect();
    let row: Vec<String> = (0..2000).map(|i| i.to_string()).collect();
    let text = format!(
        "{}\n{}\n{}\n",
        header.join(","),
        row.join(","),
        row.join(",")
    );
    let p = f.file("wide.csv", text.as_bytes());
    let info =
        import::import_file(&mut f.ws, &p, &ImportOptions::default(), &mut Job::silent()).unwrap();
    assert_eq!(info.columns.len(), 2000);
    assert_eq!(info.rows, 2);
    let rec = f.ws.dataset("wide").unwrap();
    let c = f.ws.read_column_named(&rec, "c1999").unwrap();
    assert_eq!(c.cell(1), stepwise_engine::column::Cell::Int(1999));
    let header: Vec<String> = (0..10_001).map(|i| format!("c{i}")).collect();
    let text = format!("{}\n{}\n", header.join(","), header.join(","));
    let p = f.file("wider.csv", text.as_bytes());
    let err = f.refuse(&p, ImportOptions::default());
    assert_bad(&err, "wider.csv", Some(1), None, "10001 fields");
}

#[test]
fn file_vanishing_mid_read() {
    let mut f = fixture();
    let p = f.file("gone.csv", common::import::many_rows(200_000).as_bytes());
    let before = snapshot(&f.ws_path);
    let victim = p.clone();
    let mut job = Job::new(CancelToken::new(), move |pr: &Progress| {
        if pr.stage == "reading" && pr.bytes_done > 0 {
            let _ = std::fs::remove_file(&victim);
        }
    });
    // between the two passes (the single pass reads through the handle
    // it holds: import_single_pass.rs)
    let err = import::import_file_with(
        &mut f.ws,
        &p,
        &ImportOptions::default(),
        &mut job,
        import::Strategy::TwoPass,
    )
    .unwrap_err();
    assert_eq!(snapshot(&f.ws_path), before);
    match &err {
        Error::Io { path, source } => {
            assert_eq!(path, &p);
            assert_eq!(source.kind(), std::io::ErrorKind::NotFound);
        }
        other => panic!("{other:?}"),
    }
    // a file cut short between the passes is "changed", not half stored
    let p = f.file("shrinks.csv", common::import::many_rows(200_000).as_bytes());
    assert_eq!(snapshot(&f.ws_path), before);
    let job = common::import::when_stage("reading", &p, |v| common::import::cut(v, |_| 1000));
    f.refuse_changed(&p, job, "shrinks.csv");
}

#[test]
fn cancel_mid_import() {
    let mut f = fixture();
    let p = f.file("long.csv", common::import::many_rows(300_000).as_bytes());
    let before = snapshot(&f.ws_path);
    let token = CancelToken::new();
    let t2 = token.clone();
    let mut stored_chunks = 0;
    let mut job = Job::new(token, move |pr: &Progress| {
        if pr.stage == "storing" {
            stored_chunks += 1;
            if stored_chunks == 2 {
                t2.cancel();
            }
        }
    });
    let err = import::import_file(&mut f.ws, &p, &ImportOptions::default(), &mut job).unwrap_err();
    assert!(matches!(err, Error::Cancelled), "{err:?}");
    assert_eq!(
        err.to_string(),
        "cancelled before it finished; nothing was changed"
    );
    assert_eq!(snapshot(&f.ws_path), before);
    assert!(!f.ws.has_dataset("long").unwrap());
}

#[test]
fn not_tabular_and_not_a_file() {
    let mut f = fixture();
    let p = f.file("one.json", b"{\"status\": \"ok\", \"count\": 3}");
    let err = f.refuse(&p, ImportOptions::default());
    assert_bad(&err, "one.json", None, None, "no list of records");
    let p = f.file("broken.json", b"[{\"a\": 1}, {\"a\": ");
    let err = f.refuse(&p, ImportOptions::default());
    assert_bad(&err, "broken.json", Some(1), None, "cut short");
    let p = f.file("lines.ndjson", b"{\"a\": 1}\n{\"a\": 2}\nnot json\n");
    let err = f.refuse(&p, ImportOptions::default());
    assert_bad(&err, "lines.ndjson", Some(3), None, "not a JSON object");
    let sub = f.dir.path().join("folder");
    std::fs::create_dir(&sub).unwrap();
    let err = f.refuse(&sub, ImportOptions::default());
    // refused before any read (import/source.rs): an Io error naming the folder
    match &err {
        Error::Io { path, source } => {
            assert!(path.ends_with("folder"), "{err:?}");
            assert!(source.to_string().contains("folder"), "{err:?}");
        }
        other => panic!("expected an Io error naming the folder, got {other:?}"),
    }
    let err = f.refuse(&f.dir.path().join("missing.csv"), ImportOptions::default());
    assert!(matches!(err, Error::Io { .. }), "{err:?}");
}

#[test]
fn no_input_panics_or_hangs() {
    // short, awkward inputs through every sniffer and parser
    let mut f = fixture();
    let cases: &[&[u8]] = &[
        b"\"",
        b"\"\"\"",
        b"a\n\"",
        b",\n,\n",
        b"#\n#\n",
        b"\xef\xbb\xbf",
        b"\xff\xfe",
        b"\xfe\xff\x00a",
        b"[",
        b"[]",
        b"[1,2]",
        b"{}",
        b"{\"a\":[{}]}",
        b"PK\x03\x04",
        b"a;b\r\n1;2,5\r\n",
        b"x\ty\n\"1\t2\"\t3\n",
        b"1,2\n3,4\n",
        b"\r\r\r",
    ];
    for (i, bytes) in cases.iter().enumerate() {
        let p = f.file(&format!("case{i}.csv"), bytes);
        let _ = import::import_file(
            &mut f.ws,
            &p,
            &ImportOptions {
                allow_duplicate: true,
                ..Default::default()
            },
            &mut Job::silent(),
        );
        let _ = import::list_tables(&p, &ImportOptions::default());
    }
}

/// The workspace file's size in SQLite pages (main file and WAL together).
fn page_bytes(ws: &Path) -> u64 {
    let conn = rusqlite::Connection::open(ws).unwrap();
    let pages: u64 = conn
        .pragma_query_value(None, "page_count", |r| r.get(0))
        .unwrap();
    let size: u64 = conn
        .pragma_query_value(None, "page_size", |r| r.get(0))
        .unwrap();
    pages * size
}

#[test]
fn a_full_disk() {
    let mut f = fixture();
    let p = f.file("big.csv", common::import::many_rows(150_000).as_bytes());
    let before = snapshot(&f.ws_path);
    // a real SQLITE_FULL: the workspace may grow by 64 KiB only
    f.ws.set_size_limit(page_bytes(&f.ws_path) + 64 * 1024)
        .unwrap();
    let err = import::import_file(&mut f.ws, &p, &ImportOptions::default(), &mut Job::silent())
        .unwrap_err();
    let text = err.to_string();
    assert!(text.contains("the disk is full"), "{text}");
    assert!(text.contains("nothing was stored"), "{text}");
    assert!(text.contains("w.stepwise"), "names the workspace: {text}");
    assert_eq!(text.lines().count(), 1, "{text}");
    assert_eq!(snapshot(&f.ws_path), before);
    assert!(!f.ws.has_dataset("big").unwrap());
    // an append that does not fit leaves the dataset as it was too
    let mut more = b"a,b\n".to_vec();
    for i in 0..150_000 {
        more.extend_from_slice(format!("{i},v{i}\n").as_bytes());
    }
    let more = f.file("more.csv", &more);
    let err = import::append_file(
        &mut f.ws,
        "seed",
        &more,
        &ImportOptions::default(),
        &mut Job::silent(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("the disk is full"), "{err}");
    assert_eq!(snapshot(&f.ws_path), before);
    // with room again, the same workspace takes the same file
    f.ws.set_size_limit(1 << 40).unwrap();
    let info =
        import::import_file(&mut f.ws, &p, &ImportOptions::default(), &mut Job::silent()).unwrap();
    assert_eq!(info.rows, 150_000);
}

#[test]
fn a_workspace_busy_with_another_writer() {
    let mut f = fixture();
    let p = f.file(
        "small.csv",
        b"time,event\n2024-01-01 10:00,view\n2024-01-01 10:01,buy\n",
    );
    let before = snapshot(&f.ws_path);
    // another Stepwise holds the write lock (an open write transaction)
    let other = rusqlite::Connection::open(&f.ws_path).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    f.ws.set_busy_timeout(std::time::Duration::from_millis(300))
        .unwrap();
    let started = std::time::Instant::now();
    let err = import::import_file(&mut f.ws, &p, &ImportOptions::default(), &mut Job::silent())
        .unwrap_err();
    let waited = started.elapsed();
    assert!(waited < std::time::Duration::from_secs(5), "{waited:?}");
    assert!(
        waited >= std::time::Duration::from_millis(250),
        "gave up without waiting: {waited:?}"
    );
    let text = err.to_string();
    assert!(text.contains("the workspace is busy"), "{text}");
    assert!(text.contains("another Stepwise"), "{text}");
    assert!(text.contains("w.stepwise"), "{text}");
    other.execute_batch("ROLLBACK").unwrap();
    assert_eq!(snapshot(&f.ws_path), before);
    // once the other writer is done, the import goes through
    let info =
        import::import_file(&mut f.ws, &p, &ImportOptions::default(), &mut Job::silent()).unwrap();
    assert_eq!(info.rows, 2);
}

#[test]
fn a_file_cut_short_while_it_is_stored() {
    let mut f = fixture();
    // more rows than the storing pipeline holds, so the reader is still
    // reading when the first chunk is stored
    let p = f.file("cut.csv", common::import::many_rows(1_000_000).as_bytes());
    let job = common::import::when_stage("storing", &p, |v| common::import::cut(v, |n| n / 2));
    // the two passes; the single pass: import_single_pass.rs
    f.refuse_changed(&p, job, "cut.csv");
}
