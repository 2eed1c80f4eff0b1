#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| scanstation::codec::rfid::mercury::fuzz_one(data));
