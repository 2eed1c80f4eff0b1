//! `scanstation monitor [--device SPEC]...`: runs the readers without the UI
//! and prints each event as one JSON line (contracts.md), for checking a
//! reader at the bench and for piping into other tools.
//!
//! Every SPEC is resolved before anything is opened, so a typo exits 2 at
//! once. Each reader runs under its own supervisor; lines are flushed one by
//! one; Ctrl-C, SIGTERM and a closed stdout all end the run with exit 0, after
//! the readers were stopped (a claimed USB scanner is given back to the kernel).

use scanstation::device::detect::expand_auto;
use scanstation::device::profile::Profiles;
use scanstation::device::spec::{parse_and_resolve, ResolvedSpec};
use scanstation::device::supervisor::spawn_all_until;
use scanstation::device::DeviceEvent;
use scanstation::identify::Classifier;
use scanstation::input::{RfidRead, Scan};
use serde::Serialize;
use serde_json::Value;
use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

/// How long readers get to stop (and release their devices) at exit.
const STOP_GRACE: Duration = Duration::from_secs(2);

pub fn run(ctx: &super::Ctx) -> anyhow::Result<ExitCode> {
    let _ = CLASSIFIER.set(Classifier::new(&ctx.config.identify)?);
    let texts = ctx.reader_specs();
    if texts.is_empty() {
        eprintln!(
            "scanstation: error: no readers: pass --device SPEC (e.g. --device serial:/dev/ttyUSB0?protocol=chafon) \
             or list them under `readers` in the config"
        );
        return Ok(ExitCode::from(2));
    }
    let profiles = match Profiles::load() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("scanstation: error: {e}");
            return Ok(ExitCode::from(2));
        }
    };
    let (texts, problems) = expand_auto(&texts, &profiles);
    for p in problems {
        eprintln!("scanstation: {p}");
    }
    if texts.is_empty() {
        eprintln!("scanstation: error: `auto` found no reader this station would open (see `scanstation devices`)");
        return Ok(ExitCode::from(2));
    }
    let mut specs = Vec::new();
    for text in &texts {
        match parse_and_resolve(text, &profiles) {
            Ok(s) => specs.push(s),
            Err(e) => {
                eprintln!("scanstation: error: device `{text}`: {e}");
                return Ok(ExitCode::from(2));
            }
        }
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let result = runtime.block_on(monitor(specs));
    // Blocking USB reads notice the stop flag within a read timeout.
    runtime.shutdown_timeout(STOP_GRACE);
    result
}

async fn monitor(specs: Vec<ResolvedSpec>) -> anyhow::Result<ExitCode> {
    // Listen before anything is printed: a signal sent as soon as the first
    // line appears must not be lost, nor kill us before the readers stop.
    use tokio::signal::unix::{signal, SignalKind};
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    let (tx, mut rx) = mpsc::channel::<DeviceEvent>(4096);
    let shutdown = CancellationToken::new();
    let handles = spawn_all_until(specs, tx, shutdown.clone());
    let mut result = Ok(ExitCode::SUCCESS);
    loop {
        tokio::select! {
            event = rx.recv() => {
                let Some(event) = event else { break };
                let line = event_json(&event);
                let mut out = std::io::stdout().lock();
                if let Err(e) = writeln!(out, "{line}").and_then(|()| out.flush()) {
                    if e.kind() != std::io::ErrorKind::BrokenPipe {
                        result = Err(e.into());
                    }
                    break;
                }
            }
            _ = int.recv() => break,
            _ = term.recv() => break,
        }
    }
    shutdown.cancel();
    drop(rx);
    for h in handles {
        let _ = tokio::time::timeout(STOP_GRACE, h).await;
    }
    result
}

/// The classifier of this run (the config's rules), set once in `run`.
static CLASSIFIER: std::sync::OnceLock<Classifier> = std::sync::OnceLock::new();

fn classifier() -> Option<&'static Classifier> {
    CLASSIFIER.get()
}

/// The `parse` object of a scan (as `scanstation parse` prints it).
fn scan_parse(scan: &Scan) -> Value {
    let shown = String::from_utf8_lossy(&scan.raw);
    classifier()
        .and_then(|c| serde_json::to_value(c.report(&shown, &scan.raw)).ok())
        .unwrap_or(Value::Null)
}

/// The `parse --epc` object of an EPC (upper-case hex), or null when the EPC
/// is not a GS1 scheme the station decodes.
fn epc_decoded(hex: &str) -> Value {
    let Some(report) = classifier().map(|c| c.epc_report(hex)) else {
        return Value::Null;
    };
    if report.error.is_some() {
        return Value::Null;
    }
    serde_json::to_value(report).unwrap_or(Value::Null)
}

#[derive(Serialize)]
struct ScanLine<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    source: &'a str,
    at: String,
    raw: String,
    parse: Value,
}

#[derive(Serialize)]
struct RfidLine<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    source: &'a str,
    at: String,
    epc: String,
    antenna: Option<u16>,
    rssi: Option<f64>,
    count: u32,
    decoded: Value,
}

#[derive(Serialize)]
struct StatusLine<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    source: &'a str,
    at: String,
    state: &'static str,
    detail: &'a str,
    errors: ErrorsJson,
}

#[derive(Serialize)]
struct ErrorsJson {
    crc: u64,
    garbage_bytes: u64,
    truncated: u64,
    overlong: u64,
}

/// One event as its JSON line (contracts.md, `monitor`).
fn event_json(event: &DeviceEvent) -> String {
    let json = match event {
        DeviceEvent::Scan(scan) => serde_json::to_string(&ScanLine {
            kind: "scan",
            source: scan.source.detail().unwrap_or(scan.source.kind()),
            at: scanstation::timefmt::rfc3339_millis(scan.at),
            raw: String::from_utf8_lossy(&scan.raw).into_owned(),
            parse: scan_parse(scan),
        }),
        DeviceEvent::Rfid(read) => serde_json::to_string(&rfid_line(read)),
        DeviceEvent::Status(s) => serde_json::to_string(&StatusLine {
            kind: "status",
            source: &s.source,
            at: scanstation::timefmt::rfc3339_millis(s.at),
            state: s.state.as_str(),
            detail: &s.detail,
            errors: ErrorsJson {
                crc: s.errors.crc,
                garbage_bytes: s.errors.garbage_bytes,
                truncated: s.errors.truncated,
                overlong: s.errors.overlong,
            },
        }),
    };
    // Serialising these plain structs cannot fail; keep a line anyway.
    json.unwrap_or_else(|e| format!("{{\"type\":\"error\",\"detail\":\"{e}\"}}"))
}

fn rfid_line(read: &RfidRead) -> RfidLine<'_> {
    let epc = hex::encode_upper(&read.epc);
    RfidLine {
        kind: "rfid",
        source: &read.source,
        at: scanstation::timefmt::rfc3339_millis(read.at),
        decoded: epc_decoded(&epc),
        epc,
        antenna: read.antenna,
        // Through the shortest decimal form, so -61.3 prints as -61.3.
        rssi: read.rssi.and_then(|r| r.to_string().parse::<f64>().ok()),
        count: read.count,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use scanstation::input::{ReaderErrors, ReaderState, ReaderStatus, Source};
    use std::time::UNIX_EPOCH;

    /// The run's classifier, as `run` sets it.
    fn classifier_set() {
        let _ = CLASSIFIER
            .set(Classifier::new(&scanstation::config::IdentifyConfig::default()).unwrap());
    }

    fn at() -> std::time::SystemTime {
        classifier_set();
        UNIX_EPOCH + Duration::from_millis(1_795_874_587_123)
    }

    #[test]
    fn scan_line() {
        let scan = Scan::new(
            Source::Reader("usb:0c2e:0b8f?protocol=hid-pos".into()),
            b"]C10109506000134352\x1d21ABC".to_vec(),
            at(),
        );
        let line = event_json(&DeviceEvent::Scan(scan));
        assert!(
            line.starts_with(r#"{"type":"scan","source":"usb:0c2e:0b8f?protocol=hid-pos","at":"2026-11-28T14:03:07.123Z","raw":"]C10109506000134352\u001d21ABC","parse":{"#),
            "{line}"
        );
        let v: Value = serde_json::from_str(&line).expect("json");
        assert_eq!(v["parse"]["identity"]["type"], "gtin_serial");
        assert_eq!(v["parse"]["symbology"], "]C1");
    }

    #[test]
    fn rfid_line_json() {
        let read = RfidRead {
            source: "serial:/dev/pts/7?protocol=chafon".into(),
            epc: hex::decode("3474257bf40000000000162e").expect("hex"),
            antenna: Some(1),
            rssi: Some(-61.3),
            count: 3,
            at: at(),
        };
        let line = event_json(&DeviceEvent::Rfid(read.clone()));
        assert!(
            line.starts_with(r#"{"type":"rfid","source":"serial:/dev/pts/7?protocol=chafon","at":"2026-11-28T14:03:07.123Z","epc":"3474257BF40000000000162E","antenna":1,"rssi":-61.3,"count":3,"decoded":{"#),
            "{line}"
        );
        let v: Value = serde_json::from_str(&line).expect("json");
        assert_eq!(
            v["decoded"]["epc"]["tag_uri"],
            "urn:epc:tag:giai-96:3.0614141.5678"
        );
        let bare = RfidRead {
            antenna: None,
            rssi: None,
            ..read
        };
        let v: Value = serde_json::from_str(&event_json(&DeviceEvent::Rfid(bare))).expect("json");
        assert_eq!((&v["antenna"], &v["rssi"]), (&Value::Null, &Value::Null));
    }

    #[test]
    fn status_line() {
        let s = ReaderStatus {
            source: "tcp:192.0.2.5:5084?protocol=llrp".into(),
            state: ReaderState::Lost,
            detail: "192.0.2.5:5084 closed the connection".into(),
            errors: ReaderErrors {
                crc: 2,
                garbage_bytes: 17,
                truncated: 1,
                overlong: 0,
            },
            tags: 0,
            at: at(),
        };
        assert_eq!(
            event_json(&DeviceEvent::Status(s)),
            r#"{"type":"status","source":"tcp:192.0.2.5:5084?protocol=llrp","at":"2026-11-28T14:03:07.123Z","state":"lost","detail":"192.0.2.5:5084 closed the connection","errors":{"crc":2,"garbage_bytes":17,"truncated":1,"overlong":0}}"#
        );
    }
}
