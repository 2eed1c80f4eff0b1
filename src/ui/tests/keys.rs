//! The keyboard driven with timed crossterm KeyEvents: which Inputs reach the
//! station, what lands in the field, what the bell does.

use super::*;

pub(super) fn scans(inputs: &[Input]) -> Vec<(Source, Vec<u8>, bool)> {
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
fn enrol_is_f7_and_never_a_letter() {
    let mut h = Harness::new();
    h.outcome(unknown_outcome());
    // After an unknown scan, a code typed by hand that starts with e is text.
    let end = h.type_text("e-1001", 0, 100);
    h.tick(end + 100);
    assert_eq!(h.app.field(), "e-1001");
    assert!(h.inputs().is_empty(), "nothing sent while typing");
    h.press(KeyCode::Esc, KeyModifiers::NONE, end + 200);
    // A scanned code that starts with e is a scan.
    h.type_text("e-2002\n", end + 300, 1);
    assert_eq!(
        scans(&h.inputs()),
        [(Source::Wedge, b"e-2002".to_vec(), false)]
    );
    // F7 asks the station to enrol (it then asks to confirm, naming the code).
    h.press(KeyCode::F(7), KeyModifiers::NONE, end + 500);
    assert_eq!(h.inputs(), [Input::Command(Command::EnrolLast)]);
    assert_eq!(h.app.field(), "");
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
fn the_list_shows_the_code_each_outcome_answers() {
    let mut h = Harness::new();
    h.type_text("A-1001\n", 0, 1);
    h.press(KeyCode::F(3), KeyModifiers::NONE, 100);
    // A reader's scan reached the station before the typed one: its answer
    // comes first, then the typed scan's, then the mode command's (no line).
    h.outcome(unknown_outcome());
    h.outcome(asset_outcome());
    h.outcome(outcome(Level::Ok, "Receive mode", None));
    let lines: Vec<(&str, Level)> = h
        .app
        .scans
        .iter()
        .map(|s| (s.code.as_str(), s.level))
        .collect();
    assert_eq!(
        lines,
        [("A-1001", Level::Ok), ("5CG9999ZZZ", Level::Warning)]
    );
}

#[test]
fn arrows_and_enter_pick_from_a_question_list_and_f6_is_disposal() {
    let mut h = Harness::new();
    let mut o = outcome(Level::Warning, "A-1 matches 3 assets: which one?", None);
    o.question = Some(crate::station::question::QuestionView {
        prompt: "A-1 matches 3 assets: which one?".into(),
        expects: "pick",
        hint: "pick 1–3 or CANCEL".into(),
        options: vec![
            "A-1 (in_stock)".into(),
            "a-1 (in_stock)".into(),
            "A-1 (lost)".into(),
        ],
    });
    h.outcome(o);
    h.press(KeyCode::Down, KeyModifiers::NONE, 0);
    h.press(KeyCode::Down, KeyModifiers::NONE, 200);
    h.press(KeyCode::Down, KeyModifiers::NONE, 400); // stops at the last
    h.press(KeyCode::Up, KeyModifiers::NONE, 600);
    h.press(KeyCode::Enter, KeyModifiers::NONE, 800);
    h.tick(1000);
    assert_eq!(h.inputs(), [Input::Command(Command::Pick(2))]);
    h.press(KeyCode::F(6), KeyModifiers::NONE, 1200);
    assert_eq!(h.inputs(), [Input::Command(Command::Mode(Mode::Disposal))]);
}

#[test]
fn an_error_stays_on_the_banner_until_esc() {
    let mut h = Harness::new();
    h.outcome(outcome(
        Level::Error,
        "NOT SAVED — disk full. Scan again.",
        None,
    ));
    h.outcome(outcome(Level::Ok, "A-1001 · in_stock", None));
    let b = h.app.banner.clone().unwrap();
    assert_eq!(b.level, Level::Error, "the OK did not hide the error");
    assert_eq!(h.app.scans.len(), 0, "(no code: not listed)");
    // Left unacknowledged for ten minutes it is still red, not a faded READY.
    h.tick(600_000);
    assert!(
        h.app.banner.as_ref().unwrap().fresh,
        "an unacknowledged error faded"
    );
    h.press(KeyCode::Esc, KeyModifiers::NONE, 600_100);
    h.outcome(outcome(Level::Ok, "A-1001 · in_stock", None));
    assert_eq!(h.app.banner.clone().unwrap().level, Level::Ok);
    // A question that comes after an error takes the banner: it needs an answer now.
    h.outcome(outcome(Level::Error, "DUPLICATE SERIAL", None));
    let mut o = outcome(Level::Warning, "Line 9 is complete: receive it over?", None);
    o.question = Some(crate::station::question::QuestionView {
        prompt: "receive it over the order?".into(),
        expects: "confirm",
        hint: "CONFIRM or CANCEL".into(),
        options: Vec::new(),
    });
    h.outcome(o);
    assert_eq!(h.app.banner.clone().unwrap().level, Level::Warning);
}

#[test]
fn enter_confirms_and_esc_cancels_a_yes_no_question() {
    let mut h = Harness::new();
    let mut o = outcome(Level::Warning, "Enrol ZZ-1? CONFIRM or CANCEL", None);
    o.question = Some(crate::station::question::QuestionView {
        prompt: "Enrol ZZ-1 as a new asset (in_stock)?".into(),
        expects: "confirm",
        hint: "CONFIRM or CANCEL".into(),
        options: Vec::new(),
    });
    h.outcome(o);
    h.press(KeyCode::Enter, KeyModifiers::NONE, 0);
    h.tick(200);
    assert_eq!(h.inputs(), [Input::Command(Command::Confirm)]);
    h.press(KeyCode::Esc, KeyModifiers::NONE, 400);
    assert_eq!(h.inputs(), [Input::Command(Command::Cancel)]);
}
