//! LLRP reader sessions over TCP (Impinj R700, Zebra FX …, port 5084).
//!
//! The minimal session of the LLRP standard: wait for the reader's
//! ConnectionAttemptEvent, SET_READER_CONFIG with a periodic KeepaliveSpec,
//! DELETE_ROSPEC (all), ADD_ROSPEC with an immediate start trigger,
//! ENABLE_ROSPEC, then read RO_ACCESS_REPORTs and answer every KEEPALIVE. Tag
//! reads go through the same dedupe and reporting as the serial readers (the
//! reader's TagSeenCount is merged into `count`). Any refusal during set-up
//! ends the session with the reader's own words; the supervisor retries.
//!
//! Why the keepalive: a reader that loses power or network mid-session does
//! not close the TCP connection, and with no tags in the field a healthy
//! reader is silent too. With a KEEPALIVE asked for every period (default
//! [`DEFAULT_KEEPALIVE`]), a reader that sends nothing at all for
//! [`LOST_AFTER_PERIODS`] periods is gone: the session ends, the supervisor
//! reports it lost and reconnects. A reader that refuses the KeepaliveSpec is
//! still used, without that watch (its refusal is shown in the status).

use super::serial::Reporter;
use super::spec::{ResolvedSpec, Transport};
use super::{DeviceEvent, ReaderError};
use crate::codec::rfid::llrp::{self, ConnectionEvent, Message};
use crate::input::ReaderErrors;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc::Sender;
use tokio::time::{interval, timeout, Instant, MissedTickBehavior};

/// How long the reader may take to answer each set-up step.
const SETUP_TIMEOUT: Duration = Duration::from_secs(10);
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// The ROSpec the station owns on the reader.
const ROSPEC_ID: u32 = 0x5CA1;
/// The keepalive period asked of the reader unless told otherwise.
pub const DEFAULT_KEEPALIVE: Duration = Duration::from_secs(5);
/// Keepalive periods of silence after which the reader counts as lost.
pub const LOST_AFTER_PERIODS: u32 = 3;
/// How often the session checks its timers.
const TICK: Duration = Duration::from_millis(250);

/// Settings of an LLRP session beyond its SPEC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LlrpOptions {
    /// The KEEPALIVE period asked of the reader; the reader is lost after
    /// [`LOST_AFTER_PERIODS`] of them without a byte. Zero asks for none and
    /// never declares the reader lost for its silence.
    pub keepalive: Duration,
}

impl LlrpOptions {
    /// The options a SPEC asks for (`keepalive_ms`), else the defaults.
    pub fn for_spec(spec: &ResolvedSpec) -> LlrpOptions {
        match spec.keepalive_ms {
            Some(ms) => LlrpOptions {
                keepalive: Duration::from_millis(u64::from(ms)),
            },
            None => LlrpOptions::default(),
        }
    }
}

impl Default for LlrpOptions {
    fn default() -> LlrpOptions {
        LlrpOptions {
            keepalive: DEFAULT_KEEPALIVE,
        }
    }
}

/// Connects to `spec`'s reader and runs one session with the default options.
pub async fn run_session(
    spec: &ResolvedSpec,
    tx: &Sender<DeviceEvent>,
    errors: &mut ReaderErrors,
) -> Result<(), ReaderError> {
    run_session_with(spec, LlrpOptions::default(), tx, errors).await
}

/// Connects to `spec`'s reader and runs one session.
pub async fn run_session_with(
    spec: &ResolvedSpec,
    opts: LlrpOptions,
    tx: &Sender<DeviceEvent>,
    errors: &mut ReaderErrors,
) -> Result<(), ReaderError> {
    let Transport::Tcp { host, port } = &spec.transport else {
        return Err(ReaderError::Protocol(format!(
            "{} is not a TCP device",
            spec.display
        )));
    };
    let what = format!("{host}:{port}");
    let stream = match timeout(CONNECT_TIMEOUT, TcpStream::connect((host.as_str(), *port))).await {
        Ok(Ok(s)) => s,
        Ok(Err(e)) => return Err(ReaderError::Open { what, source: e }),
        Err(_) => {
            return Err(ReaderError::Open {
                what,
                source: std::io::Error::new(std::io::ErrorKind::TimedOut, "no answer"),
            })
        }
    };
    let _ = stream.set_nodelay(true);
    run_on_with(spec, opts, stream, tx, errors).await
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    WaitConnection,
    WaitConfig,
    WaitDelete,
    WaitAdd,
    WaitEnable,
    Running,
}

/// [`run_on_with`] the default options.
pub async fn run_on<S: AsyncRead + AsyncWrite + Unpin>(
    spec: &ResolvedSpec,
    io: S,
    tx: &Sender<DeviceEvent>,
    errors: &mut ReaderErrors,
) -> Result<(), ReaderError> {
    run_on_with(spec, LlrpOptions::default(), io, tx, errors).await
}

/// Runs one LLRP session over `io` until it fails (Err) or the receiver of
/// `tx` is dropped (Ok, after CLOSE_CONNECTION).
pub async fn run_on_with<S: AsyncRead + AsyncWrite + Unpin>(
    spec: &ResolvedSpec,
    opts: LlrpOptions,
    mut io: S,
    tx: &Sender<DeviceEvent>,
    errors: &mut ReaderErrors,
) -> Result<(), ReaderError> {
    let mut rep = Reporter::new(spec, tx, errors);
    let mut framer = llrp::Framer::default();
    let mut buf = vec![0u8; 16 * 1024];
    let mut phase = Phase::WaitConnection;
    let mut phase_since = Instant::now();
    let mut next_id: u32 = 1;
    let mut malformed: u64 = 0;
    let mut reader_errors: u64 = 0;
    let mut tick = interval(TICK);
    tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let period_ms = u32::try_from(opts.keepalive.as_millis()).unwrap_or(u32::MAX);
    // The silence that means the reader is gone; None while it is not watched.
    let mut lost_after = (period_ms > 0).then(|| opts.keepalive * LOST_AFTER_PERIODS);
    let mut last_rx = Instant::now();
    let io_err = |e: std::io::Error| ReaderError::Io {
        what: spec.display.clone(),
        source: e,
    };
    loop {
        let n = tokio::select! {
            r = io.read(&mut buf) => match r {
                Ok(0) => return Err(ReaderError::Closed(spec.display.clone())),
                Ok(n) => {
                    last_rx = Instant::now();
                    n
                }
                Err(e) => return Err(io_err(e)),
            },
            _ = tick.tick() => {
                if let Some(limit) = lost_after.filter(|l| phase == Phase::Running && last_rx.elapsed() >= *l) {
                    return Err(ReaderError::Protocol(format!(
                        "{}: nothing from the reader for {} ms ({LOST_AFTER_PERIODS} keepalive periods of {period_ms} ms): it is gone",
                        spec.display,
                        limit.as_millis(),
                    )));
                }
                if phase != Phase::Running && phase_since.elapsed() >= SETUP_TIMEOUT {
                    return Err(ReaderError::Protocol(format!(
                        "{}: no answer from the reader while {}",
                        spec.display,
                        match phase {
                            Phase::WaitConnection => "waiting for its connection event",
                            Phase::WaitConfig => "setting its keepalive",
                            Phase::WaitDelete => "deleting ROSpecs",
                            Phase::WaitAdd => "adding the ROSpec",
                            _ => "enabling the ROSpec",
                        }
                    )));
                }
                0
            }
        };
        framer.push(&buf[..n]);
        loop {
            let msg: Message = match framer.next_message() {
                Ok(Some(m)) => m,
                Ok(None) => break,
                Err(e) => return Err(ReaderError::Protocol(format!("{}: {e}", spec.display))),
            };
            let mut out: Option<Vec<u8>> = None;
            let mut advance = |p: &mut Phase, to: Phase| {
                *p = to;
                phase_since = Instant::now();
            };
            match msg.kind {
                llrp::KEEPALIVE => out = Some(llrp::keepalive_ack(msg.id)),
                llrp::READER_EVENT_NOTIFICATION => match llrp::connection_event(&msg.body) {
                    Some(ConnectionEvent::Attempt(0)) if phase == Phase::WaitConnection => {
                        out = Some(llrp::set_keepalive(next_id, period_ms));
                        advance(&mut phase, Phase::WaitConfig);
                    }
                    Some(ConnectionEvent::Attempt(code)) if code != 0 => {
                        return Err(ReaderError::Protocol(format!(
                            "{} refused the connection (ConnectionAttemptEvent {code}: another client may hold it)",
                            spec.display
                        )))
                    }
                    Some(ConnectionEvent::Close) => {
                        return Err(ReaderError::Closed(spec.display.clone()))
                    }
                    _ => {}
                },
                // A reader may refuse the keepalive with a failing status or
                // with an ERROR_MESSAGE (a message it does not know).
                llrp::SET_READER_CONFIG_RESPONSE | llrp::ERROR_MESSAGE if phase == Phase::WaitConfig => {
                    let refused = match llrp::status(&msg.body) {
                        Some(s) if s.code != 0 => Some(format!("status {} {}", s.code, s.description)),
                        Some(_) if msg.kind == llrp::SET_READER_CONFIG_RESPONSE => None,
                        _ => Some("ERROR_MESSAGE".to_string()),
                    };
                    if let Some(why) = refused {
                        // Still usable; only its silence can no longer be told from a loss.
                        lost_after = None;
                        rep.last_reader_error = Some(format!("refused KEEPALIVE_SPEC: {why}"));
                    }
                    out = Some(llrp::delete_rospec(next_id, 0));
                    advance(&mut phase, Phase::WaitDelete);
                }
                llrp::DELETE_ROSPEC_RESPONSE if phase == Phase::WaitDelete => {
                    // Nothing to delete is fine: go on either way.
                    out = Some(llrp::add_rospec(next_id, ROSPEC_ID, 1));
                    advance(&mut phase, Phase::WaitAdd);
                }
                llrp::ADD_ROSPEC_RESPONSE | llrp::ENABLE_ROSPEC_RESPONSE => {
                    let st = llrp::status(&msg.body);
                    if let Some(s) = st.filter(|s| s.code != 0) {
                        return Err(ReaderError::Protocol(format!(
                            "{} refused {}: status {} {}",
                            spec.display,
                            if msg.kind == llrp::ADD_ROSPEC_RESPONSE { "ADD_ROSPEC" } else { "ENABLE_ROSPEC" },
                            s.code,
                            s.description
                        )));
                    }
                    if msg.kind == llrp::ADD_ROSPEC_RESPONSE && phase == Phase::WaitAdd {
                        out = Some(llrp::enable_rospec(next_id, ROSPEC_ID));
                        advance(&mut phase, Phase::WaitEnable);
                    } else if msg.kind == llrp::ENABLE_ROSPEC_RESPONSE && phase == Phase::WaitEnable {
                        advance(&mut phase, Phase::Running);
                        if rep.connected().await.is_err() {
                            return Ok(());
                        }
                    }
                }
                llrp::RO_ACCESS_REPORT => {
                    let mut reports = Vec::new();
                    malformed += llrp::tag_reports(&msg.body, |t| reports.extend(rep.offer(&t)));
                    if rep.send_all(reports).await.is_err() {
                        let _ = io.write_all(&llrp::close_connection(next_id)).await;
                        return Ok(());
                    }
                }
                llrp::ERROR_MESSAGE => {
                    reader_errors += 1;
                    let s = llrp::status(&msg.body);
                    rep.last_reader_error = Some(match s {
                        Some(s) => format!("ERROR_MESSAGE {} {}", s.code, s.description),
                        None => "ERROR_MESSAGE".to_string(),
                    });
                }
                _ => {}
            }
            if let Some(bytes) = out {
                next_id = next_id.wrapping_add(1);
                io.write_all(&bytes).await.map_err(io_err)?;
            }
        }
        rep.absorb(crate::codec::rfid::DecodeStats {
            malformed,
            reader_errors,
            ..Default::default()
        });
        if rep.flush().await.is_err() {
            let _ = io.write_all(&llrp::close_connection(next_id)).await;
            return Ok(());
        }
    }
}
