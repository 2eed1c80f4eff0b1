//! `scanstation report sanitization` from what the store holds (imported
//! nwipe records for now): formats, the asset filter, and what is left out.

use crate::support::Sandbox;
use serde_json::Value;
use std::path::PathBuf;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/nwipe")
        .join(name)
}

fn setup() -> Sandbox {
    let sb = Sandbox::new();
    let csv = sb.path().join("assets.csv");
    std::fs::write(&csv, "Asset Tag,Serial\nIT-0001,S62ANJ0R123456X\n").unwrap();
    assert!(sb
        .cmd()
        .args(["import", "assets"])
        .arg(&csv)
        .output()
        .unwrap()
        .status
        .success());
    let out = sb
        .cmd()
        .args(["import", "nwipe"])
        .arg(fixture("v0.42-written-from-source.txt"))
        .arg(fixture("v0.33-three-runs.txt"))
        .arg(fixture("v0.41-written-from-source.txt"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    sb
}

fn report(sb: &Sandbox, args: &[&str]) -> (i32, String) {
    let out = sb
        .cmd()
        .args(["report", "sanitization"])
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn json_has_one_object_per_medium_and_no_verifications() {
    let sb = setup();
    let (code, out) = report(&sb, &["--format", "json"]);
    assert_eq!(code, 0);
    let rows: Vec<Value> = out
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    // 2 (0.42) + 1 of three runs (the two verify-only runs are not sanitizations) + 3 (0.41).
    assert_eq!(rows.len(), 6);
    let first = &rows[0];
    assert_eq!(first["asset"], "IT-0001");
    assert_eq!(first["medium_serial"], "S62ANJ0R123456X");
    assert_eq!(first["media_type"], "ssd");
    assert_eq!(first["method"], "clear");
    assert_eq!(first["technique"], "overwrite");
    assert_eq!(first["tool"], "nwipe 0.42");
    assert_eq!(first["verification"], "full");
    assert_eq!(first["result"], "passed");
    assert_eq!(first["source"], "nwipe");
    assert!(first["validator"].is_null());
    assert_eq!(first["log_sha256"].as_str().unwrap().len(), 64);
    let results: Vec<&str> = rows.iter().map(|r| r["result"].as_str().unwrap()).collect();
    assert_eq!(
        results,
        ["passed", "passed", "passed", "passed", "failed", "failed"]
    );
    assert!(
        rows.iter().all(|r| r["method"] == "clear"),
        "nwipe is never purge"
    );
}

#[test]
fn asset_filter_csv_and_table() {
    let sb = setup();
    let (code, out) = report(&sb, &["--asset", "IT-0001", "--format", "csv"]);
    assert_eq!(code, 0);
    let mut l = out.lines();
    assert_eq!(
        l.next().unwrap(),
        "asset,medium_serial,media_type,make,model,method,technique,tool,verification,result,\
         started,ended,operator,validator,destination,source,log_sha256"
    );
    assert!(l.next().unwrap().starts_with("IT-0001,S62ANJ0R123456X,ssd,,Samsung SSD 870 EVO 500GB,clear,overwrite,nwipe 0.42,full,passed,2026-11-20T09:15:02,2026-11-20T09:49:55"));
    assert_eq!(l.next(), None);
    let (code, out) = report(&sb, &[]);
    assert_eq!(code, 0);
    assert!(out.starts_with("asset "), "{out}");
    assert_eq!(out.lines().count(), 7);
    let (code, _) = report(&sb, &["--asset", "NOPE-1"]);
    assert_eq!(code, 1);
}
