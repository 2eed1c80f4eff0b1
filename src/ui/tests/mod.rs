//! UI tests, the shared harness and fixtures: every screen state as an insta snapshot on ratatui's TestBackend
//! (plus colour checks the text snapshot cannot see), and the keyboard driven
//! with timed crossterm KeyEvents, checking which Inputs reach the station.
//!
//! The wall clock is fixed (2026-11-28T14:03:07.123Z), so no time filters are
//! needed.

mod bursts;
mod event_loop;
mod keys;
mod screens;
mod term_keys;

use super::*;
use crate::config::WedgeConfig;
use crate::input::{
    Command, Input, Mode, ReaderErrors, ReaderState, ReaderStatus, Source, MAX_SCAN_BYTES,
};
use crate::station::outcome::{AssetCard, HistoryLine, LocationCard, OperatorView, SessionView};
use crate::station::{Level, Outcome, Panel};
use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::backend::TestBackend;
use ratatui::style::Color;
use ratatui::Terminal;
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

fn wall() -> SystemTime {
    UNIX_EPOCH + Duration::from_millis(1_795_960_987_123)
}

fn opts() -> UiOptions {
    UiOptions {
        wedge: WedgeConfig::default(),
        store_path: "/var/lib/scanstation/station.db".into(),
        training: false,
    }
}

struct Harness {
    app: App,
    rx: Receiver<Input>,
    bell: CountingBell,
    t0: Instant,
}

impl Harness {
    fn new() -> Harness {
        Harness::with(opts())
    }

    fn with(opts: UiOptions) -> Harness {
        let (tx, rx) = channel();
        let bell = CountingBell::new();
        let app = App::new(&opts, tx, Box::new(bell.clone())).with_clock(wall);
        Harness {
            app,
            rx,
            bell,
            t0: Instant::now(),
        }
    }

    fn at(&self, ms: u64) -> Instant {
        self.t0 + Duration::from_millis(ms)
    }

    fn outcome(&mut self, o: Outcome) {
        let now = self.at(0);
        self.app.update(UiEvent::Outcome(o), now);
    }

    /// Presses `code` with `mods` at `ms`.
    fn press(&mut self, code: KeyCode, mods: KeyModifiers, ms: u64) {
        let now = self.at(ms);
        self.app.key(KeyEvent::new(code, mods), now);
    }

    /// Types `text` from `start` ms, a key every `every` ms ('\n' is Enter).
    fn type_text(&mut self, text: &str, start: u64, every: u64) -> u64 {
        let mut t = start;
        for c in text.chars() {
            let code = match c {
                '\n' => KeyCode::Enter,
                c => KeyCode::Char(c),
            };
            let mods = if c.is_ascii_uppercase() {
                KeyModifiers::SHIFT
            } else {
                KeyModifiers::NONE
            };
            self.press(code, mods, t);
            t += every;
        }
        t
    }

    fn tick(&mut self, ms: u64) {
        let now = self.at(ms);
        self.app.tick(now);
    }

    fn inputs(&self) -> Vec<Input> {
        self.rx.try_iter().collect()
    }

    fn render(&self, w: u16, h: u16) -> Terminal<TestBackend> {
        let mut t = Terminal::new(TestBackend::new(w, h)).unwrap();
        t.draw(|f| view(&self.app, f)).unwrap();
        t
    }
}

fn session() -> SessionView {
    SessionView {
        station: "bench-1".into(),
        mode: Mode::Lookup,
        operator: Some(OperatorView {
            badge: "B0042".into(),
            name: "Dana Reyes".into(),
            role: "operator".into(),
        }),
        training: false,
        signin_required: false,
        ..SessionView::default()
    }
}

fn outcome(level: Level, message: &str, panel: Option<Panel>) -> Outcome {
    Outcome {
        level,
        message: message.into(),
        changed: vec!["journal #42".into()],
        seq: Some(42),
        code: None,
        panel,
        session: session(),
        quiet: false,
        ..Outcome::default()
    }
}

fn card() -> AssetCard {
    let h = |seq, at: &str, kind: &str, op: Option<&str>, summary: &str| HistoryLine {
        seq,
        at: at.into(),
        kind: kind.into(),
        operator: op.map(Into::into),
        summary: summary.into(),
    };
    AssetCard {
        asset_id: 7,
        tag: "A-1001".into(),
        status: "in_stock".into(),
        model: Some("Latitude 7440".into()),
        manufacturer: Some("Dell".into()),
        category: Some("Laptop".into()),
        location: Some("LOC-B2.03 — Store room B2, shelf 3".into()),
        identifiers: vec![
            ("asset_tag".into(), "A-1001".into()),
            ("serial".into(), "5CG1234XYZ".into()),
            ("mac".into(), "3C:52:82:1A:2B:3C".into()),
            ("epc".into(), "3474257BF40000000000162E".into()),
        ],
        history: vec![
            h(
                42,
                "2026-11-28T14:03:07.123Z",
                "scan",
                Some("B0042"),
                "wedge A-1001",
            ),
            h(
                17,
                "2026-11-20T09:12:44.000Z",
                "asset.moved",
                Some("B0007"),
                "LOC-A1 → LOC-B2.03",
            ),
            h(
                3,
                "2026-11-02T16:40:01.500Z",
                "asset.created",
                None,
                "import.assets row 12",
            ),
        ],
    }
}

fn asset_outcome() -> Outcome {
    outcome(
        Level::Ok,
        "A-1001 found: Dell Latitude 7440, in stock at LOC-B2.03",
        Some(Panel::Asset(card())),
    )
    .answering("A-1001".into())
}

fn unknown_outcome() -> Outcome {
    outcome(
        Level::Warning,
        "Unknown code 5CG9999ZZZ: no asset has it (F7 to enrol)",
        Some(Panel::Unknown {
            code: "5CG9999ZZZ".into(),
            identity: "serial".into(),
        }),
    )
    .answering("5CG9999ZZZ".into())
}

fn reader(source: &str, state: ReaderState) -> ReaderStatus {
    ReaderStatus {
        source: source.into(),
        state,
        detail: String::new(),
        errors: ReaderErrors::default(),
        tags: 0,
        at: wall(),
    }
}

/// The background colour of the banner's first row, middle column.
fn banner_bg(t: &Terminal<TestBackend>) -> Color {
    let buf = t.backend().buffer();
    buf[(buf.area.width / 2, 2)].bg
}
