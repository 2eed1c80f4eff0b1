//! The wipe bench's and disposal's key screens, from the real binary in a
//! pseudo-terminal driven as a technician drives it (badges and command
//! barcodes typed as a wedge scanner types them, F4 and F6), replayed onto
//! a grid (`screen.rs`) and kept as insta snapshots: the bench with an
//! asset and its media, the validator's question, a policy refusal waiting
//! for a supervisor, the hand-over's vendor pick list. Clock times, journal
//! numbers and the store's path are masked; everything else is as drawn.

use crate::pty::PtyChild;
use crate::screen;
use crate::support::Sandbox;
use scanstation::station::seed::seed_demo;
use scanstation::store::Store;
use std::time::{Duration, Instant};

const COLS: usize = 120;
const ROWS: usize = 40;
const WAIT: Duration = Duration::from_secs(30);

/// The screen now, once the station has stopped drawing.
fn settled(st: &PtyChild) -> String {
    let mut len = st.output().len();
    loop {
        std::thread::sleep(Duration::from_millis(300));
        let now = st.output().len();
        if now == len {
            break;
        }
        len = now;
    }
    screen::text(&screen::replay(&st.output(), COLS, ROWS))
}

/// Types `input` as a scanner does (ended by Enter, or a key's sequence)
/// and waits until the screen shows `shows`.
fn send(st: &mut PtyChild, input: &[u8], shows: &str) -> String {
    st.write(input);
    let start = Instant::now();
    while start.elapsed() < WAIT {
        let s = screen::text(&screen::replay(&st.output(), COLS, ROWS));
        if s.contains(shows) {
            return settled(st);
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!(
        "after {:?} the screen never showed {shows:?}:\n{}",
        String::from_utf8_lossy(input),
        settled(st)
    );
}

fn scan(st: &mut PtyChild, code: &str, shows: &str) -> String {
    send(st, format!("{code}\r").as_bytes(), shows)
}

/// Clock times, dates and the store's path masked.
fn masked(s: &str) -> String {
    let time = regex::Regex::new(r"\d\d:\d\d:\d\d").unwrap();
    let date = regex::Regex::new(r"\d{4}-\d\d-\d\d \d\d:\d\d").unwrap();
    let store = regex::Regex::new(r"store \S+").unwrap();
    let seq = regex::Regex::new(r"journal #\d+").unwrap();
    let s = time.replace_all(s, "hh:mm:ss");
    let s = seq.replace_all(&s, "journal #n");
    let s = date.replace_all(&s, "yyyy-mm-dd hh:mm");
    store.replace_all(&s, "store <db>").into_owned()
}

#[test]
fn the_wipe_bench_and_the_hand_over_as_the_technician_sees_them() {
    let sb = Sandbox::new();
    {
        let mut store = Store::open(&sb.db()).unwrap();
        seed_demo(&mut store, "seed").unwrap();
    }
    let cfg = sb.path().join("station.toml");
    std::fs::write(
        &cfg,
        "[organisation]\nname = \"Example Corp\"\ngs1_company_prefix = \"0614141\"\n\
         [disposal]\nsscc_extension = 3\nsscc_serial_start = 500\nsscc_serial_end = 599\n",
    )
    .unwrap();
    let vendors =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/wipe/vendors-pick.csv");
    let out = sb
        .cmd()
        .args(["import", "vendors"])
        .arg(vendors)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut cmd = sb.cmd();
    cmd.arg("--config").arg(&cfg);
    let mut st = PtyChild::spawn(cmd, COLS as u16, ROWS as u16);
    assert!(st.wait_for("LOOKUP", WAIT), "{}", st.screen_text());

    scan(&mut st, "B0003", "Lee Chen");
    send(&mut st, b"\x1bOS", "WIPE"); // F4
    scan(&mut st, "A-1004", "leaves service: why?");
    scan(&mut st, "CMD:REASON:LEASE_RETURN", "decommissioning");
    scan(&mut st, "CMD:DEST:RECYCLE", "Destination: recycle");
    scan(&mut st, "CMD:MEDIA:NVME", "its serial?");
    scan(&mut st, "NV-SNAP-0001", "NV-SNAP-0001 (nvme) added");
    scan(&mut st, "CMD:MEDIA:HDD", "its serial?");
    scan(&mut st, "WD-SNAP-0002", "WD-SNAP-0002 (hdd) added");
    scan(&mut st, "CMD:METHOD:CLEAR", "method clear");
    let bench = scan(&mut st, "CMD:RESULT:PASSED", "result passed");
    insta::assert_snapshot!("wipe_bench_asset_and_media", masked(&bench));

    let validator = scan(&mut st, "CMD:CONFIRM", "a second person validates");
    insta::assert_snapshot!("wipe_validator_question", masked(&validator));
    scan(&mut st, "B0002", "validated by B0002");

    scan(&mut st, "NV-SNAP-0001", "Medium NV-SNAP-0001");
    scan(&mut st, "CMD:METHOD:CLEAR", "method clear");
    scan(&mut st, "CMD:RESULT:PASSED", "result passed");
    scan(&mut st, "CMD:CONFIRM", "a second person validates");
    let refusal = scan(&mut st, "B0002", "refused by rule flash_needs_purge");
    insta::assert_snapshot!("wipe_policy_refusal", masked(&refusal));
    scan(&mut st, "B0001", "Refused by rule leaving_needs_purge");
    scan(
        &mut st,
        "B0001",
        "flash_needs_purge, leaving_needs_purge overridden by B0001 · SANITIZED",
    );

    send(&mut st, b"\x1b[17~", "DISPOSAL"); // F6
    scan(&mut st, "CMD:NEWBATCH", "opened");
    scan(&mut st, "A-1004", "on pallet");
    scan(&mut st, "CMD:CLOSE", "closed with 1 assets");
    let pick = scan(&mut st, "306141410000005001", "to which vendor?");
    insta::assert_snapshot!("disposal_vendor_pick_list", masked(&pick));
    // Enter picks the first: both its certifications have expired.
    send(&mut st, b"\r", "Refused by rule certified_vendor");
    scan(&mut st, "306141410000005001", "to which vendor?");
    send(&mut st, b"\x1b[B", "▶  2"); // Down
    send(&mut st, b"\r", "driver: name or id?");
    scan(&mut st, "DRV-SNAP Sam", "in transit");

    st.write(b"\x1b[21~"); // F10
    assert!(st.wait_exit(WAIT).is_some(), "did not quit on F10");
}
