//! A webhook receiver on 127.0.0.1 that does what docs/sync.md asks of a
//! real one — verifies every signature and timestamp
//! ([`super::webhook_sign::verify`]), refuses what fails with 401, and keeps
//! each event once by its `Idempotency-Key` — and fails on demand: 5xx,
//! 4xx, 429, connections dropped before or after it kept the event, and
//! answers that never come after it kept it.
//!
//! The tests and `examples/webhook_receiver.rs` (for checks by hand) share
//! it, as they share the fake Snipe-IT. HTTP/1.1 by hand with keep-alive, so
//! a fault can cut the connection exactly where it wants.

use super::pace::Clock;
use super::webhook_sign as sign;
use rand::SeedableRng;
use serde_json::{json, Value};
use std::collections::{BTreeMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// One injected fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fault {
    /// HTTP 503 without keeping the event.
    ServerError,
    /// Close the connection without keeping the event or answering.
    DropBeforeApply,
    /// Keep the event, then close the connection without an answer.
    DropAfterApply,
    /// Keep the event, then say nothing until the client gives up.
    TimeoutAfterApply,
    /// Refuse the event with this status and message (a 4xx: it parks).
    Reject(u16, String),
    /// HTTP 429, with `Retry-After: N` seconds when given.
    Throttle(Option<u64>),
}

/// Random faults (probabilities per verified request) and a script (first).
#[derive(Debug, Clone, Default)]
pub struct Faults {
    /// Faults for the next verified requests, in order (None: answer normally).
    pub script: VecDeque<Option<Fault>>,
    pub p_server_error: f64,
    pub p_drop_before: f64,
    pub p_drop_after: f64,
    pub p_timeout_after: f64,
}

/// An event as kept: the first delivery of its key.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    pub key: String,
    pub body: Value,
    pub timestamp: i64,
    /// The journal head the request carried.
    pub head: Option<(i64, String)>,
}

/// Everything the receiver knows; read and change it through [`Receiver::state`].
#[derive(Debug)]
pub struct State {
    secret: Vec<u8>,
    /// Added to the receiver's wall clock: a receiver whose clock is off.
    pub skew_secs: i64,
    pub faults: Faults,
    /// How long a `TimeoutAfterApply` stays silent.
    pub hang: Duration,
    /// Events kept, by Idempotency-Key.
    pub kept: BTreeMap<String, Delivery>,
    /// Keys in the order they were first kept.
    pub order: Vec<String>,
    pub requests: u64,
    /// Requests whose signature and timestamp verified.
    pub verified: u64,
    /// Verified requests for a key already kept (answered 200, not kept again).
    pub duplicates: u64,
    /// Why requests were refused (401), in order.
    pub refused: Vec<String>,
    /// Requests whose Idempotency-Key is not the body's `uuid`.
    pub key_mismatches: u64,
    /// The time (ms, by the clock given to `start`: tokio's, paused in
    /// tests) each request arrived, in order.
    pub arrivals_ms: Vec<i64>,
    /// One line per request, for a person watching.
    pub log: Vec<String>,
    clock: Clock,
    rng: rand::rngs::StdRng,
}

impl State {
    fn next_fault(&mut self) -> Option<Fault> {
        if let Some(f) = self.faults.script.pop_front() {
            return f;
        }
        let f = &self.faults;
        let table = [
            (f.p_server_error, Fault::ServerError),
            (f.p_drop_before, Fault::DropBeforeApply),
            (f.p_drop_after, Fault::DropAfterApply),
            (f.p_timeout_after, Fault::TimeoutAfterApply),
        ];
        super::fake::roll(&mut self.rng, table)
    }

    /// The receiver's wall clock in Unix seconds (with its skew), as a
    /// real receiver reads it.
    pub fn now_secs(&self) -> i64 {
        super::webhook::unix_now_secs().saturating_add(self.skew_secs)
    }
}

/// A running receiver; dropping it stops the server.
pub struct Receiver {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl Receiver {
    /// Listens on 127.0.0.1:`port` (0: any free port), verifying with
    /// `secret`, its faults drawn from `seed`; `clock` stamps arrivals.
    pub async fn start(
        secret: &[u8],
        port: u16,
        seed: u64,
        clock: Clock,
    ) -> std::io::Result<Receiver> {
        let listener = TcpListener::bind(("127.0.0.1", port)).await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(Mutex::new(State {
            secret: secret.to_vec(),
            skew_secs: 0,
            faults: Faults::default(),
            hang: Duration::from_secs(30),
            kept: BTreeMap::new(),
            order: Vec::new(),
            requests: 0,
            verified: 0,
            duplicates: 0,
            refused: Vec::new(),
            key_mismatches: 0,
            arrivals_ms: Vec::new(),
            log: Vec::new(),
            clock,
            rng: rand::rngs::StdRng::seed_from_u64(seed),
        }));
        let st = state.clone();
        let task = tokio::spawn(async move {
            while let Ok((sock, _)) = listener.accept().await {
                let st = st.clone();
                tokio::spawn(async move {
                    let _ = serve(sock, st).await;
                });
            }
        });
        Ok(Receiver { addr, state, task })
    }

    /// `http://127.0.0.1:PORT/hook`.
    pub fn url(&self) -> String {
        format!("http://{}/hook", self.addr)
    }

    /// The receiver's state, to read or change (lock briefly).
    pub fn state(&self) -> std::sync::MutexGuard<'_, State> {
        lock(&self.state)
    }
}

fn lock(m: &Mutex<State>) -> std::sync::MutexGuard<'_, State> {
    match m.lock() {
        Ok(g) => g,
        Err(p) => p.into_inner(),
    }
}

/// One request as read: method, headers (lowercase names), raw body.
struct Request {
    method: String,
    headers: BTreeMap<String, Vec<u8>>,
    body: Vec<u8>,
}

/// What to do with the connection after deciding.
enum Reply {
    Answer(u16, Value, Option<u64>),
    Drop,
    Hang(Duration),
}

async fn serve(mut sock: TcpStream, st: Arc<Mutex<State>>) -> std::io::Result<()> {
    while let Some(req) = read_request(&mut sock).await? {
        let reply = decide(&mut lock(&st), &req);
        match reply {
            Reply::Drop => return Ok(()),
            Reply::Hang(d) => {
                tokio::time::sleep(d).await;
                return Ok(());
            }
            Reply::Answer(status, body, retry_after) => {
                let text = body.to_string();
                let mut head = format!(
                    "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\n\
                     Content-Length: {}\r\n",
                    text.len()
                );
                if let Some(s) = retry_after {
                    head.push_str(&format!("Retry-After: {s}\r\n"));
                }
                head.push_str("\r\n");
                head.push_str(&text);
                sock.write_all(head.as_bytes()).await?;
            }
        }
    }
    Ok(())
}

fn decide(s: &mut State, r: &Request) -> Reply {
    s.requests += 1;
    let now_ms = s.clock.now_ms();
    s.arrivals_ms.push(now_ms);
    let h = |n: &str| r.headers.get(n).map(Vec::as_slice);
    let key = String::from_utf8_lossy(h("idempotency-key").unwrap_or_default()).into_owned();
    if r.method != "POST" {
        s.log.push(format!("{} refused: not POST", r.method));
        return Reply::Answer(405, json!({"error": "POST only"}), None);
    }
    let checked = sign::verify(
        &s.secret,
        h("x-scanstation-timestamp"),
        h("x-scanstation-signature"),
        &r.body,
        s.now_secs(),
    );
    let timestamp = match checked {
        Ok(t) => t,
        Err(e) => {
            s.log.push(format!("{key}: refused: {e}"));
            s.refused.push(e.to_string());
            return Reply::Answer(401, json!({ "error": e.to_string() }), None);
        }
    };
    s.verified += 1;
    let body: Value = serde_json::from_slice(&r.body).unwrap_or(Value::Null);
    if body.get("uuid").and_then(Value::as_str) != Some(key.as_str()) {
        s.key_mismatches += 1;
    }
    let head = h("x-scanstation-journal-head").and_then(sign::parse_head);
    let fault = s.next_fault();
    let kind = body.get("kind").and_then(Value::as_str).unwrap_or("?");
    let seq = body.get("seq").and_then(Value::as_i64).unwrap_or(0);
    let line = format!("#{seq} {kind} {key}");
    match &fault {
        Some(Fault::ServerError) => {
            s.log.push(format!("{line}: fault 503"));
            return Reply::Answer(503, json!({"error": "injected failure"}), None);
        }
        Some(Fault::DropBeforeApply) => {
            s.log.push(format!("{line}: fault: dropped before keeping"));
            return Reply::Drop;
        }
        Some(Fault::Reject(status, msg)) => {
            s.log.push(format!("{line}: rejected {status}"));
            return Reply::Answer(*status, json!({ "error": msg }), None);
        }
        Some(Fault::Throttle(after)) => {
            s.log.push(format!("{line}: throttled"));
            return Reply::Answer(429, json!({"error": "slow down"}), *after);
        }
        _ => {}
    }
    let duplicate = s.kept.contains_key(&key);
    if duplicate {
        s.duplicates += 1;
    } else {
        s.order.push(key.clone());
        s.kept.insert(
            key.clone(),
            Delivery {
                key: key.clone(),
                body,
                timestamp,
                head: head.clone(),
            },
        );
    }
    let head_text = head.map_or("-".into(), |(q, h)| format!("{q}:{}", &h[..12]));
    s.log.push(format!(
        "{line}: verified, {} (head {head_text})",
        if duplicate {
            "duplicate dropped"
        } else {
            "kept"
        }
    ));
    match fault {
        Some(Fault::DropAfterApply) => Reply::Drop,
        Some(Fault::TimeoutAfterApply) => Reply::Hang(s.hang),
        _ => Reply::Answer(200, json!({ "ok": true, "duplicate": duplicate }), None),
    }
}

async fn read_request(sock: &mut TcpStream) -> std::io::Result<Option<Request>> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 8192];
    let end = loop {
        let n = sock.read(&mut chunk).await?;
        if n == 0 {
            return Ok(None);
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(p) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break p;
        }
        if buf.len() > 1 << 20 {
            return Ok(None);
        }
    };
    let mut lines = buf[..end].split(|b| *b == b'\n');
    let first = String::from_utf8_lossy(lines.next().unwrap_or_default()).into_owned();
    let method = first.split(' ').next().unwrap_or_default().to_string();
    let mut headers = BTreeMap::new();
    for l in lines {
        let l = l.strip_suffix(b"\r").unwrap_or(l);
        if let Some(i) = l.iter().position(|b| *b == b':') {
            let name = String::from_utf8_lossy(&l[..i]).trim().to_ascii_lowercase();
            let v = l[i + 1..].trim_ascii().to_vec();
            headers.insert(name, v);
        }
    }
    let len: usize = headers
        .get("content-length")
        .and_then(|v| std::str::from_utf8(v).ok())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
        .min(1 << 24);
    let mut body = buf[end + 4..].to_vec();
    while body.len() < len {
        let n = sock.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    body.truncate(len);
    Ok(Some(Request {
        method,
        headers,
        body,
    }))
}
