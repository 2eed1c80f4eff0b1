//! `[upstream]`: where the station syncs and how its names map to the
//! upstream's. Every field has a default, so an `[upstream]` with only `url`
//! works against a stock Snipe-IT.
//!
//! The secrets (the Snipe-IT token, the webhook secret) are never in this
//! file: they come from `token_file`/`secret_file`, which must not be readable
//! by group or others (refused as ssh refuses a loose key), or from
//! `SCANSTATION_UPSTREAM_TOKEN`/`SCANSTATION_UPSTREAM_SECRET`. They are held in
//! a [`Secret`], whose `Debug` and `Display` print `[redacted]`.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Which upstream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, serde::Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum UpstreamKind {
    #[default]
    Snipeit,
    Webhook,
}

impl UpstreamKind {
    /// The name the sync state is kept under.
    pub fn as_str(self) -> &'static str {
        match self {
            UpstreamKind::Snipeit => "snipeit",
            UpstreamKind::Webhook => "webhook",
        }
    }
}

/// `[upstream]`.
#[derive(Debug, Clone, PartialEq, Deserialize, serde::Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct UpstreamConfig {
    /// `snipeit` (default) or `webhook`.
    pub kind: UpstreamKind,
    /// Snipe-IT's base URL (`https://assets.example.org`; `/api/v1` is added),
    /// or the webhook's full URL.
    pub url: Option<String>,
    /// A file holding the Snipe-IT API token (mode 0600 or stricter).
    pub token_file: Option<PathBuf>,
    /// A file holding the webhook's HMAC secret (mode 0600 or stricter).
    pub secret_file: Option<PathBuf>,
    /// Create a model, manufacturer, category, supplier or location that is
    /// missing upstream (default true); false parks the operation instead.
    pub create_missing: bool,
    /// The category a model is created in when the station's model has none.
    pub default_category: String,
    /// The model an asset with no model is created as (Snipe-IT requires one).
    pub default_model: String,
    /// Seconds before a request is given up (connect and whole request).
    pub timeout_secs: u64,
    /// Station status → upstream status label name. Statuses not listed use
    /// [`default_status_map`].
    pub statuses: BTreeMap<String, String>,
    /// Station model name → upstream model name (default: the same name).
    pub models: BTreeMap<String, String>,
    /// Station location code → upstream location name (default: the
    /// location's name in the station).
    pub locations: BTreeMap<String, String>,
}

impl Default for UpstreamConfig {
    fn default() -> Self {
        UpstreamConfig {
            kind: UpstreamKind::Snipeit,
            url: None,
            token_file: None,
            secret_file: None,
            create_missing: true,
            default_category: "Uncategorized".into(),
            default_model: "Unspecified model".into(),
            timeout_secs: 30,
            statuses: BTreeMap::new(),
            models: BTreeMap::new(),
            locations: BTreeMap::new(),
        }
    }
}

/// The status labels a fresh Snipe-IT has (Ready to Deploy, Pending,
/// Archived, Out for Repair, Lost/Stolen), for the station's statuses.
/// "Deployed" is not a label in Snipe-IT: it is a deployable asset checked out.
pub fn default_status_map(status: &str) -> Option<&'static str> {
    Some(match status {
        "on_order" => "Pending",
        "in_stock" | "deployed" => "Ready to Deploy",
        "in_repair" => "Out for Repair",
        "decommissioning" | "sanitized" | "awaiting_pickup" | "in_transit" => "Pending",
        "disposed" => "Archived",
        "missing" | "lost" => "Lost/Stolen",
        _ => return None,
    })
}

impl UpstreamConfig {
    /// The upstream label for a station status.
    pub fn status_label(&self, status: &str) -> Option<String> {
        self.statuses
            .get(status)
            .cloned()
            .or_else(|| default_status_map(status).map(str::to_string))
    }

    /// The upstream model name for a station model name.
    pub fn model_name(&self, local: &str) -> String {
        self.models
            .get(local)
            .cloned()
            .unwrap_or_else(|| local.to_string())
    }

    /// The upstream location name for a station location (code, name).
    pub fn location_name(&self, code: &str, name: &str) -> String {
        self.locations
            .get(code)
            .cloned()
            .unwrap_or_else(|| name.to_string())
    }
}

/// A secret (token, HMAC key) that prints as `[redacted]`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(s: impl Into<String>) -> Secret {
        Secret(s.into())
    }
    /// The secret itself: only for the header or the HMAC that needs it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

impl std::fmt::Display for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[redacted]")
    }
}

/// Why the upstream configuration cannot be used. Never carries a secret.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: [upstream] is invalid: {detail}")]
    Parse { path: PathBuf, detail: String },
    #[error("no upstream is configured: add [upstream] with url = \"https://…\" to {path}")]
    NotConfigured { path: PathBuf },
    #[error(
        "{path} is readable by group or others (mode {mode:o}): what it holds would not stay secret; \
         run `chmod 600 {path}`"
    )]
    LooseSecretFile { path: PathBuf, mode: u32 },
    #[error("{path} is empty: put the {what} in it")]
    EmptySecret { path: PathBuf, what: &'static str },
    #[error(
        "no {what}: set [upstream] {key} to a file holding it (mode 600) or the environment \
         variable {env}"
    )]
    NoSecret {
        what: &'static str,
        key: &'static str,
        env: &'static str,
    },
}

/// Reads a secret from `file` (refusing one readable by group or others), or
/// else from the environment variable `env`.
pub fn read_secret(
    file: Option<&Path>,
    env: &'static str,
    key: &'static str,
    what: &'static str,
) -> Result<Secret, ConfigError> {
    if let Some(path) = file {
        use std::os::unix::fs::PermissionsExt;
        let err = |source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        };
        let meta = std::fs::metadata(path).map_err(err)?;
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(ConfigError::LooseSecretFile {
                path: path.to_path_buf(),
                mode,
            });
        }
        let text = std::fs::read_to_string(path).map_err(err)?;
        let t = text.trim();
        if t.is_empty() {
            return Err(ConfigError::EmptySecret {
                path: path.to_path_buf(),
                what,
            });
        }
        return Ok(Secret::new(t));
    }
    match std::env::var(env) {
        Ok(v) if !v.trim().is_empty() => Ok(Secret::new(v.trim())),
        _ => Err(ConfigError::NoSecret { what, key, env }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn defaults_and_mappings() {
        let c: UpstreamConfig = toml::from_str(
            "url = \"http://x\"\ncreate_missing = false\n[statuses]\nin_repair = \"Broken\"\n\
             [locations]\nR1 = \"Room One\"",
        )
        .unwrap();
        assert!(!c.create_missing);
        assert_eq!(c.kind, UpstreamKind::Snipeit);
        assert_eq!(c.status_label("in_repair").as_deref(), Some("Broken"));
        assert_eq!(
            c.status_label("in_stock").as_deref(),
            Some("Ready to Deploy")
        );
        assert_eq!(c.status_label("nonsense"), None);
        assert_eq!(c.location_name("R1", "r1"), "Room One");
        assert_eq!(c.location_name("R2", "Shelf 2"), "Shelf 2");
        assert_eq!(c.model_name("X1"), "X1");
        assert!(toml::from_str::<UpstreamConfig>("urll = \"x\"").is_err());
        assert!(UpstreamConfig::default().create_missing);
    }

    #[test]
    fn a_loose_token_file_is_refused_and_secrets_never_print() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("token");
        std::fs::write(&p, "s3cret-token\n").unwrap();
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
        let e = read_secret(Some(&p), "NO_SUCH_VAR_X", "token_file", "token").unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("chmod 600"), "{msg}");
        assert!(!msg.contains("s3cret"), "{msg}");
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o600)).unwrap();
        let s = read_secret(Some(&p), "NO_SUCH_VAR_X", "token_file", "token").unwrap();
        assert_eq!(s.expose(), "s3cret-token");
        assert_eq!(format!("{s} {s:?}"), "[redacted] [redacted]");
        let e = read_secret(None, "NO_SUCH_VAR_X", "token_file", "token").unwrap_err();
        assert!(e.to_string().contains("NO_SUCH_VAR_X"));
    }
}
