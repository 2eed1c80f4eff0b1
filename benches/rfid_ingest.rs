//! RFID ingest: 1,000,000 reads of 10,000 distinct EPCs, pre-encoded as
//! Chafon active-mode frames in one buffer, through frame decoding (CRC
//! checked) and the dedupe window — beside a floor: a bare loop that only
//! inserts the same EPC byte arrays into a HashMap with the same hasher.
//! Target: ≥ 2,000,000 reads/s and ≤ 3× the floor.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a bench/test/tool: a panic is a failed run

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use scanstation::codec::rfid::chafon::{self, Direction, Reply};
use scanstation::codec::rfid::dedupe::{DedupeConfig, DedupeWindow};
use scanstation::codec::rfid::TagRead;
use scanstation::device::sim::sgtin96;
use std::collections::HashMap;
use std::hint::black_box;

const READS: usize = 1_000_000;
const DISTINCT: u64 = 10_000;

fn epcs() -> Vec<[u8; 12]> {
    // A fixed pseudo-random order over the 10,000 tags.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..READS)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            sgtin96(x % DISTINCT).expect("a serial under 10,000 fits SGTIN-96")
        })
        .collect()
}

fn ingest(c: &mut Criterion) {
    let epcs = epcs();
    let mut wire = Vec::with_capacity(READS * 18);
    for e in &epcs {
        chafon::write_active_frame(&mut wire, 0, e);
    }
    let mut g = c.benchmark_group("rfid_ingest");
    g.sample_size(10);
    g.throughput(Throughput::Elements(READS as u64));

    g.bench_function("chafon_decode_and_dedupe_1M", |b| {
        b.iter(|| {
            let mut dec = chafon::Decoder::new(Direction::FromReader);
            let mut dd = DedupeWindow::new(DedupeConfig::default());
            let mut reports = 0u64;
            let mut i = 0u64;
            // As a serial port would deliver it: 4 KiB at a time.
            for chunk in wire.chunks(4096) {
                dec.push(chunk);
                while let Some(f) = dec.next_frame() {
                    if let Reply::Active(epc) = chafon::reply(&f) {
                        let read = TagRead {
                            epc,
                            antenna: None,
                            rssi: None,
                            seen: 1,
                        };
                        // 100 reads per millisecond: the million spans ten 1-s windows.
                        if dd.offer(&read, i / 100).is_some() {
                            reports += 1;
                        }
                        i += 1;
                    }
                }
            }
            assert_eq!(i, READS as u64);
            black_box(reports)
        })
    });

    g.bench_function("floor_hashmap_insert_1M", |b| {
        b.iter(|| {
            let mut m: HashMap<[u8; 12], u32> = HashMap::new();
            for e in &epcs {
                *m.entry(*e).or_insert(0) += 1;
            }
            black_box(m.len())
        })
    });
    g.finish();
}

criterion_group!(benches, ingest);
criterion_main!(benches);
