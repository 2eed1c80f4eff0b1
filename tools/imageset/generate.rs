//! Generates degraded "label photos" for the image decoder's tests and its
//! accuracy comparison (tools/imageset/README.md).
//!
//! Each image is a printed label (one or two symbols from rxing's writers and
//! some fake text) photographed on a desk: placed by a homography (rotation,
//! perspective), then blurred, dimmed, noised and JPEG-compressed as a phone
//! would. A manifest (`manifest.jsonl`) lists, per file, the degradation and
//! the exact text every symbol must decode to (AIM id + data, GS as 0x1D).
//!
//! ```text
//! cargo run --example imageset -- OUT_DIR COUNT SEED [--fixtures]
//! ```
//! `--fixtures` makes small 640x480 photos (the committed test set); otherwise
//! the photos are about one megapixel.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a bench/test/tool: a panic is a failed run

use image::{GrayImage, Luma};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use rxing::{BarcodeFormat, EncodeHints, MultiFormatWriter, Writer};
use std::io::Write as _;
use std::path::Path;

/// What a symbol carries: what to give the writer, and what a scanner reads.
struct Payload {
    format: BarcodeFormat,
    name: &'static str,
    contents: String,
    gs1: bool,
    expected: String,
}

const DEGRADATIONS: &[&str] = &[
    "clean",
    "rotate",
    "small",
    "blur",
    "noise",
    "lowcontrast",
    "perspective",
    "jpeg",
    "combo",
];

fn main() -> Result<(), Box<dyn std::error::Error>> {
    std::panic::set_hook(Box::new(|_| {}));
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 3 {
        eprintln!("usage: imageset OUT_DIR COUNT SEED [--fixtures]");
        std::process::exit(2);
    }
    let out = Path::new(&args[0]);
    let count: usize = args[1].parse()?;
    let seed: u64 = args[2].parse()?;
    let fixtures = args.iter().any(|a| a == "--fixtures");
    std::fs::create_dir_all(out)?;
    let mut rng = StdRng::seed_from_u64(seed);
    let mut manifest = std::fs::File::create(out.join("manifest.jsonl"))?;
    for i in 0..count {
        let degradation = DEGRADATIONS[i % DEGRADATIONS.len()];
        let kind = (i / DEGRADATIONS.len() + i) % 9;
        let (w, h) = if fixtures { (640, 480) } else { (1200, 900) };
        let (payloads, img) = loop {
            let payloads = if kind == 8 {
                vec![payload(&mut rng, 0), payload(&mut rng, 2)]
            } else {
                vec![payload(&mut rng, kind)]
            };
            if let Ok(img) = photo(&mut rng, &payloads, degradation, w, h) {
                break (payloads, img);
            }
        };
        let jpeg_quality = match degradation {
            "jpeg" => Some(rng.random_range(12..=25)),
            "combo" => Some(rng.random_range(35..=60)),
            _ if fixtures => Some(85),
            _ => None,
        };
        let names: Vec<&str> = payloads.iter().map(|p| p.name).collect();
        let stem = format!("{i:04}-{}-{}", names.join("+"), degradation);
        let file = match jpeg_quality {
            Some(q) => {
                let name = format!("{stem}.jpg");
                let mut f = std::io::BufWriter::new(std::fs::File::create(out.join(&name))?);
                image::codecs::jpeg::JpegEncoder::new_with_quality(&mut f, q).encode_image(&img)?;
                name
            }
            None => {
                let name = format!("{stem}.png");
                img.save(out.join(&name))?;
                name
            }
        };
        let line = serde_json::json!({
            "file": file,
            "degradation": degradation,
            "formats": names,
            "expected": payloads.iter().map(|p| p.expected.clone()).collect::<Vec<_>>(),
        });
        writeln!(manifest, "{line}")?;
    }
    Ok(())
}

fn payload(rng: &mut StdRng, kind: usize) -> Payload {
    let serial: String = (0..rng.random_range(6..=10))
        .map(|_| b"ABCDEFGHJKLMNPQRSTUVWXYZ0123456789"[rng.random_range(0..34)] as char)
        .collect();
    let gtin = gtin14(rng);
    match kind {
        0 => {
            let tag = format!("IT-{:06}", rng.random_range(0..1_000_000));
            Payload {
                format: BarcodeFormat::CODE_128,
                name: "code128",
                expected: format!("]C0{tag}"),
                contents: tag,
                gs1: false,
            }
        }
        1 => {
            let (writer, data) = gs1_elements(rng, &gtin, &serial, '\u{f1}');
            Payload {
                format: BarcodeFormat::CODE_128,
                name: "gs1-128",
                contents: format!("\u{f1}{writer}"),
                expected: format!("]C1{data}"),
                gs1: false,
            }
        }
        2 => {
            let (_, data) = gs1_elements(rng, &gtin, &serial, '\u{1d}');
            Payload {
                format: BarcodeFormat::DATA_MATRIX,
                name: "gs1-datamatrix",
                contents: data.clone(),
                expected: format!("]d2{data}"),
                gs1: true,
            }
        }
        3 => {
            let url = format!("https://id.gs1.org/01/{gtin}/21/{serial}");
            Payload {
                format: BarcodeFormat::QR_CODE,
                name: "qr",
                expected: format!("]Q1{url}"),
                contents: url,
                gs1: false,
            }
        }
        4 => {
            let digits: String = (0..12)
                .map(|_| char::from(b'0' + rng.random_range(0..10u8)))
                .collect();
            let full = format!("{digits}{}", check_digit(&digits));
            Payload {
                format: BarcodeFormat::EAN_13,
                name: "ean13",
                expected: format!("]E0{full}"),
                contents: full,
                gs1: false,
            }
        }
        5 => {
            let text = format!("SN {serial}");
            Payload {
                format: BarcodeFormat::CODE_39,
                name: "code39",
                expected: format!("]A0{text}"),
                contents: text,
                gs1: false,
            }
        }
        6 => {
            let text = format!(
                "SN:{serial};MODEL:Latitude 7440;PO:45{:08}",
                rng.random_range(0..100_000_000u32)
            );
            Payload {
                format: BarcodeFormat::PDF_417,
                name: "pdf417",
                expected: format!("]L2{text}"),
                contents: text,
                gs1: false,
            }
        }
        _ => {
            let text = format!("ASSET:{serial}");
            Payload {
                format: BarcodeFormat::AZTEC,
                name: "aztec",
                expected: format!("]z0{text}"),
                contents: text,
                gs1: false,
            }
        }
    }
}

/// 3–5 GS1 element strings: (01) and (21) always, then some of (17), (10),
/// (400). Variable-length fields are followed by `sep` unless last. Returns
/// (writer contents after the leading FNC1, scanner data with GS).
fn gs1_elements(rng: &mut StdRng, gtin: &str, serial: &str, sep: char) -> (String, String) {
    let mut fields: Vec<(String, bool)> = vec![(format!("01{gtin}"), false)];
    let extra = rng.random_range(1..=3);
    if extra >= 1 {
        fields.push((
            format!(
                "17{:02}{:02}{:02}",
                rng.random_range(26..35),
                rng.random_range(1..13),
                rng.random_range(1..29)
            ),
            false,
        ));
    }
    if extra >= 2 {
        fields.push((format!("10{}", rng.random_range(1000..99999)), true));
    }
    if extra >= 3 {
        fields.push((
            format!("400{}", rng.random_range(4_500_000..4_599_999)),
            true,
        ));
    }
    fields.push((format!("21{serial}"), true));
    let mut writer = String::new();
    let mut data = String::new();
    let n = fields.len();
    for (i, (f, variable)) in fields.into_iter().enumerate() {
        writer.push_str(&f);
        data.push_str(&f);
        if variable && i + 1 < n {
            writer.push(sep);
            data.push('\u{1d}');
        }
    }
    (writer, data)
}

fn gtin14(rng: &mut StdRng) -> String {
    let body: String = std::iter::once('0')
        .chain((0..12).map(|_| char::from(b'0' + rng.random_range(0..10u8))))
        .collect();
    format!("{body}{}", check_digit(&body))
}

/// GS1 mod-10 check digit of `digits` (weights 3,1,3… from the right).
fn check_digit(digits: &str) -> u32 {
    let sum: u32 = digits
        .bytes()
        .rev()
        .enumerate()
        .map(|(i, b)| (b - b'0') as u32 * if i % 2 == 0 { 3 } else { 1 })
        .sum();
    (10 - sum % 10) % 10
}

/// One symbol at one pixel per module, black on white.
fn symbol(p: &Payload) -> Result<GrayImage, Box<dyn std::error::Error>> {
    let hints = EncodeHints {
        Gs1Format: p.gs1.then_some(true),
        DataMatrixCompact: p.gs1.then_some(true),
        Margin: Some("0".into()),
        ErrorCorrection: match p.format {
            BarcodeFormat::PDF_417 => Some("2".into()),
            BarcodeFormat::AZTEC => Some("33".into()),
            _ => None,
        },
        ..EncodeHints::default()
    };
    let (w, h) = match p.format {
        BarcodeFormat::CODE_128 | BarcodeFormat::CODE_39 | BarcodeFormat::EAN_13 => (0, 1),
        _ => (0, 0),
    };
    // rxing's minimal Data Matrix encoder can trip an assertion on a GS next
    // to C40 text; the caller then draws another payload.
    let m = std::panic::catch_unwind(|| {
        MultiFormatWriter.encode_with_hints(&p.contents, &p.format, w, h, &hints)
    })
    .map_err(|_| "writer panicked")??;
    Ok(to_gray(&m))
}

/// A writer's matrix as black-on-white pixels.
fn to_gray(m: &rxing::common::BitMatrix) -> image::GrayImage {
    image::GrayImage::from_fn(m.width(), m.height(), |x, y| {
        image::Luma([if m.get(x, y) { 0 } else { 255 }])
    })
}

/// The printed label: symbols scaled to `module` pixels, stacked, with quiet
/// zones and fake text lines; `1D` symbols get bars ~15% of their width tall.
fn label(
    rng: &mut StdRng,
    payloads: &[Payload],
    module: u32,
) -> Result<GrayImage, Box<dyn std::error::Error>> {
    let mut parts = Vec::new();
    for p in payloads {
        let s = symbol(p)?;
        let one_d = s.height() == 1;
        let w = s.width() * module;
        let h = if one_d {
            (w / 6).max(module * 20)
        } else {
            s.height() * module
        };
        parts.push(image::imageops::resize(
            &s,
            w,
            h,
            image::imageops::FilterType::Nearest,
        ));
    }
    let quiet = module * 10;
    let text_h = module * 4;
    let width = parts.iter().map(|p| p.width()).max().unwrap_or(1) + 2 * quiet;
    let height: u32 =
        parts.iter().map(|p| p.height() + quiet).sum::<u32>() + quiet + 3 * text_h * 2;
    let mut canvas = GrayImage::from_pixel(width, height, Luma([245]));
    let mut y = quiet / 2;
    // Fake text above.
    for _ in 0..2 {
        fake_text(rng, &mut canvas, quiet, y, width - 2 * quiet, text_h);
        y += text_h * 2;
    }
    y += quiet / 2;
    for p in &parts {
        image::imageops::overlay(&mut canvas, p, ((width - p.width()) / 2) as i64, y as i64);
        y += p.height() + quiet;
    }
    fake_text(
        rng,
        &mut canvas,
        quiet,
        y.min(height.saturating_sub(text_h + 1)),
        width - 2 * quiet,
        text_h,
    );
    Ok(canvas)
}

fn fake_text(rng: &mut StdRng, img: &mut GrayImage, x0: u32, y0: u32, w: u32, h: u32) {
    let mut fast = Fast(rng.random::<u64>() | 1);
    let mut x = x0;
    while x + h < x0 + w * 2 / 3 {
        let word = rng.random_range(h..h * 4);
        for yy in y0..(y0 + h).min(img.height()) {
            for xx in x..(x + word).min(img.width()) {
                if fast.next() < 0.5 {
                    img.put_pixel(xx, yy, Luma([40]));
                }
            }
        }
        x += word + h;
    }
}

/// Photograph the label: place it on a desk by a homography, then degrade.
fn photo(
    rng: &mut StdRng,
    payloads: &[Payload],
    degradation: &str,
    w: u32,
    h: u32,
) -> Result<GrayImage, Box<dyn std::error::Error>> {
    let small = degradation == "small";
    let module = if small { 1 } else { rng.random_range(2..=4) };
    let lab = label(rng, payloads, module)?;
    // How large the label appears: 35–75% of the frame's width (bounded so it
    // stays in frame), or about 1.6–2.4 pixels a module for "small".
    let diag = (lab.width() as f64).hypot(lab.height() as f64);
    let scale = if small {
        rng.random_range(1.6..2.4)
    } else {
        let fill: f64 = rng.random_range(0.35..0.75);
        // A person frames a long code so that its bars stay resolvable: at
        // least two pixels a module when the frame allows it.
        let s = (fill * w as f64 / lab.width() as f64)
            .max(2.0 / module as f64)
            .min(0.95 * w as f64 / lab.width() as f64)
            .min(0.8 * h as f64 / lab.height() as f64);
        if matches!(degradation, "rotate" | "combo") {
            s.min(0.85 * w.min(h) as f64 / diag)
        } else {
            s
        }
    };
    let module_px = (module as f64 * scale) as f32;
    let angle: f64 = match degradation {
        "rotate" => rng.random_range(0.0..360.0),
        "combo" => rng.random_range(-30.0..30.0),
        "perspective" => rng.random_range(-10.0..10.0),
        _ => rng.random_range(-4.0..4.0),
    };
    let skew = match degradation {
        "perspective" => 0.15,
        "combo" => 0.06,
        _ => 0.02,
    };
    let (lw, lh) = (lab.width() as f64 * scale, lab.height() as f64 * scale);
    let (s, c) = angle.to_radians().sin_cos();
    let (cx, cy) = (
        w as f64 / 2.0 + rng.random_range(-0.1..0.1) * w as f64,
        h as f64 / 2.0 + rng.random_range(-0.1..0.1) * h as f64,
    );
    let corners = [
        (-lw / 2.0, -lh / 2.0),
        (lw / 2.0, -lh / 2.0),
        (lw / 2.0, lh / 2.0),
        (-lw / 2.0, lh / 2.0),
    ];
    let dst: Vec<(f64, f64)> = corners
        .iter()
        .map(|&(x, y)| {
            let jx = rng.random_range(-skew..=skew) * lw;
            let jy = rng.random_range(-skew..=skew) * lh;
            (
                cx + c * (x + jx) - s * (y + jy),
                cy + s * (x + jx) + c * (y + jy),
            )
        })
        .collect();
    let src = [
        (0.0, 0.0),
        (lab.width() as f64, 0.0),
        (lab.width() as f64, lab.height() as f64),
        (0.0, lab.height() as f64),
    ];
    let hmat = homography(&dst, &src).ok_or("degenerate homography")?;
    // A desk: a soft gradient with some texture.
    let base = rng.random_range(60.0..140.0);
    let grad = rng.random_range(-40.0..40.0);
    let mut img = GrayImage::from_fn(w, h, |x, y| {
        let v = base + grad * (x as f64 / w as f64) + ((x * 7 + y * 13) % 17) as f64;
        Luma([v.clamp(0.0, 255.0) as u8])
    });
    // Warp with 2x2 supersampling (the camera integrates over a pixel).
    for y in 0..h {
        for x in 0..w {
            let mut acc = 0.0;
            let mut hits = 0;
            for (ox, oy) in [(0.25, 0.25), (0.75, 0.25), (0.25, 0.75), (0.75, 0.75)] {
                let (sx, sy) = apply(&hmat, x as f64 + ox, y as f64 + oy);
                if sx >= 0.0 && sy >= 0.0 && (sx as u32) < lab.width() && (sy as u32) < lab.height()
                {
                    acc += lab.get_pixel(sx as u32, sy as u32).0[0] as f64;
                    hits += 1;
                }
            }
            if hits > 0 {
                let bg = img.get_pixel(x, y).0[0] as f64;
                let v = (acc + bg * (4 - hits) as f64) / 4.0;
                img.put_pixel(x, y, Luma([v as u8]));
            }
        }
    }
    // Lighting: a gentle brightness gradient across the label.
    let (sigma, noise, contrast) = match degradation {
        // Blur relative to the module as it appears in the photo.
        "blur" => (rng.random_range(0.3..0.5) * module_px, 3.0, 1.0),
        "noise" => (0.5, rng.random_range(15.0..30.0), 1.0),
        "lowcontrast" => (0.6, 3.0, rng.random_range(0.18..0.3)),
        "combo" => (
            rng.random_range(0.15..0.3) * module_px,
            rng.random_range(4.0..10.0),
            rng.random_range(0.5..0.8),
        ),
        _ => (0.6, 3.0, 1.0),
    };
    let mut img = image::imageops::blur(&img, sigma);
    let mid = rng.random_range(110.0..150.0);
    let mut fast = Fast(rng.random::<u64>() | 1);
    for p in img.pixels_mut() {
        let v = mid + (p.0[0] as f64 - mid) * contrast + fast.gaussian() * noise;
        p.0[0] = v.clamp(0.0, 255.0) as u8;
    }
    Ok(img)
}

/// Noise source for the per-pixel work: a xorshift, because StdRng is slow in
/// an unoptimised build and this runs a million times a photo.
struct Fast(u64);

impl Fast {
    fn next(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Approximately normal (sum of four uniforms, scaled to unit variance).
    fn gaussian(&mut self) -> f64 {
        (self.next() + self.next() + self.next() + self.next() - 2.0) * 1.732
    }
}

/// The 3x3 homography taking `from[i]` to `to[i]` (four point pairs).
fn homography(from: &[(f64, f64)], to: &[(f64, f64)]) -> Option<[f64; 9]> {
    let mut a = [[0.0f64; 9]; 8];
    for i in 0..4 {
        let (x, y) = from[i];
        let (u, v) = to[i];
        a[2 * i] = [x, y, 1.0, 0.0, 0.0, 0.0, -u * x, -u * y, u];
        a[2 * i + 1] = [0.0, 0.0, 0.0, x, y, 1.0, -v * x, -v * y, v];
    }
    // Gaussian elimination with partial pivoting on the 8x8 system.
    for col in 0..8 {
        let pivot = (col..8).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[pivot][col].abs() < 1e-12 {
            return None;
        }
        a.swap(col, pivot);
        let pivot_row = a[col];
        for (r, row) in a.iter_mut().enumerate() {
            if r != col {
                let f = row[col] / pivot_row[col];
                for (v, p) in row.iter_mut().zip(pivot_row.iter()).skip(col) {
                    *v -= f * p;
                }
            }
        }
    }
    let mut hm = [0.0; 9];
    for i in 0..8 {
        hm[i] = a[i][8] / a[i][i];
    }
    hm[8] = 1.0;
    Some(hm)
}

fn apply(h: &[f64; 9], x: f64, y: f64) -> (f64, f64) {
    let d = h[6] * x + h[7] * y + h[8];
    (
        (h[0] * x + h[1] * y + h[2]) / d,
        (h[3] * x + h[4] * y + h[5]) / d,
    )
}
