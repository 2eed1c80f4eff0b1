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
    // Two rows, one vendor: each certification with its own expiry.
    let certs: Vec<(&str, Option<&str>)> = v
        .certifications
        .iter()
        .map(|c| (c.name.as_str(), c.expires.as_deref()))
        .collect();
    assert_eq!(
        certs,
        [
            ("e-Stewards", Some("2027-03-31")),
            ("NAID AAA", Some("2026-12-31"))
        ]
    );
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

fn run(sb: &Sandbox, args: &[&str]) -> (Option<i32>, String, String) {
    let out = sb.cmd().args(args).output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// GTIN, EPC, GIAI and Holds Media: imported (EPC upper-cased as an `epc`
/// identifier, GTIN and Holds Media on the model), exported, and the export
/// imported into an empty store reproduces them.
#[test]
fn gs1_columns_import_export_and_round_trip() {
    let sb = Sandbox::new();
    let f = fixture("assets-gs1.csv");
    let (code, out, err) = run(&sb, &["import", "assets", f.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{out}{err}");
    let store = Store::open(&sb.db()).unwrap();
    let c = store.conn();
    let id = assets::by_tag(c, "A-3001").unwrap().unwrap();
    assert_eq!(
        scanstation::store::identifiers::owner(c, "epc", "3474257BF40000000000162E").unwrap(),
        Some(id)
    );
    assert_eq!(
        scanstation::store::identifiers::owner(c, "giai", "06141415678").unwrap(),
        Some(id)
    );
    let row = assets::get(c, id).unwrap().unwrap();
    assert_eq!(row.gtins, ["09506000134352"]);
    assert!(row.holds_media);
    let dock = assets::get(c, assets::by_tag(c, "A-3003").unwrap().unwrap())
        .unwrap()
        .unwrap();
    assert!(!dock.holds_media);
    let (code, csv_out, err) = run(&sb, &["export", "assets"]);
    assert_eq!(code, Some(0), "{err}");
    assert!(
        csv_out
            .lines()
            .next()
            .unwrap()
            .ends_with(",GTIN,EPC,GIAI,Holds Media"),
        "{csv_out}"
    );
    assert!(
        csv_out.contains("09506000134352,3474257BF40000000000162E,06141415678,yes"),
        "{csv_out}"
    );
    let (_, json_out, _) = run(&sb, &["export", "assets", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_str(&json_out).unwrap();
    assert_eq!(v[0]["epc"], "3474257BF40000000000162E");
    assert_eq!(v[0]["holds_media"], "yes");
    // Round trip into an empty store.
    let b = Sandbox::new();
    let exported = b.path().join("export.csv");
    std::fs::write(&exported, &csv_out).unwrap();
    let (code, out, err) = run(&b, &["import", "assets", exported.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(err.is_empty(), "warnings: {err}");
    let (_, again, _) = run(&b, &["export", "assets"]);
    assert_eq!(again, csv_out);
}

/// `--update`: assets whose tags exist are updated (only the cells given),
/// each change journaled as `asset.updated` with from/to; others created; a
/// bad row refuses everything.
#[test]
fn update_changes_existing_assets_and_journals_each_change() {
    let sb = Sandbox::new();
    let a = sb.path().join("a.csv");
    std::fs::write(
        &a,
        "Asset Tag,Serial,Status,Location Code,Purchase Cost\nA-1,S-1,Ready to Deploy,LOC-A,10.00\nA-2,S-2,,LOC-A,\n",
    )
    .unwrap();
    let (code, _, err) = run(&sb, &["import", "assets", a.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{err}");
    // Without --update an existing tag refuses the file and says how.
    let u = sb.path().join("u.csv");
    std::fs::write(
        &u,
        "Asset Tag,Status,Location Code,EPC,Serial\nA-1,Deployed,LOC-B,3474257BF40000000000162E,\nA-2,,,,S-2\nA-3,,LOC-B,,S-3\n",
    )
    .unwrap();
    let (code, _, err) = run(&sb, &["import", "assets", u.to_str().unwrap()]);
    assert_eq!(code, Some(1));
    assert!(err.contains("u.csv:2: column \"Asset Tag\": \"A-1\" is already in the store (import assets --update updates it)"), "{err}");
    // A bad row refuses the update whole.
    let bad = sb.path().join("bad.csv");
    std::fs::write(&bad, "Asset Tag,Status\nA-1,Deployed\nA-2,Melted\n").unwrap();
    let (code, _, _) = run(
        &sb,
        &["import", "assets", "--update", bad.to_str().unwrap()],
    );
    assert_eq!(code, Some(1));
    let (code, out, err) = run(&sb, &["import", "assets", "--update", u.to_str().unwrap()]);
    assert_eq!(code, Some(0), "{out}{err}");
    assert!(out.contains("imported 3 assets"), "{out}");
    assert!(out.contains("2 updated of which 1 changed"), "{out}");
    let store = Store::open(&sb.db()).unwrap();
    let c = store.conn();
    let a1 = assets::get(c, assets::by_tag(c, "A-1").unwrap().unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(
        (
            a1.status.as_str(),
            a1.location_code.as_deref(),
            a1.serial.as_deref(),
            a1.cost_minor
        ),
        ("deployed", Some("LOC-B"), Some("S-1"), Some(1000)),
        "empty cells keep their values"
    );
    assert_eq!(a1.epc.as_deref(), Some("3474257BF40000000000162E"));
    assert!(assets::by_tag(c, "A-3").unwrap().is_some());
    let evs = journal::read_since(c, 0, 1000).unwrap();
    let updated: Vec<_> = evs.iter().filter(|e| e.kind == "asset.updated").collect();
    assert_eq!(updated.len(), 1, "A-2 changed nothing and is not journaled");
    let ch = &updated[0].payload["changes"];
    assert_eq!(ch["status"]["from"], "in_stock");
    assert_eq!(ch["status"]["to"], "deployed");
    assert_eq!(ch["location"]["from"], "LOC-A");
    assert_eq!(ch["location"]["to"], "LOC-B");
    assert_eq!(ch["epc"]["from"], serde_json::Value::Null);
    assert!(ch.get("serial").is_none(), "{ch}");
    assert_eq!(updated[0].payload["tag"], "A-1");
}

/// Several files: all or nothing across them; a tag in two files names both.
#[test]
fn several_files_import_together_or_not_at_all() {
    let sb = Sandbox::new();
    let a = sb.path().join("a.csv");
    let b = sb.path().join("b.csv");
    let c = sb.path().join("c.csv");
    std::fs::write(&a, "Asset Tag,Serial\nA-1,S-1\nA-2,S-2\n").unwrap();
    std::fs::write(&b, "Asset Tag,Serial\nA-3,S-3\nA-4,S-4\nA-5,2024\n").unwrap();
    std::fs::write(&c, "Asset Tag,Purchase Date\nA-6,2024-02-30\n").unwrap();
    let (code, _, err) = run(
        &sb,
        &["import", "assets", a.to_str().unwrap(), c.to_str().unwrap()],
    );
    assert_eq!(code, Some(1));
    assert!(err.contains("c.csv:2: column \"Purchase Date\""), "{err}");
    assert!(!sb.db().exists(), "a refused import created the store");
    let dup = sb.path().join("dup.csv");
    std::fs::write(&dup, "Asset Tag\nA-9\nA-2\n").unwrap();
    let (code, _, err) = run(
        &sb,
        &[
            "import",
            "assets",
            a.to_str().unwrap(),
            dup.to_str().unwrap(),
        ],
    );
    assert_eq!(code, Some(1));
    assert!(
        err.contains(&format!(
            "dup.csv:3: column \"Asset Tag\": \"A-2\" is also in {} (line 3)",
            a.display()
        )),
        "{err}"
    );
    assert!(!sb.db().exists());
    let (code, out, err) = run(
        &sb,
        &["import", "assets", a.to_str().unwrap(), b.to_str().unwrap()],
    );
    assert_eq!(code, Some(0), "{err}");
    assert!(out.contains("imported 5 assets"), "{out}");
    let store = Store::open(&sb.db()).unwrap();
    let evs = journal::read_since(store.conn(), 0, 100).unwrap();
    assert_eq!(evs.iter().filter(|e| e.kind == "import.assets").count(), 2);
    // Locations: a parent in another file.
    let l1 = sb.path().join("l1.csv");
    let l2 = sb.path().join("l2.csv");
    std::fs::write(&l1, "Code,Name,Parent Code\nLOC-R1,Room 1,LOC-B1\n").unwrap();
    std::fs::write(&l2, "Code,Name\nLOC-B1,Building 1\n").unwrap();
    let (code, _, err) = run(
        &sb,
        &[
            "import",
            "locations",
            l1.to_str().unwrap(),
            l2.to_str().unwrap(),
        ],
    );
    assert_eq!(code, Some(0), "{err}");
}

/// A refused import into a store path that does not exist leaves no file,
/// also when the refusal needs the (empty) store: a parent it lacks.
#[test]
fn a_refused_import_leaves_no_store_behind() {
    let sb = Sandbox::new();
    let l = sb.path().join("l.csv");
    std::fs::write(&l, "Code,Parent Code\nLOC-X,LOC-NOPE\n").unwrap();
    let (code, _, err) = run(&sb, &["import", "locations", l.to_str().unwrap()]);
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("is neither in the file nor in the store"),
        "{err}"
    );
    for p in ["", "-wal", "-shm"] {
        let mut f = sb.db().into_os_string();
        f.push(p);
        assert!(!std::path::Path::new(&f).exists(), "{f:?} was left behind");
    }
}
