//! Delimited text: the sniffers, the value parsers and the whole import
//! (two streamed passes into an in-memory workspace) must never panic or
//! hang, whatever the bytes.
#![no_main]
use libfuzzer_sys::fuzz_target;
use stepwise_engine::import::{self, infer, sniff, ImportOptions};
use stepwise_engine::{Job, Workspace};

fuzz_target!(|data: &[u8]| {
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
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fuzz.csv");
    std::fs::write(&path, data).unwrap();
    let mut ws = Workspace::open(&dir.path().join("w.stepwise")).unwrap();
    let _ = import::import_file(&mut ws, &path, &ImportOptions::default(), &mut Job::silent());
    let _ = import::list_tables(&path, &ImportOptions::default());
});
