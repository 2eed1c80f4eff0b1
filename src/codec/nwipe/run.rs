//! The walk through a log: one pass over its lines, splitting runs and
//! reading the tables at each run's end.
//!
//! Where one run ends and the next begins: a run is closed by its Drive
//! Status table; the `info` lines that say how it ended (and a PDF note)
//! still belong to it; any other line opens the next run. A run that never
//! reached its table (nwipe killed) is noticed when a second "Program
//! options" block arrives: the `Found` lines logged after its own options
//! belong to the new run.

use super::line::{classify, find, lines, Level, Line, Timestamp};
use super::table::{self, ErasureRow, ErrorRow, StatusRow, TableStatus};
use super::{clean_serial, method, Drive, Log, NwipeError, Outcome, Run, Status, Warning};
use std::collections::HashMap;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Errors,
    Erasure,
    Drives,
}

impl Kind {
    fn title(self) -> &'static str {
        match self {
            Kind::Errors => "Error Summary",
            Kind::Erasure => "Erasure Summary",
            Kind::Drives => "Drive Status",
        }
    }
    fn header(self) -> &'static [u8] {
        match self {
            Kind::Errors => b"!   Device | Pass Errors",
            Kind::Erasure => b"!   Device |      Bytes Erased",
            Kind::Drives => b"!   Device | Status",
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Phase {
    Header,
    Dashes,
    Rows,
    Footer,
    Stars,
}

/// A drive as the `Found` line describes it.
#[derive(Default, Clone)]
struct Found {
    line: usize,
    drive_type: Option<String>,
    model: Option<Vec<u8>>,
    serial: Option<Vec<u8>>,
}

/// A run being read.
#[derive(Default)]
struct Open {
    line: usize,
    first_at: Option<Timestamp>,
    options_at: Option<Timestamp>,
    options_line: usize,
    in_options: bool,
    version: Option<String>,
    option_method: Option<String>,
    prng: Option<String>,
    quiet: bool,
    found: Vec<(String, Found)>,
    invoked: HashMap<String, Timestamp>,
    activity: HashMap<String, Timestamp>,
    completed: HashMap<String, bool>,
    /// [`Open::devices`], kept until a device is added.
    device_cache: Option<Vec<String>>,
    markers: HashMap<String, Vec<String>>,
    errors: Vec<ErrorRow>,
    erasure: Vec<ErasureRow>,
    status: Vec<(usize, StatusRow)>,
    footer: Option<(usize, Timestamp, table::Footer)>,
    outcome: Option<Outcome>,
    closed: bool,
}

impl Open {
    fn new(line: usize) -> Open {
        Open {
            line,
            ..Open::default()
        }
    }
    fn has_wiped(&self) -> bool {
        !self.invoked.is_empty() || !self.status.is_empty()
    }
    /// The known full paths, longest first (so `/dev/sda1` wins over `/dev/sda`).
    fn devices(&mut self) -> &[String] {
        let found = &self.found;
        let invoked = &self.invoked;
        self.device_cache.get_or_insert_with(|| {
            let mut v: Vec<String> = found.iter().map(|(d, _)| d.clone()).collect();
            v.extend(invoked.keys().cloned());
            v.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
            v.dedup();
            v
        })
    }
}

pub(super) fn parse(data: &[u8]) -> Result<Log, NwipeError> {
    let mut runs: Vec<Run> = Vec::new();
    let mut warnings = Vec::new();
    let mut cur = Open::new(1);
    let mut table: Option<(Kind, Phase, usize)> = None;
    let mut seen_log_line = false;
    let mut last_line = 0;
    // A last line without its '\n' that does not parse was cut mid-line.
    let open_end = !data.is_empty() && !data.ends_with(b"\n");
    let total = lines(data).count();

    for (n, raw) in lines(data) {
        last_line = n;
        if let Some((kind, phase, start)) = table {
            table = match table_line(&mut cur, kind, phase, start, n, raw) {
                Err(NwipeError::BadTable { .. }) if open_end && n == total => {
                    return Err(NwipeError::CutShort {
                        line: n,
                        detail: format!(
                            "the file ends mid-line inside the {} table that starts at line {start}",
                            kind.title()
                        ),
                    })
                }
                other => other?,
            };
            continue;
        }
        let parsed = classify(raw);
        if !seen_log_line {
            match parsed {
                Line::Log { .. } => seen_log_line = true,
                Line::Plain(b) if b.trim_ascii().is_empty() => continue,
                _ => {
                    return Err(NwipeError::NotNwipe {
                        line: n,
                        detail: "its first line is not `[YYYY/MM/DD HH:MM:SS] level: message`"
                            .into(),
                    })
                }
            }
        }
        match parsed {
            Line::Plain(b) => {
                if let Some(kind) = table_title(b) {
                    if cur.closed {
                        finish(
                            &mut runs,
                            &mut warnings,
                            std::mem::replace(&mut cur, Open::new(n)),
                        );
                    }
                    table = Some((kind, Phase::Header, n));
                }
            }
            Line::Stamped { at, .. } => {
                if cur.closed {
                    finish(
                        &mut runs,
                        &mut warnings,
                        std::mem::replace(&mut cur, Open::new(n)),
                    );
                }
                cur.first_at.get_or_insert(at);
            }
            Line::Log { at, level, message } => {
                if cur.closed {
                    if let Some(o) = outcome(message) {
                        cur.outcome = Some(o);
                        continue;
                    }
                    if message.starts_with(b"Creating PDF report") {
                        continue;
                    }
                    finish(
                        &mut runs,
                        &mut warnings,
                        std::mem::replace(&mut cur, Open::new(n)),
                    );
                }
                log_line(&mut cur, &mut runs, &mut warnings, n, at, level, message);
            }
        }
    }

    if let Some((kind, _, start)) = table {
        return Err(NwipeError::CutShort {
            line: last_line,
            detail: format!(
                "the file ends inside the {} table that starts at line {start}",
                kind.title()
            ),
        });
    }
    if !seen_log_line {
        return Err(NwipeError::NotNwipe {
            line: last_line.max(1),
            detail: "no line is `[YYYY/MM/DD HH:MM:SS] level: message`".into(),
        });
    }
    if !cur.closed && cur.has_wiped() {
        let detail = format!(
            "the run that starts at line {} has no drive status table \
             (nwipe was killed, or the copy was made while it was still wiping)",
            cur.line
        );
        if runs.is_empty() {
            return Err(NwipeError::NoDriveTable { line: last_line });
        }
        return Err(NwipeError::CutShort {
            line: last_line,
            detail,
        });
    }
    finish(&mut runs, &mut warnings, cur);
    if runs.is_empty() {
        return Err(NwipeError::NoDriveTable { line: last_line });
    }
    Ok(Log { runs, warnings })
}

fn table_title(b: &[u8]) -> Option<Kind> {
    if !b.starts_with(b"*****") {
        return None;
    }
    [Kind::Errors, Kind::Erasure, Kind::Drives]
        .into_iter()
        .find(|k| find(b, format!(" {} ", k.title()).as_bytes()).is_some())
}

fn is_rule(b: &[u8], c: u8) -> bool {
    b.len() >= 40 && b.iter().all(|&x| x == c)
}

/// One line inside a table; returns the table state after it.
fn table_line(
    cur: &mut Open,
    kind: Kind,
    phase: Phase,
    start: usize,
    n: usize,
    raw: &[u8],
) -> Result<Option<(Kind, Phase, usize)>, NwipeError> {
    let bad = |detail: String| NwipeError::BadTable {
        line: n,
        detail: format!("in the {} table (line {start}): {detail}", kind.title()),
    };
    let next = match phase {
        Phase::Header if raw.starts_with(kind.header()) => Phase::Dashes,
        Phase::Header => return Err(bad("the column titles are missing".into())),
        Phase::Dashes if is_rule(raw, b'-') => Phase::Rows,
        Phase::Dashes => return Err(bad("the rule under the titles is missing".into())),
        Phase::Rows if kind != Kind::Drives && is_rule(raw, b'*') => return Ok(None),
        Phase::Rows if kind == Kind::Drives && is_rule(raw, b'-') => Phase::Footer,
        Phase::Rows => {
            match kind {
                Kind::Errors => cur.errors.push(table::error_row(raw).map_err(bad)?),
                Kind::Erasure => cur.erasure.push(table::erasure_row(raw).map_err(bad)?),
                Kind::Drives => cur.status.push((n, table::status_row(raw).map_err(bad)?)),
            }
            Phase::Rows
        }
        Phase::Footer => match classify(raw) {
            Line::Stamped { at, message } => {
                let f = table::footer(message).map_err(bad)?;
                cur.footer = Some((n, at, f));
                Phase::Stars
            }
            _ => {
                return Err(bad(
                    "the `[time] Total Throughput …` footer is missing".into()
                ))
            }
        },
        Phase::Stars if is_rule(raw, b'*') => {
            cur.closed = true;
            return Ok(None);
        }
        Phase::Stars => return Err(bad("the closing rule of stars is missing".into())),
    };
    Ok(Some((kind, next, start)))
}

fn outcome(message: &[u8]) -> Option<Outcome> {
    if message.starts_with(b"Nwipe successfully completed") {
        Some(Outcome::Completed)
    } else if message.starts_with(b"Nwipe exited with errors,") {
        Some(Outcome::Errors)
    } else if message.starts_with(b"Nwipe was aborted by the user") {
        Some(Outcome::UserAbort)
    } else {
        None
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The device path at the start of `b` (up to a space or comma).
fn path_at(b: &[u8]) -> Option<String> {
    let end = b
        .iter()
        .position(|&c| c == b' ' || c == b',' || c == b'\'')
        .unwrap_or(b.len());
    let p = &b[..end];
    (p.starts_with(b"/") && p.len() > 1 && p.is_ascii()).then(|| text(p))
}

/// Does `message` name `dev` (not as the prefix of a longer name)?
fn names(message: &[u8], dev: &str) -> bool {
    let d = dev.as_bytes();
    let mut from = 0;
    while let Some(i) = find(&message[from..], d) {
        let end = from + i + d.len();
        if message.get(end).is_none_or(|c| !c.is_ascii_alphanumeric()) {
            return true;
        }
        from = from + i + 1;
    }
    false
}

#[allow(clippy::too_many_arguments)]
fn log_line(
    cur: &mut Open,
    runs: &mut Vec<Run>,
    warnings: &mut Vec<Warning>,
    n: usize,
    at: Timestamp,
    level: Level,
    msg: &[u8],
) {
    if msg.starts_with(b"Program options are set as follows") {
        if cur.options_at.is_some() {
            // The previous run never reached its tables: split here.
            let opts_line = cur.options_line;
            let mut next = Open::new(n);
            let (old, new): (Vec<_>, Vec<_>) =
                cur.found.drain(..).partition(|(_, f)| f.line < opts_line);
            cur.found = old;
            cur.device_cache = None;
            next.found = new;
            if let Some(l) = next.found.iter().map(|(_, f)| f.line).min() {
                next.line = l;
            }
            finish(runs, warnings, std::mem::replace(cur, next));
        }
        cur.first_at.get_or_insert(at);
        cur.options_at = Some(at);
        cur.options_line = n;
        cur.in_options = true;
        return;
    }
    cur.first_at.get_or_insert(at);
    if cur.in_options && level == Level::Notice && msg.starts_with(b"  ") {
        option(cur, msg);
        return;
    }
    cur.in_options = false;
    if level == Level::Info && msg.starts_with(b"nwipe ") && cur.version.is_none() {
        cur.version = Some(text(&msg[6..]).trim().to_string());
    }
    if let Some(o) = outcome(msg) {
        cur.outcome = Some(o);
    }
    if let Some(rest) = msg.strip_prefix(b"Found ") {
        found(cur, n, rest);
        return;
    }
    if let Some(rest) = msg.strip_prefix(b"Invoking method '") {
        if let Some(i) = find(rest, b"' on ") {
            if let Some(dev) = path_at(&rest[i + 5..]) {
                if !cur.invoked.contains_key(&dev) {
                    cur.invoked.insert(dev.clone(), at);
                    cur.device_cache = None;
                }
                cur.activity.insert(dev, at);
                if cur.option_method.is_none() {
                    cur.option_method = Some(text(&rest[..i]));
                }
            }
        }
        return;
    }
    if let Some(i) = find(msg, b" has serial number ") {
        if let Some(dev) = path_at(msg).filter(|d| d.len() == i) {
            let f = found_entry(cur, &dev, n);
            if f.serial.is_none() {
                f.serial = Some(msg[i + 19..].to_vec());
            }
        }
    }
    if memchr::memchr(b'/', msg).is_none() {
        return;
    }
    let Some(dev) = cur.devices().iter().find(|d| names(msg, d)).cloned() else {
        return;
    };
    if msg.starts_with(b"Finished final round") || msg.starts_with(b"[SUCCESS]") {
        cur.completed.insert(dev.clone(), true);
    }
    if matches!(level, Level::Error | Level::Fatal) || msg.starts_with(b"[FAILURE]") {
        cur.markers.entry(dev.clone()).or_default().push(text(msg));
    }
    match cur.activity.get_mut(&dev) {
        Some(t) => *t = at,
        None => {
            cur.activity.insert(dev, at);
        }
    }
}

fn found_entry<'a>(cur: &'a mut Open, dev: &str, n: usize) -> &'a mut Found {
    let i = match cur.found.iter().position(|(d, _)| d == dev) {
        Some(i) => i,
        None => {
            cur.device_cache = None;
            cur.found.push((
                dev.to_string(),
                Found {
                    line: n,
                    ..Found::default()
                },
            ));
            cur.found.len() - 1
        }
    };
    &mut cur.found[i].1
}

/// `Found DEV, TYPE, MODEL, SIZE, S/N=SERIAL` (src/device.c).
fn found(cur: &mut Open, n: usize, rest: &[u8]) {
    let Some(dev) = path_at(rest) else { return };
    let rest = rest[dev.len()..].strip_prefix(b", ").unwrap_or(&[]);
    let Some(sn) = find(rest, b", S/N=") else {
        return;
    };
    let (head, serial) = (&rest[..sn], &rest[sn + 6..]);
    let (drive_type, model) = match find(head, b", ") {
        Some(i) => (text(&head[..i]).trim().to_string(), &head[i + 2..]),
        None => (text(head).trim().to_string(), &b""[..]),
    };
    // MODEL may hold commas; the size is the last field.
    let model = match model.iter().rposition(|&c| c == b',') {
        Some(i) => &model[..i],
        None => model,
    };
    let f = found_entry(cur, &dev, n);
    f.line = n;
    f.drive_type = (!drive_type.is_empty()).then_some(drive_type);
    f.model = Some(model.trim_ascii().to_vec());
    f.serial = Some(serial.to_vec());
}

/// `  key = value` lines of `nwipe_options_log()` (src/options.c).
fn option(cur: &mut Open, msg: &[u8]) {
    let t = text(msg);
    let t = t.trim();
    let Some((k, v)) = t.split_once('=') else {
        return;
    };
    let v = v.trim().to_string();
    match k.trim() {
        "banner" => cur.version = v.strip_prefix("nwipe ").map(|s| s.trim().to_string()),
        "prng" => cur.prng = Some(v),
        "method" => cur.option_method = Some(v),
        "quiet" => cur.quiet = v != "0",
        _ => {}
    }
}

/// Turns a read run into a [`Run`] (or, without a drive table, a warning).
fn finish(runs: &mut Vec<Run>, warnings: &mut Vec<Warning>, mut cur: Open) {
    if !cur.closed {
        if cur.has_wiped() {
            warnings.push(Warning {
                line: cur.line,
                message: "this run has no drive status table (nwipe was killed); \
                          its drives are not imported"
                    .into(),
            });
        }
        return;
    }
    let Some((_, footer_at, footer)) = cur.footer.clone() else {
        return;
    };
    let method_label = Some(footer.method_label.clone()).or(cur.option_method.clone());
    let method = method_label.as_deref().and_then(method::by_label);
    if method.is_none() {
        warnings.push(Warning {
            line: cur.footer.as_ref().map_or(cur.line, |f| f.0),
            message: format!(
                "unknown method {:?}: kept as written, not mapped",
                method_label.as_deref().unwrap_or("")
            ),
        });
    }
    let devices = cur.devices().to_vec();
    let user_abort = cur.outcome == Some(Outcome::UserAbort);
    let mut drives = Vec::new();
    for (line, row) in &cur.status {
        let full = devices
            .iter()
            .find(|d| {
                let base = d.rsplit('/').next().unwrap_or(d);
                base.len() >= row.device.len()
                    && base.get(base.len().saturating_sub(8)..) == Some(row.device.as_str())
            })
            .cloned();
        let dev = full.clone().unwrap_or_else(|| row.device.clone());
        let f = full
            .as_ref()
            .and_then(|d| cur.found.iter().find(|(x, _)| x == d))
            .map(|(_, f)| f.clone())
            .unwrap_or_default();
        let (tmodel, tserial) = table::split_model_serial(&row.model_serial, f.model.as_deref());
        let model = f.model.clone().unwrap_or_else(|| tmodel.to_vec());
        let serial_raw = f.serial.clone().unwrap_or_else(|| tserial.to_vec());
        let err = cur.errors.iter().find(|e| e.device == row.device);
        let era = cur.erasure.iter().find(|e| e.device == row.device);
        let completed = cur.completed.get(&dev).copied().unwrap_or(false);
        let status = match row.status {
            TableStatus::Erased if user_abort && !completed => Status::Aborted,
            TableStatus::Erased => Status::Erased,
            TableStatus::Failed | TableStatus::Insanity => Status::Failed,
            TableStatus::Aborted => Status::Aborted,
        };
        let started = cur.invoked.get(&dev).copied().or(cur.options_at);
        let ended = match status {
            Status::Aborted => Some(footer_at),
            _ => cur.activity.get(&dev).copied().or(Some(footer_at)),
        };
        let model = text(model.trim_ascii());
        drives.push(Drive {
            line: *line,
            device: dev.clone(),
            drive_type: f.drive_type.clone(),
            model: (!model.is_empty()).then_some(model),
            serial: clean_serial(&serial_raw),
            serial_raw,
            status,
            table_status: row.status,
            throughput: row.throughput.clone(),
            duration_seconds: row.duration_seconds,
            started,
            ended,
            pass_errors: err.map(|e| e.pass_errors),
            verify_errors: err.map(|e| e.verify_errors),
            fsync_errors: err.map(|e| e.fsync_errors),
            bytes_erased: era.map(|e| e.bytes_erased),
            bytes_total: era.map(|e| e.bytes_total),
            percent: era.map(|e| e.percent.clone()),
            failure_markers: cur.markers.get(&dev).cloned().unwrap_or_default(),
        });
    }
    runs.push(Run {
        line: cur.line,
        started: cur.options_at.or(cur.first_at),
        version: cur.version.clone(),
        method_label,
        method,
        prng: cur.prng.clone(),
        verify: Some(footer.verify),
        rounds: Some(footer.rounds),
        blank: Some(footer.blank),
        quiet: cur.quiet,
        outcome: cur.outcome.unwrap_or(Outcome::Unknown),
        drives,
    });
}
