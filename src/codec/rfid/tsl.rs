//! TSL ASCII 2 protocol (1128 / 1153 / 1166 handhelds over Bluetooth SPP or USB serial).
//!
//! Text lines: a command such as `.iv -r on` ends with CR LF; the reply is
//! `CS: <command>`, payload lines (`EP: <EPC hex>`, `RI: <RSSI>` …), then
//! `OK:` or `ER: nnn`, and an empty line. Pulling the trigger sends an
//! inventory's lines unasked, in the same form. Headers are accepted with or
//! without the space after the colon. An `ER:` is the reader's answer (no tag
//! found, antenna not fitted), not a broken line: it is reported and counted,
//! never fatal.

use super::lines::LineSplitter;
use super::{DecodeStats, Epc};

/// The inventory command with RSSI, as the station sends it at start-up.
pub const SETUP_COMMAND: &str = ".iv -r on";

/// `ER: 005`, no transponder found.
pub const ER_NO_TRANSPONDER: u16 = 5;

/// A command line as sent (`\r\n` appended).
pub fn command_line(cmd: &str) -> Vec<u8> {
    let mut v = cmd.as_bytes().to_vec();
    v.extend_from_slice(b"\r\n");
    v
}

/// What the reader said.
#[derive(Debug, Clone, PartialEq)]
pub enum Event {
    /// One transponder: its EPC and, when `-r on`, its RSSI.
    Tag { epc: Epc, rssi: Option<f32> },
    /// The end of a response: `command` is what `CS:` echoed (None for a
    /// trigger-driven inventory that had none); `error` the `ER:` code.
    Done {
        command: Option<String>,
        error: Option<u16>,
    },
}

/// Incremental decoder: push bytes, pull events.
#[derive(Debug, Default)]
pub struct Decoder {
    lines: LineSplitter,
    command: Option<String>,
    /// An EP: line waiting for its RI:.
    pending: Option<Epc>,
    queue: std::collections::VecDeque<Event>,
}

impl Decoder {
    pub fn new() -> Decoder {
        Decoder::default()
    }

    pub fn push(&mut self, data: &[u8]) {
        self.lines.push(data);
    }

    pub fn next_event(&mut self) -> Option<Event> {
        loop {
            if let Some(e) = self.queue.pop_front() {
                return Some(e);
            }
            let line = self.lines.next_line()?.to_vec();
            self.line(&line);
        }
    }

    fn flush_tag(&mut self, rssi: Option<f32>) {
        if let Some(epc) = self.pending.take() {
            self.queue.push_back(Event::Tag { epc, rssi });
        }
    }

    fn line(&mut self, line: &[u8]) {
        let Some((header, value)) = split_header(line) else {
            if !line.iter().all(|b| b.is_ascii_whitespace()) {
                self.lines.stats.garbage_bytes += line.len() as u64;
            }
            // A blank line ends a response; anything pending is complete.
            self.flush_tag(None);
            return;
        };
        match header {
            "CS" => {
                self.flush_tag(None);
                self.command = Some(value.to_string());
            }
            "EP" => {
                self.flush_tag(None);
                match Epc::from_hex(value) {
                    Some(epc) => self.pending = Some(epc),
                    None => self.lines.stats.malformed += 1,
                }
            }
            "RI" => match value.parse::<f32>() {
                Ok(r) if self.pending.is_some() && r.is_finite() => self.flush_tag(Some(r)),
                _ => self.lines.stats.malformed += 1,
            },
            "OK" | "ER" => {
                self.flush_tag(None);
                let error = if header == "ER" {
                    self.lines.stats.reader_errors += 1;
                    Some(value.parse::<u16>().unwrap_or(0))
                } else {
                    None
                };
                let command = self.command.take();
                self.queue.push_back(Event::Done { command, error });
            }
            // PC:, CRC:, IX:, DT:, ME: … carry nothing the station uses.
            _ => {}
        }
    }

    pub fn stats(&self) -> DecodeStats {
        self.lines.stats
    }
}

/// `XX: value` or `XX:value` with a two-to-four-letter upper-case header.
fn split_header(line: &[u8]) -> Option<(&str, &str)> {
    let text = std::str::from_utf8(line).ok()?;
    let (h, v) = text.split_once(':')?;
    if !(2..=4).contains(&h.len()) || !h.bytes().all(|b| b.is_ascii_uppercase()) {
        return None;
    }
    Some((h, v.trim()))
}

/// The reader's reply to an inventory (or a trigger pull, `command` None):
/// `CS:`, one `EP:`/`RI:` pair per tag, then `OK:` (or `ER: 005` when there
/// are no tags), and the blank line.
pub fn encode_inventory(command: Option<&str>, tags: &[(Epc, Option<i16>)]) -> Vec<u8> {
    let mut s = String::new();
    if let Some(c) = command {
        s.push_str("CS: ");
        s.push_str(c);
        s.push_str("\r\n");
    }
    for (epc, rssi) in tags {
        s.push_str("EP: ");
        s.push_str(&epc.to_hex());
        s.push_str("\r\n");
        if let Some(r) = rssi {
            s.push_str(&format!("RI: {r}\r\n"));
        }
    }
    if tags.is_empty() {
        s.push_str("ER: 005\r\n\r\n");
    } else {
        s.push_str("OK:\r\n\r\n");
    }
    s.into_bytes()
}

/// An error reply (`ER: nnn`) to `command`.
pub fn encode_error(command: &str, code: u16) -> Vec<u8> {
    format!("CS: {command}\r\nER: {code:03}\r\n\r\n").into_bytes()
}

/// Decodes `data` into events; for fuzzing.
#[cfg(feature = "fuzzing")]
pub fn fuzz_one(data: &[u8]) {
    let mut d = Decoder::new();
    for chunk in data.chunks(13) {
        d.push(chunk);
        while d.next_event().is_some() {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn events(bytes: &[u8]) -> (Vec<Event>, DecodeStats) {
        let mut d = Decoder::new();
        d.push(bytes);
        let mut v = Vec::new();
        while let Some(e) = d.next_event() {
            v.push(e);
        }
        (v, d.stats())
    }

    fn epc(h: &str) -> Epc {
        Epc::from_hex(h).unwrap()
    }

    #[test]
    fn inventory_with_rssi_and_headers_with_or_without_space() {
        let (e, s) = events(
            b"CS: .iv -r on\r\nEP: 3474257BF40000000000162E\r\nRI: -61\r\nEP:E2000001\r\nRI:-48\r\nOK:\r\n\r\n",
        );
        assert_eq!(
            e,
            vec![
                Event::Tag {
                    epc: epc("3474257BF40000000000162E"),
                    rssi: Some(-61.0)
                },
                Event::Tag {
                    epc: epc("E2000001"),
                    rssi: Some(-48.0)
                },
                Event::Done {
                    command: Some(".iv -r on".into()),
                    error: None
                },
            ]
        );
        assert_eq!(s.reader_errors, 0);
    }

    #[test]
    fn trigger_inventory_without_cs_and_without_rssi() {
        let (e, _) = events(b"EP: AABB\r\nEP: CCDD\r\nOK:\r\n\r\n");
        assert_eq!(
            e,
            vec![
                Event::Tag {
                    epc: epc("AABB"),
                    rssi: None
                },
                Event::Tag {
                    epc: epc("CCDD"),
                    rssi: None
                },
                Event::Done {
                    command: None,
                    error: None
                },
            ]
        );
    }

    #[test]
    fn er_codes_are_reported_and_counted() {
        let (e, s) = events(&encode_error(".iv", 8));
        assert_eq!(
            e,
            vec![Event::Done {
                command: Some(".iv".into()),
                error: Some(8)
            }]
        );
        assert_eq!(s.reader_errors, 1);
        let (e, _) = events(&encode_inventory(Some(".iv"), &[]));
        assert_eq!(
            e,
            vec![Event::Done {
                command: Some(".iv".into()),
                error: Some(ER_NO_TRANSPONDER)
            }]
        );
    }

    #[test]
    fn bad_epc_and_noise_never_make_a_tag() {
        let (e, s) =
            events(b"EP: XYZ1\r\nRI: -40\r\n\x01\x02garbage\r\nEP: 1234\r\nRI: loud\r\nOK:\r\n");
        assert_eq!(
            e,
            vec![
                Event::Tag {
                    epc: epc("1234"),
                    rssi: None
                },
                Event::Done {
                    command: None,
                    error: None
                }
            ]
        );
        assert_eq!(s.malformed, 3);
        assert_eq!(s.garbage_bytes, 9);
    }

    #[test]
    fn encoder_round_trip() {
        let tags = [(epc("0102"), Some(-55)), (epc("0304"), None)];
        let (e, _) = events(&encode_inventory(Some(SETUP_COMMAND), &tags));
        assert_eq!(e.len(), 3);
        assert_eq!(
            e[0],
            Event::Tag {
                epc: epc("0102"),
                rssi: Some(-55.0)
            }
        );
        assert_eq!(command_line(".iv"), b".iv\r\n");
    }
}
