//! LLRP sessions against TCP readers on 127.0.0.1: the simulator, and a
//! scripted reader that checks every message the station sends.

use scanstation::codec::rfid::llrp;
use scanstation::device::sim::{self, sim_tag, SimOptions};
use scanstation::device::spec::{Protocol, ResolvedSpec, Transport};
use scanstation::device::{llrp as llrp_session, DeviceEvent, ReaderError};
use scanstation::input::{ReaderErrors, ReaderState};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;

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
    }
}

async fn read_message(s: &mut TcpStream, f: &mut llrp::Framer) -> llrp::Message {
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
    let sp = spec(server.addr);
    let (tx, mut rx) = mpsc::channel(256);
    let h = tokio::spawn(async move {
        let mut e = ReaderErrors::default();
        llrp_session::run_session(&sp, &tx, &mut e).await
    });
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
    let sp = spec(listener.local_addr().unwrap());
    let (tx, _rx) = mpsc::channel(256);
    let h = tokio::spawn(async move {
        let mut e = ReaderErrors::default();
        llrp_session::run_session(&sp, &tx, &mut e).await
    });
    let (mut s, _) = listener.accept().await.unwrap();
    let mut f = llrp::Framer::default();
    s.write_all(&llrp::reader_event_connection(1, 0, 0))
        .await
        .unwrap();
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
    let sp = spec(listener.local_addr().unwrap());
    let (tx, _rx) = mpsc::channel(256);
    let h = tokio::spawn(async move {
        let mut e = ReaderErrors::default();
        llrp_session::run_session(&sp, &tx, &mut e).await
    });
    let (mut s, _) = listener.accept().await.unwrap();
    s.write_all(&llrp::reader_event_connection(1, 1, 0))
        .await
        .unwrap();
    let r = tokio::time::timeout(WAIT, h).await.unwrap().unwrap();
    assert!(matches!(r, Err(ReaderError::Protocol(_))), "{r:?}");
}
