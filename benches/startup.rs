//! Start-up to the first drawn frame, with a store of 1,000,000 assets: the
//! real binary in a pseudo-terminal, timed from spawning the process to the
//! first frame's header text on the terminal. Beside it, in the same run, the
//! same measure on an empty store (the floor: process start, terminal set-up,
//! store open and one frame).
//!
//! `cargo bench --bench startup` (release build). `SCANSTATION_BENCH_ASSETS`
//! sets the store size (default 1000000), `SCANSTATION_BENCH_RUNS` the runs
//! (default 15).
#![allow(clippy::unwrap_used, clippy::expect_used)] // a bench/test/tool: a panic is a failed run

#[path = "common/mod.rs"]
mod common;
#[path = "../tests/it/pty.rs"]
mod pty;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// One start: spawn, wait for the first frame, quit with F10.
fn time_to_first_frame(db: &Path, home: &Path) -> Duration {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_scanstation"));
    cmd.env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_STATE_HOME", home.join("state"))
        .env("XDG_DATA_HOME", home.join("data"))
        .arg("--db")
        .arg(db);
    let start = Instant::now();
    let mut child = pty::PtyChild::spawn(cmd, 120, 40);
    let mut seen = None;
    while start.elapsed() < Duration::from_secs(30) {
        if child.screen_text().contains("LOOKUP") {
            seen = Some(start.elapsed());
            break;
        }
        std::thread::sleep(Duration::from_micros(200));
    }
    child.write(b"\x1b[21~");
    let _ = child.wait_exit(Duration::from_secs(10));
    seen.expect("no first frame within 30 s")
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort_unstable();
    v[v.len() / 2]
}

fn main() {
    // `cargo test --benches` runs this with --bench absent: do nothing then.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let n = env_usize("SCANSTATION_BENCH_ASSETS", 1_000_000);
    let runs = env_usize("SCANSTATION_BENCH_RUNS", 15);
    let dir = tempfile::tempdir().expect("temp dir");
    let big = dir.path().join("big.db");
    let empty = dir.path().join("empty.db");
    drop(common::build_store(&big, n));
    drop(common::build_store(&empty, 0));
    let (mut b, mut e) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        e.push(time_to_first_frame(&empty, dir.path()));
        b.push(time_to_first_frame(&big, dir.path()));
    }
    let (bm, em) = (median(b.clone()), median(e.clone()));
    println!("start-up to first frame, {runs} runs each (interleaved):");
    println!(
        "  empty store        median {em:>8.1?}  max {:>8.1?}",
        e.iter().max().unwrap()
    );
    println!(
        "  {n} assets   median {bm:>8.1?}  max {:>8.1?}  (target <= 300 ms)",
        b.iter().max().unwrap()
    );
}
