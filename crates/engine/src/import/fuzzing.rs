//! The bodies of the fuzz targets (fuzz/fuzz_targets/*.rs), here so that
//! the stable test suite runs the very same code over the seed corpus in
//! fuzz/corpus and over the inputs that once crashed
//! (tests/import_fuzz_corpus.rs, tests/fuzz_regressions.rs). Each takes
//! arbitrary bytes and must return without panicking or hanging, whatever
//! they are.
//!
//! Two kinds of target:
//! - the parser targets [`csv_sniffer`], [`xlsx`] and [`json_flattener`]
//!   run a format's whole reading side (sniffing, table finding, type
//!   inference, planning, then every row parsed and encoded, and each
//!   encoded column decoded back) with no workspace: the bytes go to one
//!   file in memory (`/dev/shm` where there is one) that is rewritten for
//!   each input, so they run thousands of times a second;
//! - [`import_store`] imports the bytes into a fresh workspace, both ways
//!   delimited text is read (single pass and two passes), as the app does:
//!   slower (a SQLite file per input), but it covers the store.

use super::{encode, infer, json, sniff, ImportOptions, Strategy};
use crate::column::Column;
use crate::job::Job;
use crate::store::Workspace;
use std::path::{Path, PathBuf};

/// A scratch folder for one process, in memory where possible, removed
/// on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Scratch {
        use std::sync::atomic::{AtomicU64, Ordering};
        static N: AtomicU64 = AtomicU64::new(0);
        let shm = Path::new("/dev/shm");
        let base = if shm.is_dir() {
            shm.to_path_buf()
        } else {
            std::env::temp_dir()
        };
        let dir = base.join(format!(
            "stepwise-fuzz-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("a scratch folder");
        Scratch(dir)
    }
    fn path(&self) -> &Path {
        &self.0
    }
    /// Writes `data` to the file `name` in the folder and returns its path.
    fn file(&self, name: &str, data: &[u8]) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, data).expect("write the input");
        path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

thread_local! {
    /// The parser targets' scratch folder, made once per thread.
    static SCRATCH: Scratch = Scratch::new();
}

/// Reads `path` as an import would, up to the rows: sniff, scan, infer,
/// plan, then every row of the chosen table parsed and encoded, and each
/// encoded column decoded back. Errors are fine; panics are not.
/// With `list`, the table listing first (it repeats the scan that
/// `prepare` makes, so the delimited target asks for it on a share of
/// its inputs only).
fn read_all(path: &Path, opts: &ImportOptions, list: bool) {
    if list {
        let _ = super::list_tables(path, opts);
    }
    let Ok(prepared) = super::prepare(path, opts, &mut Job::silent()) else {
        return;
    };
    let parsers = &prepared.plan.parsers;
    let width = prepared.plan.columns.len();
    assert_eq!(parsers.len(), width, "one parser per column");
    assert_eq!(prepared.order.len(), width, "one source column per column");
    let mut sink = |mut chunk: encode::Chunk| -> crate::error::Result<()> {
        if let Some(raw) = chunk.raw.take() {
            let rest = &parsers[chunk.columns.len().min(width)..];
            let mut enc = encode::RowEncoder::new(rest);
            raw.encode_all(&mut enc);
            chunk.columns.extend(enc.take());
        }
        assert_eq!(chunk.columns.len(), width, "a chunk has every column");
        let rows = chunk.columns.first().map(|c| c.len()).unwrap_or(0);
        for (c, p) in chunk.columns.iter().zip(parsers) {
            assert_eq!(c.len(), rows, "the columns of a chunk are as long");
            assert_eq!(c.ty, p.ty, "a column has its parser's type");
            let back = Column::decode(&c.encode()).expect("an encoded column decodes");
            assert_eq!(back.len(), c.len());
            for i in 0..c.len() {
                // Debug, so that a NaN equals itself
                assert_eq!(
                    format!("{:?}", back.cell(i)),
                    format!("{:?}", c.cell(i)),
                    "cell {i} survives encoding"
                );
            }
        }
        Ok(())
    };
    let _ = super::produce(&prepared, &mut sink);
}

/// The input's length picks the extra reads a target makes, so that each
/// input costs one scan and one read of the rows, not four of each: the
/// table listing (which repeats the scan) on a quarter of the inputs ...
fn lists(data: &[u8]) -> bool {
    data.len().is_multiple_of(4)
}

/// ... and a second read with other options on half of them.
fn reads_again(data: &[u8]) -> bool {
    data.len() % 2 == 1
}

/// Delimited text: the sniffers and value parsers on the bytes, then the
/// whole reading side of an import (as the file's content decides: most
/// inputs read as delimited text).
pub fn csv_sniffer(data: &[u8]) {
    // (the sniffers run inside read_all: the format, the encoding, the
    // dialect; here the value parsers in the styles a file did not pick)
    let text = String::from_utf8_lossy(data);
    for cell in text.split([',', ';', '\t', '\n']).take(64) {
        let s = infer::trim(cell);
        let _ = infer::parse_number(s, infer::NumStyle::Point);
        let _ = infer::parse_number(s, infer::NumStyle::Comma);
        let _ = infer::parse_date(s, infer::DateOrder::Dmy);
        let _ = infer::parse_timestamp(s, infer::DateOrder::Mdy, 3600);
        let _ = infer::parse_duration(s);
        let mut c = infer::Candidates::default();
        c.observe(s);
    }
    SCRATCH.with(|s| {
        let path = s.file("fuzz.csv", data);
        read_all(&path, &ImportOptions::default(), lists(data));
        if reads_again(data) {
            let no_header = ImportOptions {
                header: Some(false),
                ..Default::default()
            };
            read_all(&path, &no_header, false);
        }
    });
}

/// Workbooks (xlsx, xlsb, ods through the zip reader; xls through OLE):
/// the zip checks, calamine, table finding and the rows. Inputs that do
/// not start with a workbook's signature get the zip one, so all reach
/// the readers.
pub fn xlsx(data: &[u8]) {
    let mut bytes = data.to_vec();
    // (the signatures sniff_format knows: "PK" alone would send the input
    // to the delimited text reader, the other target's work)
    if !bytes.starts_with(sniff::ZIP_MAGIC) && !bytes.starts_with(sniff::OLE_MAGIC) {
        bytes.splice(0..0, sniff::ZIP_MAGIC.iter().copied());
    }
    SCRATCH.with(|s| {
        let path = s.file("fuzz.xlsx", &bytes);
        let sheets = super::list_sheets(&path).unwrap_or_default();
        read_all(&path, &ImportOptions::default(), lists(data));
        // another sheet than the largest table's, when there is one
        if let Some(last) = sheets.last().filter(|_| sheets.len() > 1) {
            let opts = ImportOptions {
                sheet: Some(last.clone()),
                ..Default::default()
            };
            read_all(&path, &opts, false);
        }
    });
}

/// JSON: flattening any value, then the reading side of a JSON document
/// and of NDJSON.
pub fn json_flattener(data: &[u8]) {
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(data) {
        let mut out = Vec::new();
        json::flatten_record(&v, &mut out);
        let mut c = json::Collector::default();
        c.add(&v);
        let _ = c.row(&v, &mut out);
    }
    SCRATCH.with(|s| {
        // an array start makes inputs that do not open a document or a
        // record a (broken) JSON document, not delimited text
        let opens = matches!(
            data.iter().find(|b| !b.is_ascii_whitespace()),
            Some(b'[' | b'{')
        );
        let path = if opens {
            s.file("fuzz.json", data)
        } else {
            let mut bytes = b"[".to_vec();
            bytes.extend_from_slice(data);
            s.file("fuzz.json", &bytes)
        };
        read_all(&path, &ImportOptions::default(), lists(data));
        // and a second table chosen, for documents with several
        if reads_again(data) {
            let second = ImportOptions {
                table: Some(1),
                ..Default::default()
            };
            read_all(&path, &second, false);
        }
    });
}

/// End to end, through the store: the bytes imported into a fresh
/// workspace, the single-pass way and the two-pass way, then appended to
/// the dataset they made. Slow (a SQLite file per input).
pub fn import_store(data: &[u8]) {
    let dir = Scratch::new();
    let path = dir.file("fuzz.data", data);
    let mut ws = Workspace::open_with(
        &dir.path().join("w.stepwise"),
        crate::store::convert_nothing,
    )
    .expect("a scratch workspace");
    let mut made = None;
    for (name, strategy) in [("a", Strategy::Auto), ("b", Strategy::TwoPass)] {
        let opts = ImportOptions {
            name: Some(name.into()),
            allow_duplicate: true,
            ..Default::default()
        };
        if let Ok((r, _)) =
            super::import_file_with(&mut ws, &path, &opts, &mut Job::silent(), strategy)
        {
            assert_eq!(r.dataset.name, name);
            made.get_or_insert(r.dataset);
        }
    }
    if let Some(info) = made {
        let opts = ImportOptions {
            allow_duplicate: true,
            ..Default::default()
        };
        let before = ws.dataset(&info.name).expect("the dataset is there").info;
        match super::append_file(&mut ws, &info.name, &path, &opts, &mut Job::silent()) {
            Ok(r) => assert_eq!(r.dataset.rows, 2 * before.rows, "an append adds the rows"),
            Err(_) => {
                let after = ws.dataset(&info.name).expect("the dataset is there").info;
                assert_eq!(after.rows, before.rows, "a failed append adds nothing");
            }
        }
    }
    let _ = ws.datasets().expect("the workspace lists its datasets");
}
