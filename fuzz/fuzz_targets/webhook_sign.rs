#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| scanstation::sync::webhook_sign::fuzz_one(data));
