#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    scanstation::ui::term_keys::fuzz_one(data);
});
