//! Fuzz target: `stepwise_engine::import::fuzzing::xlsx` on arbitrary bytes
//! (see that function). It must never panic or hang.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(
    init: {
        // The engine reads workbooks inside catch_unwind (a calamine panic
        // becomes "the workbook cannot be read"). libfuzzer-sys's hook
        // aborts on every panic, even a caught one; the default hook lets
        // a caught panic be, and a panic that escapes still aborts the run.
        let _ = std::panic::take_hook();
    },
    |data: &[u8]| {
        stepwise_engine::import::fuzzing::xlsx(data);
    }
);
