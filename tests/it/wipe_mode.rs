//! Wipe mode (and Disposal mode) through `scanstation feed` and
//! `Station::handle`: an asset decommissioned, its drive recorded and
//! validated by a second badge, sanitized, certified; a failed record keeps
//! it from `sanitized`.

use crate::support::Sandbox;
use scanstation::input::{Input, Scan, Source};
use scanstation::station::outcome::Level;
use scanstation::station::seed::{seed_demo, DemoCodes};
use scanstation::station::{Station, StationSettings};
use scanstation::store::{assets, Store};
use serde_json::Value;
use std::time::SystemTime;

fn seeded(sb: &Sandbox) -> DemoCodes {
    let mut store = Store::open(&sb.db()).unwrap();
    seed_demo(&mut store, "seed").unwrap()
}

fn scan(code: &str) -> Input {
    Input::Scan(Scan::new(Source::Wedge, code.as_bytes(), SystemTime::now()))
}

fn status_of(st: &Station, tag: &str) -> String {
    let id = assets::by_tag(st.store().conn(), tag).unwrap().unwrap();
    assets::get(st.store().conn(), id).unwrap().unwrap().status
}

fn fixture(name: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/wipe")
        .join(name)
}

fn feed(sb: &Sandbox, file: &std::path::Path) -> (Option<i32>, Vec<Value>) {
    let out = sb.cmd().args(["feed"]).arg(file).output().unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (out.status.code(), lines)
}

fn at(lines: &[Value], n: u64) -> &Value {
    lines
        .iter()
        .find(|l| l["line"] == n)
        .unwrap_or_else(|| panic!("no answer for line {n}: {lines:#?}"))
}

fn msg(l: &Value) -> &str {
    l["message"].as_str().unwrap_or_default()
}

#[test]
fn a_drive_is_wiped_to_a_certificate_through_feed() {
    let sb = Sandbox::new();
    let codes = seeded(&sb);
    let tag = &codes.tags[0]; // a Dell Latitude laptop, in stock: it holds media
    assert_eq!(tag, "A-1001", "the fixture names the demo seed's tags");
    let (code, lines) = feed(&sb, &fixture("wipe-to-certificate.feed"));
    assert_eq!(code, Some(1), "the own badge is refused: {lines:#?}");
    assert!(at(&lines, 3)["question"].as_str().is_some());
    assert!(
        msg(at(&lines, 3)).contains("why?"),
        "{}",
        msg(at(&lines, 3))
    );
    let l4 = at(&lines, 4);
    assert_eq!(l4["asset"]["status"], "decommissioning", "{l4}");
    assert!(msg(l4).contains("(EOL)"), "{}", msg(l4));
    assert!(
        msg(l4).contains("CMD:MEDIA"),
        "says what is next: {}",
        msg(l4)
    );
    assert_eq!(at(&lines, 5)["question"], "SSD of A-1001: its serial?");
    assert!(msg(at(&lines, 6)).contains("S3-TEST-0001 (ssd) added to A-1001"));
    assert!(msg(at(&lines, 7)).contains("Destination: recycle"));
    let l10 = at(&lines, 10);
    assert_eq!(l10["level"], "warn");
    assert!(
        msg(l10).contains("Cannot record yet: missing the result"),
        "{}",
        msg(l10)
    );
    assert!(!msg(l10).contains("the method ("), "{}", msg(l10));
    let l13 = at(&lines, 13);
    assert!(
        l13["question"]
            .as_str()
            .is_some_and(|q| q.contains("validator_required")),
        "{l13}"
    );
    let l14 = at(&lines, 14);
    assert_eq!(l14["level"], "error", "the technician's own badge: {l14}");
    assert!(msg(l14).contains("may not answer"), "{}", msg(l14));
    assert!(l14["question"].is_string(), "still asked");
    let l15 = at(&lines, 15);
    assert_eq!(l15["level"], "ok", "{l15}");
    assert!(msg(l15).contains("validated by B0002"), "{}", msg(l15));
    assert!(msg(l15).contains("SANITIZED"), "{}", msg(l15));
    assert_eq!(l15["asset"]["status"], "sanitized");
    assert!(lines.iter().skip(1).all(|l| l["mode"] == "wipe"));

    // The record as the report shows it.
    let out = sb
        .cmd()
        .args(["report", "sanitization", "--format", "json", "--asset", tag])
        .output()
        .unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    let rows: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 1, "{stdout}");
    let r = &rows[0];
    assert_eq!(r["medium_serial"], "S3-TEST-0001");
    assert_eq!(r["media_type"], "ssd");
    assert_eq!(r["method"], "purge");
    assert_eq!(r["technique"], "crypto_erase");
    assert_eq!(r["verification"], "full");
    assert_eq!(r["result"], "passed");
    assert_eq!(r["operator"], "B0003");
    assert_eq!(r["validator"], "B0002");
    assert_eq!(r["destination"], "recycle");
    assert_eq!(r["source"], "manual");

    // The certificate is issued from it.
    let pdf = sb.path().join("cert.pdf");
    let out = sb
        .cmd()
        .args(["certificate", tag, "--out"])
        .arg(&pdf)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let c: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(c["issued"], true);
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF"));

    let v = sb.cmd().arg("verify").output().unwrap();
    assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stdout));
}

#[test]
fn a_failed_record_keeps_an_asset_from_sanitized() {
    let sb = Sandbox::new();
    let codes = seeded(&sb);
    let tag = &codes.tags[3]; // an HP EliteBook, deployed
    let monitor = &codes.tags[1]; // a Dell monitor: it holds no media
    let mut st = Station::new(
        Store::open(&sb.db()).unwrap(),
        StationSettings {
            station_id: "bench-2".into(),
            ..StationSettings::default()
        },
    )
    .unwrap();
    for (input, level) in [
        ("B0002", Level::Ok),
        ("CMD:MODE:WIPE", Level::Ok),
        // No asset on the bench: nothing to record.
        ("CMD:CONFIRM", Level::Warning),
        // An asset without media is sanitized once its reason is given.
        (monitor.as_str(), Level::Warning),
        ("CMD:PICK:4", Level::Ok),
        (tag.as_str(), Level::Warning),
        ("CMD:REASON:FAILED", Level::Ok),
        ("CMD:MEDIA:HDD", Level::Warning),
        ("WD-FAIL-1", Level::Ok),
        ("CMD:MEDIA:HDD", Level::Warning),
        ("WD-OK-2", Level::Ok),
        // The same serial again is the same medium.
        ("CMD:MEDIA:HDD", Level::Warning),
        ("WD-OK-2", Level::Ok),
        ("CMD:CONFIRM", Level::Warning),
        ("CMD:METHOD:CLEAR", Level::Ok),
        ("CMD:RESULT:PASSED", Level::Ok),
        ("CMD:CONFIRM", Level::Warning),
        ("B0001", Level::Ok),
    ] {
        let o = st.handle(scan(input));
        assert_eq!(o.level, level, "{input}: {}", o.message);
    }
    assert_eq!(status_of(&st, monitor), "sanitized");
    assert_eq!(status_of(&st, tag), "decommissioning", "one of two media");
    // The first drive fails.
    for (input, level) in [
        ("WD-FAIL-1", Level::Ok),
        ("CMD:METHOD:CLEAR", Level::Ok),
        ("CMD:RESULT:FAILED", Level::Ok),
        ("CMD:CONFIRM", Level::Warning),
    ] {
        let o = st.handle(scan(input));
        assert_eq!(o.level, level, "{input}: {}", o.message);
    }
    let o = st.handle(scan("B0001"));
    assert_eq!(o.level, Level::Warning, "{}", o.message);
    assert!(o.message.contains("FAILED"), "{}", o.message);
    assert_eq!(
        status_of(&st, tag),
        "decommissioning",
        "a failed wipe blocks"
    );
    // No certificate for it either.
    let out = sb.cmd().args(["certificate", tag]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    // A passed record afterwards clears it.
    for input in [
        "CMD:METHOD:DESTROY",
        "CMD:TECHNIQUE:SHRED",
        "CMD:RESULT:PASSED",
    ] {
        st.handle(scan(input));
    }
    // Destroy names who or what destroyed it, then the validator.
    let o = st.handle(scan("CMD:CONFIRM"));
    assert!(o.message.contains("Destroyed by"), "{}", o.message);
    let o = st.handle(scan("Shredder SSD-9 bench 2"));
    assert!(o.message.contains("validator_required"), "{}", o.message);
    let o = st.handle(scan("B0003"));
    assert!(o.message.contains("SANITIZED"), "{}", o.message);
    assert!(
        o.message.contains("destroyed by Shredder SSD-9 bench 2"),
        "{}",
        o.message
    );
    assert_eq!(status_of(&st, tag), "sanitized");
    drop(st);
    let out = sb
        .cmd()
        .args(["report", "sanitization", "--format", "json", "--asset", tag])
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert!(
        stdout
            .contains(r#""method":"destroy","technique":"shred","tool":"Shredder SSD-9 bench 2""#),
        "{stdout}"
    );
}

#[test]
fn a_wiped_asset_goes_on_a_pallet_to_a_certified_vendor_and_is_disposed() {
    let sb = Sandbox::new();
    let codes = seeded(&sb);
    {
        let store = Store::open(&sb.db()).unwrap();
        scanstation::store::vendors::create(
            store.conn(),
            "Acme Scrap",
            "disposal",
            Some("e-Stewards"),
            Some("2020-01-31"),
        )
        .unwrap();
    }
    let sscc = scanstation::station::modes::disposal::sscc("0614141", 3, 500).unwrap();
    assert_eq!(sscc, "306141410000005001", "the fixture's SSCC");
    let tag = &codes.tags[3]; // deployed
    assert_eq!((tag.as_str(), codes.tags[0].as_str()), ("A-1004", "A-1001"));
    let out = sb
        .cmd()
        .arg("--config")
        .arg(fixture("pallet-to-vendor.toml"))
        .arg("feed")
        .arg(fixture("pallet-to-vendor.feed"))
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(out.status.code(), Some(1), "refusals: {stdout}");
    assert!(msg(at(&lines, 12)).contains("SANITIZED"), "{stdout}");
    // No pallet open yet.
    assert!(
        msg(at(&lines, 14)).contains("no pallet is open"),
        "{stdout}"
    );
    assert!(msg(at(&lines, 15)).contains(&format!("Pallet {sscc} opened")));
    let l16 = at(&lines, 16);
    assert_eq!(l16["asset"]["status"], "awaiting_pickup", "{l16}");
    let l17 = at(&lines, 17);
    assert_eq!(l17["level"], "error");
    assert!(msg(l17).contains("rule media_sanitized"), "{}", msg(l17));
    assert!(msg(at(&lines, 18)).contains("closed with 1 assets"));
    let l19 = at(&lines, 19);
    let q = l19["question"].as_str().unwrap();
    assert!(q.contains("to which vendor"), "{q}");
    assert!(
        msg(l19).contains("pick 1–2"),
        "the supplier is not listed: {}",
        msg(l19)
    );
    let l20 = at(&lines, 20);
    assert_eq!(l20["level"], "error", "{l20}");
    assert!(msg(l20).contains("rule certified_vendor"), "{}", msg(l20));
    assert!(msg(l20).contains("expired on 2020-01-31"), "{}", msg(l20));
    assert!(at(&lines, 22)["question"]
        .as_str()
        .is_some_and(|q| q.contains("driver")));
    let l23 = at(&lines, 23);
    assert_eq!(l23["level"], "ok", "{l23}");
    assert!(msg(l23).contains("GreenCycle Recovery"), "{}", msg(l23));
    assert!(msg(l23).contains("DRV-4471 Jo Bloggs"), "{}", msg(l23));

    let report = |sb: &Sandbox| -> Value {
        let out = sb
            .cmd()
            .args(["report", "disposal", "--format", "json"])
            .output()
            .unwrap();
        assert!(out.status.success());
        let s = String::from_utf8(out.stdout).unwrap();
        assert_eq!(s.lines().count(), 1, "{s}");
        serde_json::from_str(s.lines().next().unwrap()).unwrap()
    };
    let r = report(&sb);
    assert_eq!(r["asset"], tag.as_str());
    assert_eq!(r["batch_sscc"], sscc.as_str());
    assert_eq!(r["vendor"], "GreenCycle Recovery");
    assert_eq!(r["vendor_certifications"], serde_json::json!(["R2v3"]));
    assert_eq!(r["driver"], "DRV-4471 Jo Bloggs");
    assert_eq!(r["certificate_number"], Value::Null);
    assert_eq!(r["status"], "in_transit");

    let confirm = |sb: &Sandbox| {
        sb.cmd()
            .args([
                "disposal",
                "confirm",
                &sscc,
                "--certificate",
                "GC-2026-0042",
            ])
            .output()
            .unwrap()
    };
    let out = confirm(&sb);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r = report(&sb);
    assert_eq!(r["status"], "disposed");
    assert_eq!(r["certificate_number"], "GC-2026-0042");
    let again = confirm(&sb);
    assert_eq!(again.status.code(), Some(1), "confirmed once");
    assert!(String::from_utf8_lossy(&again.stderr).contains("confirmed"));

    let v = sb.cmd().arg("verify").output().unwrap();
    assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stdout));
}

#[test]
fn imported_drives_are_attached_and_the_bench_survives_a_restart() {
    let sb = Sandbox::new();
    let codes = seeded(&sb);
    let log = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/nwipe/v0.42-written-from-source.txt");
    let out = sb
        .cmd()
        .args(["import", "nwipe"])
        .arg(&log)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let tag = &codes.tags[7]; // a Dell Latitude, in stock
    let settings = StationSettings {
        station_id: "bench-3".into(),
        ..StationSettings::default()
    };
    let open = || Station::new(Store::open(&sb.db()).unwrap(), settings.clone()).unwrap();
    {
        let mut st = open();
        for (input, level, says) in [
            ("B0003", Level::Ok, "Signed in"),
            ("CMD:MODE:WIPE", Level::Ok, "Wipe mode"),
            (tag.as_str(), Level::Warning, "leaves service"),
            ("CMD:REASON:UPGRADE", Level::Ok, "add each medium"),
            ("CMD:MEDIA:SSD", Level::Warning, "its serial?"),
            (
                "S62ANJ0R123456X",
                Level::Ok,
                "attached to A-1008 (1 imported record)",
            ),
        ] {
            let o = st.handle(scan(input));
            assert_eq!(o.level, level, "{input}: {}", o.message);
            assert!(o.message.contains(says), "{input}: {}", o.message);
        }
        // Not sanitized on attach: another drive may be still to add.
        assert_eq!(status_of(&st, tag), "decommissioning");
        // A crash: dropped without stop().
    }
    let mut st = open();
    for (input, level, says) in [
        ("CMD:MEDIA:NVME", Level::Warning, "NVME of A-1008"),
        ("23456A800123", Level::Ok, "attached to A-1008"),
        // nwipe overwrote them: Clear, and flash needs Purge.
        (
            "CMD:CONFIRM",
            Level::Error,
            "not sanitized: Refused by rule flash_needs_purge: S62ANJ0R123456X (ssd), 23456A800123 (nvme): only a Clear record",
        ),
        ("B0002", Level::Error, "not a supervisor"),
        (
            "B0001",
            Level::Ok,
            "flash_needs_purge overridden by B0001 · SANITIZED",
        ),
    ] {
        let o = st.handle(scan(input));
        assert_eq!(o.level, level, "{input}: {}", o.message);
        assert!(o.message.contains(says), "{input}: {}", o.message);
    }
    assert_eq!(status_of(&st, tag), "sanitized");
    let overrides: Vec<Value> =
        scanstation::store::journal::read_since(st.store().conn(), 0, 10_000)
            .unwrap()
            .into_iter()
            .filter(|e| e.kind == "policy.overridden")
            .map(|e| e.payload)
            .collect();
    assert_eq!(overrides.len(), 1, "{overrides:?}");
    assert_eq!(overrides[0]["rule"], "flash_needs_purge");
    assert_eq!(overrides[0]["by"], "B0001");
    assert_eq!(overrides[0]["to"], "sanitized");
    drop(st);
    let out = sb
        .cmd()
        .args(["report", "sanitization", "--format", "json", "--asset", tag])
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 2, "{stdout}");
    assert!(stdout.contains("\"source\":\"nwipe\""), "{stdout}");
}

#[test]
fn rules_turned_on_off_or_overridable_change_the_bench() {
    let sb = Sandbox::new();
    let codes = seeded(&sb);
    {
        let store = Store::open(&sb.db()).unwrap();
        scanstation::store::vendors::create(
            store.conn(),
            "Backyard Metals",
            "disposal",
            None,
            None,
        )
        .unwrap();
    }
    let mut s = StationSettings {
        station_id: "bench-4".into(),
        company_prefix: Some("0614141".into()),
        ..StationSettings::default()
    };
    s.policy.validator_required.enabled = false;
    s.policy.decommission_deployed_needs_supervisor.enabled = true;
    s.policy.certified_vendor.overridable = true;
    let mut st = Station::new(Store::open(&sb.db()).unwrap(), s).unwrap();
    let tag = &codes.tags[5]; // a ThinkPad, deployed
    let sscc = scanstation::station::modes::disposal::sscc("0614141", 0, 1).unwrap();
    for (input, level, says) in [
        ("B0003", Level::Ok, "Signed in"),
        ("CMD:MODE:WIPE", Level::Ok, "Wipe mode"),
        (tag.as_str(), Level::Warning, "leaves service"),
        (
            "CMD:PICK:2",
            Level::Error,
            "rule decommission_deployed_needs_supervisor",
        ),
        ("B0002", Level::Error, "not a supervisor"),
        ("B0001", Level::Ok, "deployed → decommissioning (FAILED)"),
        ("CMD:MEDIA:HDD", Level::Warning, "its serial?"),
        ("ST-HDD-9", Level::Ok, "added"),
        ("CMD:METHOD:DESTROY", Level::Ok, "method destroy"),
        ("CMD:TECHNIQUE:SHRED", Level::Ok, "technique shred"),
        ("CMD:RESULT:PASSED", Level::Ok, "result passed"),
        ("CMD:CONFIRM", Level::Warning, "Destroyed by"),
        // validator_required is off, but a Destroy still needs a validator.
        (
            "ShredCo mobile shredder",
            Level::Warning,
            "destroy_needs_validator",
        ),
        ("B0003", Level::Error, "may not answer"),
        ("B0002", Level::Ok, "SANITIZED"),
        ("CMD:MODE:DISPOSAL", Level::Ok, "Disposal mode"),
        ("CMD:CLOSE", Level::Warning, "No pallet is open"),
        ("CMD:NEWBATCH", Level::Ok, "opened"),
        (
            "CMD:NEWBATCH",
            Level::Warning,
            "is open: CMD:CLOSE it first",
        ),
        ("CMD:CLOSE", Level::Warning, "is empty"),
        (tag.as_str(), Level::Ok, "on pallet"),
        (tag.as_str(), Level::Warning, "already on pallet"),
        (
            sscc.as_str(),
            Level::Warning,
            "is open: CMD:CLOSE it before",
        ),
        ("CMD:CLOSE", Level::Ok, "closed with 1 assets"),
        (sscc.as_str(), Level::Warning, "to which vendor"),
        // Backyard Metals (no certification) is first by name.
        ("CMD:PICK:1", Level::Error, "rule certified_vendor"),
        ("B0001", Level::Warning, "driver: name or id?"),
        ("VAN 12", Level::Ok, "handed to Backyard Metals"),
        (sscc.as_str(), Level::Ok, "is in_transit (driver VAN 12)"),
    ] {
        let o = st.handle(scan(input));
        assert_eq!(o.level, level, "{input}: {}", o.message);
        assert!(o.message.contains(says), "{input}: {}", o.message);
    }
    assert_eq!(status_of(&st, tag), "in_transit");
    let overrides: Vec<Value> =
        scanstation::store::journal::read_since(st.store().conn(), 0, 10_000)
            .unwrap()
            .into_iter()
            .filter(|e| e.kind == "policy.overridden")
            .map(|e| e.payload)
            .collect();
    assert_eq!(overrides.len(), 2, "{overrides:?}");
    assert_eq!(
        overrides[0]["rule"],
        "decommission_deployed_needs_supervisor"
    );
    assert_eq!(overrides[1]["rule"], "certified_vendor");
    assert_eq!(overrides[1]["by"], "B0001");
}
