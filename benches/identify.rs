//! Parse + classify on a mixed corpus, as the station's scan path does it:
//! plain asset tags, GS1-128 of 3–5 AIs (]C1 with GS separators), GS1 Digital
//! Link URIs and EPC hex. Beside it, a floor in the same run: a bare byte scan
//! over the same inputs.
//!
//! `cargo bench --bench identify`
#![allow(clippy::unwrap_used, clippy::expect_used)] // a bench/test/tool: a panic is a failed run

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use scanstation::config::IdentifyConfig;
use scanstation::identify::{Classifier, IdentityKind};
use std::hint::black_box;

const TAGS: [&[u8]; 8] = [
    b"A-100234",
    b"IT-0042917",
    b"NB-55120",
    b"MON-004711",
    b"A-999999",
    b"DK-77001",
    b"SRV-12345",
    b"A-0000001",
];
const GS1: [&[u8]; 6] = [
    b"]C10109506000134352\x1d21ABC\x1d17251231",
    b"]C101095060001343521725123110LOT-4711\x1d21SN0001234",
    b"]C100123456789012345675\x1d0212345678901231\x1d3725\x1d400PO-2026-0042",
    b"]d2011231231231233310ABC123\x1d99TESTING",
    b"]C18004061414112345400A\x1d400PO-17\x1d91BIN-3",
    b"]Q30112345678901231310300012311250101\x1d10BATCH99\x1d21X1",
];
const LINKS: [&[u8]; 4] = [
    b"https://id.gs1.org/01/09506000134352/21/ABC",
    b"https://example.com/01/09506000134352/10/LOT1/21/X9?17=251231",
    b"https://id.gs1.org/00/952012345678912345?02=09520123456788&37=25&10=ABC123",
    b"https://example.com/8004/9520614141234567?01=09520123456788",
];
const EPCS: [&str; 4] = [
    "3074257BF7194E4000001A85",
    "3474257BF40000000000162E",
    "3174257BF4499602D2000000",
    "3374257BF40C0E400000162E",
];

fn floor(inputs: &[&[u8]]) -> usize {
    let mut acc = 0usize;
    for input in black_box(inputs) {
        acc += input.iter().map(|&c| usize::from(c)).sum::<usize>();
    }
    acc
}

fn bench(c: &mut Criterion) {
    let cl = Classifier::new(&IdentifyConfig::default()).expect("default rules");
    for t in TAGS {
        assert_eq!(cl.classify(t).kind, IdentityKind::AssetTag, "{t:?}");
    }
    for g in GS1.iter().chain(LINKS.iter()) {
        let d = cl.decode(g);
        assert!(d.error.is_none(), "{g:?}: {:?}", d.error);
    }
    for e in EPCS {
        assert!(cl.decode_epc(e).error.is_none(), "{e}");
    }

    let mut g = c.benchmark_group("identify");
    g.throughput(Throughput::Elements(TAGS.len() as u64));
    g.bench_function("floor_byte_scan_tags", |b| b.iter(|| floor(&TAGS)));
    g.bench_function("classify_plain_tags", |b| {
        b.iter(|| {
            TAGS.iter()
                .filter(|t| cl.classify(black_box(t)).kind == IdentityKind::AssetTag)
                .count()
        })
    });
    g.throughput(Throughput::Elements(GS1.len() as u64));
    g.bench_function("floor_byte_scan_gs1", |b| b.iter(|| floor(&GS1)));
    g.bench_function("classify_gs1_128", |b| {
        b.iter(|| {
            GS1.iter()
                .map(|t| cl.classify(black_box(t)).value.len())
                .sum::<usize>()
        })
    });
    g.throughput(Throughput::Elements(LINKS.len() as u64));
    g.bench_function("classify_digital_link", |b| {
        b.iter(|| {
            LINKS
                .iter()
                .map(|t| cl.classify(black_box(t)).value.len())
                .sum::<usize>()
        })
    });
    g.throughput(Throughput::Elements(EPCS.len() as u64));
    g.bench_function("decode_epc_hex", |b| {
        b.iter(|| {
            EPCS.iter()
                .map(|e| cl.decode_epc(black_box(e)).identity.value.len())
                .sum::<usize>()
        })
    });
    let mixed: Vec<&[u8]> = TAGS
        .iter()
        .chain(GS1.iter())
        .chain(LINKS.iter())
        .copied()
        .collect();
    g.throughput(Throughput::Elements(mixed.len() as u64));
    g.bench_function("floor_byte_scan_mixed", |b| b.iter(|| floor(&mixed)));
    g.bench_function("classify_mixed", |b| {
        b.iter(|| {
            mixed
                .iter()
                .map(|t| cl.classify(black_box(t)).value.len())
                .sum::<usize>()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
