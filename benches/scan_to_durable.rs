//! Scan-to-durable on a store holding 1,000,000 assets, beside a floor.
//!
//! * `floor`: a bare rusqlite `INSERT` + `COMMIT` of a ~200-byte journal-like
//!   row (integer primary key, one unique index) in its own file in the same
//!   directory, with the store's pragmas (WAL, synchronous=FULL).
//! * `append_commit`: `Store::write` + `append_event` (a scan, hash chained
//!   onto the head read in the transaction) + `commit`.
//! * `lookup_append_commit`: the same, after resolving the scanned value to
//!   an asset by identifier, as the station does for a scan.
//! * `lookup`: `assets::find_by_identifier` of a random tag (target ≤ 50 µs).
//! * `lookup_scan`: the station's matching (`station::lookup::lookup_scan`,
//!   ignoring case, with the asset's status) of a random tag as scanned, and
//!   of the same tag in lower case (no exact kind match: the any-kind step).
//!
//! Criterion reports medians; a manual interleaved loop afterwards prints the
//! medians and p99s of floor and scan side by side (fsync tails are noisy).
//!
//! `cargo bench --bench scan_to_durable`. Environment: `SCANSTATION_BENCH_ASSETS`
//! (default 1000000), `SCANSTATION_BENCH_DIR` (default: a temp dir), and
//! `SCANSTATION_BENCH_SAMPLES` for the manual loop (default 2000).
#![allow(clippy::unwrap_used, clippy::expect_used)] // a bench/test/tool: a panic is a failed run

use criterion::{criterion_group, criterion_main, Criterion};
#[path = "common/mod.rs"]
mod common;
use common::build_store;
use rusqlite::{params, Connection};
use scanstation::config::Config;
use scanstation::input::{Input, Scan, Source};
use scanstation::station::{lookup, Station, StationSettings};
use scanstation::store::{assets, journal, NewEvent, Store};
use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant, SystemTime};

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// The floor: same directory, same pragmas, a journal-like row.
struct Floor {
    conn: Connection,
    next: i64,
}

impl Floor {
    fn open(path: &Path) -> Floor {
        let conn = Connection::open(path).unwrap();
        conn.query_row("PRAGMA journal_mode=WAL", [], |r| r.get::<_, String>(0))
            .unwrap();
        conn.pragma_update(None, "synchronous", "FULL").unwrap();
        conn.pragma_update(None, "foreign_keys", "ON").unwrap();
        conn.execute_batch(
            "CREATE TABLE floor (id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE, body TEXT NOT NULL)",
        )
        .unwrap();
        Floor { conn, next: 0 }
    }

    fn insert_commit(&mut self) {
        self.next += 1;
        let uuid = uuid::Uuid::new_v4().to_string();
        // ~200 bytes with the uuid: a scan's time, station, kind, payload, hash.
        let body = format!(
            "2026-11-28T14:03:07.123Z|bench-1|scan|{{\"source\":\"wedge\",\"text\":\"A{:07}\"}}|{}",
            self.next,
            "0".repeat(64)
        );
        let tx = self
            .conn
            .transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)
            .unwrap();
        tx.prepare_cached("INSERT INTO floor (id, uuid, body) VALUES (?1, ?2, ?3)")
            .unwrap()
            .execute(params![self.next, uuid, body])
            .unwrap();
        tx.commit().unwrap();
    }
}

fn scan_event(text: &str, asset_id: Option<i64>) -> NewEvent<'static> {
    let mut payload = journal::scan_payload(text.as_bytes(), false, "wedge", None);
    if let (Some(id), Some(m)) = (asset_id, payload.as_object_mut()) {
        m.insert("asset_id".into(), id.into());
    }
    NewEvent {
        at: SystemTime::now(),
        station: "bench-1",
        operator: None,
        kind: "scan",
        training: false,
        payload,
    }
}

fn append_commit(store: &mut Store, text: &str) {
    let mut tx = store.write().unwrap();
    black_box(tx.append_event(&scan_event(text, None)).unwrap());
    tx.commit().unwrap();
}

fn lookup_append_commit(store: &mut Store, text: &str) {
    let mut tx = store.write().unwrap();
    let id = assets::find_by_identifier(tx.conn(), text, None).unwrap();
    black_box(tx.append_event(&scan_event(text, id)).unwrap());
    tx.commit().unwrap();
}

/// A cheap deterministic sequence of tags spread over the store.
struct Tags {
    n: u64,
    x: u64,
}

impl Tags {
    fn next(&mut self) -> String {
        self.x = self
            .x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        format!("A{:07}", (self.x >> 33) % self.n + 1)
    }
}

fn stats(mut v: Vec<Duration>) -> (Duration, Duration) {
    v.sort_unstable();
    let at = |q: f64| v[((v.len() as f64 - 1.0) * q).round() as usize];
    (at(0.5), at(0.99))
}

fn benches(c: &mut Criterion) {
    let n = env_usize("SCANSTATION_BENCH_ASSETS", 1_000_000);
    let dir = match std::env::var_os("SCANSTATION_BENCH_DIR") {
        Some(d) => tempfile::tempdir_in(d).unwrap(),
        None => tempfile::tempdir().unwrap(),
    };
    eprintln!("bench directory: {}", dir.path().display());
    let mut store = build_store(&dir.path().join("station.db"), n);
    let mut floor = Floor::open(&dir.path().join("floor.db"));
    let mut tags = Tags { n: n as u64, x: 42 };

    let mut g = c.benchmark_group("scan_to_durable");
    g.bench_function("floor_insert_commit", |b| b.iter(|| floor.insert_commit()));
    g.bench_function("append_commit", |b| {
        b.iter(|| append_commit(&mut store, &tags.next()))
    });
    g.bench_function("lookup_append_commit", |b| {
        b.iter(|| lookup_append_commit(&mut store, &tags.next()))
    });
    g.finish();

    c.bench_function("lookup_by_identifier_1m", |b| {
        b.iter(|| {
            let t = tags.next();
            black_box(assets::find_by_identifier(store.conn(), &t, None).unwrap())
        })
    });

    let classifier =
        scanstation::identify::Classifier::new(&Config::default().identify).expect("rules");
    let rules = lookup::MatchRules::new(&Config::default().identify);
    c.bench_function("lookup_scan_1m", |b| {
        b.iter(|| {
            let t = tags.next();
            let id = classifier.classify(t.as_bytes());
            black_box(lookup::lookup_scan(store.conn(), &id, &rules).unwrap())
        })
    });
    c.bench_function("lookup_scan_1m_lower_case", |b| {
        b.iter(|| {
            let t = tags.next().to_lowercase();
            let id = classifier.classify(t.as_bytes());
            black_box(lookup::lookup_scan(store.conn(), &id, &rules).unwrap())
        })
    });

    // Medians and p99s from one interleaved loop, so floor and scan see the
    // same disk weather.
    let samples = env_usize("SCANSTATION_BENCH_SAMPLES", 2000);
    let (mut f, mut s, mut l) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..samples {
        let t = Instant::now();
        floor.insert_commit();
        f.push(t.elapsed());
        let tag = tags.next();
        let t = Instant::now();
        lookup_append_commit(&mut store, &tag);
        s.push(t.elapsed());
        let tag = tags.next();
        let t = Instant::now();
        black_box(assets::find_by_identifier(store.conn(), &tag, None).unwrap());
        l.push(t.elapsed());
    }
    // The station's whole scan path: Station::handle (classify, look up, one
    // transaction with the scan event, commit) on a second handle of the store.
    let mut station = Station::new(
        Store::open(&dir.path().join("station.db")).expect("second handle"),
        StationSettings::from_config(&Config::default(), false),
    )
    .expect("station");
    // Three rounds of floor / submit / floor / handle, interleaved: submit
    // is what the station thread runs before it sends the Outcome (decide,
    // one transaction, commit); handle also reads the asset's card, which
    // the station thread reads after the Outcome is on its way.
    let mut h = Vec::new();
    let mut sub = Vec::new();
    let mut f2 = Vec::new();
    let scan = |tag: &str| Input::Scan(Scan::new(Source::Wedge, tag.as_bytes(), SystemTime::now()));
    for _ in 0..samples {
        let t = Instant::now();
        floor.insert_commit();
        f2.push(t.elapsed());
        let tag = tags.next();
        let t = Instant::now();
        let out = station.submit(scan(&tag));
        sub.push(t.elapsed());
        assert!(
            out.first().and_then(|o| o.seq).is_some(),
            "scan not journaled"
        );
        let tag = tags.next();
        let t = Instant::now();
        let out = station.handle(scan(&tag));
        h.push(t.elapsed());
        assert!(out.seq.is_some(), "scan not journaled: {}", out.message);
    }
    let (subm, subp) = stats(sub);
    let (f2m, f2p) = stats(f2);
    let (hm, hp) = stats(h);
    let (fm, fp) = stats(f);
    let (sm, sp) = stats(s);
    let (lm, lp) = stats(l);
    println!("manual loop, {samples} interleaved samples, {n} assets:");
    println!("  floor INSERT+COMMIT        median {fm:>10.1?}  p99 {fp:>10.1?}");
    println!(
        "  scan lookup+append+commit  median {sm:>10.1?}  p99 {sp:>10.1?}  ratio {:.2}x (target <= 1.3x)",
        sm.as_secs_f64() / fm.as_secs_f64()
    );
    println!("  lookup by identifier       median {lm:>10.1?}  p99 {lp:>10.1?}  (target <= 50 us)");
    println!("second loop, the station beside the floor:");
    println!("  floor INSERT+COMMIT        median {f2m:>10.1?}  p99 {f2p:>10.1?}");
    println!(
        "  Station::submit(scan)      median {subm:>10.1?}  p99 {subp:>10.1?}  ratio {:.2}x (target <= 1.3x)",
        subm.as_secs_f64() / f2m.as_secs_f64()
    );
    println!(
        "  Station::handle(scan)+card median {hm:>10.1?}  p99 {hp:>10.1?}  ratio {:.2}x",
        hm.as_secs_f64() / f2m.as_secs_f64()
    );
}

criterion_group! {
    name = group;
    config = Criterion::default().sample_size(200).measurement_time(Duration::from_secs(10));
    targets = benches
}
criterion_main!(group);
