//! `scanstation import orders`: the real binary on the fixtures, all or
//! nothing across files, errors with file, physical line and column.

use crate::support::Sandbox;
use std::path::PathBuf;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/csv")
        .join(name)
}

fn journal_kinds(sb: &Sandbox) -> Vec<String> {
    let out = sb.cmd().args(["journal", "--json"]).output().unwrap();
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["kind"].as_str().unwrap().to_string()
        })
        .collect()
}

#[test]
fn imports_a_twenty_line_order_and_refuses_it_twice() {
    let sb = Sandbox::new();
    let out = sb
        .cmd()
        .args(["import", "orders"])
        .arg(fixture("orders.csv"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("created 2 orders: PO-1001, PO-1002"),
        "{stdout}"
    );
    assert!(stdout.contains("imported 22 order lines"), "{stdout}");
    assert_eq!(
        journal_kinds(&sb),
        [
            "import.orders",
            "purchase_order.created",
            "purchase_order.created"
        ]
    );
    // The order and its lines are in the store as the file says.
    let store = scanstation::store::Store::open(&sb.db()).unwrap();
    let po = scanstation::store::orders::by_number(store.conn(), "PO-1001")
        .unwrap()
        .unwrap();
    assert_eq!(po.vendor, "Acme Computers");
    assert_eq!(po.expected_date.as_deref(), Some("2026-11-20"));
    let lines = scanstation::store::orders::lines(store.conn(), po.id).unwrap();
    assert_eq!(lines.len(), 20);
    assert_eq!(lines[0].part_number.as_deref(), Some("21HD003AUS"));
    assert_eq!(lines[0].manufacturer.as_deref(), Some("Lenovo"));
    assert_eq!(lines[0].unit_cost_minor, Some(129_950));
    assert_eq!(lines[0].warranty_months, Some(36));
    assert!(lines[0].tracked && !lines[19].tracked);
    drop(store);

    let again = sb
        .cmd()
        .args(["import", "orders"])
        .arg(fixture("orders.csv"))
        .output()
        .unwrap();
    assert_eq!(again.status.code(), Some(1));
    let err = String::from_utf8_lossy(&again.stderr);
    assert!(
        err.contains("orders.csv:2: column \"PO Number\": order PO-1001 is already in the store"),
        "{err}"
    );
    assert_eq!(journal_kinds(&sb).len(), 3, "nothing more was written");
    let verify = sb.cmd().arg("verify").output().unwrap();
    assert_eq!(verify.status.code(), Some(0));
}

#[test]
fn a_bad_file_refuses_every_file() {
    let sb = Sandbox::new();
    let out = sb
        .cmd()
        .args(["import", "orders"])
        .arg(fixture("orders.csv"))
        .arg(fixture("orders-bad.csv"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    for want in [
        "orders-bad.csv:3: column \"Order Date\": \"2026-11-03\" disagrees with \"2026-11-02\"",
        "orders-bad.csv:4: column \"Quantity\": \"0\" is not a quantity",
        "orders-bad.csv:5: column \"Vendor\": empty (required)",
        "orders-bad.csv:5: column \"Tracked\": \"perhaps\" is not yes or no",
    ] {
        assert!(err.contains(want), "{want}\n{err}");
    }
    assert!(journal_kinds(&sb).is_empty(), "nothing imported");
    let missing = sb
        .cmd()
        .args(["import", "orders", "/nonexistent/orders.csv"])
        .output()
        .unwrap();
    assert_eq!(missing.status.code(), Some(2));
}

#[test]
fn an_order_split_over_two_files_must_agree() {
    let sb = Sandbox::new();
    let a = sb.path().join("a.csv");
    let b = sb.path().join("b.csv");
    std::fs::write(&a, "PO Number,Vendor,Line,Quantity\nPO-7,Acme,1,2\n").unwrap();
    std::fs::write(
        &b,
        "po number,VENDOR,line,quantity\nPO-7,Acme,2,1\nPO-7,Zeta,3,1\n",
    )
    .unwrap();
    let out = sb
        .cmd()
        .args(["import", "orders"])
        .arg(&a)
        .arg(&b)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("b.csv:3: column \"VENDOR\": \"Zeta\" disagrees with \"Acme\""),
        "{err}"
    );
    std::fs::write(&b, "po number,VENDOR,line,quantity\nPO-7,ACME,2,1\n").unwrap();
    let ok = sb
        .cmd()
        .args(["import", "orders"])
        .arg(&a)
        .arg(&b)
        .output()
        .unwrap();
    assert_eq!(
        ok.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
}
