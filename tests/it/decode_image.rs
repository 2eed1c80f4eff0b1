//! Label photos: the committed degraded fixtures decode to their exact scanner
//! bytes, `decode-image` prints and exits per the contract, bad files give
//! clear errors, and a watched folder turns photos into scans.

use crate::support::Sandbox;
use scanstation::device::image::{decode_file, decode_file_within, ImageError};
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/images")
}

/// (file, expected raw texts) from the fixture manifest.
fn manifest() -> Vec<(String, Vec<String>)> {
    let text = std::fs::read_to_string(fixtures().join("manifest.jsonl")).expect("manifest");
    text.lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).expect("json line");
            let file = v["file"].as_str().expect("file").to_string();
            let expected = v["expected"]
                .as_array()
                .expect("expected")
                .iter()
                .map(|e| e.as_str().expect("text").to_string())
                .collect();
            (file, expected)
        })
        .collect()
}

#[test]
fn every_fixture_decodes_to_its_exact_scanner_bytes() {
    let entries = manifest();
    assert!(entries.len() >= 15, "only {} fixtures", entries.len());
    let mut failures = Vec::new();
    for (file, expected) in &entries {
        // No time budget: the answer must not depend on the machine's load.
        let codes = decode_file_within(&fixtures().join(file), None).expect("readable fixture");
        let got: BTreeSet<String> = codes
            .iter()
            .map(|c| String::from_utf8(c.raw.clone()).expect("utf8"))
            .collect();
        let want: BTreeSet<String> = expected.iter().cloned().collect();
        if got != want {
            failures.push(format!("{file}: got {got:?}, want {want:?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn gs1_fixtures_keep_their_separators() {
    // At least one GS1-128 and one GS1 DataMatrix with a GS inside.
    let entries = manifest();
    for prefix in ["]C1", "]d2"] {
        let (file, expected) = entries
            .iter()
            .find(|(_, e)| {
                e.iter()
                    .any(|t| t.starts_with(prefix) && t.contains('\u{1d}'))
            })
            .unwrap_or_else(|| panic!("no {prefix} fixture with a separator"));
        let codes = decode_file_within(&fixtures().join(file), None).expect("readable");
        let raw = codes
            .iter()
            .find(|c| c.raw.starts_with(prefix.as_bytes()))
            .expect("the GS1 code");
        assert!(expected.contains(&String::from_utf8(raw.raw.clone()).expect("utf8")));
        assert!(raw.raw.contains(&0x1d));
        // One AIM id, not two.
        assert!(!raw.raw[3..].starts_with(prefix.as_bytes()));
    }
}

fn json_lines(out: &[u8]) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

#[test]
fn decode_image_prints_one_line_per_barcode_and_exits_0() {
    let sb = Sandbox::new();
    let (file, expected) = manifest()
        .into_iter()
        .find(|(_, e)| e.len() == 2)
        .expect("a fixture with two codes");
    let path = fixtures().join(&file);
    let out = sb
        .cmd()
        .arg("decode-image")
        .arg(&path)
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let lines = json_lines(&out.stdout);
    assert_eq!(lines.len(), 2);
    let mut raws = BTreeSet::new();
    for l in &lines {
        assert_eq!(l["file"], path.to_string_lossy().as_ref());
        let raw = l["raw"].as_str().expect("raw");
        let sym = l["symbology"].as_str().expect("symbology");
        assert!(raw.starts_with(sym), "{raw} starts with {sym}");
        assert!(l["format"] == "code128" || l["format"] == "datamatrix");
        // The parse object is `scanstation parse`'s for the bytes read.
        assert_eq!(l["parse"]["input"], raw);
        assert_eq!(l["parse"]["symbology"], sym);
        assert_eq!(l["parse"]["error"], serde_json::Value::Null);
        raws.insert(raw.to_string());
    }
    assert_eq!(raws, expected.into_iter().collect());
}

/// A PNG with nothing on it.
fn blank_png(path: &Path) {
    image::GrayImage::from_pixel(200, 100, image::Luma([230]))
        .save(path)
        .expect("write png");
}

#[test]
fn an_image_without_a_barcode_gives_an_error_line_and_exit_1() {
    let sb = Sandbox::new();
    let blank = sb.path().join("blank.png");
    blank_png(&blank);
    let good = fixtures().join(&manifest()[0].0);
    let out = sb
        .cmd()
        .arg("decode-image")
        .arg(&good)
        .arg(&blank)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(1));
    let lines = json_lines(&out.stdout);
    let last = lines.last().expect("a line");
    assert_eq!(last["file"], blank.to_string_lossy().as_ref());
    assert_eq!(last["error"], "no barcode found");
    assert!(lines[0].get("raw").is_some());
}

#[test]
fn unreadable_files_exit_2_and_the_others_still_print() {
    let sb = Sandbox::new();
    let dir = sb.path();
    // A truncated PNG: a real one cut in half.
    let whole = dir.join("whole.png");
    blank_png(&whole);
    let bytes = std::fs::read(&whole).expect("read");
    let truncated = dir.join("truncated.png");
    std::fs::write(&truncated, &bytes[..bytes.len() / 2]).expect("write");
    let text = dir.join("notes.jpg");
    std::fs::write(&text, "this is not a photo\n").expect("write");
    let empty = dir.join("empty.jpg");
    std::fs::write(&empty, b"").expect("write");
    let huge = dir.join("huge.png");
    std::fs::write(&huge, huge_png_header(200_000, 200_000)).expect("write");
    let missing = dir.join("missing.png");
    let good = fixtures().join(&manifest()[0].0);

    let files = [&truncated, &text, &empty, &huge, &missing, &good];
    let out = sb
        .cmd()
        .arg("decode-image")
        .args(files)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    let lines = json_lines(&out.stdout);
    let error_of = |p: &PathBuf| -> String {
        lines
            .iter()
            .find(|l| l["file"] == p.to_string_lossy().as_ref())
            .and_then(|l| l["error"].as_str())
            .unwrap_or_else(|| panic!("no error line for {}", p.display()))
            .to_string()
    };
    assert!(
        error_of(&truncated).contains("not a readable image"),
        "{}",
        error_of(&truncated)
    );
    assert!(error_of(&text).contains("not a PNG or JPEG"));
    assert!(error_of(&empty).contains("not a PNG or JPEG"));
    assert!(error_of(&huge).contains("too large"), "{}", error_of(&huge));
    assert!(error_of(&missing).contains("cannot read"));
    // The good file was still decoded.
    assert!(lines
        .iter()
        .any(|l| l["file"] == good.to_string_lossy().as_ref() && l.get("raw").is_some()));
}

#[test]
fn library_errors_name_the_problem() {
    let sb = Sandbox::new();
    let huge = sb.path().join("huge.png");
    std::fs::write(&huge, huge_png_header(70_000, 10)).expect("write");
    assert!(matches!(
        decode_file(&huge),
        Err(ImageError::TooLarge { .. })
    ));
    let empty = sb.path().join("empty.png");
    std::fs::write(&empty, b"").expect("write");
    assert!(matches!(
        decode_file(&empty),
        Err(ImageError::UnknownFormat { .. })
    ));
}

/// A PNG signature and an IHDR chunk (valid CRC) claiming `w` x `h`, no data.
fn huge_png_header(w: u32, h: u32) -> Vec<u8> {
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 0, 0, 0, 0]);
    let mut crc = 0xFFFF_FFFFu32;
    for &b in &ihdr {
        crc ^= b as u32;
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    out.extend_from_slice(&13u32.to_be_bytes());
    out.extend_from_slice(&ihdr);
    out.extend_from_slice(&(!crc).to_be_bytes());
    out
}

mod folder {
    use super::*;
    use scanstation::device::folder::run_session;
    use scanstation::device::spec::{Protocol, ResolvedSpec, Transport};
    use scanstation::device::DeviceEvent;
    use scanstation::input::{ReaderErrors, Source};
    use std::time::Duration;

    fn spec(dir: &Path) -> ResolvedSpec {
        ResolvedSpec {
            display: format!("folder:{}", dir.display()),
            transport: Transport::Folder(dir.display().to_string()),
            protocol: Protocol::Images,
            profile: None,
            baud: 0,
            dedupe_ms: 1000,
            rssi_min: None,
            per_antenna: false,
            power_dbm: None,
            session: None,
            keepalive_ms: None,
        }
    }

    /// Generous guard against a hung test; not a timing assertion.
    const PATIENCE: Duration = Duration::from_secs(60);

    async fn next_scan(
        rx: &mut tokio::sync::mpsc::Receiver<DeviceEvent>,
    ) -> scanstation::input::Scan {
        loop {
            match tokio::time::timeout(PATIENCE, rx.recv()).await {
                Ok(Some(DeviceEvent::Scan(s))) => return s,
                Ok(Some(_)) => continue,
                Ok(None) => panic!("session ended"),
                Err(_) => panic!("no scan within {PATIENCE:?}"),
            }
        }
    }

    async fn wait_for(path: &Path) {
        let deadline = tokio::time::Instant::now() + PATIENCE;
        while !path.exists() {
            assert!(
                tokio::time::Instant::now() < deadline,
                "{} never appeared",
                path.display()
            );
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn photos_become_scans_and_are_filed_away() {
        let sb = Sandbox::new();
        let dir = sb.path().join("photos");
        std::fs::create_dir(&dir).expect("mkdir");
        let (file, expected) = manifest()
            .into_iter()
            .find(|(_, e)| e.len() == 1 && e[0].starts_with("]C1"))
            .expect("a GS1-128 fixture");
        std::fs::copy(fixtures().join(&file), dir.join("label.jpg")).expect("copy");
        blank_png(&dir.join("blank.png"));
        std::fs::write(dir.join("notes.txt"), "ignored").expect("write");

        let (tx, mut rx) = tokio::sync::mpsc::channel(16);
        let spec = spec(&dir);
        let session = tokio::spawn(async move {
            let mut errors = ReaderErrors::default();
            run_session(&spec, &tx, &mut errors).await
        });

        let scan = next_scan(&mut rx).await;
        assert_eq!(scan.raw, expected[0].as_bytes());
        assert_eq!(
            scan.source,
            Source::Image(dir.join("label.jpg").display().to_string())
        );
        wait_for(&dir.join("done/label.jpg")).await;
        wait_for(&dir.join("failed/blank.png")).await;
        assert!(!dir.join("label.jpg").exists());
        assert!(dir.join("notes.txt").exists());

        // The folder vanishing ends the session with an error.
        std::fs::remove_dir_all(&dir).expect("rm");
        let ended = tokio::time::timeout(PATIENCE, session)
            .await
            .expect("session ends")
            .expect("no panic");
        assert!(ended.is_err());
    }

    #[tokio::test]
    async fn a_missing_folder_is_an_open_error() {
        let sb = Sandbox::new();
        let (tx, _rx) = tokio::sync::mpsc::channel(1);
        let mut errors = ReaderErrors::default();
        let r = run_session(&spec(&sb.path().join("nope")), &tx, &mut errors).await;
        assert!(matches!(
            r,
            Err(scanstation::device::ReaderError::Open { .. })
        ));
    }
}
