//! Helpers shared by the integration tests.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Command;

/// A temp dir with XDG variables pointing inside it, and a store path.
pub struct Sandbox {
    pub dir: tempfile::TempDir,
}

impl Sandbox {
    pub fn new() -> Sandbox {
        Sandbox {
            dir: tempfile::tempdir().expect("temp dir"),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn db(&self) -> PathBuf {
        self.dir.path().join("station.db")
    }

    /// The real binary, with the XDG variables set into the sandbox and `--db`.
    pub fn cmd(&self) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_scanstation"));
        let d = self.dir.path();
        c.env("XDG_CONFIG_HOME", d.join("config"))
            .env("XDG_DATA_HOME", d.join("data"))
            .env("XDG_STATE_HOME", d.join("state"))
            .env("XDG_CACHE_HOME", d.join("cache"))
            .env("HOME", d)
            .env_remove("SCANSTATION_DB")
            .env_remove("SCANSTATION_CONFIG")
            .arg("--db")
            .arg(self.db());
        c
    }
}
