//! Pure codecs: bytes or text in, typed values out. No I/O, no store, nothing
//! else of ours is imported here, so each codec can be fuzzed and benchmarked
//! on its own. Every parser takes arbitrary bytes without panicking.

pub mod aim;
pub mod epc;
pub mod gs1;
pub mod hid;
pub mod iso15434;
pub mod nwipe;
pub mod rfid;
pub mod wedge;
