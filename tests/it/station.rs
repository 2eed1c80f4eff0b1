//! The station without a terminal or devices: inputs in, outcomes out, and the
//! journal checked through a second connection (what is on disk).

use crate::support::Sandbox;
use scanstation::input::{Command, Input, Mode, RfidRead, Scan, Source, MAX_SCAN_BYTES};
use scanstation::station::outcome::{Level, Outcome, Panel};
use scanstation::station::seed::{seed_demo, DemoCodes};
use scanstation::station::{Station, StationSettings};
use scanstation::store::{journal, Store};
use std::time::SystemTime;

fn scan(code: impl Into<Vec<u8>>) -> Input {
    Input::Scan(Scan::new(Source::Wedge, code, SystemTime::now()))
}

fn settings() -> StationSettings {
    StationSettings {
        station_id: "bench-1".into(),
        ..StationSettings::default()
    }
}

/// A seeded store and a station on it.
fn station_with(sb: &Sandbox, f: impl FnOnce(&mut StationSettings)) -> (Station, DemoCodes) {
    let mut store = Store::open(&sb.db()).unwrap();
    let codes = seed_demo(&mut store, "seed").unwrap();
    let mut s = settings();
    f(&mut s);
    (Station::new(store, s).unwrap(), codes)
}

/// The event as on disk, read through a fresh connection.
fn on_disk(sb: &Sandbox, seq: i64) -> journal::EventRow {
    let store = Store::open(&sb.db()).unwrap();
    journal::get(store.conn(), seq)
        .unwrap()
        .unwrap_or_else(|| panic!("journal #{seq} is not on disk"))
}

fn journal_len(sb: &Sandbox) -> u64 {
    let store = Store::open(&sb.db()).unwrap();
    journal::count(store.conn()).unwrap()
}

fn asset_card(o: &Outcome) -> &scanstation::station::outcome::AssetCard {
    match &o.panel {
        Some(Panel::Asset(c)) => c,
        other => panic!("expected an asset card, got {other:?} ({})", o.message),
    }
}

#[test]
fn a_known_tag_shows_its_card_and_the_scan_is_on_disk() {
    let sb = Sandbox::new();
    let (mut st, codes) = station_with(&sb, |_| {});
    let o = st.handle(scan(codes.tags[0].as_str()));
    assert_eq!(o.level, Level::Ok, "{}", o.message);
    assert_eq!(
        o.message,
        "A-1001 · Dell Latitude 7440 · in_stock · LOC-R101-S1"
    );
    let card = asset_card(&o);
    assert_eq!(card.tag, "A-1001");
    assert_eq!(
        card.location.as_deref(),
        Some("LOC-R101-S1 — Store Room 101, Shelf 1")
    );
    assert!(card
        .identifiers
        .contains(&("serial".to_string(), codes.serials[0].clone())));
    // History newest first, starting with this very scan.
    let seq = o.seq.expect("a seq");
    assert_eq!(card.history[0].seq, seq);
    assert_eq!(card.history[0].kind, "scan");
    assert_eq!(card.history.last().unwrap().kind, "asset.created");
    let ev = on_disk(&sb, seq);
    assert_eq!(ev.kind, "scan");
    assert_eq!(ev.station, "bench-1");
    assert_eq!(ev.operator, None);
    assert!(!ev.training);
    assert_eq!(ev.payload["text"], "A-1001");
    assert_eq!(ev.payload["source"], "wedge");
    assert_eq!(ev.payload["asset_id"], card.asset_id);
    assert_eq!(ev.payload["identity"]["type"], "asset_tag");
}

#[test]
fn typed_lower_case_finds_the_asset() {
    let sb = Sandbox::new();
    let (mut st, _) = station_with(&sb, |_| {});
    let typed = Input::Scan(Scan::new(Source::Typed, "a-1002", SystemTime::now()));
    let o = st.handle(typed);
    assert_eq!(o.level, Level::Ok, "{}", o.message);
    assert_eq!(asset_card(&o).tag, "A-1002");
}

#[test]
fn gs1_labels_find_assets_by_gtin_serial_and_giai() {
    let sb = Sandbox::new();
    let (mut st, codes) = station_with(&sb, |_| {});
    // ]C1 (GS1-128): (01) GTIN + (21) serial, as the demo scans it.
    let gs1 = codes
        .scan_codes
        .iter()
        .find(|c| c.starts_with("]C1"))
        .unwrap();
    let o = st.handle(scan(gs1.as_str()));
    assert_eq!(o.level, Level::Ok, "{}", o.message);
    assert_eq!(asset_card(&o).tag, "A-1001");
    let ev = on_disk(&sb, o.seq.unwrap());
    assert_eq!(ev.payload["identity"]["type"], "gtin_serial");
    assert_eq!(ev.payload["matched"], "gtin_serial");
    // (8004) GIAI: company prefix + asset reference.
    let o = st.handle(scan("]C1800406141411005"));
    assert_eq!(o.level, Level::Ok, "{}", o.message);
    assert_eq!(asset_card(&o).tag, "A-1005");
}

#[test]
fn a_serial_finds_its_asset() {
    let sb = Sandbox::new();
    let (mut st, codes) = station_with(&sb, |_| {});
    let o = st.handle(scan(codes.serials[3].as_str()));
    assert_eq!(o.level, Level::Ok, "{}", o.message);
    assert_eq!(asset_card(&o).tag, codes.tags[3]);
}

#[test]
fn an_unknown_code_is_journaled_and_can_be_enrolled() {
    let sb = Sandbox::new();
    let (mut st, codes) = station_with(&sb, |_| {});
    let o = st.handle(scan(codes.unknown.as_str()));
    assert_eq!(o.level, Level::Warning);
    assert_eq!(
        o.message,
        "Unknown code ZX-UNKNOWN-42 — F7 or CMD:ENROL to enrol it"
    );
    assert_eq!(o.code.as_deref(), Some("ZX-UNKNOWN-42"));
    assert!(matches!(&o.panel, Some(Panel::Unknown { code, .. }) if code == "ZX-UNKNOWN-42"));
    let ev = on_disk(&sb, o.seq.unwrap());
    assert_eq!(ev.payload["text"], "ZX-UNKNOWN-42");
    assert!(ev.payload.get("asset_id").is_none());

    // Enrol is deliberate: it asks, naming the code, and nothing is created yet.
    let before = journal_len(&sb);
    let o = st.handle(Input::Command(Command::EnrolLast));
    assert_eq!(o.level, Level::Warning, "{}", o.message);
    let q = o.question.expect("a question");
    assert_eq!(q.prompt, "Enrol ZX-UNKNOWN-42 as a new asset (in_stock)?");
    assert_eq!(journal_len(&sb), before, "asking writes no event");
    let o = st.handle(Input::Command(Command::Confirm));
    assert_eq!(o.level, Level::Ok, "{}", o.message);
    assert_eq!(o.code, None, "a command answers no code");
    assert_eq!(o.message, "Enrolled ZX-UNKNOWN-42 · in_stock");
    assert_eq!(o.question, None);
    assert_eq!(on_disk(&sb, o.seq.unwrap()).kind, "question.answered");
    let card = asset_card(&o);
    assert_eq!(card.status, "in_stock");
    let ev = on_disk(&sb, o.seq.unwrap() + 1);
    assert_eq!(ev.kind, "asset.created");
    assert_eq!(ev.payload["via"], "enrol");
    assert_eq!(ev.payload["tag"], "ZX-UNKNOWN-42");

    // Now it is known; and enrolling again has nothing pending.
    let o = st.handle(scan(codes.unknown.as_str()));
    assert_eq!(o.level, Level::Ok, "{}", o.message);
    let before = journal_len(&sb);
    let o = st.handle(Input::Command(Command::EnrolLast));
    assert_eq!(o.level, Level::Warning);
    assert_eq!(o.seq, None);
    assert_eq!(journal_len(&sb), before, "nothing to enrol writes nothing");
}

#[test]
fn the_pending_enrol_is_forgotten_after_another_scan() {
    let sb = Sandbox::new();
    let (mut st, codes) = station_with(&sb, |_| {});
    st.handle(scan("ZX-NEW-1"));
    st.handle(scan(codes.tags[1].as_str()));
    let o = st.handle(Input::Command(Command::EnrolLast));
    assert_eq!(o.level, Level::Warning, "{}", o.message);
    // The question is left when the operator scans on.
    st.handle(scan("ZX-NEW-3"));
    assert!(st.handle(scan("CMD:ENROL")).question.is_some());
    st.handle(scan(codes.tags[1].as_str()));
    assert_eq!(st.handle(scan("CMD:CONFIRM")).message, "Nothing to confirm");
    // CMD:ENROL then CMD:CONFIRM enrols, from the scanner alone.
    st.handle(scan("ZX-NEW-2"));
    let o = st.handle(scan("CMD:ENROL"));
    assert_eq!(
        o.question.map(|q| q.prompt).as_deref(),
        Some("Enrol ZX-NEW-2 as a new asset (in_stock)?")
    );
    let o = st.handle(scan("CMD:CONFIRM"));
    assert_eq!(o.message, "Enrolled ZX-NEW-2 · in_stock");
    let scan_ev = on_disk(&sb, o.seq.unwrap());
    assert_eq!(scan_ev.kind, "scan");
    assert_eq!(on_disk(&sb, o.seq.unwrap() + 1).kind, "question.answered");
    assert_eq!(on_disk(&sb, o.seq.unwrap() + 2).kind, "asset.created");
}

#[test]
fn badges_sign_in_and_every_event_carries_the_operator() {
    let sb = Sandbox::new();
    let (mut st, codes) = station_with(&sb, |_| {});
    let o = st.handle(scan("B0001"));
    assert_eq!(o.level, Level::Ok, "{}", o.message);
    assert_eq!(o.message, "Signed in: Ana Lopez (B0001)");
    assert_eq!(o.session.operator.as_ref().unwrap().role, "supervisor");
    let seq = o.seq.unwrap();
    assert_eq!(
        on_disk(&sb, seq).operator,
        None,
        "the badge scan happened before sign-in"
    );
    let signed = on_disk(&sb, seq + 1);
    assert_eq!(signed.kind, "operator.signed_in");
    assert_eq!(signed.operator.as_deref(), Some("B0001"));

    let o = st.handle(scan(codes.tags[2].as_str()));
    assert_eq!(
        on_disk(&sb, o.seq.unwrap()).operator.as_deref(),
        Some("B0001")
    );

    // Another badge takes over.
    let o = st.handle(scan("B0002"));
    assert_eq!(o.session.operator.as_ref().unwrap().badge, "B0002");
    assert_eq!(on_disk(&sb, o.seq.unwrap() + 1).kind, "operator.signed_out");

    let o = st.handle(scan("B9999"));
    assert_eq!(o.level, Level::Error);
    assert_eq!(
        o.session.operator.as_ref().unwrap().badge,
        "B0002",
        "an unknown badge changes nothing"
    );
    assert_eq!(
        on_disk(&sb, o.seq.unwrap()).payload["refused"],
        "unknown_badge"
    );

    let o = st.handle(Input::Command(Command::SignOut));
    assert_eq!(o.level, Level::Ok);
    assert!(o.session.operator.is_none());
    let ev = on_disk(&sb, o.seq.unwrap());
    assert_eq!(ev.kind, "operator.signed_out");
    assert_eq!(ev.operator.as_deref(), Some("B0002"));
    let o = st.handle(scan(codes.tags[2].as_str()));
    assert_eq!(on_disk(&sb, o.seq.unwrap()).operator, None);
}

#[test]
fn a_crash_resumes_the_session_and_quitting_ends_it() {
    let sb = Sandbox::new();
    let (mut st, codes) = station_with(&sb, |_| {});
    assert_eq!(st.handle(scan("B0001")).level, Level::Ok);
    // The process dies: no stop().
    drop(st);
    let mut st = Station::new(Store::open(&sb.db()).unwrap(), settings()).unwrap();
    let o = st.handle(Input::Tick(SystemTime::now()));
    assert_eq!(o.session.operator.as_ref().unwrap().badge, "B0001");
    let o = st.handle(scan(codes.tags[0].as_str()));
    assert_eq!(
        on_disk(&sb, o.seq.unwrap()).operator.as_deref(),
        Some("B0001")
    );
    // Another station on the same store resumes nothing of bench-1's.
    let mut other = Station::new(Store::open(&sb.db()).unwrap(), {
        let mut s = settings();
        s.station_id = "bench-2".into();
        s
    })
    .unwrap();
    let o = other.handle(Input::Tick(SystemTime::now()));
    assert!(o.session.operator.is_none());
    drop(other);

    // Quitting signs out, on the journal.
    let o = st.stop("quit").pop().expect("a sign-out");
    assert!(o.session.operator.is_none());
    let ev = on_disk(&sb, o.seq.unwrap());
    assert_eq!(ev.kind, "operator.signed_out");
    assert_eq!(ev.payload["reason"], "quit");
    drop(st);
    let mut st = Station::new(Store::open(&sb.db()).unwrap(), settings()).unwrap();
    assert!(st
        .handle(Input::Tick(SystemTime::now()))
        .session
        .operator
        .is_none());
    // Stopping with nobody signed in writes nothing.
    let before = journal_len(&sb);
    assert!(st.stop("quit").is_empty());
    assert_eq!(journal_len(&sb), before);
}

#[test]
fn with_require_signin_scans_are_journaled_but_refused() {
    let sb = Sandbox::new();
    let (mut st, codes) = station_with(&sb, |s| s.require_signin = true);
    let o = st.handle(Input::Tick(SystemTime::now()));
    assert!(o.session.signin_required);
    let o = st.handle(scan(codes.tags[0].as_str()));
    assert_eq!(o.level, Level::Error);
    assert_eq!(o.message, "Scan your badge first");
    let ev = on_disk(&sb, o.seq.unwrap());
    assert_eq!(ev.payload["text"], "A-1001");
    assert_eq!(ev.payload["refused"], "signin_required");
    assert_eq!(
        st.handle(Input::Command(Command::EnrolLast)).level,
        Level::Error
    );

    assert_eq!(st.handle(scan(codes.badge.as_str())).level, Level::Ok);
    let o = st.handle(scan(codes.tags[0].as_str()));
    assert_eq!(o.level, Level::Ok, "{}", o.message);
    assert!(!o.session.signin_required);
}

#[test]
fn training_marks_every_event() {
    let sb = Sandbox::new();
    let (mut st, codes) = station_with(&sb, |s| s.training = true);
    let first = journal_len(&sb) as i64;
    st.handle(scan("B0003"));
    st.handle(scan(codes.tags[5].as_str()));
    st.handle(scan("ZX-TRAIN-1"));
    st.handle(Input::Command(Command::EnrolLast));
    st.handle(Input::Command(Command::Confirm));
    st.handle(Input::Command(Command::SignOut));
    let store = Store::open(&sb.db()).unwrap();
    let rows = journal::read_since(store.conn(), first, 100).unwrap();
    // scan, signed_in, scan, scan, question.answered, asset.created, signed_out
    assert_eq!(rows.len(), 7, "{rows:?}");
    assert!(rows.iter().all(|r| r.training), "{rows:?}");
}

#[test]
fn arbitrary_bytes_are_unknown_codes_kept_as_hex() {
    let sb = Sandbox::new();
    let (mut st, _) = station_with(&sb, |_| {});
    let o = st.handle(scan(vec![0xFF, 0xFE, b'A', 0x00, 0x1D]));
    assert_eq!(o.level, Level::Warning);
    assert!(
        o.message.contains("cannot enrol: it is not text"),
        "{}",
        o.message
    );
    let ev = on_disk(&sb, o.seq.unwrap());
    assert_eq!(ev.payload["raw_hex"], "fffe41001d");
    assert_eq!(
        st.handle(Input::Command(Command::EnrolLast)).level,
        Level::Warning
    );

    let o = st.handle(scan(vec![b'X'; MAX_SCAN_BYTES + 500]));
    assert_eq!(o.level, Level::Warning);
    assert!(o.message.contains("cannot enrol"), "{}", o.message);
    let ev = on_disk(&sb, o.seq.unwrap());
    assert_eq!(ev.payload["truncated"], true);
    assert_eq!(ev.payload["text"].as_str().unwrap().len(), MAX_SCAN_BYTES);

    let o = st.handle(scan("\u{7}BELL\r"));
    assert_eq!(o.level, Level::Warning);
    assert!(o.message.contains("cannot enrol"), "{}", o.message);
}

#[test]
fn command_barcodes_switch_modes_and_say_what_is_not_built() {
    let sb = Sandbox::new();
    let (mut st, codes) = station_with(&sb, |_| {});
    let o = st.handle(scan("CMD:MODE:WIPE"));
    assert_eq!(o.level, Level::Ok);
    assert!(
        o.message.starts_with("Wipe mode · next: scan an asset"),
        "{}",
        o.message
    );
    assert_eq!(o.session.mode, Mode::Wipe);
    assert_eq!(
        on_disk(&sb, o.seq.unwrap() + 1).kind,
        "station.mode_changed"
    );
    let o = st.handle(scan(codes.tags[0].as_str()));
    assert_eq!(o.level, Level::Warning);
    assert!(o.seq.is_some());
    let o = st.handle(Input::Command(Command::Mode(Mode::Lookup)));
    assert_eq!(o.level, Level::Ok);
    assert_eq!(o.session.mode, Mode::Lookup);
    // A well-formed command no mode knows: a warning saying what was expected.
    let o = st.handle(scan("CMD:FROBNICATE"));
    assert_eq!(o.level, Level::Warning);
    assert!(
        o.message
            .starts_with("CMD:FROBNICATE means nothing in Lookup mode now: expected CMD:CONFIRM"),
        "{}",
        o.message
    );
    // Not a command at all.
    let o = st.handle(scan("CMD:@@"));
    assert_eq!(o.level, Level::Error);
    assert_eq!(
        on_disk(&sb, o.seq.unwrap()).payload["refused"],
        "unknown_command"
    );
}

#[test]
fn a_location_label_shows_the_location() {
    let sb = Sandbox::new();
    let (mut st, codes) = station_with(&sb, |_| {});
    let o = st.handle(scan(codes.location.as_str()));
    assert_eq!(o.level, Level::Ok, "{}", o.message);
    match o.panel {
        Some(Panel::Location(l)) => {
            assert_eq!(l.code, "LOC-R101-S2");
            assert_eq!(
                l.path,
                "Headquarters > Building 1 > Store Room 101 > Store Room 101, Shelf 2"
            );
            assert!(l.asset_count > 0);
        }
        other => panic!("{other:?}"),
    }
    let o = st.handle(scan("LOC-NOWHERE"));
    assert_eq!(o.level, Level::Warning);
}

#[test]
fn rfid_reads_are_journaled_and_looked_up() {
    let sb = Sandbox::new();
    let (mut st, codes) = station_with(&sb, |_| {});
    let read = |epc: Vec<u8>| {
        Input::Rfid(RfidRead {
            source: "sim:chafon".into(),
            epc,
            antenna: Some(1),
            rssi: Some(-61.5),
            count: 3,
            at: SystemTime::now(),
        })
    };
    let o = st.handle(read(hex::decode(&codes.epcs[0]).unwrap()));
    assert_eq!(o.level, Level::Ok, "{}", o.message);
    assert!(!o.quiet);
    assert_eq!(asset_card(&o).tag, "A-1001");
    assert_eq!(o.code.as_deref(), Some(codes.epcs[0].as_str()));
    let ev = on_disk(&sb, o.seq.unwrap());
    assert_eq!(ev.kind, "rfid.read");
    assert_eq!(ev.payload["epc"], codes.epcs[0]);
    assert_eq!(ev.payload["count"], 3);

    let o = st.handle(read(vec![0xE2, 0x00, 0x12, 0x34]));
    assert_eq!(o.level, Level::Warning);
    assert!(o.quiet);
    assert_eq!(o.message, "Unknown EPC E2001234");
    assert!(o.seq.is_some());
}

#[test]
fn ticks_and_reader_status_write_nothing() {
    let sb = Sandbox::new();
    let (mut st, _) = station_with(&sb, |_| {});
    let before = journal_len(&sb);
    let o = st.handle(Input::Tick(SystemTime::now()));
    assert!(o.quiet);
    assert_eq!(o.seq, None);
    let o = st.handle(Input::ReaderStatus(scanstation::input::ReaderStatus {
        source: "serial:/dev/ttyUSB0".into(),
        state: scanstation::input::ReaderState::Lost,
        detail: "unplugged".into(),
        errors: Default::default(),
        tags: 0,
        at: SystemTime::now(),
    }));
    assert!(o.quiet);
    assert_eq!(journal_len(&sb), before);
}

#[test]
fn every_ok_outcome_is_on_disk_and_the_chain_verifies() {
    let sb = Sandbox::new();
    let (mut st, codes) = station_with(&sb, |_| {});
    let mut seqs = Vec::new();
    for code in codes
        .scan_codes
        .iter()
        .chain(codes.tags.iter())
        .chain(codes.serials.iter())
    {
        let o = st.handle(scan(code.as_str()));
        assert_ne!(o.level, Level::Error, "{code}: {}", o.message);
        seqs.push((o.seq.expect("every scan is journaled"), code.clone()));
    }
    let store = Store::open(&sb.db()).unwrap();
    for (seq, code) in &seqs {
        let ev = journal::get(store.conn(), *seq).unwrap().expect("on disk");
        assert_eq!(ev.payload["text"], code.as_str());
    }
    assert!(matches!(
        journal::verify(store.conn(), None).unwrap(),
        journal::VerifyReport::Ok { .. }
    ));
}

#[test]
fn a_failed_write_says_not_saved_and_changes_nothing() {
    let sb = Sandbox::new();
    let (mut st, _) = station_with(&sb, |_| {});
    let before = journal_len(&sb);
    // The disk refuses the write (a trigger stands in for a full disk).
    let other = rusqlite::Connection::open(sb.db()).unwrap();
    other
        .execute_batch(
            "CREATE TRIGGER full BEFORE INSERT ON journal \
             BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END",
        )
        .unwrap();
    let o = st.handle(scan("B0001"));
    assert_eq!(o.level, Level::Error);
    assert!(o.message.starts_with("NOT SAVED — "), "{}", o.message);
    assert!(
        o.session.operator.is_none(),
        "not signed in when the sign-in was not saved"
    );
    assert_eq!(o.seq, None);
    assert_eq!(journal_len(&sb), before);
    other.execute_batch("DROP TRIGGER full").unwrap();
    // The rescan goes through.
    let o = st.handle(scan("B0001"));
    assert_eq!(o.level, Level::Ok, "{}", o.message);
}

#[test]
fn a_busy_store_holds_scans_in_order_until_it_is_free() {
    let sb = Sandbox::new();
    let (mut st, codes) = station_with(&sb, |_| {});
    let before = journal_len(&sb);
    // Another process (an import) holds the write lock.
    let other = rusqlite::Connection::open(sb.db()).unwrap();
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    let first = st.submit(scan(codes.tags[0].as_str()));
    assert_eq!(first.len(), 1, "{first:?}");
    assert_eq!(first[0].input, None, "a notice, not an answer");
    assert!(first[0].message.starts_with("Store busy — 1 scans waiting"));
    assert_eq!(first[0].session.store_busy, 1);
    let second = st.submit(scan(codes.tags[1].as_str()));
    assert!(second[0]
        .message
        .starts_with("Store busy — 2 scans waiting"));
    assert!(
        st.submit(Input::Tick(SystemTime::now())).is_empty(),
        "no news"
    );
    assert_eq!(journal_len(&sb), before, "nothing is on disk yet");
    other.execute_batch("ROLLBACK").unwrap();
    // The next tick saves both, in order, each with its own OK.
    let out = st.submit(Input::Tick(SystemTime::now()));
    let answers: Vec<&Outcome> = out.iter().filter(|o| o.input.is_some()).collect();
    assert_eq!(answers.len(), 2, "{out:?}");
    assert!(answers.iter().all(|o| o.level == Level::Ok));
    assert!(answers[0].seq < answers[1].seq);
    assert_eq!(
        on_disk(&sb, answers[0].seq.unwrap()).payload["text"],
        "A-1001"
    );
    assert_eq!(out.last().unwrap().session.store_busy, 0);
}

mod arbitrary {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        /// Any bytes, as any input, never panic; every scan is journaled with
        /// its exact bytes.
        #[test]
        fn any_scan_is_journaled_and_never_panics(
            scans in proptest::collection::vec(
                prop_oneof![
                    proptest::collection::vec(any::<u8>(), 0..64),
                    "[A-Z]{1,3}-?[0-9]{4}".prop_map(String::into_bytes),
                    "(CMD:|B|LOC-)[A-Z0-9:]{0,12}".prop_map(String::into_bytes),
                ],
                1..8,
            ),
            enrol in any::<bool>(),
        ) {
            let mut store = Store::open_in_memory().unwrap();
            seed_demo(&mut store, "seed").unwrap();
            let mut st = Station::new(store, settings()).unwrap();
            for raw in scans {
                let o = st.handle(scan(raw.clone()));
                let seq = o.seq.expect("every scan is journaled");
                let ev = journal::get(st.store().conn(), seq).unwrap().unwrap();
                prop_assert_eq!(&ev.kind, "scan");
                match std::str::from_utf8(&raw) {
                    Ok(t) => prop_assert_eq!(ev.payload["text"].as_str(), Some(t)),
                    Err(_) => {
                        let want = hex::encode(&raw);
                        prop_assert_eq!(ev.payload["raw_hex"].as_str(), Some(want.as_str()))
                    }
                }
                if enrol {
                    let o = st.handle(Input::Command(Command::EnrolLast));
                    prop_assert_ne!(o.level, Level::Error, "{}", o.message);
                }
            }
        }
    }
}

#[test]
fn a_tag_lying_on_the_reader_is_announced_once_then_journaled_quietly() {
    use std::time::Duration;
    let sb = Sandbox::new();
    let (mut st, codes) = station_with(&sb, |_| {});
    let t0 = SystemTime::now();
    let read = |epc: &str, secs: u64| {
        Input::Rfid(RfidRead {
            source: "sim:chafon".into(),
            epc: hex::decode(epc).unwrap(),
            antenna: Some(1),
            rssi: None,
            count: 1,
            at: t0 + Duration::from_secs(secs),
        })
    };
    let o = st.handle(read(&codes.epcs[0], 0));
    assert!(!o.quiet);
    assert_eq!(asset_card(&o).tag, "A-1001");
    // Reported again every dedupe window while it lies there.
    for secs in 1..=9 {
        let o = st.handle(read(&codes.epcs[0], secs));
        assert!(o.quiet, "second {secs}: {}", o.message);
        assert!(o.panel.is_none(), "the panel stays as it was");
        let ev = on_disk(&sb, o.seq.expect("still journaled"));
        assert_eq!(ev.kind, "rfid.read");
    }
    // Still there: still quiet, past the first read's ten seconds.
    assert!(st.handle(read(&codes.epcs[0], 15)).quiet);
    // Another tag is announced meanwhile; the first, away ten seconds, is
    // announced again when it comes back.
    assert!(!st.handle(read(&codes.epcs[1], 5)).quiet);
    let o = st.handle(read(&codes.epcs[0], 25));
    assert!(!o.quiet);
    assert_eq!(asset_card(&o).tag, "A-1001");
}

// ---- Matching (issue 9 item 8) and the status of what is found (item 9) ----

/// A seeded store with extra assets made by `f` before the station opens it.
fn station_after(
    sb: &Sandbox,
    settings_f: impl FnOnce(&mut StationSettings),
    f: impl FnOnce(&rusqlite::Connection),
) -> (Station, DemoCodes) {
    let mut store = Store::open(&sb.db()).unwrap();
    let codes = seed_demo(&mut store, "seed").unwrap();
    let tx = store.write().unwrap();
    f(tx.conn());
    tx.commit().unwrap();
    let mut s = settings();
    settings_f(&mut s);
    (Station::new(store, s).unwrap(), codes)
}

/// A new in_stock asset with `tag`, of `model`, holding `ids` (kind, value).
fn add_asset(c: &rusqlite::Connection, tag: &str, model: Option<i64>, ids: &[(&str, &str)]) -> i64 {
    let id = scanstation::store::assets::create(
        c,
        &scanstation::store::assets::NewAsset {
            tag: tag.into(),
            status: "in_stock".into(),
            model_id: model,
            ..Default::default()
        },
    )
    .unwrap();
    for (k, v) in ids {
        scanstation::store::identifiers::add(c, id, k, v).unwrap();
    }
    id
}

/// A model listing `gtin`.
fn model_with_gtin(c: &rusqlite::Connection, name: &str, gtin: &str) -> i64 {
    let (id, _) =
        scanstation::store::catalog::get_or_create_model(c, name, Some("Acme"), Some("Laptops"))
            .unwrap();
    scanstation::store::catalog::set_model_details(c, id, &[gtin.to_string()], true).unwrap();
    id
}

fn rfid(epc: Vec<u8>) -> Input {
    Input::Rfid(RfidRead {
        source: "sim:chafon".into(),
        epc,
        antenna: Some(1),
        rssi: Some(-61.5),
        count: 1,
        at: SystemTime::now(),
    })
}

#[test]
fn a_scanned_tag_matches_ignoring_case_unless_its_kind_is_case_sensitive() {
    let sb = Sandbox::new();
    let (mut st, codes) = station_with(&sb, |_| {});
    let o = st.handle(scan("a-1002"));
    assert_eq!(o.level, Level::Ok, "{}", o.message);
    assert_eq!(asset_card(&o).tag, "A-1002");
    let ev = on_disk(&sb, o.seq.unwrap());
    assert_eq!(ev.payload["text"], "a-1002");
    assert_eq!(ev.payload["matched"], "asset_tag");
    // A serial in lower case, too.
    let o = st.handle(scan(codes.serials[3].to_lowercase()));
    assert_eq!(o.level, Level::Ok, "{}", o.message);
    assert_eq!(asset_card(&o).tag, codes.tags[3]);
    drop(st);

    let sb = Sandbox::new();
    let (mut st, _) = station_with(&sb, |s| {
        s.identify.case_sensitive = vec!["asset_tag".into()];
    });
    let o = st.handle(scan("a-1002"));
    assert_eq!(o.level, Level::Warning, "{}", o.message);
    assert!(
        o.message.starts_with("Unknown code a-1002"),
        "{}",
        o.message
    );
    let o = st.handle(scan("A-1002"));
    assert_eq!(o.level, Level::Ok, "{}", o.message);
}

#[test]
fn two_tags_differing_only_in_case_both_stay_and_a_scan_of_either_asks_which() {
    let sb = Sandbox::new();
    let mut ids = Vec::new();
    let (mut st, _) = station_after(
        &sb,
        |_| {},
        |c| {
            ids.push(add_asset(c, "IT-00001", None, &[]));
            ids.push(add_asset(c, "it-00001", None, &[]));
        },
    );
    for code in ["IT-00001", "it-00001", "It-00001"] {
        let o = st.handle(scan(code));
        assert_eq!(o.level, Level::Warning, "{code}: {}", o.message);
        assert_eq!(
            o.message,
            format!("{code} matches 2 assets: which one? pick 1–2 or CANCEL")
        );
        let q = o.question.clone().expect("asks which");
        assert!(
            q.options[0].starts_with("IT-00001 (in_stock"),
            "{:?}",
            q.options
        );
        assert!(
            q.options[1].starts_with("it-00001 (in_stock"),
            "{:?}",
            q.options
        );
        assert_eq!(o.panel, Some(Panel::Empty), "nothing picked");
        let ev = on_disk(&sb, o.seq.unwrap());
        assert_eq!(ev.payload["asset_ids"], serde_json::json!(ids));
        assert_eq!(ev.payload["ambiguous"], true);
        assert!(ev.payload.get("asset_id").is_none());
    }
    // Nothing was merged or renamed.
    let store = Store::open(&sb.db()).unwrap();
    for (id, tag) in ids.iter().zip(["IT-00001", "it-00001"]) {
        assert_eq!(
            scanstation::store::identifiers::first_of_kind(store.conn(), *id, "asset_tag").unwrap(),
            Some(tag.to_string())
        );
    }
    // Where asset tags are case-sensitive, each finds its own.
    drop(st);
    let sb = Sandbox::new();
    let (mut st, _) = station_after(
        &sb,
        |s| s.identify.case_sensitive = vec!["asset_tag".into()],
        |c| {
            add_asset(c, "IT-00001", None, &[]);
            add_asset(c, "it-00001", None, &[]);
        },
    );
    let o = st.handle(scan("it-00001"));
    assert_eq!(o.level, Level::Ok, "{}", o.message);
    assert_eq!(asset_card(&o).tag, "it-00001");
}

#[test]
fn a_gs1_gtin_serial_finds_the_asset_with_that_serial() {
    let sb = Sandbox::new();
    let (mut st, codes) = station_with(&sb, |_| {});
    // A-1002 has no gtin_serial identifier, only its serial.
    let gs1 = format!(
        "]C101{}21{}",
        scanstation::station::seed::DEMO_GTIN,
        codes.serials[1]
    );
    let o = st.handle(scan(gs1.as_str()));
    assert_eq!(o.level, Level::Ok, "{}", o.message);
    assert_eq!(asset_card(&o).tag, "A-1002");
    let ev = on_disk(&sb, o.seq.unwrap());
    assert_eq!(ev.payload["identity"]["type"], "gtin_serial");
    assert_eq!(ev.payload["matched"], "serial");
    // Bracketed text and a lower-case serial find it too.
    let text = format!(
        "(01){}(21){}",
        scanstation::station::seed::DEMO_GTIN,
        codes.serials[1].to_lowercase()
    );
    let o = st.handle(scan(text.as_str()));
    assert_eq!(o.level, Level::Ok, "{}", o.message);
    assert_eq!(asset_card(&o).tag, "A-1002");
}

#[test]
fn a_serial_on_two_assets_is_decided_by_the_models_gtin_or_asked() {
    let sb = Sandbox::new();
    let g1 = "09506000134352";
    let g2 = "00614141123452";
    let mut ids = Vec::new();
    let (mut st, _) = station_after(
        &sb,
        |_| {},
        |c| {
            let m1 = model_with_gtin(c, "Model One", g1);
            let m2 = model_with_gtin(c, "Model Two", g2);
            ids.push(add_asset(c, "X-0001", Some(m1), &[("serial", "DUP123")]));
            // A serial is unique per value; two that differ only in case may be
            // two products' serials.
            ids.push(add_asset(c, "X-0002", Some(m2), &[("serial", "dup123")]));
        },
    );
    for (gtin, tag) in [(g1, "X-0001"), (g2, "X-0002")] {
        let o = st.handle(scan(format!("]C101{gtin}21DUP123")));
        assert_eq!(o.level, Level::Ok, "{}", o.message);
        assert_eq!(asset_card(&o).tag, tag);
    }
    // A GTIN neither model lists, or the bare serial: ask, pick nothing.
    for code in [
        "]C1010950110153000321DUP123".to_string(),
        "DUP123".to_string(),
    ] {
        let o = st.handle(scan(code.as_str()));
        assert_eq!(o.level, Level::Warning, "{code}: {}", o.message);
        assert!(
            o.message.contains("matches 2 assets: which one?"),
            "{}",
            o.message
        );
        let q = o.question.clone().expect("asks which");
        assert!(q.options[0].starts_with("X-0001"), "{:?}", q.options);
        let ev = on_disk(&sb, o.seq.unwrap());
        assert_eq!(ev.payload["asset_ids"], serde_json::json!(ids));
        // The pick answers it: the second asset's card.
        let o = st.handle(Input::Command(Command::Pick(2)));
        assert_eq!(o.asset, Some(ids[1]), "{}", o.message);
    }
}

#[test]
fn an_epc_typed_in_any_case_is_an_epc_and_finds_its_asset() {
    let sb = Sandbox::new();
    let (mut st, codes) = station_with(&sb, |_| {});
    let lower = codes.epcs[0].to_lowercase();
    for input in [
        Input::Scan(Scan::new(Source::Typed, lower.as_str(), SystemTime::now())),
        scan(lower.as_str()),
        scan(codes.epcs[0].as_str()),
    ] {
        let o = st.handle(input);
        assert_eq!(o.level, Level::Ok, "{}", o.message);
        assert_eq!(asset_card(&o).tag, "A-1001");
        let ev = on_disk(&sb, o.seq.unwrap());
        assert_eq!(ev.payload["identity"]["type"], "epc");
        assert_eq!(ev.payload["identity"]["value"], codes.epcs[0]);
        assert_eq!(ev.payload["matched"], "epc");
    }
}

#[test]
fn an_epc_finds_its_asset_by_the_giai_or_sgtin_it_decodes_to() {
    use scanstation::codec::epc;
    let sb = Sandbox::new();
    let (mut st, codes) = station_with(&sb, |_| {});
    // A-1001's GIAI-96 written by another encoder with filter 3: not its
    // `epc` identifier, but the same GIAI (its `giai` identifier).
    let mut other = hex::decode(&codes.epcs[0]).unwrap();
    other[1] |= 0x60;
    let o = st.handle(rfid(other.clone()));
    assert_eq!(o.level, Level::Ok, "{}", o.message);
    assert_eq!(asset_card(&o).tag, "A-1001");
    let ev = on_disk(&sb, o.seq.unwrap());
    assert_eq!(ev.payload["matched"], "giai");
    // The same, typed.
    let o = st.handle(scan(hex::encode(&other)));
    assert_eq!(o.level, Level::Ok, "{}", o.message);
    assert_eq!(asset_card(&o).tag, "A-1001");
    // A GIAI-202 that encodes the asset tag itself (A-1003 has no EPC or GIAI).
    let giai202 = epc::encode_giai202(0, "0614141", "A-1003").unwrap();
    let o = st.handle(rfid(giai202.to_vec()));
    assert_eq!(o.level, Level::Ok, "{}", o.message);
    assert_eq!(asset_card(&o).tag, "A-1003");
    assert_eq!(on_disk(&sb, o.seq.unwrap()).payload["matched"], "asset_tag");
    // An SGTIN: GTIN + serial finds A-1002 by its serial.
    let serial = codes.serials[1].as_str();
    let sgtin = epc::encode_sgtin198(0, "9506000", "013435", serial).unwrap();
    let o = st.handle(rfid(sgtin.to_vec()));
    assert_eq!(o.level, Level::Ok, "{}", o.message);
    assert_eq!(asset_card(&o).tag, "A-1002");
    assert_eq!(on_disk(&sb, o.seq.unwrap()).payload["matched"], "serial");
    drop(st);

    // Under another organisation's company prefix a GIAI names no tag of ours.
    let sb = Sandbox::new();
    let (mut st, _) = station_with(&sb, |s| {
        s.identify.gs1_company_prefix = Some("9506000".into());
    });
    let o = st.handle(rfid(giai202.to_vec()));
    assert_eq!(o.level, Level::Warning, "{}", o.message);
    assert!(o.message.starts_with("Unknown EPC"), "{}", o.message);
}

#[test]
fn disposed_lost_or_missing_assets_are_a_warning_naming_the_status() {
    let sb = Sandbox::new();
    let (mut st, codes) = station_after(
        &sb,
        |_| {},
        |c| {
            for (tag, status) in [
                ("A-1002", "disposed"),
                ("A-1003", "lost"),
                ("A-1005", "missing"),
            ] {
                let id = scanstation::store::assets::by_tag(c, tag).unwrap().unwrap();
                scanstation::store::assets::set_status(c, id, status).unwrap();
            }
        },
    );
    for (tag, word) in [
        ("A-1002", "DISPOSED"),
        ("A-1003", "LOST"),
        ("A-1005", "MISSING"),
    ] {
        let o = st.handle(scan(tag));
        assert_eq!(o.level, Level::Warning, "{tag}: {}", o.message);
        assert!(
            o.message.starts_with(tag) && o.message.contains(&format!(" · {word}:")),
            "{}",
            o.message
        );
        assert_eq!(asset_card(&o).tag, tag, "the card is still shown");
        assert!(o.seq.is_some());
    }
    // An RFID read of one (A-1005 carries an EPC) warns too, and out loud.
    let o = st.handle(rfid(hex::decode(&codes.epcs[1]).unwrap()));
    assert_eq!(o.level, Level::Warning, "{}", o.message);
    assert!(!o.quiet);
    assert!(
        o.message.starts_with("A-1005 ·") && o.message.contains(" · MISSING:"),
        "{}",
        o.message
    );
    // Other statuses stay green.
    let o = st.handle(scan("A-1001"));
    assert_eq!(o.level, Level::Ok, "{}", o.message);
}
