//! Classification: a decoded scan becomes an [`Identity`] — what the station takes
//! it to be (an asset tag, a GTIN + serial, a location label, a badge …).
//!
//! GS1 data classifies itself by its keys ((01)+(21) is a GTIN + serial, (8004) a
//! GIAI, (00) an SSCC …). Plain text is classified by the configured rules
//! (prefixes and regular expressions per kind, [`IdentifyConfig`]): the command
//! prefix first, then an EPC in hex (24 or more hex digits, a multiple of 4,
//! that decode as a GS1 EPC scheme: a typed or scanned tag EPC), then
//! operator, location, purchase order, asset tag and serial, in that order;
//! the first kind whose pattern matches wins.
//!
//! Two entry points: [`Classifier::classify`] is the scan path (no heap
//! allocation for plain text: it borrows the scan), [`Classifier::decode`] builds
//! the full picture that `scanstation parse` prints ([`ParseReport`]).

pub mod box_label;

use crate::codec::{aim, epc, gs1, iso15434};
use crate::config::IdentifyConfig;
use regex::RegexSet;
use serde::Serialize;
use std::borrow::Cow;

/// What kind of thing a scan names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdentityKind {
    AssetTag,
    Serial,
    GtinSerial,
    PartSerial,
    Gtin,
    Giai,
    Sscc,
    Grai,
    Location,
    Operator,
    PurchaseOrder,
    Command,
    Epc,
    Unknown,
}

impl IdentityKind {
    /// The name used in JSON, the journal and the identifiers table.
    pub fn as_str(self) -> &'static str {
        match self {
            IdentityKind::AssetTag => "asset_tag",
            IdentityKind::Serial => "serial",
            IdentityKind::GtinSerial => "gtin_serial",
            IdentityKind::PartSerial => "part_serial",
            IdentityKind::Gtin => "gtin",
            IdentityKind::Giai => "giai",
            IdentityKind::Sscc => "sscc",
            IdentityKind::Grai => "grai",
            IdentityKind::Location => "location",
            IdentityKind::Operator => "operator",
            IdentityKind::PurchaseOrder => "purchase_order",
            IdentityKind::Command => "command",
            IdentityKind::Epc => "epc",
            IdentityKind::Unknown => "unknown",
        }
    }
}

/// An identity whose value may borrow from the scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity<'a> {
    pub kind: IdentityKind,
    /// For GS1 keys with one element, the element's value; with qualifiers, the
    /// bracketed element string (`(01)09506000134352(21)ABC`); for commands, the
    /// text after the prefix; otherwise the text as scanned (AIM id stripped).
    pub value: Cow<'a, str>,
}

impl Identity<'_> {
    pub fn into_owned(self) -> Identity<'static> {
        Identity {
            kind: self.kind,
            value: Cow::Owned(self.value.into_owned()),
        }
    }
}

impl Serialize for Identity<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("type", self.kind.as_str())?;
        m.serialize_entry("value", &*self.value)?;
        m.end()
    }
}

/// A bad classification pattern in the config.
#[derive(Debug, thiserror::Error)]
#[error("identify.{kind}: bad pattern: {source}")]
pub struct PatternError {
    pub kind: &'static str,
    #[source]
    pub source: regex::Error,
}

/// The compiled classification rules.
#[derive(Debug, Clone)]
pub struct Classifier {
    command_prefix: String,
    rules: Vec<(IdentityKind, RegexSet)>,
    /// Vendor conventions for plain box-label text and 15434 `1S` fields.
    conventions: box_label::Conventions,
}

impl Classifier {
    pub fn new(cfg: &IdentifyConfig) -> Result<Classifier, PatternError> {
        let lists = [
            (IdentityKind::Operator, &cfg.operator),
            (IdentityKind::Location, &cfg.location),
            (IdentityKind::PurchaseOrder, &cfg.purchase_order),
            (IdentityKind::AssetTag, &cfg.asset_tag),
            (IdentityKind::Serial, &cfg.serial),
        ];
        let mut rules = Vec::new();
        for (kind, patterns) in lists {
            if patterns.is_empty() {
                continue;
            }
            let set = RegexSet::new(patterns).map_err(|source| PatternError {
                kind: kind.as_str(),
                source,
            })?;
            rules.push((kind, set));
        }
        Ok(Classifier {
            command_prefix: cfg.command_prefix.clone(),
            rules,
            conventions: box_label::Conventions::default(),
        })
    }

    /// The same rules with these vendor conventions instead of the shipped ones.
    pub fn with_conventions(mut self, conventions: box_label::Conventions) -> Classifier {
        self.conventions = conventions;
        self
    }

    /// The vendor conventions in force (Receive mode applies the scoped ones
    /// with the order line's manufacturer).
    pub fn conventions(&self) -> &box_label::Conventions {
        &self.conventions
    }

    /// The identity of a scan, as the station uses it. Allocation-free for plain
    /// text (the value borrows `raw`); GS1 data is parsed and validated.
    pub fn classify<'a>(&self, raw: &'a [u8]) -> Identity<'a> {
        let (symbology, data) = aim::split(raw);
        match syntax_of(symbology.as_ref(), data) {
            Syntax::Text => self.classify_text(data),
            _ => self.decode(raw).identity.into_owned(),
        }
    }

    /// Plain text (no AIM id) by the configured rules.
    pub fn classify_text<'a>(&self, data: &'a [u8]) -> Identity<'a> {
        let Ok(text) = std::str::from_utf8(data) else {
            return Identity {
                kind: IdentityKind::Unknown,
                value: String::from_utf8_lossy(data),
            };
        };
        if !self.command_prefix.is_empty() {
            if let Some(rest) = text.strip_prefix(self.command_prefix.as_str()) {
                return Identity {
                    kind: IdentityKind::Command,
                    value: Cow::Borrowed(rest),
                };
            }
        }
        if let Some(hex) = epc_hex(text) {
            return Identity {
                kind: IdentityKind::Epc,
                value: hex,
            };
        }
        let kind = self
            .rules
            .iter()
            .find(|(_, set)| set.is_match(text))
            .map_or(IdentityKind::Unknown, |(kind, _)| *kind);
        // Text a serial rule would take (or none) may be a vendor's box label.
        if matches!(kind, IdentityKind::Serial | IdentityKind::Unknown) {
            if let Some(id) = self
                .conventions
                .split(text, None)
                .and_then(|p| p.identity())
            {
                return id;
            }
        }
        Identity {
            kind,
            value: Cow::Borrowed(text),
        }
    }

    /// Everything known about a scan: symbology, syntax, GS1 elements, identity,
    /// and the error that made it invalid, if any.
    pub fn decode<'a>(&self, raw: &'a [u8]) -> Decoded<'a> {
        let (symbology, data) = aim::split(raw);
        let syntax = syntax_of(symbology.as_ref(), data);
        if syntax == Syntax::Iso15434 {
            let d = box_label::decode(raw, &self.conventions);
            return Decoded {
                symbology: symbology.map(aim_text),
                syntax,
                identity: d.identity,
                gs1: d.gs1,
                epc: None,
                iso15434: Some(d.envelopes),
                warnings: d.warnings,
                error: d.error,
            };
        }
        let utf8 = |d: &'a [u8]| std::str::from_utf8(d).map_err(|_| "not valid UTF-8".to_string());
        let parsed: Option<Result<Vec<gs1::Element>, String>> = match syntax {
            Syntax::Text | Syntax::Epc | Syntax::Iso15434 => None,
            Syntax::Gs1Scanner => Some(gs1::parse_scanner(data).map_err(|e| e.to_string())),
            Syntax::Ean => Some(
                gs1::parse_ean(data, symbology.is_some_and(|a| a.modifier == b'4'))
                    .map_err(|e| e.to_string()),
            ),
            Syntax::Bracketed => {
                Some(utf8(data).and_then(|t| gs1::parse_bracketed(t).map_err(|e| e.to_string())))
            }
            Syntax::DigitalLink => Some(
                utf8(data).and_then(|t| gs1::digital_link::parse(t).map_err(|e| e.to_string())),
            ),
        };
        let symbology = symbology.map(aim_text);
        match parsed {
            None => Decoded {
                symbology,
                syntax,
                identity: self.classify_text(data),
                gs1: Vec::new(),
                epc: None,
                iso15434: None,
                warnings: Vec::new(),
                error: None,
            },
            Some(Ok(elements)) => Decoded {
                symbology,
                syntax,
                identity: identity_of_elements(&elements),
                gs1: elements,
                epc: None,
                iso15434: None,
                warnings: Vec::new(),
                error: None,
            },
            Some(Err(error)) => Decoded {
                symbology,
                syntax,
                identity: Identity {
                    kind: IdentityKind::Unknown,
                    value: String::from_utf8_lossy(data),
                },
                gs1: Vec::new(),
                epc: None,
                iso15434: None,
                warnings: Vec::new(),
                error: Some(error),
            },
        }
    }

    /// An EPC in hex (RFID memory), as `scanstation parse --epc` reads it.
    pub fn decode_epc<'a>(&self, hex: &'a str) -> Decoded<'a> {
        match epc::decode_hex(hex) {
            Ok(tag) => {
                let gs1 = tag
                    .gs1_elements()
                    .into_iter()
                    .map(|(ai, value)| gs1::Element { ai, value })
                    .collect();
                let hex_upper = hex.trim().to_ascii_uppercase();
                Decoded {
                    symbology: None,
                    syntax: Syntax::Epc,
                    identity: Identity {
                        kind: IdentityKind::Epc,
                        value: Cow::Owned(hex_upper.clone()),
                    },
                    gs1,
                    epc: Some(EpcReport {
                        hex: hex_upper,
                        scheme: tag.scheme_name(),
                        filter: tag.filter(),
                        tag_uri: tag.tag_uri(),
                        id_uri: tag.id_uri(),
                    }),
                    iso15434: None,
                    warnings: Vec::new(),
                    error: None,
                }
            }
            Err(e) => Decoded {
                symbology: None,
                syntax: Syntax::Epc,
                identity: Identity {
                    kind: IdentityKind::Unknown,
                    value: Cow::Borrowed(hex),
                },
                gs1: Vec::new(),
                epc: None,
                iso15434: None,
                warnings: Vec::new(),
                error: Some(e.to_string()),
            },
        }
    }

    /// The `scanstation parse` object for one input; `input` is shown as given.
    pub fn report(&self, input: &str, raw: &[u8]) -> ParseReport {
        self.decode(raw).into_report(input)
    }

    /// The `scanstation parse --epc` object for one EPC in hex.
    pub fn epc_report(&self, hex: &str) -> ParseReport {
        self.decode_epc(hex).into_report(hex)
    }
}

/// `text` as the value of an `epc` identity — upper-case hex — when it is
/// an EPC as readers report it: 24 to 64 hex digits, a multiple of 4 (whole
/// 16-bit words of the EPC bank), decoding as a GS1 EPC scheme. Borrows when
/// the text is upper case already. Anything else (an asset tag, a serial)
/// fails the length or hex test before any decoding.
fn epc_hex(text: &str) -> Option<Cow<'_, str>> {
    let b = text.as_bytes();
    if b.len() < 24
        || b.len() > 64
        || !b.len().is_multiple_of(4)
        || !b.iter().all(u8::is_ascii_hexdigit)
    {
        return None;
    }
    epc::decode_hex(text).ok()?;
    Some(if b.iter().any(u8::is_ascii_lowercase) {
        Cow::Owned(text.to_ascii_uppercase())
    } else {
        Cow::Borrowed(text)
    })
}

/// The GTIN and serial of a `gtin_serial` identity's value,
/// `(01)<14 digits>(21)<serial>`, as [`Classifier`] writes it.
pub fn gtin_serial_parts(value: &str) -> Option<(&str, &str)> {
    let rest = value.strip_prefix("(01)")?;
    let gtin = rest.get(..14)?;
    let serial = rest.get(14..)?.strip_prefix("(21)")?;
    (gtin.bytes().all(|b| b.is_ascii_digit()) && !serial.is_empty()).then_some((gtin, serial))
}

/// Which syntax a scan's data is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Syntax {
    /// GS1 element strings in scanner form (a GS1-mode AIM identifier).
    Gs1Scanner,
    /// EAN/UPC (]E0, ]E4): a GTIN.
    Ean,
    /// Bracketed human-readable `(AI)value` text.
    Bracketed,
    DigitalLink,
    Epc,
    /// An ISO/IEC 15434 message (`[)>` …), box and part labels.
    Iso15434,
    Text,
}

impl Syntax {
    /// The `kind` field of `scanstation parse`.
    pub fn as_str(self) -> &'static str {
        match self {
            Syntax::Gs1Scanner | Syntax::Ean | Syntax::Bracketed => "gs1",
            Syntax::DigitalLink => "digital_link",
            Syntax::Epc => "epc",
            Syntax::Iso15434 => "iso15434",
            Syntax::Text => "text",
        }
    }
}

fn syntax_of(symbology: Option<&aim::Aim>, data: &[u8]) -> Syntax {
    if iso15434::looks_like(data) {
        return Syntax::Iso15434;
    }
    if let Some(a) = symbology {
        if a.is_gs1() {
            return Syntax::Gs1Scanner;
        }
        if a.is_ean() {
            return Syntax::Ean;
        }
    }
    if data.first() == Some(&b'(') && data.iter().skip(1).take(5).any(|&b| b == b')') {
        return Syntax::Bracketed;
    }
    if gs1::digital_link::has_scheme(data)
        && std::str::from_utf8(data).is_ok_and(gs1::digital_link::looks_like)
    {
        return Syntax::DigitalLink;
    }
    Syntax::Text
}

fn aim_text(a: aim::Aim) -> String {
    let mut s = String::with_capacity(3);
    s.push(']');
    s.push(a.code as char);
    s.push(a.modifier as char);
    s
}

fn find<'e>(elements: &'e [gs1::Element], ai: &str) -> Option<&'e gs1::Element> {
    elements.iter().find(|e| e.ai == ai)
}

/// GS1 keys decide the identity; qualifiers that belong to the key come along.
fn identity_of_elements(elements: &[gs1::Element]) -> Identity<'static> {
    let owned = |kind, value: &str| Identity {
        kind,
        value: Cow::Owned(value.to_string()),
    };
    let bracketed = |kind, keys: &[&gs1::Element]| {
        let mut s = String::new();
        for e in keys {
            s.push('(');
            s.push_str(e.ai);
            s.push(')');
            s.push_str(&e.value);
        }
        Identity {
            kind,
            value: Cow::Owned(s),
        }
    };
    // The first key in scan order decides: a Digital Link's primary key comes
    // first, so `/8004/…?01=…` is a GIAI, not a GTIN.
    for e in elements {
        let id = match e.ai {
            "01" => match find(elements, "21") {
                Some(serial) => bracketed(IdentityKind::GtinSerial, &[e, serial]),
                None => owned(IdentityKind::Gtin, &e.value),
            },
            "8004" => owned(IdentityKind::Giai, &e.value),
            "00" => owned(IdentityKind::Sscc, &e.value),
            "8003" => owned(IdentityKind::Grai, &e.value),
            "414" => match find(elements, "254") {
                Some(ext) => bracketed(IdentityKind::Location, &[e, ext]),
                None => owned(IdentityKind::Location, &e.value),
            },
            "400" => owned(IdentityKind::PurchaseOrder, &e.value),
            "8040" => owned(IdentityKind::Serial, &e.value),
            _ => continue,
        };
        return id;
    }
    Identity {
        kind: IdentityKind::Unknown,
        value: Cow::Owned(gs1::to_bracketed(elements)),
    }
}

/// Everything known about one scan.
#[derive(Debug, Clone)]
pub struct Decoded<'a> {
    pub symbology: Option<String>,
    pub syntax: Syntax,
    pub identity: Identity<'a>,
    pub gs1: Vec<gs1::Element>,
    pub epc: Option<EpcReport>,
    /// ISO/IEC 15434 envelopes, when the scan is such a message.
    pub iso15434: Option<Vec<box_label::EnvelopeReport>>,
    /// What a tolerant decoder repaired or doubts.
    pub warnings: Vec<String>,
    pub error: Option<String>,
}

impl Decoded<'_> {
    pub fn into_report(self, input: &str) -> ParseReport {
        let digital_link = if self.error.is_none() && !self.gs1.is_empty() {
            gs1::to_digital_link(&self.gs1, "id.gs1.org")
        } else {
            None
        };
        ParseReport {
            input: input.to_string(),
            symbology: self.symbology,
            kind: self.syntax.as_str(),
            gs1: self
                .gs1
                .into_iter()
                .map(|e| Gs1Report {
                    title: e.title(),
                    ai: e.ai,
                    value: e.value,
                })
                .collect(),
            epc: self.epc,
            digital_link,
            iso15434: self.iso15434,
            identity: self.identity.into_owned(),
            warnings: self.warnings,
            error: self.error,
        }
    }
}

/// The object `scanstation parse` prints (contracts.md); every key always present.
#[derive(Debug, Clone, Serialize)]
pub struct ParseReport {
    pub input: String,
    pub symbology: Option<String>,
    pub kind: &'static str,
    pub gs1: Vec<Gs1Report>,
    pub epc: Option<EpcReport>,
    pub digital_link: Option<String>,
    pub iso15434: Option<Vec<box_label::EnvelopeReport>>,
    pub identity: Identity<'static>,
    pub warnings: Vec<String>,
    pub error: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Gs1Report {
    pub ai: &'static str,
    pub value: String,
    pub title: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct EpcReport {
    pub hex: String,
    pub scheme: &'static str,
    pub filter: u8,
    pub tag_uri: String,
    pub id_uri: String,
}

/// Expands the escapes that stand for GS in `parse` inputs: `\x1D` (any case)
/// and `{GS}`.
pub fn expand_gs_escapes(input: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    let b = input.as_bytes();
    let mut i = 0;
    while i < b.len() {
        let escape = b[i..].starts_with(b"{GS}")
            || (b[i] == b'\\' && b.len() >= i + 4 && b[i + 1..i + 4].eq_ignore_ascii_case(b"x1d"));
        if escape {
            out.push(0x1D);
            i += 4;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    out
}

/// Fuzz target body: classification and the full decode never panic.
#[cfg(feature = "fuzzing")]
pub fn fuzz_one(data: &[u8]) {
    static DEFAULT: std::sync::OnceLock<Option<Classifier>> = std::sync::OnceLock::new();
    let Some(c) = DEFAULT.get_or_init(|| Classifier::new(&IdentifyConfig::default()).ok()) else {
        return;
    };
    let _ = c.classify(data);
    let _ = c.report("fuzz", data);
    if let Ok(t) = std::str::from_utf8(data) {
        let _ = c.epc_report(t);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn classifier() -> Classifier {
        Classifier::new(&IdentifyConfig::default()).unwrap()
    }

    fn kind(raw: &str) -> IdentityKind {
        classifier().classify(&expand_gs_escapes(raw)).kind
    }

    #[test]
    fn text_rules_in_order() {
        assert_eq!(kind("CMD:CONFIRM"), IdentityKind::Command);
        assert_eq!(kind("B0042"), IdentityKind::Operator);
        assert_eq!(kind("LOC-R1-S2"), IdentityKind::Location);
        assert_eq!(kind("PO-100234"), IdentityKind::PurchaseOrder);
        assert_eq!(kind("A-1001"), IdentityKind::AssetTag);
        assert_eq!(kind("5CG1234XYZ"), IdentityKind::Serial);
        assert_eq!(kind("hello there"), IdentityKind::Unknown);
        assert_eq!(kind("]Q1TESTING"), IdentityKind::Serial);
    }

    #[test]
    fn command_value_drops_prefix() {
        let c = classifier();
        let id = c.classify(b"CMD:MODE:RECEIVE");
        assert_eq!(id.value, "MODE:RECEIVE");
    }

    #[test]
    fn gs1_keys_decide() {
        assert_eq!(
            kind("]C10109506000134352{GS}21ABC"),
            IdentityKind::GtinSerial
        );
        assert_eq!(kind("(8004)0614141123454001"), IdentityKind::Giai);
        assert_eq!(
            kind("https://example.com/8004/9520614141234567?01=09520123456788"),
            IdentityKind::Giai
        );
        assert_eq!(kind("]C100106141411234567890"), IdentityKind::Unknown); // bad check digit
        assert_eq!(kind("]E09506000134352"), IdentityKind::Gtin);
    }

    #[test]
    fn report_matches_the_contract_example() {
        let c = classifier();
        let input = r"]C10109506000134352{GS}21ABC";
        let r = c.report(input, &expand_gs_escapes(input));
        let v = serde_json::to_value(&r).unwrap();
        assert_eq!(v["symbology"], "]C1");
        assert_eq!(v["kind"], "gs1");
        assert_eq!(v["gs1"][0]["ai"], "01");
        assert_eq!(v["gs1"][0]["title"], "GTIN");
        assert_eq!(v["gs1"][1]["value"], "ABC");
        assert_eq!(
            v["digital_link"],
            "https://id.gs1.org/01/09506000134352/21/ABC"
        );
        assert_eq!(v["identity"]["type"], "gtin_serial");
        assert_eq!(v["identity"]["value"], "(01)09506000134352(21)ABC");
        assert!(v["error"].is_null());
        assert!(v["epc"].is_null());
    }

    #[test]
    fn plain_text_with_aim_is_not_an_error() {
        let c = classifier();
        let v = serde_json::to_value(c.report("]Q1TESTING", b"]Q1TESTING")).unwrap();
        assert_eq!(v["kind"], "text");
        assert_eq!(v["symbology"], "]Q1");
        assert!(v["error"].is_null());
        assert_eq!(v["gs1"], serde_json::json!([]));
    }

    #[test]
    fn epc_report_fields() {
        let c = classifier();
        let v = serde_json::to_value(c.epc_report("3474257BF40000000000162E")).unwrap();
        assert_eq!(v["kind"], "epc");
        assert_eq!(v["epc"]["scheme"], "giai-96");
        assert_eq!(v["epc"]["filter"], 3);
        assert_eq!(v["epc"]["tag_uri"], "urn:epc:tag:giai-96:3.0614141.5678");
        assert_eq!(v["epc"]["id_uri"], "urn:epc:id:giai:0614141.5678");
        assert_eq!(v["gs1"][0]["ai"], "8004");
        assert_eq!(v["gs1"][0]["value"], "06141415678");
        let bad = serde_json::to_value(c.epc_report("2074257BF40000000000162E")).unwrap();
        assert!(bad["error"].as_str().unwrap().contains("0x20"));
    }

    #[test]
    fn typed_epc_hex_is_an_epc_in_upper_case() {
        let c = classifier();
        // A GIAI-96 and an SGTIN-96 as a person types them, any case.
        let id = c.classify(b"3474257bf40000000000162e");
        assert_eq!(id.kind, IdentityKind::Epc);
        assert_eq!(id.value, "3474257BF40000000000162E");
        let id = c.classify(b"3074257BF7194E4000001A85");
        assert_eq!(id.kind, IdentityKind::Epc);
        assert!(matches!(id.value, Cow::Borrowed(_)));
        // 26 digits (not whole 16-bit words), an unknown header, or too short: not EPCs.
        assert_eq!(kind("3474257BF40000000000162E00"), IdentityKind::Serial);
        assert_eq!(kind("E2801160600002054D5C3F41"), IdentityKind::Serial);
        assert_eq!(kind("3474257BF400000000162E"), IdentityKind::Serial);
        // A 96-bit EPC is 24 digits exactly; longer schemes are longer.
        assert_eq!(
            kind("3474257BF40000000000162E00000000"),
            IdentityKind::Unknown
        );
        let giai202 = hex::encode(epc::encode_giai202(0, "0614141", "A-1003").unwrap());
        assert_eq!(giai202.len(), 52);
        assert_eq!(c.classify(giai202.as_bytes()).kind, IdentityKind::Epc);
        let v = serde_json::to_value(c.report("x", b"3474257bf40000000000162e")).unwrap();
        assert_eq!(v["identity"]["type"], "epc");
        assert_eq!(v["identity"]["value"], "3474257BF40000000000162E");
    }

    #[test]
    fn gtin_serial_parts_split_the_identity_value() {
        assert_eq!(
            gtin_serial_parts("(01)09506000134352(21)AB(C)"),
            Some(("09506000134352", "AB(C)"))
        );
        assert_eq!(gtin_serial_parts("(01)0950600013435(21)ABC"), None);
        assert_eq!(gtin_serial_parts("(01)09506000134352(21)"), None);
        assert_eq!(gtin_serial_parts("(01)0950600013435é(21)X"), None);
    }

    #[test]
    fn escapes() {
        assert_eq!(expand_gs_escapes(r"a\x1Db{GS}c\x1d"), b"a\x1db\x1dc\x1d");
    }

    #[test]
    fn non_utf8_is_unknown_and_does_not_panic() {
        let c = classifier();
        assert_eq!(c.classify(&[0xff, 0xfe, 0x00]).kind, IdentityKind::Unknown);
        fuzz_one(&[0xff, b'(', b'0', b'1', b')']);
    }
}
