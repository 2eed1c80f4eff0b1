//! One module per command: glue between the command line and the library.
//! `anyhow` lives here and in main.rs only.

pub mod certificate;
pub mod completions;
pub mod decode_image;
pub mod demo;
pub mod devices;
pub mod disposal;
pub mod export;
pub mod feed;
pub mod import;
pub mod import_nwipe;
pub mod import_orders;
pub mod journal;
pub mod label;
pub mod label_commands;
pub mod label_queue;
pub mod man;
pub mod monitor;
pub mod parse;
pub mod report_receiving;
pub mod report_sanitization;
pub mod report_vendors;
pub mod run;
pub mod simulate;
pub mod stocktake;
pub mod stress_scan;
pub mod sync;
pub mod sync_webhook;
pub mod verify;

use crate::cli::GlobalArgs;
use scanstation::config::Config;
use std::path::PathBuf;

/// What every command receives: the resolved paths and config.
pub struct Ctx {
    pub global: GlobalArgs,
    pub config: Config,
    pub db_path: PathBuf,
}

impl Ctx {
    pub fn new(global: &GlobalArgs) -> anyhow::Result<Ctx> {
        let config_path = scanstation::paths::resolve_config_path(global.config.as_deref());
        // A file the operator named must exist; the default may be absent.
        let named = global.config.is_some()
            || std::env::var_os("SCANSTATION_CONFIG").is_some_and(|v| !v.is_empty());
        let config = Config::load(&config_path, named)?;
        tracing::debug!(config = %config_path.display(), "configuration");
        let db_path =
            scanstation::paths::resolve_db_path(global.db.as_deref(), config.store.path.as_deref());
        Ok(Ctx {
            global: global.clone(),
            config,
            db_path,
        })
    }

    /// The readers to run: `--device` flags replace the configured ones.
    pub fn reader_specs(&self) -> Vec<String> {
        if self.global.devices.is_empty() {
            self.config.readers.clone()
        } else {
            self.global.devices.clone()
        }
    }
}
