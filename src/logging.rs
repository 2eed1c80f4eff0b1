//! Logs go to `$XDG_STATE_HOME/scanstation/`, never onto the terminal the UI
//! draws on; `-v` adds stderr for the commands without a UI.
//!
//! A station runs for months, so the log rotates: one file a day
//! (`scanstation.YYYY-MM-DD.log`, through `tracing-appender`), the last
//! [`KEEP`] days kept, and `scanstation.log` a symlink to today's file, so
//! the path the README gives always shows the current log.

use std::path::Path;
use tracing_appender::rolling::{InitError, RollingFileAppender, Rotation};
use tracing_subscriber::{fmt, prelude::*, EnvFilter};

/// Days of logs kept (today's file included).
pub const KEEP: usize = 14;

/// The name that always points at the current log.
pub const LATEST: &str = "scanstation.log";

/// Keeps the log file open for the life of the process.
pub struct LogGuard;

/// The rotating log in `dir`. A plain `scanstation.log` left by a version
/// without rotation is renamed, not overwritten by the symlink.
pub fn appender(dir: &Path) -> Result<RollingFileAppender, InitError> {
    let latest = dir.join(LATEST);
    if std::fs::symlink_metadata(&latest).is_ok_and(|m| m.is_file()) {
        let _ = std::fs::rename(&latest, dir.join("scanstation.before-rotation.log"));
    }
    RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix("scanstation")
        .filename_suffix("log")
        .max_log_files(KEEP)
        .latest_symlink(LATEST)
        .build(dir)
}

pub fn init(verbose: u8, ui: bool) -> Option<LogGuard> {
    let dir = scanstation::paths::state_dir();
    // Logging is best effort: a station whose state dir cannot be written
    // still runs (the store is what must work).
    let file = std::fs::create_dir_all(&dir)
        .ok()
        .and_then(|_| appender(&dir).ok());
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
            .with_writer(f)
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;
    use tracing_subscriber::fmt::MakeWriter;

    /// Issue 9, item 16: old days are pruned to KEEP, `scanstation.log`
    /// points at today's file, and a plain log from before is kept.
    #[test]
    fn the_log_rotates_daily_and_keeps_the_last_days() {
        let dir = tempfile::tempdir().unwrap();
        for day in 1..=20 {
            let name = format!("scanstation.2020-01-{day:02}.log");
            std::fs::write(dir.path().join(name), b"old\n").unwrap();
        }
        std::fs::write(dir.path().join(LATEST), b"before rotation\n").unwrap();
        let log = appender(dir.path()).unwrap();
        log.make_writer().write_all(b"today\n").unwrap();
        let files: Vec<String> = std::fs::read_dir(dir.path())
            .unwrap()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        // 21 old files (20 days and the renamed plain log) pruned so that
        // KEEP remain with today's. Which old ones go depends on creation
        // times, equal here, so only the count is checked.
        assert_eq!(files.len(), KEEP, "{files:?}");
        assert!(files
            .iter()
            .all(|n| n.starts_with("scanstation.") && n.ends_with(".log")));
        let latest = dir.path().join(LATEST);
        assert!(std::fs::symlink_metadata(&latest)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(std::fs::read_to_string(&latest).unwrap(), "today\n");
    }
}
