//! The USB reader's decoding path without hardware: the recorded report
//! sequences in fixtures/hid/ go through `ReplayTransport` → `run_session_with`
//! → `codec::hid` → `DeviceEvent::Scan`, exactly as reports read from a
//! claimed scanner would; and the interface is released however the session ends.

use scanstation::device::profile::Profiles;
use scanstation::device::spec::{parse_and_resolve, ResolvedSpec};
use scanstation::device::usb::{run_session_with, InterfaceInfo, ReplayTransport, UsbTransport};
use scanstation::device::{DeviceEvent, ReaderError};
use scanstation::input::{ReaderErrors, ReaderState, Source};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;

struct Capture {
    name: String,
    spec: ResolvedSpec,
    info: InterfaceInfo,
    reports: Vec<Vec<u8>>,
    expect: Vec<Vec<u8>>,
}

fn unescape(text: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let mut rest = text.as_bytes();
    while let Some((&b, tail)) = rest.split_first() {
        if b == b'\\' && tail.first() == Some(&b'x') && tail.len() >= 3 {
            let hex = std::str::from_utf8(&tail[1..3]).expect("ascii");
            out.push(u8::from_str_radix(hex, 16).expect("\\xNN"));
            rest = &tail[3..];
        } else {
            out.push(b);
            rest = tail;
        }
    }
    out
}

fn captures() -> Vec<Capture> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/hid");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("fixtures/hid")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "hex"))
        .collect();
    paths.sort();
    let profiles = Profiles::builtin();
    paths
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).expect("readable");
            let header = |key: &str| -> Vec<String> {
                text.lines()
                    .filter_map(|l| l.strip_prefix(&format!("# {key}: ")))
                    .map(String::from)
                    .collect()
            };
            let mode = header("mode").pop().expect("# mode:");
            let descriptor = header("descriptor")
                .pop()
                .map(|d| hex::decode(d.replace(' ', "")).expect("descriptor hex"))
                .unwrap_or_default();
            let protocol = if mode == "keyboard" {
                "hid-keyboard"
            } else {
                "hid-pos"
            };
            let spec = parse_and_resolve(&format!("usb:1-1.4?protocol={protocol}"), &profiles)
                .expect("spec");
            let reports = ReplayTransport::parse_hex(&text).expect("reports");
            // The endpoint's max packet size is the size of its reports.
            let max_packet = reports.iter().map(Vec::len).max().unwrap_or(8);
            Capture {
                name: path
                    .file_name()
                    .expect("name")
                    .to_string_lossy()
                    .into_owned(),
                spec,
                info: InterfaceInfo {
                    name: "replay".into(),
                    report_descriptor: descriptor,
                    max_packet,
                    boot_keyboard: mode == "keyboard",
                },
                reports,
                expect: header("expect").iter().map(|e| unescape(e)).collect(),
            }
        })
        .collect()
}

#[tokio::test]
async fn every_recorded_capture_decodes_to_its_scans() {
    let all = captures();
    assert!(all.len() >= 5, "{} captures", all.len());
    for c in all {
        let (tx, mut rx) = mpsc::channel(256);
        let transport = ReplayTransport::new(c.info.clone(), c.reports.clone());
        let released = transport.released_flag();
        let mut errors = ReaderErrors::default();
        let result = run_session_with(&c.spec, &tx, &mut errors, transport).await;
        // A replay ends the way an unplugged scanner does.
        assert!(
            matches!(result, Err(ReaderError::Closed(_))),
            "{}: {result:?}",
            c.name
        );
        assert!(released.load(Ordering::Relaxed), "{}: released", c.name);
        assert_eq!(errors, ReaderErrors::default(), "{}", c.name);
        drop(tx);
        let mut events = Vec::new();
        while let Some(e) = rx.recv().await {
            events.push(e);
        }
        match events.first() {
            Some(DeviceEvent::Status(s)) => {
                assert_eq!(s.state, ReaderState::Connected, "{}", c.name);
                assert_eq!(s.source, c.spec.display);
            }
            other => panic!("{}: first event {other:?}", c.name),
        }
        let scans: Vec<Vec<u8>> = events[1..]
            .iter()
            .map(|e| match e {
                DeviceEvent::Scan(s) => {
                    assert_eq!(s.source, Source::Reader(c.spec.display.clone()));
                    assert!(!s.truncated);
                    s.raw.clone()
                }
                other => panic!("{}: {other:?}", c.name),
            })
            .collect();
        assert_eq!(scans, c.expect, "{}", c.name);
    }
}

#[tokio::test]
async fn noise_is_counted_and_never_becomes_a_scan() {
    let spec = parse_and_resolve("usb:0c2e:0b8f", &Profiles::builtin()).expect("spec");
    let noise: Vec<Vec<u8>> = (0u8..40)
        .map(|i| (0..(i % 70)).map(|j| i.wrapping_mul(31) ^ j).collect())
        .collect();
    let total: u64 = noise.iter().map(|r| r.len() as u64).sum();
    let transport = ReplayTransport::new(
        InterfaceInfo {
            name: "noise".into(),
            max_packet: 64,
            ..InterfaceInfo::default()
        },
        noise,
    );
    let (tx, mut rx) = mpsc::channel(256);
    let mut errors = ReaderErrors::default();
    let _ = run_session_with(&spec, &tx, &mut errors, transport).await;
    drop(tx);
    while let Some(e) = rx.recv().await {
        assert!(matches!(e, DeviceEvent::Status(_)), "{e:?}");
    }
    assert!(
        errors.garbage_bytes > 0 && errors.garbage_bytes <= total,
        "{errors:?}"
    );
}

/// A scanner that is plugged in and silent; records release and drop.
struct Idle {
    released: Arc<AtomicBool>,
    panic_on_read: bool,
}

impl UsbTransport for Idle {
    fn open(&mut self) -> Result<InterfaceInfo, ReaderError> {
        Ok(InterfaceInfo {
            name: "idle".into(),
            max_packet: 8,
            ..InterfaceInfo::default()
        })
    }
    fn read_interrupt(
        &mut self,
        _buf: &mut [u8],
        timeout: Duration,
    ) -> Result<Option<usize>, ReaderError> {
        assert!(!self.panic_on_read, "a bug in a transport");
        std::thread::sleep(timeout.min(Duration::from_millis(20)));
        Ok(None)
    }
    fn release(&mut self) {
        self.released.store(true, Ordering::Relaxed);
    }
}

impl Drop for Idle {
    fn drop(&mut self) {
        // As RusbTransport's guard does: give the device back on unwinding too.
        self.released.store(true, Ordering::Relaxed);
    }
}

#[tokio::test]
async fn dropping_the_session_releases_the_interface() {
    let spec = parse_and_resolve("usb:05e0:1200", &Profiles::builtin()).expect("spec");
    let released = Arc::new(AtomicBool::new(false));
    let transport = Idle {
        released: released.clone(),
        panic_on_read: false,
    };
    let (tx, mut rx) = mpsc::channel(16);
    let task = tokio::spawn(async move {
        let mut errors = ReaderErrors::default();
        run_session_with(&spec, &tx, &mut errors, transport).await
    });
    match rx.recv().await {
        Some(DeviceEvent::Status(s)) => assert_eq!(s.state, ReaderState::Connected),
        other => panic!("{other:?}"),
    }
    assert!(!released.load(Ordering::Relaxed));
    task.abort(); // what shutdown does to a supervisor's session
    let _ = task.await;
    for _ in 0..600 {
        if released.load(Ordering::Relaxed) {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the interface was not released after the session was dropped");
}

#[tokio::test]
async fn a_panicking_transport_is_an_error_and_is_released() {
    let spec = parse_and_resolve("usb:05e0:1200", &Profiles::builtin()).expect("spec");
    let released = Arc::new(AtomicBool::new(false));
    let transport = Idle {
        released: released.clone(),
        panic_on_read: true,
    };
    let (tx, _rx) = mpsc::channel(16);
    let mut errors = ReaderErrors::default();
    let result = run_session_with(&spec, &tx, &mut errors, transport).await;
    match result {
        Err(ReaderError::Usb(m)) => assert!(m.contains("thread failed"), "{m}"),
        other => panic!("{other:?}"),
    }
    assert!(released.load(Ordering::Relaxed));
}

/// With a real scanner: `SCANSTATION_TEST_USB=usb:VID:PID cargo test --features
/// hardware-tests --test it usb_replay::hardware -- --nocapture`, then scan any
/// code within a minute. Checks claim, one decoded scan, and release (the
/// scanner types into the terminal again afterwards: see HARDWARE.md).
#[cfg(feature = "hardware-tests")]
#[tokio::test(flavor = "multi_thread")]
async fn hardware_claim_scan_release() {
    let Ok(text) = std::env::var("SCANSTATION_TEST_USB") else {
        eprintln!("SCANSTATION_TEST_USB is not set: skipped");
        return;
    };
    let spec = parse_and_resolve(&text, &Profiles::load().expect("profiles")).expect("SPEC");
    let (tx, mut rx) = mpsc::channel(16);
    let s2 = spec.clone();
    let task = tokio::spawn(async move {
        let mut errors = ReaderErrors::default();
        scanstation::device::usb::run_session(&s2, &tx, &mut errors).await
    });
    let first = tokio::time::timeout(Duration::from_secs(10), rx.recv())
        .await
        .expect("claimed within 10 s");
    match first {
        Some(DeviceEvent::Status(s)) => assert_eq!(s.state, ReaderState::Connected, "{}", s.detail),
        other => panic!("{other:?}"),
    }
    eprintln!("claimed {}: scan a code now", spec.display);
    let scan = tokio::time::timeout(Duration::from_secs(60), rx.recv())
        .await
        .expect("a scan within 60 s");
    match scan {
        Some(DeviceEvent::Scan(s)) => eprintln!("scanned: {:?}", String::from_utf8_lossy(&s.raw)),
        other => panic!("{other:?}"),
    }
    task.abort();
    let _ = task.await;
    // The blocking read notices the stop flag within READ_TIMEOUT and releases.
    tokio::time::sleep(Duration::from_secs(1)).await;
    eprintln!("released: the scanner should type into the terminal again");
}
