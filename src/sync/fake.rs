//! A fake Snipe-IT on 127.0.0.1: stateful, with Snipe-IT's answer shapes and
//! its awkward habits (HTTP 200 with `"status":"error"`, a 429 without
//! `Retry-After`, lists capped at 500, HTML-escaped strings, formatted costs),
//! and faults on demand: 5xx, 429, 200-with-error, HTML pages, timeouts and
//! dropped connections *after* the change was applied. It counts creates,
//! audits and check-ins so tests can prove nothing was applied twice.
//!
//! The tests and `scanstation sync serve-fake` (for checks by hand) share it,
//! as the reader simulators serve both the tests and the demo.
//!
//! HTTP/1.1 by hand with keep-alive: enough for reqwest, and a fault can cut
//! the connection exactly where it wants.

use rand::{Rng, SeedableRng};
use serde_json::{json, Map, Value};
use std::collections::{BTreeMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// One injected fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// HTTP 500 before applying.
    ServerError,
    /// HTTP 429 with Snipe-IT's JSON body and no Retry-After.
    Throttle,
    /// HTTP 200 with `"status":"error"` and a field message, before applying.
    ErrorBody,
    /// HTTP 200 with an HTML login page, before applying.
    Html,
    /// Apply, then say nothing until the client gives up.
    TimeoutAfterApply,
    /// Apply, then close the connection without an answer.
    DropAfterApply,
}

/// Random faults (probabilities per request) and a script (first).
#[derive(Debug, Clone, Default)]
pub struct Faults {
    /// Faults for the next requests in order (None: answer normally).
    pub script: VecDeque<Option<Fault>>,
    /// Faults for the next requests whose line (`POST /hardware`) starts
    /// with the front entry's prefix, in order; checked first.
    pub on: VecDeque<(String, Fault)>,
    pub p_server_error: f64,
    pub p_timeout: f64,
    pub p_drop: f64,
    pub p_error_body: f64,
}

/// An object of a reference list (model, location …).
#[derive(Debug, Clone, PartialEq)]
pub struct Obj {
    pub name: String,
    /// Other fields as sent (`category_id`, `type` …).
    pub fields: Map<String, Value>,
}

/// An asset as the fake stores it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Asset {
    pub tag: String,
    pub fields: Map<String, Value>,
    pub checked_out: bool,
}

/// An activity log entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Activity {
    pub item_id: i64,
    pub action: &'static str,
    pub note: String,
}

/// Everything the fake knows; tests read and change it through [`FakeSnipeIt::state`].
#[derive(Debug)]
pub struct State {
    pub token: String,
    pub assets: BTreeMap<i64, Asset>,
    /// Lists by API name: `models`, `locations`, `statuslabels` …
    pub lists: BTreeMap<&'static str, BTreeMap<i64, Obj>>,
    pub activity: Vec<Activity>,
    /// Maintenance records by id: `asset_id`, `title`, `notes`, dates….
    pub maintenances: BTreeMap<i64, Map<String, Value>>,
    pub faults: Faults,
    /// Requests answered per minute before 429 (None: no throttle, no headers).
    pub throttle: Option<u32>,
    pub window_used: u32,
    /// How long a `TimeoutAfterApply` stays silent.
    pub hang: Duration,
    pub requests: u64,
    /// Request lines seen (`POST /api/v1/hardware`), in order.
    pub log: Vec<String>,
    /// Every request's headers, for tests that look for leaks.
    pub headers_seen: Vec<String>,
    next_id: i64,
    rng: rand::rngs::StdRng,
}

pub const LISTS: [&str; 7] = [
    "locations",
    "statuslabels",
    "models",
    "manufacturers",
    "suppliers",
    "categories",
    "companies",
];

impl State {
    fn new(token: &str, seed: u64) -> State {
        let mut s = State {
            token: token.to_string(),
            assets: BTreeMap::new(),
            lists: LISTS.iter().map(|k| (*k, BTreeMap::new())).collect(),
            activity: Vec::new(),
            maintenances: BTreeMap::new(),
            faults: Faults::default(),
            throttle: None,
            window_used: 0,
            hang: Duration::from_secs(30),
            requests: 0,
            log: Vec::new(),
            headers_seen: Vec::new(),
            next_id: 1,
            rng: rand::rngs::StdRng::seed_from_u64(seed),
        };
        for (name, ty) in [
            ("Ready to Deploy", "deployable"),
            ("Pending", "pending"),
            ("Archived", "archived"),
            ("Out for Repair", "undeployable"),
            ("Lost/Stolen", "archived"),
        ] {
            s.add("statuslabels", name, json!({ "type": ty }));
        }
        s
    }

    /// Adds an object to a list; returns its id.
    pub fn add(&mut self, list: &'static str, name: &str, fields: Value) -> i64 {
        let id = self.id();
        let fields = match fields {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        self.lists.entry(list).or_default().insert(
            id,
            Obj {
                name: name.to_string(),
                fields,
            },
        );
        id
    }

    /// Adds an asset as if created upstream by someone else; returns its id.
    pub fn add_asset(&mut self, tag: &str, fields: Value) -> i64 {
        let id = self.id();
        let fields = match fields {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        self.assets.insert(
            id,
            Asset {
                tag: tag.to_string(),
                fields,
                checked_out: false,
            },
        );
        id
    }

    fn id(&mut self) -> i64 {
        self.next_id += 1;
        self.next_id
    }

    /// How many times each kind of action was applied to `tag`'s asset(s).
    pub fn applied(&self, action: &str) -> usize {
        self.activity.iter().filter(|a| a.action == action).count()
    }

    /// The asset with `tag` (case-insensitive, as MySQL compares).
    pub fn asset_by_tag(&self, tag: &str) -> Option<(i64, &Asset)> {
        self.assets
            .iter()
            .find(|(_, a)| a.tag.eq_ignore_ascii_case(tag))
            .map(|(id, a)| (*id, a))
    }

    /// The id of `name` in `list`.
    pub fn id_of(&self, list: &str, name: &str) -> Option<i64> {
        self.lists
            .get(list)?
            .iter()
            .find(|(_, o)| o.name.eq_ignore_ascii_case(name))
            .map(|(id, _)| *id)
    }

    fn next_fault(&mut self, line: &str) -> Option<Fault> {
        if let Some((prefix, f)) = self.faults.on.front() {
            if line.starts_with(prefix.as_str()) {
                let f = *f;
                self.faults.on.pop_front();
                return Some(f);
            }
        }
        if let Some(f) = self.faults.script.pop_front() {
            return f;
        }
        let f = &self.faults;
        let table = [
            (f.p_server_error, Fault::ServerError),
            (f.p_timeout, Fault::TimeoutAfterApply),
            (f.p_drop, Fault::DropAfterApply),
            (f.p_error_body, Fault::ErrorBody),
        ];
        roll(&mut self.rng, table)
    }
}

/// One of `table`'s faults by its probability, or none (the rest of 1.0).
/// The test servers' (this fake's, the webhook receiver's) fault dice.
pub(crate) fn roll<T, const N: usize>(
    rng: &mut rand::rngs::StdRng,
    table: [(f64, T); N],
) -> Option<T> {
    let roll: f64 = rng.random();
    let mut acc = 0.0;
    for (p, fault) in table {
        acc += p;
        if roll < acc {
            return Some(fault);
        }
    }
    None
}

/// A running fake; dropping it stops the server.
pub struct FakeSnipeIt {
    addr: SocketAddr,
    state: Arc<Mutex<State>>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for FakeSnipeIt {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl FakeSnipeIt {
    /// Listens on 127.0.0.1:`port` (0: any free port) accepting `token`.
    pub async fn start(token: &str, port: u16, seed: u64) -> std::io::Result<FakeSnipeIt> {
        let listener = TcpListener::bind(("127.0.0.1", port)).await?;
        let addr = listener.local_addr()?;
        let state = Arc::new(Mutex::new(State::new(token, seed)));
        let st = state.clone();
        let task = tokio::spawn(async move {
            while let Ok((sock, _)) = listener.accept().await {
                let st = st.clone();
                tokio::spawn(async move {
                    let _ = serve(sock, st).await;
                });
            }
        });
        Ok(FakeSnipeIt { addr, state, task })
    }

    /// `http://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The fake's state, to read or change (lock briefly).
    pub fn state(&self) -> std::sync::MutexGuard<'_, State> {
        match self.state.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        }
    }
}

struct Request {
    method: String,
    path: Vec<String>,
    query: BTreeMap<String, String>,
    auth: Option<String>,
    body: Value,
}

async fn serve(mut sock: TcpStream, st: Arc<Mutex<State>>) -> std::io::Result<()> {
    // Keep-alive: requests one after another until the client closes, or a
    // fault cuts the connection.
    while let Some((req, headers)) = read_request(&mut sock).await? {
        let (status, body, fault, limits, hang) = {
            let mut s = match st.lock() {
                Ok(g) => g,
                Err(p) => p.into_inner(),
            };
            s.requests += 1;
            s.log
                .push(format!("{} /{}", req.method, req.path.join("/")));
            s.headers_seen.push(headers);
            let hang = s.hang;
            let (status, body, fault) = respond(&mut s, &req);
            let limits = s.throttle.map(|l| (l, l.saturating_sub(s.window_used)));
            (status, body, fault, limits, hang)
        };
        match fault {
            Some(Fault::DropAfterApply) => return Ok(()),
            Some(Fault::TimeoutAfterApply) => {
                tokio::time::sleep(hang).await;
                return Ok(());
            }
            _ => {}
        }
        let (ctype, text) = match &body {
            Value::String(html) => ("text/html; charset=UTF-8", html.clone()),
            v => ("application/json", v.to_string()),
        };
        let mut head = format!(
            "HTTP/1.1 {status} X\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\n",
            text.len()
        );
        if let (Some((limit, left)), true) = (limits, status != 429) {
            head.push_str(&format!(
                "X-RateLimit-Limit: {limit}\r\nX-RateLimit-Remaining: {left}\r\n"
            ));
        }
        head.push_str("\r\n");
        head.push_str(&text);
        sock.write_all(head.as_bytes()).await?;
    }
    Ok(())
}

async fn read_request(sock: &mut TcpStream) -> std::io::Result<Option<(Request, String)>> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
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
    let head = String::from_utf8_lossy(&buf[..end]).into_owned();
    let mut lines = head.split("\r\n");
    let first = lines.next().unwrap_or_default();
    let mut parts = first.split(' ');
    let method = parts.next().unwrap_or_default().to_string();
    let target = parts.next().unwrap_or_default();
    let mut len = 0usize;
    let mut auth = None;
    for l in lines.clone() {
        if let Some((k, v)) = l.split_once(':') {
            match k.trim().to_ascii_lowercase().as_str() {
                "content-length" => len = v.trim().parse().unwrap_or(0),
                "authorization" => auth = Some(v.trim().to_string()),
                _ => {}
            }
        }
    }
    let mut body = buf[end + 4..].to_vec();
    while body.len() < len {
        let n = sock.read(&mut chunk).await?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    let (path, q) = target.split_once('?').unwrap_or((target, ""));
    let path = path
        .split('/')
        .filter(|s| !s.is_empty())
        .skip(2) // api/v1
        .map(|s| decode(s, false))
        .collect();
    let query = q
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (decode(k, true), decode(v, true)))
        .collect();
    let body = serde_json::from_slice(&body).unwrap_or(Value::Null);
    Ok(Some((
        Request {
            method,
            path,
            query,
            auth,
            body,
        },
        head,
    )))
}

fn decode(s: &str, plus: bool) -> String {
    let b = s.as_bytes();
    let hex = |c: u8| (c as char).to_digit(16);
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match (
            b[i],
            b.get(i + 1).and_then(|c| hex(*c)),
            b.get(i + 2).and_then(|c| hex(*c)),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
            (b'+', _, _) if plus => out.push(b' '),
            (c, _, _) => out.push(c),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

pub(super) fn error(messages: Value) -> Value {
    json!({"status": "error", "messages": messages, "payload": null})
}

pub(super) fn success(messages: &str, payload: Value) -> Value {
    json!({"status": "success", "messages": messages, "payload": payload})
}

/// The answer to one request, and the fault that shapes its delivery.
fn respond(s: &mut State, r: &Request) -> (u16, Value, Option<Fault>) {
    if r.auth.as_deref() != Some(&format!("Bearer {}", s.token)) {
        return (
            401,
            json!({"error": "Unauthorized or unauthenticated."}),
            None,
        );
    }
    if let Some(limit) = s.throttle {
        if s.window_used >= limit {
            return (429, error(json!("Too many requests")), None);
        }
        s.window_used += 1;
    }
    let line = format!("{} /{}", r.method, r.path.join("/"));
    let fault = s.next_fault(&line);
    match fault {
        Some(Fault::ServerError) => return (500, json!({"message": "Server Error"}), fault),
        Some(Fault::Throttle) => return (429, error(json!("Too many requests")), fault),
        Some(Fault::ErrorBody) => {
            return (
                200,
                error(json!({"injected": ["A fault the test asked for."]})),
                fault,
            )
        }
        Some(Fault::Html) => {
            return (
                200,
                Value::String("<!DOCTYPE html><html><body>Login</body></html>".into()),
                fault,
            )
        }
        _ => {}
    }
    let (status, body) =
        super::fake_routes::route(s, r.method.as_str(), &r.path, &r.query, &r.body);
    (status, body, fault)
}

impl State {
    pub(super) fn new_id(&mut self) -> i64 {
        self.id()
    }
}

/// Helpers for the routes module.
pub(super) fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#039;")
}
