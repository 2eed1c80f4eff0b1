//! Time to decode one 1-megapixel label photo (JPEG bytes in memory → codes),
//! beside the floor of merely loading it and converting it to greyscale.
//!
//! * `load+luma (floor)`: JPEG decode and luma conversion only.
//! * `first-pass hit`: a Code 128 label, slightly tilted, read by the first pass.
//! * `retry hit`: a Code 128 label at 45°, which only a later pass (the
//!   rectified label) reads.
//! * `no barcode`: a blank desk: every pass of the ladder runs (worst case).
//!
//! Decoding runs without a time budget here, so that the worst case is the
//! whole ladder; `decode_file` stops starting passes after 2 s a megapixel.
//!
//! `cargo bench --bench image_decode`
#![allow(clippy::unwrap_used, clippy::expect_used)] // a bench/test/tool: a panic is a failed run

use criterion::{criterion_group, criterion_main, Criterion};
use image::{GrayImage, Luma};
use rxing::{BarcodeFormat, EncodeHints, MultiFormatWriter, Writer};
use scanstation::device::image::{decode_luma, load_bytes, ImageCode};
use std::hint::black_box;

const W: u32 = 1152;
const H: u32 = 864; // 0.995 megapixels

/// A desk with a label carrying a Code 128 at `degrees`, noise, as JPEG bytes.
fn photo(degrees: f32, with_code: bool) -> Vec<u8> {
    let mut desk = GrayImage::from_fn(W, H, |x, y| Luma([(90 + (x * 7 + y * 13) % 23) as u8]));
    if with_code {
        let hints = EncodeHints {
            Margin: Some("10".into()),
            ..EncodeHints::default()
        };
        let m = MultiFormatWriter
            .encode_with_hints("IT-004211-BENCH", &BarcodeFormat::CODE_128, 0, 1, &hints)
            .expect("encodes");
        let row = to_gray(&m);
        let module = 3;
        let code = image::imageops::resize(
            &row,
            row.width() * module,
            120,
            image::imageops::FilterType::Nearest,
        );
        let mut label = GrayImage::from_pixel(code.width() + 40, code.height() + 80, Luma([240]));
        image::imageops::overlay(&mut label, &code, 20, 40);
        let turned = rotate(&label, degrees);
        let x = (W - turned.width()) / 2;
        let y = (H - turned.height()) / 2;
        for (dx, dy, p) in turned.enumerate_pixels() {
            if p.0[0] < 250 {
                desk.put_pixel(x + dx, y + dy, *p);
            }
        }
    }
    let blurred = image::imageops::blur(&desk, 0.8);
    let mut bytes = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, 80)
        .encode_image(&blurred)
        .expect("jpeg");
    bytes
}

/// A writer's matrix as black-on-white pixels.
fn to_gray(m: &rxing::common::BitMatrix) -> image::GrayImage {
    image::GrayImage::from_fn(m.width(), m.height(), |x, y| {
        image::Luma([if m.get(x, y) { 0 } else { 255 }])
    })
}

/// Bilinear rotation on a grown canvas; corners left at 255 (skipped when pasting).
fn rotate(img: &GrayImage, degrees: f32) -> GrayImage {
    let (w, h) = (img.width() as f32, img.height() as f32);
    let (s, c) = degrees.to_radians().sin_cos();
    let nw = (w * c.abs() + h * s.abs()).ceil() as u32;
    let nh = (w * s.abs() + h * c.abs()).ceil() as u32;
    GrayImage::from_fn(nw, nh, |x, y| {
        let dx = x as f32 - nw as f32 / 2.0;
        let dy = y as f32 - nh as f32 / 2.0;
        let sx = c * dx - s * dy + w / 2.0;
        let sy = s * dx + c * dy + h / 2.0;
        if sx < 0.0 || sy < 0.0 || sx >= w - 1.0 || sy >= h - 1.0 {
            return Luma([255]);
        }
        let (x0, y0) = (sx.floor(), sy.floor());
        let (fx, fy) = (sx - x0, sy - y0);
        let at = |x: f32, y: f32| img.get_pixel(x as u32, y as u32).0[0] as f32;
        let top = at(x0, y0) * (1.0 - fx) + at(x0 + 1.0, y0) * fx;
        let bottom = at(x0, y0 + 1.0) * (1.0 - fx) + at(x0 + 1.0, y0 + 1.0) * fx;
        Luma([(top * (1.0 - fy) + bottom * fy) as u8])
    })
}

/// Load, convert and decode without a time budget.
fn decode(bytes: &[u8]) -> Vec<ImageCode> {
    let img = load_bytes(bytes).expect("loads");
    decode_luma(&img.to_luma8(), None).codes
}

fn bench(c: &mut Criterion) {
    let easy = photo(3.0, true);
    let hard = photo(45.0, true);
    let blank = photo(0.0, false);
    // Say which pass reads each photo, so the figures can be read right.
    for (name, bytes) in [
        ("first-pass hit", &easy),
        ("retry hit", &hard),
        ("no barcode", &blank),
    ] {
        let img = load_bytes(bytes).expect("loads");
        let d = decode_luma(&img.to_luma8(), None);
        eprintln!(
            "{name}: {} code(s), pass {:?} after {} pass(es)",
            d.codes.len(),
            d.pass,
            d.passes
        );
    }
    let mut g = c.benchmark_group("image_decode_1mp");
    g.sample_size(10);
    g.bench_function("load+luma (floor)", |b| {
        b.iter(|| black_box(load_bytes(black_box(&easy)).expect("loads").to_luma8()))
    });
    g.bench_function("first-pass hit", |b| {
        b.iter(|| black_box(decode(black_box(&easy))))
    });
    g.bench_function("retry hit", |b| {
        b.iter(|| black_box(decode(black_box(&hard))))
    });
    g.bench_function("no barcode", |b| {
        b.iter(|| black_box(decode(black_box(&blank))))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
