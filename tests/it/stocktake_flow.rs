//! A stock-take's whole life at the station, as a walker and a supervisor
//! see it: the scope built by scanning location labels and started with
//! CONFIRM (named from the date and the station, owned by the operator),
//! counted by RFID (open → counting), the counting ended with CMD:CLOSE
//! (asking first about an uncounted location: → reconciling), the result
//! acted on with CMD:MOVE and CMD:MISSING (through the lifecycle: a `lost`
//! asset cannot become missing and is left), closed, and the KPI panel with
//! the accuracy trend. Then `stocktake mark-missing` from the command line
//! goes through the same lifecycle path.

use crate::support::Sandbox;
use scanstation::input::{Input, RfidRead, Scan, Source};
use scanstation::station::outcome::{Level, Outcome, Panel};
use scanstation::station::view::WorkflowView;
use scanstation::station::{Station, StationSettings};
use scanstation::store::{assets, journal, locations, operators, stocktake, Store};
use std::time::SystemTime;

fn scan(code: &str) -> Input {
    Input::Scan(Scan::new(Source::Wedge, code.as_bytes(), SystemTime::now()))
}

fn read(n: usize, rssi: f32) -> Input {
    Input::Rfid(RfidRead {
        source: "sim".into(),
        epc: hex::decode(epc(n)).unwrap(),
        antenna: Some(1),
        rssi: Some(rssi),
        count: 2,
        at: SystemTime::now(),
    })
}

fn epc(n: usize) -> String {
    format!("E2801160{n:016X}")
}

fn view(o: &Outcome) -> &WorkflowView {
    match &o.panel {
        Some(Panel::Workflow(v)) => v,
        other => panic!("no workflow panel: {other:?}"),
    }
}

/// LOC-SITE with shelves LOC-L0..LOC-L2, three tagged assets each
/// (T0..T8); T2 costs EUR 12.50; T8 is `lost`.
fn site(sb: &Sandbox) {
    let mut store = Store::open(&sb.db()).unwrap();
    let tx = store.write().unwrap();
    let c = tx.conn();
    operators::create(c, "B0001", "Ana Lopez", "supervisor").unwrap();
    let root = locations::create(c, "LOC-SITE", "Site", None, None).unwrap();
    for l in 0..3 {
        let loc = locations::create(c, &format!("LOC-L{l}"), "Shelf", Some(root), None).unwrap();
        for k in 0..3 {
            let n = l * 3 + k;
            let a = assets::NewAsset {
                tag: format!("T{n}"),
                location_id: Some(loc),
                status: if n == 8 { "lost" } else { "in_stock" }.into(),
                cost_minor: (n == 2).then_some(1250),
                currency: (n == 2).then(|| "EUR".to_string()),
                ..Default::default()
            };
            assets::insert(c, &a, &[("epc", &epc(n))]).unwrap();
        }
    }
    tx.commit().unwrap();
}

#[test]
fn a_stocktake_is_started_counted_reconciled_acted_on_and_closed_at_the_station() {
    let sb = Sandbox::new();
    site(&sb);
    let mut st = Station::new(
        Store::open(&sb.db()).unwrap(),
        StationSettings {
            station_id: "bench-1".into(),
            ..StationSettings::default()
        },
    )
    .unwrap();
    assert_eq!(st.handle(scan("B0001")).level, Level::Ok);
    let o = st.handle(scan("CMD:MODE:STOCKTAKE"));
    assert!(o.message.contains("No stock-take open"), "{}", o.message);
    let v = view(&o);
    assert_eq!(v.title, "Stock-takes");
    assert!(v.lines.iter().any(|l| l == "No stock-take yet"), "{v:?}");
    assert_eq!(v.trend.as_ref().unwrap().values, Vec::<u64>::new());

    // Reads with nothing open count nothing.
    let o = st.handle(scan("T0"));
    assert_eq!(o.level, Level::Warning, "{}", o.message);
    // The scope: the site's label, then CONFIRM.
    let o = st.handle(scan("LOC-SITE"));
    assert!(
        o.message
            .contains("Scope: LOC-SITE (4 locations, 9 assets expected)"),
        "{}",
        o.message
    );
    let o = st.handle(scan("CMD:CONFIRM"));
    assert_eq!(o.level, Level::Ok, "{}", o.message);
    assert!(o.message.contains(" bench-1 started"), "{}", o.message);
    let (id, name) = {
        let store = Store::open(&sb.db()).unwrap();
        let all = stocktake::list(store.conn()).unwrap();
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].status, "open");
        assert_eq!(all[0].owner.as_deref(), Some("B0001"));
        (all[0].id, all[0].name.clone())
    };
    assert!(name.ends_with(" bench-1") && name.len() == 18, "{name}");

    // Counting: the first location makes it `counting`.
    let o = st.handle(scan("LOC-L0"));
    assert!(view(&o).title.contains("(counting)"), "{:?}", view(&o));
    st.handle(read(0, -50.0));
    st.handle(read(1, -50.0));
    // T2 is missing.
    st.handle(scan("LOC-L1"));
    st.handle(read(3, -50.0));
    st.handle(read(4, -50.0));
    // T5 is on the next shelf: misplaced. T8 (lost) is not there.
    st.handle(scan("LOC-L2"));
    st.handle(read(5, -45.0));
    st.handle(read(6, -50.0));
    st.handle(read(7, -50.0));
    let o = st.handle(scan("CMD:CLOSE"));
    assert!(o.message.contains("LOC-L2 counted"), "{}", o.message);
    let o = st.handle(scan("CMD:MOVE"));
    assert_eq!(o.level, Level::Warning);
    assert!(
        o.message.contains("end the counting first"),
        "{}",
        o.message
    );
    // LOC-SITE itself was never scanned: asks first.
    let o = st.handle(scan("CMD:CLOSE"));
    assert!(
        o.message.contains("1 of 4 locations were not counted"),
        "{}",
        o.message
    );
    let o = st.handle(scan("CMD:CONFIRM"));
    assert!(o.message.contains("ended"), "{}", o.message);
    let v = view(&o);
    assert!(v.title.contains("(reconciling)"), "{v:?}");
    assert_eq!(
        v.list,
        [
            "misplaced T5 at LOC-L2 (expected LOC-L1)",
            "missing T2 from LOC-L0",
            "missing T8 from LOC-L2",
        ]
    );
    // Reconciling: reads count nothing.
    let o = st.handle(read(2, -50.0));
    assert!(
        o.message.contains("no stock-take is being counted"),
        "{}",
        o.message
    );
    let o = st.handle(scan("LOC-L0"));
    assert!(o.message.contains("being reconciled"), "{}", o.message);

    let o = st.handle(scan("CMD:MOVE"));
    assert!(o.message.contains("Move 1 misplaced"), "{}", o.message);
    let o = st.handle(scan("CMD:CONFIRM"));
    assert_eq!(o.message, "1 assets moved");
    let o = st.handle(scan("CMD:MISSING"));
    assert!(o.message.contains("Mark 2 missing"), "{}", o.message);
    let o = st.handle(scan("CMD:CONFIRM"));
    assert_eq!(o.level, Level::Warning);
    assert!(
        o.message.starts_with("1 assets marked missing · 1 left as they are (T8: rule lifecycle: lost cannot become missing)"),
        "{}",
        o.message
    );
    let o = st.handle(scan("CMD:CLOSE"));
    assert!(o.message.contains("closed"), "{}", o.message);
    let v = view(&o).clone();
    assert_eq!(v.title, "Stock-takes");
    assert!(
        v.lines
            .iter()
            .any(|l| l.starts_with("Accuracy 66.7% (6 of 9) · covered 3 of 4")),
        "{v:?}"
    );
    assert!(
        v.lines.iter().any(|l| l == "Missing value: EUR 12.50"),
        "{v:?}"
    );
    assert!(
        v.lines.iter().any(|l| l.starts_with("Scans/hour: B0001")),
        "{v:?}"
    );
    assert_eq!(v.trend.as_ref().unwrap().values, [67]);
    drop(st);

    let store = Store::open(&sb.db()).unwrap();
    let c = store.conn();
    assert_eq!(stocktake::get(c, id).unwrap().unwrap().status, "closed");
    let t5 = assets::get(c, assets::by_tag(c, "T5").unwrap().unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(t5.location_code.as_deref(), Some("LOC-L2"));
    let status = |tag: &str| {
        assets::get(c, assets::by_tag(c, tag).unwrap().unwrap())
            .unwrap()
            .unwrap()
            .status
    };
    assert_eq!(status("T2"), "missing");
    assert_eq!(status("T8"), "lost");
    let kinds: Vec<(String, serde_json::Value)> = journal::read_since(c, 0, 10_000)
        .unwrap()
        .into_iter()
        .filter(|e| {
            e.kind.starts_with("stocktake.")
                || e.kind == "asset.moved"
                || e.kind == "asset.status_changed"
        })
        .map(|e| (e.kind, e.payload))
        .collect();
    let names: Vec<&str> = kinds.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        names,
        [
            "stocktake.started",
            "stocktake.counting",
            "stocktake.location",
            "stocktake.location",
            "stocktake.location",
            "stocktake.location_closed",
            "stocktake.reconciling",
            "asset.moved",
            "stocktake.action",
            "asset.status_changed",
            "stocktake.action",
            "stocktake.closed",
        ]
    );
    assert_eq!(kinds[0].1["owner"], "B0001");
    assert_eq!(kinds[0].1["scope"], serde_json::json!(["LOC-SITE"]));
    assert_eq!(kinds[6].1["uncounted"], 1);
    assert_eq!(kinds[7].1["reason"], "stocktake");
    assert_eq!(kinds[9].1["to"], "missing");
    assert_eq!(kinds[9].1["reason"], "stocktake");
}

#[test]
fn dropping_a_scope_starts_nothing() {
    let sb = Sandbox::new();
    site(&sb);
    let mut st = Station::new(Store::open(&sb.db()).unwrap(), StationSettings::default()).unwrap();
    st.handle(scan("B0001"));
    st.handle(scan("CMD:MODE:STOCKTAKE"));
    st.handle(scan("LOC-L0"));
    st.handle(scan("LOC-L1"));
    let o = st.handle(scan("CMD:CANCEL"));
    assert!(o.message.contains("Scope dropped"), "{}", o.message);
    let o = st.handle(scan("CMD:CONFIRM"));
    assert_eq!(o.level, Level::Warning, "{}", o.message);
    drop(st);
    let store = Store::open(&sb.db()).unwrap();
    assert!(stocktake::list(store.conn()).unwrap().is_empty());
}

#[test]
fn mark_missing_from_the_command_line_goes_through_the_lifecycle() {
    let sb = Sandbox::new();
    site(&sb);
    let run = |args: &[&str]| {
        let out = sb.cmd().args(args).output().unwrap();
        (
            out.status.code(),
            String::from_utf8(out.stdout).unwrap(),
            String::from_utf8(out.stderr).unwrap(),
        )
    };
    let (code, out, err) = run(&["stocktake", "start", "--name", "Q4", "--scope", "LOC-L2"]);
    assert_eq!(code, Some(0), "{err}");
    let started: serde_json::Value = serde_json::from_str(out.trim()).unwrap();
    assert_eq!(
        started,
        serde_json::json!({"id": 1, "name": "Q4", "expected": 3})
    );
    let (code, _, err) = run(&["stocktake", "mark-missing", "1"]);
    assert_eq!(code, Some(1));
    assert!(
        err.contains("3 assets of stock-take 1 are missing"),
        "{err}"
    );
    let (code, out, err) = run(&["stocktake", "mark-missing", "1", "--yes"]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(out.lines().count(), 2, "{out}");
    assert!(
        err.contains("T8 left as it is: rule lifecycle: lost cannot become missing"),
        "{err}"
    );
    let store = Store::open(&sb.db()).unwrap();
    let changed: Vec<_> = journal::read_since(store.conn(), 0, 1000)
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == "asset.status_changed")
        .collect();
    assert_eq!(changed.len(), 2);
    assert!(changed.iter().all(|e| e.payload["reason"] == "stocktake"));
}
