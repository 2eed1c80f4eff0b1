//! The terminal UI against a stand-in station, to look at it for real:
//! `cargo run --example ui_preview`. A scanned or typed code starting with `A-`
//! is a known asset (OK), one starting with `X` is refused (error), `LOC-` is a
//! location, anything else is unknown (warning). F10 quits.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a bench/test/tool: a panic is a failed run

use scanstation::input::{Command, Input, ReaderErrors, ReaderState, ReaderStatus};
use scanstation::station::outcome::{
    AssetCard, HistoryLine, LocationCard, OperatorView, SessionView,
};
use scanstation::station::{Level, Outcome, Panel};
use scanstation::ui::{self, UiEvent, UiIo, UiOptions};
use std::time::SystemTime;

fn main() -> std::io::Result<()> {
    let (to_station, inputs) = std::sync::mpsc::channel::<Input>();
    let (ev_tx, events) = tokio::sync::mpsc::unbounded_channel();
    let training = std::env::args().any(|a| a == "--training");
    let mut session = SessionView {
        station: "bench-1".into(),
        training,
        ..SessionView::default()
    };
    let _ = ev_tx.send(UiEvent::Reader(ReaderStatus {
        source: "serial:/dev/scanstation/rfid-0?profile=chafon".into(),
        state: ReaderState::Connected,
        detail: String::new(),
        errors: ReaderErrors::default(),
        tags: 0,
        at: SystemTime::now(),
    }));
    let _ = ev_tx.send(UiEvent::Sync("offline (demo)".into()));
    std::thread::spawn(move || {
        let mut seq = 100;
        for input in inputs {
            seq += 1;
            let code = match &input {
                Input::Scan(scan) => Some(String::from_utf8_lossy(&scan.raw).to_string()),
                _ => None,
            };
            let (level, message, panel) = match input {
                Input::Scan(scan) => {
                    let code = String::from_utf8_lossy(&scan.raw).to_string();
                    answer(&code, seq, scan.source.kind(), &mut session)
                }
                Input::Command(Command::Mode(m)) => {
                    session.mode = m;
                    (Level::Ok, format!("{} mode", m.as_str()), None)
                }
                Input::Command(Command::SignOut) => {
                    session.operator = None;
                    (Level::Ok, "Signed out".into(), Some(Panel::Empty))
                }
                Input::Command(c) => (Level::Warning, format!("{c:?}: not in this preview"), None),
                _ => continue,
            };
            let o = Outcome {
                level,
                message,
                changed: vec![format!("journal #{seq}")],
                seq: Some(seq),
                code,
                panel,
                session: session.clone(),
                quiet: false,
                ..Outcome::default()
            };
            if ev_tx.send(UiEvent::Outcome(o)).is_err() {
                break;
            }
        }
    });
    let opts = UiOptions {
        wedge: Default::default(),
        store_path: "/tmp/preview/station.db".into(),
        training,
    };
    ui::run(UiIo { to_station, events }, opts)
}

fn answer(
    code: &str,
    seq: i64,
    source: &str,
    session: &mut SessionView,
) -> (Level, String, Option<Panel>) {
    if let Some(badge) = code.strip_prefix("BADGE:") {
        session.operator = Some(OperatorView {
            badge: badge.into(),
            name: "Dana Reyes".into(),
            role: "operator".into(),
        });
        return (Level::Ok, format!("Signed in: Dana Reyes ({badge})"), None);
    }
    if code.starts_with("A-") {
        let card = AssetCard {
            asset_id: 1,
            tag: code.into(),
            status: "in_stock".into(),
            model: Some("Latitude 7440".into()),
            manufacturer: Some("Dell".into()),
            category: Some("Laptop".into()),
            location: Some("LOC-B2.03 — Store room B2, shelf 3".into()),
            identifiers: vec![
                ("asset_tag".into(), code.into()),
                ("serial".into(), "5CG1234XYZ".into()),
            ],
            history: vec![HistoryLine {
                seq,
                at: scanstation::timefmt::now(),
                kind: "scan".into(),
                operator: session.operator.as_ref().map(|o| o.badge.clone()),
                summary: format!("{source} {code}"),
            }],
        };
        return (
            Level::Ok,
            format!("{code} found: Dell Latitude 7440, in stock"),
            Some(Panel::Asset(card)),
        );
    }
    if code.starts_with('X') {
        return (
            Level::Error,
            format!("{code} is disposed: it cannot come back"),
            None,
        );
    }
    if let Some(rest) = code.strip_prefix("LOC-") {
        let card = LocationCard {
            code: code.into(),
            name: format!("Shelf {rest}"),
            path: format!("HQ > Building B > {rest}"),
            asset_count: 14,
        };
        return (
            Level::Ok,
            format!("Location {code}"),
            Some(Panel::Location(card)),
        );
    }
    (
        Level::Warning,
        format!("Unknown code {code}: press e to enrol it"),
        Some(Panel::Unknown {
            code: code.into(),
            identity: "serial".into(),
        }),
    )
}
