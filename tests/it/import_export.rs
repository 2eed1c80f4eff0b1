//! CSV import (all or nothing, errors naming file:line and column) and export
//! (round trip into an empty store).

use crate::support::Sandbox;
use scanstation::config::ImportConfig;
use scanstation::import::apply::{import_bytes, Importer};
use scanstation::import::{export, ImportError, Register};
use scanstation::store::{assets, journal, Store};
use std::path::PathBuf;

const WHO: Importer<'static> = Importer {
    station: "bench-1",
    operator: None,
    training: false,
    identify: None,
};

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/csv")
        .join(name)
}

fn import(
    store: &mut Store,
    register: Register,
    text: &str,
) -> Result<scanstation::import::ImportReport, ImportError> {
    import_bytes(
        store,
        register,
        "assets.csv",
        text.as_bytes(),
        &ImportConfig::default(),
        &WHO,
    )
}

/// Imports `text` into a store that holds one asset (A-1, serial S-1) and
/// checks the file is refused whole with `expected` among the errors.
fn refused(text: &str, expected: &str) {
    let sb = Sandbox::new();
    let mut store = Store::open(&sb.db()).unwrap();
    import(&mut store, Register::Assets, "Asset Tag,Serial\nA-1,S-1\n").unwrap();
    let events = journal::count(store.conn()).unwrap();
    let err = import(&mut store, Register::Assets, text).unwrap_err();
    assert_eq!(err.exit_code(), 1);
    let msg = err.to_string();
    assert!(msg.contains(expected), "expected {expected:?} in:\n{msg}");
    assert_eq!(assets::count(store.conn()).unwrap(), 1, "nothing imported");
    assert_eq!(
        journal::count(store.conn()).unwrap(),
        events,
        "nothing journaled"
    );
}

#[test]
fn bad_rows_refuse_the_whole_file() {
    let ok = "A-10,S-10,2024-01-01,10.00\n";
    let head = "Asset Tag,Serial,Purchase Date,Purchase Cost\n";
    refused(
        "Serial\nS-9\n",
        "assets.csv:1: column \"Asset Tag\" is missing (required)",
    );
    refused(
        &format!("{head}{ok},S-11,,\n"),
        "assets.csv:3: column \"Asset Tag\": empty (required)",
    );
    refused(
        &format!("{head}{ok}A-10,S-12,,\n"),
        "assets.csv:3: column \"Asset Tag\": \"A-10\" appears twice in the file (first on line 2)",
    );
    refused(
        &format!("{head}{ok}A-1,S-13,,\n"),
        "assets.csv:3: column \"Asset Tag\": \"A-1\" is already in the store",
    );
    refused(
        &format!("{head}{ok}A-11,S-1,,\n"),
        "assets.csv:3: column \"Serial\": \"S-1\" is already in the store",
    );
    refused(
        &format!("{head}{ok}A-11,S-11,2024-13-01,\n"),
        "assets.csv:3: column \"Purchase Date\": \"2024-13-01\" is not a date (YYYY-MM-DD)",
    );
    refused(
        &format!("{head}{ok}A-11,S-11,,12.345\n"),
        "assets.csv:3: column \"Purchase Cost\": \"12.345\" has more than 2 decimals",
    );
    refused(
        &format!("{head}{ok}A-11,S-11,,\"1.299,50\"\n"),
        "assets.csv:3: column \"Purchase Cost\": \"1.299,50\" is not an amount",
    );
    refused(
        "asset tag,STATUS\nA-11,Vaporised\n",
        "assets.csv:2: column \"STATUS\": \"Vaporised\" is not a known status",
    );
    // A multi-line record is reported at the line where it starts.
    refused(
        &format!("{head}\"A-\n11\",S-11,,\nA-12,S-12,yesterday,\n"),
        "assets.csv:4: column \"Purchase Date\"",
    );
}

#[test]
fn the_snipeit_export_imports_and_says_what_it_created() {
    let sb = Sandbox::new();
    let out = sb
        .cmd()
        .args(["import", "assets"])
        .arg(fixture("snipeit-assets.csv"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(
        stdout.contains(
            "created 3 locations: LOC-HQ-STORE-ROOM, LOC-HQ-FLOOR-2, LOC-REMOTE-OFFICE-LEEDS"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("created 3 manufacturers: Dell, Lenovo, HP"),
        "{stdout}"
    );
    assert!(
        stdout.contains("created 3 categories: Laptops, Monitors, Docks"),
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "created 5 models: Latitude 7440, ThinkPad T14 Gen 4, P2423D, WD19S, EliteBook 840 G5"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("created 2 suppliers: Northwind IT Supply, Contoso Hardware"),
        "{stdout}"
    );
    assert!(stdout.contains("imported 11 assets"), "{stdout}");
    assert!(
        stderr.contains("snipeit-assets.csv: unknown column \"Notes\" ignored"),
        "{stderr}"
    );

    let store = Store::open(&sb.db()).unwrap();
    let rows = export::asset_rows(store.conn()).unwrap();
    assert_eq!(rows.len(), 11);
    // A-2001: 1,299.50 USD, bought 2023-05-02, 36 months.
    let a = &rows[0];
    let col = |name: &str| {
        scanstation::import::assets::COLUMNS
            .iter()
            .position(|c| c.name == name)
            .unwrap()
    };
    assert_eq!(a[col("Asset Tag")].as_deref(), Some("A-2001"));
    assert_eq!(a[col("Purchase Cost")].as_deref(), Some("1299.50"));
    assert_eq!(a[col("Currency")].as_deref(), Some("USD"));
    assert_eq!(a[col("Purchase Date")].as_deref(), Some("2023-05-02"));
    assert_eq!(a[col("Warranty Expires")].as_deref(), Some("2026-05-02"));
    assert_eq!(a[col("Warranty")].as_deref(), Some("36"));
    assert_eq!(a[col("Status")].as_deref(), Some("in_stock"));
    assert_eq!(rows[4][col("Status")].as_deref(), Some("in_repair"));
    assert_eq!(rows[9][col("Status")].as_deref(), Some("disposed"));
    assert_eq!(rows[10][col("Status")].as_deref(), Some("lost"));
    // Journal: the summary with the file's hash, then one event per asset.
    let evs = journal::read_since(store.conn(), 0, 1000).unwrap();
    assert_eq!(evs[0].kind, "import.assets");
    assert_eq!(evs[0].payload["sha256"].as_str().unwrap().len(), 64);
    assert_eq!(evs.iter().filter(|e| e.kind == "asset.created").count(), 11);
    assert_eq!(
        evs.iter().filter(|e| e.kind == "location.created").count(),
        3
    );
}

#[test]
fn a_bad_file_exits_1_and_an_unreadable_one_2() {
    let sb = Sandbox::new();
    let bad = sb.path().join("assets.csv");
    std::fs::write(&bad, "Asset Tag,Purchase Date\nA-1,2024-13-01\n").unwrap();
    let out = sb
        .cmd()
        .args(["import", "assets"])
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(
            "assets.csv:2: column \"Purchase Date\": \"2024-13-01\" is not a date (YYYY-MM-DD)"
        ),
        "{stderr}"
    );
    let out = sb
        .cmd()
        .args(["import", "assets"])
        .arg(sb.path().join("none.csv"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn export_then_import_into_an_empty_store_reproduces_the_assets() {
    let a = Sandbox::new();
    let mut store_a = Store::open(&a.db()).unwrap();
    let text = std::fs::read_to_string(fixture("snipeit-assets.csv")).unwrap();
    import(&mut store_a, Register::Assets, &text).unwrap();
    let rows_a = export::asset_rows(store_a.conn()).unwrap();
    let mut csv_a = Vec::new();
    export::to_csv(&rows_a, &mut csv_a).unwrap();

    let b = Sandbox::new();
    let mut store_b = Store::open(&b.db()).unwrap();
    let report = import_bytes(
        &mut store_b,
        Register::Assets,
        "export.csv",
        &csv_a,
        &ImportConfig::default(),
        &WHO,
    )
    .unwrap();
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    let rows_b = export::asset_rows(store_b.conn()).unwrap();
    assert_eq!(rows_a, rows_b);

    // JSON: the same rows, snake_case keys.
    let json = export::to_json(&rows_b);
    let first = &json[0];
    assert_eq!(first["asset_tag"], "A-2001");
    assert_eq!(first["purchase_cost"], "1299.50");
    assert_eq!(first["warranty"], 36);
    assert_eq!(first["location_code"], "LOC-HQ-STORE-ROOM");
    assert_eq!(json.as_array().unwrap().len(), 11);
}

#[test]
fn export_command_writes_csv_and_json() {
    let sb = Sandbox::new();
    let out = sb
        .cmd()
        .args(["import", "assets"])
        .arg(fixture("snipeit-assets.csv"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let out = sb.cmd().args(["export", "assets"]).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with(
            "Asset Tag,Serial,Model,Manufacturer,Category,Location,Location Code,Status,"
        ),
        "{text}"
    );
    assert_eq!(text.lines().count(), 12);
    let out = sb
        .cmd()
        .args(["export", "assets", "--format", "json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v.as_array().unwrap().len(), 11);
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("[\n  {\n    \"asset_tag\": \"A-2001\",\n    \"serial\": "),
        "{text}"
    );
    // The same objects as the library's JSON.
    let store = Store::open(&sb.db()).unwrap();
    assert_eq!(
        v,
        export::to_json(&export::asset_rows(store.conn()).unwrap())
    );
}

#[test]
fn registers_import_with_parents_later_in_the_file() {
    let sb = Sandbox::new();
    let mut store = Store::open(&sb.db()).unwrap();
    let cfg = ImportConfig::default();
    for (reg, file, n) in [
        (Register::Locations, "locations.csv", 4),
        (Register::Operators, "operators.csv", 3),
        (Register::Vendors, "vendors.csv", 3),
    ] {
        let r =
            scanstation::import::import_file(&mut store, reg, &fixture(file), &cfg, &WHO).unwrap();
        assert_eq!(r.rows, n, "{file}");
    }
    let conn = store.conn();
    let shelf = scanstation::store::locations::by_code(conn, "LOC-HQ-R1-S1")
        .unwrap()
        .unwrap();
    assert_eq!(
        scanstation::store::locations::path(conn, shelf.id).unwrap(),
        "Headquarters > Building 1 > Store Room 1 > Store Room 1 Shelf 1"
    );
    let op = scanstation::store::operators::by_badge(conn, "B0103")
        .unwrap()
        .unwrap();
    assert_eq!(op.role, "operator");
    let v = scanstation::store::vendors::by_name(conn, "safeshred ltd")
        .unwrap()
        .unwrap();
    assert_eq!(v.cert_expires.as_deref(), Some("2026-12-31"));
    // Again: every row is already there, so the file is refused.
    let err = scanstation::import::import_file(
        &mut store,
        Register::Operators,
        &fixture("operators.csv"),
        &cfg,
        &WHO,
    )
    .unwrap_err();
    assert!(
        err.to_string()
            .contains("operators.csv:2: column \"Badge\": \"B0101\" is already in the store"),
        "{err}"
    );
    // A parent neither in the file nor the store.
    let err = import_bytes(
        &mut store,
        Register::Locations,
        "l.csv",
        b"Code,Parent Code\nLOC-X,LOC-NOPE\n",
        &cfg,
        &WHO,
    )
    .unwrap_err();
    assert!(
        err.to_string().contains(
            "l.csv:2: column \"Parent Code\": \"LOC-NOPE\" is neither in the file nor in the store"
        ),
        "{err}"
    );
}

#[test]
fn codes_that_would_not_scan_as_what_they_are_are_warned_about() {
    let sb = Sandbox::new();
    let mut store = Store::open(&sb.db()).unwrap();
    let identify = scanstation::config::IdentifyConfig::default();
    let who = Importer {
        identify: Some(&identify),
        ..WHO
    };
    let r = import_bytes(
        &mut store,
        Register::Locations,
        "l.csv",
        b"Code,Name\nLOC-A,A\nROOM-1,Room 1\n",
        &ImportConfig::default(),
        &who,
    )
    .unwrap();
    assert_eq!(
        r.warnings,
        vec!["l.csv:3: location code \"ROOM-1\" scans as serial, not as a location code (see [identify] in the config)"]
    );
    let r = import_bytes(
        &mut store,
        Register::Assets,
        "a.csv",
        b"Asset Tag\nA-1\nB12345\n",
        &ImportConfig::default(),
        &who,
    )
    .unwrap();
    assert_eq!(r.warnings.len(), 1, "{:?}", r.warnings);
    assert!(r.warnings[0].starts_with("a.csv:3: asset tag \"B12345\" scans as operator"));
}

#[test]
fn location_names_are_reused_and_derived_codes_never_collide() {
    let sb = Sandbox::new();
    let mut store = Store::open(&sb.db()).unwrap();
    import_bytes(
        &mut store,
        Register::Locations,
        "l.csv",
        b"Code,Name\nLOC-STORE,Main Store\n",
        &ImportConfig::default(),
        &WHO,
    )
    .unwrap();
    // "Main Store" exists: reused. "Store" derives LOC-STORE, taken by
    // "Main Store": it gets LOC-STORE-2.
    let r = import(
        &mut store,
        Register::Assets,
        "Asset Tag,Location\nA-1,Main Store\nA-2,Store\nA-3,store\n",
    )
    .unwrap();
    assert_eq!(r.created_lines(), vec!["created 1 locations: LOC-STORE-2"]);
    let rows = export::asset_rows(store.conn()).unwrap();
    let codes: Vec<_> = rows.iter().map(|r| r[6].clone().unwrap()).collect();
    assert_eq!(codes, ["LOC-STORE", "LOC-STORE-2", "LOC-STORE-2"]);
}

/// A CRLF file (as Excel writes) with a blank line: the bad value on the
/// file's line 4 is reported on line 4 (it was line 3), with file and column.
#[test]
fn errors_name_the_physical_line_of_a_crlf_file() {
    let sb = Sandbox::new();
    let bad = sb.path().join("excel.csv");
    std::fs::write(
        &bad,
        "Asset Tag,Purchase Date\r\nA-1,2024-01-01\r\nA-2,\"2024-01-02\"\r\nA-3,2024-13-01\r\n\r\nA-4,1 May\r\n",
    )
    .unwrap();
    let out = sb
        .cmd()
        .args(["import", "assets"])
        .arg(&bad)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("excel.csv:4: column \"Purchase Date\": \"2024-13-01\" is not a date"),
        "{stderr}"
    );
    assert!(
        stderr.contains("excel.csv:6: column \"Purchase Date\": \"1 May\" is not a date"),
        "{stderr}"
    );
}
