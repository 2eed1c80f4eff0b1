//! One-run figures for BENCHMARKS.md (issue 10's targets): ISO/IEC 15434
//! parse time per byte against `gs1::parse_scanner`, ZPL render, PNG render.
//! `cargo run --release --example receiving_timing`
#![allow(clippy::unwrap_used, clippy::expect_used)] // a bench/test/tool: a panic is a failed run

use scanstation::codec::{gs1, iso15434};
use scanstation::label::{png, zpl, LabelData, LabelsConfig};
use std::hint::black_box;
use std::time::Instant;

fn per_call(n: u32, mut f: impl FnMut()) -> f64 {
    let t = Instant::now();
    for _ in 0..n {
        f();
    }
    t.elapsed().as_secs_f64() / f64::from(n)
}

fn main() {
    let msg: &[u8] = b"[)>\x1e06\x1d1P20TBS1D000\x1dSPE07FEA4\x1dQ1\x1d4LCN\x1dKPO-100234\x1d4K10\x1d1TLOT4711\x1d16D20261120\x1d1VLENOVO\x1d11ZRECEIVING\x1e\x04";
    let el: &[u8] = b"0109506000134352\x1d21ABC123456\x1d10LOT4711\x1d17261231";
    let n = 200_000;
    let a = per_call(n, || {
        black_box(iso15434::parse(black_box(msg)).ok());
    });
    let b = per_call(n, || {
        black_box(gs1::parse_scanner(black_box(el)).ok());
    });
    let (pa, pb) = (a / msg.len() as f64, b / el.len() as f64);
    println!(
        "iso15434 10-field 06: {:.2} us ({:.1} ns/byte); gs1 4 AIs: {:.2} us ({:.1} ns/byte); ratio {:.2}",
        a * 1e6,
        pa * 1e9,
        b * 1e6,
        pb * 1e9,
        pa / pb
    );
    let data = LabelData {
        tag: "A-1001".into(),
        model: Some("Latitude 7440".into()),
        date: Some("2026-11-20".into()),
        epc_hex: None,
    };
    let cfg = LabelsConfig::default();
    let z = per_call(20_000, || {
        black_box(zpl::render(black_box(&data), &cfg).ok());
    });
    let p = per_call(200, || {
        black_box(png::render(black_box(&data), &cfg).ok());
    });
    println!(
        "ZPL render: {:.1} us a label; 50x25 mm PNG at 203 dpi: {:.2} ms",
        z * 1e6,
        p * 1e3
    );
}
