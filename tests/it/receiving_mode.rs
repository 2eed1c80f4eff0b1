//! Receive mode end to end: a delivery as a `feed` file (a PO scan, box
//! labels in several vendors' formats, tags, an over unit confirmed, a
//! duplicate serial refused, damaged, close -> short), `report receiving`
//! and `verify`; and through `Station::handle`: the pick list of open
//! orders, generated tags at the dock, a delivery that survives a restart.

use crate::support::Sandbox;
use scanstation::input::{Command, Input, Mode, Scan, Source};
use scanstation::station::seed::seed_demo;
use scanstation::station::{Level, Panel, Station, StationSettings};
use scanstation::store::{assets, Store};
use serde_json::Value;
use std::path::Path;
use std::time::SystemTime;

const ORDERS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/csv/orders.csv");

fn setup(sb: &Sandbox) {
    let mut store = Store::open(&sb.db()).unwrap();
    seed_demo(&mut store, "seed").unwrap();
    drop(store);
    let out = sb
        .cmd()
        .args(["import", "orders", ORDERS])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn feed(sb: &Sandbox, file: &Path) -> (Option<i32>, Vec<Value>) {
    let out = sb
        .cmd()
        .args(["feed", "--operator", "B0003", "--mode", "receive"])
        .arg(file)
        .output()
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    let lines = stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (out.status.code(), lines)
}

const DELIVERY: &str = "# PO-1001 arrives
# Lee signs in with --operator
PO-1001
(01)01953488110008(21)PF3ABC01
RX-00001
(01)01953488110008(21)PF3ABC02
CMD:CONFIRM
RX-00002
[)>{RS}06{GS}1P21HD003AUS{GS}SPF3ABC03{RS}{EOT}
RX-00003
1S11T30039USMJ0ABC12
RX-00004
LAT7440-I7
CN0XYZ12
RX-00005
CMD:DAMAGED
SC02XL0GHJGH5
MPHE3LL/A
RX-00006
(01)01953488110039(21)PF3ABC01
(01)09506000134352(21)ZZZ999
[)>{RS}06{RS}{EOT}
BLK-17
BLK-17
(01)01953488110008(21)PF3ABC09
CMD:CANCEL
CMD:CLOSE
";

#[test]
fn a_delivery_is_received_through_feed_and_reported() {
    let sb = Sandbox::new();
    setup(&sb);
    let file = sb.path().join("delivery.feed");
    std::fs::write(&file, DELIVERY).unwrap();
    let (code, lines) = feed(&sb, &file);
    assert_eq!(code, Some(1), "refusals are errors: {lines:?}");
    let by = |n: u64| lines.iter().find(|l| l["line"] == n).unwrap().clone();
    let msg = |n: u64| by(n)["message"].as_str().unwrap().to_string();
    assert_eq!(by(3)["identity"]["type"], "purchase_order");
    assert!(msg(3).starts_with("Receiving PO-1001"), "{}", msg(3));
    // GS1 (01)+(21), then its tag.
    assert_eq!(by(5)["asset"]["tag"], "RX-00001");
    assert_eq!(by(5)["asset"]["status"], "in_stock");
    // Over line 1's quantity: asked, confirmed, received as over.
    assert!(by(6)["question"]
        .as_str()
        .unwrap()
        .contains("over the order"));
    assert_eq!(by(8)["asset"]["tag"], "RX-00002");
    assert!(msg(8).contains("OVER"));
    // ISO/IEC 15434 format 06: line 1 is complete, so its part number goes
    // to line 11.
    assert_eq!(by(9)["identity"]["type"], "part_serial");
    assert!(msg(9).starts_with("Line 11"), "{}", msg(9));
    assert_eq!(by(10)["asset"]["tag"], "RX-00003");
    // Lenovo 1S + MTM + serial.
    assert!(msg(11).starts_with("Line 6"), "{}", msg(11));
    // A part number, then a serial that looks like one: position decides.
    assert!(msg(13).contains("scan its serial"), "{}", msg(13));
    assert!(msg(14).contains("serial CN0XYZ12"), "{}", msg(14));
    assert_eq!(by(16)["asset"]["status"], "in_repair");
    // A serial first, then an Apple part number: Apple's S prefix is stripped.
    assert!(msg(18).contains("serial C02XL0GHJGH5"), "{}", msg(18));
    assert_eq!(by(19)["asset"]["tag"], "RX-00006");
    assert_eq!(by(20)["level"], "error");
    assert!(msg(20).starts_with("DUPLICATE SERIAL"), "{}", msg(20));
    assert!(msg(21).starts_with("NOT ON ORDER"), "{}", msg(21));
    assert!(msg(22).starts_with("UNREADABLE"), "{}", msg(22));
    assert!(msg(24).contains("2 of 50 counted"), "{}", msg(24));
    assert_eq!(by(26)["message"], "Refused: PF3ABC09 not received");
    assert!(msg(27).contains("closed"), "{}", msg(27));

    let out = sb
        .cmd()
        .args(["report", "receiving", "--po", "PO-1001", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert_eq!(text.lines().count(), 1);
    let r: Value = serde_json::from_str(text.trim()).unwrap();
    assert_eq!(r["po"], "PO-1001");
    assert_eq!(r["vendor"], "Acme Computers");
    assert_eq!(r["status"], "closed");
    let line = |n: i64| {
        r["lines"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["line"] == n)
            .unwrap()
            .clone()
    };
    assert_eq!(line(1)["received"], 2);
    assert_eq!(line(1)["ordered"], 1);
    assert_eq!(line(2)["damaged"], 1);
    assert_eq!(line(18)["received"], 2);
    let kinds: Vec<&str> = r["discrepancies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["kind"].as_str().unwrap())
        .collect();
    for k in [
        "over",
        "damaged",
        "duplicate_serial",
        "not_on_order",
        "unreadable",
        "short",
    ] {
        assert!(kinds.contains(&k), "{k} in {kinds:?}");
    }
    // Every line but 1 is short.
    assert_eq!(kinds.iter().filter(|k| **k == "short").count(), 19);
    let dup = r["discrepancies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["kind"] == "duplicate_serial")
        .unwrap();
    assert_eq!(dup["serial"], "PF3ABC01");
    assert_eq!(dup["line"], 4);
    let tags: Vec<&str> = r["assets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["tag"].as_str().unwrap())
        .collect();
    assert_eq!(
        tags,
        ["RX-00001", "RX-00002", "RX-00003", "RX-00004", "RX-00005", "RX-00006"]
    );
    assert_eq!(r["assets"][5]["serial"], "C02XL0GHJGH5");
    assert_eq!(r["assets"][5]["line"], 3);

    // The asset carries the order's facts.
    let store = Store::open(&sb.db()).unwrap();
    let id = assets::by_tag(store.conn(), "RX-00001").unwrap().unwrap();
    let a = assets::get(store.conn(), id).unwrap().unwrap();
    assert_eq!(a.serial.as_deref(), Some("PF3ABC01"));
    assert_eq!(a.model.as_deref(), Some("ThinkPad T14 Gen 4"));
    assert_eq!(a.supplier.as_deref(), Some("Acme Computers"));
    assert_eq!(a.order_number.as_deref(), Some("PO-1001"));
    assert_eq!(a.cost_minor, Some(129950));
    assert_eq!(a.currency.as_deref(), Some("USD"));
    assert_eq!(a.purchase_date.as_deref(), Some("2026-11-02"));
    assert!(a.warranty_end.is_some());
    assert!(a.received_by.is_some(), "Lee signed in");
    drop(store);

    let out = sb
        .cmd()
        .args(["report", "vendors", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let acme: Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(acme["vendor"], "Acme Computers");
    assert_eq!(acme["lines"], 20);
    assert_eq!(acme["units_received"], 8, "six units and two cables");
    assert_eq!(acme["over_rate"], 0.05);
    assert_eq!(acme["damaged_rate"], 0.05);
    assert_eq!(acme["short_rate"], 0.95);
    assert_eq!(acme["value_received"]["USD"], "7322.90");

    let v = sb.cmd().arg("verify").output().unwrap();
    assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stdout));

    // A closed order opens no new delivery.
    let again = sb.path().join("again.feed");
    std::fs::write(&again, "PO-1001\n").unwrap();
    let (_, lines) = feed(&sb, &again);
    assert!(lines[0]["message"].as_str().unwrap().contains("closed"));
}

fn scan(code: &str) -> Input {
    Input::Scan(Scan::new(Source::Wedge, code.as_bytes(), SystemTime::now()))
}

#[test]
fn orders_are_picked_tags_generated_at_the_dock_and_a_delivery_survives_a_restart() {
    let sb = Sandbox::new();
    setup(&sb);
    let mut settings = StationSettings {
        station_id: "dock-1".into(),
        ..StationSettings::default()
    };
    settings.receiving.tags = "generate".into();
    settings.receiving.tag_prefix = "RCV-".into();
    settings.receiving.location = Some("LOC-R101".into());
    let mut st = Station::new(Store::open(&sb.db()).unwrap(), settings.clone()).unwrap();
    let o = st.handle(Input::Command(Command::Mode(Mode::Receive)));
    let q = o.question.expect("the open orders are listed");
    assert_eq!(q.expects, "pick");
    assert_eq!(q.options.len(), 2);
    assert!(q.options[1].starts_with("PO-1002"), "{:?}", q.options);
    let o = st.handle(Input::Command(Command::Pick(2)));
    assert_eq!(o.level, Level::Ok, "{}", o.message);
    assert!(o.message.contains("PO-1002"));
    let Some(Panel::Workflow(v)) = &o.panel else {
        panic!("the delivery's panel: {:?}", o.panel)
    };
    assert_eq!(v.progress.as_ref().unwrap().total, 10);
    assert_eq!(v.list.len(), 2);
    // Part then serial; the tag is generated and the asset is at the dock.
    assert_eq!(st.handle(scan("LAT5550")).level, Level::Ok);
    drop(st);
    // A restart in the middle of a unit: the delivery and the unit go on.
    let mut st = Station::new(Store::open(&sb.db()).unwrap(), settings.clone()).unwrap();
    let o = st.handle(scan("5CG1234XYZ"));
    assert_eq!(o.level, Level::Ok, "{}", o.message);
    assert!(o.message.starts_with("Received RCV-00001"), "{}", o.message);
    let Some(Panel::Workflow(v)) = &o.panel else {
        panic!("panel")
    };
    assert_eq!(v.progress.as_ref().unwrap().done, 1);
    assert!(
        v.lines.iter().any(|l| l.contains("RCV-00001")),
        "{:?}",
        v.lines
    );
    let store = Store::open(&sb.db()).unwrap();
    let id = assets::by_tag(store.conn(), "RCV-00001").unwrap().unwrap();
    let a = assets::get(store.conn(), id).unwrap().unwrap();
    assert_eq!(a.location_code.as_deref(), Some("LOC-R101"));
    assert_eq!(a.currency.as_deref(), Some("EUR"));
    drop(store);
    // The next one gets the next tag; the same serial again is refused.
    let o = st.handle(scan("LAT5550"));
    assert_eq!(o.level, Level::Ok);
    let o = st.handle(scan("5CG1234XYZ"));
    assert_eq!(o.level, Level::Error);
    assert!(o.message.starts_with("DUPLICATE SERIAL"), "{}", o.message);
    // Serial first, then a part number that looks like a tag.
    assert_eq!(st.handle(scan("5CG1234XZZ")).level, Level::Ok);
    let o = st.handle(scan("LAT5550"));
    assert!(o.message.starts_with("Received RCV-00002"), "{}", o.message);
    // A put-away location scanned next moves the unit.
    let o = st.handle(scan("LOC-R102"));
    assert_eq!(o.level, Level::Ok, "{}", o.message);
    // Untracked sleeves are counted; a tag scanned with no unit is refused.
    let o = st.handle(scan("TSS-14"));
    assert!(o.message.contains("1 of 5 counted"), "{}", o.message);
    // A 15434 box label with its part number and a quantity counts the box.
    let o = st.handle(scan("[)>{RS}06{GS}1PTSS-14{GS}Q3{RS}{EOT}"));
    assert!(o.message.contains("4 of 5 counted"), "{}", o.message);
    assert_eq!(st.handle(scan("RX-99999")).level, Level::Warning);
    let o = st.handle(Input::Command(Command::Close));
    assert_eq!(o.level, Level::Warning);
    assert!(o.message.contains("2 line(s) short"), "{}", o.message);
    let store = Store::open(&sb.db()).unwrap();
    let id = assets::by_tag(store.conn(), "RCV-00002").unwrap().unwrap();
    let a = assets::get(store.conn(), id).unwrap().unwrap();
    assert_eq!(a.location_code.as_deref(), Some("LOC-R102"));
}

#[test]
fn a_twenty_line_order_is_received_whole_from_a_fixture() {
    let sb = Sandbox::new();
    setup(&sb);
    let file =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/receiving/po-1001-complete.feed");
    let (code, lines) = feed(&sb, &file);
    assert_eq!(code, Some(0), "{lines:?}");
    assert!(lines.iter().all(|l| l["level"] == "ok"), "{lines:?}");
    assert_eq!(
        lines.last().unwrap()["message"],
        "PO-1001 closed: every line received"
    );
    let out = sb
        .cmd()
        .args(["report", "receiving", "--po", "PO-1001", "--format", "json"])
        .output()
        .unwrap();
    let r: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["status"], "closed");
    assert_eq!(r["discrepancies"], serde_json::json!([]));
    assert_eq!(r["assets"].as_array().unwrap().len(), 41);
    for l in r["lines"].as_array().unwrap() {
        assert_eq!(l["received"], l["ordered"], "{l}");
    }
    let v = sb.cmd().arg("verify").output().unwrap();
    assert!(v.status.success());
}
