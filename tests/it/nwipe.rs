//! `scanstation import nwipe` end to end: the real binary on logs from real
//! nwipe runs and logs written from nwipe's source (fixtures/nwipe/).

use crate::support::Sandbox;
use scanstation::store::media::{self, NewMedium};
use scanstation::store::{journal, Store};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Output;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/nwipe")
        .join(name)
}

fn import(sb: &Sandbox, files: &[&Path]) -> Output {
    let mut c = sb.cmd();
    c.args(["import", "nwipe"]).args(files);
    c.output().expect("run scanstation")
}

fn lines(out: &Output) -> Vec<Value> {
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{l}: {e}")))
        .collect()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn count(db: &Path, table: &str) -> i64 {
    let s = Store::open_readonly(db).unwrap();
    s.conn()
        .query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .unwrap()
}

/// Assets IT-0001 (serial S62ANJ0R123456X: a bare drive tracked as an asset)
/// and IT-0002 (a laptop whose NVMe drive 23456A800123 was recorded as its
/// medium, as Wipe mode will do).
fn seed(sb: &Sandbox) {
    let csv = sb.path().join("assets.csv");
    std::fs::write(
        &csv,
        "Asset Tag,Serial,Model,Category\nIT-0001,S62ANJ0R123456X,870 EVO,Storage\nIT-0002,PF3ABCDE,ThinkPad T14,Laptops\n",
    )
    .unwrap();
    let out = sb
        .cmd()
        .args(["import", "assets"])
        .arg(&csv)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let mut store = Store::open(&sb.db()).unwrap();
    let laptop = scanstation::store::assets::by_tag(store.conn(), "IT-0002").unwrap();
    let tx = store.write().unwrap();
    media::create(
        tx.conn(),
        &NewMedium {
            asset_id: laptop,
            serial: Some("23456A800123".into()),
            media_type: "nvme".into(),
            created_at: "2026-11-20T08:00:00.000Z".into(),
            ..NewMedium::default()
        },
    )
    .unwrap();
    tx.commit().unwrap();
}

#[test]
fn drives_match_a_medium_or_an_asset_serial_and_the_rest_are_listed() {
    let sb = Sandbox::new();
    seed(&sb);
    let f = fixture("v0.42-written-from-source.txt");
    let out = import(&sb, &[&f]);
    assert!(out.status.success(), "{}", stderr(&out));
    let l = lines(&out);
    assert_eq!(l.len(), 2);
    assert_eq!(l[0]["serial"], "S62ANJ0R123456X");
    assert_eq!(l[0]["asset"], "IT-0001", "an asset whose own serial it is");
    assert_eq!(l[1]["asset"], "IT-0002", "a medium recorded by its serial");
    // The keys, in contracts.md's order (method_label after method).
    let raw = String::from_utf8_lossy(&out.stdout);
    let first = raw.lines().next().unwrap();
    let order = [
        "file",
        "device",
        "model",
        "serial",
        "status",
        "method",
        "method_label",
        "verify",
        "rounds",
        "blank",
        "started",
        "ended",
        "pass_errors",
        "verify_errors",
        "asset",
        "sha256",
    ];
    let at: Vec<usize> = order
        .iter()
        .map(|k| {
            first
                .find(&format!("\"{k}\":"))
                .unwrap_or_else(|| panic!("{k} in {first}"))
        })
        .collect();
    assert!(at.windows(2).all(|w| w[0] < w[1]), "{first}");
    assert_eq!(l[0].as_object().unwrap().len(), order.len());
    // An unmatched drive: asset null, and its medium waits to be attached.
    let out = import(&sb, &[&fixture("v0.41-written-from-source.txt")]);
    let l = lines(&out);
    assert!(l.iter().all(|d| d["asset"].is_null()));
    let store = Store::open_readonly(&sb.db()).unwrap();
    assert_eq!(media::unattached(store.conn()).unwrap().len(), 3);
    // The laptop's medium was reused, not duplicated.
    assert_eq!(count(&sb.db(), "media"), 5);
}

#[test]
fn failed_and_aborted_drives_are_recorded_as_such_and_exit_0() {
    let sb = Sandbox::new();
    let out = import(
        &sb,
        &[
            &fixture("v0.33-read-only-failed.txt"),
            &fixture("v0.33-user-abort.txt"),
            &fixture("v0.41-written-from-source.txt"),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let st: Vec<String> = lines(&out)
        .iter()
        .map(|d| d["status"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(st, ["failed", "aborted", "erased", "aborted", "aborted"]);
    let s = Store::open_readonly(&sb.db()).unwrap();
    let results: Vec<(String, String)> = s
        .conn()
        .prepare("SELECT result, tool_status FROM sanitizations ORDER BY id")
        .unwrap()
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    assert_eq!(results[0], ("failed".into(), "failed".into()));
    assert_eq!(results[1], ("failed".into(), "aborted".into()));
    assert_eq!(results[2], ("passed".into(), "erased".into()));
}

#[test]
fn a_bad_file_refuses_the_whole_command_naming_file_and_line() {
    let sb = Sandbox::new();
    let good = fixture("v0.33-zero-verify-last.txt");
    let cut = sb.path().join("cut.txt");
    let data = std::fs::read(&good).unwrap();
    std::fs::write(&cut, &data[..data.len() - 300]).unwrap();
    let csv = sb.path().join("not-a-log.csv");
    std::fs::write(&csv, "Asset Tag,Serial\nIT-1,X\n").unwrap();
    let killed = fixture("v0.33-killed-no-tables.txt");
    for (bad, says) in [
        (&cut, "cut.txt: line 46: the log is cut short"),
        (&csv, "not-a-log.csv: line 1: not an nwipe log"),
        (
            &killed,
            "v0.33-killed-no-tables.txt: line 128: the log has no drive status table",
        ),
    ] {
        let out = import(&sb, &[&good, bad]);
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        assert!(stderr(&out).contains(says), "{}", stderr(&out));
        assert!(out.stdout.is_empty());
        assert!(!sb.db().exists(), "nothing imported, no store created");
    }
    let out = import(&sb, &[Path::new("/nonexistent/log.txt")]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_file_already_imported_is_skipped_and_changes_nothing() {
    let sb = Sandbox::new();
    let f = fixture("v0.33-three-runs.txt");
    assert!(import(&sb, &[&f]).status.success());
    let before = Store::open_readonly(&sb.db()).unwrap();
    let head = journal::head(before.conn()).unwrap();
    drop(before);
    let out = import(&sb, &[&f]);
    assert!(out.status.success());
    let l = lines(&out);
    assert_eq!(l.len(), 1);
    assert_eq!(l[0]["skipped"], "already imported");
    assert_eq!(l[0]["file"], f.display().to_string());
    assert_eq!(l[0]["sha256"].as_str().unwrap().len(), 64);
    let after = Store::open_readonly(&sb.db()).unwrap();
    assert_eq!(journal::head(after.conn()).unwrap(), head);
}

#[test]
fn an_appended_log_records_only_its_new_run() {
    let sb = Sandbox::new();
    let first = fixture("v0.42-written-from-source.txt");
    assert!(import(&sb, &[&first]).status.success());
    // The same log after nwipe appended a second run to it.
    let mut both = std::fs::read(&first).unwrap();
    both.extend_from_slice(&std::fs::read(fixture("v0.41-written-from-source.txt")).unwrap());
    let appended = sb.path().join("nwipe_log_appended.txt");
    std::fs::write(&appended, &both).unwrap();
    let out = import(&sb, &[&appended]);
    assert!(out.status.success(), "{}", stderr(&out));
    let l = lines(&out);
    let skipped: Vec<bool> = l.iter().map(|d| d.get("skipped").is_some()).collect();
    assert_eq!(skipped, [true, true, false, false, false]);
    assert_eq!(count(&sb.db(), "sanitizations"), 5);
    assert_eq!(count(&sb.db(), "documents"), 2);
}

#[test]
fn every_drive_is_journaled_in_one_transaction_and_the_chain_holds() {
    let sb = Sandbox::new();
    let out = import(
        &sb,
        &[
            &fixture("v0.33-three-runs.txt"),
            &fixture("v0.33-two-drives-dodshort-verify-all.txt"),
        ],
    );
    assert!(out.status.success());
    let s = Store::open_readonly(&sb.db()).unwrap();
    let ev = journal::read_since(s.conn(), 0, 1000).unwrap();
    let kinds: Vec<&str> = ev.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds.iter().filter(|k| **k == "document.imported").count(),
        2
    );
    assert_eq!(
        kinds
            .iter()
            .filter(|k| **k == "sanitization.recorded")
            .count(),
        3
    );
    assert_eq!(
        kinds
            .iter()
            .filter(|k| **k == "verification.recorded")
            .count(),
        2
    );
    // One transaction: every event carries the same time.
    assert!(ev.iter().all(|e| e.at == ev[0].at));
    let rec = ev
        .iter()
        .find(|e| e.kind == "sanitization.recorded")
        .unwrap();
    assert_eq!(rec.payload["method"], "clear");
    assert_eq!(rec.payload["technique"], "overwrite");
    assert_eq!(rec.payload["tool"], "nwipe 0.33");
    let ver = ev
        .iter()
        .find(|e| e.kind == "verification.recorded")
        .unwrap();
    assert!(ver.payload["method"].is_null());
    let v = sb.cmd().arg("verify").output().unwrap();
    assert!(v.status.success(), "{}", stderr(&v));
}

#[test]
fn an_unknown_method_is_recorded_unclassified_with_a_warning() {
    let sb = Sandbox::new();
    let text = std::fs::read_to_string(fixture("v0.42-written-from-source.txt"))
        .unwrap()
        .replace("PRNG Stream", "Firmware Sanitize (NVMe)");
    let f = sb.path().join("future.txt");
    std::fs::write(&f, text).unwrap();
    let out = import(&sb, &[&f]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("unknown method \"Firmware Sanitize (NVMe)\""),
        "{}",
        stderr(&out)
    );
    let l = lines(&out);
    assert!(l[0]["method"].is_null());
    assert_eq!(l[0]["method_label"], "Firmware Sanitize (NVMe)");
    let s = Store::open_readonly(&sb.db()).unwrap();
    let nulls: i64 = s
        .conn()
        .query_row(
            "SELECT count(*) FROM sanitizations WHERE method IS NULL AND kind = 'sanitization'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(nulls, 2, "no NIST category guessed");
}
