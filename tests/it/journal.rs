//! The hash-chained journal, `scanstation journal` and `scanstation verify`,
//! including tampering done directly on the SQLite file.

use crate::support::Sandbox;
use rusqlite::Connection;
use scanstation::store::journal::{self, GENESIS_HASH};
use scanstation::store::{NewEvent, Store, VerifyReport};
use serde_json::json;
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A scan event of `text` at a fixed time.
pub fn scan(text: &str) -> NewEvent<'static> {
    NewEvent {
        at: UNIX_EPOCH + Duration::from_millis(1_795_874_587_123),
        station: "bench-1",
        operator: None,
        kind: "scan",
        training: false,
        payload: journal::scan_payload(text.as_bytes(), false, "wedge", None),
    }
}

/// A store with `n` scan events `CODE-1` … `CODE-n`, closed again.
fn store_with(db: &Path, n: usize) {
    let mut s = Store::open(db).unwrap();
    for i in 1..=n {
        let mut tx = s.write().unwrap();
        tx.append_event(&scan(&format!("CODE-{i}"))).unwrap();
        tx.commit().unwrap();
    }
}

/// A plain connection with the append-only triggers dropped, as a tamperer would.
fn tamper(db: &Path, sql: &str) {
    let c = Connection::open(db).unwrap();
    c.execute_batch(
        "DROP TRIGGER IF EXISTS journal_no_update; DROP TRIGGER IF EXISTS journal_no_delete; PRAGMA foreign_keys=OFF;",
    )
    .unwrap();
    c.execute_batch(sql).unwrap();
}

fn verify_cmd(sb: &Sandbox, extra: &[&str]) -> (Option<i32>, String) {
    let out = sb.cmd().arg("verify").args(extra).output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

fn report(db: &Path, head: Option<(i64, &str)>) -> VerifyReport {
    let s = Store::open_readonly(db).unwrap();
    journal::verify(s.conn(), head).unwrap()
}

#[test]
fn appends_chain_and_verify_passes() {
    let sb = Sandbox::new();
    let mut s = Store::open(&sb.db()).unwrap();
    assert_eq!(
        journal::verify(s.conn(), None).unwrap(),
        VerifyReport::Ok {
            events: 0,
            head: scanstation::store::EventRef {
                seq: 0,
                hash: GENESIS_HASH.into()
            }
        }
    );
    let mut refs = Vec::new();
    for i in 0..5 {
        let mut tx = s.write().unwrap();
        refs.push(tx.append_event(&scan(&format!("A-{i}"))).unwrap());
        tx.commit().unwrap();
    }
    assert_eq!(
        refs.iter().map(|r| r.seq).collect::<Vec<_>>(),
        [1, 2, 3, 4, 5]
    );
    let rows = journal::read_since(s.conn(), 0, 100).unwrap();
    assert_eq!(rows[0].prev_hash, GENESIS_HASH);
    for w in rows.windows(2) {
        assert_eq!(w[1].prev_hash, w[0].hash);
    }
    assert_eq!(rows[2].at, "2026-11-28T14:03:07.123Z");
    assert_eq!(rows[2].payload, json!({"source": "wedge", "text": "A-2"}));
    assert_eq!(rows[2].uuid.len(), 36);
    assert_eq!(&rows[2].uuid[14..15], "4", "UUID v4");
    assert_eq!(
        journal::verify(s.conn(), None).unwrap(),
        VerifyReport::Ok {
            events: 5,
            head: refs[4].clone()
        }
    );
    drop(s);
    let (code, out) = verify_cmd(&sb, &[]);
    assert_eq!(code, Some(0));
    assert_eq!(out, format!("ok: 5 events, head 5 {}\n", refs[4].hash));
    let head = format!("5:{}", refs[4].hash);
    assert_eq!(verify_cmd(&sb, &["--head", &head]).0, Some(0));
    let head3 = format!("3:{}", refs[2].hash.to_uppercase());
    assert_eq!(verify_cmd(&sb, &["--head", &head3]).0, Some(0));
}

#[test]
fn triggers_refuse_update_and_delete() {
    let sb = Sandbox::new();
    store_with(&sb.db(), 2);
    let c = Connection::open(sb.db()).unwrap();
    let e = c
        .execute("UPDATE journal SET payload = '{}' WHERE seq = 1", [])
        .unwrap_err();
    assert!(e.to_string().contains("append-only"), "{e}");
    assert!(c.execute("DELETE FROM journal WHERE seq = 2", []).is_err());
    drop(c);
    assert!(matches!(
        report(&sb.db(), None),
        VerifyReport::Ok { events: 2, .. }
    ));
}

#[test]
fn verify_names_an_edited_row() {
    let sb = Sandbox::new();
    store_with(&sb.db(), 6);
    tamper(
        &sb.db(),
        r#"UPDATE journal SET payload = '{"source":"wedge","text":"CODE-X"}' WHERE seq = 3"#,
    );
    match report(&sb.db(), None) {
        VerifyReport::Bad { seq, reason } => {
            assert_eq!(seq, 3);
            assert!(reason.contains("edited"), "{reason}");
        }
        ok => panic!("tampering not found: {ok:?}"),
    }
    let (code, out) = verify_cmd(&sb, &[]);
    assert_eq!(code, Some(1));
    assert!(out.contains("seq 3"), "{out}");
}

#[test]
fn verify_names_an_edited_operator_or_training_flag() {
    let sb = Sandbox::new();
    store_with(&sb.db(), 4);
    tamper(&sb.db(), "UPDATE journal SET training = 1 WHERE seq = 4");
    assert!(matches!(
        report(&sb.db(), None),
        VerifyReport::Bad { seq: 4, .. }
    ));
    tamper(
        &sb.db(),
        "UPDATE journal SET training = 0 WHERE seq = 4; UPDATE journal SET operator = 'B9' WHERE seq = 2",
    );
    assert!(matches!(
        report(&sb.db(), None),
        VerifyReport::Bad { seq: 2, .. }
    ));
}

#[test]
fn verify_names_a_deleted_row() {
    let sb = Sandbox::new();
    store_with(&sb.db(), 6);
    tamper(&sb.db(), "DELETE FROM journal WHERE seq = 4");
    match report(&sb.db(), None) {
        VerifyReport::Bad { seq, reason } => {
            assert_eq!(seq, 5);
            assert!(reason.contains("missing"), "{reason}");
        }
        ok => panic!("deletion not found: {ok:?}"),
    }
    let (code, out) = verify_cmd(&sb, &[]);
    assert_eq!(code, Some(1));
    assert!(out.contains("seq 5"), "{out}");
}

#[test]
fn verify_names_a_deleted_first_row() {
    let sb = Sandbox::new();
    store_with(&sb.db(), 3);
    tamper(&sb.db(), "DELETE FROM journal WHERE seq = 1");
    assert!(matches!(
        report(&sb.db(), None),
        VerifyReport::Bad { seq: 2, .. }
    ));
}

#[test]
fn verify_names_reordered_rows() {
    let sb = Sandbox::new();
    store_with(&sb.db(), 6);
    // Swap rows 3 and 4 (their seqs), keeping everything else as stored.
    tamper(
        &sb.db(),
        "UPDATE journal SET seq = -1 WHERE seq = 3; \
         UPDATE journal SET seq = 3 WHERE seq = 4; \
         UPDATE journal SET seq = 4 WHERE seq = -1;",
    );
    let (code, out) = verify_cmd(&sb, &[]);
    assert_eq!(code, Some(1));
    assert!(out.contains("seq 3"), "{out}");
    assert!(matches!(
        report(&sb.db(), None),
        VerifyReport::Bad { seq: 3, .. }
    ));
}

#[test]
fn verify_head_catches_a_cut_off_tail() {
    let sb = Sandbox::new();
    store_with(&sb.db(), 5);
    let head = match report(&sb.db(), None) {
        VerifyReport::Ok { head, .. } => head,
        bad => panic!("{bad:?}"),
    };
    let written_down = format!("{}:{}", head.seq, head.hash);
    tamper(&sb.db(), "DELETE FROM journal WHERE seq >= 4");
    // The chain alone cannot tell…
    let (code, out) = verify_cmd(&sb, &[]);
    assert_eq!(code, Some(0));
    assert!(out.starts_with("ok: 3 events, head 3 "), "{out}");
    // …the head written down can.
    let (code, out) = verify_cmd(&sb, &["--head", &written_down]);
    assert_eq!(code, Some(1));
    assert!(out.contains("seq 5") && out.contains("cut off"), "{out}");
    // A head that never was: right seq, wrong hash.
    let wrong = format!("2:{}", "ab".repeat(32));
    let (code, out) = verify_cmd(&sb, &["--head", &wrong]);
    assert_eq!(code, Some(1));
    assert!(out.contains("seq 2"), "{out}");
    // A malformed head is a usage error.
    assert_eq!(verify_cmd(&sb, &["--head", "5-abc"]).0, Some(2));
}

#[test]
fn journal_json_lines_follow_the_contract() {
    let sb = Sandbox::new();
    let mut s = Store::open(&sb.db()).unwrap();
    let mut tx = s.write().unwrap();
    tx.append_event(&scan("A-1")).unwrap();
    tx.append_event(&NewEvent {
        at: SystemTime::now(),
        station: "bench-2",
        operator: Some("B0042"),
        kind: "asset.moved",
        training: true,
        payload: json!({"asset_id": 7, "to": "R101", "from": null}),
    })
    .unwrap();
    tx.commit().unwrap();
    drop(s);

    let out = sb.cmd().args(["journal", "--json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 2);
    let keys: Vec<String> = {
        let v: serde_json::Map<String, serde_json::Value> = serde_json::from_str(lines[1]).unwrap();
        v.keys().cloned().collect()
    };
    let mut want = vec![
        "seq",
        "uuid",
        "at",
        "station",
        "operator",
        "kind",
        "training",
        "payload",
        "prev_hash",
        "hash",
    ];
    want.sort();
    assert_eq!(keys, want);
    assert!(lines[1].starts_with(r#"{"seq":2,"uuid":""#), "{}", lines[1]);
    let v: serde_json::Value = serde_json::from_str(lines[1]).unwrap();
    assert_eq!(v["operator"], "B0042");
    assert_eq!(v["kind"], "asset.moved");
    assert_eq!(v["training"], true);
    assert_eq!(
        v["payload"],
        json!({"asset_id": 7, "to": "R101", "from": null})
    );
    let v0: serde_json::Value = serde_json::from_str(lines[0]).unwrap();
    assert_eq!(v0["operator"], serde_json::Value::Null);
    assert_eq!(v0["prev_hash"], GENESIS_HASH);
    assert_eq!(v["prev_hash"], v0["hash"]);

    let out = sb
        .cmd()
        .args(["journal", "--json", "--since", "1"])
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().count(), 1);
    assert!(text.starts_with(r#"{"seq":2,"#));

    let out = sb.cmd().arg("journal").output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(
        lines[0].contains("2026-11-28T14:03:07.123Z")
            && lines[0].contains("bench-1")
            && lines[0].contains("scan")
            && lines[0].contains("A-1"),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].contains("B0042") && lines[1].contains("asset.moved [training]"),
        "{}",
        lines[1]
    );
}

#[test]
fn a_scan_of_arbitrary_bytes_is_kept_exactly() {
    let sb = Sandbox::new();
    let mut s = Store::open(&sb.db()).unwrap();
    let raw = b"\x00\x1b[31m\xff\xfeTAG\x1d";
    let mut tx = s.write().unwrap();
    let r = tx
        .append_event(&NewEvent {
            payload: journal::scan_payload(raw, true, "reader", Some("serial:/dev/ttyUSB0")),
            ..scan("")
        })
        .unwrap();
    tx.commit().unwrap();
    let row = journal::get(s.conn(), r.seq).unwrap().unwrap();
    let hex = row.payload["raw_hex"].as_str().unwrap();
    assert_eq!(hex::decode(hex).unwrap(), raw);
    assert_eq!(row.payload["truncated"], true);
    assert_eq!(row.payload["source_detail"], "serial:/dev/ttyUSB0");
    assert!(matches!(
        journal::verify(s.conn(), None).unwrap(),
        VerifyReport::Ok { events: 1, .. }
    ));
}

#[test]
fn for_asset_finds_events_naming_the_asset() {
    let sb = Sandbox::new();
    let mut s = Store::open(&sb.db()).unwrap();
    let mut tx = s.write().unwrap();
    for (i, payload) in [
        json!({"asset_id": 1}),
        json!({"asset_id": 2}),
        json!({"asset_ids": [1, 2, 3]}),
        json!({"text": "nothing"}),
        json!({"asset_id": 1, "asset_ids": [1]}),
    ]
    .into_iter()
    .enumerate()
    {
        tx.append_event(&NewEvent {
            payload,
            kind: if i == 0 {
                "asset.created"
            } else {
                "asset.moved"
            },
            ..scan("")
        })
        .unwrap();
    }
    tx.commit().unwrap();
    let seqs = |asset, limit| {
        journal::for_asset(s.conn(), asset, limit)
            .unwrap()
            .iter()
            .map(|e| e.seq)
            .collect::<Vec<_>>()
    };
    assert_eq!(seqs(1, 10), [5, 3, 1]);
    assert_eq!(seqs(1, 2), [5, 3]);
    assert_eq!(seqs(2, 10), [3, 2]);
    assert_eq!(seqs(3, 10), [3]);
    assert!(seqs(4, 10).is_empty());
}

#[test]
fn a_payload_that_is_not_an_object_is_refused() {
    let sb = Sandbox::new();
    let mut s = Store::open(&sb.db()).unwrap();
    let mut tx = s.write().unwrap();
    assert!(tx
        .append_event(&NewEvent {
            payload: json!("just a string"),
            ..scan("")
        })
        .is_err());
}

#[test]
fn two_handles_appending_alternately_keep_one_chain() {
    let sb = Sandbox::new();
    let mut a = Store::open(&sb.db()).unwrap();
    let mut b = Store::open(&sb.db()).unwrap();
    for i in 0..20 {
        let s = if i % 2 == 0 { &mut a } else { &mut b };
        let mut tx = s.write().unwrap();
        let r = tx.append_event(&scan(&format!("X{i}"))).unwrap();
        assert_eq!(r.seq, i + 1);
        tx.commit().unwrap();
    }
    assert!(matches!(
        journal::verify(a.conn(), None).unwrap(),
        VerifyReport::Ok { events: 20, .. }
    ));
}

#[test]
fn two_threads_appending_concurrently_keep_one_chain() {
    let sb = Sandbox::new();
    let db = sb.db();
    drop(Store::open(&db).unwrap());
    let writers: Vec<_> = (0..2)
        .map(|w| {
            let db = db.clone();
            std::thread::spawn(move || {
                let mut s = Store::open(&db).unwrap();
                (0..50)
                    .map(|i| {
                        let mut tx = s.write().unwrap();
                        let r = tx.append_event(&scan(&format!("W{w}-{i}"))).unwrap();
                        tx.commit().unwrap();
                        r.seq
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut seqs: Vec<i64> = writers
        .into_iter()
        .flat_map(|h| h.join().unwrap())
        .collect();
    seqs.sort_unstable();
    assert_eq!(seqs, (1..=100).collect::<Vec<_>>());
    assert!(matches!(
        report(&db, None),
        VerifyReport::Ok { events: 100, .. }
    ));
}

#[test]
fn verify_names_a_row_with_a_value_of_the_wrong_type() {
    let sb = Sandbox::new();
    store_with(&sb.db(), 3);
    tamper(&sb.db(), "UPDATE journal SET operator = 42 WHERE seq = 2");
    let (code, out) = verify_cmd(&sb, &[]);
    assert_eq!(code, Some(1));
    assert!(out.contains("seq 2"), "{out}");
}
