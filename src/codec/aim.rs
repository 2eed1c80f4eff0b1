//! AIM symbology identifiers (ISO/IEC 15424): `]` + code character +
//! modifier character at the start of scanned data, e.g. `]C1` for GS1-128.
//!
//! A scanner configured to send them tells us what it read, which decides how
//! the data is parsed (GS1 element strings or plain text). Nothing is guessed:
//! data that does not start with an identifier has none.

use std::fmt;

/// An AIM symbology identifier such as `]C1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Aim {
    /// The symbology code character: `A`–`Z` or `a`–`z` (`C` Code 128, `d` Data Matrix …).
    pub code: u8,
    /// The modifier character: `0`–`9` or `A`–`Z` (ISO/IEC 15424 allows both).
    pub modifier: u8,
}

/// The GS1 modes: FNC1 in first position, data is GS1 element strings.
const GS1_MODES: [(u8, u8); 5] = [
    (b'C', b'1'),
    (b'e', b'0'),
    (b'd', b'2'),
    (b'Q', b'3'),
    (b'J', b'1'),
];

impl Aim {
    /// The identifier as text: `"]C1"`.
    pub fn as_str(&self) -> String {
        self.to_string()
    }

    /// GS1-128 (`]C1`), GS1 DataBar (`]e0`), GS1 DataMatrix (`]d2`), GS1 QR
    /// (`]Q3`) or GS1 DotCode (`]J1`): the data is GS1 element strings.
    pub fn is_gs1(&self) -> bool {
        GS1_MODES.contains(&(self.code, self.modifier))
    }

    /// EAN/UPC (`]E0` EAN-13, UPC-A, UPC-E; `]E4` EAN-8): the data is a GTIN.
    pub fn is_ean(&self) -> bool {
        self.code == b'E' && matches!(self.modifier, b'0' | b'4')
    }
}

impl fmt::Display for Aim {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "]{}{}", char::from(self.code), char::from(self.modifier))
    }
}

/// Split an AIM identifier off the front of `data`, when one is there.
pub fn split(data: &[u8]) -> (Option<Aim>, &[u8]) {
    match data {
        [b']', code, modifier, rest @ ..]
            if code.is_ascii_alphabetic()
                && (modifier.is_ascii_digit() || modifier.is_ascii_uppercase()) =>
        {
            (
                Some(Aim {
                    code: *code,
                    modifier: *modifier,
                }),
                rest,
            )
        }
        _ => (None, data),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_gs1_datamatrix() {
        let (aim, rest) = split(b"]d2011231231231233310ABC123\x1d99TESTING");
        let aim = aim.unwrap();
        assert_eq!(aim.to_string(), "]d2");
        assert_eq!(aim.as_str(), "]d2");
        assert!(aim.is_gs1());
        assert!(!aim.is_ean());
        assert_eq!(rest, b"011231231231233310ABC123\x1d99TESTING");
    }

    #[test]
    fn gs1_and_ean_modes() {
        for id in ["]C1", "]e0", "]d2", "]Q3", "]J1"] {
            assert!(split(id.as_bytes()).0.unwrap().is_gs1(), "{id}");
        }
        for id in ["]C0", "]d1", "]Q1", "]E0", "]A0"] {
            assert!(!split(id.as_bytes()).0.unwrap().is_gs1(), "{id}");
        }
        assert!(split(b"]E05012345678900").0.unwrap().is_ean());
        assert!(split(b"]E412345670").0.unwrap().is_ean());
        assert!(!split(b"]E1").0.unwrap().is_ean());
    }

    #[test]
    fn nothing_guessed() {
        for data in [
            &b""[..],
            b"]",
            b"]C",
            b"]1C",
            b"]C-",
            b"]c\x1d",
            b"C10123",
            b"ABC",
        ] {
            assert_eq!(split(data), (None, data));
        }
        // The identifier alone, with no data after it.
        assert_eq!(
            split(b"]Q1"),
            (
                Some(Aim {
                    code: b'Q',
                    modifier: b'1'
                }),
                &b""[..]
            )
        );
    }
}
