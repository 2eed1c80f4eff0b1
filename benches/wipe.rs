//! The wipe bench's targets (issue 11): nwipe log parsing ≥ 50 MB/s; an
//! import of 1,000 logs of ~5 KB in ≤ 2 s including the commit; a
//! certificate rendered in ≤ 20 ms a page.
//!
//! * `parse`: every fixture log that parses, concatenated until ~4 MB (a
//!   file of many runs), through `codec::nwipe::parse`.
//! * `import_1000`: 1,000 distinct logs made from the 0.42 fixture (serials
//!   and run times changed, ~5.3 KB each) parsed and applied to a fresh
//!   on-disk store in one transaction (WAL, synchronous=FULL).
//! * `certificate_render`: one page, one medium;
//!   `certificate_render_pallet_24_media`: a pallet's certificate, 12 assets
//!   of 2 media (its page count printed).
//!
//! `cargo bench --bench wipe`.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a bench/test/tool: a panic is a failed run

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};
use scanstation::codec::nwipe;
use scanstation::store::Store;
use scanstation::wipe::certificate::{self, BatchAsset, Fields, MediumBlock};
use scanstation::wipe::import::{self, Importer};
use std::hint::black_box;
use std::path::PathBuf;
use std::time::SystemTime;

fn fixture(name: &str) -> Vec<u8> {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/nwipe")
        .join(name);
    std::fs::read(p).expect("fixture")
}

fn big_log() -> Vec<u8> {
    let parts: Vec<Vec<u8>> = [
        "v0.33-zero-verify-last.txt",
        "v0.33-two-drives-dodshort-verify-all.txt",
        "v0.33-three-runs.txt",
        "v0.33-erased-and-failed.txt",
        "v0.41-written-from-source.txt",
        "v0.42-written-from-source.txt",
    ]
    .iter()
    .map(|n| fixture(n))
    .collect();
    let mut out = Vec::new();
    while out.len() < 4 << 20 {
        for p in &parts {
            out.extend_from_slice(p);
        }
    }
    out
}

/// 1,000 distinct 0.42 logs: other serials and another day each.
fn many_logs() -> Vec<(String, Vec<u8>)> {
    let base = String::from_utf8(fixture("v0.42-written-from-source.txt")).expect("utf-8");
    (0..1000)
        .map(|i| {
            let text = base
                .replace("S62ANJ0R123456X", &format!("S62ANJ0R{i:07}"))
                .replace("23456A800123", &format!("23456A{i:06}"))
                .replace(
                    "2026/11/20",
                    &format!("2026/{:02}/{:02}", 1 + i % 12, 1 + i % 28),
                )
                .replace(" 09:", &format!(" {:02}:", i / 336 % 24));
            (format!("log-{i}.txt"), text.into_bytes())
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let log = big_log();
    let mut g = c.benchmark_group("nwipe");
    g.throughput(Throughput::Bytes(log.len() as u64));
    g.bench_function("parse", |b| {
        b.iter(|| nwipe::parse(black_box(&log)).map(|l| l.runs.len()))
    });
    g.finish();

    let logs = many_logs();
    let mut g = c.benchmark_group("nwipe_import");
    g.sample_size(10);
    g.bench_function("import_1000", |b| {
        b.iter_batched(
            || tempfile::tempdir().expect("dir"),
            |dir| {
                let mut store = Store::open(&dir.path().join("s.db")).expect("store");
                let parsed: Vec<_> = logs
                    .iter()
                    .map(|(n, d)| import::read(n, d).expect("parses"))
                    .collect();
                let who = Importer {
                    station: "bench",
                    operator: None,
                    training: false,
                };
                let r = import::apply(&mut store, &parsed, who, SystemTime::now()).expect("apply");
                assert_eq!(r.recorded, 2000);
                dir
            },
            BatchSize::PerIteration,
        )
    });
    g.finish();

    let fields = Fields {
        number: "CS-bench-000001".into(),
        issued_at: "2026-12-03T17:00:00.000Z".into(),
        station: "bench".into(),
        asset: "IT-0001".into(),
        media: vec![MediumBlock {
            serial: "S62ANJ0R123456X".into(),
            method_type: "Clear".into(),
            tool: "nwipe 0.42".into(),
            log_sha256: "ab".repeat(32),
            ..MediumBlock::default()
        }],
        journal_hash: "cd".repeat(32),
        ..Fields::default()
    };
    c.bench_function("certificate_render", |b| {
        b.iter(|| certificate::render(black_box(&fields)))
    });

    // A pallet's certificate (`certificate --batch`): 12 assets of 2 media.
    let mut pallet = fields.clone();
    pallet.batch = "306141410000005001".into();
    pallet.batch_vendor = "GreenCycle Recovery".into();
    pallet.media = (0..24)
        .map(|i| MediumBlock {
            serial: format!("S62ANJ0R{i:07}"),
            property_number: format!("A-{}", 1001 + i / 2),
            ..fields.media[0].clone()
        })
        .collect();
    pallet.batch_assets = (0..12)
        .map(|i| BatchAsset {
            tag: format!("A-{}", 1001 + i),
            serial: format!("5CG3{i:05}"),
            media: 2,
        })
        .collect();
    let pages = String::from_utf8_lossy(&certificate::render(&pallet))
        .matches("/Type /Page\n")
        .count();
    eprintln!("pallet certificate: 24 media, {pages} pages");
    c.bench_function("certificate_render_pallet_24_media", |b| {
        b.iter(|| certificate::render(black_box(&pallet)))
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
