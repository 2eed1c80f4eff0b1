//! An [`Epc`]'s text forms: the tag URI (scheme, filter and fields), the pure
//! identity URI and the GS1 element strings of its key. Written by hand rather
//! than with `format!` because a sweep renders every read.

use super::scheme::Family;
use super::{Epc, Value};

/// Appends `value` in decimal, left-padded with zeros to `width` digits.
/// With width 0 the value 0 writes nothing (a zero-digit field).
pub(super) fn push_padded(s: &mut String, mut value: u64, width: usize) {
    let mut buf = [b'0'; 20];
    let mut i = buf.len();
    while value > 0 && i > 0 {
        i -= 1;
        buf[i] = b'0' + (value % 10) as u8;
        value /= 10;
    }
    let start = i.min(buf.len().saturating_sub(width));
    if let Ok(digits) = std::str::from_utf8(&buf[start..]) {
        s.push_str(digits);
    }
}

/// Appends a GS1 character string, percent-escaping what a URI may not hold
/// literally (TDS Table A: `"` `%` `&` `/` `<` `>` `?`).
fn push_escaped(s: &mut String, text: &str) {
    if !text.bytes().any(|b| b"\"%&/<>?".contains(&b)) {
        s.push_str(text);
        return;
    }
    for c in text.chars() {
        match c {
            '"' => s.push_str("%22"),
            '%' => s.push_str("%25"),
            '&' => s.push_str("%26"),
            '/' => s.push_str("%2F"),
            '<' => s.push_str("%3C"),
            '>' => s.push_str("%3E"),
            '?' => s.push_str("%3F"),
            c => s.push(c),
        }
    }
}

fn push_value(s: &mut String, value: &Value, escape: bool) {
    match value {
        Value::Fixed { value, digits } => push_padded(s, *value, usize::from(*digits)),
        Value::Integer(value) => push_padded(s, *value, 1),
        Value::Chars(chars) if escape => push_escaped(s, chars.as_str()),
        Value::Chars(chars) => s.push_str(chars.as_str()),
        Value::None => {}
    }
}

/// The GS1 mod-10 check digit of a string of ASCII digits, from the one
/// implementation in `codec::gs1`.
fn check_digit(digits: &str) -> char {
    char::from(crate::codec::gs1::check_digit(digits.as_bytes()))
}

impl Epc {
    /// `urn:epc:tag:<scheme>:<filter>.<fields>`, e.g. `urn:epc:tag:giai-96:3.0614141.5678`.
    pub fn tag_uri(&self) -> String {
        let mut s = String::with_capacity(64);
        s.push_str("urn:epc:tag:");
        s.push_str(self.scheme.name());
        s.push(':');
        s.push(char::from(b'0' + (self.filter & 7)));
        s.push('.');
        self.push_fields(&mut s);
        s
    }

    /// `urn:epc:id:<family>:<fields>`, e.g. `urn:epc:id:giai:0614141.5678`.
    pub fn id_uri(&self) -> String {
        let mut s = String::with_capacity(56);
        s.push_str("urn:epc:id:");
        s.push_str(match self.scheme.family() {
            Family::Sgtin => "sgtin",
            Family::Sscc => "sscc",
            Family::Sgln => "sgln",
            Family::Grai => "grai",
            Family::Giai => "giai",
        });
        s.push(':');
        self.push_fields(&mut s);
        s
    }

    fn push_fields(&self, s: &mut String) {
        push_padded(s, self.prefix, 12 - usize::from(self.partition));
        s.push('.');
        push_value(s, &self.reference, true);
        if self.tail != Value::None {
            s.push('.');
            push_value(s, &self.tail, true);
        }
    }

    /// The reference field as text, unescaped (item reference with its
    /// indicator digit, serial reference with its extension digit, ...).
    pub(super) fn reference_text(&self) -> String {
        let mut s = String::with_capacity(24);
        push_value(&mut s, &self.reference, false);
        s
    }

    /// The serial or extension as text, unescaped; empty for SSCC and GIAI.
    pub(super) fn tail_text(&self) -> String {
        let mut s = String::with_capacity(20);
        push_value(&mut s, &self.tail, false);
        s
    }

    /// The GS1 element strings of the EPC's key, as (AI, value), values unescaped:
    /// SGTIN (01)+(21), SSCC (00), SGLN (414) [+ (254) unless the extension is 0],
    /// GRAI (8003), GIAI (8004). Check digits are computed.
    pub fn gs1_elements(&self) -> Vec<(&'static str, String)> {
        let prefix = self.company_prefix();
        let reference = self.reference_text();
        match self.scheme.family() {
            Family::Sgtin | Family::Sscc => {
                // The reference's first digit (indicator / extension digit) leads the key.
                let (lead, rest) = reference.split_at(reference.len().min(1));
                let mut key = String::with_capacity(18);
                key.push_str(lead);
                key.push_str(&prefix);
                key.push_str(rest);
                key.push(check_digit(&key));
                if self.scheme.family() == Family::Sscc {
                    vec![("00", key)]
                } else {
                    vec![("01", key), ("21", self.tail_text())]
                }
            }
            Family::Sgln => {
                let mut gln = prefix;
                gln.push_str(&reference);
                gln.push(check_digit(&gln));
                let extension = self.tail_text();
                if extension == "0" || extension.is_empty() {
                    vec![("414", gln)]
                } else {
                    vec![("414", gln), ("254", extension)]
                }
            }
            Family::Grai => {
                let mut grai = String::with_capacity(30);
                grai.push('0');
                grai.push_str(&prefix);
                grai.push_str(&reference);
                grai.push(check_digit(&grai));
                grai.push_str(&self.tail_text());
                vec![("8003", grai)]
            }
            Family::Giai => {
                let mut giai = prefix;
                giai.push_str(&reference);
                vec![("8004", giai)]
            }
        }
    }
}
