//! The supervisor's retry loop under tokio's paused clock: the backoff
//! schedule, reconnection within 2 s of a reader's return, status events on
//! changes only, isolation between readers, shutdown.

use futures::future::BoxFuture;
use scanstation::device::profile::Profiles;
use scanstation::device::spec::{parse_and_resolve, ResolvedSpec};
use scanstation::device::supervisor::{self, status_event, Session};
use scanstation::device::{DeviceEvent, ReaderError};
use scanstation::input::{ReaderErrors, ReaderState, Scan, Source};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

fn spec(s: &str) -> ResolvedSpec {
    parse_and_resolve(s, &Profiles::builtin()).expect("valid SPEC")
}

/// A reader that is away until `back`, then connects and stays up (or, with
/// `run_for`, stays up that long and fails again).
struct Flaky {
    start: Instant,
    back: Duration,
    run_for: Option<Duration>,
    attempts: Mutex<Vec<Duration>>,
}

impl Flaky {
    fn new(back: Duration) -> Flaky {
        Flaky {
            start: Instant::now(),
            back,
            run_for: None,
            attempts: Mutex::new(Vec::new()),
        }
    }
    fn attempts(&self) -> Vec<u128> {
        let a = self.attempts.lock().expect("lock");
        a.iter().map(Duration::as_millis).collect()
    }
}

impl Session for Flaky {
    fn run<'a>(
        &'a self,
        spec: &'a ResolvedSpec,
        tx: &'a mpsc::Sender<DeviceEvent>,
        errors: &'a mut ReaderErrors,
    ) -> BoxFuture<'a, Result<(), ReaderError>> {
        Box::pin(async move {
            let t = self.start.elapsed();
            self.attempts.lock().expect("lock").push(t);
            if t < self.back {
                errors.crc += 1;
                return Err(ReaderError::Closed("/dev/fake".into()));
            }
            let _ = tx
                .send(status_event(spec, ReaderState::Connected, "up", errors))
                .await;
            match self.run_for {
                Some(d) => {
                    tokio::time::sleep(d).await;
                    Err(ReaderError::Closed("/dev/fake".into()))
                }
                None => std::future::pending().await,
            }
        })
    }
}

fn states(events: &[DeviceEvent]) -> Vec<(ReaderState, String)> {
    events
        .iter()
        .filter_map(|e| match e {
            DeviceEvent::Status(s) => Some((s.state, s.detail.clone())),
            _ => None,
        })
        .collect()
}

/// Every wait in these tests is bounded in the paused clock's (virtual)
/// time: a supervisor that stops producing what a test waits for fails the
/// test at this deadline instead of hanging it. The runtime jumps idle time
/// forward, so this costs no wall-clock time and measures none.
const LIMIT: Duration = Duration::from_secs(3600);

async fn bounded<F: std::future::Future>(what: &str, f: F) -> F::Output {
    tokio::time::timeout(LIMIT, f)
        .await
        .unwrap_or_else(|_| panic!("waited for {what}: nothing within an hour of test time"))
}

async fn drain_until_connected(rx: &mut mpsc::Receiver<DeviceEvent>) -> Vec<DeviceEvent> {
    let mut got = Vec::new();
    while let Some(e) = bounded("an event", rx.recv()).await {
        let done = matches!(&e, DeviceEvent::Status(s) if s.state == ReaderState::Connected);
        got.push(e);
        if done {
            break;
        }
    }
    got
}

#[tokio::test(start_paused = true)]
async fn backoff_schedule_and_reconnect_within_two_seconds() {
    let flaky = Arc::new(Flaky::new(Duration::from_millis(4200)));
    let (tx, mut rx) = mpsc::channel(64);
    let token = CancellationToken::new();
    let s = spec("serial:/dev/fake?protocol=chafon");
    let f = flaky.clone();
    let t = token.clone();
    let task = tokio::spawn(async move { supervisor::supervise_with(&*f, s, tx, t).await });
    let events = drain_until_connected(&mut rx).await;
    // Attempts at 0, then after 100, 200, 400, 800, 1600, 2000 ms.
    assert_eq!(flaky.attempts(), [0, 100, 300, 700, 1500, 3100, 5100]);
    let st = states(&events);
    let names: Vec<&str> = st.iter().map(|(s, _)| s.as_str()).collect();
    // The same failure repeated while the reader is away is reported once.
    assert_eq!(names, ["connecting", "lost", "reconnecting", "connected"]);
    assert_eq!(st[0].1, "opening serial:/dev/fake");
    assert_eq!(st[1].1, "/dev/fake closed the connection");
    // The error counters the sessions kept travel with the status.
    match events.last() {
        Some(DeviceEvent::Status(s)) => assert_eq!(s.errors.crc, 6),
        other => panic!("{other:?}"),
    }
    token.cancel();
    bounded("the supervisor's end", task)
        .await
        .expect("supervisor ends on shutdown");
}

#[tokio::test(start_paused = true)]
async fn any_return_time_is_picked_up_within_the_cap() {
    for back_ms in [1u64, 99, 101, 250, 1499, 1501, 2900, 7777, 20_000] {
        let back = Duration::from_millis(back_ms);
        let flaky = Arc::new(Flaky::new(back));
        let (tx, mut rx) = mpsc::channel(64);
        let token = CancellationToken::new();
        let f = flaky.clone();
        let t = token.clone();
        let s = spec("tcp:192.0.2.5");
        let task = tokio::spawn(async move { supervisor::supervise_with(&*f, s, tx, t).await });
        drain_until_connected(&mut rx).await;
        let last = *flaky.attempts().last().expect("an attempt");
        assert!(
            last >= u128::from(back_ms),
            "connected before the reader was back"
        );
        assert!(
            last - u128::from(back_ms) <= supervisor::BACKOFF_CAP.as_millis(),
            "back at {back_ms} ms, reconnected at {last} ms"
        );
        token.cancel();
        bounded("the supervisor's end", task).await.expect("ends");
    }
}

#[tokio::test(start_paused = true)]
async fn backoff_resets_after_a_long_session() {
    let mut flaky = Flaky::new(Duration::from_millis(1000));
    flaky.run_for = Some(Duration::from_secs(10));
    let flaky = Arc::new(flaky);
    let (tx, mut rx) = mpsc::channel(64);
    let token = CancellationToken::new();
    let f = flaky.clone();
    let t = token.clone();
    let s = spec("serial:/dev/fake");
    let task = tokio::spawn(async move { supervisor::supervise_with(&*f, s, tx, t).await });
    drain_until_connected(&mut rx).await; // at 1500 ms, up until 11500
    let events = drain_until_connected(&mut rx).await;
    // After 10 s up, the first retry comes 100 ms later, not 2 s.
    assert_eq!(flaky.attempts(), [0, 100, 300, 700, 1500, 11_600]);
    let names: Vec<ReaderState> = states(&events).into_iter().map(|s| s.0).collect();
    assert_eq!(
        names,
        [
            ReaderState::Lost,
            ReaderState::Reconnecting,
            ReaderState::Connected
        ],
        "a new loss after a good session is reported again"
    );
    token.cancel();
    bounded("the supervisor's end", task).await.expect("ends");
}

/// A reader that scans once a second forever.
struct Steady;

impl Session for Steady {
    fn run<'a>(
        &'a self,
        spec: &'a ResolvedSpec,
        tx: &'a mpsc::Sender<DeviceEvent>,
        _errors: &'a mut ReaderErrors,
    ) -> BoxFuture<'a, Result<(), ReaderError>> {
        Box::pin(async move {
            loop {
                tokio::time::sleep(Duration::from_secs(1)).await;
                let scan = Scan::new(
                    Source::Reader(spec.display.clone()),
                    b"A1".to_vec(),
                    SystemTime::now(),
                );
                if tx.send(DeviceEvent::Scan(scan)).await.is_err() {
                    return Ok(());
                }
            }
        })
    }
}

/// Fails at once, every time.
struct Broken;

impl Session for Broken {
    fn run<'a>(
        &'a self,
        _spec: &'a ResolvedSpec,
        _tx: &'a mpsc::Sender<DeviceEvent>,
        _errors: &'a mut ReaderErrors,
    ) -> BoxFuture<'a, Result<(), ReaderError>> {
        Box::pin(async { Err(ReaderError::Protocol("garbage".into())) })
    }
}

#[tokio::test(start_paused = true)]
async fn one_failing_reader_does_not_stop_another() {
    let (tx, mut rx) = mpsc::channel(64);
    let token = CancellationToken::new();
    let good = spec("serial:/dev/good?protocol=lines");
    let bad = spec("serial:/dev/bad?protocol=lines");
    let (t1, t2) = (token.clone(), token.clone());
    let tx2 = tx.clone();
    let a = tokio::spawn(async move { supervisor::supervise_with(&Steady, good, tx, t1).await });
    let b = tokio::spawn(async move { supervisor::supervise_with(&Broken, bad, tx2, t2).await });
    let mut scans = 0;
    let mut bad_status = 0;
    while scans < 30 {
        match bounded("an event", rx.recv()).await.expect("events") {
            DeviceEvent::Scan(s) => {
                assert_eq!(
                    s.source,
                    Source::Reader("serial:/dev/good?protocol=lines".into())
                );
                scans += 1;
            }
            DeviceEvent::Status(s) if s.source.starts_with("serial:/dev/bad") => bad_status += 1,
            _ => {}
        }
    }
    // connecting, lost, reconnecting, then silence while it keeps failing.
    assert_eq!(bad_status, 3);
    token.cancel();
    bounded("the supervisor's end", a).await.expect("good ends");
    bounded("the supervisor's end", b).await.expect("bad ends");
}

#[tokio::test(start_paused = true)]
async fn supervise_ends_when_nobody_listens() {
    let (tx, rx) = mpsc::channel(4);
    drop(rx);
    let s = spec("serial:/dev/fake");
    bounded(
        "the supervisor's end",
        supervisor::supervise_with(&Broken, s, tx, CancellationToken::new()),
    )
    .await;
}

/// Delivers one scan without ever saying `connected`, then fails.
struct Quiet;

impl Session for Quiet {
    fn run<'a>(
        &'a self,
        spec: &'a ResolvedSpec,
        tx: &'a mpsc::Sender<DeviceEvent>,
        _errors: &'a mut ReaderErrors,
    ) -> BoxFuture<'a, Result<(), ReaderError>> {
        Box::pin(async move {
            tokio::time::sleep(Duration::from_millis(500)).await;
            let scan = Scan::new(
                Source::Reader(spec.display.clone()),
                b"X9".to_vec(),
                SystemTime::now(),
            );
            let _ = tx.send(DeviceEvent::Scan(scan)).await;
            Err(ReaderError::Closed("/dev/quiet".into()))
        })
    }
}

#[tokio::test(start_paused = true)]
async fn a_read_from_a_session_that_never_said_connected_is_preceded_by_connected() {
    let (tx, mut rx) = mpsc::channel(64);
    let token = CancellationToken::new();
    let t = token.clone();
    let s = spec("serial:/dev/quiet");
    let task = tokio::spawn(async move { supervisor::supervise_with(&Quiet, s, tx, t).await });
    let mut kinds = Vec::new();
    while kinds.len() < 9 {
        let e = bounded("an event", rx.recv()).await.expect("event");
        kinds.push(match e {
            DeviceEvent::Scan(_) => "scan".to_string(),
            DeviceEvent::Status(s) => s.state.as_str().to_string(),
            DeviceEvent::Rfid(_) => "rfid".to_string(),
        });
    }
    // Each short session connected, so each loss is reported again, though
    // worded the same.
    assert_eq!(
        kinds,
        [
            "connecting",
            "connected",
            "scan",
            "lost",
            "reconnecting",
            "connected",
            "scan",
            "lost",
            "reconnecting"
        ]
    );
    token.cancel();
    bounded("the supervisor's end", task).await.expect("ends");
}

/// Refused by the OS: the udev rules are missing.
struct Refused;

impl Session for Refused {
    fn run<'a>(
        &'a self,
        _spec: &'a ResolvedSpec,
        _tx: &'a mpsc::Sender<DeviceEvent>,
        _errors: &'a mut ReaderErrors,
    ) -> BoxFuture<'a, Result<(), ReaderError>> {
        Box::pin(async {
            Err(ReaderError::Open {
                what: "usb 0c2e:0b8f".into(),
                source: std::io::Error::new(std::io::ErrorKind::PermissionDenied, "Access denied"),
            })
        })
    }
}

#[tokio::test(start_paused = true)]
async fn access_refused_is_an_error_state_and_still_retried() {
    let (tx, mut rx) = mpsc::channel(64);
    let token = CancellationToken::new();
    let t = token.clone();
    let s = spec("usb:0c2e:0b8f");
    let task = tokio::spawn(async move { supervisor::supervise_with(&Refused, s, tx, t).await });
    let mut got = Vec::new();
    for _ in 0..3 {
        match bounded("an event", rx.recv()).await.expect("event") {
            DeviceEvent::Status(s) => got.push((s.state, s.detail)),
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(got[1].0, ReaderState::Error);
    assert!(got[1].1.contains("Access denied"), "{}", got[1].1);
    assert_eq!(got[2].0, ReaderState::Reconnecting);
    token.cancel();
    bounded("the supervisor's end", task).await.expect("ends");
}

/// The bound itself: waiting for a reader that never connects fails the test
/// (issue 9, item 16: such a test used to hang forever).
#[tokio::test(start_paused = true)]
#[should_panic(expected = "nothing within an hour of test time")]
async fn a_wait_that_is_never_met_fails_instead_of_hanging() {
    let (tx, mut rx) = mpsc::channel(64);
    let token = CancellationToken::new();
    let s = spec("serial:/dev/bad?protocol=lines");
    let _task =
        tokio::spawn(async move { supervisor::supervise_with(&Broken, s, tx, token).await });
    drain_until_connected(&mut rx).await;
}
