//! USB HID reports from barcode scanners, bytes in, text out.
//!
//! Two ways a scanner talks HID:
//! * as a keyboard ("wedge", boot protocol): 8-byte reports of pressed key
//!   usages, decoded by [`KeyboardDecoder`] on a US layout;
//! * as a HID POS barcode scanner (usage page 0x8C): reports that carry the
//!   AIM identifier and the data, joined by [`PosAssembler`] — with Honeywell's
//!   layouts built in and other vendors' read from their report descriptor
//!   ([`PosLayout::from_descriptor`]).
//!
//! Why here and pure: the USB reader only moves reports; every decision about
//! what the bytes mean is in this module, tested on recorded report sequences
//! (fixtures/hid/) and fuzzed. Nothing here panics on any input: a malformed
//! report is a [`HidError`] that the caller counts.

mod descriptor;
mod keyboard;
mod pos;

pub use keyboard::{decode_keyboard_stream, Key, KeyboardDecoder, KeyboardOutput, KeyboardScans};
pub use pos::{PosAssembler, PosLayout, PosScan, MAX_SCAN_LEN};

use thiserror::Error;

/// A report that cannot be decoded. The decoders stay usable afterwards.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum HidError {
    #[error("keyboard report has {0} bytes, expected 8")]
    KeyboardLength(usize),
    #[error("HID POS report has {got} bytes, expected {expected}")]
    PosLength { got: usize, expected: String },
    #[error("HID POS report id is 0x{got:02X}, expected 0x{expected:02X}")]
    ReportId { got: u8, expected: u8 },
    #[error("HID POS report says {len} data bytes but has room for {room}")]
    DataLength { len: usize, room: usize },
    #[error("HID POS scan is longer than {0} bytes; dropped until it ends")]
    ScanTooLong(usize),
    #[error("HID report descriptor {0}")]
    Descriptor(String),
}

/// Fuzz entry point for the keyboard decoder: the first byte of each report
/// gives its length (mod 12, so wrong lengths are exercised too).
#[cfg(feature = "fuzzing")]
pub fn fuzz_keyboard(data: &[u8]) {
    let reports = split_reports(data, 12);
    let mut decoder = KeyboardDecoder::new();
    for report in &reports {
        if let Ok(out) = decoder.feed(report) {
            assert!(out.keys().len() <= 8);
        }
    }
    let scans = decode_keyboard_stream(&reports);
    assert!(scans
        .scans
        .iter()
        .all(|s| !s.is_empty() && s.len() <= MAX_SCAN_LEN));
}

/// Fuzz entry point for HID POS: an even first byte picks the built-in layouts;
/// an odd one N takes the next N/2 bytes as a report descriptor. The rest is
/// split into reports whose first byte gives their length (mod 72).
#[cfg(feature = "fuzzing")]
pub fn fuzz_pos(data: &[u8]) {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let (mut assembler, reports) = if mode & 1 == 0 {
        (PosAssembler::new(), rest)
    } else {
        let (desc, reports) = rest.split_at(usize::from(mode >> 1).min(rest.len()));
        match PosLayout::from_descriptor(desc) {
            Ok(layout) => (PosAssembler::with_layout(layout), reports),
            Err(_) => (PosAssembler::new(), reports),
        }
    };
    for report in split_reports(reports, 72) {
        if let Ok(Some(scan)) = assembler.feed(report) {
            assert!(scan.data.len() <= MAX_SCAN_LEN);
        }
    }
    let _ = PosLayout::from_descriptor(rest);
}

/// Splits fuzz data into reports, each led by a length byte (mod `modulus`).
#[cfg(feature = "fuzzing")]
fn split_reports(mut data: &[u8], modulus: u8) -> Vec<&[u8]> {
    let mut reports = Vec::new();
    while let Some((&len, rest)) = data.split_first() {
        let len = usize::from(len % modulus).min(rest.len());
        let (report, tail) = rest.split_at(len);
        reports.push(report);
        data = tail;
    }
    reports
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn keyboard_never_panics(data in prop::collection::vec(any::<u8>(), 0..300)) {
            fuzz_keyboard(&data);
        }

        #[test]
        fn pos_never_panics(data in prop::collection::vec(any::<u8>(), 0..600)) {
            fuzz_pos(&data);
        }

        #[test]
        fn honeywell_reports_with_random_bodies_never_panic(
            bodies in prop::collection::vec(prop::collection::vec(any::<u8>(), 63), 1..6),
        ) {
            let mut a = PosAssembler::new();
            for body in bodies {
                let mut report = vec![0x02];
                report.extend_from_slice(&body);
                if let Ok(Some(scan)) = a.feed(&report) {
                    prop_assert!(scan.data.len() <= MAX_SCAN_LEN);
                }
            }
        }

        #[test]
        fn descriptor_parser_never_panics(desc in prop::collection::vec(any::<u8>(), 0..200)) {
            let _ = PosLayout::from_descriptor(&desc);
        }
    }
}
