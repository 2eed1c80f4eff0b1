//! A scan reported OK is never lost: a child process scans as fast as the
//! store commits and is killed with SIGKILL at random moments; after each kill
//! every seq it reported is in the journal, the file is intact and the chain
//! verifies. Uses the real binary's hidden `stress-scan` command.

use crate::support::Sandbox;
use rand::Rng;
use rusqlite::{Connection, OpenFlags};
use std::io::{BufRead, BufReader};
use std::process::Stdio;
use std::time::Duration;

fn kill_and_check(kills: usize) {
    let sb = Sandbox::new();
    let mut rng = rand::rng();
    let mut reported: Vec<i64> = Vec::new();
    let mut max_seen = 0;
    for round in 0..kills {
        let mut child = sb
            .cmd()
            .arg("stress-scan")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn scanstation stress-scan");
        let stdout = child.stdout.take().expect("piped stdout");
        let reader = std::thread::spawn(move || {
            BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
                .filter_map(|l| l.strip_prefix("ok ").and_then(|s| s.parse::<i64>().ok()))
                .collect::<Vec<i64>>()
        });
        // Sometimes during start-up and migration, mostly mid-stream.
        std::thread::sleep(Duration::from_millis(rng.random_range(0..60)));
        child.kill().expect("SIGKILL");
        child.wait().expect("reap");
        let oks = reader.join().expect("reader thread");
        if let (Some(first), Some(last)) = (oks.first(), oks.last()) {
            assert!(*first > max_seen, "round {round}: seq {first} reused");
            max_seen = *last;
        }
        reported.extend(oks);

        // Killed before the store was created: nothing can have been
        // reported, and there is nothing to check yet.
        if !sb.db().exists() {
            assert!(reported.is_empty(), "round {round}: OKs without a store");
            continue;
        }
        // Every seq reported OK is there, and the file is sound. Opened for
        // writing, as the station's next start would: a kill during the very
        // first open can leave a hot rollback journal (before the switch to
        // WAL) that only a writer may roll back (a read-only connection gets
        // SQLITE_READONLY_ROLLBACK).
        let c = Connection::open_with_flags(sb.db(), OpenFlags::SQLITE_OPEN_READ_WRITE)
            .expect("open after kill");
        let integrity: String = c
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))
            .expect("integrity_check");
        assert_eq!(integrity, "ok", "round {round}");
        if !reported.is_empty() {
            let mut st = c.prepare("SELECT 1 FROM journal WHERE seq = ?1").unwrap();
            for seq in &reported {
                assert!(st.exists([seq]).unwrap(), "round {round}: seq {seq} lost");
            }
        }
        drop(c);
        let out = sb.cmd().arg("verify").output().expect("verify");
        if !reported.is_empty() {
            assert_eq!(
                out.status.code(),
                Some(0),
                "round {round}: {}",
                String::from_utf8_lossy(&out.stdout)
            );
        }
    }
    eprintln!(
        "{kills} kills, {} scans reported OK, all found",
        reported.len()
    );
    assert!(
        reported.len() > kills,
        "only {} scans were reported in {kills} runs",
        reported.len()
    );
}

#[test]
fn scans_reported_ok_survive_sigkill() {
    kill_and_check(60);
}

#[test]
#[ignore = "soak: ~1000 kills, run with --ignored"]
fn scans_reported_ok_survive_sigkill_soak() {
    kill_and_check(1000);
}

/// The RFID round: reads commit in groups, so a kill may lose the reads of the
/// group still open, never more than one group, and never a barcode scan or a
/// read reported committed.
#[test]
fn a_kill_loses_at_most_the_open_rfid_group_never_a_barcode() {
    let sb = Sandbox::new();
    let mut rng = rand::rng();
    let mut groups_seen = 0;
    for round in 0..12 {
        let mut child = sb
            .cmd()
            .args(["--training", "stress-scan", "--rfid"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn scanstation stress-scan --rfid");
        let stdout = child.stdout.take().expect("piped stdout");
        let reader = std::thread::spawn(move || {
            let (mut ok, mut rfid, mut sent) = (Vec::new(), Vec::new(), 0u64);
            for l in BufReader::new(stdout).lines().map_while(Result::ok) {
                let mut it = l.split(' ');
                match (it.next(), it.next().and_then(|n| n.parse::<i64>().ok())) {
                    (Some("ok"), Some(n)) => ok.push(n),
                    (Some("rfid"), Some(n)) => rfid.push(n),
                    (Some("sent"), Some(_)) => sent += 1,
                    _ => {}
                }
            }
            (ok, rfid, sent)
        });
        std::thread::sleep(Duration::from_millis(rng.random_range(150..600)));
        child.kill().expect("SIGKILL");
        child.wait().expect("reap");
        let (ok, rfid, sent) = reader.join().expect("reader");
        if !sb.db().exists() {
            continue;
        }
        let c = Connection::open(sb.db()).expect("open after kill");
        let mut st = c.prepare("SELECT 1 FROM journal WHERE seq = ?1").unwrap();
        for seq in ok.iter().chain(&rfid) {
            assert!(st.exists([seq]).unwrap(), "round {round}: seq {seq} lost");
        }
        // Reads of this run on disk: their EPCs carry this run's counter.
        let on_disk: i64 = c
            .query_row(
                "SELECT count(*) FROM journal WHERE kind = 'rfid.read' AND seq > ?1",
                [ok.first()
                    .copied()
                    .unwrap_or(i64::MAX)
                    .min(rfid.first().copied().unwrap_or(i64::MAX))
                    - 1],
                |r| r.get(0),
            )
            .unwrap();
        if !ok.is_empty() || !rfid.is_empty() {
            let lost = sent as i64 - on_disk;
            assert!(
                lost <= scanstation::station::GROUP_MAX as i64,
                "round {round}: {lost} reads lost (sent {sent}, on disk {on_disk})"
            );
            groups_seen += usize::from(!rfid.is_empty());
        }
    }
    assert!(groups_seen > 0, "no RFID group was ever committed");
}
