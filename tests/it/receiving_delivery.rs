//! A 20-line purchase order delivered end to end through the real binary,
//! as the dock's keyboard wedge delivers it (fixtures/receiving/po-2001*):
//! `import orders`, two `feed` runs (pre-printed tags, then generated tags at
//! the same dock), `report receiving --format json`, `report vendors`, the
//! journal and `verify`. Every planted discrepancy is found where it was
//! planted, and every asset carries the order's facts.

use crate::support::Sandbox;
use scanstation::station::seed::seed_demo;
use scanstation::store::{assets, operators, Store};
use serde_json::Value;
use std::path::{Path, PathBuf};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/receiving")
        .join(name)
}

fn run(sb: &Sandbox, args: &[&str]) -> (Option<i32>, String) {
    let out = sb.cmd().args(args).output().unwrap();
    (
        out.status.code(),
        String::from_utf8(out.stdout).unwrap() + &String::from_utf8_lossy(&out.stderr),
    )
}

fn feed(sb: &Sandbox, config: &str, file: &str) -> (Option<i32>, Vec<Value>) {
    let out = sb
        .cmd()
        .arg("--config")
        .arg(fixture(config))
        .args(["feed", "--operator", "B0003", "--mode", "receive"])
        .arg(fixture(file))
        .output()
        .unwrap();
    let lines = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (out.status.code(), lines)
}

/// (tag, serial, order line, model, make, unit cost in cents, warranty
/// months, location, status) of an asset the delivery creates.
type Expected = (
    &'static str,
    &'static str,
    i64,
    &'static str,
    &'static str,
    i64,
    i32,
    &'static str,
    &'static str,
);

#[rustfmt::skip]
const ASSETS: &[Expected] = &[
    ("RX-20001", "PF5A0001", 1, "ThinkPad T14 Gen 5", "Lenovo", 144900, 36, "LOC-R101", "in_stock"),
    ("RX-20002", "PF5A0002", 1, "ThinkPad T14 Gen 5", "Lenovo", 144900, 36, "LOC-R101", "in_stock"),
    ("RX-20003", "PF4X0001", 2, "ThinkPad X1 Carbon Gen 12", "Lenovo", 189900, 36, "LOC-R101", "in_stock"),
    ("RX-20004", "PF4X0002", 2, "ThinkPad X1 Carbon Gen 12", "Lenovo", 189900, 36, "LOC-R101-S3", "in_stock"),
    ("RX-20005", "C02ZK1AAQ6L4", 3, "MacBook Air 13 M3", "Apple", 109900, 12, "LOC-R101", "in_stock"),
    ("RX-20006", "FVFZK2BBQ6L4", 3, "MacBook Air 13 M3", "Apple", 109900, 12, "LOC-R101", "in_stock"),
    ("RX-20007", "7XK9QH2", 4, "Latitude 7450", "Dell", 134900, 36, "LOC-R101", "in_stock"),
    ("RX-20008", "8YL0RJ3", 4, "Latitude 7450", "Dell", 134900, 36, "LOC-R101", "in_stock"),
    ("RX-20009", "CN0FJ3057474552L01CR", 5, "P2425H", "Dell", 22999, 36, "LOC-R101", "in_stock"),
    ("RX-20010", "CN0FJ3057474552L02CR", 5, "P2425H", "Dell", 22999, 36, "LOC-R101", "in_stock"),
    ("RX-20011", "5CG4100001", 6, "EliteBook 840 G11", "HP", 127900, 36, "LOC-R101", "in_stock"),
    ("RX-20012", "5CG4100002", 6, "EliteBook 840 G11", "HP", 127900, 36, "LOC-R101", "in_stock"),
    ("RX-20013", "5CG4100003", 6, "EliteBook 840 G11", "HP", 127900, 36, "LOC-R101", "in_stock"),
    ("RX-20014", "S6Z2NJ0W123456A", 7, "990 PRO 2TB", "Samsung", 16999, 60, "LOC-R101", "in_stock"),
    ("RX-20015", "S6Z2NJ0W123457B", 7, "990 PRO 2TB", "Samsung", 16999, 60, "LOC-R101", "in_stock"),
    ("RX-20016", "SM9K21AB00123", 8, "SuperServer 1029P-WTR", "Supermicro", 345000, 36, "LOC-R101", "in_stock"),
    ("RX-20017", "CN0U27A0001", 9, "UltraSharp U2724D", "Dell", 37900, 36, "LOC-R101", "in_stock"),
    ("RX-20018", "CN0U27A0002", 9, "UltraSharp U2724D", "Dell", 37900, 36, "LOC-R101", "in_stock"),
    ("RX-20019", "CN0U27A0003", 9, "UltraSharp U2724D", "Dell", 37900, 36, "LOC-R101", "in_stock"),
    ("RX-20020", "LUD0000123", 13, "ThinkPad Universal USB-C Dock", "Lenovo", 24900, 36, "LOC-R101", "in_stock"),
    ("RX-20021", "CNC4100001", 14, "E24 G5", "HP", 18900, 36, "LOC-R101", "in_repair"),
    ("RX-20022", "CNC4100002", 14, "E24 G5", "HP", 18900, 36, "LOC-R101", "in_stock"),
    ("RX-20023", "F2LZK0AAPQ1M", 15, "iPhone 15", "Apple", 79900, 12, "LOC-R101", "in_stock"),
    ("RX-20024", "F2LZK0AAPQ2N", 15, "iPhone 15", "Apple", 79900, 12, "LOC-R101", "in_stock"),
    ("RX-20025", "FOC2401X0AB", 18, "Catalyst 9200L", "Cisco", 215000, 12, "LOC-R101", "in_stock"),
    ("RX-20026", "L3A1234", 19, "ThinkPad T430", "Lenovo", 34900, 12, "LOC-R101", "in_stock"),
    ("RCV-00001", "CN0WD25X001A", 20, "Pro Dock WD25", "Dell", 23900, 36, "LOC-R101", "in_stock"),
    ("RCV-00002", "CN0WD25X002A", 20, "Pro Dock WD25", "Dell", 23900, 36, "LOC-R101", "in_stock"),
];

/// The receipt day plus whole years (the fixture's warranties are 12, 24,
/// 36 or 60 months), as the station computes it.
fn warranty_end(received_at: &str, months: i32) -> String {
    let year: i32 = received_at[..4].parse().unwrap();
    let month_day = &received_at[4..10];
    assert_eq!(months % 12, 0);
    if month_day == "-02-29" {
        return format!("{}-02-28", year + months / 12);
    }
    format!("{}{month_day}", year + months / 12)
}

#[test]
fn a_twenty_line_order_is_delivered_from_the_wedge_with_every_discrepancy() {
    let sb = Sandbox::new();
    let mut store = Store::open(&sb.db()).unwrap();
    seed_demo(&mut store, "seed").unwrap();
    drop(store);
    let csv = fixture("po-2001.csv");
    let (code, text) = run(&sb, &["import", "orders", csv.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("imported 20 order lines"), "{text}");

    // Part 1: pre-printed tags. Refusals (duplicate, unreadable, not on
    // order) are errors, so the run exits 1.
    let (code, lines) = feed(&sb, "po-2001-dock.toml", "po-2001-part1.feed");
    assert_eq!(code, Some(1), "{lines:?}");
    let by = |n: u64| {
        lines
            .iter()
            .find(|l| l["line"] == n)
            .unwrap_or_else(|| panic!("no answer for line {n}"))
            .clone()
    };
    let msg = |n: u64| by(n)["message"].as_str().unwrap().to_string();
    // Only the planted refusals are errors.
    let errors: Vec<u64> = lines
        .iter()
        .filter(|l| l["level"] == "error")
        .map(|l| l["line"].as_u64().unwrap())
        .collect();
    assert_eq!(errors, [33, 70, 88, 101, 102], "{lines:#?}");
    assert_eq!(by(5)["receiving"]["po"], "PO-2001");
    // GS1 DataMatrix and GS1-128 by their AIM ids.
    assert_eq!(by(7)["identity"]["type"], "gtin_serial");
    assert_eq!(by(9)["identity"]["value"], "(01)00195348811019(21)PF5A0002");
    // Lenovo 1S + MTM + serial; put away on a shelf.
    assert_eq!(by(12)["identity"]["value"], "(1P)21KC0065US(S)PF4X0001");
    assert_eq!(by(16)["asset"]["location"], "LOC-R101-S3");
    // Dell's Express Service Code is read as its service tag.
    assert!(msg(29).contains("serial 8YL0RJ3"), "{}", msg(29));
    assert!(msg(33).starts_with("DUPLICATE SERIAL"), "{}", msg(33));
    // Every wedge mangling of the 15434 label still gives part + serial.
    for n in [41, 43, 45, 48] {
        assert_eq!(by(n)["identity"]["type"], "part_serial", "line {n}");
        assert_eq!(by(n)["level"], "ok", "line {n}");
    }
    // The over question: feed's receiving object says it is what comes next.
    assert_eq!(by(63)["level"], "warn");
    assert!(by(63)["question"]
        .as_str()
        .unwrap()
        .contains("over the order"));
    assert!(by(63)["receiving"]["next"]
        .as_str()
        .unwrap()
        .contains("CONFIRM or CANCEL"));
    assert_eq!(by(65)["receiving"]["received"], 3);
    assert_eq!(by(65)["receiving"]["ordered"], 2);
    assert!(msg(65).ends_with("OVER"), "{}", msg(65));
    assert_eq!(msg(68), "Refused: CN0U27A0004 not received");
    assert_eq!(by(68)["receiving"]["line"], 9);
    assert!(msg(70).starts_with("DUPLICATE SERIAL"), "{}", msg(70));
    // Quantities: two boxes of 25 cables, one box of 10 mice, keyboards one by one.
    assert_eq!(by(73)["receiving"]["received"], 50);
    assert_eq!(by(74)["receiving"]["line"], 12);
    assert!(msg(77).contains("3 of 10 counted"), "{}", msg(77));
    // The customer's own item id, through [receiving] customer_items.
    assert_eq!(by(79)["identity"]["value"], "(1P)40AY0090US(S)LUD0000123");
    assert_eq!(by(79)["receiving"]["line"], 13);
    assert_eq!(by(84)["asset"]["status"], "in_repair");
    assert!(msg(88).starts_with("UNREADABLE"), "{}", msg(88));
    assert!(msg(101).starts_with("NOT ON ORDER"), "{}", msg(101));
    assert!(msg(102).starts_with("NOT ON ORDER"), "{}", msg(102));

    // Part 2: the same delivery goes on at the dock with generated tags.
    let (code, lines2) = feed(&sb, "po-2001-dock-generate.toml", "po-2001-part2.feed");
    assert_eq!(code, Some(0), "{lines2:?}");
    assert_eq!(lines2[1]["asset"]["tag"], "RCV-00001");
    assert_eq!(lines2[3]["asset"]["tag"], "RCV-00002");
    let last = lines2.last().unwrap();
    assert_eq!(last["message"], "PO-2001 closed: 4 line(s) short");

    // report receiving: lines, discrepancies (each where it was planted), assets.
    let (code, text) = run(
        &sb,
        &["report", "receiving", "--po", "PO-2001", "--format", "json"],
    );
    assert_eq!(code, Some(0), "{text}");
    let r: Value = serde_json::from_str(text.trim()).unwrap();
    assert_eq!(r["status"], "closed");
    let counts: Vec<(i64, i64, i64)> = r["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["ordered"].as_i64().unwrap(),
                l["received"].as_i64().unwrap(),
                l["damaged"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        counts,
        [
            (2, 2, 0),
            (2, 2, 0),
            (2, 2, 0),
            (3, 2, 0),
            (2, 2, 0),
            (3, 3, 0),
            (2, 2, 0),
            (1, 1, 0),
            (2, 3, 0),
            (50, 50, 0),
            (10, 3, 0),
            (10, 10, 0),
            (1, 1, 0),
            (2, 2, 1),
            (2, 2, 0),
            (5, 0, 0),
            (1, 0, 0),
            (1, 1, 0),
            (1, 1, 0),
            (2, 2, 0),
        ]
    );
    let mut found: Vec<(String, Option<i64>, Option<String>)> = r["discrepancies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["kind"].as_str().unwrap().to_string(),
                d["line"].as_i64(),
                d["serial"].as_str().map(str::to_string),
            )
        })
        .collect();
    found.sort();
    let s = |v: &str| Some(v.to_string());
    let mut planted = vec![
        ("damaged".to_string(), Some(14), s("CNC4100001")),
        ("duplicate_serial".to_string(), Some(2), s("PF4X0001")),
        ("duplicate_serial".to_string(), Some(4), s("5CG31000A")),
        ("not_on_order".to_string(), None, s("NX0001")),
        ("not_on_order".to_string(), None, s("XYZ0001")),
        ("over".to_string(), Some(9), s("CN0U27A0003")),
        ("short".to_string(), Some(4), None),
        ("short".to_string(), Some(11), None),
        ("short".to_string(), Some(16), None),
        ("short".to_string(), Some(17), None),
        ("unreadable".to_string(), None, None),
    ];
    planted.sort();
    assert_eq!(found, planted);
    let details: Vec<&str> = r["discrepancies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["detail"].as_str().unwrap())
        .collect();
    assert!(details.contains(&"GTIN 00731470000015 is not on PO-2001"));
    assert!(details.contains(&"line 11: 3 of 10 received"));
    let listed: Vec<(String, String, i64)> = r["assets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["tag"].as_str().unwrap().to_string(),
                a["serial"].as_str().unwrap().to_string(),
                a["line"].as_i64().unwrap(),
            )
        })
        .collect();
    let want: Vec<(String, String, i64)> = ASSETS
        .iter()
        .map(|a| (a.0.to_string(), a.1.to_string(), a.2))
        .collect();
    assert_eq!(listed, want);

    // Each asset as the store has it.
    let store = Store::open(&sb.db()).unwrap();
    let lee = operators::by_badge(store.conn(), "B0003")
        .unwrap()
        .unwrap()
        .id;
    for &(tag, serial, _, model, make, cost, months, location, status) in ASSETS {
        let id = assets::by_tag(store.conn(), tag).unwrap().unwrap();
        let a = assets::get(store.conn(), id).unwrap().unwrap();
        assert_eq!(a.serial.as_deref(), Some(serial), "{tag}");
        assert_eq!(a.model.as_deref(), Some(model), "{tag}");
        assert_eq!(a.manufacturer.as_deref(), Some(make), "{tag}");
        assert_eq!(a.cost_minor, Some(cost), "{tag}");
        assert_eq!(a.currency.as_deref(), Some("USD"), "{tag}");
        assert_eq!(a.supplier.as_deref(), Some("Northwind IT Supply"), "{tag}");
        assert_eq!(a.order_number.as_deref(), Some("PO-2001"), "{tag}");
        assert_eq!(a.purchase_date.as_deref(), Some("2026-11-10"), "{tag}");
        assert_eq!(a.received_by, Some(lee), "{tag}");
        assert_eq!(a.location_code.as_deref(), Some(location), "{tag}");
        assert_eq!(a.status, status, "{tag}");
        let at = a.received_at.clone().unwrap();
        assert_eq!(
            a.warranty_end.as_deref(),
            Some(warranty_end(&at, months).as_str()),
            "{tag}"
        );
    }
    // No second asset for a duplicate serial; the demo's 40 and these 28.
    assert_eq!(
        assets::count(store.conn()).unwrap(),
        40 + ASSETS.len() as u64
    );
    drop(store);

    // report vendors: rates over the 20 lines, value per currency.
    let (code, text) = run(&sb, &["report", "vendors", "--format", "json"]);
    assert_eq!(code, Some(0), "{text}");
    let v: Value = text
        .lines()
        .map(|l| serde_json::from_str::<Value>(l).unwrap())
        .find(|v| v["vendor"] == "Northwind IT Supply")
        .unwrap();
    assert_eq!(v["orders"], 1);
    assert_eq!(v["lines"], 20);
    assert_eq!(v["units_ordered"], 104);
    assert_eq!(v["units_received"], 91);
    assert_eq!(v["over_rate"], 0.05);
    assert_eq!(v["short_rate"], 0.2);
    assert_eq!(v["damaged_rate"], 0.05);
    // Expected 2026-11-25; the fixture is received after that.
    assert_eq!(v["on_time_rate"], 0.0);
    assert_eq!(v["value_received"]["USD"], "26677.33");

    // The journal: one event per discrepancy and per asset received.
    let (code, text) = run(&sb, &["journal", "--json"]);
    assert_eq!(code, Some(0));
    let events: Vec<Value> = text
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let kind = |k: &str| events.iter().filter(|e| e["kind"] == k).count();
    assert_eq!(kind("delivery.discrepancy"), 11);
    // Untracked lines' counts are items too: two cable boxes, one mouse box,
    // three keyboards.
    assert_eq!(kind("delivery.item_received"), ASSETS.len() + 6);
    let with_asset = events
        .iter()
        .filter(|e| e["kind"] == "delivery.item_received" && e["payload"]["asset_id"].is_i64())
        .count();
    assert_eq!(with_asset, ASSETS.len());
    assert_eq!(kind("delivery.opened"), 1);
    assert_eq!(kind("delivery.closed"), 1);
    let unreadable = events
        .iter()
        .find(|e| e["payload"]["kind"] == "unreadable")
        .unwrap();
    assert_eq!(unreadable["payload"]["raw"], "[)>\u{1e}06\u{1d}\u{1e}\u{4}");

    let (code, text) = run(&sb, &["verify"]);
    assert_eq!(code, Some(0), "{text}");
}
