//! Keyboard-wedge timing: telling a barcode scanner's burst of keys from a
//! person typing.
//!
//! Most scanners are keyboards: they "type" the code, a character every
//! millisecond or so, and usually press Enter at the end. A person types a few
//! characters a second. The only thing that tells the two apart is timing, so the
//! assembler is fed keys with the instant they arrived and decides:
//!
//! * a **burst** is a run of keys with small gaps between them; it is a **scan**
//!   once it holds at least `min_chars` characters at no more than `max_avg_gap`
//!   on average between keys (or when it starts with the configured prefix);
//! * a scan ends with Enter or Tab (swallowed), with the configured suffix
//!   (stripped; a code that contains the suffix is cut there), or after
//!   `end_silence` without a key: a key within that silence belongs to the scan
//!   whatever its pace, so a scanner's hiccup never splits a scan;
//! * a scan longer than `max_bytes` is cut there and marked truncated, and the
//!   rest of its burst is swallowed until the burst ends;
//! * GS (0x1D, the GS1 separator) is kept as the byte 0x1D; so are the other
//!   control characters a scanner types (RS and EOT of an ISO/IEC 15434
//!   envelope, SOH …) and bytes that are not UTF-8 ([`WedgeKey::Byte`]): a
//!   scan's bytes are the bytes typed, in order.
//!
//! What the terminal delivers in one read with no gap is a burst: the caller
//! feeds every byte of it here as a character, whatever key it spells (an
//! `ESC O S` inside a code is data, not F4), and asks
//! [`WedgeAssembler::continues_burst`] whether the next read, however short,
//! still belongs to the burst in progress.
//!
//! Two promises shape the design. *Typing is never taken for a scan*: keys are
//! only taken as a scan when the timing says so. *A scan never leaks into the
//! field being typed in*: the assembler holds keys back until it can decide, and
//! releases them as [`WedgeOutput::Typed`] only once they cannot be the start of
//! a scan — when the burst's average gap grows too large, or when no next key
//! follows in less than twice `max_avg_gap` (so a typed key shows up at most
//! 60 ms late with the defaults).
//!
//! The module is pure: no clock, no terminal types. The caller passes the
//! instants, calls [`WedgeAssembler::tick`] now and then (or at
//! [`WedgeAssembler::deadline`]), and applies the outputs in order.

use std::time::{Duration, Instant};

/// The GS1 group separator, as it is kept in a scan's bytes.
pub const GS: u8 = 0x1D;

/// Timing and framing of the wedge scanners in use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WedgeSettings {
    /// A burst shorter than this many characters is typing (unless prefixed).
    pub min_chars: usize,
    /// The average gap between the keys of a scan is at most this.
    pub max_avg_gap: Duration,
    /// A scan with no terminator ends after this much silence.
    pub end_silence: Duration,
    /// Characters the scanner sends before each scan; empty = none.
    pub prefix: String,
    /// Characters the scanner sends after each scan; empty = none.
    pub suffix: String,
    /// The longest scan kept, in bytes.
    pub max_bytes: usize,
}

impl Default for WedgeSettings {
    /// The defaults of the issue: 4 characters, 30 ms, 80 ms, 8 KiB.
    fn default() -> Self {
        WedgeSettings {
            min_chars: 4,
            max_avg_gap: Duration::from_millis(30),
            end_silence: Duration::from_millis(80),
            prefix: String::new(),
            suffix: String::new(),
            max_bytes: 8 * 1024,
        }
    }
}

/// One key as the wedge sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WedgeKey {
    Char(char),
    Enter,
    Tab,
    /// The GS1 separator (Ctrl+5 or Ctrl+] in a terminal).
    Gs,
    /// A byte that is not (part of) valid UTF-8, kept as it is in a scan.
    Byte(u8),
    /// Any other key (function keys, arrows, Backspace, Esc …): never part of a
    /// scan. It ends whatever burst is in progress and is passed on as typed.
    Other,
}

impl WedgeKey {
    /// Normalises control characters: CR/LF are Enter, HT is Tab, 0x1D is GS.
    fn normalise(self) -> WedgeKey {
        match self {
            WedgeKey::Char('\r' | '\n') => WedgeKey::Enter,
            WedgeKey::Char('\t') => WedgeKey::Tab,
            WedgeKey::Char('\u{1d}') => WedgeKey::Gs,
            k => k,
        }
    }

    /// The character this key contributes to a scan, if any.
    fn as_char(self) -> Option<char> {
        match self {
            WedgeKey::Char(c) => Some(c),
            WedgeKey::Gs => Some('\u{1d}'),
            _ => None,
        }
    }

    /// True for a key that is part of a scan's data (a character, GS, a byte).
    fn is_data(self) -> bool {
        matches!(self, WedgeKey::Char(_) | WedgeKey::Gs | WedgeKey::Byte(_))
    }

    /// Appends the bytes this key contributes to a scan.
    fn push_bytes(self, out: &mut Vec<u8>) {
        match self {
            WedgeKey::Char(c) => {
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
            WedgeKey::Gs => out.push(GS),
            WedgeKey::Byte(b) => out.push(b),
            WedgeKey::Enter | WedgeKey::Tab | WedgeKey::Other => {}
        }
    }

    /// How many bytes [`push_bytes`](Self::push_bytes) appends.
    fn byte_len(self) -> usize {
        match self {
            WedgeKey::Char(c) => c.len_utf8(),
            WedgeKey::Gs | WedgeKey::Byte(_) => 1,
            WedgeKey::Enter | WedgeKey::Tab | WedgeKey::Other => 0,
        }
    }
}

/// What the assembler decided, in the order the caller must apply it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WedgeOutput {
    /// A complete scan: its bytes (UTF-8, GS as 0x1D, prefix and suffix removed)
    /// and whether it was cut at `max_bytes`.
    Scan { bytes: Vec<u8>, truncated: bool },
    /// A key released to the focused widget as typing.
    Typed(WedgeKey),
}

/// Where the assembler is in a burst.
#[derive(Debug)]
enum State {
    /// Keys held back while undecided (possibly none).
    Holding,
    /// The burst is a scan; collecting its bytes.
    Scanning(ScanInProgress),
}

#[derive(Debug)]
struct ScanInProgress {
    last_at: Instant,
    /// Bytes collected, prefix removed.
    text: Vec<u8>,
    /// Set once the scan reached `max_bytes`; later characters are swallowed.
    truncated: bool,
}

/// Turns timed keys into scans and typing. See the module docs for the rules.
#[derive(Debug)]
pub struct WedgeAssembler {
    settings: WedgeSettings,
    state: State,
    /// Undecided keys of the current burst, oldest first (only data keys).
    held: Vec<(WedgeKey, Instant)>,
}

impl WedgeAssembler {
    pub fn new(settings: WedgeSettings) -> WedgeAssembler {
        WedgeAssembler {
            settings,
            state: State::Holding,
            held: Vec::new(),
        }
    }

    pub fn settings(&self) -> &WedgeSettings {
        &self.settings
    }

    /// The longest a key is held back waiting for the next one: twice the
    /// average gap of a scan.
    fn hold_gap(&self) -> Duration {
        self.settings.max_avg_gap * 2
    }

    fn min_chars(&self) -> usize {
        self.settings.min_chars.max(1)
    }

    /// True when nothing is held and no scan is in progress.
    pub fn is_idle(&self) -> bool {
        self.held.is_empty() && matches!(self.state, State::Holding)
    }

    /// True when keys arriving at `at` still belong to the burst in
    /// progress: a scan is being collected and its silence has not passed,
    /// or undecided keys were held no more than `max_avg_gap` before. The
    /// caller then feeds every byte it got as data, never as a key binding.
    pub fn continues_burst(&self, at: Instant) -> bool {
        match &self.state {
            State::Scanning(s) => {
                at.saturating_duration_since(s.last_at) < self.settings.end_silence
            }
            State::Holding => self.held.last().is_some_and(|(_, last)| {
                at.saturating_duration_since(*last) <= self.settings.max_avg_gap
            }),
        }
    }

    /// True while a scan is being collected.
    pub fn is_scanning(&self) -> bool {
        matches!(self.state, State::Scanning(_))
    }

    /// The instant at which [`tick`](Self::tick) would next release or end
    /// something, if anything is pending.
    pub fn deadline(&self) -> Option<Instant> {
        match &self.state {
            State::Scanning(s) => Some(s.last_at + self.settings.end_silence),
            State::Holding => self.held.last().map(|(_, at)| *at + self.hold_gap()),
        }
    }

    /// Feeds one key that arrived at `at` (instants must not go backwards;
    /// an earlier one is treated as `at` = the last key's instant).
    pub fn key(&mut self, key: WedgeKey, at: Instant) -> Vec<WedgeOutput> {
        let at = self.last_at().map_or(at, |last| at.max(last));
        let mut out = self.tick(at);
        let key = key.normalise();
        if key.is_data() {
            self.char_key(key, at, &mut out);
        } else {
            self.end_key(key, &mut out);
        }
        out
    }

    /// Lets time pass: releases held keys nobody followed fast enough, ends a
    /// scan after its silence.
    pub fn tick(&mut self, now: Instant) -> Vec<WedgeOutput> {
        let mut out = Vec::new();
        match &self.state {
            State::Scanning(s) => {
                if now.saturating_duration_since(s.last_at) >= self.settings.end_silence {
                    self.finish_scan(&mut out);
                }
            }
            State::Holding => {
                if let Some((_, last)) = self.held.last() {
                    if now.saturating_duration_since(*last) >= self.hold_gap() {
                        self.release_all(&mut out);
                    }
                }
            }
        }
        out
    }

    /// Ends everything now: a scan in progress is emitted, held keys are
    /// released as typing. For shutdown.
    pub fn flush(&mut self) -> Vec<WedgeOutput> {
        let mut out = Vec::new();
        match self.state {
            State::Scanning(_) => self.finish_scan(&mut out),
            State::Holding => self.release_all(&mut out),
        }
        out
    }

    fn last_at(&self) -> Option<Instant> {
        match &self.state {
            State::Scanning(s) => Some(s.last_at),
            State::Holding => self.held.last().map(|(_, at)| *at),
        }
    }

    /// Enter, Tab or Other: ends the burst in progress.
    fn end_key(&mut self, key: WedgeKey, out: &mut Vec<WedgeOutput>) {
        match self.state {
            State::Scanning(_) => {
                self.finish_scan(out);
                if key == WedgeKey::Other {
                    out.push(WedgeOutput::Typed(key));
                }
                // Enter and Tab terminate the scan and are swallowed.
            }
            State::Holding => {
                // Undecided keys followed by a terminator were not a scan (a
                // scan long enough would have been decided already).
                self.release_all(out);
                out.push(WedgeOutput::Typed(key));
            }
        }
    }

    fn char_key(&mut self, key: WedgeKey, at: Instant, out: &mut Vec<WedgeOutput>) {
        if let State::Scanning(s) = &mut self.state {
            // tick(at) already ended the scan if this key came after the
            // silence: it belongs to the scan.
            s.last_at = at;
            push_capped(s, key, self.settings.max_bytes);
            let suffix = self.settings.suffix.as_bytes();
            if !s.truncated && !suffix.is_empty() && s.text.ends_with(suffix) {
                self.finish_scan(out);
            }
            return;
        }
        self.held.push((key, at));
        self.trim_held(out);
        self.decide();
    }

    /// Releases held keys from the front while they cannot start a scan: the
    /// run's average gap is too large (and it is not the prefix arriving).
    fn trim_held(&mut self, out: &mut Vec<WedgeOutput>) {
        while self.held.len() >= 2 && !self.held_is_prefix_start() {
            let first = self.held[0].1;
            let last = self.held[self.held.len() - 1].1;
            let gaps = u32::try_from(self.held.len() - 1).unwrap_or(u32::MAX);
            if last.saturating_duration_since(first) <= self.settings.max_avg_gap * gaps {
                break;
            }
            let (k, _) = self.held.remove(0);
            out.push(WedgeOutput::Typed(k));
        }
    }

    /// True when the held keys spell the beginning of the configured prefix.
    fn held_is_prefix_start(&self) -> bool {
        let prefix = &self.settings.prefix;
        if prefix.is_empty() {
            return false;
        }
        let mut p = prefix.chars();
        self.held
            .iter()
            .all(|(k, _)| k.as_char().is_some() && k.as_char() == p.next())
    }

    /// Turns the held keys into a scan when they qualify.
    fn decide(&mut self) {
        let prefix_len = self.settings.prefix.chars().count();
        let prefixed =
            prefix_len > 0 && self.held.len() >= prefix_len && self.held_is_prefix_start();
        let enough = self.held.len() >= self.min_chars();
        if !(prefixed || enough && self.held_is_fast()) {
            return;
        }
        let Some((_, last_at)) = self.held.last() else {
            return;
        };
        let mut scan = ScanInProgress {
            last_at: *last_at,
            text: Vec::new(),
            truncated: false,
        };
        let skip = if prefixed { prefix_len } else { 0 };
        for (k, _) in self.held.drain(..).skip(skip) {
            push_capped(&mut scan, k, self.settings.max_bytes);
        }
        self.state = State::Scanning(scan);
    }

    fn held_is_fast(&self) -> bool {
        match (self.held.first(), self.held.last()) {
            (Some((_, first)), Some((_, last))) => {
                let gaps = u32::try_from(self.held.len().saturating_sub(1)).unwrap_or(u32::MAX);
                last.saturating_duration_since(*first) <= self.settings.max_avg_gap * gaps
            }
            _ => false,
        }
    }

    fn release_all(&mut self, out: &mut Vec<WedgeOutput>) {
        out.extend(self.held.drain(..).map(|(k, _)| WedgeOutput::Typed(k)));
    }

    fn finish_scan(&mut self, out: &mut Vec<WedgeOutput>) {
        if let State::Scanning(mut s) = std::mem::replace(&mut self.state, State::Holding) {
            let suffix = self.settings.suffix.as_bytes();
            if !s.truncated && !suffix.is_empty() && s.text.ends_with(suffix) {
                let keep = s.text.len() - suffix.len();
                s.text.truncate(keep);
            }
            out.push(WedgeOutput::Scan {
                bytes: s.text,
                truncated: s.truncated,
            });
        }
    }
}

/// Appends `key`'s bytes unless the scan would exceed `max_bytes`; then
/// marks it truncated and swallows this and every later key.
fn push_capped(s: &mut ScanInProgress, key: WedgeKey, max_bytes: usize) {
    if s.truncated {
        return;
    }
    if s.text.len() + key.byte_len() > max_bytes {
        s.truncated = true;
        return;
    }
    key.push_bytes(&mut s.text);
}

/// Feeds a whole timed sequence starting at `t0` and ticks far past its end;
/// for tests, benchmarks and fuzzing. Each item is (key, milliseconds after `t0`).
pub fn run_sequence(
    settings: WedgeSettings,
    t0: Instant,
    keys: &[(WedgeKey, u64)],
) -> Vec<WedgeOutput> {
    let mut w = WedgeAssembler::new(settings);
    let mut out = Vec::new();
    let mut last = t0;
    for (k, ms) in keys {
        last = t0 + Duration::from_millis(*ms);
        out.extend(w.key(*k, last));
    }
    out.extend(w.tick(last + Duration::from_secs(3600)));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn control_characters_are_read_as_their_keys() {
        let t0 = Instant::now();
        let keys: Vec<(WedgeKey, u64)> = "AB\u{1d}CD\r"
            .chars()
            .zip(0..)
            .map(|(c, i)| (WedgeKey::Char(c), i))
            .collect();
        assert_eq!(
            run_sequence(WedgeSettings::default(), t0, &keys),
            [WedgeOutput::Scan {
                bytes: b"AB\x1dCD".to_vec(),
                truncated: false
            }]
        );
    }

    #[test]
    fn min_chars_zero_behaves_as_one() {
        let settings = WedgeSettings {
            min_chars: 0,
            ..WedgeSettings::default()
        };
        let t0 = Instant::now();
        let out = run_sequence(
            settings,
            t0,
            &[(WedgeKey::Char('x'), 0), (WedgeKey::Enter, 1)],
        );
        assert_eq!(
            out,
            [WedgeOutput::Scan {
                bytes: b"x".to_vec(),
                truncated: false
            }]
        );
    }
}
