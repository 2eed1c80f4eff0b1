//! nwipe's text log (releases 0.33 to 0.42) → runs and drives.
//!
//! nwipe (the engine of ShredOS) has no machine-readable report: what a
//! station can import is its log, which it appends to, so one file may hold
//! several runs. Each run logs its options, the drives it found, progress
//! lines, and at its end up to three fixed-width tables (Error Summary,
//! Erasure Summary from 0.41, Drive Status) and a footer. See
//! `nwipe_log_summary()` in src/logging.c and `nwipe_options_log()` in
//! src/options.c at each tag; fixtures/nwipe/README.md says which fixture
//! came from which release and how.
//!
//! Why it is written this way:
//! * **Bytes, not text.** 0.33 prints uninitialised memory as the serial of a
//!   drive that has none; such a serial (or an anonymised `XXXX`/`????` one,
//!   `-q`) becomes `None`, never a made-up string.
//! * **The tables are the verdict**, joined per device with the `Found` line
//!   (full model and serial) and the progress lines (start and end times).
//!   A run whose log ends with "aborted by the user" has its drives that
//!   never logged their completion marked aborted, whatever the table says.
//! * **Refuse rather than guess**: a file that is not an nwipe log, ends
//!   inside a table or before the last run's table, or holds no drive status
//!   table at all is an error naming the line, so an importer can refuse the
//!   whole file.

mod line;
pub mod method;
mod run;
mod table;
#[cfg(test)]
mod tests;

pub use line::{Level, Timestamp};
pub use method::Method;
pub use table::TableStatus;

/// `--verify`: which passes nwipe read back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verify {
    Off,
    Last,
    All,
}

impl Verify {
    pub fn as_str(self) -> &'static str {
        match self {
            Verify::Off => "off",
            Verify::Last => "last",
            Verify::All => "all",
        }
    }
}

/// What became of a drive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Erased,
    Failed,
    Aborted,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Erased => "erased",
            Status::Failed => "failed",
            Status::Aborted => "aborted",
        }
    }
}

/// How a run ended, from nwipe's last `info` line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// "Nwipe successfully completed."
    Completed,
    /// "Nwipe exited with errors …"
    Errors,
    /// "Nwipe was aborted by the user …"
    UserAbort,
    /// No closing line (killed, or a release that words it differently).
    Unknown,
}

/// One drive of one run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Drive {
    /// The drive status table's row.
    pub line: usize,
    /// The full path (`/dev/sda`) when the log names it, else the table's
    /// last eight characters.
    pub device: String,
    /// The `Found` line's bus/type (`ATA`, `NVME`, `VIRT`, `ATA-SSD` in 0.42).
    pub drive_type: Option<String>,
    pub model: Option<String>,
    /// `None` when the drive gave none, or garbage, or it was anonymised.
    pub serial: Option<String>,
    /// The serial's bytes as logged (for the record, even when garbage).
    pub serial_raw: Vec<u8>,
    pub status: Status,
    /// The table's own word (before a user abort is applied).
    pub table_status: TableStatus,
    pub throughput: String,
    pub duration_seconds: u64,
    pub started: Option<Timestamp>,
    pub ended: Option<Timestamp>,
    pub pass_errors: Option<u64>,
    pub verify_errors: Option<u64>,
    pub fsync_errors: Option<u64>,
    pub bytes_erased: Option<u64>,
    pub bytes_total: Option<u64>,
    pub percent: Option<String>,
    /// `error`/`fatal` messages that name this drive, in order.
    pub failure_markers: Vec<String>,
}

/// One run: one invocation of nwipe that reached its summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Run {
    /// The run's first line in the file.
    pub line: usize,
    /// When the run logged its options (else its first line).
    pub started: Option<Timestamp>,
    /// From the banner (`nwipe 0.33` → `0.33`).
    pub version: Option<String>,
    /// The log's words for the method (the footer's, else the options').
    pub method_label: Option<String>,
    /// `None` when the label is not one nwipe 0.33–0.42 has.
    pub method: Option<&'static Method>,
    pub prng: Option<String>,
    pub verify: Option<Verify>,
    pub rounds: Option<u32>,
    pub blank: Option<bool>,
    /// `-q`: serials anonymised.
    pub quiet: bool,
    pub outcome: Outcome,
    pub drives: Vec<Drive>,
}

/// Something the parser tolerated but a person should know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    pub line: usize,
    pub message: String,
}

/// A whole log file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Log {
    /// Runs with a drive status table, in file order.
    pub runs: Vec<Run>,
    pub warnings: Vec<Warning>,
}

/// Why a file was refused. Each names a line (1-based).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum NwipeError {
    #[error("line {line}: not an nwipe log ({detail})")]
    NotNwipe { line: usize, detail: String },
    #[error("line {line}: the log is cut short: {detail}")]
    CutShort { line: usize, detail: String },
    #[error("line {line}: the log has no drive status table (nwipe was killed before the end of its run, or never wiped)")]
    NoDriveTable { line: usize },
    #[error("line {line}: {detail}")]
    BadTable { line: usize, detail: String },
}

impl NwipeError {
    pub fn line(&self) -> usize {
        match self {
            NwipeError::NotNwipe { line, .. }
            | NwipeError::CutShort { line, .. }
            | NwipeError::NoDriveTable { line }
            | NwipeError::BadTable { line, .. } => *line,
        }
    }
}

/// Parses a whole log file.
pub fn parse(data: &[u8]) -> Result<Log, NwipeError> {
    run::parse(data)
}

/// A serial as a person can use it, or `None` for none, garbage bytes or an
/// anonymised one (`-q` prints `XXXXXX` when the drive has a serial and
/// `?????` when none could be read).
pub fn clean_serial(raw: &[u8]) -> Option<String> {
    let s = std::str::from_utf8(raw.trim_ascii()).ok()?;
    if s.is_empty()
        || s.chars()
            .any(|c| c.is_control() || c == char::REPLACEMENT_CHARACTER)
        || s.chars().all(|c| c == 'X')
        || s.chars().all(|c| c == '?')
    {
        return None;
    }
    Some(s.to_string())
}

/// The fuzz target's body: any bytes, no panic; a parsed log is consistent.
pub fn fuzz_one(data: &[u8]) {
    if let Ok(log) = parse(data) {
        for run in &log.runs {
            for d in &run.drives {
                assert!(d.line >= run.line);
                if let Some(s) = &d.serial {
                    assert!(!s.is_empty());
                }
            }
        }
    }
}
