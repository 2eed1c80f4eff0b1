//! Label rendering speed: an asset label as ZPL (the tag encoded with rxing's
//! writer for the layout, then the ZPL text), a pallet's SSCC label as ZPL,
//! and a 50 × 25 mm PNG preview at 203 dpi (drawn, then PNG-encoded), beside
//! a floor that only encodes the symbol. Targets (issue 10): ZPL render
//! ≤ 50 µs a label; a 50 × 25 mm PNG at 203 dpi ≤ 20 ms.
//!
//! Run: `cargo bench --bench labels -- --warm-up-time 1 --measurement-time 4`
#![allow(clippy::unwrap_used, clippy::expect_used)] // a bench/test/tool: a panic is a failed run

use criterion::{criterion_group, criterion_main, Criterion};
use scanstation::label::pallet::{self, PalletLabel};
use scanstation::label::{png, symbol, zpl, LabelData, LabelsConfig, Symbology};
use std::hint::black_box;

fn data() -> LabelData {
    LabelData {
        tag: "RX-00041".into(),
        model: Some("ThinkPad T14 Gen 4".into()),
        date: Some("2026-12-03".into()),
        epc_hex: Some("3414257BF400000000000029".into()),
    }
}

fn bench(c: &mut Criterion) {
    let mut g = c.benchmark_group("labels");
    let d = data();
    let default = LabelsConfig::default();
    g.bench_function("floor_symbol_code128", |b| {
        b.iter(|| black_box(symbol(black_box(&d.tag), Symbology::Code128)))
    });
    for (sym, dpi) in [
        (Symbology::Code128, 203),
        (Symbology::Datamatrix, 300),
        (Symbology::Qr, 600),
    ] {
        let cfg = LabelsConfig {
            symbology: sym,
            dpi,
            ..Default::default()
        };
        g.bench_function(format!("zpl_{}_{dpi}", sym.as_str()), |b| {
            b.iter(|| black_box(zpl::render(black_box(&d), &cfg)))
        });
    }
    let p = PalletLabel {
        sscc: "006141411234567890".into(),
        prefix_len: Some(7),
        organisation: "Example Org".into(),
        station: "bench-4".into(),
        date: "2026-12-03".into(),
    };
    g.bench_function("zpl_pallet_sscc_203", |b| {
        b.iter(|| black_box(pallet::render_zpl(black_box(&p), &default)))
    });
    g.bench_function("png_image_50x25_203", |b| {
        b.iter(|| black_box(png::image(black_box(&d), &default)))
    });
    g.bench_function("png_bytes_50x25_203", |b| {
        b.iter(|| black_box(png::render(black_box(&d), &default)))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
