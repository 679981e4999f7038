//! Fuzz target: `stepwise_engine::import::fuzzing::xlsx` on arbitrary bytes
//! (see that function). It must never panic or hang.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    stepwise_engine::import::fuzzing::xlsx(data);
});
