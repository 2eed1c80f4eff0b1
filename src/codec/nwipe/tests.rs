//! The parser against logs from real nwipe runs (fixtures/nwipe/, see its
//! README) and against logs written from nwipe's source for later releases.

use super::*;

fn fixture(name: &str) -> Vec<u8> {
    let p = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/nwipe")
        .join(name);
    std::fs::read(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn a_real_033_zero_wipe() {
    let log = parse(&fixture("v0.33-zero-verify-last.txt")).unwrap();
    assert_eq!(log.runs.len(), 1);
    let r = &log.runs[0];
    assert_eq!(r.version.as_deref(), Some("0.33"));
    assert_eq!(r.method.map(|m| m.name), Some("zero"));
    assert_eq!(r.method_label.as_deref(), Some("Fill With Zeros"));
    assert_eq!(r.prng.as_deref(), Some("Isaac64"));
    assert_eq!(
        (r.verify, r.rounds, r.blank),
        (Some(Verify::Last), Some(1), Some(true))
    );
    assert_eq!(r.outcome, Outcome::Completed);
    assert_eq!(r.drives.len(), 1);
    let d = &r.drives[0];
    assert_eq!(d.device, "/dev/loop0");
    assert_eq!(d.drive_type.as_deref(), Some("VIRT"));
    assert_eq!(d.model.as_deref(), Some("Loopback device"));
    assert_eq!(
        d.serial, None,
        "0.33 logs uninitialised bytes as the serial"
    );
    assert!(!d.serial_raw.is_empty());
    assert_eq!(d.status, Status::Erased);
    assert_eq!(
        d.started.map(|t| t.to_string()).as_deref(),
        Some("2026-12-03T16:41:42")
    );
    assert_eq!(
        d.ended.map(|t| t.to_string()).as_deref(),
        Some("2026-12-03T16:41:44")
    );
    assert_eq!(
        (d.pass_errors, d.verify_errors, d.fsync_errors),
        (Some(0), Some(0), Some(0))
    );
    assert_eq!(d.bytes_erased, None, "0.33 has no erasure summary");
    assert_eq!(d.duration_seconds, 2);
}

#[test]
fn two_drives_in_one_run() {
    let log = parse(&fixture("v0.33-two-drives-dodshort-verify-all.txt")).unwrap();
    let r = &log.runs[0];
    assert_eq!(r.method.map(|m| m.name), Some("dodshort"));
    assert_eq!(r.prng.as_deref(), Some("Mersenne Twister"));
    assert_eq!(
        (r.verify, r.rounds, r.blank),
        (Some(Verify::All), Some(2), Some(false))
    );
    let devs: Vec<_> = r.drives.iter().map(|d| d.device.as_str()).collect();
    assert_eq!(devs, ["/dev/loop1", "/dev/loop2"]);
    assert!(r.drives.iter().all(|d| d.status == Status::Erased));
}

#[test]
fn a_read_only_device_fails() {
    let log = parse(&fixture("v0.33-read-only-failed.txt")).unwrap();
    let r = &log.runs[0];
    assert_eq!(r.outcome, Outcome::Errors);
    let d = &r.drives[0];
    assert_eq!(d.status, Status::Failed);
    assert_eq!(d.pass_errors, Some(1));
    assert!(
        d.failure_markers
            .iter()
            .any(|m| m.contains("Unable to write to '/dev/loop3'")),
        "{:?}",
        d.failure_markers
    );
}

#[test]
fn an_interrupted_run_is_aborted() {
    let log = parse(&fixture("v0.33-user-abort.txt")).unwrap();
    let r = &log.runs[0];
    assert_eq!(r.outcome, Outcome::UserAbort);
    assert_eq!(r.method.map(|m| m.name), Some("dod522022m"));
    let d = &r.drives[0];
    assert_eq!(d.status, Status::Aborted);
    assert_eq!(
        d.ended.map(|t| t.to_string()).as_deref(),
        Some("2026-12-03T16:42:12")
    );
}

#[test]
fn three_runs_in_one_file() {
    let log = parse(&fixture("v0.33-three-runs.txt")).unwrap();
    assert_eq!(log.runs.len(), 3);
    let names: Vec<_> = log.runs.iter().map(|r| r.method.map(|m| m.name)).collect();
    assert_eq!(
        names,
        [Some("zero"), Some("verify_zero"), Some("verify_one")]
    );
    assert!(log.runs[1].quiet);
    assert_eq!(log.runs[1].drives[0].serial, None, "-q anonymises as XXXX");
    assert_eq!(log.runs[1].drives[0].serial_raw, b"XXXXXXXXXXXXXXX");
    assert_eq!(log.runs[2].drives[0].status, Status::Failed);
    assert_eq!(log.runs[2].drives[0].verify_errors, Some(65536));
    let starts: Vec<_> = log
        .runs
        .iter()
        .map(|r| r.started.unwrap().to_string())
        .collect();
    assert_eq!(
        starts,
        [
            "2026-12-03T16:42:17",
            "2026-12-03T16:42:20",
            "2026-12-03T16:42:23"
        ]
    );
    assert!(log.warnings.is_empty(), "{:?}", log.warnings);
}

#[test]
fn one_erased_one_failed() {
    let log = parse(&fixture("v0.33-erased-and-failed.txt")).unwrap();
    let st: Vec<_> = log.runs[0]
        .drives
        .iter()
        .map(|d| (d.device.as_str(), d.status))
        .collect();
    assert_eq!(
        st,
        [
            ("/dev/loop2", Status::Erased),
            ("/dev/loop3", Status::Failed)
        ]
    );
    assert_eq!(log.runs[0].method.map(|m| m.name), Some("ops2"));
}

#[test]
fn a_killed_run_has_no_table_and_is_refused() {
    let e = parse(&fixture("v0.33-killed-no-tables.txt")).unwrap_err();
    assert!(matches!(e, NwipeError::NoDriveTable { .. }), "{e}");
}

#[test]
fn not_a_log() {
    let e = parse(b"Asset Tag,Serial\nA-1,S1\n").unwrap_err();
    assert!(matches!(e, NwipeError::NotNwipe { line: 1, .. }), "{e}");
    assert!(matches!(
        parse(b"").unwrap_err(),
        NwipeError::NotNwipe { .. }
    ));
    assert!(matches!(
        parse(b"\n\n").unwrap_err(),
        NwipeError::NotNwipe { .. }
    ));
}

#[test]
fn cut_inside_a_table() {
    let full = fixture("v0.33-zero-verify-last.txt");
    let text = String::from_utf8_lossy(&full);
    let cut = text.find("Loopback device/").unwrap();
    let e = parse(&full[..cut - 30]).unwrap_err();
    assert!(matches!(e, NwipeError::CutShort { .. }), "{e}");
    assert!(
        e.to_string()
            .contains("inside the Drive Status table that starts at line 42"),
        "{e}"
    );
}

#[test]
fn a_second_run_cut_before_its_table_refuses_the_file() {
    let mut two = fixture("v0.33-zero-verify-last.txt");
    two.extend_from_slice(&fixture("v0.33-killed-no-tables.txt"));
    let e = parse(&two).unwrap_err();
    assert!(matches!(e, NwipeError::CutShort { .. }), "{e}");
}

#[test]
fn a_killed_run_between_two_finished_ones_is_a_warning() {
    let mut f = fixture("v0.33-killed-no-tables.txt");
    f.extend_from_slice(&fixture("v0.33-zero-verify-last.txt"));
    let log = parse(&f).unwrap();
    assert_eq!(log.runs.len(), 1);
    assert_eq!(log.warnings.len(), 1);
    assert_eq!(log.warnings[0].line, 1);
    // The Found line of the second run went with the second run.
    assert_eq!(
        log.runs[0].drives[0].model.as_deref(),
        Some("Loopback device")
    );
}

#[test]
fn serials() {
    assert_eq!(
        clean_serial(b"  WD-WCC6Y3KJ1234 "),
        Some("WD-WCC6Y3KJ1234".into())
    );
    assert_eq!(clean_serial(b"XXXXXXXXXXXXXXX"), None);
    assert_eq!(clean_serial(b"?????"), None);
    assert_eq!(clean_serial(b"\xc0\xfbZ\xce\x7f"), None);
    assert_eq!(clean_serial(b"ab\x01c"), None);
    assert_eq!(clean_serial(b"   "), None);
}

#[test]
fn v042_written_from_source() {
    let log = parse(&fixture("v0.42-written-from-source.txt")).unwrap();
    let r = &log.runs[0];
    assert_eq!(r.version.as_deref(), Some("0.42"));
    assert_eq!(r.prng.as_deref(), Some("ChaCha20 (CSPRNG)"));
    assert_eq!(r.method.map(|m| m.name), Some("prng"));
    let d: Vec<_> = r
        .drives
        .iter()
        .map(|d| {
            (
                d.device.as_str(),
                d.drive_type.as_deref(),
                d.model.as_deref(),
                d.serial.as_deref(),
            )
        })
        .collect();
    assert_eq!(
        d,
        [
            (
                "/dev/sda",
                Some("ATA-SSD"),
                Some("Samsung SSD 870 EVO 500GB"),
                Some("S62ANJ0R123456X")
            ),
            (
                "/dev/nvme0n1",
                Some("NVME"),
                Some("WD Blue SN580 1TB"),
                Some("23456A800123")
            ),
        ]
    );
    let sda = &r.drives[0];
    assert_eq!(sda.bytes_erased, Some(500_107_862_016));
    assert_eq!(sda.percent.as_deref(), Some("100.00%"));
    assert_eq!(sda.throughput, "477 MB");
    assert_eq!(sda.started.unwrap().to_string(), "2026-11-20T09:15:02");
    assert_eq!(sda.ended.unwrap().to_string(), "2026-11-20T09:49:55");
    assert_eq!(
        r.drives[1].started.unwrap().to_string(),
        "2026-11-20T09:15:03"
    );
}

#[test]
fn v041_user_abort_marks_unfinished_drives_aborted() {
    let log = parse(&fixture("v0.41-written-from-source.txt")).unwrap();
    let r = &log.runs[0];
    assert_eq!(r.outcome, Outcome::UserAbort);
    assert_eq!(r.verify, Some(Verify::Off));
    let st: Vec<_> = r
        .drives
        .iter()
        .map(|d| (d.device.as_str(), d.table_status, d.status))
        .collect();
    assert_eq!(
        st,
        [
            ("/dev/sdb", TableStatus::Erased, Status::Erased),
            ("/dev/sdc", TableStatus::Aborted, Status::Aborted),
            ("/dev/sdd", TableStatus::Erased, Status::Aborted),
        ]
    );
    assert_eq!(r.drives[2].serial, None, "????? is no serial");
    assert_eq!(r.drives[1].percent.as_deref(), Some("66.66%"));
    assert_eq!(r.drives[1].model.as_deref(), Some("WDC WD2500AAKX-00ERMA0"));
}

#[test]
fn v035_written_from_source() {
    let log = parse(&fixture("v0.35-written-from-source.txt")).unwrap();
    let r = &log.runs[0];
    assert_eq!(r.version.as_deref(), Some("0.35"));
    assert_eq!((r.verify, r.blank), (Some(Verify::Off), Some(false)));
    let d = &r.drives[0];
    assert_eq!(d.serial.as_deref(), Some("50026B7784A1B2C3"));
    assert_eq!(d.duration_seconds, 54639);
    assert_eq!(d.bytes_erased, None);
}

#[test]
fn every_fixture_survives_every_cut() {
    // Any prefix of a real log either parses or is refused; never a panic.
    let data = fixture("v0.33-three-runs.txt");
    for end in (0..data.len()).step_by(97) {
        let _ = parse(&data[..end]);
    }
}

#[test]
fn an_unknown_method_is_kept_raw_and_flagged() {
    let text = String::from_utf8(fixture("v0.42-written-from-source.txt"))
        .unwrap()
        .replace("PRNG Stream", "Firmware Sanitize (NVMe)");
    let log = parse(text.as_bytes()).unwrap();
    let r = &log.runs[0];
    assert_eq!(r.method, None, "never guessed");
    assert_eq!(r.method_label.as_deref(), Some("Firmware Sanitize (NVMe)"));
    assert_eq!(log.warnings.len(), 1);
    assert!(log.warnings[0].message.contains("unknown method"));
    assert!(log.warnings[0].line > 1);
}

mod mutations {
    use super::*;
    use proptest::prelude::*;

    fn base() -> Vec<u8> {
        fixture("v0.41-written-from-source.txt")
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

        /// A real log with bytes overwritten, lines dropped or repeated:
        /// parsed or refused, never a panic, and a parsed one is consistent.
        #[test]
        fn mutated_logs_never_panic(
            flips in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..8),
            drop_line in any::<prop::sample::Index>(),
            dup_line in any::<prop::sample::Index>(),
            mode in 0u8..3,
        ) {
            let mut data = base();
            for (i, b) in &flips {
                let at = i.index(data.len());
                data[at] = *b;
            }
            let mut lines: Vec<&[u8]> = data.split(|&b| b == b'\n').collect();
            match mode {
                0 => { lines.remove(drop_line.index(lines.len())); }
                1 => { let l = lines[dup_line.index(lines.len())]; lines.insert(dup_line.index(lines.len()), l); }
                _ => {}
            }
            let joined = lines.join(&b'\n');
            fuzz_one(&joined);
        }
    }
}
