//! The signed webhook against a receiver on 127.0.0.1 that verifies every
//! signature and timestamp and dedupes by Idempotency-Key: every event once
//! under random faults, a wrong secret and a skewed clock refused, a 4xx
//! parked and unparked, 429 and 5xx waits (under tokio's paused clock), a
//! crash's in-flight event sent again with the same key, the commands, the
//! secret kept out of everything, and the docs' Python verifier.

use scanstation::store::{journal, sync_state, EventRow, NewEvent, Store, VerifyReport};
use scanstation::sync::config::{Secret, UpstreamConfig, UpstreamKind};
use scanstation::sync::pace::Clock;
use scanstation::sync::webhook::Webhook;
use scanstation::sync::webhook_receiver::{Fault, Receiver, State};
use scanstation::sync::webhook_sign;
use scanstation::sync::webhook_worker::{WebhookSyncError, WebhookWorker, UPSTREAM};
use scanstation::sync::worker::Retry;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::time::SystemTime;

const SECRET: &str = "whsec-7Qk2-never-print-me";

fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(&dir.path().join("station.db")).unwrap();
    (dir, s)
}

fn event(store: &mut Store, kind: &str, training: bool, payload: Value) -> i64 {
    let mut tx = store.write().unwrap();
    let r = tx
        .append_event(&NewEvent {
            at: SystemTime::now(),
            station: "bench-1",
            operator: Some("B0042"),
            kind,
            training,
            payload,
        })
        .unwrap();
    tx.commit().unwrap();
    r.seq
}

/// `n` events: moves and status changes of 7 assets, scans without an
/// asset, and every fifth one training.
fn seed(store: &mut Store, n: usize) {
    for i in 0..n {
        let training = i % 5 == 4;
        match i % 3 {
            0 => event(
                store,
                "asset.moved",
                training,
                json!({"asset_id": (i % 7) as i64, "from": "R1", "to": format!("R{i}")}),
            ),
            1 => event(
                store,
                "asset.status_changed",
                training,
                json!({"asset_id": (i % 7) as i64, "from": "in_stock", "to": "in_repair"}),
            ),
            _ => event(
                store,
                "scan",
                training,
                json!({"text": format!("A-{i:04} \"quoted\" é"), "source": "wedge"}),
            ),
        };
    }
}

fn cfg(url: &str) -> UpstreamConfig {
    UpstreamConfig {
        kind: UpstreamKind::Webhook,
        url: Some(url.to_string()),
        timeout_secs: 1,
        ..Default::default()
    }
}

fn worker(store: Store, url: &str, secret: &str, clock: Clock) -> WebhookWorker {
    let hook = Webhook::new(&cfg(url), Secret::new(secret), clock).unwrap();
    WebhookWorker::new(store, hook, clock).with_retry(Retry::default(), 11)
}

fn all_events(store: &Store) -> Vec<EventRow> {
    journal::read_since(store.conn(), 0, 100_000).unwrap()
}

/// Under 20% 503s, 5% connections dropped before and 5% after the receiver
/// kept the event, and 10% answers that never come after it kept it: every
/// event that is not training arrives exactly once by key, as its
/// `journal --json` object, every request verified, every head a real one.
#[tokio::test(start_paused = true)]
async fn every_event_arrives_once_verified_under_random_faults() {
    let clock = Clock::new();
    let rx = Receiver::start(SECRET.as_bytes(), 0, 42, clock)
        .await
        .unwrap();
    {
        let mut s = rx.state();
        s.faults.p_server_error = 0.2;
        s.faults.p_drop_before = 0.05;
        s.faults.p_drop_after = 0.05;
        s.faults.p_timeout_after = 0.1;
    }
    let (d, mut st) = store();
    seed(&mut st, 400);
    let mut w = worker(st, &rx.url(), SECRET, clock);
    let pass = w.run_once().await.unwrap();
    let events = all_events(w.store());
    let sent: Vec<&EventRow> = events.iter().filter(|e| !e.training).collect();
    assert_eq!(sent.len(), 320);
    assert_eq!(pass.done, 320);
    assert!(pass.retried > 30, "the faults happened: {pass:?}");
    check_deliveries(&rx.state(), &w, &events);
    let c = sync_state::counts(w.store().conn(), UPSTREAM).unwrap();
    assert_eq!((c.done, c.pending, c.in_flight, c.parked), (320, 0, 0, 0));
    // New events go out on the next run; nothing old is sent again.
    rx.state().faults = Default::default();
    let before = rx.state().requests;
    let mut st2 = Store::open(&d.path().join("station.db")).unwrap();
    event(
        &mut st2,
        "asset.audited",
        false,
        json!({"asset_id": 3, "location": "R9"}),
    );
    let p = w.run_once().await.unwrap();
    assert_eq!(p.done, 1);
    assert_eq!(rx.state().requests, before + 1);
}

/// Each event that is not training kept once, as its `journal --json`
/// object, with a journal head `verify --head` accepts; every request
/// verified; each asset's events kept in journal order.
fn check_deliveries(s: &State, w: &WebhookWorker, events: &[EventRow]) {
    let sent: Vec<&EventRow> = events.iter().filter(|e| !e.training).collect();
    assert_eq!(s.kept.len(), 320, "each event kept once by key");
    assert!(s.duplicates > 0, "some events arrived again after a fault");
    assert_eq!(s.verified, s.requests, "every request verified");
    assert!(s.refused.is_empty(), "{:?}", s.refused);
    assert_eq!(s.key_mismatches, 0);
    let head = journal::head(w.store().conn()).unwrap();
    let mut heads = std::collections::BTreeSet::new();
    for e in &sent {
        let d = &s.kept[&e.uuid];
        // Exactly the `journal --json` object.
        assert_eq!(d.body, serde_json::to_value(e).unwrap());
        let (hseq, hhash) = d.head.clone().expect("a journal head");
        assert!(hseq >= e.seq);
        heads.insert((hseq, hhash));
    }
    for (hseq, hhash) in heads {
        assert_eq!(
            journal::verify(w.store().conn(), Some((hseq, &hhash))).unwrap(),
            VerifyReport::Ok {
                events: 400,
                head: head.clone()
            },
            "the receiver can anchor verify --head on {hseq}:{hhash}"
        );
    }
    for e in events.iter().filter(|e| e.training) {
        assert!(!s.kept.contains_key(&e.uuid), "training event sent");
    }
    // The events of one asset were kept in journal order.
    let mut last: BTreeMap<i64, i64> = BTreeMap::new();
    for k in &s.order {
        let b = &s.kept[k].body;
        if let Some(a) = b["payload"]["asset_id"].as_i64() {
            let seq = b["seq"].as_i64().unwrap();
            assert!(
                last.insert(a, seq).is_none_or(|prev| prev < seq),
                "asset {a}"
            );
        }
    }
}

/// A station with the wrong secret: the receiver refuses (401), the station
/// stops and says the secret or URL is wrong, nothing is lost or marked.
#[tokio::test]
async fn a_wrong_secret_is_refused_and_stops_syncing() {
    let clock = Clock::new();
    let rx = Receiver::start(b"the-receivers-secret", 0, 1, clock)
        .await
        .unwrap();
    let (_d, mut st) = store();
    seed(&mut st, 6);
    let mut w = worker(st, &rx.url(), SECRET, clock);
    let e = w.run_once().await.unwrap_err();
    assert!(matches!(e, WebhookSyncError::Refused(_)), "{e}");
    let m = e.to_string();
    assert!(m.contains("HTTP 401") && m.contains("secret_file"), "{m}");
    assert!(
        m.contains("signature does not match"),
        "the receiver's words: {m}"
    );
    assert!(!m.contains(SECRET) && !m.contains("the-receivers-secret"));
    let s = rx.state();
    assert_eq!((s.kept.len(), s.verified, s.refused.len()), (0, 0, 1));
    let c = sync_state::counts(w.store().conn(), UPSTREAM).unwrap();
    assert_eq!((c.pending, c.in_flight, c.done), (5, 0, 0));
}

/// A receiver whose clock is 310 s off refuses the station's timestamps;
/// 290 s off, it accepts them (the 300 s rule, both signs; the exact
/// boundary is `webhook_sign`'s unit test).
#[tokio::test]
async fn a_timestamp_more_than_300_s_off_is_refused() {
    for (skew, refused) in [(310, true), (-310, true), (290, false), (-290, false)] {
        let clock = Clock::new();
        let rx = Receiver::start(SECRET.as_bytes(), 0, 1, clock)
            .await
            .unwrap();
        rx.state().skew_secs = skew;
        let (_d, mut st) = store();
        event(&mut st, "scan", false, json!({"text": "A-1"}));
        let mut w = worker(st, &rx.url(), SECRET, clock);
        let r = w.run_once().await;
        let s = rx.state();
        if refused {
            let m = r.unwrap_err().to_string();
            assert!(m.contains("more than 300 s") && m.contains("clock"), "{m}");
            assert_eq!(s.kept.len(), 0, "skew {skew}");
        } else {
            assert_eq!(r.unwrap().done, 1, "skew {skew}");
            assert_eq!(s.kept.len(), 1);
        }
    }
}

/// A 4xx parks the event with the receiver's words and holds back that
/// asset's later events only; `sync retry --all` unparks and they go, in order.
#[tokio::test]
async fn a_4xx_parks_its_asset_and_retry_unparks() {
    let clock = Clock::new();
    let rx = Receiver::start(SECRET.as_bytes(), 0, 1, clock)
        .await
        .unwrap();
    rx.state().faults.script.push_back(Some(Fault::Reject(
        422,
        "unknown kind \"asset.moved\"".into(),
    )));
    let (_d, mut st) = store();
    let a1 = event(
        &mut st,
        "asset.moved",
        false,
        json!({"asset_id": 7, "to": "R2"}),
    );
    let a2 = event(
        &mut st,
        "asset.moved",
        false,
        json!({"asset_id": 7, "to": "R3"}),
    );
    let b = event(
        &mut st,
        "asset.moved",
        false,
        json!({"asset_id": 8, "to": "R3"}),
    );
    let c = event(&mut st, "scan", false, json!({"text": "x"}));
    let mut w = worker(st, &rx.url(), SECRET, clock);
    let p = w.run_once().await.unwrap();
    assert_eq!((p.done, p.parked), (2, 1));
    let conn = w.store().conn();
    let parked = sync_state::parked(conn, UPSTREAM).unwrap();
    assert_eq!(parked.len(), 1);
    assert_eq!((parked[0].seq, parked[0].op.as_str()), (a1, "post_event"));
    let reason = parked[0].reason.clone().unwrap();
    assert!(
        reason.contains("HTTP 422") && reason.contains("unknown kind"),
        "{reason}"
    );
    let k = sync_state::counts(conn, UPSTREAM).unwrap();
    assert_eq!(
        (k.done, k.parked, k.pending),
        (2, 1, 1),
        "a2 waits behind a1"
    );
    let seqs = |rx: &Receiver| -> Vec<i64> {
        let s = rx.state();
        s.order
            .iter()
            .map(|k| s.kept[k].body["seq"].as_i64().unwrap())
            .collect()
    };
    assert_eq!(seqs(&rx), vec![b, c]);
    assert_eq!(sync_state::unpark(conn, UPSTREAM, None).unwrap(), 1);
    let p = w.run_once().await.unwrap();
    assert_eq!((p.done, p.parked), (2, 0));
    assert_eq!(seqs(&rx), vec![b, c, a1, a2]);
}

/// 429 waits for Retry-After, or a whole window without it; 5xx backs off
/// exponentially (at least half of 1 s, 2 s, 4 s). Measured on the paused
/// clock both sides share.
#[tokio::test(start_paused = true)]
async fn throttling_and_backoff_wait_as_told() {
    let clock = Clock::new();
    let rx = Receiver::start(SECRET.as_bytes(), 0, 1, clock)
        .await
        .unwrap();
    rx.state().faults.script.extend([
        Some(Fault::Throttle(Some(7))),
        Some(Fault::Throttle(None)),
        Some(Fault::ServerError),
        Some(Fault::ServerError),
        Some(Fault::ServerError),
        None,
    ]);
    let (_d, mut st) = store();
    event(&mut st, "scan", false, json!({"text": "x"}));
    let mut w = worker(st, &rx.url(), SECRET, clock);
    assert_eq!(w.run_once().await.unwrap().done, 1);
    let s = rx.state();
    let t = &s.arrivals_ms;
    assert_eq!(t.len(), 6);
    let gaps: Vec<i64> = t.windows(2).map(|w| w[1] - w[0]).collect();
    assert!(gaps[0] >= 7_000, "Retry-After: 7 {gaps:?}");
    assert!(gaps[1] >= 60_000, "no Retry-After: a minute {gaps:?}");
    assert!(
        gaps[2] >= 500 && gaps[3] >= 1_000 && gaps[4] >= 2_000,
        "{gaps:?}"
    );
    assert!(
        gaps[2] <= 1_000 + 50 && gaps[3] <= 2_000 + 50,
        "capped steps {gaps:?}"
    );
    assert_eq!(s.kept.len(), 1);
}

/// A crash left an event in flight after the receiver kept it: the next run
/// sends it again with the same Idempotency-Key and the receiver keeps one.
#[tokio::test]
async fn an_in_flight_event_after_a_crash_is_sent_again_with_its_key() {
    let clock = Clock::new();
    let rx = Receiver::start(SECRET.as_bytes(), 0, 1, clock)
        .await
        .unwrap();
    let (d, mut st) = store();
    event(
        &mut st,
        "asset.moved",
        false,
        json!({"asset_id": 1, "to": "R2"}),
    );
    {
        // What a crash between the request and its answer leaves: the op
        // committed in flight, the event at the receiver.
        let mut w = worker(st, &rx.url(), SECRET, clock);
        w.plan_new().unwrap();
        drop(w);
        let st = Store::open(&d.path().join("station.db")).unwrap();
        let ops = sync_state::runnable(st.conn(), UPSTREAM, i64::MAX, 10).unwrap();
        sync_state::mark_in_flight(st.conn(), &[ops[0].id]).unwrap();
        let ev = journal::get(st.conn(), ops[0].seq).unwrap().unwrap();
        let head = journal::head(st.conn()).unwrap();
        let mut hook = Webhook::new(&cfg(&rx.url()), Secret::new(SECRET), clock).unwrap();
        hook.post(&ev, &head).await.unwrap();
    }
    let st = Store::open(&d.path().join("station.db")).unwrap();
    let c = sync_state::counts(st.conn(), UPSTREAM).unwrap();
    assert_eq!(c.in_flight, 1);
    let mut w = worker(st, &rx.url(), SECRET, clock);
    assert_eq!(w.run_once().await.unwrap().done, 1);
    let s = rx.state();
    assert_eq!((s.kept.len(), s.duplicates, s.verified), (1, 1, 2));
}

/// The binary: the secret from the environment, then from a file (refused
/// while others can read it); `sync --once` exit codes, `sync status
/// --json`, `sync retry --all`, `sync pull`; the secret in no output, log or
/// store file, `-v` included.
#[test]
fn the_webhook_sync_commands() {
    use std::os::unix::fs::PermissionsExt;
    let rt = tokio::runtime::Runtime::new().unwrap();
    let rx = rt
        .block_on(async { Receiver::start(SECRET.as_bytes(), 0, 3, Clock::new()).await })
        .unwrap();
    let sb = crate::support::Sandbox::new();
    let (first, n_sent) = {
        let mut st = Store::open(&sb.db()).unwrap();
        seed(&mut st, 10);
        let all = all_events(&st);
        (
            all[0].uuid.clone(),
            all.iter().filter(|e| !e.training).count(),
        )
    };
    let conf = sb.path().join("config/scanstation");
    std::fs::create_dir_all(&conf).unwrap();
    let write_conf = |extra: &str| {
        std::fs::write(
            conf.join("scanstation.toml"),
            format!(
                "[upstream]\nkind = \"webhook\"\nurl = \"{}\"\ntimeout_secs = 2\n{extra}",
                rx.url()
            ),
        )
        .unwrap();
    };
    write_conf("");
    let out = sb.cmd().args(["sync", "--once"]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("SCANSTATION_UPSTREAM_SECRET"), "{err}");
    // From the environment; the first event is refused (422): it parks, exit 1.
    rx.state()
        .faults
        .script
        .push_back(Some(Fault::Reject(422, "no such station".into())));
    let out = sb
        .cmd()
        .args(["-vv", "sync", "--once"])
        .env("SCANSTATION_UPSTREAM_SECRET", SECRET)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(!err.contains(SECRET), "{err}");
    assert!(
        err.contains("no such station"),
        "-v shows the parking: {err}"
    );
    let out = sb
        .cmd()
        .args(["sync", "status", "--json"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["upstream"], "webhook");
    assert_eq!(
        (
            v["done"].as_u64(),
            v["parked"].as_u64(),
            v["pending"].as_u64()
        ),
        (Some(n_sent as u64 - 2), Some(1), Some(1)),
        "{v}"
    );
    let p = &v["parked_ops"][0];
    assert_eq!(
        (p["op"].as_str(), p["seq"].as_i64()),
        (Some("post_event"), Some(1))
    );
    assert!(p["reason"].as_str().unwrap().contains("no such station"));
    // A secret file others can read is refused, naming the file and the fix.
    let secret = sb.path().join("webhook.secret");
    std::fs::write(&secret, format!("{SECRET}\n")).unwrap();
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o640)).unwrap();
    write_conf(&format!("secret_file = \"{}\"\n", secret.display()));
    let out = sb.cmd().args(["sync", "retry", "--all"]).output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        r#"{"unparked":1,"upstream":"webhook"}"#
    );
    let out = sb.cmd().args(["sync", "--once"]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("chmod 600") && err.contains("webhook.secret"),
        "{err}"
    );
    std::fs::set_permissions(&secret, std::fs::Permissions::from_mode(0o600)).unwrap();
    let out = sb.cmd().args(["-v", "sync", "--once"]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(!err.contains(SECRET));
    let out = sb.cmd().args(["sync", "pull"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    {
        let s = rx.state();
        assert_eq!(s.kept.len(), n_sent);
        assert!(s.kept.contains_key(&first));
        assert_eq!(s.verified, s.requests);
    }
    // The secret is in no log, journal row or store file.
    let mut leaked = Vec::new();
    for entry in walk(sb.path()) {
        if entry == secret {
            continue;
        }
        if String::from_utf8_lossy(&std::fs::read(&entry).unwrap_or_default()).contains(SECRET) {
            leaked.push(entry);
        }
    }
    assert!(leaked.is_empty(), "{leaked:?}");
    assert!(
        walk(&sb.path().join("state"))
            .iter()
            .any(|p| p.to_string_lossy().contains("scanstation")),
        "the log exists, so the search above looked at it"
    );
    drop(rx);
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

/// docs/sync.md's Python verifier, run against the station's own
/// signatures: it accepts them, and refuses another secret, a changed body
/// and a timestamp more than 300 s off. Needs `python3`; without it the
/// Rust verifier's unit tests stand alone.
#[test]
fn the_docs_python_verifier_agrees() {
    if std::process::Command::new("python3")
        .arg("--version")
        .output()
        .map_or(true, |o| !o.status.success())
    {
        eprintln!("python3 not installed: the docs' verifier was not run");
        return;
    }
    let doc =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/sync.md")).unwrap();
    let section = &doc[doc.find("## The webhook upstream").unwrap()..];
    let start = section.find("```python\n").unwrap() + "```python\n".len();
    let code = &section[start..start + section[start..].find("```").unwrap()];
    let body = r#"{"seq":1,"uuid":"u-1","kind":"scan","payload":{"text":"é"}}"#;
    let ts: i64 = 1_800_000_000;
    let sig = webhook_sign::signature(SECRET.as_bytes(), ts, body.as_bytes());
    let case = |secret: &str, b: &str, now: i64| {
        json!({"secret": secret, "body": b, "now": now, "headers": {
            "X-Scanstation-Timestamp": ts.to_string(), "X-Scanstation-Signature": sig}})
    };
    let cases = json!([
        case(SECRET, body, ts),
        case(SECRET, body, ts + 300),
        case(SECRET, body, ts - 300),
        case("another", body, ts),
        case(SECRET, &body.replace("u-1", "u-2"), ts),
        case(SECRET, body, ts + 301),
        case(SECRET, body, ts - 301),
    ]);
    let script = format!(
        "{code}\nimport json, sys\nfor c in json.load(sys.stdin):\n    \
         print(verify(c['secret'].encode(), c['headers'], c['body'].encode(), c['now']))\n"
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("verify.py");
    std::fs::write(&path, script).unwrap();
    let mut child = std::process::Command::new("python3")
        .arg(&path)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(cases.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout)
            .split_whitespace()
            .collect::<Vec<_>>(),
        ["True", "True", "True", "False", "False", "False", "False"]
    );
    // The Rust verifier says the same.
    let rust: Vec<bool> = cases
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            webhook_sign::verify(
                c["secret"].as_str().unwrap().as_bytes(),
                Some(ts.to_string().as_bytes()),
                Some(sig.as_bytes()),
                c["body"].as_str().unwrap().as_bytes(),
                c["now"].as_i64().unwrap(),
            )
            .is_ok()
        })
        .collect();
    assert_eq!(rust, [true, true, true, false, false, false, false]);
}
