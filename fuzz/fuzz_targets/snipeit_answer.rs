#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| scanstation::sync::snipeit::answer::fuzz_one(data));
