//! The workflow foundation's targets (issue 8), each beside a floor measured
//! in the same run:
//!
//! * `feed`: the whole `scanstation feed` command over 10,000 asset-tag lines
//!   (classify, look up, one transaction and commit per scan, the asset read
//!   each JSON answer needs, the JSON line), per scan, against 10,000 bare
//!   INSERT + COMMITs of a journal-like row in the same directory. Three
//!   interleaved rounds; the median of the three ratios (target ≤ 1.3×).
//! * `rfid`: 1,000 raw reads a second of 500 tags, in real time, through the
//!   reader's dedupe window (1 s) and `Station::submit` with a tick every
//!   100 ms, as the station thread runs them: fsyncs a second (target ≤ 12),
//!   the thread's CPU (target ≤ 25% of a core; the read generator and the
//!   dedupe are counted in, so this overstates the station), journal rows
//!   against one per tag per window.
//!
//! * `receive` (issue 10): a Receive-mode unit — its GS1 box label and its
//!   asset tag, two scans through `Station::handle`, creating the asset
//!   against an open purchase order — beside two Lookup scans of existing
//!   tags through another station on the same store (`SCANSTATION_BENCH_
//!   RECEIVE_ASSETS`, default 1,000,000 assets), interleaved unit by unit;
//!   three rounds, the median of the three ratios (target ≤ 1.3×).
//!
//! `cargo bench --bench workflow`. Environment: `SCANSTATION_BENCH_ASSETS`
//! (default 100000), `SCANSTATION_BENCH_RFID_SECS` (default 60),
//! `SCANSTATION_BENCH_PARTS` (default `feed,rfid,receive`),
//! `SCANSTATION_BENCH_RECEIVE_UNITS` (units a round, default 500).
#![allow(clippy::unwrap_used, clippy::expect_used)] // a bench/test/tool: a panic is a failed run

#[path = "common/mod.rs"]
mod common;
use common::build_store;
use rusqlite::{params, Connection};
use scanstation::codec::rfid::dedupe::{DedupeConfig, DedupeWindow};
use scanstation::codec::rfid::TagRead;
use scanstation::input::{Command, Input, Mode, RfidRead, Scan, Source};
use scanstation::station::{Level, Station, StationSettings};
use scanstation::store::{journal, Store};
use std::io::Write;
use std::path::Path;
use std::time::{Duration, Instant, SystemTime};

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// 10,000 bare INSERT + COMMITs; returns the total time.
fn floor(conn: &Connection, from: i64, n: i64) -> Duration {
    let t = Instant::now();
    for i in from..from + n {
        let tx = conn.unchecked_transaction().unwrap();
        tx.execute(
            "INSERT INTO floor (id, uuid, body) VALUES (?1, ?2, ?3)",
            params![
                i,
                uuid::Uuid::new_v4().to_string(),
                format!(
                    "2026-11-28T14:03:07.123Z|bench-1|scan|{{\"text\":\"A{i:07}\"}}|{}",
                    "0".repeat(64)
                )
            ],
        )
        .unwrap();
        tx.commit().unwrap();
    }
    t.elapsed()
}

/// CPU time of the calling thread (Linux: /proc/thread-self/stat).
fn thread_cpu() -> Duration {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap_or_default();
    let after = stat.rsplit(')').next().unwrap_or_default();
    let f: Vec<u64> = after
        .split_whitespace()
        .filter_map(|x| x.parse().ok())
        .collect();
    // fields after the name: state(skipped, not numeric) ... utime is field 14 overall
    let ticks = f.get(10).copied().unwrap_or(0) + f.get(11).copied().unwrap_or(0);
    Duration::from_millis(ticks * 10)
}

fn feed_bench(dir: &Path, assets: usize) {
    let db = dir.join("station.db");
    drop(build_store(&db, assets));
    let floor_conn = Connection::open(dir.join("floor.db")).unwrap();
    floor_conn
        .query_row("PRAGMA journal_mode=WAL", [], |r| r.get::<_, String>(0))
        .unwrap();
    floor_conn
        .pragma_update(None, "synchronous", "FULL")
        .unwrap();
    floor_conn
        .execute_batch("CREATE TABLE floor (id INTEGER PRIMARY KEY, uuid TEXT NOT NULL UNIQUE, body TEXT NOT NULL)")
        .unwrap();
    let n = 10_000;
    let file = dir.join("tags.feed");
    let mut f = std::fs::File::create(&file).unwrap();
    let mut x: u64 = 42;
    for _ in 0..n {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        writeln!(f, "A{:07}", (x >> 33) % assets as u64 + 1).unwrap();
    }
    drop(f);
    let mut ratios = Vec::new();
    for round in 0..3 {
        let fl = floor(&floor_conn, round * n, n);
        let t = Instant::now();
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_scanstation"))
            .env("XDG_CONFIG_HOME", dir.join("config"))
            .env("XDG_STATE_HOME", dir.join("state"))
            .arg("--db")
            .arg(&db)
            .arg("feed")
            .arg(&file)
            .stdout(std::process::Stdio::piped())
            .output()
            .unwrap();
        let fe = t.elapsed();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            out.stdout
                .split(|b| *b == b'\n')
                .filter(|l| !l.is_empty())
                .count(),
            n as usize
        );
        let r = fe.as_secs_f64() / fl.as_secs_f64();
        println!(
            "feed round {round}: floor {:.1} us/commit, feed {:.1} us/scan, ratio {r:.2}x",
            fl.as_secs_f64() * 1e6 / n as f64,
            fe.as_secs_f64() * 1e6 / n as f64
        );
        ratios.push(r);
    }
    ratios.sort_by(f64::total_cmp);
    println!(
        "feed: median ratio {:.2}x over 3 rounds (target <= 1.3x)",
        ratios[1]
    );
}

fn rfid_bench(dir: &Path, secs: u64) {
    let db = dir.join("rfid.db");
    drop(build_store(&db, 1000));
    let mut st = Station::new(Store::open(&db).unwrap(), StationSettings::default()).unwrap();
    let before = journal::count(st.store().conn()).unwrap();
    let tags: Vec<[u8; 12]> = (0..500u32)
        .map(|i| {
            let mut e = [0u8; 12];
            e[0] = 0x34;
            e[8..].copy_from_slice(&i.to_be_bytes());
            e
        })
        .collect();
    let mut dedupe = DedupeWindow::new(DedupeConfig::default());
    let start = Instant::now();
    let cpu0 = thread_cpu();
    let commits0 = st.commits();
    let mut next_tick = start + Duration::from_millis(100);
    let mut i = 0u64;
    let end = start + Duration::from_secs(secs);
    while Instant::now() < end {
        // One read a millisecond, in real time.
        let due = start + Duration::from_millis(i);
        if let Some(wait) = due.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        }
        let tag = &tags[(i % 500) as usize];
        let read = TagRead {
            epc: tag,
            antenna: Some(1),
            rssi: Some(-60.0),
            seen: 1,
        };
        if let Some(r) = dedupe.offer(&read, i) {
            st.submit(Input::Rfid(RfidRead {
                source: "bench".into(),
                epc: r.epc.as_bytes().to_vec(),
                antenna: r.antenna,
                rssi: r.rssi,
                count: r.count,
                at: SystemTime::now(),
            }));
        }
        if Instant::now() >= next_tick {
            next_tick += Duration::from_millis(100);
            st.submit(Input::Tick(SystemTime::now()));
        }
        i += 1;
    }
    st.flush();
    let wall = start.elapsed().as_secs_f64();
    let cpu = thread_cpu().saturating_sub(cpu0).as_secs_f64();
    let commits = st.commits() - commits0;
    let rows = journal::count(st.store().conn()).unwrap() - before;
    println!(
        "rfid: {i} raw reads in {wall:.1} s ({:.0}/s), {rows} journal rows (one per tag per 1 s window: {}), \
         {commits} commits = {:.1} fsyncs/s (target <= 12), thread CPU {:.1}% of a core (target <= 25%)",
        i as f64 / wall,
        500 * secs,
        commits as f64 / wall,
        100.0 * cpu / wall
    );
}

fn scan(code: &str) -> Input {
    Input::Scan(Scan::new(Source::Wedge, code.as_bytes(), SystemTime::now()))
}

fn receive_bench(dir: &Path, assets: usize, units: usize) {
    let db = dir.join("receive.db");
    drop(build_store(&db, assets));
    // One tracked line, large enough for every round, by GTIN.
    let csv = dir.join("orders.csv");
    std::fs::write(
        &csv,
        "PO Number,Vendor,Order Date,Expected Date,Line,Model,Manufacturer,Category,GTIN,\
         Part Number,Quantity,Unit Cost,Currency,Warranty Months,Tracked\n\
         PO-900001,Bench Supply,2026-11-02,2026-11-20,1,ThinkPad T14 Gen 5,Lenovo,Laptops,\
         00195348811019,21ML003AUS,1000000,1449.00,USD,36,yes\n",
    )
    .unwrap();
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_scanstation"))
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .env("XDG_STATE_HOME", dir.join("state"))
        .arg("--db")
        .arg(&db)
        .args(["import", "orders"])
        .arg(&csv)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let settings = |id: &str| StationSettings {
        station_id: id.into(),
        ..StationSettings::default()
    };
    let mut dock = Station::new(Store::open(&db).unwrap(), settings("bench-dock")).unwrap();
    let mut desk = Station::new(Store::open(&db).unwrap(), settings("bench-desk")).unwrap();
    let o = dock.handle(Input::Command(Command::Mode(Mode::Receive)));
    assert!(o.question.is_some(), "{}", o.message);
    let o = dock.handle(Input::Command(Command::Pick(1)));
    assert_eq!(o.level, Level::Ok, "{}", o.message);
    let mut x: u64 = 7;
    let mut next_tag = || {
        x = x
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        format!("A{:07}", (x >> 33) % assets as u64 + 1)
    };
    let mut ratios = Vec::new();
    let mut unit = 0usize;
    for round in 0..3 {
        let (mut rx, mut lk) = (Duration::ZERO, Duration::ZERO);
        for _ in 0..units {
            unit += 1;
            let label = format!("]d2010019534881101921PF{unit:08}");
            let tag = format!("RX{unit:07}");
            let t = Instant::now();
            let a = dock.handle(scan(&label));
            let b = dock.handle(scan(&tag));
            rx += t.elapsed();
            assert_eq!(a.level, Level::Ok, "{}", a.message);
            assert!(b.message.starts_with("Received"), "{}", b.message);
            let (t1, t2) = (next_tag(), next_tag());
            let t = Instant::now();
            let a = desk.handle(scan(&t1));
            let b = desk.handle(scan(&t2));
            lk += t.elapsed();
            assert!(a.asset.is_some() && b.asset.is_some(), "{}", a.message);
        }
        let r = rx.as_secs_f64() / lk.as_secs_f64();
        println!(
            "receive round {round}: a unit (label + tag) {:.1} us, two Lookup scans {:.1} us, ratio {r:.2}x",
            rx.as_secs_f64() * 1e6 / units as f64,
            lk.as_secs_f64() * 1e6 / units as f64
        );
        ratios.push(r);
    }
    ratios.sort_by(f64::total_cmp);
    println!(
        "receive: median ratio {:.2}x over 3 rounds of {units} units, {assets} assets (target <= 1.3x)",
        ratios[1]
    );
}

fn main() {
    let dir = tempfile::tempdir().unwrap();
    let parts =
        std::env::var("SCANSTATION_BENCH_PARTS").unwrap_or_else(|_| "feed,rfid,receive".into());
    let on = |p: &str| parts.split(',').any(|x| x.trim() == p);
    if on("feed") {
        feed_bench(dir.path(), env_usize("SCANSTATION_BENCH_ASSETS", 100_000));
    }
    if on("rfid") {
        rfid_bench(
            dir.path(),
            env_usize("SCANSTATION_BENCH_RFID_SECS", 60) as u64,
        );
    }
    if on("receive") {
        receive_bench(
            dir.path(),
            env_usize("SCANSTATION_BENCH_RECEIVE_ASSETS", 1_000_000),
            env_usize("SCANSTATION_BENCH_RECEIVE_UNITS", 500),
        );
    }
}
