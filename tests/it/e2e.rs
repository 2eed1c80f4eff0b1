//! End to end: the real binary in a pseudo-terminal, a scanner burst typed
//! into it, the scan found in the store afterwards.

use crate::pty::PtyChild;
use crate::support::Sandbox;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(30);

fn journal_json(sb: &Sandbox) -> Vec<serde_json::Value> {
    let out = sb
        .cmd()
        .args(["journal", "--json"])
        .output()
        .expect("run journal");
    assert!(out.status.success(), "journal failed: {out:?}");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("journal line is JSON"))
        .collect()
}

#[test]
fn a_scanner_burst_in_the_terminal_is_journaled() {
    let sb = Sandbox::new();
    let mut station = PtyChild::spawn(sb.cmd(), 100, 30);
    assert!(
        station.wait_for("LOOKUP", WAIT) || station.wait_for("Lookup", WAIT),
        "no first frame; screen: {}",
        station.screen_text()
    );
    // A scanner types the whole code at once, ended by Enter.
    station.write(b"ZZ-4242\r");
    assert!(
        station.wait_for("ZZ-4242", WAIT),
        "scan not shown; screen: {}",
        station.screen_text()
    );
    // Quit with F10.
    station.write(b"\x1b[21~");
    assert!(
        station.wait_exit(WAIT).is_some(),
        "station did not quit on F10"
    );

    let events = journal_json(&sb);
    let scan = events
        .iter()
        .find(|e| e["kind"] == "scan" && e["payload"].to_string().contains("ZZ-4242"))
        .unwrap_or_else(|| panic!("no scan event in {events:#?}"));
    assert!(scan["payload"].to_string().contains("wedge"), "{scan}");
    let verify = sb.cmd().arg("verify").output().expect("verify");
    assert!(verify.status.success(), "{verify:?}");
}

#[test]
fn the_demo_scans_by_itself_and_quits_on_f10() {
    let sb = Sandbox::new();
    let mut cmd = sb.cmd();
    cmd.args(["demo", "--every", "0.3"]);
    let mut demo = PtyChild::spawn(cmd, 120, 40);
    // The seeded assets are A-1001 … A-1040; the simulated scanner scans them.
    assert!(
        demo.wait_for("A-10", WAIT),
        "the demo showed no scan; screen: {}",
        demo.screen_text()
    );
    demo.write(b"\x1b[21~");
    let status = demo.wait_exit(WAIT).expect("demo did not quit on F10");
    assert!(status.success(), "demo exited with {status}");
}

#[test]
fn a_killed_station_resumes_its_operator_and_quitting_signs_out() {
    let sb = Sandbox::new();
    let csv = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/csv/operators.csv");
    let out = sb
        .cmd()
        .args(["import", "operators", csv])
        .output()
        .expect("import");
    assert!(out.status.success(), "{out:?}");

    let mut station = PtyChild::spawn(sb.cmd(), 120, 40);
    assert!(
        station.wait_for("LOOKUP", WAIT),
        "{}",
        station.screen_text()
    );
    station.write(b"B0101\r");
    assert!(
        station.wait_for("Rosa Diaz", WAIT),
        "{}",
        station.screen_text()
    );
    // Signed in is on disk once the screen says so; the power goes.
    station.child.kill().expect("SIGKILL");
    let _ = station.child.wait();

    let mut station = PtyChild::spawn(sb.cmd(), 120, 40);
    assert!(
        station.wait_for("Rosa Diaz", WAIT),
        "the session was not resumed: {}",
        station.screen_text()
    );
    station.write(b"\x1b[21~");
    assert!(station.wait_exit(WAIT).is_some(), "no quit on F10");
    let events = journal_json(&sb);
    let last = events.last().expect("events");
    assert_eq!(last["kind"], "operator.signed_out", "{last}");
    assert_eq!(last["payload"]["reason"], "quit", "{last}");
    assert_eq!(last["operator"], "B0101", "{last}");
}
