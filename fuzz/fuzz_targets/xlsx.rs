//! Workbooks: zip checks, calamine and table finding must never panic or
//! hang (seed the corpus with real .xlsx/.xls/.ods files).
#![no_main]
use libfuzzer_sys::fuzz_target;
use stepwise_engine::import::{self, ImportOptions};
use stepwise_engine::{Job, Workspace};

fuzz_target!(|data: &[u8]| {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("fuzz.xlsx");
    let mut bytes = data.to_vec();
    // most inputs should reach the workbook readers
    if !bytes.starts_with(b"PK") && !bytes.starts_with(&[0xD0, 0xCF]) {
        bytes.splice(0..0, b"PK\x03\x04".iter().copied());
    }
    std::fs::write(&path, &bytes).unwrap();
    let _ = import::list_sheets(&path);
    let mut ws = Workspace::open(&dir.path().join("w.stepwise")).unwrap();
    let _ = import::import_file(&mut ws, &path, &ImportOptions::default(), &mut Job::silent());
});
