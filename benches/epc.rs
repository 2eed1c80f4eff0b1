//! EPC decoding speed: hex from a reader → `Epc` → tag and identity URIs, beside
//! a baseline that only hex-decodes the same strings. Target: ≥ 2,000,000
//! EPC-96 decodes/s to URIs on one core (epcpy, the Python reference, ~50,000).
//!
//! Run: `cargo bench --bench epc`
#![allow(clippy::unwrap_used, clippy::expect_used)] // a bench/test/tool: a panic is a failed run

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use scanstation::codec::epc;
use std::hint::black_box;

/// 1,000 distinct EPC-96 tags of every -96 scheme, as upper-case hex.
fn tags() -> Vec<String> {
    let mut out = Vec::with_capacity(1000);
    for i in 0..1000u64 {
        let bytes: [u8; 12] = match i % 5 {
            0 => epc::encode_sgtin96(1, "0614141", "812345", i * 7919),
            1 => epc::encode_giai96(0, "0614141", &(i * 104_729 + 1).to_string()),
            2 => epc::encode_sscc96(2, "0614141", &format!("{:010}", i * 31)),
            3 => epc::encode_sgln96(0, "0614141", "12345", i),
            _ => epc::encode_grai96(0, "0614141", "12345", i * 13),
        }
        .unwrap_or([0; 12]);
        out.push(bytes.iter().map(|b| format!("{b:02X}")).collect());
    }
    out
}

fn bench(c: &mut Criterion) {
    let hexes = tags();
    let raw: Vec<[u8; 12]> = hexes
        .iter()
        .map(|h| {
            let mut b = [0u8; 12];
            let _ = hex::decode_to_slice(h, &mut b);
            b
        })
        .collect();

    let mut group = c.benchmark_group("epc96");
    group.throughput(Throughput::Elements(hexes.len() as u64));
    group.bench_function("baseline_hex_decode_only", |b| {
        b.iter(|| {
            for h in &hexes {
                let mut buf = [0u8; 12];
                let _ = black_box(hex::decode_to_slice(black_box(h), &mut buf));
                black_box(buf);
            }
        })
    });
    group.bench_function("decode_bytes", |b| {
        b.iter(|| {
            for bytes in &raw {
                let _ = black_box(epc::decode(black_box(bytes)));
            }
        })
    });
    group.bench_function("decode_hex_to_uris", |b| {
        b.iter(|| {
            for h in &hexes {
                if let Ok(e) = epc::decode_hex(black_box(h)) {
                    black_box(e.tag_uri());
                    black_box(e.id_uri());
                }
            }
        })
    });
    group.bench_function("decode_hex_to_uris_and_gs1", |b| {
        b.iter(|| {
            for h in &hexes {
                if let Ok(e) = epc::decode_hex(black_box(h)) {
                    black_box(e.tag_uri());
                    black_box(e.id_uri());
                    black_box(e.gs1_elements());
                }
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
