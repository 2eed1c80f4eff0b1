//! LLRP sessions against TCP readers on 127.0.0.1: the simulator, and a
//! scripted reader that checks every message the station sends.

use futures::future::BoxFuture;
use scanstation::codec::rfid::llrp;
use scanstation::device::llrp::{LlrpOptions, DEFAULT_KEEPALIVE, LOST_AFTER_PERIODS};
use scanstation::device::sim::{self, sim_tag, SimOptions};
use scanstation::device::spec::{Protocol, ResolvedSpec, Transport};
use scanstation::device::supervisor::Session;
use scanstation::device::supervisor::{self, BACKOFF_CAP};
use scanstation::device::{llrp as llrp_session, DeviceEvent, ReaderError};
use scanstation::input::{ReaderErrors, ReaderState, ReaderStatus};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, DuplexStream};
use tokio::net::TcpListener;
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

const WAIT: Duration = Duration::from_secs(60);

fn spec(addr: std::net::SocketAddr) -> ResolvedSpec {
    ResolvedSpec {
        display: format!("tcp:{addr}?protocol=llrp"),
        transport: Transport::Tcp {
            host: addr.ip().to_string(),
            port: addr.port(),
        },
        protocol: Protocol::Llrp,
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

/// One real session against the reader at `addr`: the session, and its events.
fn start(
    addr: std::net::SocketAddr,
) -> (
    tokio::task::JoinHandle<Result<(), ReaderError>>,
    mpsc::Receiver<DeviceEvent>,
) {
    let sp = spec(addr);
    let (tx, rx) = mpsc::channel(256);
    let h = tokio::spawn(async move {
        let mut e = ReaderErrors::default();
        llrp_session::run_session(&sp, &tx, &mut e).await
    });
    (h, rx)
}

async fn read_message<S: AsyncRead + Unpin>(s: &mut S, f: &mut llrp::Framer) -> llrp::Message {
    let mut buf = [0u8; 4096];
    loop {
        if let Some(m) = f.next_message().unwrap() {
            return m;
        }
        let n = tokio::time::timeout(WAIT, s.read(&mut buf))
            .await
            .unwrap()
            .unwrap();
        assert!(n > 0, "station hung up");
        f.push(&buf[..n]);
    }
}

/// Answers the station's message `m` with a `kind` response carrying an LLRPStatus.
async fn answer<S: AsyncWrite + Unpin>(
    s: &mut S,
    m: &llrp::Message,
    kind: u16,
    code: u16,
    description: &str,
) {
    s.write_all(&llrp::status_message(kind, m.id, code, description))
        .await
        .unwrap();
}

/// Plays the reader's side of the set-up, answering the SET_READER_CONFIG
/// with `config_status`; returns the keepalive period the station asked for.
async fn set_up<S: AsyncRead + AsyncWrite + Unpin>(
    s: &mut S,
    f: &mut llrp::Framer,
    config_status: u16,
) -> Option<u32> {
    s.write_all(&llrp::reader_event_connection(1, 0, 0))
        .await
        .unwrap();
    let m = read_message(s, f).await;
    assert_eq!(m.kind, llrp::SET_READER_CONFIG);
    let asked = llrp::keepalive_spec(&m.body).expect("a KeepaliveSpec");
    let why = if config_status == 0 {
        ""
    } else {
        "no keepalives here"
    };
    answer(s, &m, llrp::SET_READER_CONFIG_RESPONSE, config_status, why).await;
    for (kind, reply) in [
        (llrp::DELETE_ROSPEC, llrp::DELETE_ROSPEC_RESPONSE),
        (llrp::ADD_ROSPEC, llrp::ADD_ROSPEC_RESPONSE),
        (llrp::ENABLE_ROSPEC, llrp::ENABLE_ROSPEC_RESPONSE),
    ] {
        let m = read_message(s, f).await;
        assert_eq!(m.kind, kind);
        answer(s, &m, reply, 0, "").await;
    }
    asked
}

/// The next status event, skipping reads.
async fn next_status(rx: &mut mpsc::Receiver<DeviceEvent>) -> ReaderStatus {
    loop {
        let ev = tokio::time::timeout(WAIT, rx.recv())
            .await
            .unwrap()
            .unwrap();
        if let DeviceEvent::Status(s) = ev {
            return s;
        }
    }
}

/// LLRP sessions whose "TCP connections" are in-memory pipes handed to the
/// test, one per connection the supervisor makes. The timing tests run under
/// tokio's paused clock, which moves on whenever the runtime is idle: a real
/// socket's bytes can still be in the kernel at that moment and the clock
/// would race past them, where a pipe wakes its reader at once.
struct PipeReader {
    conns: mpsc::UnboundedSender<DuplexStream>,
    opts: LlrpOptions,
}

impl Session for PipeReader {
    fn run<'a>(
        &'a self,
        spec: &'a ResolvedSpec,
        tx: &'a mpsc::Sender<DeviceEvent>,
        errors: &'a mut ReaderErrors,
    ) -> BoxFuture<'a, Result<(), ReaderError>> {
        let (reader, station) = tokio::io::duplex(1 << 16);
        let _ = self.conns.send(reader);
        Box::pin(llrp_session::run_on_with(
            spec, self.opts, station, tx, errors,
        ))
    }
}

#[tokio::test(start_paused = true)]
async fn a_silent_reader_is_lost_after_three_keepalive_periods_and_reconnected() {
    let (conns, mut accept) = mpsc::unbounded_channel();
    let readers = PipeReader {
        conns,
        opts: LlrpOptions::default(),
    };
    let sp = spec("127.0.0.1:5084".parse().unwrap());
    let (tx, mut rx) = mpsc::channel(256);
    let shutdown = CancellationToken::new();
    let token = shutdown.clone();
    let task =
        tokio::spawn(async move { supervisor::supervise_with(&readers, sp, tx, token).await });
    let mut s = accept.recv().await.unwrap();
    let mut f = llrp::Framer::default();
    assert_eq!(next_status(&mut rx).await.state, ReaderState::Connecting);
    let period = set_up(&mut s, &mut f, 0).await;
    assert_eq!(period, Some(DEFAULT_KEEPALIVE.as_millis() as u32));
    assert_eq!(next_status(&mut rx).await.state, ReaderState::Connected);
    // A reader that keeps its keepalives coming stays connected, well past
    // three periods, even with no tags in the field.
    for id in 1..=6 {
        tokio::time::sleep(DEFAULT_KEEPALIVE).await;
        s.write_all(&llrp::keepalive(id)).await.unwrap();
        let m = read_message(&mut s, &mut f).await;
        assert_eq!((m.kind, m.id), (llrp::KEEPALIVE_ACK, id));
    }
    assert!(rx.try_recv().is_err(), "no news while the keepalives come");
    // Then it goes silent (power or network lost; TCP says nothing).
    let silent = tokio::time::Instant::now();
    let lost = next_status(&mut rx).await;
    let after = silent.elapsed();
    assert_eq!(lost.state, ReaderState::Lost, "{lost:?}");
    assert!(lost.detail.contains("keepalive"), "{}", lost.detail);
    let limit = DEFAULT_KEEPALIVE * LOST_AFTER_PERIODS;
    assert!(
        after >= limit && after <= limit + Duration::from_millis(500),
        "lost after {after:?}"
    );
    assert_eq!(next_status(&mut rx).await.state, ReaderState::Reconnecting);
    // The supervisor connects again at once (the session ran long enough to
    // reset the backoff), and the new session asks for the keepalive again.
    let mut s2 = accept.recv().await.unwrap();
    assert!(
        silent.elapsed() <= limit + BACKOFF_CAP,
        "{:?}",
        silent.elapsed()
    );
    let mut f2 = llrp::Framer::default();
    assert_eq!(set_up(&mut s2, &mut f2, 0).await, Some(5000));
    assert_eq!(next_status(&mut rx).await.state, ReaderState::Connected);
    shutdown.cancel();
    tokio::time::timeout(WAIT, task).await.unwrap().unwrap();
}

/// One session over a pipe with `opts`: the reader's end, the events, the session.
fn pipe_session(
    opts: LlrpOptions,
) -> (
    DuplexStream,
    mpsc::Receiver<DeviceEvent>,
    tokio::task::JoinHandle<Result<(), ReaderError>>,
) {
    let (reader, station) = tokio::io::duplex(1 << 16);
    let sp = spec("127.0.0.1:5084".parse().unwrap());
    let (tx, rx) = mpsc::channel(256);
    let h = tokio::spawn(async move {
        let mut e = ReaderErrors::default();
        llrp_session::run_on_with(&sp, opts, station, &tx, &mut e).await
    });
    (reader, rx, h)
}

#[tokio::test(start_paused = true)]
async fn a_reader_refusing_the_keepalive_is_used_without_the_watch() {
    let (mut s, mut rx, h) = pipe_session(LlrpOptions::default());
    let mut f = llrp::Framer::default();
    set_up(&mut s, &mut f, 401).await;
    let up = next_status(&mut rx).await;
    assert_eq!(up.state, ReaderState::Connected);
    assert!(
        up.detail
            .contains("refused KEEPALIVE_SPEC: status 401 no keepalives here"),
        "{}",
        up.detail
    );
    // A minute of silence: without keepalives, silence is not a loss.
    tokio::time::sleep(Duration::from_secs(60)).await;
    assert!(!h.is_finished());
    drop(s);
    let r = tokio::time::timeout(WAIT, h).await.unwrap().unwrap();
    assert!(matches!(r, Err(ReaderError::Closed(_))), "{r:?}");
}

#[tokio::test(start_paused = true)]
async fn the_keepalive_period_is_configurable() {
    let opts = LlrpOptions {
        keepalive: Duration::from_secs(2),
    };
    let (mut s, mut rx, h) = pipe_session(opts);
    let mut f = llrp::Framer::default();
    assert_eq!(set_up(&mut s, &mut f, 0).await, Some(2000));
    assert_eq!(next_status(&mut rx).await.state, ReaderState::Connected);
    // Tag reports count as signs of life as much as keepalives do.
    let epc = sim_tag(0).epc;
    let tag = [llrp::TagOut {
        epc: &epc,
        antenna: 1,
        rssi: -50,
        seen: 1,
    }];
    for id in 1..=4 {
        tokio::time::sleep(Duration::from_millis(5900)).await;
        s.write_all(&llrp::ro_access_report(id, &tag))
            .await
            .unwrap();
    }
    let silent = tokio::time::Instant::now();
    let r = tokio::time::timeout(WAIT, h).await.unwrap().unwrap();
    let after = silent.elapsed();
    assert!(
        matches!(&r, Err(ReaderError::Protocol(m)) if m.contains("6000 ms")),
        "{r:?}"
    );
    assert!(
        after >= Duration::from_secs(6) && after <= Duration::from_millis(6500),
        "{after:?}"
    );
}

#[tokio::test(start_paused = true)]
async fn no_keepalive_asked_means_no_watch() {
    let opts = LlrpOptions {
        keepalive: Duration::ZERO,
    };
    let (mut s, mut rx, h) = pipe_session(opts);
    let mut f = llrp::Framer::default();
    assert_eq!(set_up(&mut s, &mut f, 0).await, None);
    assert_eq!(next_status(&mut rx).await.state, ReaderState::Connected);
    tokio::time::sleep(Duration::from_secs(600)).await;
    assert!(!h.is_finished());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simulated_reader_reports_reach_the_station() {
    let server = sim::llrp_server(
        SimOptions {
            tags: 3,
            rate: 30.0,
            ..SimOptions::default()
        },
        Some(Duration::from_millis(100)),
    )
    .await
    .unwrap();
    let (h, mut rx) = start(server.addr);
    let mut reads = Vec::new();
    let mut connected = false;
    while reads.len() < 3 {
        match tokio::time::timeout(WAIT, rx.recv())
            .await
            .unwrap()
            .unwrap()
        {
            DeviceEvent::Rfid(r) => {
                assert!(connected, "Connected comes first");
                if !reads
                    .iter()
                    .any(|x: &scanstation::input::RfidRead| x.epc == r.epc)
                {
                    reads.push(r);
                }
            }
            DeviceEvent::Status(s) => connected |= s.state == ReaderState::Connected,
            DeviceEvent::Scan(_) => panic!("no scans from LLRP"),
        }
    }
    for r in &reads {
        let i = (0..3)
            .find(|&i| sim_tag(i).epc == r.epc)
            .expect("a simulated tag");
        let t = sim_tag(i);
        assert_eq!(r.antenna, Some(t.antenna));
        assert_eq!(r.rssi, Some(t.rssi as f32));
        assert!(r.count >= 2, "TagSeenCount 2 merged: {}", r.count);
    }
    server.stop().await;
    let r = tokio::time::timeout(WAIT, h).await.unwrap().unwrap();
    assert!(r.is_err(), "{r:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scripted_reader_sees_the_minimal_session_and_keepalive_acks() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let sp = spec(listener.local_addr().unwrap());
    let (tx, mut rx) = mpsc::channel(256);
    let h = tokio::spawn(async move {
        let mut e = ReaderErrors::default();
        let r = llrp_session::run_session(&sp, &tx, &mut e).await;
        (r, e)
    });
    let (mut s, _) = listener.accept().await.unwrap();
    let mut f = llrp::Framer::default();
    s.write_all(&llrp::reader_event_connection(1, 0, 0))
        .await
        .unwrap();
    let m = read_message(&mut s, &mut f).await;
    assert_eq!(m.kind, llrp::SET_READER_CONFIG);
    assert_eq!(
        llrp::keepalive_spec(&m.body),
        Some(Some(5000)),
        "5 s keepalive"
    );
    answer(&mut s, &m, llrp::SET_READER_CONFIG_RESPONSE, 0, "").await;
    let m = read_message(&mut s, &mut f).await;
    assert_eq!(m.kind, llrp::DELETE_ROSPEC);
    assert_eq!(m.body, 0u32.to_be_bytes(), "delete all");
    s.write_all(&llrp::status_message(
        llrp::DELETE_ROSPEC_RESPONSE,
        m.id,
        0,
        "",
    ))
    .await
    .unwrap();
    let m = read_message(&mut s, &mut f).await;
    assert_eq!(m.kind, llrp::ADD_ROSPEC);
    s.write_all(&llrp::status_message(
        llrp::ADD_ROSPEC_RESPONSE,
        m.id,
        0,
        "",
    ))
    .await
    .unwrap();
    let m = read_message(&mut s, &mut f).await;
    assert_eq!(m.kind, llrp::ENABLE_ROSPEC);
    s.write_all(&llrp::status_message(
        llrp::ENABLE_ROSPEC_RESPONSE,
        m.id,
        0,
        "",
    ))
    .await
    .unwrap();
    match tokio::time::timeout(WAIT, rx.recv())
        .await
        .unwrap()
        .unwrap()
    {
        DeviceEvent::Status(st) => assert_eq!(st.state, ReaderState::Connected),
        other => panic!("{other:?}"),
    }
    s.write_all(&llrp::keepalive(77)).await.unwrap();
    let m = read_message(&mut s, &mut f).await;
    assert_eq!((m.kind, m.id), (llrp::KEEPALIVE_ACK, 77));
    let epc96 = [0x34, 0x74, 0x25, 0x7B, 0xF4, 0, 0, 0, 0, 0, 0x16, 0x2E];
    let long = [0xE2; 16];
    s.write_all(&llrp::ro_access_report(
        2,
        &[
            llrp::TagOut {
                epc: &epc96,
                antenna: 3,
                rssi: -61,
                seen: 5,
            },
            llrp::TagOut {
                epc: &long,
                antenna: 1,
                rssi: -40,
                seen: 1,
            },
            llrp::TagOut {
                epc: &epc96,
                antenna: 3,
                rssi: -60,
                seen: 1,
            },
        ],
    ))
    .await
    .unwrap();
    let mut got = Vec::new();
    while got.len() < 2 {
        if let DeviceEvent::Rfid(r) = tokio::time::timeout(WAIT, rx.recv())
            .await
            .unwrap()
            .unwrap()
        {
            got.push((r.epc, r.antenna, r.rssi, r.count));
        }
    }
    assert_eq!(
        got,
        vec![
            (epc96.to_vec(), Some(3), Some(-61.0), 5),
            (long.to_vec(), Some(1), Some(-40.0), 1)
        ]
    );
    // The reader hangs up: the session fails and the supervisor will retry.
    drop(s);
    let (r, _) = tokio::time::timeout(WAIT, h).await.unwrap().unwrap();
    assert!(matches!(r, Err(ReaderError::Closed(_))), "{r:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refused_rospec_ends_the_session_with_the_readers_words() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let (h, _rx) = start(listener.local_addr().unwrap());
    let (mut s, _) = listener.accept().await.unwrap();
    let mut f = llrp::Framer::default();
    s.write_all(&llrp::reader_event_connection(1, 0, 0))
        .await
        .unwrap();
    let m = read_message(&mut s, &mut f).await;
    answer(&mut s, &m, llrp::SET_READER_CONFIG_RESPONSE, 0, "").await;
    let m = read_message(&mut s, &mut f).await;
    s.write_all(&llrp::status_message(
        llrp::DELETE_ROSPEC_RESPONSE,
        m.id,
        0,
        "",
    ))
    .await
    .unwrap();
    let m = read_message(&mut s, &mut f).await;
    s.write_all(&llrp::status_message(
        llrp::ADD_ROSPEC_RESPONSE,
        m.id,
        101,
        "antenna 9 unknown",
    ))
    .await
    .unwrap();
    let r = tokio::time::timeout(WAIT, h).await.unwrap().unwrap();
    match r {
        Err(ReaderError::Protocol(msg)) => assert!(msg.contains("antenna 9 unknown"), "{msg}"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reader_busy_with_another_client_is_an_error() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let (h, _rx) = start(listener.local_addr().unwrap());
    let (mut s, _) = listener.accept().await.unwrap();
    s.write_all(&llrp::reader_event_connection(1, 1, 0))
        .await
        .unwrap();
    let r = tokio::time::timeout(WAIT, h).await.unwrap().unwrap();
    assert!(matches!(r, Err(ReaderError::Protocol(_))), "{r:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn simulated_llrp_reader_reports_an_explicit_list_of_epcs() {
    let epcs = vec![sim::giai96(99).unwrap(), sim::giai96(100).unwrap()];
    let server = sim::llrp_server(
        SimOptions {
            epcs: epcs.clone(),
            rate: 30.0,
            ..SimOptions::default()
        },
        None,
    )
    .await
    .unwrap();
    let (h, mut rx) = start(server.addr);
    let mut got = std::collections::BTreeSet::new();
    let mut reads = 0;
    while reads < 4 {
        let ev = tokio::time::timeout(WAIT, rx.recv())
            .await
            .unwrap()
            .unwrap();
        if let DeviceEvent::Rfid(r) = ev {
            got.insert(r.epc);
            reads += 1;
        }
        if got.len() == 2 && reads >= 2 {
            break;
        }
    }
    let want: std::collections::BTreeSet<Vec<u8>> = epcs.iter().map(|e| e.to_vec()).collect();
    assert_eq!(got, want);
    server.stop().await;
    let r = tokio::time::timeout(WAIT, h).await.unwrap().unwrap();
    assert!(r.is_err(), "{r:?}");
}

#[tokio::test(start_paused = true)]
async fn a_reader_answering_the_keepalive_with_an_error_message_is_still_set_up() {
    let (mut s, mut rx, h) = pipe_session(LlrpOptions::default());
    let mut f = llrp::Framer::default();
    s.write_all(&llrp::reader_event_connection(1, 0, 0))
        .await
        .unwrap();
    let m = read_message(&mut s, &mut f).await;
    assert_eq!(m.kind, llrp::SET_READER_CONFIG);
    answer(&mut s, &m, llrp::ERROR_MESSAGE, 108, "unsupported message").await;
    for (kind, reply) in [
        (llrp::DELETE_ROSPEC, llrp::DELETE_ROSPEC_RESPONSE),
        (llrp::ADD_ROSPEC, llrp::ADD_ROSPEC_RESPONSE),
        (llrp::ENABLE_ROSPEC, llrp::ENABLE_ROSPEC_RESPONSE),
    ] {
        let m = read_message(&mut s, &mut f).await;
        assert_eq!(m.kind, kind);
        answer(&mut s, &m, reply, 0, "").await;
    }
    let up = next_status(&mut rx).await;
    assert_eq!(up.state, ReaderState::Connected);
    assert!(
        up.detail
            .contains("refused KEEPALIVE_SPEC: status 108 unsupported message"),
        "{}",
        up.detail
    );
    tokio::time::sleep(Duration::from_secs(60)).await;
    assert!(!h.is_finished(), "silence is not a loss without keepalives");
}
