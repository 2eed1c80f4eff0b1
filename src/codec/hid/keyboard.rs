//! Boot-protocol keyboard reports (8 bytes: modifiers, reserved, six key
//! usages) from keyboard-wedge scanners, decoded on a US layout.
//!
//! A key counts once, when its usage appears in a report and was not in the
//! previous one: scanners usually send one key then a release, but some send
//! several keys per report or none between repeats of different keys, so only
//! the difference between reports is meaningful. Control characters arrive as
//! Ctrl+key (GS, the GS1 separator, as Ctrl+]) or, on scanners set to "Alt
//! mode", as Alt held while keypad digits give the character code (Alt+029).

use super::pos::MAX_SCAN_LEN;
use super::HidError;

/// A decoded key press.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key {
    /// A character byte (ASCII; control characters such as GS 0x1D included).
    Char(u8),
    /// Enter, keypad Enter, Ctrl+M or Ctrl+J: ends a scan.
    Enter,
    /// Tab or Ctrl+I: ends a scan on scanners set to a Tab suffix.
    Tab,
}

/// The keys newly pressed by one report, in report order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyboardOutput {
    keys: [Key; 8],
    len: u8,
    /// Newly pressed keys that type nothing here (F-keys, arrows, Esc,
    /// Alt/GUI shortcuts): a person at a keyboard rather than a scanner, often.
    pub ignored: u8,
}

impl Default for KeyboardOutput {
    fn default() -> Self {
        Self {
            keys: [Key::Enter; 8],
            len: 0,
            ignored: 0,
        }
    }
}

impl KeyboardOutput {
    /// The pressed keys, in order.
    pub fn keys(&self) -> &[Key] {
        &self.keys[..usize::from(self.len).min(self.keys.len())]
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn push(&mut self, key: Key) {
        if let Some(slot) = self.keys.get_mut(usize::from(self.len)) {
            *slot = key;
            self.len += 1;
        }
    }
}

impl<'a> IntoIterator for &'a KeyboardOutput {
    type Item = &'a Key;
    type IntoIter = std::slice::Iter<'a, Key>;
    fn into_iter(self) -> Self::IntoIter {
        self.keys().iter()
    }
}

const CTRL: u8 = 0x11;
const SHIFT: u8 = 0x22;
const ALT: u8 = 0x44;
const GUI: u8 = 0x88;

/// Turns a stream of boot keyboard reports into key presses.
#[derive(Debug, Clone, Default)]
pub struct KeyboardDecoder {
    /// Report id leading each report (keyboards in report protocol with ids).
    report_id: Option<u8>,
    previous: [u8; 6],
    modifiers: u8,
    /// Character code typed so far with Alt held on the keypad, and its digit count.
    alt_code: u16,
    alt_digits: u8,
}

impl KeyboardDecoder {
    pub fn new() -> Self {
        Self::default()
    }

    /// A decoder for reports that start with a report id (9 bytes: the id,
    /// then the 8-byte boot layout), as keyboards send them outside boot protocol.
    pub fn with_report_id(id: u8) -> Self {
        Self {
            report_id: Some(id),
            ..Self::default()
        }
    }

    /// Decodes one 8-byte report (9 with a report id). Reports of any other
    /// length are an error and leave the state unchanged; ErrorRollOver
    /// reports are ignored.
    pub fn feed(&mut self, report: &[u8]) -> Result<KeyboardOutput, HidError> {
        let report = match self.report_id {
            None => report,
            Some(expected) => match report.split_first() {
                Some((&got, rest)) if report.len() == 9 => {
                    if got != expected {
                        return Err(HidError::ReportId { got, expected });
                    }
                    rest
                }
                _ => return Err(HidError::KeyboardLength(report.len())),
            },
        };
        let report: &[u8; 8] = report
            .try_into()
            .map_err(|_| HidError::KeyboardLength(report.len()))?;
        let mut out = KeyboardOutput::default();
        let mut keys = [0u8; 6];
        keys.copy_from_slice(&report[2..8]);
        // ErrorRollOver / POSTFail / ErrorUndefined: too many keys, the state is unknown.
        if keys.iter().any(|&k| (0x01..=0x03).contains(&k)) {
            return Ok(out);
        }
        let modifiers = report[0];
        if self.modifiers & ALT != 0 && modifiers & ALT == 0 {
            self.finish_alt_code(&mut out);
        }
        for &usage in keys.iter().filter(|&&k| k != 0) {
            if self.previous.contains(&usage) {
                continue;
            }
            self.press(usage, modifiers, &mut out);
        }
        self.previous = keys;
        self.modifiers = modifiers;
        Ok(out)
    }

    fn press(&mut self, usage: u8, modifiers: u8, out: &mut KeyboardOutput) {
        if modifiers & ALT != 0 {
            if let Some(digit) = keypad_digit(usage) {
                self.alt_code = (self
                    .alt_code
                    .saturating_mul(10)
                    .saturating_add(u16::from(digit)))
                .min(9999);
                self.alt_digits = self.alt_digits.saturating_add(1);
            } else {
                out.ignored += 1;
            }
            return;
        }
        if modifiers & GUI != 0 {
            out.ignored += 1;
            return;
        }
        let shift = modifiers & SHIFT != 0;
        let key = if modifiers & CTRL != 0 {
            control_key(usage, shift)
        } else {
            plain_key(usage, shift)
        };
        match key {
            Some(key) => out.push(key),
            None => out.ignored += 1,
        }
    }

    fn finish_alt_code(&mut self, out: &mut KeyboardOutput) {
        if self.alt_digits > 0 {
            match u8::try_from(self.alt_code) {
                Ok(c) => out.push(Key::Char(c)),
                Err(_) => out.ignored += 1,
            }
        }
        self.alt_code = 0;
        self.alt_digits = 0;
    }
}

fn keypad_digit(usage: u8) -> Option<u8> {
    match usage {
        0x59..=0x61 => Some(usage - 0x58),
        0x62 => Some(0),
        _ => None,
    }
}

/// A key without Ctrl, on a US layout (Num Lock assumed on: keypad keys type digits).
fn plain_key(usage: u8, shift: bool) -> Option<Key> {
    const DIGITS_SHIFTED: &[u8; 10] = b"!@#$%^&*()";
    let c = match usage {
        0x04..=0x1D => {
            let c = b'a' + (usage - 0x04);
            if shift {
                c.to_ascii_uppercase()
            } else {
                c
            }
        }
        0x1E..=0x27 => {
            let i = usize::from(usage - 0x1E);
            if shift {
                DIGITS_SHIFTED[i]
            } else {
                b"1234567890"[i]
            }
        }
        0x28 | 0x58 => return Some(Key::Enter),
        0x2B => return Some(Key::Tab),
        0x2C => b' ',
        0x2D..=0x38 => {
            const PLAIN: &[u8; 12] = b"-=[]\\\0;'`,./";
            const SHIFTED: &[u8; 12] = b"_+{}|\0:\"~<>?";
            let i = usize::from(usage - 0x2D);
            let c = if shift { SHIFTED[i] } else { PLAIN[i] };
            if c == 0 {
                return None; // 0x32, the non-US # key
            }
            c
        }
        0x54 => b'/',
        0x55 => b'*',
        0x56 => b'-',
        0x57 => b'+',
        0x59..=0x62 => b'0' + keypad_digit(usage).unwrap_or(0),
        0x63 => b'.',
        _ => return None,
    };
    Some(Key::Char(c))
}

/// A key with Ctrl held: the ASCII control characters (Ctrl+A = 0x01 …
/// Ctrl+] = GS 0x1D, Ctrl+^ = RS, Ctrl+_ = US, Ctrl+@ = NUL).
fn control_key(usage: u8, shift: bool) -> Option<Key> {
    let c = match usage {
        0x04..=0x1D => usage - 0x03,
        0x2F => 0x1B,
        0x31 => 0x1C,
        0x30 => 0x1D,
        0x23 if shift => 0x1E, // Ctrl+Shift+6 = Ctrl+^
        0x2D if shift => 0x1F, // Ctrl+Shift+- = Ctrl+_
        0x1F if shift => 0x00, // Ctrl+Shift+2 = Ctrl+@
        0x28 | 0x58 => 0x0D,
        0x2B => 0x09,
        _ => return None,
    };
    Some(match c {
        0x0D | 0x0A => Key::Enter,
        0x09 => Key::Tab,
        c => Key::Char(c),
    })
}

/// The scans in a recorded report sequence.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct KeyboardScans {
    /// Text of each scan, without its Enter/Tab suffix (empty scans are skipped).
    pub scans: Vec<Vec<u8>>,
    /// Text typed after the last Enter/Tab.
    pub unterminated: Vec<u8>,
    /// Reports that could not be decoded (wrong length).
    pub bad_reports: usize,
    /// Scans cut at [`MAX_SCAN_LEN`] bytes.
    pub overlong: usize,
}

impl KeyboardScans {
    /// The scans as text (lossy for bytes that are not UTF-8).
    pub fn texts(&self) -> Vec<String> {
        self.scans
            .iter()
            .map(|s| String::from_utf8_lossy(s).into_owned())
            .collect()
    }
}

/// Decodes a whole report sequence into scans ended by Enter or Tab.
pub fn decode_keyboard_stream(reports: &[&[u8]]) -> KeyboardScans {
    let mut decoder = KeyboardDecoder::new();
    let mut result = KeyboardScans::default();
    let mut current = Vec::new();
    let mut too_long = false;
    for report in reports {
        let Ok(out) = decoder.feed(report) else {
            result.bad_reports += 1;
            continue;
        };
        for key in &out {
            match key {
                Key::Char(c) if current.len() < MAX_SCAN_LEN => current.push(*c),
                Key::Char(_) => too_long = true,
                Key::Enter | Key::Tab => {
                    if too_long {
                        result.overlong += 1;
                        too_long = false;
                    }
                    if !current.is_empty() {
                        result.scans.push(std::mem::take(&mut current));
                    }
                }
            }
        }
    }
    result.unterminated = current;
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(modifiers: u8, keys: &[u8]) -> [u8; 8] {
        let mut r = [0u8; 8];
        r[0] = modifiers;
        r[2..2 + keys.len()].copy_from_slice(keys);
        r
    }

    fn text(reports: &[[u8; 8]]) -> Vec<String> {
        let refs: Vec<&[u8]> = reports.iter().map(|r| &r[..]).collect();
        decode_keyboard_stream(&refs).texts()
    }

    #[test]
    fn one_key_per_report_with_releases() {
        let up = report(0, &[]);
        let reports = [
            report(0x02, &[0x04]), // A
            up,
            report(0, &[0x1E]), // 1
            up,
            report(0x20, &[0x1F]), // right shift: @
            up,
            report(0, &[0x28]),
            up,
        ];
        assert_eq!(text(&reports), vec!["A1@"]);
    }

    #[test]
    fn repeated_key_needs_a_release_but_different_keys_do_not() {
        // "aab": a, (a still down: nothing), release, a, b without release.
        let reports = [
            report(0, &[0x04]),
            report(0, &[0x04]),
            report(0, &[]),
            report(0, &[0x04]),
            report(0, &[0x05]),
            report(0, &[0x05, 0x28]),
        ];
        assert_eq!(text(&reports), vec!["aab"]);
    }

    #[test]
    fn several_new_keys_in_one_report_keep_report_order() {
        let reports = [report(0, &[0x06, 0x07, 0x08]), report(0, &[0x2B])];
        assert_eq!(text(&reports), vec!["cde"]);
    }

    #[test]
    fn ctrl_bracket_is_gs_and_other_controls() {
        let mut d = KeyboardDecoder::new();
        let out = d.feed(&report(0x01, &[0x30])).unwrap();
        assert_eq!(out.keys(), &[Key::Char(0x1D)]);
        let out = d.feed(&report(0x10 | 0x02, &[0x23])).unwrap();
        assert_eq!(out.keys(), &[Key::Char(0x1E)], "Ctrl+Shift+6 is RS");
        let out = d.feed(&report(0x01, &[0x07])).unwrap();
        assert_eq!(out.keys(), &[Key::Char(0x04)], "Ctrl+D is EOT");
        let out = d.feed(&report(0x01, &[0x10])).unwrap();
        assert_eq!(out.keys(), &[Key::Enter], "Ctrl+M is CR");
    }

    #[test]
    fn keypad_keys_type_digits_and_operators() {
        let up = report(0, &[]);
        let reports = [
            report(0, &[0x59]),
            up,
            report(0, &[0x62]),
            up,
            report(0, &[0x63]),
            up,
            report(0x02, &[0x56]), // shift does not change keypad keys
            up,
            report(0, &[0x58]),
        ];
        assert_eq!(text(&reports), vec!["10.-"]);
    }

    #[test]
    fn alt_keypad_codes_type_characters() {
        // Alt held, keypad 0 2 9, Alt released: GS.
        let reports = [
            report(0x04, &[]),
            report(0x04, &[0x62]),
            report(0x04, &[]),
            report(0x04, &[0x5A]),
            report(0x04, &[0x61]),
            report(0x04, &[]),
            report(0, &[]),
            report(0, &[0x04]),
            report(0, &[0x28]),
        ];
        assert_eq!(text(&reports), vec!["\u{1d}a"]);
    }

    #[test]
    fn rollover_is_ignored_and_state_kept() {
        let mut d = KeyboardDecoder::new();
        assert_eq!(
            d.feed(&report(0, &[0x04])).unwrap().keys(),
            &[Key::Char(b'a')]
        );
        assert!(d.feed(&report(0, &[1, 1, 1, 1, 1, 1])).unwrap().is_empty());
        // 'a' is still held: not pressed again.
        assert!(d.feed(&report(0, &[0x04])).unwrap().is_empty());
    }

    #[test]
    fn wrong_lengths_are_errors_not_panics() {
        let mut d = KeyboardDecoder::new();
        assert_eq!(d.feed(&[0; 7]), Err(HidError::KeyboardLength(7)));
        assert_eq!(d.feed(&[]), Err(HidError::KeyboardLength(0)));
        assert_eq!(
            d.feed(&[0; 9]).unwrap_err().to_string(),
            "keyboard report has 9 bytes, expected 8"
        );
        let bad = [0u8; 3];
        let good = report(0, &[0x04]);
        let enter = report(0, &[0x28]);
        let scans = decode_keyboard_stream(&[&good, &bad, &enter]);
        assert_eq!(scans.bad_reports, 1);
        assert_eq!(scans.texts(), vec!["a"]);
    }

    #[test]
    fn report_id_prefix() {
        let mut d = KeyboardDecoder::with_report_id(1);
        let mut r = vec![1u8];
        r.extend_from_slice(&report(0x02, &[0x04]));
        assert_eq!(d.feed(&r).unwrap().keys(), &[Key::Char(b'A')]);
        r[0] = 3;
        assert_eq!(
            d.feed(&r),
            Err(HidError::ReportId {
                got: 3,
                expected: 1
            })
        );
        assert_eq!(d.feed(&r[1..]), Err(HidError::KeyboardLength(8)));
    }

    #[test]
    fn unmapped_keys_are_counted() {
        let mut d = KeyboardDecoder::new();
        let out = d.feed(&report(0, &[0x3A, 0x29])).unwrap(); // F1, Esc
        assert!(out.is_empty());
        assert_eq!(out.ignored, 2);
        let out = d.feed(&report(0x08, &[0x15])).unwrap(); // GUI+R
        assert_eq!(out.ignored, 1);
    }

    #[test]
    fn us_punctuation_row() {
        let usages = [
            0x2D, 0x2E, 0x2F, 0x30, 0x31, 0x33, 0x34, 0x35, 0x36, 0x37, 0x38, 0x2C,
        ];
        let mut plain = Vec::new();
        let mut shifted = Vec::new();
        for &u in &usages {
            plain.push(report(0, &[u]));
            plain.push(report(0, &[]));
            shifted.push(report(0x02, &[u]));
            shifted.push(report(0x02, &[]));
        }
        plain.push(report(0, &[0x28]));
        shifted.push(report(0, &[0x28]));
        assert_eq!(text(&plain), vec!["-=[]\\;'`,./ "]);
        assert_eq!(text(&shifted), vec!["_+{}|:\"~<>? "]);
    }

    #[test]
    fn overlong_scans_are_cut() {
        let mut reports = Vec::new();
        for _ in 0..(MAX_SCAN_LEN + 10) {
            reports.push(report(0, &[0x04]));
            reports.push(report(0, &[]));
        }
        reports.push(report(0, &[0x28]));
        let refs: Vec<&[u8]> = reports.iter().map(|r| &r[..]).collect();
        let scans = decode_keyboard_stream(&refs);
        assert_eq!(scans.scans[0].len(), MAX_SCAN_LEN);
        assert_eq!(scans.overlong, 1);
    }
}
