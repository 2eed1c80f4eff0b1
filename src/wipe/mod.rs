//! The wipe bench's work that needs no workflow: NIST SP 800-88 categories
//! for what a tool did ([`nist`]), importing nwipe logs into sanitization
//! records ([`import`]), the sanitization report ([`report`]), certificates
//! of sanitization ([`certificate`] renders, [`certify`] issues an asset's,
//! [`certify_batch`] a pallet's), and the
//! `[wipe]` settings ([`WipeConfig`]).
//!
//! Wipe mode itself (scanning assets onto the bench, media by command
//! barcodes, manual records) plugs into the station's workflow seam and
//! lives in `station/`; it writes the same tables through `store::media`.

pub mod certificate;
pub mod certify;
pub mod certify_batch;
pub mod disposal;
pub mod import;
pub mod nist;
pub mod report;

use serde::{Deserialize, Serialize};

/// `[wipe]` in the config file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct WipeConfig {
    /// Categories whose assets hold storage media when their model does not
    /// say (the asset CSV's `Holds Media` column wins). Compared
    /// case-insensitively.
    pub media_categories: Vec<String>,
}

impl Default for WipeConfig {
    fn default() -> Self {
        WipeConfig {
            media_categories: [
                "Laptops", "Desktops", "Servers", "Tablets", "Phones", "Storage",
            ]
            .map(String::from)
            .to_vec(),
        }
    }
}

impl WipeConfig {
    /// Does an asset of this category hold media (absent a model's say)?
    pub fn category_holds_media(&self, category: &str) -> bool {
        self.media_categories
            .iter()
            .any(|c| c.eq_ignore_ascii_case(category.trim()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_toml() {
        let d = WipeConfig::default();
        assert!(d.category_holds_media("laptops"));
        assert!(!d.category_holds_media("Monitors"));
        let c: WipeConfig = toml::from_str("media_categories = [\"Monitors\"]").unwrap();
        assert!(c.category_holds_media("monitors") && !c.category_holds_media("Laptops"));
        let empty: WipeConfig = toml::from_str("").unwrap();
        assert_eq!(empty, d);
        assert!(toml::from_str::<WipeConfig>("media = 1").is_err());
    }
}
