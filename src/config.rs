//! The station's configuration: one TOML file, every setting with a default, so
//! the station starts with no file at all. Resolved once at start-up; the rest of
//! the program receives plain values.
//!
//! Precedence (contracts.md): command-line flag > environment > config file >
//! built-in default. Paths are resolved in [`crate::paths`].

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("config {path}: {message}")]
    Parse { path: PathBuf, message: String },
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub station: StationConfig,
    pub store: StoreConfig,
    pub wedge: WedgeConfig,
    pub identify: IdentifyConfig,
    pub import: ImportConfig,
    /// Readers to run, as device SPECs (contracts.md), e.g.
    /// `serial:/dev/scanstation/rfid-0?profile=chafon-uhfreader18`.
    pub readers: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct StationConfig {
    /// This station's id, written into every journal event.
    pub id: String,
    /// The bench mode at start: lookup, receive, wipe, stocktake.
    pub mode: String,
    /// When true, scans other than badges are refused until an operator signs in.
    pub require_signin: bool,
}

impl Default for StationConfig {
    fn default() -> Self {
        StationConfig {
            id: "station-1".into(),
            mode: "lookup".into(),
            require_signin: false,
        }
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct StoreConfig {
    /// The SQLite store; default `$XDG_DATA_HOME/scanstation/station.db`.
    pub path: Option<PathBuf>,
}

/// Keyboard-wedge timing: how a scanner's burst is told from a person typing.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct WedgeConfig {
    /// A burst shorter than this is typing.
    pub min_chars: usize,
    /// The average gap between keys of a scan is at most this.
    pub max_avg_gap_ms: u64,
    /// A burst with no terminator ends after this much silence.
    pub end_silence_ms: u64,
    /// Characters the scanner is configured to send before / after each scan.
    pub prefix: String,
    pub suffix: String,
    /// The longest scan kept, in bytes; longer bursts are cut and marked.
    pub max_bytes: usize,
}

impl Default for WedgeConfig {
    fn default() -> Self {
        WedgeConfig {
            min_chars: 4,
            max_avg_gap_ms: 30,
            end_silence_ms: 80,
            prefix: String::new(),
            suffix: String::new(),
            max_bytes: crate::input::MAX_SCAN_BYTES,
        }
    }
}

/// Classification rules for plain-text scans (GS1 data classifies itself).
/// Each list holds regular expressions; the first kind whose list matches wins,
/// in this order: command prefix, operator, location, purchase_order, asset_tag,
/// serial. Text that matches none is `unknown`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct IdentifyConfig {
    pub command_prefix: String,
    pub operator: Vec<String>,
    pub location: Vec<String>,
    pub purchase_order: Vec<String>,
    pub asset_tag: Vec<String>,
    pub serial: Vec<String>,
    /// The organisation's GS1 company prefix, for GIAI asset tags.
    pub gs1_company_prefix: Option<String>,
    /// Identifier kinds (`asset_tag`, `serial`, `epc`, `giai`, `gtin_serial`,
    /// `mac` …) whose values a scan matches exactly. Every other kind matches
    /// ignoring ASCII case, so `it-00001` finds `IT-00001`. Default: none.
    pub case_sensitive: Vec<String>,
}

impl Default for IdentifyConfig {
    fn default() -> Self {
        IdentifyConfig {
            command_prefix: "CMD:".into(),
            operator: vec![r"^BADGE[:\-]?[A-Z0-9]{2,16}$".into(), r"^B\d{4,8}$".into()],
            location: vec![r"^LOC[:\-][A-Z0-9][A-Z0-9.\-/]{0,31}$".into()],
            purchase_order: vec![r"^PO[:\-]?\d{3,12}$".into()],
            asset_tag: vec![r"^[A-Z]{1,4}-?\d{4,10}$".into()],
            serial: vec![r"^[A-Z0-9][A-Z0-9\-]{5,29}$".into()],
            gs1_company_prefix: None,
            case_sensitive: Vec::new(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct ImportConfig {
    /// ISO 4217 currency for costs whose row names none.
    pub default_currency: String,
    /// Snipe-IT status label (case-insensitive) -> station status.
    pub status_map: BTreeMap<String, String>,
}

impl Default for ImportConfig {
    fn default() -> Self {
        let status_map = [
            ("Ready to Deploy", "in_stock"),
            ("Deployed", "deployed"),
            ("Pending", "on_order"),
            ("Out for Repair", "in_repair"),
            ("Broken", "in_repair"),
            ("Archived", "disposed"),
            ("Lost/Stolen", "lost"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        ImportConfig {
            default_currency: "USD".into(),
            status_map,
        }
    }
}

impl Config {
    /// Reads `path`; a missing file means all defaults.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Config::default()),
            Err(source) => {
                return Err(ConfigError::Read {
                    path: path.to_path_buf(),
                    source,
                })
            }
        };
        Config::parse(&text).map_err(|message| ConfigError::Parse {
            path: path.to_path_buf(),
            message,
        })
    }

    /// Parses TOML text.
    pub fn parse(text: &str) -> Result<Config, String> {
        toml::from_str(text).map_err(|e| e.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_file_is_all_defaults() {
        assert_eq!(Config::parse("").unwrap(), Config::default());
    }

    #[test]
    fn unknown_keys_are_refused() {
        let err = Config::parse("[station]\nidd = \"x\"\n").unwrap_err();
        assert!(err.contains("idd"), "{err}");
    }

    #[test]
    fn missing_file_is_defaults() {
        let dir = tempfile::tempdir().unwrap();
        let c = Config::load(&dir.path().join("none.toml")).unwrap();
        assert_eq!(c.wedge.min_chars, 4);
    }
}
