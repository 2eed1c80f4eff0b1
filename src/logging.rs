//! Logs go to `$XDG_STATE_HOME/scanstation/scanstation.log`, never onto the
//! terminal the UI draws on; `-v` adds stderr for the commands without a UI.

use std::fs::OpenOptions;
use std::sync::Mutex;
use tracing_subscriber::{fmt, prelude::*, EnvFilter};

/// Keeps the log file open for the life of the process.
pub struct LogGuard;

pub fn init(verbose: u8, ui: bool) -> Option<LogGuard> {
    let dir = scanstation::paths::state_dir();
    let file = std::fs::create_dir_all(&dir).ok().and_then(|_| {
        OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.join("scanstation.log"))
            .ok()
    });
    let level = match verbose {
        0 => "info",
        1 => "debug",
        _ => "trace",
    };
    let filter =
        || EnvFilter::try_from_env("SCANSTATION_LOG").unwrap_or_else(|_| EnvFilter::new(level));
    let file_layer = file.map(|f| {
        fmt::layer()
            .with_ansi(false)
            .with_writer(Mutex::new(f))
            .with_filter(filter())
    });
    let stderr_layer = (verbose > 0 && !ui).then(|| {
        fmt::layer()
            .with_writer(std::io::stderr)
            .with_filter(filter())
    });
    tracing_subscriber::registry()
        .with(file_layer)
        .with(stderr_layer)
        .try_init()
        .ok()?;
    Some(LogGuard)
}
