//! ISO/IEC 15434 messages: the `[)>` envelopes on box and part labels.
//!
//! A message is `[)>` RS, then one or more envelopes `NN` GS fields RS, then
//! EOT. The format code `NN` says how the fields read: `05` GS1 element
//! strings (handed to [`crate::codec::gs1`]), `06` ANSI MH10.8.2 data
//! identifiers ([`di`]), `12` and the older `DD` text element identifiers
//! (split at the first space), `01`/`02` positional carrier data, `07` free
//! text; any other format is kept as raw fields.
//!
//! Why tolerant: these labels reach the station through keyboard wedges that
//! drop or replace control characters ([`separators`]), and from vendors who
//! print a header without its RS or leave the trailer off. The operator must
//! still get the label's fields, so the decoder repairs what it can and says
//! what it repaired or doubts in [`Message::warnings`] (an unknown DI, an
//! empty value, a DI twice, a bad date or country). It refuses only a message
//! from which no field at all can be split.
//!
//! Pure: bytes in, a [`Message`] out. The vendor conventions that turn a
//! label into an identity (part number + serial …) live in
//! `crate::identify::box_label`, not here.

pub mod di;
pub mod separators;
#[cfg(test)]
mod tests;

use crate::codec::{aim, gs1};
use separators::{Spanned, Tok};
use std::borrow::Cow;

/// A decoded message: its envelopes in order and what was repaired or doubted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub envelopes: Vec<Envelope>,
    pub warnings: Vec<String>,
}

/// One envelope: its format code and fields.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Envelope {
    /// The format code as written: `"06"`, `"05"`, `"12"`, `"DD"` … (static
    /// for the formats the station knows).
    pub format: Cow<'static, str>,
    /// Format 06: DI and value; 05: AI and value; 12/DD: text element
    /// identifier and value; 01/02: the position (`"1"`, `"2"` …); others:
    /// an empty `di` and the field as read.
    pub fields: Vec<Field>,
    /// Format 05 only: the element strings, or why the GS1 parser refused them.
    pub gs1: Option<Result<Vec<gs1::Element>, gs1::Gs1Error>>,
}

/// One field of an envelope.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Field {
    /// Static for the identifiers of the tables ([`di::TABLE`], the text
    /// element identifiers, GS1 AIs), owned for others.
    pub di: Cow<'static, str>,
    pub value: String,
    /// The identifier's title (`"Supplier part number"`), `""` when unknown.
    pub title: &'static str,
}

impl Message {
    /// Every field of the format 06 envelopes with this DI, in order.
    pub fn values<'m, 'd>(&'m self, di: &'d str) -> impl Iterator<Item = &'m str> + use<'m, 'd> {
        self.envelopes
            .iter()
            .filter(|e| e.format == "06")
            .flat_map(|e| e.fields.iter())
            .filter(move |f| f.di == di)
            .map(|f| f.value.as_str())
    }

    /// The first non-empty value of a DI in the format 06 envelopes.
    pub fn first(&self, di: &str) -> Option<&str> {
        self.values(di).find(|v| !v.is_empty())
    }

    /// The text element identifier's first non-empty value in format 12/DD.
    pub fn text_element(&self, tei: &str) -> Option<&str> {
        self.envelopes
            .iter()
            .filter(|e| e.format == "12" || e.format == "DD")
            .flat_map(|e| e.fields.iter())
            .find(|f| f.di == tei && !f.value.is_empty())
            .map(|f| f.value.as_str())
    }
}

/// Why a scan is not a message the station can use.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Iso15434Error {
    #[error("not an ISO/IEC 15434 message (it does not start with [)>)")]
    NotAMessage,
    #[error("ISO/IEC 15434 message with no field that can be split (raw text kept: {raw:?})")]
    NoFields { raw: String },
}

/// Text element identifiers (ATA Spec 2000, formats 12 and DD) with titles.
const TEIS: &[(&str, &str)] = &[
    ("MFR", "Manufacturer code"),
    ("SPL", "Supplier code"),
    ("PNR", "Part number"),
    ("SER", "Serial number"),
    ("PDT", "Part description"),
    ("DMF", "Date of manufacture"),
    ("QTY", "Quantity"),
    ("UCN", "Unique component id"),
    ("PNO", "Purchase order number"),
];

/// The scanner's suffix (Enter, Tab) is not data.
fn trim_suffix(data: &[u8]) -> &[u8] {
    let mut end = data.len();
    while end > 0 && matches!(data[end - 1], b'\r' | b'\n' | b'\t') {
        end -= 1;
    }
    &data[..end]
}

/// The data after the scanner's AIM id and without its suffix, and where the
/// header starts in it (after a stray leading `>`), when it has one.
fn header_at(data: &[u8]) -> Option<(&[u8], usize)> {
    let (_, data) = aim::split(trim_suffix(data));
    if data.starts_with(b"[)>") {
        Some((data, 0))
    } else if data.starts_with(b">[)>") {
        Some((data, 1))
    } else {
        None
    }
}

/// Whether a scan is an ISO/IEC 15434 message (its header, possibly damaged
/// as a keyboard wedge damages it, after the AIM id).
pub fn looks_like(data: &[u8]) -> bool {
    header_at(data).is_some()
}

fn is_format_char(c: char) -> bool {
    c.is_ascii_digit() || c.is_ascii_uppercase()
}

/// The token at `i`, without its offset.
fn at(toks: &[Spanned], i: usize) -> Option<Tok> {
    toks.get(i).map(|t| t.0)
}

/// The format code as written, static for the formats the station knows (no
/// allocation on the common path).
fn format_code(a: char, b: char) -> Cow<'static, str> {
    const KNOWN: &[&str] = &["01", "02", "05", "06", "07", "12", "DD"];
    KNOWN
        .iter()
        .find(|k| k.as_bytes() == [a as u8, b as u8] && a.is_ascii() && b.is_ascii())
        .map_or_else(
            || Cow::Owned([a, b].iter().collect()),
            |k| Cow::Borrowed(*k),
        )
}

/// Decodes a message as a scanner delivers it (AIM id and suffix allowed).
///
/// Fields are slices of the input until the end: only each field's value
/// (and an identifier the tables do not know) is copied into the message.
pub fn parse(data: &[u8]) -> Result<Message, Iso15434Error> {
    let (data, skip) = header_at(data).ok_or(Iso15434Error::NotAMessage)?;
    let mut w = Vec::new();
    if skip > 0 {
        w.push("header repaired: a stray '>' before [)>".to_string());
    }
    let text = String::from_utf8_lossy(&data[skip + 3..]);
    if matches!(text, Cow::Owned(_)) {
        w.push("bytes that are not UTF-8 were replaced by U+FFFD".to_string());
    }
    let raw = || String::from_utf8_lossy(data).into_owned();
    let (mut toks, mut substituted) = separators::tokenize_spans(&text);

    // The header: RS after [)>, then the first format code and its GS. The
    // stand-ins found there are learned for the whole message.
    let mut i = 0;
    let mut rs_sub = None;
    match at(&toks, 0) {
        Some(Tok::Rs) => i = 1,
        Some(Tok::C(c)) if is_format_char(c) => {
            w.push("header repaired: RS after [)> is missing".into());
        }
        Some(Tok::Gs) | Some(Tok::C('\0')) => {
            w.push("header repaired: RS after [)> arrived as NUL or GS".into());
            i = 1;
        }
        Some(Tok::C(c)) if separators::may_substitute(c) => {
            rs_sub = Some(c);
            substituted = true;
            i = 1;
        }
        _ => return Err(Iso15434Error::NoFields { raw: raw() }),
    }
    let mut gs_sub = None;
    if let (Some(Tok::C(a)), Some(Tok::C(b))) = (at(&toks, i), at(&toks, i + 1)) {
        if is_format_char(a) && is_format_char(b) {
            if let Some(Tok::C(c)) = at(&toks, i + 2) {
                if separators::may_substitute(c) && Some(c) != rs_sub {
                    gs_sub = Some(c);
                    substituted = true;
                }
            }
        }
    }
    // Keyboards that lose Ctrl turn Ctrl+] and Ctrl+^ into `]` and `^`
    // together: knowing one, expect the other.
    if rs_sub.is_none() {
        rs_sub = gs_sub.and_then(separators::partner);
    }
    if gs_sub.is_none() {
        gs_sub = rs_sub.and_then(separators::partner);
    }
    separators::apply_spans(&mut toks, gs_sub, rs_sub);
    if substituted {
        w.push("separators substituted".into());
    }

    let mut envelopes = Vec::new();
    let mut fields: Vec<&str> = Vec::new();
    let mut terminated = false;
    while i < toks.len() {
        // A format code: two characters, then GS.
        let format = match (at(&toks, i), at(&toks, i + 1)) {
            (Some(Tok::C(a)), Some(Tok::C(b))) if is_format_char(a) && is_format_char(b) => {
                format_code(a, b)
            }
            _ => {
                let rest = shown(&toks[i..]);
                match toks[i..] {
                    [(Tok::C(c), _)] if !envelopes.is_empty() => {
                        w.push(format!("trailer repaired: EOT arrived as {c:?}"));
                        terminated = true;
                    }
                    _ => w.push(format!("text after the last envelope ignored: {rest:?}")),
                }
                i = toks.len();
                break;
            }
        };
        i += 2;
        if at(&toks, i) == Some(Tok::Gs) {
            i += 1;
        } else {
            w.push(format!(
                "envelope {format}: GS after the format code is missing"
            ));
        }
        let start = i;
        while i < toks.len() && !matches!(toks[i].0, Tok::Rs | Tok::Eot) {
            i += 1;
        }
        let end = toks.get(i).map_or(text.len(), |t| t.1);
        split_fields(&text, &toks[start..i], end, &mut fields);
        envelopes.push(envelope(format, &fields, &mut w));
        match at(&toks, i) {
            Some(Tok::Rs) => {
                i += 1;
                match at(&toks, i) {
                    Some(Tok::Eot) => {
                        terminated = true;
                        i += 1;
                        break;
                    }
                    None => {
                        w.push("trailer repaired: EOT after the last RS is missing".into());
                        terminated = true;
                    }
                    _ => {}
                }
            }
            Some(Tok::Eot) => {
                w.push("trailer repaired: RS before EOT is missing".into());
                terminated = true;
                i += 1;
                break;
            }
            _ => {}
        }
    }
    if i < toks.len() {
        w.push(format!("text after EOT ignored: {:?}", shown(&toks[i..])));
    }
    if !terminated {
        w.push("no trailer (RS EOT): the message may be cut short".into());
    }
    if envelopes.iter().all(|e| e.fields.is_empty()) {
        return Err(Iso15434Error::NoFields { raw: raw() });
    }
    Ok(Message {
        envelopes,
        warnings: w,
    })
}

/// The tokens back as text, separators as their names, for messages.
fn shown(toks: &[Spanned]) -> String {
    let mut s = String::new();
    for (t, _) in toks.iter().take(40) {
        match t {
            Tok::C(c) => s.push(*c),
            Tok::Gs => s.push_str("{GS}"),
            Tok::Rs => s.push_str("{RS}"),
            Tok::Eot => s.push_str("{EOT}"),
        }
    }
    s
}

/// The envelope's body (`toks`, which ends where `end` starts in `text`)
/// split at GS into `out`, as slices of `text`: a run of characters between
/// two separators is contiguous there. Empty fields are dropped (a trailing
/// GS before RS is common and harmless).
fn split_fields<'t>(text: &'t str, toks: &[Spanned], end: usize, out: &mut Vec<&'t str>) {
    out.clear();
    out.reserve(1 + toks.iter().filter(|t| !matches!(t.0, Tok::C(_))).count());
    let mut run: Option<usize> = None;
    for &(t, pos) in toks {
        match (t, run) {
            (Tok::C(_), None) => run = Some(pos),
            (Tok::C(_), Some(_)) => {}
            (_, Some(from)) => {
                out.push(&text[from..pos]);
                run = None;
            }
            (_, None) => {}
        }
    }
    if let Some(from) = run {
        out.push(&text[from..end]);
    }
}

fn envelope(format: Cow<'static, str>, raw: &[&str], w: &mut Vec<String>) -> Envelope {
    let plain = |di: Cow<'static, str>, value: &str| Field {
        di,
        value: value.to_string(),
        title: "",
    };
    let mut gs1_result = None;
    let fields = match &*format {
        "06" => {
            if raw.len() == 1 && raw[0].len() > 40 {
                w.push("envelope 06: one long field and no GS: the fields may have run together (separators lost)".into());
            }
            di_fields(raw, w)
        }
        "05" => {
            let joined = raw.join("\u{1D}");
            let parsed = gs1::parse_scanner(joined.as_bytes());
            let fields = match &parsed {
                Ok(elements) => elements
                    .iter()
                    .map(|e| Field {
                        di: Cow::Borrowed(e.ai),
                        value: e.value.clone(),
                        title: e.title(),
                    })
                    .collect(),
                Err(_) => raw.iter().map(|v| plain(Cow::Borrowed(""), v)).collect(),
            };
            gs1_result = Some(parsed);
            fields
        }
        "12" | "DD" => raw
            .iter()
            .map(|f| {
                let (tei, value) = f.split_once(' ').unwrap_or((f, ""));
                if value.is_empty() {
                    w.push(format!("empty value for {tei}"));
                }
                let known = TEIS.iter().find(|(t, _)| *t == tei);
                Field {
                    di: known
                        .map_or_else(|| Cow::Owned(tei.to_string()), |(t, _)| Cow::Borrowed(*t)),
                    value: value.to_string(),
                    title: known.map_or("", |(_, n)| n),
                }
            })
            .collect(),
        "01" | "02" => raw
            .iter()
            .enumerate()
            .map(|(k, v)| plain(Cow::Owned((k + 1).to_string()), v))
            .collect(),
        _ => raw.iter().map(|v| plain(Cow::Borrowed(""), v)).collect(),
    };
    Envelope {
        format,
        fields,
        gs1: gs1_result,
    }
}

fn di_fields(raw: &[&str], w: &mut Vec<String>) -> Vec<Field> {
    let mut out: Vec<Field> = Vec::with_capacity(raw.len());
    for &f in raw {
        let Some((d, value)) = di::split(f) else {
            w.push(format!("field without a data identifier: {f:?}"));
            out.push(Field {
                di: Cow::Borrowed(""),
                value: f.to_string(),
                title: "",
            });
            continue;
        };
        let known = di::lookup(d);
        match known {
            None => w.push(format!("unknown data identifier {d}")),
            Some(k) => {
                if value.is_empty() {
                    w.push(format!("empty value for {d}"));
                } else if let Some(p) = di::problem(k.check, value) {
                    w.push(format!("{d} {value:?} {p}"));
                }
            }
        }
        // Byte by byte: DIs are 1–4 bytes, and a call to memcmp per earlier
        // field cost more than the comparison.
        if out
            .iter()
            .any(|o| o.di.len() == d.len() && o.di.bytes().zip(d.bytes()).all(|(x, y)| x == y))
        {
            w.push(format!("duplicate data identifier {d}"));
        }
        // A known DI is the table's own string: only the value is copied.
        out.push(Field {
            di: known.map_or_else(|| Cow::Owned(d.to_string()), |k| Cow::Borrowed(k.di)),
            value: value.to_string(),
            title: known.map_or("", |k| k.title),
        });
    }
    out
}

/// Fuzz target body: any bytes decode or are refused, never a panic; a
/// decoded message has at least one field.
pub fn fuzz_one(data: &[u8]) {
    if let Ok(m) = parse(data) {
        assert!(m.envelopes.iter().any(|e| !e.fields.is_empty()));
    }
    let _ = looks_like(data);
}
