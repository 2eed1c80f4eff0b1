//! How long an import of 100,000 assets holds the store's write lock — the
//! time a station scanning into the same store would wait — beside the time
//! spent before taking it (parsing and validating the file, checking it
//! against the store) and the whole import.
//!
//! `cargo bench --bench import_lock` (release build). `SCANSTATION_BENCH_ROWS`
//! sets the rows (default 100000), `SCANSTATION_BENCH_RUNS` the runs (default
//! 3, each into a fresh store on disk); medians are printed.
//!
//! The file: Snipe-IT columns plus EPC, 50 models of 5 manufacturers, 200
//! locations, 3 suppliers, every row with serial, status, date, cost and
//! warranty — the entities are created inside the lock too.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a bench/test/tool: a panic is a failed run

use scanstation::config::ImportConfig;
use scanstation::import::apply::{self, Importer};
use scanstation::import::{Options, Register};
use scanstation::store::Store;
use std::fmt::Write as _;
use std::time::{Duration, Instant};

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn csv(rows: usize) -> Vec<u8> {
    let mut s = String::from(
        "Asset Tag,Serial,Model,Manufacturer,Category,Location,Status,Purchase Date,Purchase Cost,Supplier,Order Number,Warranty,EPC\n",
    );
    for i in 0..rows {
        let _ = writeln!(
            s,
            "A-{i:07},SN{i:08X},Model {m},Maker {f},Laptops,Room {l},Ready to Deploy,2024-0{mo}-15,\"1,{c:03}.50\",Supplier {sup},PO-{po},36,3034{i:020X}",
            m = i % 50,
            f = i % 5,
            l = i % 200,
            mo = 1 + i % 9,
            c = i % 1000,
            sup = i % 3,
            po = 1000 + i / 100,
        );
    }
    s.into_bytes()
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let rows = env_usize("SCANSTATION_BENCH_ROWS", 100_000);
    let runs = env_usize("SCANSTATION_BENCH_RUNS", 3);
    let bytes = csv(rows);
    let cfg = ImportConfig::default();
    let who = Importer {
        station: "bench",
        operator: None,
        training: false,
        identify: None,
    };
    let (mut before, mut held, mut total) = (Vec::new(), Vec::new(), Vec::new());
    for run in 0..runs {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut store = Store::open(&dir.path().join("station.db")).expect("store");
        let t0 = Instant::now();
        let parsed =
            apply::parse(Register::Assets, &[("bench.csv", &bytes)], &cfg, None).expect("parse");
        let plan = apply::check(store.conn(), &parsed, Options::default()).expect("check");
        let t1 = Instant::now();
        let report = apply::write(&mut store, &parsed, &plan, &who).expect("write");
        let t2 = Instant::now();
        assert_eq!(report.rows, rows);
        eprintln!(
            "run {}: before the lock {:?}, lock held {:?}, whole import {:?}",
            run + 1,
            t1 - t0,
            report.lock_held,
            t2 - t0
        );
        before.push(t1 - t0);
        held.push(report.lock_held);
        total.push(t2 - t0);
    }
    println!(
        "import of {rows} assets, median of {runs}: before the lock {:.2} s, write lock held {:.2} s ({:.1} µs/row), whole import {:.2} s",
        median(before).as_secs_f64(),
        median(held.clone()).as_secs_f64(),
        median(held).as_secs_f64() * 1e6 / rows as f64,
        median(total).as_secs_f64()
    );
}
