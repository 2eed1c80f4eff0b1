#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| scanstation::codec::nwipe::fuzz_one(data));
