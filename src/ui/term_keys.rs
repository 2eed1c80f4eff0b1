//! Terminal bytes → keys: the parser behind [`super::term_input`].
//!
//! The terminal is read by a thread of ours (crossterm's Unix event source
//! returned after one event without draining stdin, so bursts over 1 KiB were
//! held back until another key came — issue 9). What a read returned is
//! parsed here, as a pure function over bytes, into the crossterm
//! [`KeyEvent`]s the rest of the UI already speaks, each with the exact bytes
//! it came from: inside a scanner's burst those bytes, not the keys, are what
//! counts (an `ESC O S` in a code is data, not F4).
//!
//! What it knows (xterm, VT220, rxvt and the Linux console):
//! * printable characters, UTF-8 included; a byte that does not start a valid
//!   UTF-8 character is [`TermKey::Byte`] (a scan keeps it as it is);
//! * CR and LF are Enter, HT is Tab, DEL and BS are Backspace, the other C0
//!   controls are Ctrl+letter (0x01–0x1A) or Ctrl+4…7 (0x1C–0x1F, so GS is
//!   Ctrl+5), NUL is Ctrl+Space — as crossterm reads them;
//! * `ESC [ … final` (CSI) and `ESC O x` (SS3): arrows, Home/End, Insert,
//!   Delete, PgUp/PgDn, F1–F12, BackTab, with their Shift/Alt/Ctrl
//!   modifiers; a complete sequence it does not know is [`KeyCode::Null`];
//! * `ESC x` is Alt+x; a lone ESC is Esc.
//!
//! There is no state between reads: a terminal writes each key in one go, so
//! a sequence cut short at the end of a read (which only a burst split by the
//! kernel does) is not a key — its ESC is Esc and the rest are characters, so
//! no byte is ever lost. Every byte of the input belongs to exactly one key,
//! in order.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use std::ops::Range;

/// The longest CSI sequence taken for a key; longer is not a key.
const MAX_CSI: usize = 32;

/// One key of a read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TermKey {
    /// A key press, as crossterm would have reported it.
    Key(KeyEvent),
    /// A byte that is not (the start of) valid UTF-8: only a scan can carry it.
    Byte(u8),
}

/// A key and the bytes of the read it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedKey {
    pub key: TermKey,
    /// Where in the read: consecutive, non-empty, covering the whole read.
    pub bytes: Range<usize>,
}

impl ParsedKey {
    /// True for a key sent as an escape sequence (function keys, arrows,
    /// Alt+x, Esc).
    pub fn is_escape(&self, input: &[u8]) -> bool {
        input.get(self.bytes.start) == Some(&0x1b)
    }

    /// True for a complete function, cursor or editing key (F1–F12, arrows,
    /// Home/End, PgUp/PgDn, Insert/Delete, BackTab): what an operator presses,
    /// never what a read cut short leaves (that is Esc or Alt+x).
    pub fn is_function_key(&self) -> bool {
        let TermKey::Key(ev) = &self.key else {
            return false;
        };
        matches!(
            ev.code,
            KeyCode::F(_)
                | KeyCode::Up
                | KeyCode::Down
                | KeyCode::Left
                | KeyCode::Right
                | KeyCode::Home
                | KeyCode::End
                | KeyCode::PageUp
                | KeyCode::PageDown
                | KeyCode::Insert
                | KeyCode::Delete
                | KeyCode::BackTab
        )
    }
}

/// Every key in `input`, in order. Never panics; the ranges tile `input`.
pub fn parse_keys(input: &[u8]) -> Vec<ParsedKey> {
    let mut keys = Vec::new();
    let mut i = 0;
    while i < input.len() {
        let (key, len) = parse_one(&input[i..]);
        let len = len.max(1);
        keys.push(ParsedKey {
            key,
            bytes: i..i + len,
        });
        i += len;
    }
    keys
}

fn press(code: KeyCode, mods: KeyModifiers) -> TermKey {
    TermKey::Key(KeyEvent::new(code, mods))
}

/// The key at the start of `b` (non-empty) and how many bytes it takes.
fn parse_one(b: &[u8]) -> (TermKey, usize) {
    match b[0] {
        0x1b => escape(b),
        _ => plain(b),
    }
}

/// A key that is not an escape sequence: a control, a character, a byte.
fn plain(b: &[u8]) -> (TermKey, usize) {
    let none = KeyModifiers::NONE;
    let ctrl = KeyModifiers::CONTROL;
    match b[0] {
        b'\r' | b'\n' => (press(KeyCode::Enter, none), 1),
        b'\t' => (press(KeyCode::Tab, none), 1),
        0x7f | 0x08 => (press(KeyCode::Backspace, none), 1),
        0x00 => (press(KeyCode::Char(' '), ctrl), 1),
        c @ 0x01..=0x1a => (press(KeyCode::Char(char::from(c - 1 + b'a')), ctrl), 1),
        c @ 0x1c..=0x1f => (press(KeyCode::Char(char::from(c - 0x1c + b'4')), ctrl), 1),
        _ => match utf8_char(b) {
            Some((c, len)) => {
                let mods = if c.is_ascii_uppercase() {
                    KeyModifiers::SHIFT
                } else {
                    none
                };
                (press(KeyCode::Char(c), mods), len)
            }
            None => (TermKey::Byte(b[0]), 1),
        },
    }
}

/// The UTF-8 character at the start of `b`, if `b` starts with one.
fn utf8_char(b: &[u8]) -> Option<(char, usize)> {
    let len = match b[0] {
        0x00..=0x7f => 1,
        0xc2..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf4 => 4,
        _ => return None,
    };
    let s = std::str::from_utf8(b.get(..len)?).ok()?;
    s.chars().next().map(|c| (c, len))
}

/// `b` starts with ESC.
fn escape(b: &[u8]) -> (TermKey, usize) {
    let esc = (press(KeyCode::Esc, KeyModifiers::NONE), 1);
    match b.get(1) {
        None | Some(0x1b) => esc,
        Some(b'[') => csi(b).unwrap_or(esc),
        Some(b'O') => match b.get(2) {
            Some(&f) if (0x40..=0x7e).contains(&f) => (ss3(f), 3),
            _ => (press(KeyCode::Char('O'), KeyModifiers::ALT), 2),
        },
        // ESC then a control: the Esc key, then that control.
        Some(&c) if c < 0x20 || c == 0x7f => esc,
        Some(_) => match plain(&b[1..]) {
            (TermKey::Key(mut k), len) => {
                k.modifiers |= KeyModifiers::ALT;
                (TermKey::Key(k), len + 1)
            }
            (TermKey::Byte(_), _) => esc,
        },
    }
}

/// `ESC O x`: the keypad's application mode and F1–F4 of xterm.
fn ss3(f: u8) -> TermKey {
    let code = match f {
        b'A' => KeyCode::Up,
        b'B' => KeyCode::Down,
        b'C' => KeyCode::Right,
        b'D' => KeyCode::Left,
        b'H' => KeyCode::Home,
        b'F' => KeyCode::End,
        b'M' => KeyCode::Enter,
        b'P' => KeyCode::F(1),
        b'Q' => KeyCode::F(2),
        b'R' => KeyCode::F(3),
        b'S' => KeyCode::F(4),
        _ => KeyCode::Null,
    };
    press(code, KeyModifiers::NONE)
}

/// `ESC [ params final`; None when the bytes are not a complete sequence
/// (then the ESC is Esc and the rest are characters).
fn csi(b: &[u8]) -> Option<(TermKey, usize)> {
    // The Linux console's F1–F5: ESC [ [ A…E.
    if b.get(2) == Some(&b'[') {
        let n = b.get(3).filter(|c| (b'A'..=b'E').contains(c))?;
        return Some((press(KeyCode::F(n - b'A' + 1), KeyModifiers::NONE), 4));
    }
    let mut end = 2;
    while end < b.len().min(MAX_CSI) && (0x20..=0x3f).contains(&b[end]) {
        end += 1;
    }
    let fin = *b.get(end).filter(|f| (0x40..=0x7e).contains(*f))?;
    let params = std::str::from_utf8(&b[2..end]).ok()?;
    Some((csi_key(params, fin), end + 1))
}

fn csi_key(params: &str, fin: u8) -> TermKey {
    // Private or intermediate bytes (mouse, focus, paste …): not keys.
    if !params.bytes().all(|c| c.is_ascii_digit() || c == b';') {
        return press(KeyCode::Null, KeyModifiers::NONE);
    }
    let mut nums = params.split(';').map(|p| p.parse::<u16>().ok());
    let first = nums.next().flatten();
    let mods = modifiers(nums.next().flatten());
    let code = match (fin, first) {
        (b'A', _) => KeyCode::Up,
        (b'B', _) => KeyCode::Down,
        (b'C', _) => KeyCode::Right,
        (b'D', _) => KeyCode::Left,
        (b'H', _) => KeyCode::Home,
        (b'F', _) => KeyCode::End,
        (b'Z', _) => return press(KeyCode::BackTab, KeyModifiers::SHIFT),
        (b'P', _) => KeyCode::F(1),
        (b'Q', _) => KeyCode::F(2),
        (b'R', _) => KeyCode::F(3),
        (b'S', _) => KeyCode::F(4),
        (b'~', Some(n)) => tilde(n),
        _ => KeyCode::Null,
    };
    press(code, mods)
}

/// `ESC [ n ~` (VT220, rxvt).
fn tilde(n: u16) -> KeyCode {
    match n {
        1 | 7 => KeyCode::Home,
        2 => KeyCode::Insert,
        3 => KeyCode::Delete,
        4 | 8 => KeyCode::End,
        5 => KeyCode::PageUp,
        6 => KeyCode::PageDown,
        11..=15 => KeyCode::F(u8::try_from(n - 10).unwrap_or(0)),
        17..=21 => KeyCode::F(u8::try_from(n - 11).unwrap_or(0)),
        23 | 24 => KeyCode::F(u8::try_from(n - 12).unwrap_or(0)),
        _ => KeyCode::Null,
    }
}

/// xterm's modifier parameter: 1 + Shift(1) + Alt(2) + Ctrl(4).
fn modifiers(p: Option<u16>) -> KeyModifiers {
    let bits = p.unwrap_or(1).saturating_sub(1);
    let mut m = KeyModifiers::NONE;
    if bits & 1 != 0 {
        m |= KeyModifiers::SHIFT;
    }
    if bits & 2 != 0 {
        m |= KeyModifiers::ALT;
    }
    if bits & 4 != 0 {
        m |= KeyModifiers::CONTROL;
    }
    m
}

/// The fuzz target's body: any bytes parse, and the keys tile the input.
pub fn fuzz_one(data: &[u8]) {
    let keys = parse_keys(data);
    let mut at = 0;
    for k in &keys {
        assert_eq!(k.bytes.start, at, "keys are consecutive");
        assert!(k.bytes.end > k.bytes.start, "no empty key");
        at = k.bytes.end;
    }
    assert_eq!(at, data.len(), "every byte belongs to a key");
}
