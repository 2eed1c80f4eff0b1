#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| scanstation::device::spec::fuzz_one(data));
