//! A whole bench as a `scanstation feed` file, end to end: drives imported
//! from an nwipe log and attached, a manual record, a destroyed drive, an
//! asset without media; the policy's refusals (flash_needs_purge overridden
//! by a supervisor, leaving_needs_purge, certified_vendor with every
//! certification expired) named in feed's answers; a pallet handed over,
//! confirmed disposed, and its certificate (`certificate --batch`) rendered,
//! read back and rendered again byte for byte.

use crate::sanitization::{pdf_text, sha_of};
use crate::support::Sandbox;
use scanstation::station::seed::seed_demo;
use scanstation::store::Store;
use serde_json::Value;
use std::path::{Path, PathBuf};

fn fixture(dir: &str, name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(dir)
        .join(name)
}

fn json_lines(bytes: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(bytes)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn at(lines: &[Value], n: u64) -> &Value {
    lines
        .iter()
        .find(|l| l["line"] == n)
        .unwrap_or_else(|| panic!("no answer for line {n}: {lines:#?}"))
}

/// Line `n`'s answer: its level, and that its message says `says`.
fn says<'a>(lines: &'a [Value], n: u64, level: &str, says: &str) -> &'a Value {
    let l = at(lines, n);
    let msg = l["message"].as_str().unwrap_or_default();
    assert_eq!(l["level"], level, "line {n}: {msg}");
    assert!(msg.contains(says), "line {n} should say {says:?}: {msg}");
    l
}

fn events(sb: &Sandbox, kind: &str) -> Vec<Value> {
    let store = Store::open(&sb.db()).unwrap();
    scanstation::store::journal::read_since(store.conn(), 0, 100_000)
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == kind)
        .map(|e| e.payload)
        .collect()
}

#[test]
fn a_bench_takes_assets_from_deployed_to_disposed_with_a_pallet_certificate() {
    let sb = Sandbox::new();
    {
        let mut store = Store::open(&sb.db()).unwrap();
        let codes = seed_demo(&mut store, "seed").unwrap();
        assert_eq!(
            [&codes.tags[0], &codes.tags[1], &codes.tags[7]],
            ["A-1001", "A-1002", "A-1008"],
            "the feed names the demo seed's tags"
        );
    }
    let config = fixture("wipe", "bench-to-disposed.toml");
    let run = |args: &[&str], file: &Path| {
        let out = sb
            .cmd()
            .arg("--config")
            .arg(&config)
            .args(args)
            .arg(file)
            .output()
            .unwrap();
        (out.status.code(), out.stdout, out.stderr)
    };
    // A vendor whose two certifications have both expired.
    let (code, _, err) = run(
        &["import", "vendors"],
        &fixture("wipe", "vendors-expired.csv"),
    );
    assert_eq!(code, Some(0), "{}", String::from_utf8_lossy(&err));
    // The drives of A-1008, wiped by nwipe 0.42 (an overwrite: Clear).
    let (code, out, err) = run(
        &["import", "nwipe"],
        &fixture("nwipe", "v0.42-written-from-source.txt"),
    );
    assert_eq!(code, Some(0), "{}", String::from_utf8_lossy(&err));
    assert!(json_lines(&out).iter().all(|d| d["asset"].is_null()));

    let (code, out, _) = run(&["feed"], &fixture("wipe", "bench-to-disposed.feed"));
    let lines = json_lines(&out);
    assert_eq!(code, Some(1), "refusals answer as errors: {lines:#?}");
    says(&lines, 3, "warn", "leaves service: why?");
    says(&lines, 4, "ok", "in_stock → decommissioning (UPGRADE)");
    says(&lines, 6, "ok", "attached to A-1008 (1 imported record)");
    says(&lines, 8, "ok", "attached to A-1008");
    // An nwipe overwrite of flash is Clear: refused, a supervisor overrides.
    let l9 = says(&lines, 9, "error", "Refused by rule flash_needs_purge");
    assert!(
        l9["question"].as_str().unwrap().contains("supervisor"),
        "{l9}"
    );
    let l10 = says(
        &lines,
        10,
        "ok",
        "flash_needs_purge overridden by B0001 · SANITIZED",
    );
    assert_eq!(l10["asset"]["status"], "sanitized");
    // A Clear record of a drive going to recycling: leaving_needs_purge.
    says(&lines, 12, "ok", "(EOL)");
    says(&lines, 14, "ok", "WD-E2E-0001 (hdd) added to A-1001");
    says(&lines, 18, "warn", "Rule validator_required");
    says(&lines, 19, "error", "Refused by rule leaving_needs_purge");
    says(&lines, 20, "ok", "Cancelled");
    // It is destroyed instead: by whom or what, then the validator.
    let l24 = says(&lines, 24, "warn", "Destroyed by");
    assert!(l24["question"].is_string());
    says(&lines, 25, "warn", "Rule validator_required");
    let l26 = says(
        &lines,
        26,
        "ok",
        "Recorded destroy PASSED for WD-E2E-0001 (hdd), destroyed by ShredCo Mobile Unit 7, validated by B0002 · SANITIZED",
    );
    assert_eq!(l26["asset"]["status"], "sanitized");
    // A monitor holds no media: sanitized once its reason is given.
    says(&lines, 28, "ok", "SANITIZED");
    says(&lines, 30, "ok", "Pallet 306141410000005001 opened");
    for n in 31..=33 {
        let l = says(&lines, n, "ok", "on pallet 306141410000005001");
        assert_eq!(l["asset"]["status"], "awaiting_pickup");
    }
    says(&lines, 34, "ok", "closed with 3 assets");
    // The pick list shows each vendor's certifications and their expiry.
    let l35 = says(&lines, 35, "warn", "to which vendor?");
    let q = l35["question"].as_str().unwrap();
    assert!(q.contains("to which vendor"), "{q}");
    let m35 = l35["message"].as_str().unwrap();
    assert!(
        m35.contains("1 Acme Scrap · e-Stewards EXPIRED 2020-01-31, NAID AAA EXPIRED 2021-05-31"),
        "{m35}"
    );
    assert!(
        m35.contains("2 GreenCycle Recovery · R2v3 until 2036-06-30"),
        "{m35}"
    );
    says(
        &lines,
        36,
        "error",
        "Refused by rule certified_vendor: Acme Scrap's certifications all expired: e-Stewards expired on 2020-01-31, NAID AAA expired on 2021-05-31",
    );
    says(&lines, 38, "warn", "GreenCycle Recovery's driver");
    says(
        &lines,
        39,
        "ok",
        "Pallet 306141410000005001 (3 assets) handed to GreenCycle Recovery — driver DRV-88 Sam Driver",
    );

    // Every override journaled, with who.
    let o = events(&sb, "policy.overridden");
    assert_eq!(o.len(), 1, "{o:?}");
    assert_eq!(
        (o[0]["rule"].as_str(), o[0]["by"].as_str()),
        (Some("flash_needs_purge"), Some("B0001"))
    );

    // The vendor's certificate of destruction: disposed.
    let out = sb
        .cmd()
        .args([
            "disposal",
            "confirm",
            "306141410000005001",
            "--certificate",
            "GC-2026-0101",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = sb
        .cmd()
        .args(["report", "disposal", "--format", "json"])
        .output()
        .unwrap();
    let rows = json_lines(&out.stdout);
    assert_eq!(rows.len(), 3);
    assert!(rows.iter().all(|r| r["status"] == "disposed"
        && r["certificate_number"] == "GC-2026-0101"
        && r["vendor_certifications"] == serde_json::json!(["R2v3"])));

    // The destroyed drive names its destroyer in the report.
    let out = sb
        .cmd()
        .args([
            "report",
            "sanitization",
            "--format",
            "json",
            "--asset",
            "A-1001",
        ])
        .output()
        .unwrap();
    let r = &json_lines(&out.stdout)[0];
    assert_eq!(r["method"], "destroy");
    assert_eq!(r["tool"], "ShredCo Mobile Unit 7");
    assert_eq!(r["validator"], "B0002");

    // One certificate for the pallet: every asset, every medium.
    let cert = |name: &str| {
        let pdf = sb.path().join(name);
        let out = sb
            .cmd()
            .args(["certificate", "--batch", "306141410000005001", "--out"])
            .arg(&pdf)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        (json_lines(&out.stdout).remove(0), pdf)
    };
    let (first, pdf_a) = cert("a.pdf");
    assert_eq!(first["issued"], true);
    assert_eq!(first["batch"], "306141410000005001");
    assert_eq!(
        first["assets"],
        serde_json::json!(["A-1008", "A-1001", "A-1002"])
    );
    let bytes = std::fs::read(&pdf_a).unwrap();
    let text = pdf_text(&bytes);
    for want in [
        "Certificate of Sanitization",
        first["number"].as_str().unwrap(),
        "Pallet (SSCC): 306141410000005001",
        "Disposal vendor: GreenCycle Recovery",
        "Assets on the pallet (3)",
        "A-1008: serial",
        "2 media",
        "A-1001: serial",
        "1 medium",
        "A-1002: serial",
        "holds no storage media",
        "Media information (1 of 3)",
        "Media information (3 of 3)",
        "Serial number: S62ANJ0R123456X",
        "Serial number: 23456A800123",
        "Serial number: WD-E2E-0001",
        "Media property number: A-1008",
        "Media property number: A-1001",
        "Method type: Clear",
        "Method type: Destroy",
        "Method used: Shred",
        "Tool used (and version): ShredCo Mobile Unit 7",
        "destroyed by ShredCo Mobile Unit 7",
        "Tool used (and version): nwipe 0.42",
        "Media destination: Recycle",
        "Issued at journal seq",
        "Journal head hash",
    ] {
        assert!(
            text.contains(want),
            "{want:?} not in the certificate:\n{text}"
        );
    }
    // Frozen: asked again, the same number and the same bytes.
    let (again, pdf_b) = cert("b.pdf");
    assert_eq!(again["issued"], false);
    assert_eq!(again["number"], first["number"]);
    assert_eq!(std::fs::read(&pdf_b).unwrap(), bytes, "byte-identical");
    // Its SHA-256 is journaled.
    let issued = events(&sb, "certificate.issued");
    assert_eq!(issued.len(), 1, "{issued:?}");
    assert_eq!(issued[0]["sha256"].as_str().unwrap(), sha_of(&pdf_a));
    assert_eq!(issued[0]["sscc"], "306141410000005001");

    let v = sb.cmd().arg("verify").output().unwrap();
    assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stdout));
}
