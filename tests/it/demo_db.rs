//! `scanstation demo --db PATH` is honoured or refused, never ignored
//! (issue 9, item 12).

use crate::pty::PtyChild;
use crate::support::Sandbox;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(30);

fn journal_json(sb: &Sandbox) -> Vec<serde_json::Value> {
    let out = sb.cmd().args(["journal", "--json"]).output().unwrap();
    assert!(out.status.success(), "journal failed: {out:?}");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn demo_refuses_an_existing_store_and_leaves_it_untouched() {
    let sb = Sandbox::new();
    let existing = sb.path().join("real.db");
    std::fs::write(&existing, b"a real station's store").unwrap();
    let out = sb
        .cmd()
        .args(["demo", "--db"])
        .arg(&existing)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("exists"), "{err}");
    assert_eq!(std::fs::read(&existing).unwrap(), b"a real station's store");
}

#[test]
fn demo_keeps_its_store_at_a_new_db_path() {
    let sb = Sandbox::new();
    assert!(!sb.db().exists());
    let mut cmd = sb.cmd(); // passes --db <sandbox>/station.db
    cmd.args(["demo", "--every", "0.3"]);
    let mut demo = PtyChild::spawn(cmd, 120, 40);
    assert!(
        demo.wait_for("A-10", WAIT),
        "the demo showed no scan; screen: {}",
        demo.screen_text()
    );
    demo.write(b"\x1b[21~");
    let status = demo.wait_exit(WAIT).expect("demo did not quit on F10");
    assert!(status.success(), "demo exited with {status}");
    // The store is where --db said, seeded, with the demo's scans in it.
    let events = journal_json(&sb);
    assert!(
        events.iter().any(|e| e["kind"] == "seed.demo"),
        "{events:#?}"
    );
    assert!(events.iter().any(|e| e["kind"] == "scan"), "{events:#?}");
    let verify = sb.cmd().arg("verify").output().unwrap();
    assert!(verify.status.success(), "{verify:?}");
}
