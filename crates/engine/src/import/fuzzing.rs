//! The bodies of the fuzz targets (fuzz/fuzz_targets/*.rs), here so that
//! the stable test suite runs the very same code over the seed corpus in
//! fuzz/corpus (tests/import_fuzz_corpus.rs). Each takes arbitrary bytes
//! and must return without panicking or hanging, whatever they are.

use super::{infer, json, sniff, ImportOptions};
use crate::job::Job;
use crate::store::Workspace;
use std::path::{Path, PathBuf};

/// A scratch folder for one run, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new() -> Scratch {
        use std::sync::atomic::{AtomicU64, Ordering};
        static N: AtomicU64 = AtomicU64::new(0);
        let dir = std::env::temp_dir().join(format!(
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
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Imports `path` into a fresh in-folder workspace; errors are fine.
fn import_into_fresh(dir: &Path, path: &Path, opts: &ImportOptions) {
    let mut ws = Workspace::open(&dir.join("w.stepwise")).expect("a scratch workspace");
    let _ = super::import_file(&mut ws, path, opts, &mut Job::silent());
}

/// Delimited text: the sniffers, the value parsers and the whole import.
pub fn csv_sniffer(data: &[u8]) {
    let _ = sniff::sniff_format(data);
    let enc = sniff::sniff_encoding(data);
    let (text, _, _) = enc.encoding.decode(&data[enc.bom.min(data.len())..]);
    let _ = sniff::sniff_dialect(&text, false);
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
    let dir = Scratch::new();
    let path = dir.path().join("fuzz.csv");
    std::fs::write(&path, data).expect("write the input");
    import_into_fresh(dir.path(), &path, &ImportOptions::default());
    let _ = super::list_tables(&path, &ImportOptions::default());
}

/// Workbooks: zip checks, calamine and table finding. Inputs that do not
/// start like a workbook get a zip signature, so most reach the readers.
pub fn xlsx(data: &[u8]) {
    let dir = Scratch::new();
    let path = dir.path().join("fuzz.xlsx");
    let mut bytes = data.to_vec();
    if !bytes.starts_with(b"PK") && !bytes.starts_with(&[0xD0, 0xCF]) {
        bytes.splice(0..0, b"PK\x03\x04".iter().copied());
    }
    std::fs::write(&path, &bytes).expect("write the input");
    let _ = super::list_sheets(&path);
    let _ = super::list_tables(&path, &ImportOptions::default());
    import_into_fresh(dir.path(), &path, &ImportOptions::default());
}

/// JSON: flattening any value, and importing the bytes as a JSON document
/// and as NDJSON.
pub fn json_flattener(data: &[u8]) {
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(data) {
        let mut out = Vec::new();
        json::flatten_record(&v, &mut out);
        let mut c = json::Collector::default();
        c.add(&v);
    }
    let dir = Scratch::new();
    let mut ws = Workspace::open(&dir.path().join("w.stepwise")).expect("a scratch workspace");
    for (name, prefix) in [
        ("a.json", &b""[..]),
        ("b.ndjson", &b""[..]),
        ("c.json", &b"["[..]),
    ] {
        let path = dir.path().join(name);
        let mut bytes = prefix.to_vec();
        bytes.extend_from_slice(data);
        std::fs::write(&path, &bytes).expect("write the input");
        let opts = ImportOptions {
            allow_duplicate: true,
            ..Default::default()
        };
        let _ = super::import_file(&mut ws, &path, &opts, &mut Job::silent());
        let _ = super::list_tables(&path, &opts);
    }
}
