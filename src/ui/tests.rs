//! UI tests: every screen state as an insta snapshot on ratatui's TestBackend
//! (plus colour checks the text snapshot cannot see), and the keyboard driven
//! with timed crossterm KeyEvents, checking which Inputs reach the station.
//!
//! The wall clock is fixed (2026-11-28T14:03:07.123Z), so no time filters are
//! needed.

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
    }
}

fn outcome(level: Level, message: &str, panel: Option<Panel>) -> Outcome {
    Outcome {
        level,
        message: message.into(),
        changed: vec!["journal #42".into()],
        seq: Some(42),
        panel,
        session: session(),
        quiet: false,
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
}

fn unknown_outcome() -> Outcome {
    outcome(
        Level::Warning,
        "Unknown code 5CG9999ZZZ: no asset has it (press e to enrol)",
        Some(Panel::Unknown {
            code: "5CG9999ZZZ".into(),
            identity: "serial".into(),
        }),
    )
}

fn reader(source: &str, state: ReaderState) -> ReaderStatus {
    ReaderStatus {
        source: source.into(),
        state,
        detail: String::new(),
        errors: ReaderErrors::default(),
        at: wall(),
    }
}

/// The background colour of the banner's first row, middle column.
fn banner_bg(t: &Terminal<TestBackend>) -> Color {
    let buf = t.backend().buffer();
    buf[(buf.area.width / 2, 2)].bg
}

// ---------------------------------------------------------------- screens

#[test]
fn empty_start() {
    let h = Harness::new();
    insta::assert_snapshot!("empty_start_120x40", h.render(120, 40).backend());
    insta::assert_snapshot!("empty_start_80x24", h.render(80, 24).backend());
}

#[test]
fn asset_card() {
    let mut h = Harness::new();
    h.type_text("A-1001\n", 0, 1);
    h.outcome(asset_outcome());
    let t = h.render(120, 40);
    insta::assert_snapshot!("asset_card_120x40", t.backend());
    assert_eq!(banner_bg(&t), Color::Green);
}

#[test]
fn asset_card_narrow() {
    let mut h = Harness::new();
    h.type_text("A-1001\n", 0, 1);
    h.outcome(asset_outcome());
    let t = h.render(80, 24);
    insta::assert_snapshot!("asset_card_80x24", t.backend());
    assert_eq!(banner_bg(&t), Color::Green);
}

#[test]
fn unknown_code_warning() {
    let mut h = Harness::new();
    h.type_text("5CG9999ZZZ\n", 0, 1);
    h.outcome(unknown_outcome());
    let t = h.render(120, 40);
    insta::assert_snapshot!("unknown_code_120x40", t.backend());
    assert_eq!(banner_bg(&t), Color::Yellow);
    insta::assert_snapshot!("unknown_code_80x24", h.render(80, 24).backend());
}

#[test]
fn error_banner() {
    let mut h = Harness::new();
    h.type_text("A-1003\n", 0, 1);
    h.outcome(outcome(
        Level::Error,
        "A-1003 is disposed: a disposed asset cannot come back into service",
        None,
    ));
    let t = h.render(120, 40);
    insta::assert_snapshot!("error_banner_120x40", t.backend());
    assert_eq!(banner_bg(&t), Color::Red);
    let t = h.render(80, 24);
    insta::assert_snapshot!("error_banner_80x24", t.backend());
    assert_eq!(banner_bg(&t), Color::Red);
}

#[test]
fn location_card() {
    let mut h = Harness::new();
    h.outcome(outcome(
        Level::Ok,
        "Location LOC-B2.03: 14 assets here",
        Some(Panel::Location(LocationCard {
            code: "LOC-B2.03".into(),
            name: "Store room B2, shelf 3".into(),
            path: "HQ > Building B > Room B2 > Shelf 3".into(),
            asset_count: 14,
        })),
    ));
    insta::assert_snapshot!("location_card_120x40", h.render(120, 40).backend());
}

#[test]
fn help_overlay() {
    let mut h = Harness::new();
    h.press(KeyCode::F(1), KeyModifiers::NONE, 0);
    assert!(h.app.help_open());
    insta::assert_snapshot!("help_overlay_120x40", h.render(120, 40).backend());
    insta::assert_snapshot!("help_overlay_80x24", h.render(80, 24).backend());
}

#[test]
fn reader_lost_in_header() {
    let mut h = Harness::new();
    let now = h.at(0);
    h.app.update(
        UiEvent::Reader(reader(
            "serial:/dev/scanstation/rfid-0?profile=chafon",
            ReaderState::Connected,
        )),
        now,
    );
    h.app.update(
        UiEvent::Reader(reader("tcp:192.0.2.5:5084", ReaderState::Connected)),
        now,
    );
    h.app.update(
        UiEvent::Reader(reader("tcp:192.0.2.5:5084", ReaderState::Lost)),
        now,
    );
    h.app.update(UiEvent::Sync("3 pending".into()), now);
    let t = h.render(120, 40);
    insta::assert_snapshot!("reader_lost_120x40", t.backend());
    // The lost reader's state is red, the connected one's green.
    let row: String = (0..120)
        .map(|x| t.backend().buffer()[(x, 1)].symbol().to_string())
        .collect();
    let lost = row
        .find("● lost")
        .map(|i| row[..i].chars().count())
        .unwrap();
    let connected = row
        .find("● connected")
        .map(|i| row[..i].chars().count())
        .unwrap();
    assert_eq!(t.backend().buffer()[(lost as u16, 1)].fg, Color::Red);
    assert_eq!(t.backend().buffer()[(connected as u16, 1)].fg, Color::Green);
}

#[test]
fn training() {
    let h = Harness::with(UiOptions {
        training: true,
        ..opts()
    });
    let t = h.render(120, 40);
    insta::assert_snapshot!("training_120x40", t.backend());
    assert!(t.backend().to_string().contains("TRAINING"));
}

#[test]
fn signin_required() {
    let mut h = Harness::new();
    let mut o = outcome(
        Level::Error,
        "Sign in first: scan your badge",
        Some(Panel::Empty),
    );
    o.session.operator = None;
    o.session.signin_required = true;
    h.type_text("A-1001\n", 0, 1);
    h.outcome(o);
    insta::assert_snapshot!("signin_required_120x40", h.render(120, 40).backend());
    insta::assert_snapshot!("signin_required_80x24", h.render(80, 24).backend());
}

#[test]
fn typing_in_the_field() {
    let mut h = Harness::new();
    let end = h.type_text("5CG12", 0, 120);
    h.tick(end + 100);
    assert_eq!(h.app.field(), "5CG12");
    insta::assert_snapshot!("typing_80x24", h.render(80, 24).backend());
}

#[test]
fn an_old_banner_fades_to_ready() {
    let mut h = Harness::new();
    h.outcome(asset_outcome());
    h.tick(31_000);
    let t = h.render(80, 24);
    insta::assert_snapshot!("faded_banner_80x24", t.backend());
    assert_ne!(banner_bg(&t), Color::Green);
}

#[test]
fn station_stopped_says_so() {
    let mut h = Harness::new();
    drop(std::mem::replace(&mut h.rx, channel().1));
    h.type_text("A-1001\n", 0, 1);
    let t = h.render(80, 24);
    assert_eq!(banner_bg(&t), Color::Red);
    let text = t.backend().to_string();
    assert!(text.contains("NOT recorded"), "{text}");
    assert!(text.contains("station stopped"), "{text}");
    assert_eq!(h.bell.count(), 1);
}

#[test]
fn hostile_codes_are_shown_inert() {
    let mut h = Harness::new();
    let mut o = unknown_outcome();
    o.panel = Some(Panel::Unknown {
        code: "\u{1b}[2J01\u{1d}21X".into(),
        identity: "unknown".into(),
    });
    h.outcome(o);
    let text = h.render(120, 40).backend().to_string();
    assert!(text.contains("␛[2J01␝21X"), "{text}");
    assert!(!text.contains('\u{1b}'));
}

// ---------------------------------------------------------------- keys

fn scans(inputs: &[Input]) -> Vec<(Source, Vec<u8>, bool)> {
    inputs
        .iter()
        .filter_map(|i| match i {
            Input::Scan(s) => Some((s.source.clone(), s.raw.clone(), s.truncated)),
            _ => None,
        })
        .collect()
}

#[test]
fn a_scanner_burst_is_one_wedge_scan() {
    let mut h = Harness::new();
    h.type_text("A-1001\n", 0, 1);
    let inputs = h.inputs();
    assert_eq!(scans(&inputs), [(Source::Wedge, b"A-1001".to_vec(), false)]);
    assert_eq!(inputs.len(), 1);
    assert_eq!(h.app.field(), "");
}

#[test]
fn a_burst_without_enter_is_sent_after_the_silence() {
    let mut h = Harness::new();
    let end = h.type_text("SN998877", 0, 8);
    h.tick(end + 10);
    assert!(h.inputs().is_empty());
    assert_eq!(h.app.deadline(), Some(h.at(end - 8 + 80)));
    h.tick(end + 80);
    assert_eq!(
        scans(&h.inputs()),
        [(Source::Wedge, b"SN998877".to_vec(), false)]
    );
}

#[test]
fn slow_typing_fills_the_field_and_enter_sends_it_typed() {
    let mut h = Harness::new();
    let end = h.type_text("A-1001", 0, 90);
    h.tick(end + 100);
    assert_eq!(h.app.field(), "A-1001");
    assert!(h.inputs().is_empty());
    h.press(KeyCode::Enter, KeyModifiers::NONE, end + 500);
    assert_eq!(
        scans(&h.inputs()),
        [(Source::Typed, b"A-1001".to_vec(), false)]
    );
    assert_eq!(h.app.field(), "");
}

#[test]
fn a_scan_while_typing_does_not_touch_the_field() {
    let mut h = Harness::new();
    let end = h.type_text("lapt", 0, 100);
    let end = h.type_text("A-1002\n", end + 200, 2);
    let end = h.type_text("op", end + 200, 100);
    h.tick(end + 100);
    assert_eq!(h.app.field(), "laptop");
    assert_eq!(
        scans(&h.inputs()),
        [(Source::Wedge, b"A-1002".to_vec(), false)]
    );
}

#[test]
fn gs_from_ctrl_5_is_kept() {
    let mut h = Harness::new();
    let t = h.type_text("]C10109506000134352", 0, 1);
    h.press(KeyCode::Char('5'), KeyModifiers::CONTROL, t);
    h.type_text("21ABC\n", t + 1, 1);
    assert_eq!(
        scans(&h.inputs()),
        [(
            Source::Wedge,
            b"]C10109506000134352\x1d21ABC".to_vec(),
            false
        )]
    );
}

#[test]
fn an_over_long_burst_is_sent_truncated() {
    let mut h = Harness::new();
    let long: String = std::iter::repeat_n('9', MAX_SCAN_BYTES + 100).collect();
    h.type_text(&format!("{long}\n"), 0, 0);
    let s = scans(&h.inputs());
    assert_eq!(s.len(), 1);
    assert_eq!(s[0].1.len(), MAX_SCAN_BYTES);
    assert!(s[0].2, "marked truncated");
}

#[test]
fn a_configured_prefix_typed_with_ctrl_b_marks_a_scan() {
    let mut h = Harness::with(UiOptions {
        wedge: WedgeConfig {
            prefix: "\u{2}".into(),
            ..WedgeConfig::default()
        },
        ..opts()
    });
    h.press(KeyCode::Char('b'), KeyModifiers::CONTROL, 0);
    h.type_text("A1\n", 40, 40);
    assert_eq!(scans(&h.inputs()), [(Source::Wedge, b"A1".to_vec(), false)]);
}

#[test]
fn e_enrols_only_with_an_unknown_code_on_screen_and_an_empty_field() {
    let mut h = Harness::new();
    h.type_text("e", 0, 1);
    h.tick(100);
    assert_eq!(h.app.field(), "e", "nothing to enrol: e is typing");
    h.press(KeyCode::Esc, KeyModifiers::NONE, 200);
    assert_eq!(h.app.field(), "");
    h.outcome(unknown_outcome());
    h.type_text("e", 300, 1);
    h.tick(400);
    assert_eq!(h.inputs(), [Input::Command(Command::EnrolLast)]);
    assert_eq!(h.app.field(), "");
    // With text in the field, e is a letter.
    h.type_text("5", 500, 1);
    h.type_text("e", 700, 1);
    h.tick(800);
    assert_eq!(h.app.field(), "5e");
    assert!(h.inputs().is_empty());
}

#[test]
fn function_keys_send_commands() {
    let mut h = Harness::new();
    for (n, mode) in [
        (2, Mode::Lookup),
        (3, Mode::Receive),
        (4, Mode::Wipe),
        (5, Mode::Stocktake),
    ] {
        h.press(KeyCode::F(n), KeyModifiers::NONE, 0);
        assert_eq!(h.inputs(), [Input::Command(Command::Mode(mode))]);
    }
    h.press(KeyCode::Char('l'), KeyModifiers::CONTROL, 0);
    assert_eq!(h.inputs(), [Input::Command(Command::SignOut)]);
    assert!(!h.app.should_quit());
    h.press(KeyCode::F(10), KeyModifiers::NONE, 0);
    assert!(h.app.should_quit());
    let mut h = Harness::new();
    h.press(KeyCode::Char('c'), KeyModifiers::CONTROL, 0);
    assert!(h.app.should_quit());
}

#[test]
fn help_opens_with_question_mark_and_closes_with_esc() {
    let mut h = Harness::new();
    h.type_text("?", 0, 1);
    h.tick(100);
    assert!(h.app.help_open());
    assert_eq!(h.app.field(), "");
    h.press(KeyCode::Esc, KeyModifiers::NONE, 200);
    assert!(!h.app.help_open());
    // In a non-empty field ? is a character.
    h.type_text("A?", 300, 100);
    h.tick(600);
    assert_eq!(h.app.field(), "A?");
    assert!(!h.app.help_open());
    // A scan still goes through while help is open.
    h.press(KeyCode::F(1), KeyModifiers::NONE, 700);
    h.type_text("A-1001\n", 800, 1);
    assert_eq!(
        scans(&h.inputs()),
        [(Source::Wedge, b"A-1001".to_vec(), false)]
    );
    assert!(h.app.help_open());
}

#[test]
fn backspace_edits_the_field_after_held_keys_land() {
    let mut h = Harness::new();
    h.type_text("AB", 0, 100);
    // Backspace right after B (held): B lands first, then is deleted.
    h.press(KeyCode::Backspace, KeyModifiers::NONE, 110);
    assert_eq!(h.app.field(), "A");
}

#[test]
fn bell_once_for_ok_three_times_for_error_none_for_quiet() {
    let mut h = Harness::new();
    h.outcome(asset_outcome());
    assert_eq!(h.bell.count(), 1);
    h.outcome(unknown_outcome());
    assert_eq!(h.bell.count(), 1, "a warning is silent");
    let mut quiet = asset_outcome();
    quiet.quiet = true;
    h.outcome(quiet);
    assert_eq!(h.bell.count(), 1);
    h.outcome(outcome(Level::Error, "no", None));
    assert_eq!(h.bell.count(), 2, "the first error beep is immediate");
    h.tick(100);
    assert_eq!(h.bell.count(), 2, "beeps are spaced out");
    h.tick(150);
    assert_eq!(h.bell.count(), 3);
    h.tick(300);
    assert_eq!(h.bell.count(), 4);
    h.tick(1000);
    assert_eq!(h.bell.count(), 4);
}

#[test]
fn quiet_outcomes_update_the_header_without_feedback() {
    let mut h = Harness::new();
    let mut o = asset_outcome();
    o.quiet = true;
    o.session.mode = Mode::Wipe;
    h.outcome(o);
    assert!(h.app.banner.is_none());
    assert!(h.app.scans.is_empty());
    assert_eq!(h.app.session.mode, Mode::Wipe);
}

#[test]
fn the_list_shows_the_code_as_sent() {
    let mut h = Harness::new();
    h.type_text("A-1001\n", 0, 1);
    h.press(KeyCode::F(3), KeyModifiers::NONE, 100);
    // Answer to the scan, then to the mode command (no list line), then a
    // reader's scan the UI did not send (code from the panel).
    h.outcome(asset_outcome());
    h.outcome(outcome(Level::Ok, "Receive mode", None));
    h.outcome(unknown_outcome());
    let codes: Vec<&str> = h.app.scans.iter().map(|s| s.code.as_str()).collect();
    assert_eq!(codes, ["5CG9999ZZZ", "A-1001"]);
}

// ---------------------------------------------------------------- loop

#[tokio::test(start_paused = true)]
async fn the_loop_draws_feedback_and_quits() {
    let (tx, _rx) = channel();
    let bell = CountingBell::new();
    let app = App::new(&opts(), tx, Box::new(bell.clone())).with_clock(wall);
    let (ev_tx, ev_rx) = tokio::sync::mpsc::unbounded_channel();
    let mut term = Terminal::new(TestBackend::new(80, 24)).unwrap();
    ev_tx.send(UiEvent::Outcome(asset_outcome())).unwrap();
    ev_tx.send(UiEvent::Quit).unwrap();
    let app = drive(&mut term, futures::stream::pending(), ev_rx, app)
        .await
        .unwrap();
    assert!(app.should_quit());
    assert_eq!(bell.count(), 1);
    assert_eq!(banner_bg(&term), Color::Green);
    assert!(term.backend().to_string().contains("A-1001 found"));
}

#[tokio::test(start_paused = true)]
async fn the_loop_times_keys_with_the_paused_clock() {
    let (tx, rx) = channel();
    let app = App::new(&opts(), tx, Box::new(SilentBell)).with_clock(wall);
    let (ev_tx, ev_rx) = tokio::sync::mpsc::unbounded_channel::<UiEvent>();
    let (key_tx, key_rx) = futures::channel::mpsc::unbounded();
    let run = tokio::spawn(async move {
        let mut term = Terminal::new(TestBackend::new(80, 24)).unwrap();
        drive(&mut term, key_rx, ev_rx, app)
            .await
            .map(|a| a.field().to_string())
    });
    let key = |c| {
        Ok(crossterm::event::Event::Key(KeyEvent::new(
            KeyCode::Char(c),
            KeyModifiers::NONE,
        )))
    };
    // Typed at 100 ms a key: typing.
    for c in "ab".chars() {
        key_tx.unbounded_send(key(c)).unwrap();
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // A burst at 1 ms a key, Enter: a scan.
    for c in "A-1001".chars() {
        key_tx.unbounded_send(key(c)).unwrap();
        tokio::time::sleep(Duration::from_millis(1)).await;
    }
    key_tx
        .unbounded_send(Ok(crossterm::event::Event::Key(KeyEvent::new(
            KeyCode::Enter,
            KeyModifiers::NONE,
        ))))
        .unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    ev_tx.send(UiEvent::Quit).unwrap();
    let field = run.await.unwrap().unwrap();
    assert_eq!(field, "ab");
    let inputs: Vec<Input> = rx.try_iter().collect();
    assert_eq!(scans(&inputs), [(Source::Wedge, b"A-1001".to_vec(), false)]);
}

#[test]
fn the_tick_is_a_thirtieth_of_a_second() {
    assert_eq!(tick_period(), Duration::from_secs_f64(1.0 / 30.0));
    assert!(tick_period() < Duration::from_millis(40));
}
