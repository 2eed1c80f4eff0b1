//! Upstream sync throughput and memory (issue 13, "Performance").
//!
//! 1. **Drain rate.** 10,000 queued `asset.moved` operations on assets the
//!    fake Snipe-IT already has (no faults, no throttle: one `PATCH
//!    hardware/{id}` each) drained by the real worker — planning, claiming
//!    64 at a time, resolving each from the store, recording answers —
//!    beside a plain reqwest loop sending the same 10,000 requests to the
//!    same fake in the same run. Target: the worker ≥ 70% of the loop's rate.
//! 2. **Peak RSS.** A child process (this binary again) drains 10,000 and
//!    then 100,000 queued operations against the fake in this process and
//!    reports its peak resident set (`VmHWM`). Target: within 10%.
//!
//! `cargo bench --bench sync_drain` (release build). `SCANSTATION_BENCH_OPS`
//! sets the drain's operation count (default 10000), `SCANSTATION_BENCH_RUNS`
//! its rounds (default 3; best of each side is reported, and the ratio of
//! medians).
#![allow(clippy::unwrap_used, clippy::expect_used)] // a bench/test/tool: a panic is a failed run

use scanstation::store::assets::NewAsset;
use scanstation::store::{sync_state, NewEvent, Store};
use scanstation::sync::config::{Secret, UpstreamConfig};
use scanstation::sync::fake::FakeSnipeIt;
use scanstation::sync::pace::Clock;
use scanstation::sync::snipeit::SnipeIt;
use scanstation::sync::worker::Worker;
use serde_json::json;
use std::path::Path;
use std::time::{Instant, SystemTime};

const TOKEN: &str = "bench-token";
const CHILD: &str = "SCANSTATION_SYNC_BENCH_CHILD";

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn cfg(url: &str) -> UpstreamConfig {
    UpstreamConfig {
        url: Some(url.to_string()),
        timeout_secs: 30,
        ..Default::default()
    }
}

/// `n` assets known to both sides (mapped in `upstream_refs`), location R2
/// known to both, and one `asset.moved` to R2 per asset in the journal.
/// Returns the upstream ids in journal order and R2's upstream id.
fn seed(db: &Path, fake: &FakeSnipeIt, n: usize) -> (Vec<i64>, i64) {
    let (remote_ids, r2) = {
        let mut s = fake.state();
        let r1 = s.add("locations", "Room 1", json!({}));
        let r2 = s.add("locations", "Room 2", json!({}));
        let m = s.add("models", "X1", json!({}));
        let ready = s.id_of("statuslabels", "Ready to Deploy").unwrap();
        let ids = (0..n)
            .map(|i| {
                s.add_asset(
                    &format!("B-{i:06}"),
                    json!({"model_id": m, "status_id": ready, "location_id": r1}),
                )
            })
            .collect::<Vec<_>>();
        (ids, r2)
    };
    let mut store = Store::open(db).unwrap();
    let mut tx = store.write().unwrap();
    let c = tx.conn();
    let l1 = scanstation::store::locations::create(c, "R1", "Room 1", None, None).unwrap();
    let l2 = scanstation::store::locations::create(c, "R2", "Room 2", None, None).unwrap();
    sync_state::put_ref(c, "snipeit", "location", r2, "Room 2", Some(l2), "{}").unwrap();
    let mut locals = Vec::with_capacity(n);
    for (i, remote) in remote_ids.iter().enumerate() {
        let new = NewAsset {
            tag: format!("B-{i:06}"),
            status: "in_stock".into(),
            location_id: Some(l1),
            ..Default::default()
        };
        let id = scanstation::store::assets::insert(c, &new, &[]).unwrap();
        sync_state::put_ref(c, "snipeit", "asset", *remote, &new.tag, Some(id), "{}").unwrap();
        locals.push(id);
    }
    for id in &locals {
        tx.append_event(&NewEvent {
            at: SystemTime::now(),
            station: "bench-1",
            operator: None,
            kind: "asset.moved",
            training: false,
            payload: json!({"asset_id": id, "from": "R1", "to": "R2"}),
        })
        .unwrap();
    }
    // The cursor after the seed's own events: only the moves are planned.
    tx.commit().unwrap();
    (remote_ids, r2)
}

/// The worker drains everything queued; returns the seconds it took.
async fn drain(db: &Path, url: &str) -> f64 {
    let cfg = cfg(url);
    let client = SnipeIt::new(&cfg, Secret::new(TOKEN), Clock::new()).unwrap();
    let store = Store::open(db).unwrap();
    let mut w = Worker::new(store, client, "snipeit", cfg, Clock::new());
    let t = Instant::now();
    let p = w.run_once().await.unwrap();
    let secs = t.elapsed().as_secs_f64();
    assert_eq!((p.parked, p.retried), (0, 0), "{p:?}");
    secs
}

/// The plain loop: the same requests, one after another, on one client.
async fn plain(url: &str, remote_ids: &[i64], r2: i64) -> f64 {
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let body = json!({ "location_id": r2 }).to_string();
    let t = Instant::now();
    for id in remote_ids {
        let r = client
            .patch(format!("{url}/api/v1/hardware/{id}"))
            .header("Authorization", format!("Bearer {TOKEN}"))
            .header("Accept", "application/json")
            .header("Content-Type", "application/json")
            .body(body.clone())
            .send()
            .await
            .unwrap();
        let v: serde_json::Value = serde_json::from_slice(&r.bytes().await.unwrap()).unwrap();
        assert_eq!(v["status"], "success");
    }
    t.elapsed().as_secs_f64()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn peak_rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// The child: drain the store at `db` to `url`, print the peak RSS.
fn child(spec: &str) {
    let (db, url) = spec.split_once('|').expect("db|url");
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let secs = rt.block_on(drain(Path::new(db), url));
    println!("{} {secs}", peak_rss_kib());
}

fn main() {
    if let Ok(spec) = std::env::var(CHILD) {
        return child(&spec);
    }
    let ops = env_usize("SCANSTATION_BENCH_OPS", 10_000);
    let runs = env_usize("SCANSTATION_BENCH_RUNS", 3).max(1);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();

    // 1. The drain rate beside the plain loop, alternating.
    let (mut worker_s, mut plain_s) = (Vec::new(), Vec::new());
    for run in 0..runs {
        let fake = rt.block_on(FakeSnipeIt::start(TOKEN, 0, 1)).unwrap();
        let db = dir.path().join(format!("rate-{run}.db"));
        let (remote_ids, r2) = seed(&db, &fake, ops);
        let before = fake.state().requests;
        plain_s.push(rt.block_on(plain(&fake.url(), &remote_ids, r2)));
        let mid = fake.state().requests;
        worker_s.push(rt.block_on(drain(&db, &fake.url())));
        let after = fake.state().requests;
        assert_eq!(
            (mid - before, after - mid),
            (ops as u64, ops as u64),
            "the same requests"
        );
        let w = worker_s.last().copied().unwrap_or(0.0);
        let p = plain_s.last().copied().unwrap_or(0.0);
        println!(
            "run {run}: worker {:.0} ops/s ({w:.2} s), plain loop {:.0} req/s ({p:.2} s)",
            ops as f64 / w,
            ops as f64 / p
        );
    }
    let (w, p) = (median(worker_s), median(plain_s));
    println!(
        "drain {ops}: worker {:.0} ops/s, plain loop {:.0} req/s (medians): worker at {:.0}% of the loop (target >= 70%)",
        ops as f64 / w,
        ops as f64 / p,
        100.0 * p / w
    );

    // 2. Peak RSS of a draining process, 10,000 and 100,000 queued.
    let mut rss = Vec::new();
    for n in [10_000usize, 100_000] {
        let fake = rt.block_on(FakeSnipeIt::start(TOKEN, 0, 2)).unwrap();
        let db = dir.path().join(format!("rss-{n}.db"));
        seed(&db, &fake, n);
        let out = std::process::Command::new(std::env::current_exe().unwrap())
            .env(CHILD, format!("{}|{}", db.display(), fake.url()))
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        let mut it = text.split_whitespace();
        let kib: u64 = it.next().and_then(|v| v.parse().ok()).unwrap_or(0);
        let secs: f64 = it.next().and_then(|v| v.parse().ok()).unwrap_or(0.0);
        assert!(out.status.success() && kib > 0, "child failed: {text}");
        println!(
            "peak RSS draining {n}: {:.1} MiB ({secs:.1} s, {:.0} ops/s)",
            kib as f64 / 1024.0,
            n as f64 / secs
        );
        rss.push(kib as f64);
    }
    println!(
        "peak RSS 100,000 / 10,000 queued: {:.3} (target <= 1.10)",
        rss[1] / rss[0]
    );
}
