//! Where the store, the config and the log live, with the precedence of
//! contracts.md: command-line flag > environment > config file > built-in default.

use std::path::{Path, PathBuf};

/// The XDG-style directories, from the environment (tests point them at temp dirs).
fn project_dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("", "", "scanstation")
}

/// `$XDG_CONFIG_HOME/scanstation/scanstation.toml`.
pub fn default_config_path() -> PathBuf {
    match project_dirs() {
        Some(d) => d.config_dir().join("scanstation.toml"),
        None => PathBuf::from("scanstation.toml"),
    }
}

/// `$XDG_DATA_HOME/scanstation/station.db`.
pub fn default_db_path() -> PathBuf {
    match project_dirs() {
        Some(d) => d.data_dir().join("station.db"),
        None => PathBuf::from("station.db"),
    }
}

/// `$XDG_CONFIG_HOME/scanstation/devices/`: the operator's own reader profiles.
pub fn user_profiles_dir() -> Option<PathBuf> {
    project_dirs().map(|d| d.config_dir().join("devices"))
}

/// `$XDG_STATE_HOME/scanstation/` (the log file's directory).
pub fn state_dir() -> PathBuf {
    match project_dirs() {
        Some(d) => d
            .state_dir()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| d.data_local_dir().to_path_buf()),
        None => PathBuf::from("."),
    }
}

/// The config file to read: flag, then `SCANSTATION_CONFIG`, then the default.
pub fn resolve_config_path(flag: Option<&Path>) -> PathBuf {
    if let Some(p) = flag {
        return p.to_path_buf();
    }
    match std::env::var_os("SCANSTATION_CONFIG") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => default_config_path(),
    }
}

/// The store to open: flag, then `SCANSTATION_DB`, then the config's `store.path`,
/// then the default.
pub fn resolve_db_path(flag: Option<&Path>, from_config: Option<&Path>) -> PathBuf {
    if let Some(p) = flag {
        return p.to_path_buf();
    }
    match std::env::var_os("SCANSTATION_DB") {
        Some(p) if !p.is_empty() => PathBuf::from(p),
        _ => from_config
            .map(Path::to_path_buf)
            .unwrap_or_else(default_db_path),
    }
}
