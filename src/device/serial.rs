//! Serial reader sessions: line-mode scanners, Chafon, TSL and Mercury RFID
//! readers, over tokio-serial.
//!
//! [`run_session`] opens the port and runs one session until the transport
//! fails; the supervisor retries. The session itself is [`run_on`], generic
//! over any byte stream, so tests can drive it over a pseudo-terminal or an
//! in-memory pipe. Each protocol is a `Link` — its decoder, what it sends
//! and when, what its frames mean — driven by one `session` loop, so that
//! reading, polling, reporting and shutting down are written once. Bytes go
//! through the pure decoders of
//! [`crate::codec::rfid`]; tag reads through the reader's
//! [`DedupeWindow`]; the decoders' counters are folded into the reader's
//! [`ReaderErrors`] and shown in a status event at most once a second.

use super::spec::{Protocol, ResolvedSpec, Transport};
use super::{DeviceEvent, ReaderError};
use crate::codec::rfid::dedupe::{DedupeConfig, DedupeWindow};
use crate::codec::rfid::{chafon, lines, mercury, tsl, DecodeStats, TagRead};
use crate::input::{ReaderErrors, ReaderState, ReaderStatus, RfidRead, Scan, Source};
use std::time::{Duration, SystemTime};
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::mpsc::Sender;
use tokio::time::{interval, Instant, MissedTickBehavior};

/// Chafon polls this often in answer mode.
const POLL_EVERY: Duration = Duration::from_millis(100);
/// A command unanswered this long is sent again.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(2);
/// Silence after which a partial frame is dropped (the protocols allow 15 ms gaps).
const FRAME_GAP: Duration = Duration::from_millis(60);
/// Error counts are reported at most this often.
const STATUS_EVERY: Duration = Duration::from_secs(1);

/// Opens `spec`'s serial port and runs one session on it.
pub async fn run_session(
    spec: &ResolvedSpec,
    tx: &Sender<DeviceEvent>,
    errors: &mut ReaderErrors,
) -> Result<(), ReaderError> {
    let Transport::Serial(path) = &spec.transport else {
        return Err(ReaderError::Protocol(format!(
            "{} is not a serial device",
            spec.display
        )));
    };
    let port =
        tokio_serial::SerialStream::open(&tokio_serial::new(path, spec.baud)).map_err(|e| {
            ReaderError::Open {
                what: path.clone(),
                source: e.into(),
            }
        })?;
    run_on(spec, port, tx, errors).await
}

/// What a session reports through: the event channel, the dedupe window and
/// the error counters.
pub(crate) struct Reporter<'a> {
    spec: &'a ResolvedSpec,
    tx: &'a Sender<DeviceEvent>,
    errors: &'a mut ReaderErrors,
    dedupe: DedupeWindow,
    start: Instant,
    applied: DecodeStats,
    connected: bool,
    dirty: bool,
    last_status: Option<Instant>,
    /// The reader's last error answer, shown in the status detail.
    pub(crate) last_reader_error: Option<String>,
}

/// The receiver is gone: the station is shutting down, end the session quietly.
pub(crate) struct Stopped;

impl<'a> Reporter<'a> {
    pub(crate) fn new(
        spec: &'a ResolvedSpec,
        tx: &'a Sender<DeviceEvent>,
        errors: &'a mut ReaderErrors,
    ) -> Reporter<'a> {
        Reporter {
            spec,
            tx,
            errors,
            dedupe: DedupeWindow::new(DedupeConfig {
                window_ms: spec.dedupe_ms,
                rssi_min: spec.rssi_min,
                per_antenna: spec.per_antenna,
            }),
            start: Instant::now(),
            applied: DecodeStats::default(),
            connected: false,
            dirty: false,
            last_status: None,
            last_reader_error: None,
        }
    }

    async fn send(&self, ev: DeviceEvent) -> Result<(), Stopped> {
        self.tx.send(ev).await.map_err(|_| Stopped)
    }

    fn detail(&self) -> String {
        let c = self.dedupe.counters();
        let mut d = format!(
            "{} via {}: {} tags, {} reads",
            self.spec.protocol.as_str(),
            self.spec.display,
            c.unique,
            c.raw
        );
        if let Some(e) = &self.last_reader_error {
            d.push_str("; reader said ");
            d.push_str(e);
        }
        d
    }

    async fn status(&mut self) -> Result<(), Stopped> {
        self.last_status = Some(Instant::now());
        self.dirty = false;
        let st = ReaderStatus {
            source: self.spec.display.clone(),
            state: ReaderState::Connected,
            detail: self.detail(),
            errors: *self.errors,
            tags: self.dedupe.counters().unique,
            at: SystemTime::now(),
        };
        self.send(DeviceEvent::Status(st)).await
    }

    /// The reader answered: report Connected once.
    pub(crate) async fn connected(&mut self) -> Result<(), Stopped> {
        if !self.connected {
            self.connected = true;
            self.status().await?;
        }
        Ok(())
    }

    /// Folds a decoder's counters into the reader's error counts.
    pub(crate) fn absorb(&mut self, s: DecodeStats) {
        let a = self.applied;
        let e = &mut *self.errors;
        e.crc += s.crc.saturating_sub(a.crc);
        // A frame whose checksum holds but whose content does not parse counts as one garbage byte.
        e.garbage_bytes += s.garbage_bytes.saturating_sub(a.garbage_bytes)
            + s.malformed.saturating_sub(a.malformed);
        e.truncated += s.truncated.saturating_sub(a.truncated);
        e.overlong += s.overlong.saturating_sub(a.overlong);
        if s.crc != a.crc
            || s.garbage_bytes != a.garbage_bytes
            || s.malformed != a.malformed
            || s.truncated != a.truncated
            || s.overlong != a.overlong
            || s.reader_errors != a.reader_errors
        {
            self.dirty = true;
        }
        self.applied = s;
    }

    /// Sends a status when counts changed (errors, or a new tag) and the last
    /// one is a second old.
    pub(crate) async fn flush(&mut self) -> Result<(), Stopped> {
        let due = self.last_status.is_none_or(|t| t.elapsed() >= STATUS_EVERY);
        if self.dirty && due {
            self.status().await?;
        }
        Ok(())
    }

    /// One raw tag read through the dedupe window: the event to send, if any.
    pub(crate) fn offer(&mut self, read: &TagRead<'_>) -> Option<DeviceEvent> {
        let now = self.start.elapsed().as_millis() as u64;
        let unique = self.dedupe.counters().unique;
        let r = self.dedupe.offer(read, now);
        // A new tag changes the count in the header (sent by `flush`).
        self.dirty |= self.dedupe.counters().unique != unique;
        let r = r?;
        Some(DeviceEvent::Rfid(RfidRead {
            source: self.spec.display.clone(),
            epc: r.epc.as_bytes().to_vec(),
            antenna: r.antenna,
            rssi: r.rssi,
            count: r.count,
            at: SystemTime::now(),
        }))
    }

    pub(crate) async fn send_all(&self, events: Vec<DeviceEvent>) -> Result<(), Stopped> {
        for ev in events {
            self.send(ev).await?;
        }
        Ok(())
    }

    /// A scan read from the reader, as an event.
    fn scan(&self, raw: &[u8]) -> DeviceEvent {
        let scan = Scan::new(
            Source::Reader(self.spec.display.clone()),
            raw,
            SystemTime::now(),
        );
        DeviceEvent::Scan(scan)
    }
}

fn io_err(spec: &ResolvedSpec, e: std::io::Error) -> ReaderError {
    ReaderError::Io {
        what: spec.display.clone(),
        source: e,
    }
}

/// Runs one session of `spec`'s protocol over `io` until it fails (Err) or
/// the receiver of `tx` is dropped (Ok).
pub async fn run_on<S: AsyncRead + AsyncWrite + Unpin>(
    spec: &ResolvedSpec,
    mut io: S,
    tx: &Sender<DeviceEvent>,
    errors: &mut ReaderErrors,
) -> Result<(), ReaderError> {
    let mut rep = Reporter::new(spec, tx, errors);
    let io = &mut io;
    let r = match spec.protocol {
        Protocol::Lines => session(spec, io, &mut rep, &mut lines::ScanLines::new()).await,
        Protocol::Chafon => {
            let dec = chafon::Decoder::new(chafon::Direction::FromReader);
            let link = &mut ChafonLink {
                dec,
                awaiting: None,
            };
            session(spec, io, &mut rep, link).await
        }
        Protocol::Tsl => session(spec, io, &mut rep, &mut tsl::Decoder::new()).await,
        Protocol::Mercury => mercury_session(spec, io, &mut rep).await,
        other => Err(End::Failed(ReaderError::Protocol(format!(
            "protocol {} is not a serial protocol",
            other.as_str()
        )))),
    };
    match r {
        Ok(()) | Err(End::Stopped) => Ok(()),
        Err(End::Failed(e)) => Err(e),
    }
}

/// Reads into `buf`; EOF is the reader hanging up.
async fn read_some<S: AsyncRead + Unpin>(
    spec: &ResolvedSpec,
    io: &mut S,
    buf: &mut [u8],
) -> Result<usize, ReaderError> {
    match io.read(buf).await {
        Ok(0) => Err(ReaderError::Closed(spec.display.clone())),
        Ok(n) => Ok(n),
        Err(e) => Err(io_err(spec, e)),
    }
}

async fn write<S: AsyncWrite + Unpin>(
    spec: &ResolvedSpec,
    io: &mut S,
    bytes: &[u8],
) -> Result<(), ReaderError> {
    io.write_all(bytes).await.map_err(|e| io_err(spec, e))?;
    io.flush().await.map_err(|e| io_err(spec, e))
}

/// How a session ends: quietly when the station stops listening, or with
/// the reader's failure, which the supervisor reports and retries.
enum End {
    Stopped,
    Failed(ReaderError),
}

impl From<Stopped> for End {
    fn from(_: Stopped) -> End {
        End::Stopped
    }
}

impl From<ReaderError> for End {
    fn from(e: ReaderError) -> End {
        End::Failed(e)
    }
}

/// What one serial protocol brings to the shared [`session`] loop: its
/// decoder, what it sends and when, and what its frames mean.
trait Link {
    /// Sent when the session opens, and again every [`ANSWER_TIMEOUT`]
    /// until the reader answers (TSL set-up, Mercury start).
    fn hello(&self) -> Option<Vec<u8>> {
        None
    }

    /// False for a reader that never answers (a scanner): it counts as
    /// connected once its port is open.
    fn answers(&self) -> bool {
        true
    }

    /// Decodes `data`, appending what the station must hear to `events`;
    /// true when the reader answered (which makes it connected).
    fn feed(&mut self, data: &[u8], rep: &mut Reporter<'_>, events: &mut Vec<DeviceEvent>) -> bool;

    /// Called every [`POLL_EVERY`] with the time since the last byte:
    /// bytes to send, if any (a poll).
    fn tick(&mut self, _quiet: Duration) -> Option<Vec<u8>> {
        None
    }

    fn stats(&self) -> DecodeStats;
}

/// One session of any serial protocol: write its hello, read and decode
/// until the transport fails, report through `rep`.
async fn session<S: AsyncRead + AsyncWrite + Unpin, L: Link>(
    spec: &ResolvedSpec,
    io: &mut S,
    rep: &mut Reporter<'_>,
    link: &mut L,
) -> Result<(), End> {
    let hello = link.hello();
    if let Some(h) = &hello {
        write(spec, io, h).await?;
    }
    let mut sent = Instant::now();
    let mut answered = false;
    if !link.answers() {
        rep.connected().await?;
    }
    let mut buf = vec![0u8; 4096];
    let mut tick = interval(POLL_EVERY);
    tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut last_rx = Instant::now();
    loop {
        tokio::select! {
            n = read_some(spec, io, &mut buf) => {
                let n = n?;
                last_rx = Instant::now();
                // Dedupe right here, without copying each read; only reports are kept.
                let mut events = Vec::new();
                if link.feed(&buf[..n], rep, &mut events) {
                    answered = true;
                    rep.connected().await?;
                }
                rep.send_all(events).await?;
            }
            _ = tick.tick() => {
                if let Some(bytes) = link.tick(last_rx.elapsed()) {
                    write(spec, io, &bytes).await?;
                }
                if let Some(h) = hello.as_ref().filter(|_| !answered && sent.elapsed() >= ANSWER_TIMEOUT) {
                    write(spec, io, h).await?;
                    sent = Instant::now();
                }
            }
        }
        rep.absorb(link.stats());
        rep.flush().await?;
    }
}

/// A line-mode scanner: CR/LF-terminated scans, nothing to send.
impl Link for lines::ScanLines {
    fn answers(&self) -> bool {
        false
    }

    fn feed(&mut self, data: &[u8], rep: &mut Reporter<'_>, events: &mut Vec<DeviceEvent>) -> bool {
        self.push(data);
        while let Some(line) = self.next_scan() {
            events.push(rep.scan(line));
        }
        false
    }

    fn stats(&self) -> DecodeStats {
        self.stats()
    }
}

/// A Chafon reader: polled with Inventory in answer mode, pushing 0xEE
/// frames in active mode; both are handled, since the mode cannot be known.
struct ChafonLink {
    dec: chafon::Decoder,
    /// When the unanswered poll went out.
    awaiting: Option<Instant>,
}

impl Link for ChafonLink {
    fn feed(&mut self, data: &[u8], rep: &mut Reporter<'_>, events: &mut Vec<DeviceEvent>) -> bool {
        self.dec.push(data);
        let (mut any, mut malformed) = (false, 0);
        while let Some(f) = self.dec.next_frame() {
            any = true;
            let read = |epc| TagRead {
                epc,
                antenna: None,
                rssi: None,
                seen: 1,
            };
            match chafon::reply(&f) {
                chafon::Reply::Active(epc) => events.extend(rep.offer(&read(epc))),
                chafon::Reply::Inventory { tags, last } => {
                    for t in tags {
                        match t {
                            Ok(epc) => events.extend(rep.offer(&read(epc))),
                            Err(()) => malformed += 1,
                        }
                    }
                    if last {
                        self.awaiting = None;
                    }
                }
                chafon::Reply::NoTag | chafon::Reply::Refused => self.awaiting = None,
                chafon::Reply::Other => {}
            }
        }
        for _ in 0..malformed {
            self.dec.count_malformed();
        }
        any
    }

    fn tick(&mut self, quiet: Duration) -> Option<Vec<u8>> {
        if quiet >= FRAME_GAP {
            self.dec.idle();
        }
        if self.awaiting.is_some_and(|t| t.elapsed() < ANSWER_TIMEOUT) {
            return None;
        }
        self.awaiting = Some(Instant::now());
        Some(chafon::inventory_request(chafon::BROADCAST))
    }

    fn stats(&self) -> DecodeStats {
        self.dec.stats()
    }
}

/// A TSL handheld: the set-up command, then trigger inventories (and the
/// answers to our own commands).
impl Link for tsl::Decoder {
    fn hello(&self) -> Option<Vec<u8>> {
        Some(tsl::command_line(tsl::SETUP_COMMAND))
    }

    fn feed(&mut self, data: &[u8], rep: &mut Reporter<'_>, events: &mut Vec<DeviceEvent>) -> bool {
        self.push(data);
        let mut answered = false;
        while let Some(ev) = self.next_event() {
            match ev {
                tsl::Event::Tag { epc, rssi } => {
                    let read = TagRead {
                        epc: epc.as_bytes(),
                        antenna: None,
                        rssi,
                        seen: 1,
                    };
                    events.extend(rep.offer(&read));
                }
                tsl::Event::Done { error, command } => {
                    answered = true;
                    if let Some(code) = error {
                        rep.last_reader_error = Some(format!(
                            "ER: {code:03} to {}",
                            command.as_deref().unwrap_or("a trigger inventory")
                        ));
                    }
                }
            }
        }
        answered
    }

    fn stats(&self) -> DecodeStats {
        self.stats()
    }
}

/// A Mercury module in continuous read: the start command, then tag records
/// and keepalives.
impl Link for mercury::Decoder {
    fn hello(&self) -> Option<Vec<u8>> {
        Some(mercury::start_continuous_read())
    }

    fn feed(&mut self, data: &[u8], rep: &mut Reporter<'_>, events: &mut Vec<DeviceEvent>) -> bool {
        self.push(data);
        let (mut any, mut malformed, mut errors) = (false, 0, 0);
        while let Some(f) = self.next_frame() {
            any = true;
            match mercury::reply(&f) {
                mercury::Reply::Tag(t) => events.extend(rep.offer(&t)),
                mercury::Reply::Malformed => malformed += 1,
                mercury::Reply::Error { op, status } => {
                    errors += 1;
                    rep.last_reader_error =
                        Some(format!("status 0x{status:04X} to opcode 0x{op:02X}"));
                }
                mercury::Reply::Keepalive | mercury::Reply::Other { .. } => {}
            }
        }
        for _ in 0..malformed {
            self.count_malformed();
        }
        for _ in 0..errors {
            self.count_reader_error();
        }
        any
    }

    fn tick(&mut self, quiet: Duration) -> Option<Vec<u8>> {
        if quiet >= FRAME_GAP {
            self.idle();
        }
        None
    }

    fn stats(&self) -> DecodeStats {
        self.stats()
    }
}

/// How long a session that is ending waits for the line to take the
/// Mercury stop command.
const STOP_TIMEOUT: Duration = Duration::from_millis(250);

/// The port of a Mercury session, which leaves the module idle however the
/// session ends: a module left in continuous read keeps streaming into the
/// next session (or into whatever opens the port next) and keeps its radio on.
/// A session that ends by itself sends the stop command with
/// [`STOP_TIMEOUT`]; one that is dropped — the supervisor's shutdown, a
/// runtime going away — cannot wait, so `Drop` offers the command to the
/// line once, without blocking (nor flushing, see [`MercuryPort::stop`]): a
/// serial line takes 8 bytes at once unless it is already jammed.
struct MercuryPort<S: AsyncWrite + Unpin> {
    io: S,
    stopped: bool,
}

impl<S: AsyncWrite + Unpin> MercuryPort<S> {
    /// Not flushed: a serial port's flush is `tcdrain`, which blocks the
    /// thread (past any timeout) while a jammed line does not drain. The
    /// kernel sends what it has taken.
    async fn stop(&mut self) {
        self.stopped = true;
        let stop = mercury::stop_continuous_read();
        let _ = tokio::time::timeout(STOP_TIMEOUT, self.io.write_all(&stop)).await;
    }
}

impl<S: AsyncWrite + Unpin> Drop for MercuryPort<S> {
    fn drop(&mut self) {
        if self.stopped {
            return;
        }
        let stop = mercury::stop_continuous_read();
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        let mut rest = &stop[..];
        while !rest.is_empty() {
            match std::pin::Pin::new(&mut self.io).poll_write(&mut cx, rest) {
                std::task::Poll::Ready(Ok(n)) if n > 0 => rest = &rest[n..],
                _ => return,
            }
        }
    }
}

async fn mercury_session<S: AsyncRead + AsyncWrite + Unpin>(
    spec: &ResolvedSpec,
    io: S,
    rep: &mut Reporter<'_>,
) -> Result<(), End> {
    let mut port = MercuryPort { io, stopped: false };
    let mut link = mercury::Decoder::new(mercury::Direction::FromModule);
    let r = session(spec, &mut port.io, rep, &mut link).await;
    if matches!(r, Err(End::Stopped)) {
        // The station is closing: leave the module idle.
        port.stop().await;
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send<T: Send>(_: &T) {}

    /// The supervisor boxes sessions as `Send` futures.
    #[test]
    fn sessions_are_send() {
        let spec = ResolvedSpec {
            display: "serial:/dev/null?protocol=chafon".into(),
            transport: Transport::Serial("/dev/null".into()),
            protocol: Protocol::Chafon,
            profile: None,
            baud: 57600,
            dedupe_ms: 1000,
            rssi_min: None,
            per_antenna: false,
            power_dbm: None,
            session: None,
            keepalive_ms: None,
        };
        let (tx, _rx) = tokio::sync::mpsc::channel(1);
        let mut e = ReaderErrors::default();
        assert_send(&run_session(&spec, &tx, &mut e));
        let mut e = ReaderErrors::default();
        assert_send(&super::super::llrp::run_session(&spec, &tx, &mut e));
    }
}
