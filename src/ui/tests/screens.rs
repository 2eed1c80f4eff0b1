//! Every screen state as an insta snapshot, plus the colours a text snapshot
//! cannot show.

use super::*;

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
    h.outcome(
        outcome(
            Level::Error,
            "A-1003 is disposed: a disposed asset cannot come back into service",
            None,
        )
        .answering("A-1003".into()),
    );
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
    h.outcome(
        outcome(
            Level::Ok,
            "Location LOC-B2.03: 14 assets here",
            Some(Panel::Location(LocationCard {
                code: "LOC-B2.03".into(),
                name: "Store room B2, shelf 3".into(),
                path: "HQ > Building B > Room B2 > Shelf 3".into(),
                asset_count: 14,
            })),
        )
        .answering("LOC-B2.03".into()),
    );
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
    let mut chafon = reader(
        "serial:/dev/scanstation/rfid-0?profile=chafon",
        ReaderState::Connected,
    );
    chafon.tags = 5;
    chafon.errors.crc = 3;
    h.app.update(UiEvent::Reader(chafon), now);
    let mut llrp = reader("tcp:192.0.2.5:5084", ReaderState::Connected);
    llrp.tags = 2;
    h.app.update(UiEvent::Reader(llrp), now);
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
    // Counts and errors beside each reader; a lost reader keeps its counts.
    assert!(row.contains("● connected 5 tags 3 bad"), "{row}");
    assert!(row.contains("● lost 2 tags"), "{row}");
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
    o.code = Some("A-1001".into());
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
    o.code = Some("\u{1b}[2J01\u{1d}21X".into());
    h.outcome(o);
    let text = h.render(120, 40).backend().to_string();
    assert!(text.contains("␛[2J01␝21X"), "{text}");
    assert!(!text.contains('\u{1b}'));
}

#[test]
fn a_workflow_view_and_a_pick_question() {
    use crate::station::question::QuestionView;
    use crate::station::view::{Progress, WorkflowView};
    let mut h = Harness::new();
    let view = WorkflowView {
        title: "Receiving PO-1001 · Acme".into(),
        lines: vec![
            "line 1  Latitude 7440     9 / 10".into(),
            "line 2  P2423D monitor    2 / 2".into(),
        ],
        progress: Some(Progress {
            label: "units".into(),
            done: 11,
            total: 12,
        }),
        list_title: "Last unit".into(),
        list: vec!["5CG3301A1K → A-1011".into()],
        trend: None,
    };
    let mut o = outcome(
        Level::Warning,
        "Unit over line 1: CONFIRM or CANCEL",
        Some(Panel::Workflow(view)),
    );
    o.question = Some(QuestionView {
        prompt: "Which order?".into(),
        expects: "pick",
        hint: "pick 1–3 or CANCEL".into(),
        options: vec![
            "PO-1001 Acme".into(),
            "PO-1002 Globex".into(),
            "PO-1003 Initech".into(),
        ],
    });
    h.outcome(o);
    h.press(KeyCode::Down, KeyModifiers::NONE, 10);
    insta::assert_snapshot!("workflow_pick_120x40", h.render(120, 40).backend());
    insta::assert_snapshot!("workflow_pick_80x24", h.render(80, 24).backend());
}

#[test]
fn label_queue_in_header() {
    let mut h = Harness::new();
    let now = h.at(0);
    let row = |h: &Harness| -> String {
        let t = h.render(120, 40);
        (0..120)
            .map(|x| t.backend().buffer()[(x, 1)].symbol().to_string())
            .collect()
    };
    // No worker (no printer): nothing about labels.
    assert!(!row(&h).contains("labels"));
    h.app.update(
        UiEvent::Labels(crate::store::label_jobs::Counts {
            queued: 3,
            failed: 0,
        }),
        now,
    );
    let r = row(&h);
    assert!(
        r.contains("labels 3 queued") && !r.contains("failed"),
        "{r}"
    );
    h.app.update(
        UiEvent::Labels(crate::store::label_jobs::Counts {
            queued: 0,
            failed: 2,
        }),
        now,
    );
    let t = h.render(120, 40);
    let r: String = (0..120)
        .map(|x| t.backend().buffer()[(x, 1)].symbol().to_string())
        .collect();
    assert!(r.contains("labels 0 queued 2 failed"), "{r}");
    let at = r[..r.find("2 failed").unwrap()].chars().count();
    assert_eq!(t.backend().buffer()[(at as u16, 1)].fg, Color::Red);
}
