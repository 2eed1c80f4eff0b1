#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| scanstation::codec::gs1::fuzz_digital_link(data));
