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

/// The text of every page of a PDF, read back with lopdf (no poppler).
pub(crate) fn pdf_text(bytes: &[u8]) -> String {
    let doc = lopdf::Document::load_mem(bytes).expect("a PDF lopdf can read");
    let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
    doc.extract_text(&pages).expect("text")
}

#[test]
fn certificate_has_every_field_renders_identically_and_is_journaled() {
    let sb = setup();
    let out_a = sb.path().join("a.pdf");
    let out = sb
        .cmd()
        .args(["certificate", "IT-0001", "--out"])
        .arg(&out_a)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let first: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(first["issued"], true);
    let number = first["number"].as_str().unwrap().to_string();
    assert_eq!(number, "CS-station-1-000001");

    let bytes = std::fs::read(&out_a).unwrap();
    let text = pdf_text(&bytes);
    // The NIST SP 800-88 sample certificate's fields, and ours.
    for want in [
        "Certificate of Sanitization",
        "Certificate number: CS-station-1-000001",
        "Person performing sanitization",
        "Media information (1 of 1)",
        "Make / vendor",
        "Model number: Samsung SSD 870 EVO 500GB",
        "Serial number: S62ANJ0R123456X",
        "Media property number: IT-0001",
        "Media type: SSD",
        "Source (user name or PC property number): IT-0001",
        "Classification",
        "Data backed up: Unknown",
        "Backup location",
        "Sanitization details",
        "Method type: Clear",
        "Method used: Overwrite",
        "Method details: PRNG Stream (-m prng)",
        "Tool used (and version): nwipe 0.42",
        "Verification method: Full",
        "Result: Passed",
        "Started / ended: 2026-11-20T09:15:02 / 2026-11-20T09:49:55",
        "Post-sanitization classification",
        "Media destination",
        "Signature",
        "Validation",
        "Issued at journal seq",
        "Journal head hash",
    ] {
        assert!(text.contains(want), "{want:?} missing from:\n{text}");
    }
    // The nwipe log's hash is printed.
    let sha = sha_of(&fixture("v0.42-written-from-source.txt"));
    assert!(text.contains(&sha), "log sha256 {sha} missing");

    // Rendered again from the store: the same bytes, the same number.
    let out_b = sb.path().join("b.pdf");
    let out = sb
        .cmd()
        .args(["certificate", "IT-0001", "--out"])
        .arg(&out_b)
        .output()
        .unwrap();
    assert!(out.status.success());
    let again: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(again["issued"], false);
    assert_eq!(again["number"], number.as_str());
    assert_eq!(std::fs::read(&out_b).unwrap(), bytes);

    // Its SHA-256 is journaled, with the head it was issued at.
    let j = sb.cmd().args(["journal", "--json"]).output().unwrap();
    let events: Vec<Value> = String::from_utf8_lossy(&j.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let issued: Vec<&Value> = events
        .iter()
        .filter(|e| e["kind"] == "certificate.issued")
        .collect();
    assert_eq!(issued.len(), 1, "rendering again journals nothing");
    let p = &issued[0]["payload"];
    assert_eq!(p["sha256"].as_str().unwrap(), sha_of(&out_a));
    let seq = p["journal_seq"].as_i64().unwrap();
    assert_eq!(issued[0]["seq"].as_i64().unwrap(), seq + 1);
    let head = events
        .iter()
        .find(|e| e["seq"].as_i64() == Some(seq))
        .unwrap();
    assert_eq!(p["journal_hash"], head["hash"]);
    assert!(text.contains(head["hash"].as_str().unwrap()));
}

#[test]
fn a_failed_or_unknown_asset_gets_no_certificate() {
    let sb = setup();
    let csv = sb.path().join("more.csv");
    std::fs::write(&csv, "Asset Tag,Serial\nIT-0003,WD-WCC2ET123456\n").unwrap();
    assert!(sb
        .cmd()
        .args(["import", "assets"])
        .arg(&csv)
        .output()
        .unwrap()
        .status
        .success());
    // IT-0003's drive was imported before the asset existed: it is not
    // attached, so the asset has no media.
    let out = sb
        .cmd()
        .args(["certificate", "IT-0003", "--out"])
        .arg(sb.path().join("x.pdf"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no media recorded"));
    let out = sb.cmd().args(["certificate", "NOPE-1"]).output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(!sb.path().join("x.pdf").exists());
}

pub(crate) fn sha_of(p: &std::path::Path) -> String {
    use sha2::{Digest, Sha256};
    hex::encode(Sha256::digest(std::fs::read(p).unwrap()))
}

#[test]
fn an_aborted_wipe_cannot_be_certified() {
    let sb = Sandbox::new();
    let csv = sb.path().join("assets.csv");
    std::fs::write(&csv, "Asset Tag,Serial\nIT-0003,WD-WCC2ET123456\n").unwrap();
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
        .arg(fixture("v0.41-written-from-source.txt"))
        .output()
        .unwrap();
    assert!(out.status.success());
    let pdf = sb.path().join("c.pdf");
    let out = sb
        .cmd()
        .args(["certificate", "IT-0003", "--out"])
        .arg(&pdf)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("medium WD-WCC2ET123456 failed"), "{err}");
    assert!(!pdf.exists());
}
