//! JSON: flattening any value, and importing any bytes as JSON or NDJSON,
//! must never panic or hang.
#![no_main]
use libfuzzer_sys::fuzz_target;
use stepwise_engine::import::{self, json, ImportOptions};
use stepwise_engine::{Job, Workspace};

fuzz_target!(|data: &[u8]| {
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(data) {
        let mut out = Vec::new();
        json::flatten_record(&v, &mut out);
        let mut c = json::Collector::default();
        c.add(&v);
    }
    let dir = tempfile::tempdir().unwrap();
    let mut ws = Workspace::open(&dir.path().join("w.stepwise")).unwrap();
    for (name, prefix) in [("a.json", &b"["[..]), ("b.ndjson", &b"{"[..])] {
        let path = dir.path().join(name);
        let mut bytes = prefix.to_vec();
        bytes.extend_from_slice(data);
        std::fs::write(&path, &bytes).unwrap();
        let opts = ImportOptions { allow_duplicate: true, ..Default::default() };
        let _ = import::import_file(&mut ws, &path, &opts, &mut Job::silent());
    }
});
