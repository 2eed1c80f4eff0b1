//! Box labels → identity: what a manufacturer's label says the unit is.
//!
//! Two sources. An ISO/IEC 15434 message names its fields (DI `1P` part
//! number, `S` serial, `K` purchase order …), so its identity follows from
//! them. A plain linear barcode does not: vendors follow conventions of their
//! own — Lenovo prints `1S` + machine type-model + serial in one code, Apple
//! prints `S` + serial, Dell's service tag also reads as an Express Service
//! Code in base 10 — and those are ambiguous out of context: Samsung and
//! Supermicro serials begin with a real `S` that must never be stripped.
//!
//! So conventions are data ([`VendorConvention`], serde, shipped defaults in
//! [`default_conventions`]): a regular expression with named groups `part`,
//! `serial`, `gtin` or `esc`, optionally scoped to manufacturers. A scoped
//! rule applies only when the caller knows whose box it is (the open order
//! line's manufacturer in Receive mode); unscoped rules apply everywhere,
//! `scanstation parse` included. The first rule that matches wins, so the
//! "keep the S" rules come before any rule that could strip it.
//!
//! Identities: `part_serial` with the value `(1P)<part>(S)<serial>`,
//! `gtin_serial` as GS1 bracketed text `(01)<gtin>(21)<serial>`, `serial`,
//! `purchase_order` (DI `K` when the label has no unit serial).

use super::{Identity, IdentityKind};
use crate::codec::iso15434::Message;
use crate::codec::{gs1, iso15434};
use regex::Regex;
use serde::{Deserialize, Serialize};
use std::borrow::Cow;
use std::collections::BTreeMap;

/// One vendor convention, as configured.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VendorConvention {
    /// A name for messages and the journal (`lenovo-1s`).
    pub name: String,
    /// Manufacturers whose boxes it applies to (case-insensitive; a name
    /// matches `Dell` and `Dell Inc.`). Empty: every box.
    #[serde(default)]
    pub manufacturers: Vec<String>,
    /// A regular expression over the whole scan (anchor it) with named
    /// groups: `part` and/or `serial`, `gtin`, or `esc` (a Dell Express
    /// Service Code, converted to its service tag).
    #[serde(default)]
    pub pattern: String,
    /// Configured only: `true` turns off the shipped rule of this name.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub disabled: bool,
}

fn rule(name: &str, manufacturers: &[&str], pattern: &str) -> VendorConvention {
    VendorConvention {
        name: name.into(),
        manufacturers: manufacturers.iter().map(|m| m.to_string()).collect(),
        pattern: pattern.into(),
        disabled: false,
    }
}

/// The shipped conventions with the configured ones (`[[receiving.convention]]`)
/// applied: an entry named like a shipped rule replaces it where it stands
/// (or turns it off with `disabled = true`); any other entry is tried before
/// every shipped rule, so a site's own rule wins over a generic one.
pub fn with_defaults(configured: &[VendorConvention]) -> Vec<VendorConvention> {
    let shipped = default_conventions();
    let mut out: Vec<VendorConvention> = configured
        .iter()
        .filter(|c| !c.disabled && !shipped.iter().any(|d| d.name == c.name))
        .cloned()
        .collect();
    for d in shipped {
        match configured.iter().find(|c| c.name == d.name) {
            Some(c) if c.disabled => {}
            Some(c) => out.push(c.clone()),
            None => out.push(d),
        }
    }
    out
}

/// The conventions shipped with the station, in the order they are tried.
pub fn default_conventions() -> Vec<VendorConvention> {
    vec![
        // A real leading S: never stripped.
        rule(
            "samsung-serial",
            &["Samsung"],
            r"^(?P<serial>S[0-9A-Z]{9,16})$",
        ),
        rule(
            "supermicro-serial",
            &["Supermicro"],
            r"^(?P<serial>[0-9A-Z]{8,20})$",
        ),
        // Lenovo: 1S + machine type-model (10) + serial (8); older 7 + 7.
        rule(
            "lenovo-1s",
            &[],
            r"^1S(?P<part>[0-9A-Z]{10})(?P<serial>[0-9A-Z]{8})$",
        ),
        rule(
            "lenovo-1s-7-7",
            &[],
            r"^1S(?P<part>[0-9A-Z]{7})(?P<serial>[0-9A-Z]{7})$",
        ),
        // Apple box serial barcodes: S + the serial (which has no S of its own).
        rule("apple-s", &["Apple"], r"^S(?P<serial>[0-9A-Z]{10,12})$"),
        // Dell: a PPID (country, part number, supplier, date, sequence + revision),
        // a service tag, or its Express Service Code.
        rule(
            "dell-ppid",
            &["Dell"],
            r"^(?P<serial>[A-Z]{2}(?P<part>[0-9A-Z]{6})[0-9A-Z]{12})[0-9A-Z]{3}$",
        ),
        rule(
            "dell-service-tag",
            &["Dell"],
            r"^(?P<serial>[0-9A-Z]{5,7})$",
        ),
        rule(
            "dell-express-service-code",
            &["Dell"],
            r"^(?P<esc>[0-9]{8,11})$",
        ),
    ]
}

/// A bad convention in the config.
#[derive(Debug, thiserror::Error)]
pub enum ConventionError {
    #[error("vendor convention {name}: bad pattern: {source}")]
    Pattern {
        name: String,
        #[source]
        source: regex::Error,
    },
    #[error("vendor convention {name}: the pattern needs a named group serial, part, gtin or esc")]
    NoGroup { name: String },
}

/// The compiled conventions, and the customer's own item ids (DI `P`) this
/// site maps to manufacturers' part numbers.
#[derive(Debug, Clone)]
pub struct Conventions {
    rules: Vec<(VendorConvention, Regex)>,
    customer_items: BTreeMap<String, String>,
}

/// What a label names, before it becomes an identity.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LabelParts {
    pub part: Option<String>,
    pub serial: Option<String>,
    pub gtin: Option<String>,
    /// The convention that split it, when one did.
    pub rule: Option<String>,
}

impl LabelParts {
    /// The identity these parts give, if they give one.
    pub fn identity(&self) -> Option<Identity<'static>> {
        let owned = |kind, value: String| Identity {
            kind,
            value: Cow::Owned(value),
        };
        match (&self.part, &self.gtin, &self.serial) {
            (Some(p), _, Some(s)) => {
                Some(owned(IdentityKind::PartSerial, format!("(1P){p}(S){s}")))
            }
            (None, Some(g), Some(s)) => {
                Some(owned(IdentityKind::GtinSerial, format!("(01){g}(21){s}")))
            }
            (None, None, Some(s)) => Some(owned(IdentityKind::Serial, s.clone())),
            (None, Some(g), None) => Some(owned(IdentityKind::Gtin, g.clone())),
            _ => None,
        }
    }
}

impl Default for Conventions {
    fn default() -> Self {
        // The shipped patterns are tested to compile.
        Conventions::new(&default_conventions()).unwrap_or(Conventions {
            rules: Vec::new(),
            customer_items: BTreeMap::new(),
        })
    }
}

impl Conventions {
    pub fn new(list: &[VendorConvention]) -> Result<Conventions, ConventionError> {
        let mut rules = Vec::with_capacity(list.len());
        for c in list {
            let re = Regex::new(&c.pattern).map_err(|source| ConventionError::Pattern {
                name: c.name.clone(),
                source,
            })?;
            let has = |g: &str| re.capture_names().flatten().any(|n| n == g);
            if !["serial", "part", "gtin", "esc"].iter().any(|g| has(g)) {
                return Err(ConventionError::NoGroup {
                    name: c.name.clone(),
                });
            }
            rules.push((c.clone(), re));
        }
        Ok(Conventions {
            rules,
            customer_items: BTreeMap::new(),
        })
    }

    /// The `[receiving]` config's conventions (shipped ones with the
    /// configured applied, [`with_defaults`]) and customer item ids.
    pub fn from_config(
        configured: &[VendorConvention],
        customer_items: &BTreeMap<String, String>,
    ) -> Result<Conventions, ConventionError> {
        let mut c = Conventions::new(&with_defaults(configured))?;
        c.customer_items = customer_items
            .iter()
            .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
            .collect();
        Ok(c)
    }

    /// The manufacturer's part number of a customer's own item id (DI `P`),
    /// when the config maps it; the id itself is never taken as a part number.
    pub fn customer_item(&self, id: &str) -> Option<&str> {
        self.customer_items.get(id.trim()).map(String::as_str)
    }

    /// The names of the rules in the order they are tried.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.rules.iter().map(|(c, _)| c.name.as_str())
    }

    /// The first convention that applies to `text` for this manufacturer
    /// (`None`: unknown, only unscoped conventions apply).
    pub fn split(&self, text: &str, manufacturer: Option<&str>) -> Option<LabelParts> {
        for (c, re) in &self.rules {
            if !applies(c, manufacturer) {
                continue;
            }
            let Some(caps) = re.captures(text) else {
                continue;
            };
            let get = |g: &str| caps.name(g).map(|m| m.as_str().to_string());
            let serial = match get("esc") {
                Some(esc) => Some(express_code_to_tag(&esc)?),
                None => get("serial"),
            };
            return Some(LabelParts {
                part: get("part"),
                serial,
                gtin: get("gtin"),
                rule: Some(c.name.clone()),
            });
        }
        None
    }
}

fn applies(c: &VendorConvention, manufacturer: Option<&str>) -> bool {
    if c.manufacturers.is_empty() {
        return true;
    }
    let Some(m) = manufacturer else {
        return false;
    };
    let m = m.trim();
    c.manufacturers.iter().any(|want| {
        m.len() >= want.len()
            && m.is_char_boundary(want.len())
            && m[..want.len()].eq_ignore_ascii_case(want)
            && m[want.len()..]
                .chars()
                .next()
                .is_none_or(|c| !c.is_alphanumeric())
    })
}

/// A Dell Express Service Code is the service tag read as a base-36 number
/// and written in base 10.
pub fn express_code_to_tag(code: &str) -> Option<String> {
    let mut n: u64 = code.parse().ok()?;
    if n == 0 {
        return None;
    }
    let mut out = Vec::new();
    while n > 0 {
        let d = (n % 36) as u8;
        out.push(if d < 10 { b'0' + d } else { b'A' + d - 10 });
        n /= 36;
    }
    out.reverse();
    String::from_utf8(out).ok()
}

/// What a 15434 message names. The serial is `S`, else `1S` (split by a
/// convention when one applies, as Lenovo's `1S` holds MTM + serial); the
/// part `1P`, else `P` (the customer's own id) only through the configured
/// `[receiving] customer_items`; the GTIN `8P`. Formats 12/DD give `PNR` and
/// `SER`.
pub fn parts_of_message(m: &Message, conv: &Conventions, manufacturer: Option<&str>) -> LabelParts {
    let mut parts = LabelParts {
        part: m
            .first("1P")
            .or_else(|| m.values("P").find_map(|p| conv.customer_item(p)))
            .map(str::to_string),
        serial: m.first("S").map(str::to_string),
        gtin: m.first("8P").map(str::to_string),
        rule: None,
    };
    if parts.serial.is_none() {
        if let Some(s1) = m.first("1S") {
            match conv.split(&format!("1S{s1}"), manufacturer) {
                Some(p) if p.serial.is_some() => {
                    parts.serial = p.serial;
                    parts.part = parts.part.or(p.part);
                    parts.rule = p.rule;
                }
                _ => parts.serial = Some(s1.to_string()),
            }
        }
    }
    if parts.part.is_none() && parts.serial.is_none() {
        parts.part = m.text_element("PNR").map(str::to_string);
        parts.serial = m.text_element("SER").map(str::to_string);
    }
    parts
}

/// The identity of a 15434 message: a unit (part + serial, GTIN + serial,
/// serial) first, then the GS1 keys of its format 05 envelopes, then the
/// purchase order `K`; else `unknown` with the part number when there is one.
pub fn identity_of_message(
    m: &Message,
    elements: &[gs1::Element],
    conv: &Conventions,
    manufacturer: Option<&str>,
) -> Identity<'static> {
    let parts = parts_of_message(m, conv, manufacturer);
    if parts.serial.is_some() {
        if let Some(id) = parts.identity() {
            return id;
        }
    }
    let from_gs1 = super::identity_of_elements(elements);
    if from_gs1.kind != IdentityKind::Unknown {
        return from_gs1;
    }
    if let Some(po) = m.first("K") {
        return Identity {
            kind: IdentityKind::PurchaseOrder,
            value: Cow::Owned(po.to_string()),
        };
    }
    if let Some(id) = parts.identity() {
        return id;
    }
    Identity {
        kind: IdentityKind::Unknown,
        value: Cow::Owned(match &parts.part {
            Some(p) => format!("(1P){p}"),
            None => String::new(),
        }),
    }
}

/// One envelope as `scanstation parse` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct EnvelopeReport {
    pub format: String,
    pub fields: Vec<FieldReport>,
}

#[derive(Debug, Clone, Serialize)]
pub struct FieldReport {
    pub di: String,
    pub value: String,
    pub title: &'static str,
}

/// Everything `identify` needs from a 15434 scan.
pub struct Decoded15434 {
    pub envelopes: Vec<EnvelopeReport>,
    pub gs1: Vec<gs1::Element>,
    pub identity: Identity<'static>,
    pub warnings: Vec<String>,
    pub error: Option<String>,
}

/// Decodes a scan that [`iso15434::looks_like`] accepted.
pub fn decode(raw: &[u8], conv: &Conventions) -> Decoded15434 {
    let m = match iso15434::parse(raw) {
        Ok(m) => m,
        Err(e) => {
            let (_, data) = crate::codec::aim::split(raw);
            return Decoded15434 {
                envelopes: Vec::new(),
                gs1: Vec::new(),
                identity: Identity {
                    kind: IdentityKind::Unknown,
                    value: Cow::Owned(String::from_utf8_lossy(data).into_owned()),
                },
                warnings: Vec::new(),
                error: Some(e.to_string()),
            };
        }
    };
    let mut gs1_elements = Vec::new();
    let mut error = None;
    for e in &m.envelopes {
        match &e.gs1 {
            Some(Ok(els)) => gs1_elements.extend(els.iter().cloned()),
            Some(Err(g)) if error.is_none() => error = Some(format!("format 05: {g}")),
            _ => {}
        }
    }
    let mut identity = identity_of_message(&m, &gs1_elements, conv, None);
    if identity.value.is_empty() {
        let (_, data) = crate::codec::aim::split(raw);
        identity.value = Cow::Owned(String::from_utf8_lossy(data).into_owned());
    }
    Decoded15434 {
        envelopes: m
            .envelopes
            .iter()
            .map(|e| EnvelopeReport {
                format: e.format.to_string(),
                fields: e
                    .fields
                    .iter()
                    .map(|f| FieldReport {
                        di: f.di.to_string(),
                        value: f.value.clone(),
                        title: f.title,
                    })
                    .collect(),
            })
            .collect(),
        gs1: gs1_elements,
        identity,
        warnings: m.warnings,
        error,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conv() -> Conventions {
        Conventions::new(&default_conventions()).unwrap()
    }

    fn id(text: &str, m: Option<&str>) -> Option<(IdentityKind, String)> {
        conv()
            .split(text, m)
            .and_then(|p| p.identity())
            .map(|i| (i.kind, i.value.into_owned()))
    }

    #[test]
    fn lenovo_1s_splits_mtm_and_serial() {
        // standards.md: 1S20TBS1D000PE07FEA4 = MTM 20TBS1D000, serial PE07FEA4.
        let p = conv().split("1S20TBS1D000PE07FEA4", None).unwrap();
        assert_eq!(p.part.as_deref(), Some("20TBS1D000"));
        assert_eq!(p.serial.as_deref(), Some("PE07FEA4"));
        assert_eq!(
            id("1S20TBS1D000PE07FEA4", None),
            Some((IdentityKind::PartSerial, "(1P)20TBS1D000(S)PE07FEA4".into()))
        );
        assert_eq!(
            id("1S2356A1BL3A1234", None).unwrap().1,
            "(1P)2356A1B(S)L3A1234"
        );
    }

    #[test]
    fn apple_s_is_stripped_only_on_apple_boxes() {
        assert_eq!(
            id("SC02XL0GHJGH5", Some("Apple")),
            Some((IdentityKind::Serial, "C02XL0GHJGH5".into()))
        );
        assert_eq!(id("SC02XL0GHJGH5", None), None);
        assert_eq!(id("SC02XL0GHJGH5", Some("Applied Widgets")), None);
    }

    #[test]
    fn samsung_and_supermicro_keep_their_s() {
        assert_eq!(
            id("S3Z8NB0K123456A", Some("Samsung")),
            Some((IdentityKind::Serial, "S3Z8NB0K123456A".into()))
        );
        assert_eq!(
            id("S1234567890", Some("Supermicro")),
            Some((IdentityKind::Serial, "S1234567890".into()))
        );
        // Apple's rule is not in force on a Samsung box, even if it would match.
        assert_eq!(
            id("S1234567890", Some("samsung electronics")).unwrap().1,
            "S1234567890"
        );
    }

    #[test]
    fn dell_service_tag_express_code_and_ppid() {
        assert_eq!(
            id("7XK9QH2", Some("Dell Inc.")),
            Some((IdentityKind::Serial, "7XK9QH2".into()))
        );
        let esc = u64::from_str_radix("7XK9QH2", 36).unwrap().to_string();
        assert_eq!(id(&esc, Some("Dell")).unwrap().1, "7XK9QH2");
        assert_eq!(express_code_to_tag("0"), None);
        assert_eq!(express_code_to_tag("99999999999999999999999"), None);
        assert_eq!(
            id("CN0FJ3057474552L01CRA01", Some("Dell")),
            Some((
                IdentityKind::PartSerial,
                "(1P)0FJ305(S)CN0FJ3057474552L01CR".into()
            ))
        );
    }

    #[test]
    fn messages_give_units_then_orders() {
        let c = conv();
        let ident = |s: &str| {
            let d = decode(s.as_bytes(), &c);
            (d.identity.kind, d.identity.value.into_owned())
        };
        assert_eq!(
            ident("[)>\x1e06\x1d1P20TBS1D000\x1dSPE07FEA4\x1dKPO-1\x1e\x04"),
            (IdentityKind::PartSerial, "(1P)20TBS1D000(S)PE07FEA4".into())
        );
        // Lenovo's 1S inside an envelope is split by the convention.
        assert_eq!(
            ident("[)>\x1e06\x1d1S20TBS1D000PE07FEA4\x1e\x04"),
            (IdentityKind::PartSerial, "(1P)20TBS1D000(S)PE07FEA4".into())
        );
        assert_eq!(
            ident("[)>\x1e06\x1dSXYZ123\x1e\x04"),
            (IdentityKind::Serial, "XYZ123".into())
        );
        assert_eq!(
            ident("[)>\x1e06\x1d8P09506000134352\x1dSXYZ\x1e\x04"),
            (IdentityKind::GtinSerial, "(01)09506000134352(21)XYZ".into())
        );
        assert_eq!(
            ident("[)>\x1e06\x1dKPO-100234\x1d1PABC\x1e\x04"),
            (IdentityKind::PurchaseOrder, "PO-100234".into())
        );
        assert_eq!(
            ident("[)>\x1e06\x1dPCUST-1\x1d1PABC\x1e\x04"),
            (IdentityKind::Unknown, "(1P)ABC".into())
        );
        assert_eq!(
            ident("[)>\x1e05\x1d0109506000134352\x1d21ABC\x1e\x04"),
            (IdentityKind::GtinSerial, "(01)09506000134352(21)ABC".into())
        );
        assert_eq!(
            ident("[)>\x1e12\x1dPNR 1234-5\x1dSER 998877\x1e\x04"),
            (IdentityKind::PartSerial, "(1P)1234-5(S)998877".into())
        );
        let bad = decode(b"[)>\x1e05\x1d0109506000134353\x1e\x04", &c);
        assert!(bad
            .error
            .unwrap()
            .starts_with("format 05: (01) check digit"));
        let none = decode(b"[)>", &c);
        assert_eq!(none.identity.kind, IdentityKind::Unknown);
        assert!(none.error.is_some());
    }

    #[test]
    fn bad_conventions_are_refused_by_name() {
        let e = Conventions::new(&[rule("x", &[], "(")]).unwrap_err();
        assert!(e
            .to_string()
            .starts_with("vendor convention x: bad pattern"));
        let e = Conventions::new(&[rule("y", &[], "^A$")]).unwrap_err();
        assert!(e.to_string().contains("named group"));
    }
    #[test]
    fn customer_item_ids_count_only_through_the_mapping() {
        let map: BTreeMap<String, String> = [("CUST-123".to_string(), "20TBS1D000".to_string())]
            .into_iter()
            .collect();
        let mapped = Conventions::from_config(&[], &map).unwrap();
        let ident = |c: &Conventions, s: &str| {
            let d = decode(s.as_bytes(), c);
            (d.identity.kind, d.identity.value.into_owned())
        };
        let label = "[)>\x1e06\x1dPCUST-123\x1dSPE07FEA4\x1e\x04";
        assert_eq!(
            ident(&mapped, label),
            (IdentityKind::PartSerial, "(1P)20TBS1D000(S)PE07FEA4".into())
        );
        // Without the mapping `P` is never a part number: the serial alone.
        assert_eq!(
            ident(&conv(), label),
            (IdentityKind::Serial, "PE07FEA4".into())
        );
        // An unmapped id is not taken either; `1P` wins over a mapped `P`.
        assert_eq!(
            ident(&mapped, "[)>\x1e06\x1dPCUST-999\x1dSX1\x1e\x04").0,
            IdentityKind::Serial
        );
        assert_eq!(
            ident(&mapped, "[)>\x1e06\x1dPCUST-123\x1d1PABC\x1dSX1\x1e\x04").1,
            "(1P)ABC(S)X1"
        );
        assert_eq!(mapped.customer_item(" CUST-123 "), Some("20TBS1D000"));
    }

    #[test]
    fn configured_conventions_replace_add_and_disable_shipped_ones() {
        let mut apple = rule("apple-s", &["Apple"], r"^SX(?P<serial>[0-9A-Z]{4})$");
        let own = rule(
            "acme-asset",
            &[],
            r"^ACME(?P<part>[0-9]{3})(?P<serial>[A-Z]{4})$",
        );
        let mut off = rule("dell-service-tag", &[], "");
        off.disabled = true;
        let list = with_defaults(&[apple.clone(), own, off]);
        let names: Vec<&str> = list.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names[0], "acme-asset");
        assert!(!names.contains(&"dell-service-tag"));
        let shipped: Vec<String> = default_conventions().into_iter().map(|c| c.name).collect();
        assert_eq!(names.len(), shipped.len(), "{names:?}");
        let c = Conventions::from_config(
            &[
                apple.clone(),
                rule(
                    "acme-asset",
                    &[],
                    r"^ACME(?P<part>[0-9]{3})(?P<serial>[A-Z]{4})$",
                ),
            ],
            &BTreeMap::new(),
        )
        .unwrap();
        // The replaced Apple rule stands where the shipped one stood.
        let at = c.names().position(|n| n == "apple-s").unwrap();
        assert_eq!(at, 1 + shipped.iter().position(|n| n == "apple-s").unwrap());
        let p = c.split("SXAB12", Some("Apple")).unwrap();
        assert_eq!(p.serial.as_deref(), Some("AB12"));
        assert_eq!(c.split("SC02XL0GHJGH5", Some("Apple")), None);
        let p = c.split("ACME123WXYZ", None).unwrap();
        assert_eq!(
            (p.part.as_deref(), p.serial.as_deref()),
            (Some("123"), Some("WXYZ"))
        );
        // Samsung's S stays even with the site's rules in force.
        assert_eq!(
            c.split("S3Z8NB0K123456A", Some("Samsung"))
                .unwrap()
                .serial
                .as_deref(),
            Some("S3Z8NB0K123456A")
        );
        apple.pattern = "^S$".into();
        let e = Conventions::from_config(&[apple], &BTreeMap::new()).unwrap_err();
        assert!(e.to_string().contains("apple-s"), "{e}");
    }
}
