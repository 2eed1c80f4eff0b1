//! From HID reports to scans: the glue between a claimed interface and the
//! pure decoders in [`crate::codec::hid`]. A keyboard's keys are gathered into
//! a scan until Enter or Tab; HID POS reports are joined by the codec itself,
//! with the layout read from the interface's report descriptor when it
//! describes one, else Honeywell's layouts chosen by report length.

use crate::codec::hid::{HidError, Key, KeyboardDecoder, PosAssembler, PosLayout};
use crate::device::spec::Protocol;
use crate::device::ReaderError;
use crate::input::{ReaderErrors, MAX_SCAN_BYTES};

use super::InterfaceInfo;

/// Turns reports into finished scans (raw bytes, AIM identifier included
/// when the scanner sent one). Bad reports are counted in `errors`, never
/// turned into scans.
pub trait ReportDecoder: Send {
    fn feed(&mut self, report: &[u8], errors: &mut ReaderErrors) -> Vec<Vec<u8>>;
}

/// The decoder for `protocol` on this interface.
pub fn decoder_for(
    protocol: Protocol,
    info: &InterfaceInfo,
) -> Result<Box<dyn ReportDecoder>, ReaderError> {
    match protocol {
        Protocol::HidKeyboard => Ok(Box::new(Keyboard::default())),
        Protocol::HidPos => {
            let assembler = match PosLayout::from_descriptor(&info.report_descriptor) {
                Ok(layout) => PosAssembler::with_layout(layout),
                Err(e) => {
                    if !info.report_descriptor.is_empty() {
                        tracing::debug!("{}: {e}; using the built-in layouts", info.name);
                    }
                    PosAssembler::new()
                }
            };
            Ok(Box::new(Pos(assembler)))
        }
        other => Err(ReaderError::Protocol(format!(
            "protocol {} is not a USB HID protocol",
            other.as_str()
        ))),
    }
}

/// Boot keyboard reports → keys → one scan per Enter/Tab.
#[derive(Default)]
struct Keyboard {
    decoder: KeyboardDecoder,
    current: Vec<u8>,
    too_long: bool,
}

impl ReportDecoder for Keyboard {
    fn feed(&mut self, report: &[u8], errors: &mut ReaderErrors) -> Vec<Vec<u8>> {
        let out = match self.decoder.feed(report) {
            Ok(out) => out,
            Err(_) => {
                errors.garbage_bytes += report.len() as u64;
                return Vec::new();
            }
        };
        let mut scans = Vec::new();
        for key in &out {
            match *key {
                Key::Char(c) if self.current.len() < MAX_SCAN_BYTES => self.current.push(c),
                Key::Char(_) => self.too_long = true,
                Key::Enter | Key::Tab => {
                    if std::mem::take(&mut self.too_long) {
                        errors.overlong += 1;
                    }
                    if !self.current.is_empty() {
                        scans.push(std::mem::take(&mut self.current));
                    }
                }
            }
        }
        scans
    }
}

/// HID POS reports → scans (AIM id + data).
struct Pos(PosAssembler);

impl ReportDecoder for Pos {
    fn feed(&mut self, report: &[u8], errors: &mut ReaderErrors) -> Vec<Vec<u8>> {
        match self.0.feed(report) {
            Ok(Some(scan)) => {
                let mut raw = scan.aim.map(String::into_bytes).unwrap_or_default();
                raw.extend_from_slice(&scan.data);
                vec![raw]
            }
            Ok(None) => Vec::new(),
            Err(HidError::ScanTooLong(_)) => {
                errors.overlong += 1;
                Vec::new()
            }
            Err(_) => {
                errors.garbage_bytes += report.len() as u64;
                Vec::new()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info() -> InterfaceInfo {
        InterfaceInfo {
            name: "test".into(),
            max_packet: 64,
            ..InterfaceInfo::default()
        }
    }

    #[test]
    fn keyboard_keys_become_a_scan_at_enter() {
        let mut d = decoder_for(Protocol::HidKeyboard, &info()).expect("decoder");
        let mut errors = ReaderErrors::default();
        let mut scans = Vec::new();
        for usage in [0x04u8, 0x1e, 0x28] {
            scans.extend(d.feed(&[0, 0, usage, 0, 0, 0, 0, 0], &mut errors));
            scans.extend(d.feed(&[0; 8], &mut errors));
        }
        assert_eq!(scans, vec![b"a1".to_vec()]);
        assert!(d.feed(&[0; 5], &mut errors).is_empty());
        assert_eq!(errors.garbage_bytes, 5);
    }

    #[test]
    fn pos_garbage_is_counted_not_scanned() {
        let mut d = decoder_for(Protocol::HidPos, &info()).expect("decoder");
        let mut errors = ReaderErrors::default();
        assert!(d.feed(&[0xff; 17], &mut errors).is_empty());
        assert_eq!(errors.garbage_bytes, 17);
        assert!(decoder_for(Protocol::Chafon, &info()).is_err());
    }
}
