//! The workflow foundation: questions, badges that answer them, lifecycle
//! and policy through `Station::handle`, context and mode across restarts,
//! RFID group commit, and `scanstation feed` end to end.

use crate::support::Sandbox;
use scanstation::input::{Command, Input, Mode, RfidRead, Scan, Source};
use scanstation::station::outcome::Level;
use scanstation::station::seed::{seed_demo, DemoCodes};
use scanstation::station::{Station, StationSettings, GROUP_MAX};
use scanstation::store::{journal, Store};
use serde_json::Value;
use std::time::SystemTime;

fn scan(code: &str) -> Input {
    Input::Scan(Scan::new(Source::Wedge, code.as_bytes(), SystemTime::now()))
}

fn settings() -> StationSettings {
    StationSettings {
        station_id: "bench-1".into(),
        ..StationSettings::default()
    }
}

fn seeded(sb: &Sandbox) -> DemoCodes {
    let mut store = Store::open(&sb.db()).unwrap();
    seed_demo(&mut store, "seed").unwrap()
}

fn station(sb: &Sandbox, s: StationSettings) -> Station {
    Station::new(Store::open(&sb.db()).unwrap(), s).unwrap()
}

fn event(sb: &Sandbox, seq: i64) -> journal::EventRow {
    let store = Store::open(&sb.db()).unwrap();
    journal::get(store.conn(), seq).unwrap().unwrap()
}

fn kinds_since(sb: &Sandbox, seq: i64) -> Vec<String> {
    let store = Store::open(&sb.db()).unwrap();
    journal::read_since(store.conn(), seq, 1000)
        .unwrap()
        .into_iter()
        .map(|e| e.kind)
        .collect()
}

#[test]
fn a_rule_refuses_a_status_and_a_supervisor_badge_overrides_it() {
    let sb = Sandbox::new();
    let codes = seeded(&sb);
    let mut st = station(&sb, settings());
    assert_eq!(st.handle(scan("B0003")).level, Level::Ok); // Lee, an operator
    assert_eq!(st.handle(scan(&codes.tags[0])).level, Level::Ok);
    let o = st.handle(scan("CMD:STATUS:LOST"));
    assert_eq!(o.level, Level::Error);
    assert!(
        o.message.contains("rule lost_needs_supervisor"),
        "{}",
        o.message
    );
    let q = o.question.expect("asks for a supervisor");
    assert_eq!(q.expects, "badge");
    // Another scan does not slip past a sticky question.
    let o = st.handle(scan(&codes.tags[1]));
    assert_eq!(o.level, Level::Warning);
    assert!(o.message.starts_with("Answer first"), "{}", o.message);
    // An operator's badge is not a supervisor's: the question stays open.
    let o = st.handle(scan("B0002"));
    assert_eq!(o.level, Level::Error);
    assert!(o.question.is_some());
    // A badge that is no one's.
    let o = st.handle(scan("B9999"));
    assert_eq!(o.level, Level::Error);
    assert!(o.question.is_some());
    // The supervisor answers: the change is made, nobody is signed in or out.
    let o = st.handle(scan("B0001"));
    assert_eq!(o.question, None);
    assert_eq!(o.session.operator.as_ref().unwrap().badge, "B0003");
    let seq = o.seq.unwrap();
    let answered = event(&sb, seq + 1);
    assert_eq!(answered.kind, "question.answered");
    assert_eq!(answered.payload["by"], "B0001");
    assert_eq!(answered.operator.as_deref(), Some("B0003"));
    let changed = event(&sb, seq + 2);
    assert_eq!(changed.kind, "asset.status_changed");
    assert_eq!(changed.payload["from"], "in_stock");
    assert_eq!(changed.payload["to"], "lost");
    assert_eq!(changed.payload["overridden"], "lost_needs_supervisor");
    let overridden = event(&sb, seq + 3);
    assert_eq!(overridden.kind, "policy.overridden");
    assert_eq!(
        overridden.payload["by"], "B0001",
        "the supervisor, not the operator"
    );
    // A lost asset scanned in Lookup is a warning.
    let o = st.handle(scan(&codes.tags[0]));
    assert_eq!(o.level, Level::Warning, "{}", o.message);
    // The lifecycle itself is never overridden: lost cannot be deployed.
    let o = st.handle(scan("CMD:STATUS:DEPLOYED"));
    assert_eq!(o.level, Level::Error);
    assert!(o.message.contains("rule lifecycle"), "{}", o.message);
    assert_eq!(o.question, None);
}

#[test]
fn answers_to_no_question_and_commands_out_of_place_are_warnings() {
    let sb = Sandbox::new();
    seeded(&sb);
    let mut st = station(&sb, settings());
    for (input, says) in [
        (scan("CMD:CONFIRM"), "Nothing to confirm"),
        (scan("CMD:PICK:2"), "No list to pick from"),
        (
            scan("CMD:CLOSE"),
            "CMD:CLOSE means nothing in Lookup mode now",
        ),
        (
            scan("CMD:REASON:EOL"),
            "CMD:REASON:EOL means nothing in Lookup mode now",
        ),
        (
            scan("CMD:STATUS:BROKEN"),
            "CMD:STATUS:BROKEN is not a status",
        ),
        (Input::Command(Command::Cancel), "Nothing to cancel"),
    ] {
        let o = st.handle(input);
        assert!(
            o.message.starts_with(says),
            "{} (expected {says})",
            o.message
        );
        assert_ne!(o.level, Level::Error, "{}", o.message);
    }
}

#[test]
fn context_mode_and_question_survive_a_restart_and_feed_has_its_own() {
    let sb = Sandbox::new();
    let codes = seeded(&sb);
    {
        let mut st = station(&sb, settings());
        assert_eq!(
            st.handle(scan("CMD:MODE:DISPOSAL")).session.mode,
            Mode::Disposal
        );
        st.handle(scan("CMD:MODE:LOOKUP"));
        st.handle(scan("B0003"));
        st.handle(scan(&codes.tags[2]));
        assert!(st.handle(scan("CMD:STATUS:LOST")).question.is_some());
        // A crash: the station is dropped without stop().
    }
    // The stored mode wins over the configured one; the question is asked again.
    let mut s = settings();
    s.mode = Mode::Wipe;
    let mut st = station(&sb, s.clone());
    let o = st.handle(Input::Tick(SystemTime::now()));
    assert_eq!(o.session.mode, Mode::Lookup);
    assert!(o.session.resumed, "the screen says the session was resumed");
    let q = o.question.expect("the open question is resumed");
    assert!(q.prompt.contains("lost_needs_supervisor"), "{}", q.prompt);
    let o = st.handle(scan("B0001"));
    assert_eq!(o.level, Level::Warning, "{}", o.message); // now lost: a warning
    assert!(o.message.contains("lost"), "{}", o.message);
    drop(st);
    // Another station id (feed's) starts in its configured mode, no question.
    s.station_id = "bench-1-feed".into();
    let mut other = station(&sb, s);
    let o = other.handle(Input::Tick(SystemTime::now()));
    assert_eq!(o.session.mode, Mode::Wipe);
    assert_eq!(o.question, None);
    assert!(kinds_since(&sb, 0).contains(&"operator.resumed".to_string()));
}

fn read(epc: &str, n: u32) -> Input {
    Input::Rfid(RfidRead {
        source: "sim".into(),
        epc: hex::decode(epc).unwrap(),
        antenna: Some(1),
        rssi: Some(-60.0),
        count: n,
        at: SystemTime::now(),
    })
}

#[test]
fn rfid_reads_commit_in_groups_and_a_barcode_takes_the_group_along() {
    let sb = Sandbox::new();
    let codes = seeded(&sb);
    let mut st = station(&sb, settings());
    let before = kinds_since(&sb, 0).len();
    for (i, epc) in codes.epcs.iter().take(5).enumerate() {
        assert!(
            st.submit(read(epc, i as u32 + 1)).is_empty(),
            "held for its group"
        );
    }
    assert_eq!(st.queued(), 5);
    assert_eq!(kinds_since(&sb, 0).len(), before, "not on disk yet");
    // A barcode commits the group and itself in one transaction, in order.
    let out = st.submit(scan(&codes.tags[0]));
    assert_eq!(out.len(), 6);
    let seqs: Vec<i64> = out.iter().map(|o| o.seq.unwrap()).collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
    assert_eq!(out[5].level, Level::Ok);
    assert_eq!(out[5].input, Some(5));
    assert_eq!(event(&sb, seqs[5]).kind, "scan");
    assert_eq!(event(&sb, seqs[0]).kind, "rfid.read");
    assert_eq!(st.queued(), 0);
    // A full group commits without a tick.
    let mut answered = 0;
    for i in 0..GROUP_MAX {
        answered += st.submit(read(&codes.epcs[i % codes.epcs.len()], 1)).len();
    }
    assert_eq!(answered, GROUP_MAX);
    // A flush commits a partial group.
    st.submit(read(&codes.epcs[0], 1));
    assert_eq!(st.flush().len(), 1);
}

#[test]
fn feed_scripts_a_bench_end_to_end() {
    let sb = Sandbox::new();
    let codes = seeded(&sb);
    let file = sb.path().join("bench.feed");
    let epc = &codes.epcs[0];
    std::fs::write(
        &file,
        format!(
            "# a lookup bench\n\
             B0003\n\
             {tag}\n\
             \n\
             CMD:STATUS:LOST\n\
             B0002\n\
             B0001\n\
             {{\"epc\": \"{epc}\", \"rssi\": -58.5, \"antenna\": 2}}\n\
             {{\"scan\": \"{tag2}\", \"at\": \"2026-11-28T14:03:07.123Z\"}}\n\
             {{\"scan\": 1}}\n\
             ZX-NEW-9\n\
             CMD:ENROL\n\
             CMD:CONFIRM\n",
            tag = codes.tags[0],
            tag2 = codes.tags[1],
        ),
    )
    .unwrap();
    let out = sb.cmd().args(["feed"]).arg(&file).output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "a bad line and refusals: {stdout}"
    );
    let lines: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let nums: Vec<u64> = lines.iter().map(|l| l["line"].as_u64().unwrap()).collect();
    assert_eq!(nums, [2, 3, 5, 6, 7, 8, 9, 10, 11, 12, 13], "{stdout}");
    let by = |n: u64| lines.iter().find(|l| l["line"] == n).unwrap();
    assert_eq!(by(2)["message"], "Signed in: Lee Chen (B0003)");
    assert_eq!(by(3)["asset"]["tag"], codes.tags[0].as_str());
    assert_eq!(by(3)["identity"]["type"], "asset_tag");
    assert_eq!(by(5)["level"], "error");
    assert!(by(5)["question"]
        .as_str()
        .unwrap()
        .contains("lost_needs_supervisor"));
    assert_eq!(by(6)["level"], "error", "an operator cannot override");
    assert_eq!(by(7)["asset"]["status"], "lost");
    assert_eq!(by(7)["question"], Value::Null);
    assert_eq!(by(8)["identity"], Value::Null);
    assert!(
        by(8)["seq"].as_i64().is_some(),
        "the RFID read is journaled"
    );
    assert_eq!(by(9)["level"], "ok");
    assert_eq!(by(10)["level"], "error");
    assert_eq!(
        by(12)["question"],
        "Enrol ZX-NEW-9 as a new asset (in_stock)?"
    );
    assert_eq!(by(13)["asset"]["tag"], "ZX-NEW-9");
    assert!(lines.iter().all(|l| l["mode"] == "lookup"));

    // The handheld's time is kept beside the event's own.
    let ev = event(&sb, by(9)["seq"].as_i64().unwrap());
    assert_eq!(ev.payload["scanned_at"], "2026-11-28T14:03:07.123Z");
    assert_eq!(ev.station, "station-1-feed");
    let ev = event(&sb, by(8)["seq"].as_i64().unwrap());
    assert_eq!(ev.kind, "rfid.read");
    assert_eq!(ev.payload["antenna"], 2);

    // verify after the scripted run
    let v = sb.cmd().arg("verify").output().unwrap();
    assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stdout));

    // --mode and --operator, from stdin
    let mut child = sb
        .cmd()
        .args(["feed", "--mode", "wipe", "--operator", "B0002", "-"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{}\n", codes.tags[3]).as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let l: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(l["mode"], "wipe");
    assert_eq!(out.status.code(), Some(0));
    let bad = sb
        .cmd()
        .args(["feed", "--operator", "B9999", "-"])
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
}

mod lifecycle_property {
    use super::*;
    use proptest::prelude::*;
    use scanstation::station::lifecycle::STATUSES;
    use scanstation::store::{assets, lifecycle};

    fn status_of(st: &Station, tag: &str) -> String {
        let id = assets::by_tag(st.store().conn(), tag).unwrap().unwrap();
        assets::get(st.store().conn(), id).unwrap().unwrap().status
    }

    #[test]
    fn an_asset_without_media_walks_to_disposed() {
        let mut store = Store::open_in_memory().unwrap();
        seed_demo(&mut store, "seed").unwrap();
        let mut st = Station::new(store, settings()).unwrap();
        st.handle(scan("B0001"));
        st.handle(scan("ZX-PLAIN-1"));
        st.handle(scan("CMD:ENROL"));
        st.handle(scan("CMD:CONFIRM"));
        for to in [
            "decommissioning",
            "sanitized",
            "awaiting_pickup",
            "in_transit",
            "disposed",
        ] {
            let o = st.handle(scan(&format!("CMD:STATUS:{}", to.to_uppercase())));
            assert_ne!(o.level, Level::Error, "{to}: {}", o.message);
        }
        assert_eq!(status_of(&st, "ZX-PLAIN-1"), "disposed");
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Whatever statuses are asked for, by whom, with whatever overrides,
        /// an asset that holds media never gets to sanitized (or past it)
        /// through the station without its media sanitized.
        #[test]
        fn no_station_path_disposes_of_unsanitized_media(
            steps in proptest::collection::vec(
                prop_oneof![
                    (0..STATUSES.len()).prop_map(|i| format!("CMD:STATUS:{}", STATUSES[i].to_uppercase())),
                    Just("B0001".to_string()),
                    Just("B0002".to_string()),
                    Just("CMD:CANCEL".to_string()),
                    Just("CMD:CONFIRM".to_string()),
                ],
                1..40,
            ),
        ) {
            let mut store = Store::open_in_memory().unwrap();
            let codes = seed_demo(&mut store, "seed").unwrap();
            let tag = codes.tags[0].clone();
            let id = assets::by_tag(store.conn(), &tag).unwrap().unwrap();
            prop_assert!(lifecycle::holds_media(store.conn(), id, &settings().media_categories).unwrap());
            let mut st = Station::new(store, settings()).unwrap();
            st.handle(scan("B0002"));
            for step in steps {
                // The asset is the one on screen before every status command.
                if step.starts_with("CMD:STATUS") {
                    st.handle(scan(&tag));
                }
                st.handle(scan(&step));
                let s = status_of(&st, &tag);
                prop_assert!(
                    !["sanitized", "awaiting_pickup", "in_transit", "disposed"].contains(&s.as_str()),
                    "reached {s}"
                );
            }
        }
    }
}

#[test]
fn config_and_store_errors_are_said_once_with_exit_2() {
    let sb = Sandbox::new();
    // A config file named on the command line must exist.
    let out = sb
        .cmd()
        .args(["--config"])
        .arg(sb.path().join("nope.toml"))
        .arg("verify")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("nope.toml does not exist"), "{err}");
    // A bad value names its key.
    let cfg = sb.path().join("bad.toml");
    std::fs::write(&cfg, "[wedge]\nmax_bytes = 0\n").unwrap();
    let out = sb
        .cmd()
        .arg("--config")
        .arg(&cfg)
        .arg("verify")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("wedge.max_bytes"));
    // The run path says a store error once, not its chain twice.
    std::fs::write(sb.db(), b"not a database at all").unwrap();
    let out = sb.cmd().output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(err.matches("is not a SQLite database").count(), 1, "{err}");
}

#[test]
fn a_restart_shows_the_panel_of_what_the_mode_has_open() {
    let sb = Sandbox::new();
    let codes = seeded(&sb);
    {
        let mut st = station(&sb, settings());
        st.handle(scan("B0001"));
        st.handle(scan("CMD:MODE:WIPE"));
        st.handle(scan(&codes.tags[0]));
        let o = st.handle(scan("CMD:REASON:EOL"));
        assert_ne!(o.level, Level::Error, "{}", o.message);
    }
    let mut st = station(&sb, settings());
    assert_eq!(st.mode(), Mode::Wipe);
    match st.mode_panel() {
        Some(scanstation::station::Panel::Workflow(v)) => {
            assert!(
                v.title.contains(codes.tags[0].as_str())
                    || v.lines.iter().any(|l| l.contains(codes.tags[0].as_str())),
                "{v:?}"
            );
        }
        other => panic!("expected the wipe bench's panel, got {other:?}"),
    }
}
