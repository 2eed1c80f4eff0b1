//! GS1 scanner-form parsing with full validation, beside a floor measured in
//! the same run: a bare byte scan (find every GS, sum the bytes) over the same
//! inputs. GS1's reference C engine parses and validates 1.5–2.5 M/s.
//!
//! `iso15434_vs_gs1`: ISO/IEC 15434 messages (format 06, ten data
//! identifiers each, as on a box label) decoded by `iso15434::parse`, per
//! byte, beside `gs1::parse_scanner` per byte over [`INPUTS`] (issue 10:
//! the 15434 decoder within 2× of the GS1 parser's time per byte).
//!
//! `cargo bench --bench gs1`
#![allow(clippy::unwrap_used, clippy::expect_used)] // a bench/test/tool: a panic is a failed run

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use scanstation::codec::{gs1, iso15434};

/// Scanner-form element strings of 3–5 AIs, as a receiving dock sees them.
const INPUTS: [&[u8]; 8] = [
    b"011231231231233310ABC123\x1d99TESTING",
    b"0109506000134352\x1d21ABC\x1d17251231",
    b"01095060001343521725123110LOT-4711\x1d21SN0001234",
    b"00123456789012345675\x1d0212345678901231\x1d3725\x1d400PO-2026-0042",
    b"8004061414112345400A\x1d400PO-17\x1d91BIN-3",
    b"414416000336108225412-B\x1d91ROOM-2\x1d92SHELF-4",
    b"01123456789012312112345678901234\x1d8040123456789012345\x1d8041123456789012345",
    b"0112345678901231310300012311250101\x1d10BATCH99\x1d21X1",
];

fn parse(c: &mut Criterion) {
    for input in INPUTS {
        if let Err(e) = gs1::parse_scanner(input) {
            panic!("bench input {input:?} does not parse: {e}");
        }
    }
    let mut g = c.benchmark_group("gs1");
    g.throughput(Throughput::Elements(INPUTS.len() as u64));
    g.bench_function("floor_byte_scan", |b| {
        b.iter(|| {
            let mut acc = 0usize;
            for input in black_box(&INPUTS) {
                acc += input.iter().filter(|&&c| c == gs1::GS).count();
                acc += input.iter().map(|&c| usize::from(c)).sum::<usize>();
            }
            acc
        })
    });
    g.bench_function("parse_scanner_validated", |b| {
        b.iter(|| {
            let mut n = 0usize;
            for input in black_box(&INPUTS) {
                n += gs1::parse_scanner(input).map_or(0, |els| els.len());
            }
            n
        })
    });
    g.bench_function("parse_then_to_digital_link", |b| {
        b.iter(|| {
            let mut n = 0usize;
            for input in black_box(&INPUTS) {
                if let Ok(els) = gs1::parse_scanner(input) {
                    n += gs1::to_digital_link(&els, "id.gs1.org").map_or(0, |u| u.len());
                }
            }
            n
        })
    });
    g.finish();
}

/// Time against input size: `(01)` then `(10)ABC` repeated to 10 KB, 100 KB
/// and 1 MB (issue 9, item 14: this grew with the square of the size).
fn by_size(c: &mut Criterion) {
    let mut g = c.benchmark_group("gs1_by_size");
    g.sample_size(10);
    for size in [10_000usize, 100_000, 1_000_000] {
        let mut input = b"0112345678901231".to_vec();
        while input.len() < size {
            input.extend_from_slice(b"10ABC\x1d");
        }
        g.throughput(Throughput::Bytes(input.len() as u64));
        g.bench_function(
            format!("parse_then_to_digital_link_{}k", size / 1000),
            |b| {
                b.iter(|| {
                    let els = gs1::parse_scanner(black_box(&input)).map_or(Vec::new(), |e| e);
                    gs1::to_digital_link(&els, "id.gs1.org").map_or(0, |u| u.len()) + els.len()
                })
            },
        );
    }
    g.finish();
}

/// Format 06 box labels of ten fields each (part, serial, quantity, lot,
/// dates, country, order, line, supplier), real separators as a scanner in
/// its default mode sends them.
const MESSAGES: [&[u8]; 4] = [
    b"[)>\x1e06\x1d1P20TBS1D000\x1dSPE07FEA4\x1dQ1\x1d1TLOT-4711\x1d16D20260115\x1d4LCN\x1dKPO-2026-0042\x1d4K7\x1d1VLENOVO\x1d10D2603\x1e\x04",
    b"[)>\x1e06\x1d1PMZ-V9P2T0BW\x1dSS6Z2NJ0W123456A\x1dQ2\x1d1TB2609\x1d14D20310101\x1d4LKR\x1dKPO-17\x1d4K3\x1d30PSAM-990-2T\x1d11K PL-88812\x1e\x04",
    b"[)>\x1e06\x1dPCUST-DOCK-1\x1d1P40AY0090US\x1dSLUD0000123\x1dQ1\x1d8P00195348811019\x1d4LCN\x1dKPO-2001\x1d4K13\x1d1TL240301\x1dD260115\x1e\x04",
    b"[)>\x1e06\x1d1P8A3V7UT#ABA\x1dS5CG4100001\x1dQ1\x1d1T24W10\x1d10D2410\x1d4LTW\x1dKPO-2026-9\x1d4K6\x1d2PA01\x1d10KINV-77120\x1e\x04",
];

fn iso15434_vs_gs1(c: &mut Criterion) {
    for m in MESSAGES {
        let parsed = iso15434::parse(m).unwrap();
        assert_eq!(parsed.envelopes[0].fields.len(), 10, "{m:?}");
    }
    let bytes = |set: &[&[u8]]| set.iter().map(|m| m.len() as u64).sum::<u64>();
    let mut g = c.benchmark_group("iso15434_vs_gs1");
    g.throughput(Throughput::Bytes(bytes(&MESSAGES)));
    g.bench_function("iso15434_parse_format06_10_fields", |b| {
        b.iter(|| {
            let mut n = 0usize;
            for m in black_box(&MESSAGES) {
                n += iso15434::parse(m).map_or(0, |m| m.envelopes[0].fields.len());
            }
            n
        })
    });
    g.throughput(Throughput::Bytes(bytes(&INPUTS)));
    g.bench_function("gs1_parse_scanner_3_5_ais", |b| {
        b.iter(|| {
            let mut n = 0usize;
            for input in black_box(&INPUTS) {
                n += gs1::parse_scanner(input).map_or(0, |els| els.len());
            }
            n
        })
    });
    g.finish();
}

criterion_group!(benches, parse, by_size, iso15434_vs_gs1);
criterion_main!(benches);
