#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| scanstation::identify::fuzz_one(data));
