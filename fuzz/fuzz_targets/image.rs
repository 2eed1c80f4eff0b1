#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| scanstation::device::image::fuzz_one(data));
