//! Replays the recorded-style HID report sequences in fixtures/hid/ through the
//! HID codec and checks each file's `# expect:` lines (one per scan, `\xNN`
//! escapes for control characters such as GS).

use scanstation::codec::hid::{decode_keyboard_stream, PosAssembler, PosLayout};
use std::path::PathBuf;

struct Fixture {
    name: String,
    mode: String,
    descriptor: Option<Vec<u8>>,
    expect: Vec<Vec<u8>>,
    reports: Vec<Vec<u8>>,
}

fn hex_bytes(line: &str) -> Vec<u8> {
    line.split_whitespace()
        .map(|b| u8::from_str_radix(b, 16).unwrap_or_else(|e| panic!("bad hex {b:?}: {e}")))
        .collect()
}

fn unescape(text: &str) -> Vec<u8> {
    let bytes = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'\\' && bytes.get(i + 1) == Some(&b'x') && i + 4 <= bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 2..i + 4]).unwrap();
            out.push(u8::from_str_radix(hex, 16).unwrap());
            i += 4;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

fn fixtures() -> Vec<Fixture> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures/hid");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "hex"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap();
            let mut f = Fixture {
                name: path.file_name().unwrap().to_string_lossy().into_owned(),
                mode: String::new(),
                descriptor: None,
                expect: Vec::new(),
                reports: Vec::new(),
            };
            for line in text.lines() {
                if let Some(comment) = line.strip_prefix('#') {
                    let comment = comment.trim();
                    if let Some(mode) = comment.strip_prefix("mode:") {
                        f.mode = mode.trim().to_string();
                    } else if let Some(d) = comment.strip_prefix("descriptor:") {
                        f.descriptor = Some(hex_bytes(d));
                    } else if let Some(e) = comment.strip_prefix("expect: ") {
                        f.expect.push(unescape(e));
                    }
                } else if !line.trim().is_empty() {
                    f.reports.push(hex_bytes(line));
                }
            }
            f
        })
        .collect()
}

fn replay(f: &Fixture) -> Vec<Vec<u8>> {
    match f.mode.as_str() {
        "keyboard" => {
            let refs: Vec<&[u8]> = f.reports.iter().map(Vec::as_slice).collect();
            let scans = decode_keyboard_stream(&refs);
            assert_eq!(scans.bad_reports, 0, "{}", f.name);
            assert!(scans.unterminated.is_empty(), "{}", f.name);
            scans.scans
        }
        "pos" | "pos-descriptor" => {
            let mut assembler = match &f.descriptor {
                Some(d) => PosAssembler::with_layout(
                    PosLayout::from_descriptor(d).unwrap_or_else(|e| panic!("{}: {e}", f.name)),
                ),
                None => PosAssembler::new(),
            };
            let mut scans = Vec::new();
            for report in &f.reports {
                match assembler.feed(report) {
                    Ok(Some(scan)) => {
                        let mut text = scan.aim.unwrap_or_default().into_bytes();
                        text.extend_from_slice(&scan.data);
                        scans.push(text);
                    }
                    Ok(None) => {}
                    Err(e) => panic!("{}: {e}", f.name),
                }
            }
            scans
        }
        other => panic!("{}: unknown mode {other:?}", f.name),
    }
}

#[test]
fn every_hid_fixture_decodes_to_its_header_text() {
    let all = fixtures();
    assert!(all.len() >= 5, "fixtures/hid has {} files", all.len());
    for f in &all {
        assert!(!f.expect.is_empty(), "{} has no # expect: line", f.name);
        let got = replay(f);
        assert_eq!(got, f.expect, "{}", f.name);
    }
}

#[test]
fn gs1_keyboard_fixture_carries_gs() {
    let f = fixtures()
        .into_iter()
        .find(|f| f.name.contains("keyboard-gs1-128"))
        .unwrap();
    let scans = replay(&f);
    assert_eq!(scans.len(), 1);
    assert_eq!(scans[0].iter().filter(|&&b| b == 0x1D).count(), 1);
}

/// A report cut short is refused, counted, never a scan, and the decoder
/// still decodes the whole recording right after it (issue 9, item 16: this
/// test used to assert nothing but the absence of a panic).
#[test]
fn truncated_reports_are_refused_and_the_decoder_recovers() {
    let (mut checked, mut refused) = (0, 0);
    for f in fixtures() {
        for (i, report) in f.reports.iter().enumerate() {
            for cut in [0, 1, report.len() / 2, report.len().saturating_sub(1)] {
                if cut >= report.len() {
                    continue;
                }
                let short = &report[..cut];
                match f.mode.as_str() {
                    "keyboard" => {
                        let scans = decode_keyboard_stream(&[short]);
                        assert_eq!(scans.bad_reports, 1, "{} report {i} cut at {cut}", f.name);
                        refused += 1;
                        assert!(scans.scans.is_empty(), "{} report {i} cut at {cut}", f.name);
                        // The cut report, then the whole recording: same scans.
                        let mut refs: Vec<&[u8]> = vec![short];
                        refs.extend(f.reports.iter().map(Vec::as_slice));
                        let again = decode_keyboard_stream(&refs);
                        assert_eq!(again.scans, f.expect, "{} after a cut report", f.name);
                        assert_eq!(again.bad_reports, 1, "{}", f.name);
                    }
                    _ => {
                        let mut assembler = match &f.descriptor {
                            Some(d) => {
                                PosAssembler::with_layout(PosLayout::from_descriptor(d).unwrap())
                            }
                            None => PosAssembler::new(),
                        };
                        // A cut that leaves the length byte's data whole (it
                        // only drops padding) may pass; anything else is an
                        // error, and nothing is ever read past the cut.
                        match assembler.feed(short) {
                            Err(_) => refused += 1,
                            Ok(Some(scan)) => assert!(
                                short
                                    .windows(scan.data.len().max(1))
                                    .any(|w| w == &scan.data[..]),
                                "{} report {i} cut at {cut} gave data not in the report",
                                f.name
                            ),
                            Ok(None) => {}
                        }
                        let mut scans = Vec::new();
                        for r in &f.reports {
                            if let Some(scan) = assembler.feed(r).unwrap() {
                                let mut text = scan.aim.unwrap_or_default().into_bytes();
                                text.extend_from_slice(&scan.data);
                                scans.push(text);
                            }
                        }
                        assert_eq!(scans, f.expect, "{} after a cut report", f.name);
                    }
                }
                checked += 1;
            }
        }
    }
    assert!(checked > 20, "only {checked} cut reports checked");
    assert!(
        refused * 2 > checked,
        "only {refused} of {checked} cut reports refused"
    );
}
