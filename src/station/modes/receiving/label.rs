//! What a scan at the receiving dock says about a unit, decided without the
//! store: a whole box label (GTIN or part number + serial), a product key
//! alone (GTIN or part number), an asset tag, plain text (a serial, or a part
//! number the order will tell), or a 15434 label that could not be split.
//!
//! Which of these plain text is depends on where the unit is in the flow (a
//! serial can look like a tag), so [`read`] only says what the scan could be;
//! the workflow decides with the open unit in hand.

use crate::codec::iso15434;
use crate::identify::box_label::Conventions;
use crate::identify::{gtin_serial_parts, IdentityKind};

/// How a unit is matched to an order line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Key {
    /// A GTIN-14.
    Gtin(String),
    /// The manufacturer's part number.
    Part(String),
}

/// What a scan could be, for Receive mode.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Read {
    /// A box label naming the product and the unit's serial.
    Unit { key: Key, serial: String },
    /// A GTIN or a 15434 label with only a part number.
    Key(Key),
    /// A scanned asset tag.
    Tag(String),
    /// Plain text: a serial, a part number, or a vendor's own convention.
    Text(String),
    /// An ISO/IEC 15434 label with nothing the station could split, kept as read.
    Unreadable(String),
}

/// A GTIN-8/12/13/14 as a GTIN-14 (digits only), else None.
pub fn gtin14(v: &str) -> Option<String> {
    let ok = matches!(v.len(), 8 | 12 | 13 | 14) && v.bytes().all(|b| b.is_ascii_digit());
    ok.then(|| format!("{v:0>14}"))
}

/// `(1P)<part>(S)<serial>` → (part, serial).
pub fn part_serial_parts(value: &str) -> Option<(&str, &str)> {
    let rest = value.strip_prefix("(1P)")?;
    let at = rest.find("(S)")?;
    let (part, serial) = (&rest[..at], &rest[at + 3..]);
    (!part.is_empty() && !serial.is_empty()).then_some((part, serial))
}

/// What the classified scan (`kind`, `value`, the bytes as read) could be.
pub fn read(kind: IdentityKind, value: &str, raw: &[u8]) -> Read {
    let (_, data) = crate::codec::aim::split(raw);
    match kind {
        IdentityKind::GtinSerial => match gtin_serial_parts(value) {
            Some((g, s)) => Read::Unit {
                key: Key::Gtin(g.to_string()),
                serial: s.to_string(),
            },
            None => Read::Unreadable(value.to_string()),
        },
        IdentityKind::PartSerial => match part_serial_parts(value) {
            Some((p, s)) => Read::Unit {
                key: Key::Part(p.to_string()),
                serial: s.to_string(),
            },
            None => Read::Unreadable(value.to_string()),
        },
        IdentityKind::Gtin => match gtin14(value) {
            Some(g) => Read::Key(Key::Gtin(g)),
            None => Read::Text(value.to_string()),
        },
        IdentityKind::AssetTag => Read::Tag(value.to_string()),
        _ if iso15434::looks_like(data) => match value.strip_prefix("(1P)") {
            Some(p) if !p.is_empty() && kind == IdentityKind::Unknown => {
                Read::Key(Key::Part(p.to_string()))
            }
            _ if kind == IdentityKind::Serial => Read::Text(value.to_string()),
            _ => Read::Unreadable(String::from_utf8_lossy(data).into_owned()),
        },
        _ => Read::Text(value.to_string()),
    }
}

/// The quantity a 15434 label states (DI `Q`, a whole number from 1), for
/// a box of an untracked line; None for anything else.
pub fn quantity(raw: &[u8]) -> Option<i64> {
    let m = iso15434::parse(raw).ok()?;
    let q: i64 = m.first("Q")?.trim().parse().ok()?;
    (1..=1_000_000).contains(&q).then_some(q)
}

/// Plain text split by the vendor conventions scoped to `manufacturers`
/// (the order's): a unit when a convention names the product and the serial.
pub fn by_convention(conv: &Conventions, text: &str, manufacturers: &[String]) -> Option<Read> {
    manufacturers.iter().find_map(|m| {
        let p = conv.split(text, Some(m))?;
        let serial = p.serial?;
        let key = match (p.gtin, p.part) {
            (Some(g), _) => Key::Gtin(gtin14(&g)?),
            (None, Some(part)) => Key::Part(part),
            (None, None) => return None,
        };
        Some(Read::Unit { key, serial })
    })
}

/// The serial in `text` for a unit of `manufacturer` (Apple's `S` prefix
/// stripped on Apple boxes, a Dell Express Service Code read as its tag …);
/// the text itself when no convention applies.
pub fn serial_of(conv: &Conventions, text: &str, manufacturer: Option<&str>) -> String {
    manufacturer
        .and_then(|m| conv.split(text, Some(m)))
        .and_then(|p| p.serial)
        .unwrap_or_else(|| text.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_read_as_units_keys_tags_and_text() {
        assert_eq!(
            read(IdentityKind::GtinSerial, "(01)09506000134352(21)ABC", b"x"),
            Read::Unit {
                key: Key::Gtin("09506000134352".into()),
                serial: "ABC".into()
            }
        );
        assert_eq!(
            read(IdentityKind::PartSerial, "(1P)20TBS1D000(S)PE07FEA4", b"x"),
            Read::Unit {
                key: Key::Part("20TBS1D000".into()),
                serial: "PE07FEA4".into()
            }
        );
        assert_eq!(
            read(IdentityKind::Gtin, "9506000134352", b"9506000134352"),
            Read::Key(Key::Gtin("09506000134352".into()))
        );
        assert_eq!(
            read(
                IdentityKind::Unknown,
                "(1P)ABC",
                b"[)>\x1e06\x1d1PABC\x1e\x04"
            ),
            Read::Key(Key::Part("ABC".into()))
        );
        assert_eq!(
            read(IdentityKind::Unknown, "[)>", b"[)>\x1e06\x1e\x04"),
            Read::Unreadable("[)>\u{1e}06\u{1e}\u{4}".into())
        );
        assert_eq!(
            read(IdentityKind::AssetTag, "A-1001", b"A-1001"),
            Read::Tag("A-1001".into())
        );
        assert_eq!(
            read(IdentityKind::Serial, "XYZ123", b"XYZ123"),
            Read::Text("XYZ123".into())
        );
        assert_eq!(part_serial_parts("(1P)(S)x"), None);
        assert_eq!(gtin14("123"), None);
    }

    #[test]
    fn a_box_states_its_quantity() {
        assert_eq!(quantity(b"[)>\x1e06\x1d1PBLK-17\x1dQ25\x1e\x04"), Some(25));
        assert_eq!(quantity(b"[)>\x1e06\x1d1PBLK-17\x1dQ0\x1e\x04"), None);
        assert_eq!(quantity(b"[)>\x1e06\x1d1PBLK-17\x1e\x04"), None);
        assert_eq!(quantity(b"BLK-17"), None);
    }

    #[test]
    fn scoped_conventions_apply_to_the_orders_manufacturers() {
        let conv = Conventions::default();
        assert_eq!(
            serial_of(&conv, "SC02XL0GHJGH5", Some("Apple")),
            "C02XL0GHJGH5"
        );
        assert_eq!(
            serial_of(&conv, "SC02XL0GHJGH5", Some("Samsung")),
            "SC02XL0GHJGH5"
        );
        assert_eq!(serial_of(&conv, "SC02XL0GHJGH5", None), "SC02XL0GHJGH5");
        assert_eq!(
            by_convention(&conv, "SC02XL0GHJGH5", &["Apple".into()]),
            None
        );
    }
}
