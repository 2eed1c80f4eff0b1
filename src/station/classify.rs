//! The station's view of classification: raw scan bytes -> [`Identity`].
//!
//! A stand-in for `crate::identify` (being built on another branch): it knows
//! only the configured text rules (command prefix, badge, location, purchase
//! order, asset tag, serial, in that order), not GS1 or EPC. When
//! `crate::identify` lands, this file shrinks to a re-export and nothing else in
//! the station changes.

use crate::config::IdentifyConfig;
use regex::Regex;

/// What a scan was taken for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdentityKind {
    AssetTag,
    Serial,
    GtinSerial,
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
    /// The contract's name (`asset_tag`, `gtin_serial` …).
    pub fn as_str(self) -> &'static str {
        match self {
            IdentityKind::AssetTag => "asset_tag",
            IdentityKind::Serial => "serial",
            IdentityKind::GtinSerial => "gtin_serial",
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

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub kind: IdentityKind,
    pub value: String,
}

#[derive(Debug, thiserror::Error)]
#[error("identify.{list}: {pattern:?} is not a valid regular expression: {source}")]
pub struct ClassifierError {
    list: &'static str,
    pattern: String,
    source: regex::Error,
}

pub struct Classifier {
    command_prefix: String,
    rules: Vec<(IdentityKind, Vec<Regex>)>,
}

impl Classifier {
    pub fn new(cfg: &IdentifyConfig) -> Result<Classifier, ClassifierError> {
        let compile =
            |list: &'static str, pats: &[String]| -> Result<Vec<Regex>, ClassifierError> {
                pats.iter()
                    .map(|p| {
                        Regex::new(p).map_err(|source| ClassifierError {
                            list,
                            pattern: p.clone(),
                            source,
                        })
                    })
                    .collect()
            };
        Ok(Classifier {
            command_prefix: cfg.command_prefix.clone(),
            rules: vec![
                (IdentityKind::Operator, compile("operator", &cfg.operator)?),
                (IdentityKind::Location, compile("location", &cfg.location)?),
                (
                    IdentityKind::PurchaseOrder,
                    compile("purchase_order", &cfg.purchase_order)?,
                ),
                (
                    IdentityKind::AssetTag,
                    compile("asset_tag", &cfg.asset_tag)?,
                ),
                (IdentityKind::Serial, compile("serial", &cfg.serial)?),
            ],
        })
    }

    pub fn classify(&self, raw: &[u8]) -> Identity {
        let Ok(text) = std::str::from_utf8(raw) else {
            return Identity {
                kind: IdentityKind::Unknown,
                value: String::from_utf8_lossy(raw).into_owned(),
            };
        };
        // An AIM symbology identifier (`]C0`) is not part of the data.
        let text = match text.as_bytes() {
            [b']', _, _, ..] if text.is_char_boundary(3) => &text[3..],
            _ => text,
        };
        if !self.command_prefix.is_empty() && text.starts_with(&self.command_prefix) {
            return Identity {
                kind: IdentityKind::Command,
                value: text.to_string(),
            };
        }
        for (kind, res) in &self.rules {
            if res.iter().any(|r| r.is_match(text)) {
                return Identity {
                    kind: *kind,
                    value: text.to_string(),
                };
            }
        }
        Identity {
            kind: IdentityKind::Unknown,
            value: text.to_string(),
        }
    }
}
