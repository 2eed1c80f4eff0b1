//! `import nwipe`: nwipe logs → media and sanitization records, all files in
//! ONE transaction, each drive journaled.
//!
//! Two steps, so a bad file refuses the whole command before anything is
//! written and the write lock is held only for the inserts:
//! 1. [`read`] parses each file (pure): a file that is not an nwipe log, is
//!    cut short or has no drive status table is an [`ImportError::Refused`]
//!    naming the file and line.
//! 2. [`apply`] writes: a file whose SHA-256 the store already holds is
//!    skipped whole; a drive already recorded (same serial or device and
//!    run start, from an earlier copy of an appended log) is reported and not
//!    recorded again; every other drive gets its medium (found by serial, or
//!    created — on the asset whose own serial it is, else unattached) and a
//!    record classified by [`super::nist`].
//!
//! Journal events (payloads in docs/wipe.md): `document.imported` per file,
//! `medium.added` per medium created, `sanitization.recorded` per drive
//! wiped and `verification.recorded` per drive only verified.

use super::nist::{self, Class};
use crate::codec::nwipe::{self, Drive, Log, NwipeError, Run, Status, Verify};
use crate::store::documents::{self, NewDocument};
use crate::store::journal::NewEvent;
use crate::store::media::{self, NewMedium};
use crate::store::sanitizations::{self, NewSanitization};
use crate::store::{identifiers, Store, StoreError};
use rusqlite::Connection;
use serde::Serialize;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};
use std::collections::HashSet;
use std::time::SystemTime;

/// Why an import did nothing.
#[derive(Debug, thiserror::Error)]
pub enum ImportError {
    #[error("{file}: {source}; nothing was imported")]
    Refused { file: String, source: NwipeError },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A parsed file, ready to apply.
#[derive(Debug, Clone)]
pub struct LogFile {
    /// The name as given on the command line.
    pub file: String,
    pub sha256: String,
    pub size: u64,
    pub log: Log,
}

/// Parses one file's bytes.
pub fn read(file: &str, data: &[u8]) -> Result<LogFile, ImportError> {
    let log = nwipe::parse(data).map_err(|source| ImportError::Refused {
        file: file.to_string(),
        source,
    })?;
    Ok(LogFile {
        file: file.to_string(),
        sha256: hex::encode(Sha256::digest(data)),
        size: data.len() as u64,
        log,
    })
}

/// Who imports, for the journal.
#[derive(Debug, Clone, Copy)]
pub struct Importer<'a> {
    pub station: &'a str,
    pub operator: Option<&'a str>,
    pub training: bool,
}

/// One line of the command's output (contracts.md).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Line {
    Drive(Box<DriveLine>),
    Skipped {
        file: String,
        sha256: String,
        skipped: &'static str,
    },
}

/// One drive: the keys of contracts.md in its order, `method_label` after
/// `method`, and `skipped` only when the drive was already recorded from
/// another copy of the log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DriveLine {
    pub file: String,
    pub device: String,
    pub model: Option<String>,
    pub serial: Option<String>,
    pub status: &'static str,
    pub method: Option<&'static str>,
    pub method_label: Option<String>,
    pub verify: Option<&'static str>,
    pub rounds: Option<u32>,
    pub blank: Option<bool>,
    pub started: Option<String>,
    pub ended: Option<String>,
    pub pass_errors: Option<u64>,
    pub verify_errors: Option<u64>,
    pub asset: Option<String>,
    pub sha256: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skipped: Option<&'static str>,
}

/// What [`apply`] did.
#[derive(Debug, Clone, Default)]
pub struct Report {
    pub lines: Vec<Line>,
    /// `file: line N: …` for what the parser tolerated.
    pub warnings: Vec<String>,
    /// Drives recorded (not skipped).
    pub recorded: usize,
}

/// Writes the parsed files in one transaction.
pub fn apply(
    store: &mut Store,
    files: &[LogFile],
    who: Importer<'_>,
    now: SystemTime,
) -> Result<Report, ImportError> {
    let recorded_at = crate::timefmt::rfc3339_millis(now);
    let mut report = Report::default();
    let mut tx = store.write()?;
    let mut seen = HashSet::new();
    for f in files {
        if !seen.insert(f.sha256.clone()) || documents::by_sha256(tx.conn(), &f.sha256)?.is_some() {
            report.lines.push(Line::Skipped {
                file: f.file.clone(),
                sha256: f.sha256.clone(),
                skipped: "already imported",
            });
            continue;
        }
        for w in &f.log.warnings {
            report
                .warnings
                .push(format!("{}: line {}: {}", f.file, w.line, w.message));
        }
        let document_id = documents::create(
            tx.conn(),
            &NewDocument {
                kind: "nwipe_log",
                sha256: &f.sha256,
                name: &f.file,
                size: f.size,
                created_at: &recorded_at,
            },
        )?;
        let drives: usize = f.log.runs.iter().map(|r| r.drives.len()).sum();
        let payload = json!({
            "document_id": document_id, "kind": "nwipe_log", "file": f.file,
            "sha256": f.sha256, "size": f.size, "runs": f.log.runs.len(), "drives": drives,
        });
        tx.append_event(&event(who, now, "document.imported", payload))?;
        for run in &f.log.runs {
            for d in &run.drives {
                let line = record(&mut tx, f, document_id, run, d, who, now, &recorded_at)?;
                if line.skipped.is_none() {
                    report.recorded += 1;
                }
                report.lines.push(Line::Drive(Box::new(line)));
            }
        }
    }
    tx.commit()?;
    Ok(report)
}

fn event<'a>(who: Importer<'a>, at: SystemTime, kind: &'a str, payload: Value) -> NewEvent<'a> {
    NewEvent {
        at,
        station: who.station,
        operator: who.operator,
        kind,
        training: who.training,
        payload,
    }
}

/// `<serial or device>@<run start>`: one record per drive and run.
fn run_key(run: &Run, d: &Drive) -> String {
    let who = d
        .serial
        .clone()
        .unwrap_or_else(|| format!("device:{}", d.device));
    let when = run
        .started
        .map(|t| t.to_string())
        .unwrap_or_else(|| format!("line {}", run.line));
    format!("{who}@{when}")
}

/// The media type the `Found` line's bus says, where it can: before 0.42 an
/// ATA drive may be an SSD, so it is `other` until a person says.
fn media_type(run: &Run, d: &Drive) -> &'static str {
    let t = d.drive_type.as_deref().unwrap_or("").to_ascii_uppercase();
    let v042 = run.version.as_deref().is_some_and(|v| {
        let mut p = v.split('.').map(|x| x.parse::<u32>().unwrap_or(0));
        (p.next().unwrap_or(0), p.next().unwrap_or(0)) >= (0, 42)
    });
    match t.as_str() {
        t if t.ends_with("-SSD") => "ssd",
        "NVME" => "nvme",
        "USB" => "usb",
        "MMC" => "sd",
        "ATA" | "SCSI" | "SAS" | "IDE" if v042 => "hdd",
        _ => "other",
    }
}

fn asset_tag(conn: &Connection, asset_id: Option<i64>) -> Result<Option<String>, StoreError> {
    match asset_id {
        Some(a) => identifiers::first_of_kind(conn, a, "asset_tag"),
        None => Ok(None),
    }
}

#[allow(clippy::too_many_arguments)]
fn record(
    tx: &mut crate::store::Tx<'_>,
    f: &LogFile,
    document_id: i64,
    run: &Run,
    d: &Drive,
    who: Importer<'_>,
    now: SystemTime,
    recorded_at: &str,
) -> Result<DriveLine, ImportError> {
    let key = run_key(run, d);
    let class = nist::classify_nwipe(run.method);
    let mut line = DriveLine {
        file: f.file.clone(),
        device: d.device.clone(),
        model: d.model.clone(),
        serial: d.serial.clone(),
        status: d.status.as_str(),
        method: run.method.map(|m| m.name),
        method_label: run.method_label.clone(),
        verify: run.verify.map(Verify::as_str),
        rounds: run.rounds,
        blank: run.blank,
        started: d.started.map(|t| t.to_string()),
        ended: d.ended.map(|t| t.to_string()),
        pass_errors: d.pass_errors,
        verify_errors: d.verify_errors,
        asset: None,
        sha256: f.sha256.clone(),
        skipped: None,
    };
    if let Some(id) = sanitizations::run_recorded(tx.conn(), "nwipe", &key)? {
        let asset: Option<i64> = tx.conn().query_row(
            "SELECT m.asset_id FROM sanitizations s JOIN media m ON m.id = s.medium_id WHERE s.id = ?1",
            [id],
            |r| r.get(0),
        ).map_err(StoreError::from)?;
        line.asset = asset_tag(tx.conn(), asset)?;
        line.skipped = Some("already recorded");
        return Ok(line);
    }

    // The medium: by serial, else on the asset whose serial it is, else alone.
    let existing = match &d.serial {
        Some(s) => media::by_serial(tx.conn(), s)?,
        None => None,
    };
    let (medium_id, asset_id) = match existing {
        Some(m) => (m.id, m.asset_id),
        None => {
            let owner = match &d.serial {
                Some(s) => identifiers::owner(tx.conn(), "serial", s)?,
                None => None,
            };
            let m = NewMedium {
                asset_id: owner,
                serial: d.serial.clone(),
                media_type: media_type(run, d).to_string(),
                make: None,
                model: d.model.clone(),
                destination: None,
                created_at: recorded_at.to_string(),
            };
            let id = media::create(tx.conn(), &m)?;
            let mut p = json!({
                "medium_id": id, "serial": m.serial, "media_type": m.media_type,
                "model": m.model, "source": "nwipe", "sha256": f.sha256,
            });
            if let Some(a) = owner {
                p["asset_id"] = json!(a);
            }
            tx.append_event(&event(who, now, "medium.added", p))?;
            (id, owner)
        }
    };
    line.asset = asset_tag(tx.conn(), asset_id)?;

    let (kind, method, technique) = match class {
        Some(Class::Sanitization {
            category,
            technique,
        }) => ("sanitization", Some(category.as_str()), Some(technique)),
        Some(Class::VerificationOnly) => ("verification", None, None),
        None => ("sanitization", None, None),
    };
    let verification = match (class, run.verify) {
        (Some(Class::VerificationOnly), _) => "full",
        (_, Some(Verify::Last | Verify::All)) => "full",
        _ => "none",
    };
    let result = if d.status == Status::Erased {
        "passed"
    } else {
        "failed"
    };
    let tool = match &run.version {
        Some(v) => format!("nwipe {v}"),
        None => "nwipe".to_string(),
    };
    let detail = json!({
        "file": f.file, "line": d.line, "run_line": run.line, "device": d.device,
        "drive_type": d.drive_type, "rounds": run.rounds, "blank": run.blank,
        "verify": run.verify.map(Verify::as_str), "prng": run.prng, "quiet": run.quiet,
        "table_status": format!("{:?}", d.table_status).to_lowercase(),
        "pass_errors": d.pass_errors, "verify_errors": d.verify_errors,
        "fsync_errors": d.fsync_errors, "bytes_erased": d.bytes_erased,
        "bytes_total": d.bytes_total, "percent": d.percent, "throughput": d.throughput,
        "duration_seconds": d.duration_seconds, "failure_markers": d.failure_markers,
        "serial_raw_hex": (d.serial.is_none() && !d.serial_raw.is_empty())
            .then(|| hex::encode(&d.serial_raw)),
    });
    let rec = NewSanitization {
        medium_id,
        kind: kind.into(),
        method: method.map(String::from),
        technique: technique.map(String::from),
        tool: Some(tool.clone()),
        tool_method: run.method.map(|m| m.name.to_string()),
        tool_method_label: run.method_label.clone(),
        verification: verification.into(),
        result: result.into(),
        tool_status: Some(d.status.as_str().into()),
        started: line.started.clone(),
        ended: line.ended.clone(),
        operator: who.operator.map(String::from),
        validator: None,
        source: "nwipe".into(),
        document_id: Some(document_id),
        run_key: Some(key.clone()),
        detail,
        recorded_at: recorded_at.to_string(),
    };
    let id = sanitizations::create(tx.conn(), &rec)?;
    let mut p = json!({
        "sanitization_id": id, "medium_id": medium_id, "source": "nwipe",
        "document_id": document_id, "sha256": f.sha256, "file": f.file, "line": d.line,
        "device": d.device, "serial": d.serial, "model": d.model, "status": d.status.as_str(),
        "result": result, "method": method, "technique": technique, "tool": tool,
        "tool_method": rec.tool_method, "tool_method_label": rec.tool_method_label,
        "verification": verification, "verify": line.verify, "rounds": run.rounds,
        "blank": run.blank, "started": line.started, "ended": line.ended, "run_key": key,
    });
    if let Some(a) = asset_id {
        p["asset_id"] = json!(a);
    }
    let kind = if kind == "verification" {
        "verification.recorded"
    } else {
        "sanitization.recorded"
    };
    tx.append_event(&event(who, now, kind, p))?;
    Ok(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> (String, Vec<u8>) {
        let p = format!("{}/fixtures/nwipe/{name}", env!("CARGO_MANIFEST_DIR"));
        (name.to_string(), std::fs::read(&p).unwrap())
    }

    fn who() -> Importer<'static> {
        Importer {
            station: "bench-1",
            operator: None,
            training: false,
        }
    }

    #[test]
    fn media_types_follow_the_bus_only_where_it_is_known() {
        let (_, d42) = fixture("v0.42-written-from-source.txt");
        let log = nwipe::parse(&d42).unwrap();
        let r = &log.runs[0];
        let t: Vec<_> = r.drives.iter().map(|d| media_type(r, d)).collect();
        assert_eq!(t, ["ssd", "nvme"]);
        let (_, d35) = fixture("v0.35-written-from-source.txt");
        let log = nwipe::parse(&d35).unwrap();
        assert_eq!(media_type(&log.runs[0], &log.runs[0].drives[0]), "other");
    }

    #[test]
    fn a_verify_only_run_is_a_verification_and_reimport_is_skipped() {
        let mut s = Store::open_in_memory().unwrap();
        let (name, data) = fixture("v0.33-three-runs.txt");
        let f = read(&name, &data).unwrap();
        let r = apply(&mut s, std::slice::from_ref(&f), who(), SystemTime::now()).unwrap();
        assert_eq!(r.recorded, 3);
        let kinds: Vec<String> = s
            .conn()
            .prepare("SELECT kind FROM sanitizations ORDER BY id")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        assert_eq!(kinds, ["sanitization", "verification", "verification"]);
        let r = apply(&mut s, &[f], who(), SystemTime::now()).unwrap();
        assert_eq!(r.recorded, 0);
        assert!(matches!(&r.lines[..], [Line::Skipped { .. }]));
    }
}
