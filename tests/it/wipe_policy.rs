//! Every default rule of the wipe bench's policy, through `Station::handle`
//! (and `feed` with a config file): refused naming the rule, overridden by a
//! supervisor where it may be (journaled `policy.overridden`), never where
//! it may not, and turned off by `[policy] rule = { enabled = false }`.
//! (`flash_needs_purge` overridden, `certified_vendor` refused, the
//! validator rules: `wipe_mode.rs` and `wipe_to_disposed.rs`.)

use crate::support::Sandbox;
use scanstation::input::{Input, Scan, Source};
use scanstation::station::outcome::Level;
use scanstation::station::seed::seed_demo;
use scanstation::station::{Station, StationSettings};
use scanstation::store::{assets, Store};
use serde_json::Value;
use std::path::Path;
use std::time::SystemTime;

fn scan(code: &str) -> Input {
    Input::Scan(Scan::new(Source::Wedge, code.as_bytes(), SystemTime::now()))
}

fn station(sb: &Sandbox) -> Station {
    let mut store = Store::open(&sb.db()).unwrap();
    seed_demo(&mut store, "seed").unwrap();
    let s = StationSettings {
        station_id: "bench-p".into(),
        company_prefix: Some("0614141".into()),
        ..StationSettings::default()
    };
    Station::new(store, s).unwrap()
}

/// Each input's level, and what its message says.
/// Returns whether the last one left a question open.
fn steps(st: &mut Station, steps: &[(&str, Level, &str)]) -> bool {
    let mut asked = false;
    for (input, level, says) in steps {
        let o = st.handle(scan(input));
        assert_eq!(o.level, *level, "{input}: {}", o.message);
        assert!(o.message.contains(says), "{input}: {}", o.message);
        asked = o.question.is_some();
    }
    asked
}

fn status_of(st: &Station, tag: &str) -> String {
    let id = assets::by_tag(st.store().conn(), tag).unwrap().unwrap();
    assets::get(st.store().conn(), id).unwrap().unwrap().status
}

fn overrides(st: &Station) -> Vec<Value> {
    scanstation::store::journal::read_since(st.store().conn(), 0, 100_000)
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == "policy.overridden")
        .map(|e| e.payload)
        .collect()
}

fn import_nwipe(sb: &Sandbox, name: &str) {
    let log = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/nwipe")
        .join(name);
    let out = sb
        .cmd()
        .args(["import", "nwipe"])
        .arg(log)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn media_leaving_the_organisation_need_purge_and_a_supervisor_overrides() {
    let sb = Sandbox::new();
    let mut st = station(&sb);
    steps(
        &mut st,
        &[
            ("B0003", Level::Ok, "Signed in"),
            ("CMD:MODE:WIPE", Level::Ok, "Wipe mode"),
            ("A-1001", Level::Warning, "leaves service"),
            ("CMD:REASON:LEASE_RETURN", Level::Ok, "decommissioning"),
            ("CMD:DEST:EXTERNAL_REUSE", Level::Ok, "Destination: external_reuse"),
            ("CMD:MEDIA:HDD", Level::Warning, "its serial?"),
            ("WD-LEAVE-1", Level::Ok, "added"),
            ("CMD:METHOD:CLEAR", Level::Ok, "method clear"),
            ("CMD:RESULT:PASSED", Level::Ok, "result passed"),
            ("CMD:CONFIRM", Level::Warning, "validator_required"),
            (
                "B0002",
                Level::Error,
                "Recorded clear PASSED for WD-LEAVE-1 (hdd), validated by B0002 · not sanitized: Refused by rule leaving_needs_purge: WD-LEAVE-1 (to external_reuse)",
            ),
            // Only a supervisor overrides.
            ("B0002", Level::Error, "not a supervisor"),
            (
                "B0001",
                Level::Ok,
                "A-1001: leaving_needs_purge overridden by B0001 · SANITIZED",
            ),
        ],
    );
    assert_eq!(status_of(&st, "A-1001"), "sanitized");
    let o = overrides(&st);
    assert_eq!(o.len(), 1, "{o:?}");
    assert_eq!(o[0]["rule"], "leaving_needs_purge");
    assert_eq!(o[0]["by"], "B0001");
    // The destination is fixed once sanitized: the rule was checked on it.
    steps(
        &mut st,
        &[("CMD:DEST:RECYCLE", Level::Warning, "already sanitized")],
    );
}

#[test]
fn two_rules_refusing_are_overridden_one_after_the_other() {
    let sb = Sandbox::new();
    let mut st = station(&sb);
    steps(
        &mut st,
        &[
            ("B0003", Level::Ok, "Signed in"),
            ("CMD:MODE:WIPE", Level::Ok, "Wipe mode"),
            ("A-1001", Level::Warning, "leaves service"),
            ("CMD:REASON:EOL", Level::Ok, "decommissioning"),
            ("CMD:DEST:RECYCLE", Level::Ok, "Destination: recycle"),
            ("CMD:MEDIA:SSD", Level::Warning, "its serial?"),
            ("SSD-TWO-1", Level::Ok, "added"),
            ("CMD:METHOD:CLEAR", Level::Ok, "method clear"),
            ("CMD:RESULT:PASSED", Level::Ok, "result passed"),
            ("CMD:CONFIRM", Level::Warning, "validator_required"),
            ("B0002", Level::Error, "rule flash_needs_purge"),
            ("B0001", Level::Error, "rule leaving_needs_purge"),
            (
                "B0001",
                Level::Ok,
                "flash_needs_purge, leaving_needs_purge overridden by B0001 · SANITIZED",
            ),
        ],
    );
    let o = overrides(&st);
    let rules: Vec<&str> = o.iter().filter_map(|e| e["rule"].as_str()).collect();
    assert_eq!(rules, ["flash_needs_purge", "leaving_needs_purge"]);
}

#[test]
fn an_asset_holding_media_with_none_recorded_is_never_sanitized_not_even_by_a_supervisor() {
    let sb = Sandbox::new();
    let mut st = station(&sb);
    let asked = steps(
        &mut st,
        &[
            ("B0001", Level::Ok, "Signed in"),
            ("CMD:MODE:WIPE", Level::Ok, "Wipe mode"),
            ("A-1001", Level::Warning, "leaves service"),
            ("CMD:REASON:EOL", Level::Ok, "add each medium"),
            // Lookup's status change goes through the same rule.
            ("CMD:MODE:LOOKUP", Level::Ok, "Lookup"),
            ("A-1001", Level::Ok, "A-1001"),
            (
                "CMD:STATUS:SANITIZED",
                Level::Error,
                "rule media_sanitized: it holds storage media and none is recorded",
            ),
        ],
    );
    assert!(!asked, "no override is offered");
    assert_eq!(status_of(&st, "A-1001"), "decommissioning");
}

#[test]
fn a_failed_or_aborted_wipe_blocks_disposal_and_no_one_overrides_it() {
    let sb = Sandbox::new();
    let mut st = station(&sb);
    // The drive passes a manual Purge: sanitized, on no pallet yet.
    steps(
        &mut st,
        &[
            ("B0001", Level::Ok, "Signed in"),
            ("CMD:MODE:WIPE", Level::Ok, "Wipe mode"),
            ("A-1008", Level::Warning, "leaves service"),
            ("CMD:REASON:FAILED", Level::Ok, "decommissioning"),
            ("CMD:MEDIA:HDD", Level::Warning, "its serial?"),
            ("WD-WCC2ET123456", Level::Ok, "added"),
            ("CMD:METHOD:PURGE", Level::Ok, "method purge"),
            ("CMD:RESULT:PASSED", Level::Ok, "result passed"),
            ("CMD:CONFIRM", Level::Warning, "validator_required"),
            ("B0002", Level::Ok, "SANITIZED"),
        ],
    );
    drop(st);
    // Then a later nwipe run on the same drive, aborted, is imported.
    import_nwipe(&sb, "v0.41-written-from-source.txt");
    let mut st = Station::new(
        Store::open(&sb.db()).unwrap(),
        StationSettings {
            station_id: "bench-p".into(),
            company_prefix: Some("0614141".into()),
            ..StationSettings::default()
        },
    )
    .unwrap();
    let asked = steps(
        &mut st,
        &[
            ("CMD:MODE:DISPOSAL", Level::Ok, "Disposal"),
            ("CMD:NEWBATCH", Level::Ok, "opened"),
            (
                "A-1008",
                Level::Error,
                "Refused by rule failed_wipe: the latest wipe of WD-WCC2ET123456 failed or was aborted",
            ),
        ],
    );
    assert!(!asked, "no override is offered");
    assert_eq!(status_of(&st, "A-1008"), "sanitized");
}

#[test]
fn a_rule_turned_off_in_the_config_refuses_nothing() {
    let sb = Sandbox::new();
    {
        let mut store = Store::open(&sb.db()).unwrap();
        seed_demo(&mut store, "seed").unwrap();
    }
    import_nwipe(&sb, "v0.42-written-from-source.txt");
    let cfg = sb.path().join("policy.toml");
    std::fs::write(&cfg, "[policy]\nflash_needs_purge = { enabled = false }\n").unwrap();
    let feed = sb.path().join("bench.feed");
    std::fs::write(
        &feed,
        "B0003\nCMD:MODE:WIPE\nA-1008\nCMD:REASON:EOL\nCMD:MEDIA:SSD\nS62ANJ0R123456X\n\
         CMD:MEDIA:NVME\n23456A800123\nCMD:CONFIRM\n",
    )
    .unwrap();
    let out = sb
        .cmd()
        .arg("--config")
        .arg(&cfg)
        .arg("feed")
        .arg(&feed)
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    let last: Value = serde_json::from_str(stdout.lines().last().unwrap()).unwrap();
    assert_eq!(last["line"], 9);
    assert!(
        last["message"]
            .as_str()
            .unwrap()
            .contains("every medium passed · SANITIZED"),
        "{last}"
    );
    assert_eq!(last["asset"]["status"], "sanitized");
}
