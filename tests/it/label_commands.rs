//! `scanstation label --commands`: every sheet the real binary writes
//! decodes back, with the station's own image decoder, to exactly the
//! command barcodes of that sheet (default prefix and a configured one),
//! and every barcode on a mode's sheet is one that mode acts on.

use crate::support::Sandbox;
use scanstation::config::Config;
use scanstation::input::{Input, Scan, Source};
use scanstation::station::commands::sheets;
use scanstation::station::seed::seed_demo;
use scanstation::station::{Station, StationSettings};
use scanstation::store::Store;
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use std::time::SystemTime;

fn settings(prefix: &str) -> StationSettings {
    let mut cfg = Config::default();
    cfg.identify.command_prefix = prefix.into();
    StationSettings::from_config(&cfg, false)
}

/// Runs `label --commands` (with a config giving `prefix` unless it is the
/// default) and decodes every page: sheet → (files, decoded texts).
fn written(prefix: &str) -> BTreeMap<String, (Vec<String>, BTreeSet<String>)> {
    let sb = Sandbox::new();
    let out = sb.path().join("sheets");
    let mut cmd = sb.cmd();
    if prefix != "CMD:" {
        let conf = sb.path().join("scanstation.toml");
        std::fs::write(&conf, format!("[identify]\ncommand_prefix = {prefix:?}\n")).unwrap();
        cmd.arg("--config").arg(&conf);
    }
    let o = cmd
        .args(["label", "--commands", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut got: BTreeMap<String, (Vec<String>, BTreeSet<String>)> = BTreeMap::new();
    for line in String::from_utf8(o.stdout).unwrap().lines() {
        let v: Value = serde_json::from_str(line).unwrap();
        let file = v["file"].as_str().unwrap().to_string();
        let sheet = v["sheet"].as_str().unwrap().to_string();
        let codes = scanstation::device::image::decode_file_within(file.as_ref(), None).unwrap();
        let entry = got.entry(sheet).or_default();
        let name = std::path::Path::new(&file).file_name().unwrap();
        entry.0.push(name.to_string_lossy().into_owned());
        for c in codes {
            assert_eq!(c.format, "code128", "{file}");
            let raw = String::from_utf8(c.raw).unwrap();
            let text = raw.strip_prefix("]C0").unwrap_or(&raw).to_string();
            assert!(entry.1.insert(text.clone()), "{text} twice in {file}");
        }
    }
    got
}

#[test]
fn every_sheet_decodes_back_to_its_commands() {
    for prefix in ["CMD:", "BENCH/"] {
        let got = written(prefix);
        let expected = sheets(&settings(prefix));
        assert_eq!(got.len(), expected.len(), "{:?}", got.keys());
        for sheet in &expected {
            let (files, decoded) = &got[&sheet.name];
            assert_eq!(files[0], format!("commands-{}.png", sheet.name));
            for (i, f) in files.iter().enumerate().skip(1) {
                assert_eq!(*f, format!("commands-{}-{}.png", sheet.name, i + 1));
            }
            let want: BTreeSet<String> = sheet.entries.iter().map(|(c, _)| c.clone()).collect();
            assert_eq!(decoded, &want, "sheet {} with prefix {prefix}", sheet.name);
        }
        // Spelled out, so the list itself is checked, not only the drawing.
        let p = |s: &str| format!("{prefix}{s}");
        let shared = &got["shared"].1;
        for c in [
            "CONFIRM",
            "CANCEL",
            "CLOSE",
            "SIGNOUT",
            "MODE:LOOKUP",
            "MODE:RECEIVE",
            "MODE:WIPE",
            "MODE:STOCKTAKE",
            "MODE:DISPOSAL",
            "PICK:1",
            "PICK:9",
        ] {
            assert!(shared.contains(&p(c)), "{c}");
        }
        assert!(got["lookup"].1.contains(&p("STATUS:IN_STOCK")));
        assert!(got["lookup"].1.contains(&p("ENROL")));
        assert!(got["receive"].1.contains(&p("DAMAGED")));
        assert!(got["disposal"].1.contains(&p("NEWBATCH")));
        let wipe = &got["wipe"];
        assert!(wipe.0.len() >= 2, "the Wipe sheet runs onto a second page");
        for c in [
            "REASON:LEASE_RETURN",
            "MEDIA:NVME",
            "DEST:RECYCLE",
            "TECHNIQUE:CRYPTO_ERASE",
            "VERIFY:SAMPLE",
            "RESULT:FAILED",
            "METHOD:PURGE",
        ] {
            assert!(wipe.1.contains(&p(c)), "{c}");
        }
        assert!(got
            .values()
            .all(|(_, d)| d.iter().all(|c| !c.contains(":X"))));
    }
}

#[test]
fn every_barcode_on_a_sheet_is_understood() {
    let sb = Sandbox::new();
    seed_demo(&mut Store::open(&sb.db()).unwrap(), "seed").unwrap();
    // Stock-take mode acts on commands while a stock-take is counted.
    let o = sb
        .cmd()
        .args([
            "stocktake",
            "start",
            "--name",
            "Sheet",
            "--scope",
            "LOC-R101",
        ])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    for prefix in ["CMD:", "BENCH/"] {
        let s = settings(prefix);
        let mut st = Station::new(Store::open(&sb.db()).unwrap(), s.clone()).unwrap();
        let mut scan = |code: &str| {
            st.handle(Input::Scan(Scan::new(
                Source::Wedge,
                code.as_bytes(),
                SystemTime::now(),
            )))
        };
        for sheet in sheets(&s) {
            let mode_switch = format!("{prefix}MODE:{}", sheet.name.to_ascii_uppercase());
            let shared = sheet.name == "shared";
            for (code, _) in &sheet.entries {
                if !shared {
                    // Back to the sheet's mode: a command may have left it.
                    scan(&mode_switch);
                }
                let o = scan(code);
                let m = &o.message;
                for refusal in ["Unknown command", "is not one of", "is not a status"] {
                    assert!(!m.contains(refusal), "{code} on {}: {m}", sheet.name);
                }
                // A shared command reaches every mode (CLOSE means nothing
                // where nothing is open); a mode's own means something there.
                if !shared {
                    assert!(
                        !m.contains("means nothing"),
                        "{code} on {}: {m}",
                        sheet.name
                    );
                }
                let c = scanstation::station::commands::parse(code, prefix);
                assert!(c.is_some(), "{code}");
                if o.question.is_some() {
                    // Leave no question open for the next barcode.
                    scan(&format!("{prefix}CANCEL"));
                }
            }
        }
    }
}
