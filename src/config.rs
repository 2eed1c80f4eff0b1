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
    #[error("config {path} does not exist")]
    NotFound { path: PathBuf },
    #[error("config {path}: {key}: {message}")]
    Invalid {
        path: PathBuf,
        key: String,
        message: String,
    },
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub station: StationConfig,
    pub store: StoreConfig,
    pub wedge: WedgeConfig,
    pub identify: IdentifyConfig,
    pub import: ImportConfig,
    pub organisation: OrganisationConfig,
    pub receiving: ReceivingConfig,
    pub labels: LabelsConfig,
    pub wipe: WipeConfig,
    pub disposal: DisposalConfig,
    pub policy: PolicyConfig,
    /// `[upstream]` (see `crate::sync::config`); none: the station does not sync.
    pub upstream: Option<crate::sync::config::UpstreamConfig>,
    /// Readers to run, as device SPECs (contracts.md), e.g.
    /// `serial:/dev/scanstation/rfid-0?profile=chafon-uhfreader18`.
    pub readers: Vec<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct StationConfig {
    /// This station's id, written into every journal event.
    pub id: String,
    /// The bench mode of a station that has never run: lookup, receive,
    /// wipe, stocktake, disposal. A station that ran before resumes the mode
    /// stored with its context.
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
    /// Deprecated: read for old configs (with a warning); use
    /// `[organisation] gs1_company_prefix`.
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

/// Who runs the station: printed on certificates and labels.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct OrganisationConfig {
    pub name: String,
    pub location: String,
    pub phone: String,
    /// The organisation's GS1 company prefix (6–12 digits): GIAI EPCs for
    /// asset labels, SSCCs for disposal pallets.
    pub gs1_company_prefix: Option<String>,
}

/// `[receiving]`: how the dock tags what it receives.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct ReceivingConfig {
    /// `scan`: each unit's pre-printed tag is scanned; `generate`: the station
    /// makes the next tag from `tag_prefix` and a counter in the store.
    pub tags: String,
    /// Generated tags are this prefix and a zero-padded number, and must
    /// match `[identify] asset_tag`.
    pub tag_prefix: String,
    /// The dock's location code: received assets are placed there.
    pub location: Option<String>,
    /// The customer's own item ids (ISO/IEC 15434 DI `P`) and the
    /// manufacturer's part number each stands for: `P` is matched to an
    /// order line only through this table.
    pub customer_items: BTreeMap<String, String>,
    /// `[[receiving.convention]]`: vendor conventions for plain box labels
    /// (`crate::identify::box_label`). One named like a shipped rule replaces
    /// it (`disabled = true` turns it off); others are tried first.
    #[serde(rename = "convention")]
    pub conventions: Vec<crate::identify::box_label::VendorConvention>,
}

impl Default for ReceivingConfig {
    fn default() -> Self {
        ReceivingConfig {
            tags: "scan".into(),
            tag_prefix: "A-".into(),
            location: None,
            customer_items: BTreeMap::new(),
            conventions: Vec::new(),
        }
    }
}

impl ReceivingConfig {
    /// The vendor conventions and customer item ids in force.
    pub fn conventions(
        &self,
    ) -> Result<crate::identify::box_label::Conventions, crate::identify::box_label::ConventionError>
    {
        crate::identify::box_label::Conventions::from_config(
            &self.conventions,
            &self.customer_items,
        )
    }
}

/// `[labels]`: the asset label printer and its label (`crate::label::config`).
pub use crate::label::config::LabelsConfig;

/// `[wipe]`: the sanitization bench (`crate::wipe`).
pub use crate::wipe::WipeConfig;

/// `[disposal]`: pallets (SSCC-18) for the e-waste vendor.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct DisposalConfig {
    /// The SSCC's extension digit, 0–9.
    pub sscc_extension: u8,
    /// This station's range of SSCC serial references: give each station its
    /// own, so two stations never make the same SSCC.
    pub sscc_serial_start: u64,
    pub sscc_serial_end: u64,
}

impl Default for DisposalConfig {
    fn default() -> Self {
        DisposalConfig {
            sscc_extension: 0,
            sscc_serial_start: 1,
            sscc_serial_end: 99_999,
        }
    }
}

/// `[policy]`: the named rules the station checks before a change of state
/// (`crate::station::policy`). Each can be turned off; an overridable rule's
/// refusal can be overridden by a supervisor's badge, journaled.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct PolicyConfig {
    /// Marking an asset `lost` needs a supervisor.
    pub lost_needs_supervisor: Rule,
    /// A manual sanitization record needs a second person's badge (not the
    /// technician's own) to validate it.
    pub validator_required: Rule,
    /// Pallets go only to a disposal vendor whose certification is current.
    pub certified_vendor: Rule,
    /// Taking a deployed asset out of service needs a supervisor.
    pub decommission_deployed_needs_supervisor: Rule,
    /// SSD, NVMe and flash media (ssd, nvme, usb, sd, phone) need Purge or
    /// Destroy: an overwrite (Clear) does not reach their spare blocks.
    pub flash_needs_purge: Rule,
    /// Media leaving the organisation (destination external_reuse, recycle,
    /// manufacturer) need Purge or Destroy.
    pub leaving_needs_purge: Rule,
    /// A Destroy record needs a second person's badge to validate it, even
    /// when `validator_required` is off.
    pub destroy_needs_validator: Rule,
}

impl Default for PolicyConfig {
    fn default() -> Self {
        PolicyConfig {
            lost_needs_supervisor: Rule::on(),
            validator_required: Rule::on(),
            certified_vendor: Rule {
                enabled: true,
                overridable: false,
            },
            decommission_deployed_needs_supervisor: Rule {
                enabled: false,
                overridable: true,
            },
            flash_needs_purge: Rule::on(),
            leaving_needs_purge: Rule::on(),
            destroy_needs_validator: Rule {
                enabled: true,
                overridable: false,
            },
        }
    }
}

/// One policy rule's settings.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct Rule {
    pub enabled: bool,
    /// A supervisor's badge may override a refusal.
    pub overridable: bool,
}

impl Rule {
    fn on() -> Rule {
        Rule {
            enabled: true,
            overridable: true,
        }
    }
}

impl Default for Rule {
    fn default() -> Self {
        Rule::on()
    }
}

impl Config {
    /// Reads `path` and validates it; a missing file means all defaults
    /// unless `required` (a file the operator named with `--config` or
    /// `SCANSTATION_CONFIG` must exist).
    pub fn load(path: &Path, required: bool) -> Result<Config, ConfigError> {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required => {
                return Ok(Config::default())
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(ConfigError::NotFound {
                    path: path.to_path_buf(),
                })
            }
            Err(source) => {
                return Err(ConfigError::Read {
                    path: path.to_path_buf(),
                    source,
                })
            }
        };
        let mut config = Config::parse(&text).map_err(|message| ConfigError::Parse {
            path: path.to_path_buf(),
            message,
        })?;
        config
            .validate()
            .map_err(|(key, message)| ConfigError::Invalid {
                path: path.to_path_buf(),
                key,
                message,
            })?;
        config.adopt_deprecated();
        Ok(config)
    }

    /// The GS1 company prefix: `[organisation]`, else the deprecated
    /// `[identify]` one.
    pub fn company_prefix(&self) -> Option<&str> {
        self.organisation
            .gs1_company_prefix
            .as_deref()
            .or(self.identify.gs1_company_prefix.as_deref())
    }

    /// Moves deprecated keys to their new homes, with a warning.
    fn adopt_deprecated(&mut self) {
        if let Some(p) = self.identify.gs1_company_prefix.take() {
            tracing::warn!(
                "[identify] gs1_company_prefix is deprecated: move it to [organisation]"
            );
            if self.organisation.gs1_company_prefix.is_none() {
                self.organisation.gs1_company_prefix = Some(p);
            }
        }
    }

    /// Checks values serde cannot: `Err((key, what is wrong))`.
    pub fn validate(&self) -> Result<(), (String, String)> {
        let bad = |key: &str, msg: String| Err((key.to_string(), msg));
        if crate::input::Mode::parse(&self.station.mode).is_none() {
            return bad(
                "station.mode",
                format!(
                    "{:?} is not a mode (lookup, receive, wipe, stocktake, disposal)",
                    self.station.mode
                ),
            );
        }
        if self.station.id.trim().is_empty() {
            return bad("station.id", "must not be empty".into());
        }
        if self.wedge.max_bytes == 0 || self.wedge.max_bytes > crate::input::MAX_SCAN_BYTES {
            return bad(
                "wedge.max_bytes",
                format!(
                    "{} is out of range (1 to {})",
                    self.wedge.max_bytes,
                    crate::input::MAX_SCAN_BYTES
                ),
            );
        }
        if self.wedge.min_chars == 0 {
            return bad("wedge.min_chars", "must be at least 1".into());
        }
        let c = &self.import.default_currency;
        if c.len() != 3 || !c.bytes().all(|b| b.is_ascii_uppercase()) {
            return bad(
                "import.default_currency",
                format!("{c:?} is not a three-letter ISO 4217 code such as USD"),
            );
        }
        for (label, status) in &self.import.status_map {
            if !crate::store::assets::STATUSES.contains(&status.as_str()) {
                return bad(
                    &format!("import.status_map.{label:?}"),
                    format!("{status:?} is not a station status"),
                );
            }
        }
        for (key, prefix) in [
            (
                "organisation.gs1_company_prefix",
                &self.organisation.gs1_company_prefix,
            ),
            (
                "identify.gs1_company_prefix",
                &self.identify.gs1_company_prefix,
            ),
        ] {
            if let Some(p) = prefix {
                if !(6..=12).contains(&p.len()) || !p.bytes().all(|b| b.is_ascii_digit()) {
                    return bad(key, format!("{p:?} is not 6 to 12 digits"));
                }
            }
        }
        if !["scan", "generate"].contains(&self.receiving.tags.as_str()) {
            return bad(
                "receiving.tags",
                format!("{:?}: use scan or generate", self.receiving.tags),
            );
        }
        for (id, part) in &self.receiving.customer_items {
            if id.trim().is_empty() || part.trim().is_empty() {
                return bad(
                    "receiving.customer_items",
                    format!("{id:?} = {part:?}: both the customer's id and the part number must be given"),
                );
            }
        }
        if let Err(e) = self.receiving.conventions() {
            return bad("receiving.convention", e.to_string());
        }
        if ![203, 300, 600].contains(&self.labels.dpi) {
            return bad(
                "labels.dpi",
                format!("{}: use 203, 300 or 600", self.labels.dpi),
            );
        }
        if !(self.labels.width_mm > 0.0 && self.labels.height_mm > 0.0) {
            return bad("labels.width_mm", "label sizes must be positive".into());
        }
        if let Some(p) = &self.labels.printer {
            if !["file:", "lp:", "tcp:"].iter().any(|t| p.starts_with(t)) {
                return bad(
                    "labels.printer",
                    format!("{p:?}: use file:DIR, lp:DEVICE or tcp:HOST:PORT"),
                );
            }
        }
        if self.disposal.sscc_extension > 9 {
            return bad("disposal.sscc_extension", "must be a digit, 0 to 9".into());
        }
        if self.disposal.sscc_serial_start == 0
            || self.disposal.sscc_serial_start > self.disposal.sscc_serial_end
        {
            return bad(
                "disposal.sscc_serial_start",
                "the range must be non-empty and start at 1 or more".into(),
            );
        }
        if let Some(u) = &self.upstream {
            if u.url.is_none() {
                return bad(
                    "upstream.url",
                    format!("kind = {:?} needs a url", u.kind.as_str()),
                );
            }
            for status in u.statuses.keys() {
                if !crate::store::assets::STATUSES.contains(&status.as_str()) {
                    return bad(
                        &format!("upstream.statuses.{status}"),
                        "is not a station status".into(),
                    );
                }
            }
        }
        Ok(())
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
    fn missing_file_is_defaults_unless_named() {
        let dir = tempfile::tempdir().unwrap();
        let c = Config::load(&dir.path().join("none.toml"), false).unwrap();
        assert_eq!(c.wedge.min_chars, 4);
        let e = Config::load(&dir.path().join("none.toml"), true).unwrap_err();
        assert!(matches!(e, ConfigError::NotFound { .. }), "{e}");
    }

    #[test]
    fn defaults_are_valid() {
        Config::default().validate().unwrap();
    }

    fn invalid(toml: &str) -> String {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.toml");
        std::fs::write(&p, toml).unwrap();
        Config::load(&p, true).unwrap_err().to_string()
    }

    #[test]
    fn bad_values_name_their_key() {
        assert!(invalid("[station]\nmode = \"recieve\"\n").contains("station.mode"));
        assert!(invalid("[wedge]\nmax_bytes = 0\n").contains("wedge.max_bytes"));
        assert!(
            invalid("[import]\ndefault_currency = \"EURO\"\n").contains("import.default_currency")
        );
        assert!(invalid("[organisation]\ngs1_company_prefix = \"12ab\"\n")
            .contains("organisation.gs1_company_prefix"));
        assert!(invalid("[labels]\ndpi = 150\n").contains("labels.dpi"));
        assert!(invalid("[policy.lost_needs_supervisor]\nenabeld = true\n").contains("enabeld"));
        let e = invalid("[receiving]\ncustomer_items = { \"CUST-1\" = \"\" }\n");
        assert!(
            e.contains("receiving.customer_items") && e.contains("CUST-1"),
            "{e}"
        );
        let e = invalid("[[receiving.convention]]\nname = \"acme\"\npattern = \"^(\"\n");
        assert!(
            e.contains("receiving.convention") && e.contains("acme"),
            "{e}"
        );
        let e = invalid("[[receiving.convention]]\nname = \"acme\"\npattern = \"^A$\"\n");
        assert!(e.contains("named group"), "{e}");
    }

    #[test]
    fn receiving_reads_customer_items_and_conventions() {
        let c = Config::parse(
            "[receiving.customer_items]\n\"CUST-123\" = \"20TBS1D000\"\n\n\
             [[receiving.convention]]\nname = \"acme\"\nmanufacturers = [\"Acme\"]\n\
             pattern = \"^AC(?P<serial>[0-9]{6})$\"\n\n\
             [[receiving.convention]]\nname = \"dell-service-tag\"\ndisabled = true\n",
        )
        .unwrap();
        c.validate().unwrap();
        let conv = c.receiving.conventions().unwrap();
        assert_eq!(conv.customer_item("CUST-123"), Some("20TBS1D000"));
        assert_eq!(conv.names().next(), Some("acme"));
        assert!(!conv.names().any(|n| n == "dell-service-tag"));
        let p = conv.split("AC123456", Some("Acme Corp")).unwrap();
        assert_eq!(p.serial.as_deref(), Some("123456"));
    }

    #[test]
    fn upstream_is_read_from_the_config() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.toml");
        std::fs::write(&p, "[upstream]\nurl = \"http://a\"\n").unwrap();
        let c = Config::load(&p, true).unwrap();
        assert_eq!(c.upstream.unwrap().url.as_deref(), Some("http://a"));
        assert!(invalid("[upstream]\nurl = 3\n").contains("url"));
        assert!(invalid("[upstream]\ncreate_missing = true\n").contains("upstream.url"));
    }

    #[test]
    fn the_old_company_prefix_is_still_read() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("c.toml");
        std::fs::write(&p, "[identify]\ngs1_company_prefix = \"0614141\"\n").unwrap();
        let c = Config::load(&p, true).unwrap();
        assert_eq!(c.company_prefix(), Some("0614141"));
        assert_eq!(
            c.organisation.gs1_company_prefix.as_deref(),
            Some("0614141")
        );
    }
}
