//! Undoing what a keyboard wedge does to the control characters of an
//! ISO/IEC 15434 message.
//!
//! GS, RS and EOT are not keys. Depending on the scanner's and the
//! computer's keyboard settings they arrive as the real bytes, as Unicode
//! Control Pictures (␝ ␞ ␄), as the CP437 glyphs of those bytes (↔ ▲ ♦), as
//! private-use characters, as text tokens (`{GS}`, `<RS>` …), as the key the
//! control combination was typed with (Ctrl+] → `]`, Ctrl+^ → `^`), or not at
//! all. The unambiguous forms are mapped here, always; the ambiguous ones
//! (`]`, `^`, private-use characters, NUL) only when the message's own header
//! shows that the scanner uses them (the character after `[)>` is RS, the one
//! after the format code is GS), since they can be data too.

/// A character of the message, or one of its separators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tok {
    C(char),
    Gs,
    Rs,
    Eot,
}

/// Text tokens some scanners' "control character as text" modes send.
const TOKENS: &[(&str, Tok)] = &[
    ("{GS}", Tok::Gs),
    ("<GS>", Tok::Gs),
    ("{RS}", Tok::Rs),
    ("<RS>", Tok::Rs),
    ("{EOT}", Tok::Eot),
    ("<EOT>", Tok::Eot),
];

/// A token and the byte offset in the text where it starts: a run of
/// [`Tok::C`] between two separators is a slice of the text, so fields are
/// borrowed, not rebuilt character by character.
pub type Spanned = (Tok, usize);

/// Maps the real separators and their unambiguous stand-ins. The second
/// value says whether any stand-in (not the real byte) was seen.
pub fn tokenize(text: &str) -> (Vec<Tok>, bool) {
    let (spans, substituted) = tokenize_spans(text);
    (spans.into_iter().map(|(t, _)| t).collect(), substituted)
}

/// [`tokenize`] with each token's offset in `text`.
pub fn tokenize_spans(text: &str) -> (Vec<Spanned>, bool) {
    let mut out = Vec::with_capacity(text.len());
    let mut substituted = false;
    let bytes = text.as_bytes();
    let mut at = 0;
    while at < bytes.len() {
        let b = bytes[at];
        // The common case: an ASCII byte that is data.
        if b.is_ascii() && !matches!(b, 0x1D | 0x1E | 0x04 | b'{' | b'<') {
            out.push((Tok::C(char::from(b)), at));
            at += 1;
            continue;
        }
        let rest = &text[at..];
        if b == b'{' || b == b'<' {
            if let Some((t, tok)) = TOKENS.iter().find(|(t, _)| {
                rest.len() >= t.len()
                    && rest.is_char_boundary(t.len())
                    && rest[..t.len()].eq_ignore_ascii_case(t)
            }) {
                out.push((*tok, at));
                substituted = true;
                at += t.len();
                continue;
            }
        }
        // `at` is a char boundary: every step moves by whole characters.
        let Some(c) = rest.chars().next() else {
            break;
        };
        let tok = match c {
            '\u{1D}' => Tok::Gs,
            '\u{1E}' => Tok::Rs,
            '\u{04}' => Tok::Eot,
            '\u{241D}' | '\u{2194}' => {
                substituted = true;
                Tok::Gs
            }
            '\u{241E}' | '\u{25B2}' => {
                substituted = true;
                Tok::Rs
            }
            '\u{2404}' | '\u{2666}' => {
                substituted = true;
                Tok::Eot
            }
            c => Tok::C(c),
        };
        out.push((tok, at));
        at += c.len_utf8();
    }
    (out, substituted)
}

/// Whether `c` may stand for a separator when the header shows it does.
pub fn may_substitute(c: char) -> bool {
    matches!(
        c,
        ']' | '^' | '\u{F70B}' | '\u{F70C}' | '\0' | '|' | '~' | '\u{1C}'
    )
}

/// The partner of a learned stand-in: keyboards that turn Ctrl+] into `]`
/// also turn Ctrl+^ into `^`; scanners with private-use stand-ins use two
/// neighbouring code points.
pub fn partner(c: char) -> Option<char> {
    match c {
        ']' => Some('^'),
        '^' => Some(']'),
        '\u{F70B}' => Some('\u{F70C}'),
        '\u{F70C}' => Some('\u{F70B}'),
        _ => None,
    }
}

/// Replaces the learned stand-ins by the separators they stand for.
pub fn apply(toks: &mut [Tok], gs: Option<char>, rs: Option<char>) {
    for t in toks.iter_mut() {
        *t = learned(*t, gs, rs);
    }
}

/// [`apply`] over tokens with their offsets.
pub fn apply_spans(toks: &mut [Spanned], gs: Option<char>, rs: Option<char>) {
    if gs.is_none() && rs.is_none() {
        return;
    }
    for t in toks.iter_mut() {
        t.0 = learned(t.0, gs, rs);
    }
}

fn learned(t: Tok, gs: Option<char>, rs: Option<char>) -> Tok {
    match t {
        Tok::C(c) if Some(c) == gs => Tok::Gs,
        Tok::C(c) if Some(c) == rs => Tok::Rs,
        t => t,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_every_unambiguous_form() {
        let (t, sub) = tokenize("a\u{1D}b\u{1E}\u{04}");
        assert_eq!(
            t,
            vec![Tok::C('a'), Tok::Gs, Tok::C('b'), Tok::Rs, Tok::Eot]
        );
        assert!(!sub);
        for (text, want) in [
            ("␝", Tok::Gs),
            ("↔", Tok::Gs),
            ("{GS}", Tok::Gs),
            ("<gs>", Tok::Gs),
            ("␞", Tok::Rs),
            ("▲", Tok::Rs),
            ("{RS}", Tok::Rs),
            ("<RS>", Tok::Rs),
            ("␄", Tok::Eot),
            ("♦", Tok::Eot),
            ("{EOT}", Tok::Eot),
        ] {
            let (t, sub) = tokenize(text);
            assert_eq!(t, vec![want], "{text}");
            assert!(sub, "{text}");
        }
        // Ambiguous characters stay characters until the header says otherwise.
        assert_eq!(tokenize("]^").0, vec![Tok::C(']'), Tok::C('^')]);
        assert_eq!(tokenize("{G").0, vec![Tok::C('{'), Tok::C('G')]);
        assert_eq!(tokenize("<é").0, vec![Tok::C('<'), Tok::C('é')]);
    }

    #[test]
    fn applies_learned_stand_ins() {
        let mut t = tokenize("a]b^").0;
        apply(&mut t, Some(']'), Some('^'));
        assert_eq!(t, vec![Tok::C('a'), Tok::Gs, Tok::C('b'), Tok::Rs]);
    }
}
