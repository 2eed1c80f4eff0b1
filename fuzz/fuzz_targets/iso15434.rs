#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| scanstation::codec::iso15434::fuzz_one(data));
