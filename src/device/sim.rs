//! Simulated readers on pseudo-terminals, for `scanstation simulate`, the
//! demo and the tests.
//!
//! A simulator opens a pty pair, sets the slave to raw mode (so bytes pass
//! untouched), and speaks the real protocol on the master side: it answers
//! Chafon inventory polls or pushes active-mode frames, answers TSL commands
//! and pulls the trigger, streams Mercury tag records and keepalives after
//! the start command, or types scanner lines — at the configured rate over a
//! set of distinct tags with plausible SGTIN-96 / GIAI-96 EPCs. The station
//! opens the slave like any serial port. Closing the pty is an unplug; a new
//! simulator behind the same `--link` symlink is the replug, as udev would do.
//!
//! [`llrp_server`] is the same for LLRP: a TCP reader on 127.0.0.1.

use crate::codec::epc::{encode_giai96, encode_sgtin96, EpcError};
use crate::codec::rfid::{chafon, llrp, mercury, tsl, Epc};
use nix::fcntl::{fcntl, FcntlArg, OFlag};
use nix::sys::termios::{cfmakeraw, tcgetattr, tcsetattr, SetArg};
use std::io;
use std::os::fd::OwnedFd;
use std::path::{Path, PathBuf};
use std::time::Duration;
use tokio::io::unix::AsyncFd;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::{interval, MissedTickBehavior};

/// The protocols a pty simulator speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SimProtocol {
    Chafon,
    Tsl,
    Mercury,
    Lines,
}

impl SimProtocol {
    pub fn as_str(self) -> &'static str {
        match self {
            SimProtocol::Chafon => "chafon",
            SimProtocol::Tsl => "tsl",
            SimProtocol::Mercury => "mercury",
            SimProtocol::Lines => "lines",
        }
    }
}

#[derive(Debug, Clone)]
pub struct SimOptions {
    /// Distinct tags (or scans) in the field.
    pub tags: u32,
    /// The EPCs of the tags in the field, in the order they are reported,
    /// instead of generated ones; `tags` is then ignored. Empty (the default):
    /// `tags` generated tags ([`sim_tag`]). Antennas and RSSIs stay those of
    /// [`sim_tag`] by position. For the RFID protocols (Chafon, TSL, Mercury,
    /// LLRP); the line scanner keeps typing [`scan_line`]s.
    pub epcs: Vec<[u8; 12]>,
    /// Reads (or scans) per second; 0 sends nothing unasked and answers polls with "no tag".
    pub rate: f64,
    /// Chafon active mode (push 0xEE frames, ignore inventory polls) instead of answer mode.
    pub active: bool,
    /// Also create a symlink to the slave here (replaced if it exists).
    pub link: Option<PathBuf>,
}

impl Default for SimOptions {
    fn default() -> SimOptions {
        SimOptions {
            tags: 20,
            epcs: Vec::new(),
            rate: 10.0,
            active: false,
            link: None,
        }
    }
}

impl SimOptions {
    /// The tags in the field, in the order the simulator reports them.
    pub fn field_tags(&self) -> Vec<SimTag> {
        let f = Field::new(self);
        (0..f.n).map(|i| f.tag(i)).collect()
    }
}

/// One simulated tag: what a reader reports for it.
#[derive(Debug, Clone, PartialEq)]
pub struct SimTag {
    pub epc: Vec<u8>,
    pub antenna: u16,
    pub rssi: i8,
}

/// The GS1 company prefix of simulated tags (GS1's example prefix).
pub const SIM_COMPANY_PREFIX: &str = "0614141";
/// The item reference (indicator digit first) of the simulated product's SGTINs.
pub const SIM_ITEM_REF: &str = "812345";

/// SGTIN-96, filter 0, of the simulated product with `serial` (at most 38
/// bits), encoded by `codec::epc`.
pub fn sgtin96(serial: u64) -> Result<[u8; 12], EpcError> {
    encode_sgtin96(0, SIM_COMPANY_PREFIX, SIM_ITEM_REF, serial)
}

/// GIAI-96, filter 0, of the simulated company's asset `asset_ref`, encoded by
/// `codec::epc`.
pub fn giai96(asset_ref: u64) -> Result<[u8; 12], EpcError> {
    encode_giai96(0, SIM_COMPANY_PREFIX, &asset_ref.to_string())
}

/// The `i`-th simulated tag: SGTIN-96 for even `i`, GIAI-96 for odd, with a
/// deterministic antenna (1–4) and RSSI (−40 … −74 dBm).
pub fn sim_tag(i: u32) -> SimTag {
    // Both fit their schemes for every u32 `i` (38-bit serial, 58-bit
    // asset reference), so the encoders cannot refuse them.
    let epc = if i.is_multiple_of(2) {
        sgtin96(1000 + u64::from(i))
    } else {
        giai96(5678 + u64::from(i))
    }
    .map(|b| b.to_vec())
    .unwrap_or_default();
    SimTag {
        epc,
        antenna: (i % 4) as u16 + 1,
        rssi: -40 - ((i * 7) % 35) as i8,
    }
}

/// The `i`-th simulated scanner line (without its CR LF).
pub fn scan_line(i: u32) -> Vec<u8> {
    match i % 3 {
        0 => format!("]C1010950600013435221SN{i:06}\x1d10LOT{}", i % 10).into_bytes(),
        1 => format!("ASSET-{i:06}").into_bytes(),
        _ => format!("]Q1https://id.gs1.org/8004/0614141{i:05}").into_bytes(),
    }
}

/// `tags` as the protocol's unsolicited output: Chafon active frames, a TSL
/// trigger inventory, Mercury tag records, or one scanner line per tag (its
/// EPC in hex).
pub fn unsolicited(protocol: SimProtocol, tags: &[SimTag]) -> Vec<u8> {
    let mut out = Vec::new();
    match protocol {
        SimProtocol::Chafon => {
            for t in tags {
                chafon::write_active_frame(&mut out, 0, &t.epc);
            }
        }
        SimProtocol::Tsl => {
            let list: Vec<(Epc, Option<i16>)> = tags
                .iter()
                .filter_map(|t| Some((Epc::from_slice(&t.epc)?, Some(t.rssi as i16))))
                .collect();
            out = tsl::encode_inventory(None, &list);
        }
        SimProtocol::Mercury => {
            for (k, t) in tags.iter().enumerate() {
                mercury::write_tag_record(
                    &mut out,
                    &t.epc,
                    t.rssi,
                    t.antenna as u8,
                    915_250,
                    k as u32,
                );
            }
        }
        SimProtocol::Lines => {
            for t in tags {
                if let Some(e) = Epc::from_slice(&t.epc) {
                    out.extend_from_slice(e.to_hex().as_bytes());
                    out.extend_from_slice(b"\r\n");
                }
            }
        }
    }
    out
}

/// The master side of a pty, non-blocking under tokio.
struct Master {
    fd: AsyncFd<OwnedFd>,
}

impl Master {
    async fn read(&self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let mut g = self.fd.readable().await?;
            match g.try_io(|fd| nix::unistd::read(fd.get_ref(), buf).map_err(io::Error::from)) {
                Ok(r) => return r,
                Err(_would_block) => continue,
            }
        }
    }

    /// Writes all of `bytes`; what the line cannot take within a second is
    /// dropped, as a serial line with nobody listening would.
    async fn write(&self, mut bytes: &[u8]) {
        while !bytes.is_empty() {
            let ready = tokio::time::timeout(Duration::from_secs(1), self.fd.writable()).await;
            let Ok(Ok(mut g)) = ready else { return };
            match g.try_io(|fd| nix::unistd::write(fd.get_ref(), bytes).map_err(io::Error::from)) {
                Ok(Ok(n)) => bytes = &bytes[n..],
                Ok(Err(_)) => return,
                Err(_would_block) => continue,
            }
        }
    }
}

enum SimCmd {
    Raw(Vec<u8>),
    Unplug,
}

/// A running pty simulator.
pub struct SimHandle {
    path: PathBuf,
    spec: String,
    link: Option<PathBuf>,
    cmd: mpsc::UnboundedSender<SimCmd>,
    received: Received,
    task: JoinHandle<()>,
}

/// The commands a simulator decoded, in order.
type Received = std::sync::Arc<std::sync::Mutex<Vec<Vec<u8>>>>;

impl SimHandle {
    /// The slave's path (`/dev/pts/N`).
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The SPEC `monitor` can use: `serial:/dev/pts/N?protocol=…`.
    pub fn spec(&self) -> &str {
        &self.spec
    }

    /// The commands the simulated reader has received so far, in order: a
    /// Chafon frame as `[cmd, data…]`, a Mercury frame as `[opcode, data…]`,
    /// a TSL command as its line. Lets a test check what the station sent
    /// (the Mercury stop when a session ends, for one).
    pub fn received(&self) -> Vec<Vec<u8>> {
        self.received.lock().map(|r| r.clone()).unwrap_or_default()
    }

    /// Writes `bytes` to the line as they are (noise, broken frames, scripted reads).
    pub fn inject(&self, bytes: impl Into<Vec<u8>>) {
        let _ = self.cmd.send(SimCmd::Raw(bytes.into()));
    }

    /// Unplugs the reader: closes the pty (the station's reads fail) and
    /// removes the symlink if it still points at this pty.
    pub async fn unplug(self) {
        let _ = self.cmd.send(SimCmd::Unplug);
        let _ = self.task.await;
        if let Some(link) = &self.link {
            if std::fs::read_link(link).ok().as_deref() == Some(self.path.as_path()) {
                let _ = std::fs::remove_file(link);
            }
        }
    }
}

fn nix_io(e: nix::Error) -> io::Error {
    io::Error::from(e)
}

/// Opens a pty and serves `protocol` on it. Needs a tokio runtime.
pub fn spawn(protocol: SimProtocol, opts: SimOptions) -> io::Result<SimHandle> {
    let pty = nix::pty::openpty(None, None).map_err(nix_io)?;
    let mut t = tcgetattr(&pty.slave).map_err(nix_io)?;
    cfmakeraw(&mut t);
    tcsetattr(&pty.slave, SetArg::TCSANOW, &t).map_err(nix_io)?;
    let path = nix::unistd::ttyname(&pty.slave).map_err(nix_io)?;
    fcntl(&pty.master, FcntlArg::F_SETFL(OFlag::O_NONBLOCK)).map_err(nix_io)?;
    // `AsyncFd::new` is deprecated because a registered raw fd could be closed
    // by another owner; this fd is an OwnedFd moved into the AsyncFd, so nobody else can.
    #[allow(deprecated)]
    let master = Master {
        fd: AsyncFd::new(pty.master)?,
    };
    if let Some(link) = &opts.link {
        if std::fs::symlink_metadata(link).is_ok() {
            std::fs::remove_file(link)?;
        }
        std::os::unix::fs::symlink(&path, link)?;
    }
    let spec = format!("serial:{}?protocol={}", path.display(), protocol.as_str());
    let (cmd, rx) = mpsc::unbounded_channel();
    let slave = pty.slave;
    let link = opts.link.clone();
    let received = Received::default();
    let log = received.clone();
    let task = tokio::spawn(async move {
        serve(protocol, opts, master, rx, log).await;
        // The slave copy kept the pty alive with nobody attached; now it goes too.
        drop(slave);
    });
    Ok(SimHandle {
        path,
        spec,
        link,
        cmd,
        received,
        task,
    })
}

/// Round-robin over the tags in the field.
struct Field {
    /// The explicit EPCs, if any.
    epcs: Vec<[u8; 12]>,
    /// Tags in the field, at least 1.
    n: u32,
    next: u32,
    /// False when there is nothing to report unasked (no rate or no tags).
    auto: bool,
}

impl Field {
    fn new(opts: &SimOptions) -> Field {
        let explicit = u32::try_from(opts.epcs.len()).unwrap_or(u32::MAX);
        let n = if explicit > 0 { explicit } else { opts.tags };
        Field {
            epcs: opts.epcs.clone(),
            n: n.max(1),
            next: 0,
            auto: opts.rate > 0.0 && n > 0,
        }
    }

    /// The `i`-th tag of the field.
    fn tag(&self, i: u32) -> SimTag {
        let generated = sim_tag(i);
        match self.epcs.get(i as usize) {
            Some(epc) => SimTag {
                epc: epc.to_vec(),
                ..generated
            },
            None => generated,
        }
    }

    fn take(&mut self, k: u32) -> Vec<SimTag> {
        (0..k.min(self.n))
            .map(|_| {
                let t = self.tag(self.next);
                self.next = (self.next + 1) % self.n;
                t
            })
            .collect()
    }
}

async fn serve(
    protocol: SimProtocol,
    opts: SimOptions,
    master: Master,
    mut rx: mpsc::UnboundedReceiver<SimCmd>,
    log: Received,
) {
    let record = |frame: Vec<u8>| {
        if let Ok(mut r) = log.lock() {
            r.push(frame);
        }
    };
    let mut field = Field::new(&opts);
    let auto = field.auto;
    let period = match protocol {
        // One trigger pull a second with `rate` tags in it.
        SimProtocol::Tsl => Duration::from_secs(1),
        _ if auto => Duration::from_secs_f64((1.0 / opts.rate).max(0.001)),
        _ => Duration::from_secs(3600),
    };
    let per_tick = match protocol {
        SimProtocol::Tsl => opts.rate.ceil() as u32,
        _ => 1,
    };
    let per_poll = (opts.rate / 10.0).ceil().max(1.0) as u32;
    let mut tick = interval(period);
    tick.set_missed_tick_behavior(MissedTickBehavior::Delay);
    tick.tick().await;
    let mut keepalive = interval(Duration::from_secs(1));
    keepalive.set_missed_tick_behavior(MissedTickBehavior::Delay);
    let mut chafon_in = chafon::Decoder::new(chafon::Direction::ToReader);
    let mut mercury_in = mercury::Decoder::new(mercury::Direction::ToModule);
    let mut tsl_in = crate::codec::rfid::lines::LineSplitter::default();
    let mut reading = false;
    let mut scan_no = 0u32;
    let mut buf = vec![0u8; 4096];
    loop {
        let mut out = Vec::new();
        tokio::select! {
            c = rx.recv() => match c {
                Some(SimCmd::Raw(b)) => out = b,
                Some(SimCmd::Unplug) | None => return,
            },
            r = master.read(&mut buf) => {
                let Ok(n) = r else { return };
                let input = &buf[..n];
                match protocol {
                    SimProtocol::Chafon => {
                        chafon_in.push(input);
                        while let Some(f) = chafon_in.next_frame() {
                            record([&[f.cmd][..], f.data].concat());
                            match f.cmd {
                                chafon::CMD_INVENTORY if opts.active => {}
                                chafon::CMD_INVENTORY => {
                                    let tags = if auto { field.take(per_poll) } else { Vec::new() };
                                    let refs: Vec<&[u8]> = tags.iter().map(|t| t.epc.as_slice()).collect();
                                    out.extend(chafon::encode_inventory_response(0, chafon::STATUS_DONE, &refs));
                                }
                                chafon::CMD_READER_INFO => chafon::write_response(
                                    &mut out, 0, chafon::CMD_READER_INFO, 0,
                                    &[0x03, 0x01, 0x08, 0x03, 0x4E, 0x00, 0x1E, 0x0A, 0x00]),
                                cmd => chafon::write_response(&mut out, 0, cmd, 0, &[]),
                            }
                        }
                    }
                    SimProtocol::Tsl => {
                        tsl_in.push(input);
                        while let Some(line) = tsl_in.next_line() {
                            let cmd = String::from_utf8_lossy(line).trim().to_string();
                            if cmd.is_empty() {
                                continue;
                            }
                            record(cmd.clone().into_bytes());
                            if cmd.starts_with(".iv") {
                                let tags = if auto { field.take(per_tick) } else { Vec::new() };
                                let list: Vec<(Epc, Option<i16>)> = tags
                                    .iter()
                                    .filter_map(|t| Some((Epc::from_slice(&t.epc)?, Some(t.rssi as i16))))
                                    .collect();
                                out.extend(tsl::encode_inventory(Some(&cmd), &list));
                            } else if cmd.starts_with('.') {
                                out.extend(format!("CS: {cmd}\r\nOK:\r\n\r\n").into_bytes());
                            } else {
                                out.extend(tsl::encode_error(&cmd, 1));
                            }
                        }
                    }
                    SimProtocol::Mercury => {
                        mercury_in.push(input);
                        while let Some(f) = mercury_in.next_frame() {
                            record([&[f.op][..], f.data].concat());
                            match (f.op, f.data) {
                                (mercury::OP_MULTI_PROTOCOL, d) if d.len() >= 3 => {
                                    reading = d[2] == 0x01;
                                    mercury::write_response(&mut out, f.op, 0, &d[..3]);
                                }
                                (mercury::OP_VERSION, _) => mercury::write_response(
                                    &mut out, f.op, 0,
                                    &[0x12, 0x04, 0x00, 0x00, 0x20, 0x16, 0x01, 0x01, 0x01, 0x03, 0x00, 0x10]),
                                (op, _) => mercury::write_response(&mut out, op, 0x0101, &[]),
                            }
                        }
                    }
                    SimProtocol::Lines => {}
                }
            }
            _ = tick.tick(), if auto => {
                match protocol {
                    SimProtocol::Chafon if opts.active => out = unsolicited(protocol, &field.take(1)),
                    SimProtocol::Chafon => {}
                    SimProtocol::Tsl => out = unsolicited(protocol, &field.take(per_tick)),
                    SimProtocol::Mercury if reading => out = unsolicited(protocol, &field.take(1)),
                    SimProtocol::Mercury => {}
                    SimProtocol::Lines => {
                        out = scan_line(scan_no % opts.tags.max(1));
                        out.extend_from_slice(b"\r\n");
                        scan_no = scan_no.wrapping_add(1);
                    }
                }
            }
            _ = keepalive.tick(), if protocol == SimProtocol::Mercury && reading => {
                mercury::write_keepalive(&mut out);
            }
        }
        if !out.is_empty() {
            master.write(&out).await;
        }
    }
}

/// A running LLRP reader simulator.
pub struct LlrpSim {
    pub addr: std::net::SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl LlrpSim {
    /// The SPEC `monitor` can use.
    pub fn spec(&self) -> String {
        format!("tcp:{}?protocol=llrp", self.addr)
    }

    /// Stops listening and drops every connection.
    pub async fn stop(mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
        let _ = self.task.await;
    }
}

/// An LLRP reader on 127.0.0.1 (an ephemeral port): it greets each client
/// with a successful ConnectionAttemptEvent, accepts the ROSpec commands,
/// and once the ROSpec is enabled reports `opts.rate` tags a second over
/// `opts.tags` tags (each with a TagSeenCount of 2). It sends a KEEPALIVE
/// every `keepalive` when given, and as a real reader does, at the period a
/// client's SET_READER_CONFIG asks for (none if it asks for none).
pub async fn llrp_server(opts: SimOptions, keepalive: Option<Duration>) -> io::Result<LlrpSim> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let (stop_tx, mut stop_rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        let mut conns = tokio::task::JoinSet::new();
        loop {
            tokio::select! {
                _ = &mut stop_rx => return,
                a = listener.accept() => {
                    if let Ok((s, _)) = a {
                        conns.spawn(llrp_conn(s, opts.clone(), keepalive));
                    }
                }
            }
        }
    });
    Ok(LlrpSim {
        addr,
        stop: Some(stop_tx),
        task,
    })
}

async fn llrp_conn(mut s: tokio::net::TcpStream, opts: SimOptions, keepalive: Option<Duration>) {
    let mut id = 1000u32;
    if s.write_all(&llrp::reader_event_connection(id, 0, 0))
        .await
        .is_err()
    {
        return;
    }
    let mut framer = llrp::Framer::default();
    let mut buf = vec![0u8; 4096];
    let mut field = Field::new(&opts);
    let auto = field.auto;
    let mut tick = interval(Duration::from_secs_f64(if auto {
        (1.0 / opts.rate).max(0.001)
    } else {
        3600.0
    }));
    let mut keepalive = keepalive;
    let mut ka = interval(keepalive.unwrap_or(Duration::from_secs(3600)));
    ka.tick().await;
    let mut running = false;
    loop {
        let mut out = Vec::new();
        tokio::select! {
            r = s.read(&mut buf) => {
                let n = match r { Ok(0) | Err(_) => return, Ok(n) => n };
                framer.push(&buf[..n]);
                while let Ok(Some(m)) = framer.next_message() {
                    let reply = match m.kind {
                        llrp::SET_READER_CONFIG => {
                            if let Some(period) = llrp::keepalive_spec(&m.body) {
                                keepalive = period.filter(|&ms| ms > 0).map(|ms| Duration::from_millis(ms.into()));
                                ka = interval(keepalive.unwrap_or(Duration::from_secs(3600)));
                                ka.reset();
                            }
                            Some(llrp::SET_READER_CONFIG_RESPONSE)
                        }
                        llrp::DELETE_ROSPEC => Some(llrp::DELETE_ROSPEC_RESPONSE),
                        llrp::ADD_ROSPEC => Some(llrp::ADD_ROSPEC_RESPONSE),
                        llrp::ENABLE_ROSPEC => { running = true; Some(llrp::ENABLE_ROSPEC_RESPONSE) }
                        llrp::CLOSE_CONNECTION => {
                            let _ = s.write_all(&llrp::status_message(llrp::CLOSE_CONNECTION_RESPONSE, m.id, 0, "")).await;
                            return;
                        }
                        _ => None,
                    };
                    if let Some(k) = reply {
                        out.extend(llrp::status_message(k, m.id, 0, ""));
                    }
                }
            }
            _ = tick.tick(), if auto && running => {
                let t = field.take(1);
                let tags: Vec<llrp::TagOut> = t.iter().map(|t| llrp::TagOut { epc: &t.epc, antenna: t.antenna, rssi: t.rssi, seen: 2 }).collect();
                id = id.wrapping_add(1);
                out = llrp::ro_access_report(id, &tags);
            }
            _ = ka.tick(), if keepalive.is_some() => {
                id = id.wrapping_add(1);
                out = llrp::keepalive(id);
            }
        }
        if !out.is_empty() && s.write_all(&out).await.is_err() {
            return;
        }
    }
}
