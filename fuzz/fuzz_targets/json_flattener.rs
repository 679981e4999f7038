//! Fuzz target: `stepwise_engine::import::fuzzing::json_flattener` on arbitrary bytes
//! (see that function), in memory: thousands of inputs a second. It must
//! never panic or hang.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(
    init: {
        // Workbooks are read inside catch_unwind (see xlsx.rs): keep the
        // default panic hook so that only a panic that escapes aborts.
        let _ = std::panic::take_hook();
    },
    |data: &[u8]| {
        stepwise_engine::import::fuzzing::json_flattener(data);
    }
);
