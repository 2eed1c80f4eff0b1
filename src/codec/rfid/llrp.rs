//! wip
pub fn fuzz_one(_d: &[u8]) {}
