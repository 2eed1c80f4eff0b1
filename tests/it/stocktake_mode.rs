//! Stock-take end to end: `stocktake start` over a scope, a location counted
//! as a `feed` file (held RFID reads, tag scans, RFID lines, a misplaced and
//! a missing asset, an unexpected one, an unknown code, held reads
//! discarded), `report stocktake` checked, the actions, then `verify`.

use crate::support::Sandbox;
use scanstation::station::seed::seed_demo;
use scanstation::store::{assets, journal, Store};
use serde_json::Value;

fn run(sb: &Sandbox, args: &[&str]) -> (Option<i32>, String, String) {
    let out = sb.cmd().args(args).output().unwrap();
    (
        out.status.code(),
        String::from_utf8(out.stdout).unwrap(),
        String::from_utf8(out.stderr).unwrap(),
    )
}

#[test]
fn a_location_counted_from_a_feed_file_reconciles_exactly() {
    let sb = Sandbox::new();
    let codes = {
        let mut store = Store::open(&sb.db()).unwrap();
        seed_demo(&mut store, "seed").unwrap()
    };
    // What the store expects on the shelves of room 101.
    let all = {
        let store = Store::open(&sb.db()).unwrap();
        assets::list(store.conn()).unwrap()
    };
    let at = |code: &str| -> Vec<String> {
        all.iter()
            .filter(|a| a.location_code.as_deref() == Some(code))
            .filter(|a| a.status != "disposed" && a.status != "on_order")
            .map(|a| a.tag.clone().unwrap())
            .collect()
    };
    let s1 = at("LOC-R101-S1");
    let in_scope = s1.len() + at("LOC-R101-S2").len() + at("LOC-R101-S3").len();
    assert!(s1.len() >= 3, "{s1:?}");
    assert_eq!(s1[0], "A-1001", "A-1001 carries the first EPC");
    let elsewhere = at("LOC-R101-S2")[0].clone(); // expected on shelf 2
    let outside = at("LOC-R201")[0].clone(); // deployed, outside the scope
    let missing = s1.last().unwrap().clone();

    let (code, out, err) = run(
        &sb,
        &[
            "stocktake",
            "start",
            "--name",
            "Room 101 Q4",
            "--scope",
            "LOC-R101",
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    let started: Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(started["id"], 1);
    assert_eq!(started["name"], "Room 101 Q4");
    assert_eq!(started["expected"], in_scope as u64);

    let epc = &codes.epcs[0]; // A-1001's
    let shelf2_epc = &codes.epcs[1]; // A-1005's, on shelf 2
    let mut feed = format!(
        "B0001\n\
         CMD:MODE:STOCKTAKE\n\
         {{\"epc\": \"{epc}\", \"rssi\": -61.5}}\n\
         LOC-R101-S1\n"
    );
    for tag in &s1[..s1.len() - 1] {
        feed.push_str(tag);
        feed.push('\n');
    }
    feed.push_str(&format!(
        "{{\"epc\": \"{epc}\", \"rssi\": -48.0}}\n\
         {elsewhere}\n\
         {outside}\n\
         ZX-UNKNOWN-42\n\
         CMD:CLOSE\n\
         {{\"epc\": \"{shelf2_epc}\", \"rssi\": -50.0}}\n\
         CMD:CANCEL\n"
    ));
    let file = sb.path().join("count.feed");
    std::fs::write(&file, &feed).unwrap();
    let (code, out, err) = run(&sb, &["feed", file.to_str().unwrap()]);
    let lines: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(code, Some(0), "{code:?} {out}\n{err}");
    let msg = |i: usize| lines[i]["message"].as_str().unwrap().to_string();
    assert!(msg(1).contains("Room 101 Q4"), "{}", msg(1));
    assert!(msg(2).contains("held"), "{}", msg(2));
    assert!(msg(3).contains("1 held reads assigned here"), "{}", msg(3));
    assert!(
        lines.iter().skip(1).all(|l| l["mode"] == "stocktake"),
        "{out}"
    );
    let n = lines.len();
    assert!(
        msg(n - 1).contains("1 held reads discarded"),
        "{}",
        msg(n - 1)
    );
    assert!(msg(n - 3).contains("LOC-R101-S1 counted"), "{}", msg(n - 3));
    assert!(
        msg(n - 4).contains("Unknown code ZX-UNKNOWN-42"),
        "{}",
        msg(n - 4)
    );
    assert!(msg(n - 5).contains("not expected"), "{}", msg(n - 5));
    assert!(
        msg(n - 6).contains("expected at LOC-R101-S2"),
        "{}",
        msg(n - 6)
    );

    let (code, out, err) = run(&sb, &["report", "stocktake", "1", "--format", "json"]);
    assert_eq!(code, Some(0), "{err}");
    let r: Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(r["id"], 1);
    assert_eq!(r["status"], "counting");
    let found = s1.len() - 1;
    assert_eq!(
        r["totals"],
        serde_json::json!({
            "expected": in_scope, "found": found, "missing": in_scope - found - 1,
            "misplaced": 1, "unexpected": 1, "unknown": 1, "duplicate": 0
        })
    );
    let loc = r["locations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["code"] == "LOC-R101-S1")
        .unwrap();
    assert_eq!(
        loc,
        &serde_json::json!({"code": "LOC-R101-S1", "expected": s1.len(), "found": found,
            "missing": 1, "misplaced_here": 1, "unexpected": 1, "unknown": 1})
    );
    let items = r["items"].as_array().unwrap();
    let item = |kind: &str, code: &str| {
        items
            .iter()
            .find(|i| i["kind"] == kind && i["code"] == code)
            .unwrap_or_else(|| panic!("no {kind} {code} in {items:?}"))
            .clone()
    };
    let m = item("misplaced", &elsewhere);
    assert_eq!(m["asset"], elsewhere.as_str());
    assert_eq!(m["expected_location"], "LOC-R101-S2");
    assert_eq!(m["seen_location"], "LOC-R101-S1");
    assert!(m["seen_at"].as_str().is_some());
    let gone = item("missing", &missing);
    assert_eq!(gone["seen_location"], Value::Null);
    assert_eq!(gone["expected_location"], "LOC-R101-S1");
    assert_eq!(
        item("unexpected", &outside)["expected_location"],
        Value::Null
    );
    assert_eq!(item("unknown", "ZX-UNKNOWN-42")["asset"], Value::Null);
    // The held RFID read of shelf 2 was discarded: A-1005 is missing.
    item("missing", "A-1005");
    // A-1001, read by RFID (held, then again) and scanned: found once.
    let a1001: Vec<&Value> = items.iter().filter(|i| i["asset"] == "A-1001").collect();
    assert_eq!(a1001.len(), 1);
    assert_eq!(a1001[0]["kind"], "found");

    // One audit per asset sighted, at its first sighting.
    let store = Store::open(&sb.db()).unwrap();
    let events = journal::read_since(store.conn(), 0, 100_000).unwrap();
    let audited: Vec<&journal::EventRow> = events
        .iter()
        .filter(|e| e.kind == "asset.audited")
        .collect();
    assert_eq!(audited.len(), found + 2, "found, misplaced and unexpected");
    assert!(audited
        .iter()
        .all(|e| e.payload["location"] == "LOC-R101-S1"));
    drop(store);

    // CSV and table.
    let (code, csv, _) = run(&sb, &["report", "stocktake", "1", "--format", "csv"]);
    assert_eq!(code, Some(0));
    assert!(csv.starts_with("kind,asset,code,expected_location,seen_location,seen_at\n"));
    assert_eq!(csv.lines().count(), items.len() + 1);
    let (code, table, _) = run(&sb, &["report", "stocktake", "1"]);
    assert_eq!(code, Some(0));
    assert!(table.lines().all(|l| l.chars().count() <= 80), "{table}");

    // Actions: move the misplaced, mark the missing after confirmation.
    let (code, out, _) = run(&sb, &["stocktake", "move", "1", "--misplaced"]);
    assert_eq!(code, Some(0));
    let moved: Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(moved["asset"], elsewhere.as_str());
    assert_eq!(moved["to"], "LOC-R101-S1");
    let (code, _, err) = run(&sb, &["stocktake", "mark-missing", "1"]);
    assert_eq!(code, Some(1), "asks first: {err}");
    assert!(err.contains("--yes"), "{err}");
    let (code, out, _) = run(&sb, &["stocktake", "mark-missing", "1", "--yes"]);
    assert_eq!(code, Some(0));
    assert_eq!(out.lines().count(), in_scope - found - 1);
    let store = Store::open(&sb.db()).unwrap();
    let id = assets::by_tag(store.conn(), &missing).unwrap().unwrap();
    assert_eq!(
        assets::get(store.conn(), id).unwrap().unwrap().status,
        "missing"
    );
    drop(store);

    // Closing with uncounted locations asks first.
    let (code, _, err) = run(&sb, &["stocktake", "close", "1"]);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("not counted"), "{err}");
    let (code, _, _) = run(&sb, &["stocktake", "close", "1", "--yes"]);
    assert_eq!(code, Some(0));
    let (code, out, _) = run(&sb, &["stocktake", "list"]);
    assert_eq!(code, Some(0));
    let l: Value = serde_json::from_str(out.lines().next().unwrap()).unwrap();
    assert_eq!(l["status"], "closed");
    assert_eq!(l["counted"], 1);

    // KPIs: accuracy, coverage, the operator's scans, what is missing.
    let (code, out, err) = run(&sb, &["report", "kpi", "--format", "json"]);
    assert_eq!(code, Some(0), "{err}");
    let k: Value = serde_json::from_str(out.trim()).unwrap();
    let k0 = &k["stocktakes"][0];
    assert_eq!(k0["found"], found);
    assert_eq!(k0["accuracy"], found as f64 / in_scope as f64);
    assert_eq!(k0["locations_covered"], 1);
    assert_eq!(k0["operators"][0]["operator"], "B0001");
    // Every scan and read after the mode switch names the stock-take.
    assert_eq!(k0["operators"][0]["scans"], s1.len() as u64 + 6);
    assert!(k0["missing_value"]["USD"].as_i64().unwrap() > 0);
    let (code, table, _) = run(&sb, &["report", "kpi"]);
    assert_eq!(code, Some(0));
    assert!(table.lines().all(|l| l.chars().count() <= 80), "{table}");
    assert!(table.contains("accuracy trend: "), "{table}");

    let (code, out, _) = run(&sb, &["verify"]);
    assert_eq!(code, Some(0), "{out}");
}

fn scan(code: &str) -> scanstation::input::Input {
    use scanstation::input::{Input, Scan, Source};
    Input::Scan(Scan::new(
        Source::Wedge,
        code.as_bytes(),
        std::time::SystemTime::now(),
    ))
}

fn read(epc: &str, rssi: f32, count: u32) -> scanstation::input::Input {
    scanstation::input::Input::Rfid(scanstation::input::RfidRead {
        source: "sim".into(),
        epc: hex::decode(epc).unwrap(),
        antenna: Some(1),
        rssi: Some(rssi),
        count,
        at: std::time::SystemTime::now(),
    })
}

#[test]
fn rfid_bleed_is_placed_by_signal_and_a_missing_asset_comes_back() {
    use scanstation::station::outcome::Level;
    use scanstation::station::{Station, StationSettings};
    let sb = Sandbox::new();
    let codes = {
        let mut store = Store::open(&sb.db()).unwrap();
        seed_demo(&mut store, "seed").unwrap()
    };
    // epcs: A-1001 (shelf 1), A-1005 (shelf 2), A-1009 (shelf 3), A-1013
    // (deployed, outside the scope).
    let (a1001, a1005, a1009, a1013) = (
        &codes.epcs[0],
        &codes.epcs[1],
        &codes.epcs[2],
        &codes.epcs[3],
    );
    let (code, _, err) = run(
        &sb,
        &[
            "stocktake",
            "start",
            "--name",
            "Sweep",
            "--scope",
            "LOC-R101",
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    // A-1009 was marked missing by an earlier stock-take.
    let (code, _, _) = run(&sb, &["stocktake", "mark-missing", "1", "--yes"]);
    assert_eq!(code, Some(0));
    let mut st = Station::new(
        Store::open(&sb.db()).unwrap(),
        StationSettings {
            station_id: "bench-1".into(),
            ..StationSettings::default()
        },
    )
    .unwrap();
    assert_eq!(st.handle(scan("B0001")).level, Level::Ok);
    assert_eq!(st.handle(scan("CMD:MODE:STOCKTAKE")).level, Level::Ok);
    assert_eq!(st.handle(scan("LOC-R101-S1")).level, Level::Ok);
    let o = st.handle(read(a1005, -72.0, 3));
    assert!(o.quiet, "RFID reads are quiet");
    st.handle(read(a1001, -45.0, 2));
    let again = st.handle(read(a1001, -47.0, 1));
    assert!(again.quiet);
    st.handle(scan("LOC-R101-S2"));
    st.handle(read(a1005, -50.0, 2));
    st.handle(read(a1001, -40.0, 1)); // one strong read across the shelf
    st.handle(read(a1013, -55.0, 2));
    st.handle(scan("LOC-R101-S3"));
    st.handle(read(a1013, -53.0, 2));
    let back = st.handle(read(a1009, -60.0, 1));
    assert!(
        back.message.contains("back to in_stock"),
        "{}",
        back.message
    );
    // A location outside the scope counts nothing until confirmed.
    let o = st.handle(scan("LOC-R201"));
    assert_eq!(o.level, Level::Warning, "{}", o.message);
    assert!(o.message.contains("outside"), "{}", o.message);
    let o = st.handle(scan("CMD:CONFIRM"));
    assert!(o.message.starts_with("LOC-R201: counting"), "{}", o.message);
    // An unknown code is enrolled from the screen, after CONFIRM.
    let o = st.handle(scan("ZX-NEW-7"));
    assert!(o.message.contains("Unknown code ZX-NEW-7"), "{}", o.message);
    let o = st.handle(scan("CMD:ENROL"));
    assert!(o.question.is_some(), "{}", o.message);
    let o = st.handle(scan("CMD:CONFIRM"));
    assert!(o.message.contains("Enrolled ZX-NEW-7"), "{}", o.message);
    drop(st);

    let (_, out, _) = run(&sb, &["report", "stocktake", "1", "--format", "json"]);
    let r: Value = serde_json::from_str(out.trim()).unwrap();
    let kind_of = |tag: &str| {
        r["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["asset"] == tag)
            .map(|i| (i["kind"].clone(), i["seen_location"].clone()))
            .unwrap()
    };
    assert_eq!(kind_of("A-1005"), ("found".into(), "LOC-R101-S2".into()));
    assert_eq!(kind_of("A-1001"), ("found".into(), "LOC-R101-S1".into()));
    assert_eq!(kind_of("A-1009"), ("found".into(), "LOC-R101-S3".into()));
    assert_eq!(
        kind_of("A-1013"),
        ("duplicate".into(), "LOC-R101-S3".into())
    );
    assert_eq!(
        kind_of("ZX-NEW-7"),
        ("unexpected".into(), "LOC-R201".into())
    );
    assert_eq!(r["totals"]["unknown"], 0);
    assert_eq!(r["totals"]["misplaced"], 0);
    assert_eq!(r["totals"]["duplicate"], 1);
    let store = Store::open(&sb.db()).unwrap();
    let id = assets::by_tag(store.conn(), "A-1009").unwrap().unwrap();
    assert_eq!(
        assets::get(store.conn(), id).unwrap().unwrap().status,
        "in_stock"
    );
}
