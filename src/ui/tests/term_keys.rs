//! The terminal key parser on bytes: what each sequence is, and that every
//! byte of any input belongs to one key, in order.

use super::super::term_keys::{fuzz_one, parse_keys, TermKey};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use proptest::prelude::*;

fn keys(input: &[u8]) -> Vec<TermKey> {
    parse_keys(input).into_iter().map(|k| k.key).collect()
}

fn k(code: KeyCode, m: KeyModifiers) -> TermKey {
    TermKey::Key(KeyEvent::new(code, m))
}

fn one(input: &[u8]) -> TermKey {
    let v = parse_keys(input);
    assert_eq!(v.len(), 1, "{input:?} is one key: {v:?}");
    assert_eq!(v[0].bytes, 0..input.len());
    v[0].key.clone()
}

const N: KeyModifiers = KeyModifiers::NONE;
const C: KeyModifiers = KeyModifiers::CONTROL;

#[test]
fn printable_characters_and_utf8() {
    assert_eq!(
        keys(b"a1-"),
        [
            k(KeyCode::Char('a'), N),
            k(KeyCode::Char('1'), N),
            k(KeyCode::Char('-'), N)
        ]
    );
    assert_eq!(one(b"A"), k(KeyCode::Char('A'), KeyModifiers::SHIFT));
    assert_eq!(one("é".as_bytes()), k(KeyCode::Char('é'), N));
    assert_eq!(one("€".as_bytes()), k(KeyCode::Char('€'), N));
    assert_eq!(one("𝄞".as_bytes()), k(KeyCode::Char('𝄞'), N));
}

#[test]
fn bytes_that_are_not_utf8_are_bytes() {
    assert_eq!(keys(b"\xff"), [TermKey::Byte(0xff)]);
    // A lead byte without its continuation, then a stray continuation.
    assert_eq!(
        keys(b"\xc3A\x80"),
        [
            TermKey::Byte(0xc3),
            k(KeyCode::Char('A'), KeyModifiers::SHIFT),
            TermKey::Byte(0x80)
        ]
    );
    // Overlong and surrogate encodings are not characters.
    assert_eq!(
        keys(b"\xc0\xaf"),
        [TermKey::Byte(0xc0), TermKey::Byte(0xaf)]
    );
    assert_eq!(keys(b"\xed\xa0\x80").len(), 3);
}

#[test]
fn enter_tab_backspace_and_controls() {
    assert_eq!(one(b"\r"), k(KeyCode::Enter, N));
    assert_eq!(one(b"\n"), k(KeyCode::Enter, N));
    assert_eq!(one(b"\t"), k(KeyCode::Tab, N));
    assert_eq!(one(b"\x7f"), k(KeyCode::Backspace, N));
    assert_eq!(one(b"\x08"), k(KeyCode::Backspace, N));
    assert_eq!(one(b"\x01"), k(KeyCode::Char('a'), C));
    assert_eq!(one(b"\x03"), k(KeyCode::Char('c'), C));
    assert_eq!(one(b"\x04"), k(KeyCode::Char('d'), C), "EOT");
    assert_eq!(one(b"\x0c"), k(KeyCode::Char('l'), C));
    assert_eq!(
        one(b"\x1d"),
        k(KeyCode::Char('5'), C),
        "GS as crossterm has it"
    );
    assert_eq!(one(b"\x1e"), k(KeyCode::Char('6'), C), "RS");
    assert_eq!(one(b"\x00"), k(KeyCode::Char(' '), C));
}

#[test]
fn function_keys_of_xterm_vt220_rxvt_and_the_console() {
    let f = |n| k(KeyCode::F(n), N);
    for (seq, n) in [
        (&b"\x1bOP"[..], 1),
        (b"\x1bOQ", 2),
        (b"\x1bOR", 3),
        (b"\x1bOS", 4),
        (b"\x1b[11~", 1),
        (b"\x1b[15~", 5),
        (b"\x1b[17~", 6),
        (b"\x1b[18~", 7),
        (b"\x1b[21~", 10),
        (b"\x1b[23~", 11),
        (b"\x1b[24~", 12),
        (b"\x1b[[A", 1),
        (b"\x1b[[E", 5),
    ] {
        assert_eq!(one(seq), f(n), "{seq:?}");
    }
    assert_eq!(one(b"\x1b[1;5P"), k(KeyCode::F(1), C));
    assert_eq!(one(b"\x1b[21;2~"), k(KeyCode::F(10), KeyModifiers::SHIFT));
}

#[test]
fn arrows_home_end_and_pages() {
    for (seq, code) in [
        (&b"\x1b[A"[..], KeyCode::Up),
        (b"\x1b[B", KeyCode::Down),
        (b"\x1b[C", KeyCode::Right),
        (b"\x1b[D", KeyCode::Left),
        (b"\x1bOA", KeyCode::Up),
        (b"\x1bOB", KeyCode::Down),
        (b"\x1b[H", KeyCode::Home),
        (b"\x1b[F", KeyCode::End),
        (b"\x1bOH", KeyCode::Home),
        (b"\x1b[1~", KeyCode::Home),
        (b"\x1b[4~", KeyCode::End),
        (b"\x1b[7~", KeyCode::Home),
        (b"\x1b[8~", KeyCode::End),
        (b"\x1b[2~", KeyCode::Insert),
        (b"\x1b[3~", KeyCode::Delete),
        (b"\x1b[5~", KeyCode::PageUp),
        (b"\x1b[6~", KeyCode::PageDown),
        (b"\x1bOM", KeyCode::Enter),
    ] {
        assert_eq!(one(seq), k(code, N), "{seq:?}");
    }
    assert_eq!(one(b"\x1b[1;5A"), k(KeyCode::Up, C));
    assert_eq!(
        one(b"\x1b[1;3B"),
        k(KeyCode::Down, KeyModifiers::ALT),
        "Alt+Down"
    );
    assert_eq!(one(b"\x1b[Z"), k(KeyCode::BackTab, KeyModifiers::SHIFT));
}

#[test]
fn esc_alone_alt_and_unknown_sequences() {
    assert_eq!(one(b"\x1b"), k(KeyCode::Esc, N));
    assert_eq!(one(b"\x1bx"), k(KeyCode::Char('x'), KeyModifiers::ALT));
    assert_eq!(keys(b"\x1b\x1b"), [k(KeyCode::Esc, N), k(KeyCode::Esc, N)]);
    assert_eq!(keys(b"\x1b\r"), [k(KeyCode::Esc, N), k(KeyCode::Enter, N)]);
    // Complete but unknown: one key that means nothing here.
    assert_eq!(one(b"\x1b[200~"), k(KeyCode::Null, N));
    assert_eq!(one(b"\x1b[<0;3;4M"), k(KeyCode::Null, N), "a mouse report");
    assert_eq!(one(b"\x1bOx"), k(KeyCode::Null, N));
}

#[test]
fn a_sequence_cut_short_is_esc_and_characters() {
    // What a burst split by the kernel leaves at the end of a read.
    assert_eq!(
        keys(b"\x1b[2"),
        [
            k(KeyCode::Esc, N),
            k(KeyCode::Char('['), N),
            k(KeyCode::Char('2'), N)
        ]
    );
    assert_eq!(one(b"\x1bO"), k(KeyCode::Char('O'), KeyModifiers::ALT));
    // A CSI interrupted by a control is no key either.
    assert_eq!(keys(b"\x1b[1\r").len(), 4);
    // Far too long to be a key.
    let mut long = b"\x1b[".to_vec();
    long.extend(std::iter::repeat_n(b'1', 100));
    long.push(b'~');
    assert_eq!(keys(&long).len(), long.len(), "ESC, then characters");
}

#[test]
fn an_envelope_is_its_bytes_key_by_key() {
    let input = b"[)>\x1e06\x1d1PX\x1e\x04\r";
    let parsed = parse_keys(input);
    assert_eq!(parsed.len(), input.len(), "one key a byte");
}

proptest! {
    #[test]
    fn any_bytes_parse_into_keys_that_tile_the_input(
        data in proptest::collection::vec(any::<u8>(), 0..200)
    ) {
        fuzz_one(&data);
    }

    #[test]
    fn escape_heavy_input_tiles_too(
        data in proptest::collection::vec(
            prop_oneof![Just(0x1bu8), Just(b'['), Just(b'O'), Just(b';'), Just(b'~'),
                        b'0'..=b'9', b'A'..=b'Z', any::<u8>()],
            0..100,
        )
    ) {
        fuzz_one(&data);
    }
}
