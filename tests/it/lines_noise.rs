//! A `lines` scanner on a pseudo-terminal: a line of binary noise (invalid
//! UTF-8 with control bytes) is counted as garbage in the reader status, not
//! reported as a scan; an ISO/IEC 15434 envelope in valid text still is a
//! scan (issue 9, item 3).

use crate::rfid_serial::spec;
use scanstation::device::sim::{self, SimOptions, SimProtocol};
use scanstation::device::spec::Protocol;
use scanstation::device::{serial, DeviceEvent};
use scanstation::input::ReaderErrors;
use std::time::Duration;
use tokio::sync::mpsc;

/// Generous: the machine may be busy; nothing here measures time.
const WAIT: Duration = Duration::from_secs(60);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn binary_noise_is_garbage_and_a_15434_envelope_is_a_scan() {
    let s = sim::spawn(
        SimProtocol::Lines,
        SimOptions {
            tags: 1,
            rate: 0.0,
            ..SimOptions::default()
        },
    )
    .unwrap();
    let spec = spec(&s.path().display().to_string(), Protocol::Lines);
    let (tx, mut rx) = mpsc::channel(1024);
    let h = tokio::spawn(async move {
        let mut errors = ReaderErrors::default();
        let _ = serial::run_session(&spec, &tx, &mut errors).await;
    });
    let noise: &[u8] = b"\xff\x1d\xfe\x1e\x80\x04\xc3";
    let envelope: &[u8] = b"[)>\x1e06\x1d1PABC\x1dS123\x1e\x04";
    let (mut scans, mut garbage, mut injected) = (Vec::new(), 0, false);
    let deadline = tokio::time::Instant::now() + WAIT;
    while !(scans.len() >= 2 && garbage == noise.len() as u64) {
        let ev = tokio::time::timeout_at(deadline, rx.recv())
            .await
            .unwrap_or_else(|_| panic!("timed out; scans {scans:?}, garbage {garbage}"))
            .expect("session ended");
        match ev {
            DeviceEvent::Scan(sc) => scans.push(sc.raw),
            DeviceEvent::Status(st) => {
                garbage = st.errors.garbage_bytes;
                if !injected {
                    injected = true;
                    let mut bytes = noise.to_vec();
                    bytes.extend(b"\r\n");
                    bytes.extend(envelope);
                    bytes.extend(b"\r\nAFTER\r\n");
                    s.inject(bytes);
                }
            }
            DeviceEvent::Rfid(_) => {}
        }
    }
    assert_eq!(scans, vec![envelope.to_vec(), b"AFTER".to_vec()]);
    h.abort();
}
