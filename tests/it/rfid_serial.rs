//! Serial reader sessions against the simulators, for real over pseudo-terminals.

use scanstation::codec::rfid::{chafon, mercury, tsl};
use scanstation::device::sim::{self, sim_tag, SimOptions, SimProtocol, SimTag};
use scanstation::device::spec::{Protocol, ResolvedSpec, Transport};
use scanstation::device::{serial, supervisor, DeviceEvent, ReaderError};
use scanstation::input::{ReaderErrors, ReaderState, ReaderStatus, RfidRead, Scan};
use std::collections::BTreeMap;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// Generous: the machine may be busy; nothing here measures time.
const WAIT: Duration = Duration::from_secs(60);

pub fn spec(path: &str, protocol: Protocol) -> ResolvedSpec {
    ResolvedSpec {
        display: format!("serial:{path}?protocol={}", protocol.as_str()),
        transport: Transport::Serial(path.to_string()),
        protocol,
        profile: None,
        baud: 57600,
        dedupe_ms: 1000,
        rssi_min: None,
        per_antenna: false,
        power_dbm: None,
        session: None,
        keepalive_ms: None,
    }
}

type Session = JoinHandle<(Result<(), ReaderError>, ReaderErrors)>;

fn start(spec: ResolvedSpec) -> (Session, mpsc::Receiver<DeviceEvent>) {
    let (tx, rx) = mpsc::channel(1024);
    let h = tokio::spawn(async move {
        let mut errors = ReaderErrors::default();
        let r = serial::run_session(&spec, &tx, &mut errors).await;
        (r, errors)
    });
    (h, rx)
}

#[derive(Default)]
struct Seen {
    reads: Vec<RfidRead>,
    scans: Vec<Scan>,
    statuses: Vec<ReaderStatus>,
}

/// Collects events until `done` says so (or panics after [`WAIT`]).
async fn collect(
    rx: &mut mpsc::Receiver<DeviceEvent>,
    seen: &mut Seen,
    done: impl Fn(&Seen) -> bool,
) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while !done(seen) {
        let ev = tokio::time::timeout_at(deadline, rx.recv())
            .await
            .unwrap_or_else(|_| {
                panic!(
                    "timed out; reads {:?} scans {:?} statuses {:?}",
                    seen.reads.len(),
                    seen.scans.len(),
                    seen.statuses.last()
                )
            })
            .expect("session ended");
        match ev {
            DeviceEvent::Rfid(r) => seen.reads.push(r),
            DeviceEvent::Scan(s) => seen.scans.push(s),
            DeviceEvent::Status(s) => seen.statuses.push(s),
        }
    }
}

fn by_epc(reads: &[RfidRead]) -> BTreeMap<Vec<u8>, &RfidRead> {
    reads.iter().map(|r| (r.epc.clone(), r)).collect()
}

fn tags(n: u32) -> Vec<SimTag> {
    (0..n).map(sim_tag).collect()
}

fn errors_of(seen: &Seen) -> ReaderErrors {
    seen.statuses.last().map(|s| s.errors).unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chafon_answer_mode_reads_every_tag() {
    let s = sim::spawn(
        SimProtocol::Chafon,
        SimOptions {
            tags: 6,
            rate: 30.0,
            ..SimOptions::default()
        },
    )
    .unwrap();
    let (h, mut rx) = start(spec(&s.path().display().to_string(), Protocol::Chafon));
    let mut seen = Seen::default();
    collect(&mut rx, &mut seen, |s| by_epc(&s.reads).len() >= 6).await;
    let first = &seen.statuses[0];
    assert_eq!(first.state, ReaderState::Connected);
    let got = by_epc(&seen.reads);
    let want: Vec<Vec<u8>> = tags(6).into_iter().map(|t| t.epc).collect();
    assert_eq!(got.keys().cloned().collect::<Vec<_>>(), {
        let mut w = want.clone();
        w.sort();
        w
    });
    for r in &seen.reads {
        assert_eq!((r.antenna, r.rssi), (None, None));
        assert!(r.count >= 1);
        assert!(r.source.ends_with("protocol=chafon"));
    }
    // One report per tag per window: nowhere near one per poll.
    assert!(seen.reads.len() < 30, "{} reports", seen.reads.len());
    s.unplug().await;
    let (r, _) = tokio::time::timeout(WAIT, h).await.unwrap().unwrap();
    assert!(r.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn chafon_active_frames_with_garbage_crc_errors_and_truncation() {
    let s = sim::spawn(
        SimProtocol::Chafon,
        SimOptions {
            tags: 1,
            rate: 0.0,
            active: true,
            ..SimOptions::default()
        },
    )
    .unwrap();
    let (h, mut rx) = start(spec(&s.path().display().to_string(), Protocol::Chafon));
    let t = tags(5);
    let frame = |i: usize| sim::unsolicited(SimProtocol::Chafon, &t[i..i + 1]);
    let mut bytes = vec![0x00, 0x01, 0x02];
    bytes.extend(frame(0));
    let mut bad = frame(1);
    bad[6] ^= 0x10;
    bytes.extend(bad);
    bytes.extend(frame(2));
    bytes.extend(&frame(3)[..9]);
    bytes.extend(frame(4));
    s.inject(bytes);
    let mut seen = Seen::default();
    let want = ReaderErrors {
        crc: 1,
        garbage_bytes: 3,
        truncated: 1,
        overlong: 0,
    };
    collect(&mut rx, &mut seen, |s| {
        s.reads.len() >= 3 && errors_of(s) == want
    })
    .await;
    let got: Vec<Vec<u8>> = seen.reads.iter().map(|r| r.epc.clone()).collect();
    assert_eq!(
        got,
        vec![t[0].epc.clone(), t[2].epc.clone(), t[4].epc.clone()]
    );
    assert_eq!(errors_of(&seen), want);
    // A corrupted frame is never a read.
    assert!(!got.contains(&t[1].epc) && !got.contains(&t[3].epc));
    s.unplug().await;
    let (r, errors) = tokio::time::timeout(WAIT, h).await.unwrap().unwrap();
    assert!(r.is_err());
    assert_eq!(errors, want);
    let _ = chafon::STATUS_DONE;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tsl_trigger_inventories_with_rssi_and_er_codes() {
    let s = sim::spawn(
        SimProtocol::Tsl,
        SimOptions {
            tags: 4,
            rate: 4.0,
            ..SimOptions::default()
        },
    )
    .unwrap();
    let (h, mut rx) = start(spec(&s.path().display().to_string(), Protocol::Tsl));
    let mut seen = Seen::default();
    collect(&mut rx, &mut seen, |s| by_epc(&s.reads).len() >= 4).await;
    for (i, t) in tags(4).iter().enumerate() {
        let r = by_epc(&seen.reads)[&t.epc];
        assert_eq!(r.rssi, Some(t.rssi as f32), "tag {i}");
        assert_eq!(r.antenna, None);
    }
    s.inject(tsl::encode_error(".iv", 8));
    s.inject(b"EP: NOTHEX\r\nOK:\r\n\r\n".to_vec());
    collect(&mut rx, &mut seen, |s| {
        s.statuses.iter().any(|st| st.detail.contains("ER: 008"))
    })
    .await;
    let n = seen.reads.len();
    assert!(
        seen.reads
            .iter()
            .all(|r| tags(4).iter().any(|t| t.epc == r.epc)),
        "{n} reads, only known tags"
    );
    s.unplug().await;
    let (r, _) = tokio::time::timeout(WAIT, h).await.unwrap().unwrap();
    assert!(r.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mercury_continuous_read_with_antenna_rssi_and_noise() {
    let s = sim::spawn(
        SimProtocol::Mercury,
        SimOptions {
            tags: 4,
            rate: 40.0,
            ..SimOptions::default()
        },
    )
    .unwrap();
    let (h, mut rx) = start(spec(&s.path().display().to_string(), Protocol::Mercury));
    let mut seen = Seen::default();
    collect(&mut rx, &mut seen, |s| by_epc(&s.reads).len() >= 4).await;
    for t in tags(4) {
        let r = by_epc(&seen.reads)[&t.epc];
        assert_eq!(r.antenna, Some(t.antenna));
        assert_eq!(r.rssi, Some(t.rssi as f32));
    }
    // A corrupted record right after a good one (the simulator writes whole
    // frames), then noise and a frame in the wrong direction.
    let mut noisy = sim::unsolicited(
        SimProtocol::Mercury,
        &[SimTag {
            epc: vec![0xAB; 12],
            antenna: 1,
            rssi: -50,
        }],
    );
    noisy[15] ^= 0xFF;
    noisy.extend([0x13, 0x37, 0x00]);
    noisy.extend(mercury::stop_continuous_read()); // a command's frame from a module: wrong length, garbage
    s.inject(noisy);
    collect(&mut rx, &mut seen, |s| {
        errors_of(s).crc >= 1 && errors_of(s).garbage_bytes >= 3
    })
    .await;
    assert!(seen.reads.iter().all(|r| r.epc != vec![0xAB; 12]));
    s.unplug().await;
    let (r, _) = tokio::time::timeout(WAIT, h).await.unwrap().unwrap();
    assert!(r.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scanner_lines_and_an_unterminated_10k_line() {
    let s = sim::spawn(
        SimProtocol::Lines,
        SimOptions {
            tags: 3,
            rate: 0.0,
            ..SimOptions::default()
        },
    )
    .unwrap();
    let (h, mut rx) = start(spec(&s.path().display().to_string(), Protocol::Lines));
    let mut seen = Seen::default();
    collect(&mut rx, &mut seen, |s| !s.statuses.is_empty()).await;
    let mut bytes = Vec::new();
    for i in 0..3 {
        bytes.extend(sim::scan_line(i));
        bytes.extend(b"\r\n");
    }
    s.inject(bytes);
    s.inject(vec![b'X'; 10 * 1024]);
    s.inject(b"\r\n\x00\x01\x02\x03noise\r\nAFTER\r\n".to_vec());
    collect(&mut rx, &mut seen, |s| {
        s.scans.len() >= 4 && errors_of(s).overlong == 1 && errors_of(s).garbage_bytes == 9
    })
    .await;
    let raws: Vec<Vec<u8>> = seen.scans.iter().map(|s| s.raw.clone()).collect();
    assert_eq!(
        raws,
        vec![
            sim::scan_line(0),
            sim::scan_line(1),
            sim::scan_line(2),
            b"AFTER".to_vec()
        ]
    );
    assert!(raws[0].contains(&0x1D), "GS survives");
    s.unplug().await;
    let (r, _) = tokio::time::timeout(WAIT, h).await.unwrap().unwrap();
    assert!(r.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unplug_then_replug_behind_the_same_symlink() {
    let dir = tempfile::tempdir().unwrap();
    let link = dir.path().join("rfid-0");
    let opts = SimOptions {
        tags: 2,
        rate: 20.0,
        active: true,
        link: Some(link.clone()),
        ..SimOptions::default()
    };
    let s = sim::spawn(SimProtocol::Chafon, opts.clone()).unwrap();
    let sp = spec(&link.display().to_string(), Protocol::Chafon);
    let (h, mut rx) = start(sp.clone());
    let mut seen = Seen::default();
    collect(&mut rx, &mut seen, |s| !s.reads.is_empty()).await;
    s.unplug().await;
    let (r, _) = tokio::time::timeout(WAIT, h).await.unwrap().unwrap();
    assert!(r.is_err(), "unplugged: the session must fail, got {r:?}");
    assert!(
        std::fs::symlink_metadata(&link).is_err(),
        "udev removes the link"
    );
    // Nothing there: opening fails.
    let (h, _rx) = start(sp.clone());
    let (r, _) = tokio::time::timeout(WAIT, h).await.unwrap().unwrap();
    assert!(matches!(r, Err(ReaderError::Open { .. })), "{r:?}");
    // Replug: a new pty behind the same path.
    let s2 = sim::spawn(SimProtocol::Chafon, opts).unwrap();
    let (h, mut rx) = start(sp);
    let mut seen = Seen::default();
    collect(&mut rx, &mut seen, |s| by_epc(&s.reads).len() >= 2).await;
    assert_eq!(seen.statuses[0].state, ReaderState::Connected);
    s2.unplug().await;
    let (r, _) = tokio::time::timeout(WAIT, h).await.unwrap().unwrap();
    assert!(r.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn session_ends_quietly_when_the_station_stops_listening() {
    let s = mercury_sim();
    let (h, mut rx) = start(spec(&s.path().display().to_string(), Protocol::Mercury));
    let mut seen = Seen::default();
    collect(&mut rx, &mut seen, |s| !s.reads.is_empty()).await;
    drop(rx);
    let (r, _) = tokio::time::timeout(WAIT, h).await.unwrap().unwrap();
    assert!(r.is_ok(), "{r:?}");
    // The module was left idle: the start, then the stop.
    wait_for_command(&s, &STOP).await;
    assert_eq!(s.received().first(), Some(&start_command()));
    s.unplug().await;
}

/// A Mercury module streaming three tags.
fn mercury_sim() -> sim::SimHandle {
    let opts = SimOptions {
        tags: 3,
        rate: 50.0,
        ..SimOptions::default()
    };
    sim::spawn(SimProtocol::Mercury, opts).unwrap()
}

/// The Mercury stop as the simulator records it: opcode, then data.
const STOP: [u8; 4] = [mercury::OP_MULTI_PROTOCOL, 0x00, 0x00, 0x02];

fn start_command() -> Vec<u8> {
    [
        &[mercury::OP_MULTI_PROTOCOL][..],
        &mercury::START_CONTINUOUS,
    ]
    .concat()
}

/// Waits (up to [`WAIT`]) until the simulator has received `cmd`.
async fn wait_for_command(s: &sim::SimHandle, cmd: &[u8]) {
    let deadline = tokio::time::Instant::now() + WAIT;
    while !s.received().iter().any(|c| c == cmd) {
        assert!(
            tokio::time::Instant::now() < deadline,
            "never received {cmd:02X?}; got {:02X?}",
            s.received()
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mercury_module_is_stopped_when_the_supervisor_shuts_down() {
    let s = mercury_sim();
    let sp = spec(&s.path().display().to_string(), Protocol::Mercury);
    let (tx, mut rx) = mpsc::channel(1024);
    let shutdown = CancellationToken::new();
    let token = shutdown.clone();
    let h = tokio::spawn(supervisor::supervise(sp, tx, token));
    let mut seen = Seen::default();
    collect(&mut rx, &mut seen, |s| !s.reads.is_empty()).await;
    assert!(
        !s.received().iter().any(|c| c == &STOP),
        "stopped too early"
    );
    // Shutdown drops the running session: it cannot wait, yet the stop goes out.
    shutdown.cancel();
    tokio::time::timeout(WAIT, h).await.unwrap().unwrap();
    wait_for_command(&s, &STOP).await;
    let got = s.received();
    assert_eq!(got.first(), Some(&start_command()));
    assert_eq!(
        got.iter().filter(|c| *c == &STOP[..]).count(),
        1,
        "{got:02X?}"
    );
    s.unplug().await;
}

#[tokio::test(start_paused = true)]
async fn dedupe_window_through_a_session_under_a_paused_clock() {
    let (mut reader, station) = tokio::io::duplex(1 << 16);
    let sp = spec("/dev/null", Protocol::Chafon);
    let (tx, mut rx) = mpsc::channel(64);
    let h = tokio::spawn(async move {
        let mut e = ReaderErrors::default();
        serial::run_on(&sp, station, &tx, &mut e).await
    });
    let t0 = tokio::time::Instant::now();
    let frame = sim::unsolicited(SimProtocol::Chafon, &[sim_tag(0)]);
    use tokio::io::AsyncWriteExt as _;
    for ms in [0, 300, 600, 999, 1000, 1500] {
        tokio::time::sleep_until(t0 + Duration::from_millis(ms)).await;
        reader.write_all(&frame).await.unwrap();
    }
    tokio::time::sleep(Duration::from_millis(100)).await;
    drop(reader);
    let r = h.await.unwrap();
    assert!(matches!(r, Err(ReaderError::Closed(_))), "{r:?}");
    let mut counts = Vec::new();
    while let Ok(ev) = rx.try_recv() {
        if let DeviceEvent::Rfid(r) = ev {
            assert_eq!(r.epc, sim_tag(0).epc);
            counts.push(r.count);
        }
    }
    // Reported at 0 and at 1000 (the window is not extended by the reads at
    // 300, 600 and 999, which are merged into the second report); 1500 is suppressed.
    assert_eq!(counts, vec![1, 4]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simulate_command_prints_a_spec_first_and_serves_it() {
    use std::io::BufRead as _;
    let sb = crate::support::Sandbox::new();
    let link = sb.path().join("reader");
    let mut child = sb
        .cmd()
        .args([
            "simulate", "mercury", "--tags", "3", "--rate", "30", "--link",
        ])
        .arg(&link)
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let first = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        std::io::BufReader::new(stdout)
            .read_line(&mut line)
            .map(|_| line)
    })
    .await
    .unwrap()
    .unwrap();
    let first = first.trim_end();
    let path = first
        .strip_prefix("serial:")
        .and_then(|r| r.strip_suffix("?protocol=mercury"))
        .unwrap_or_else(|| panic!("first line {first:?}"));
    assert!(path.starts_with("/dev/pts/"), "{path}");
    assert_eq!(
        std::fs::read_link(&link).unwrap(),
        std::path::Path::new(path)
    );
    let (h, mut rx) = start(spec(&link.display().to_string(), Protocol::Mercury));
    let mut seen = Seen::default();
    collect(&mut rx, &mut seen, |s| by_epc(&s.reads).len() >= 3).await;
    let _ = nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(child.id() as i32),
        nix::sys::signal::Signal::SIGTERM,
    );
    let status = tokio::task::spawn_blocking(move || child.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(status.success(), "{status:?}");
    let (r, _) = tokio::time::timeout(WAIT, h).await.unwrap().unwrap();
    assert!(r.is_err(), "the pty closed with the simulator");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simulator_reports_an_explicit_list_of_epcs() {
    let epcs = vec![
        sim::giai96(4711).unwrap(),
        sim::sgtin96(6).unwrap(),
        sim::giai96(4712).unwrap(),
    ];
    let opts = SimOptions {
        epcs: epcs.clone(),
        tags: 50, // ignored when EPCs are given
        rate: 30.0,
        active: true,
        ..SimOptions::default()
    };
    let field = opts.field_tags();
    assert_eq!(
        field.iter().map(|t| t.epc.clone()).collect::<Vec<_>>(),
        epcs.iter().map(|e| e.to_vec()).collect::<Vec<_>>()
    );
    assert_eq!(field[1].antenna, sim_tag(1).antenna);
    let s = sim::spawn(SimProtocol::Chafon, opts).unwrap();
    let (h, mut rx) = start(spec(&s.path().display().to_string(), Protocol::Chafon));
    let mut seen = Seen::default();
    // Three reports, then a while longer: only those three EPCs, ever.
    collect(&mut rx, &mut seen, |s| s.reads.len() >= 3).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    while let Ok(ev) = rx.try_recv() {
        if let DeviceEvent::Rfid(r) = ev {
            seen.reads.push(r);
        }
    }
    let got: Vec<Vec<u8>> = by_epc(&seen.reads).into_keys().collect();
    let mut want: Vec<Vec<u8>> = epcs.iter().map(|e| e.to_vec()).collect();
    want.sort();
    assert_eq!(got, want);
    s.unplug().await;
    let (r, _) = tokio::time::timeout(WAIT, h).await.unwrap().unwrap();
    assert!(r.is_err());
}
