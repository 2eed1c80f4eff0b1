//! Barcodes in label photos: PNG/JPEG in, the codes a scanner would have sent out.
//!
//! Photos from a phone or a bench camera are rotated, small, blurred, noisy,
//! low-contrast, skewed and JPEG-compressed. One rxing pass reads most of them;
//! for the rest we retry a short ladder of variants and stop at the first pass
//! that finds anything, so a clean photo costs one pass and only hard ones pay
//! for the ladder. The most useful retry ([`locate`]) finds the label by its
//! edge energy, turns it so that the bars are vertical and upscales it: that
//! reads linear codes at any angle and small codes in one pass, where fixed
//! rotations and whole-image scaling needed several. A variant of it also
//! averages along the bars, which removes noise without blurring the edges.
//!
//! Labels often carry a linear and a 2D code (a Code 128 asset tag beside a
//! GS1 DataMatrix), and the pass that reads one tends to miss the other. When
//! a pass reads only 2D codes, the rest of the label is checked for bars and,
//! if it has some, read rectified; when it reads only linear codes, a square
//! blob of print, if there is one, is read for 2D codes in a window of its
//! own. See [`decode_luma`]. Some 2D detectors (rxing's Aztec one) start from
//! the middle of the image, so a later pass also centres the most code-like
//! blobs in windows of their own. A time budget bounds the ladder
//! ([`budget_for`]).
//!
//! Each code comes back as the bytes a scanner would deliver: the AIM symbology
//! identifier, then the data with GS1 separators as GS (0x1D). rxing's GS1 hint
//! keeps the separators, and for GS1-128 also puts `]C1` at the start of the
//! text, which the metadata repeats: we keep one.
//!
//! Loading is bounded ([`MAX_SIDE`], [`MAX_ALLOC`]) so a corrupt or hostile
//! header cannot make us allocate gigabytes; decoding never panics.

mod filters;
mod locate;
mod symbols;

#[cfg(test)]
use symbols::code128_checksum_fix;
pub use symbols::format_name;
use symbols::{distinct_symbols, to_code};

use std::collections::HashSet;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use image::{DynamicImage, GrayImage, ImageReader, Limits};
use rxing::common::{GlobalHistogramBinarizer, HybridBinarizer};
use rxing::multi::{GenericMultipleBarcodeReader, MultipleBarcodeReader};
use rxing::{
    BarcodeFormat, Binarizer, BinaryBitmap, DecodeHints, Luma8Source, MultiUseMultiFormatReader,
    RXingResult,
};

/// The largest width or height we accept from an image header.
pub const MAX_SIDE: u32 = 12_000;
/// The most memory the image decoder may allocate for one file.
pub const MAX_ALLOC: u64 = 400 * 1024 * 1024;
/// Photos are decoded at most this size (longer side) in the ordinary passes;
/// a bigger one is shrunk first and read at full size only as a last resort.
pub const WORK_SIDE: u32 = 2048;
/// The last-resort full-size pass is itself capped here.
const FULL_SIDE: u32 = 4096;

/// One barcode found in an image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageCode {
    /// Our name for the symbology: `qr`, `datamatrix`, `code128`, `ean13`,
    /// `ean8`, `upca`, `upce`, `code39`, `code93`, `pdf417`, `aztec`, …
    /// (GS1-128 is `code128` with symbology `]C1`).
    pub format: &'static str,
    /// The AIM identifier (`]C1`, `]Q1`, `]d2` …) when the decoder reported one.
    pub symbology: Option<String>,
    /// As a scanner would deliver it: AIM id + data, GS1 separators as 0x1D.
    pub raw: Vec<u8>,
    /// A linear (1D) symbology rather than a 2D one.
    pub linear: bool,
}

/// Why an image file could not be decoded at all (as opposed to "no barcode").
#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    #[error("cannot read {}: {source}", path.display())]
    Open {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{} is not a PNG or JPEG image", path.display())]
    UnknownFormat { path: PathBuf },
    #[error("{} is too large to decode ({detail}); the limit is {MAX_SIDE} pixels a side", path.display())]
    TooLarge { path: PathBuf, detail: String },
    #[error("{} is not a readable image: {detail}", path.display())]
    Corrupt { path: PathBuf, detail: String },
}

/// What one decode did: the codes, and which pass found them (for tests,
/// benchmarks and the accuracy report).
#[derive(Debug, Clone, Default)]
pub struct Decoded {
    pub codes: Vec<ImageCode>,
    /// The name of the pass that found the codes, or `None`.
    pub pass: Option<&'static str>,
    /// How many passes ran.
    pub passes: usize,
}

/// Load `path` (PNG or JPEG, by content) and return every barcode in it,
/// within the default time budget.
pub fn decode_file(path: &Path) -> Result<Vec<ImageCode>, ImageError> {
    Ok(decode_image(&load(path)?))
}

/// [`decode_file`] with an explicit time budget (`None`: unbounded, so that
/// tests give the same answer however loaded the machine is).
pub fn decode_file_within(
    path: &Path,
    budget: Option<Duration>,
) -> Result<Vec<ImageCode>, ImageError> {
    Ok(decode_luma(&load(path)?.to_luma8(), budget).codes)
}

/// Load an image with bounded dimensions and allocation.
pub fn load(path: &Path) -> Result<DynamicImage, ImageError> {
    let file = std::fs::File::open(path).map_err(|source| ImageError::Open {
        path: path.to_owned(),
        source,
    })?;
    let reader = ImageReader::new(BufReader::new(file))
        .with_guessed_format()
        .map_err(|source| ImageError::Open {
            path: path.to_owned(),
            source,
        })?;
    match reader.format() {
        Some(image::ImageFormat::Png | image::ImageFormat::Jpeg) => {}
        _ => {
            return Err(ImageError::UnknownFormat {
                path: path.to_owned(),
            })
        }
    }
    let mut reader = reader;
    reader.limits(limits());
    reader.decode().map_err(|e| classify(path, e))
}

/// Decode an image already in memory (PNG or JPEG bytes), with the same limits.
pub fn load_bytes(bytes: &[u8]) -> Result<DynamicImage, ImageError> {
    let path = Path::new("<memory>");
    let mut reader = ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|source| ImageError::Open {
            path: path.to_owned(),
            source,
        })?;
    if !matches!(
        reader.format(),
        Some(image::ImageFormat::Png | image::ImageFormat::Jpeg)
    ) {
        return Err(ImageError::UnknownFormat {
            path: path.to_owned(),
        });
    }
    reader.limits(limits());
    reader.decode().map_err(|e| classify(path, e))
}

fn limits() -> Limits {
    let mut limits = Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    limits.max_alloc = Some(MAX_ALLOC);
    limits
}

fn classify(path: &Path, e: image::ImageError) -> ImageError {
    match e {
        image::ImageError::Limits(l) => ImageError::TooLarge {
            path: path.to_owned(),
            detail: l.to_string(),
        },
        // Running out of bytes mid-image is a truncated file, not an I/O fault.
        image::ImageError::IoError(e) if e.kind() == std::io::ErrorKind::UnexpectedEof => {
            ImageError::Corrupt {
                path: path.to_owned(),
                detail: "the file is truncated".into(),
            }
        }
        image::ImageError::IoError(source) => ImageError::Open {
            path: path.to_owned(),
            source,
        },
        image::ImageError::Unsupported(_) => ImageError::UnknownFormat {
            path: path.to_owned(),
        },
        other => ImageError::Corrupt {
            path: path.to_owned(),
            detail: other.to_string(),
        },
    }
}

/// Every barcode in `img`, in the order found, without duplicates, within the
/// default time budget ([`budget_for`]).
pub fn decode_image(img: &DynamicImage) -> Vec<ImageCode> {
    let luma = img.to_luma8();
    let budget = budget_for(luma.width(), luma.height());
    decode_luma(&luma, Some(budget)).codes
}

/// The default time budget for one photo: [`BUDGET_PER_MEGAPIXEL`] per
/// megapixel, at least that much for a smaller one. The ladder stops trying
/// new passes once it is spent (a pass already started finishes).
pub fn budget_for(width: u32, height: u32) -> Duration {
    let megapixels = (width as f64 * height as f64 / 1e6).max(1.0);
    BUDGET_PER_MEGAPIXEL.mul_f64(megapixels.min(16.0))
}

/// See [`budget_for`].
pub const BUDGET_PER_MEGAPIXEL: Duration = Duration::from_secs(2);

/// The retry ladder on a greyscale image; see the module docs. `budget`
/// bounds the time spent: no new pass starts after it (`None`: no bound, for
/// deterministic tests and measurements).
pub fn decode_luma(luma: &GrayImage, budget: Option<Duration>) -> Decoded {
    let deadline = budget.map(|b| Instant::now() + b);
    let out_of_time = || deadline.is_some_and(|d| Instant::now() >= d);
    let shrunk = filters::fit(luma, WORK_SIDE);
    let base = shrunk.as_ref().unwrap_or(luma);
    let mut decoded = Decoded::default();
    if base.width() == 0 || base.height() == 0 {
        return decoded;
    }
    let long = base.width().max(base.height());
    let short = base.width().min(base.height());
    let mut reader = Reader::new();
    // Measured only when a pass needs it (not for a photo the first pass reads).
    let mut layout: Option<Option<locate::Layout>> = None;
    let mut blobs: Option<Vec<locate::Rect>> = None;
    let mut found = Vec::new();
    let mut map = Map::Identity;
    for pass in PASSES {
        if decoded.passes > 0 && out_of_time() {
            break;
        }
        let (img, m) = match pass.prep {
            Prep::Base => (None, Map::Identity),
            Prep::Scale(f) => {
                let scaled_long = long as f32 * f;
                if (f < 1.0 && short < 300) || (f > 1.0 && scaled_long > WORK_SIDE as f32) {
                    continue;
                }
                let img = filters::scale(base, f);
                let m = Map::Scale(img.width() as f32 / base.width() as f32);
                (Some(img), m)
            }
            Prep::Stretch => (Some(filters::stretch_contrast(base)), Map::Identity),
            Prep::Blur(sigma) => (Some(filters::blur(base, sigma)), Map::Identity),
            Prep::DenoiseSharpen => (Some(filters::denoise_sharpen(base)), Map::Identity),
            Prep::Invert => (Some(filters::invert(base)), Map::Identity),
            Prep::Rectify { smooth } => {
                let Some(l) = *layout.get_or_insert_with(|| locate::analyse(base)) else {
                    continue;
                };
                let (img, r) = rectified(base, &l, smooth);
                (Some(img), Map::Rect(r))
            }
            Prep::Blob(n) => {
                let found = blobs.get_or_insert_with(|| locate::blobs(base, 2, 0.0));
                let Some(&rect) = found.get(n) else {
                    continue;
                };
                let (img, r) = blob_window(base, rect);
                (Some(img), Map::Rect(r))
            }
            Prep::RectifySharpen => {
                let Some(l) = *layout.get_or_insert_with(|| locate::analyse(base)) else {
                    continue;
                };
                let (img, r) = rectified(base, &l, true);
                (Some(filters::sharpen(&img, RECT_SHARPEN)), Map::Rect(r))
            }
            Prep::Full => match &shrunk {
                Some(_) => {
                    let img = filters::fit(luma, FULL_SIDE).unwrap_or_else(|| luma.clone());
                    let m = Map::Scale(img.width() as f32 / base.width() as f32);
                    (Some(img), m)
                }
                None => continue,
            },
        };
        decoded.passes += 1;
        found = reader.read(img.as_ref().unwrap_or(base), pass.binarizer, pass.formats);
        if !found.is_empty() {
            decoded.pass = Some(pass.name);
            map = m;
            break;
        }
    }
    // A label often carries a 2D code and a linear one (GS1 DataMatrix +
    // Code 128 asset tag). rxing tries the 2D detectors first and then looks
    // for more codes only in the strips beside the one it read, which cut a
    // tilted linear code apart. So when only 2D codes were read, look at the
    // rest of the label: if it has parallel edges (bars), rectify that part
    // and read linear codes there.
    let only_matrix = !found.is_empty() && found.iter().all(|f| !f.code.linear);
    if only_matrix && !out_of_time() {
        let boxes: Vec<locate::Rect> = found
            .iter()
            .filter_map(|f| {
                let pts: Vec<(f32, f32)> =
                    f.points.iter().map(|&(x, y)| map.to_base(x, y)).collect();
                locate::Rect::around(&pts, 0.2, base.width(), base.height())
            })
            .collect();
        if let Some(l) = locate::analyse_excluding(base, &boxes) {
            if l.coherence >= MIN_BAR_COHERENCE {
                for smooth in [true, false] {
                    decoded.passes += 1;
                    let (img, _) = rectified(base, &l, smooth);
                    let more = reader.read(&img, Bin::Hybrid, Formats::Linear);
                    if !more.is_empty() || out_of_time() {
                        found.extend(more);
                        break;
                    }
                }
            }
        }
    }
    // And the other way round: the pass that read a linear code had tried the
    // 2D detectors on the same pixels first, but a small or faint 2D code
    // beside it may still be there. Only a square blob of print is worth a
    // look (text lines and bars are long), in a window of its own.
    let only_linear = !found.is_empty() && found.iter().all(|f| f.code.linear);
    if only_linear && !out_of_time() {
        if let Some(&rect) = locate::blobs(base, 1, 0.5).first() {
            let (img, _) = blob_window(base, rect);
            decoded.passes += 1;
            // The global binariser: a faint symbol beside strong bars.
            found.extend(reader.read(&img, Bin::Global, Formats::Matrix));
        }
    }
    let mut seen = HashSet::new();
    decoded.codes = found
        .into_iter()
        .map(|f| f.code)
        .filter(|c| seen.insert((c.format, c.raw.clone())))
        .collect();
    decoded
}

/// Edges this parallel (see [`locate::Layout::coherence`]) are bars.
const MIN_BAR_COHERENCE: f32 = 0.5;

/// How a pass's image relates to the base image, to map result points back.
#[derive(Clone, Copy)]
enum Map {
    Identity,
    Scale(f32),
    Rect(locate::Rectified),
}

impl Map {
    fn to_base(self, x: f32, y: f32) -> (f32, f32) {
        match self {
            Map::Identity => (x, y),
            Map::Scale(f) => (x / f, y / f),
            Map::Rect(r) => r.to_source(x, y),
        }
    }
}

/// The content region turned so that bars are vertical and scaled up so that
/// its longer side is about [`RECT_SIDE`] (at most 3×, and at most
/// [`RECT_MAX_PIXELS`]); `smooth` also averages along the bars.
fn rectified(base: &GrayImage, l: &locate::Layout, smooth: bool) -> (GrayImage, locate::Rectified) {
    // Sized by the turned canvas, which for a label at 45° is much larger
    // than the region itself.
    let unit = locate::Rectified::new(l.roi, l.angle, 1.0);
    let long = unit.width.max(unit.height).max(1) as f32;
    let area = unit.width as f32 * unit.height as f32;
    let scale = (RECT_SIDE as f32 / long)
        .clamp(1.0, 3.0)
        .min((RECT_MAX_PIXELS / area.max(1.0)).sqrt())
        .max(0.5);
    let img = locate::rectify(base, l.roi, l.angle, scale);
    let geometry = locate::Rectified::new(l.roi, l.angle, scale);
    if smooth {
        let radius = (4.0 * scale).round() as u32;
        (locate::smooth_vertical(&img, radius), geometry)
    } else {
        (img, geometry)
    }
}

/// A blob's window is upscaled to about this side (at most 3×).
const BLOB_SIDE: u32 = 800;

/// The unsharp mask's radius (sigma) on the rectified label, in its pixels.
const RECT_SHARPEN: f32 = 3.0;

/// A blob's window ([`locate::blobs`]), upscaled to about [`BLOB_SIDE`].
fn blob_window(base: &GrayImage, rect: locate::Rect) -> (GrayImage, locate::Rectified) {
    let scale = (BLOB_SIDE as f32 / rect.w.max(1) as f32).clamp(1.0, 3.0);
    (
        locate::rectify(base, rect, 0.0, scale),
        locate::Rectified::new(rect, 0.0, scale),
    )
}

/// See [`rectified`].
const RECT_SIDE: u32 = 1600;
/// See [`rectified`]: more pixels than this cost more than they rescue.
const RECT_MAX_PIXELS: f32 = 2_000_000.0;

/// The names of the passes, in the order they are tried.
pub fn pass_names() -> impl Iterator<Item = &'static str> {
    PASSES.iter().map(|p| p.name)
}

#[derive(Clone, Copy)]
enum Prep {
    Base,
    Scale(f32),
    Stretch,
    Blur(f32),
    DenoiseSharpen,
    Invert,
    /// The content region, bars turned vertical, upscaled ([`rectified`]).
    Rectify {
        smooth: bool,
    },
    /// The `n`th most code-like blob of print, centred in a window of its own
    /// ([`locate::blobs`]).
    Blob(usize),
    /// [`Prep::Rectify`] smoothed along the bars, then sharpened across them
    /// (an unsharp mask): blurred or small linear codes, Code 39 above all.
    RectifySharpen,
    Full,
}

#[derive(Clone, Copy)]
enum Bin {
    Hybrid,
    Global,
}

/// Which symbologies a pass looks for.
#[derive(Clone, Copy)]
enum Formats {
    All,
    /// Linear codes only: for images smoothed along the bars, which wipes 2D
    /// codes out.
    Linear,
    /// 2D codes only.
    Matrix,
}

struct Pass {
    name: &'static str,
    prep: Prep,
    binarizer: Bin,
    formats: Formats,
}

const fn pass(name: &'static str, prep: Prep, binarizer: Bin) -> Pass {
    Pass {
        name,
        prep,
        binarizer,
        formats: Formats::All,
    }
}

/// Ordered by how often each rescues a photo the earlier ones missed (measured
/// on tools/imageset's degraded set).
const PASSES: &[Pass] = &[
    pass("hybrid", Prep::Base, Bin::Hybrid),
    pass("rect", Prep::Rectify { smooth: false }, Bin::Hybrid),
    Pass {
        name: "rect-smooth",
        prep: Prep::Rectify { smooth: true },
        binarizer: Bin::Hybrid,
        formats: Formats::Linear,
    },
    pass("global", Prep::Base, Bin::Global),
    Pass {
        name: "rect-sharpen",
        prep: Prep::RectifySharpen,
        binarizer: Bin::Hybrid,
        formats: Formats::Linear,
    },
    pass("rect-global", Prep::Rectify { smooth: false }, Bin::Global),
    pass("blob1", Prep::Blob(0), Bin::Hybrid),
    pass("blob2", Prep::Blob(1), Bin::Hybrid),
    pass("half", Prep::Scale(0.5), Bin::Hybrid),
    pass("blur", Prep::Blur(1.5), Bin::Hybrid),
    pass("stretch", Prep::Stretch, Bin::Hybrid),
    pass("denoise-sharpen", Prep::DenoiseSharpen, Bin::Hybrid),
    pass("inverted", Prep::Invert, Bin::Hybrid),
    pass("full-size", Prep::Full, Bin::Hybrid),
];

/// The formats a label can carry. Leaving out the rest (Codabar, ITF, EAN-8,
/// UPC-E, MaxiCode …) keeps noise and fragments of longer bars from being read
/// as a short code: on the degraded set, UPC-E "found" itself in GS1-128 bars.
const FORMATS: &[BarcodeFormat] = &[
    BarcodeFormat::QR_CODE,
    BarcodeFormat::DATA_MATRIX,
    BarcodeFormat::CODE_128,
    BarcodeFormat::EAN_13,
    BarcodeFormat::UPC_A,
    BarcodeFormat::CODE_39,
    BarcodeFormat::CODE_93,
    BarcodeFormat::PDF_417,
    BarcodeFormat::AZTEC,
    BarcodeFormat::RSS_14,
    BarcodeFormat::RSS_EXPANDED,
];

fn is_linear(f: &BarcodeFormat) -> bool {
    matches!(
        f,
        BarcodeFormat::CODE_128
            | BarcodeFormat::EAN_13
            | BarcodeFormat::UPC_A
            | BarcodeFormat::CODE_39
            | BarcodeFormat::CODE_93
            | BarcodeFormat::RSS_14
            | BarcodeFormat::RSS_EXPANDED
    )
}

/// A code and where in the pass's image it was.
struct Found {
    code: ImageCode,
    points: Vec<(f32, f32)>,
}

struct Reader {
    all: DecodeHints,
    linear: DecodeHints,
    matrix: DecodeHints,
}

impl Reader {
    fn new() -> Reader {
        let hints = |formats: HashSet<BarcodeFormat>| DecodeHints {
            TryHarder: Some(true),
            AssumeGs1: Some(true),
            PossibleFormats: Some(formats),
            ..DecodeHints::default()
        };
        Reader {
            all: hints(FORMATS.iter().copied().collect()),
            linear: hints(FORMATS.iter().copied().filter(is_linear).collect()),
            matrix: hints(FORMATS.iter().copied().filter(|f| !is_linear(f)).collect()),
        }
    }

    fn read(&mut self, img: &GrayImage, bin: Bin, formats: Formats) -> Vec<Found> {
        let Ok(source) = Luma8Source::new_with_slice(img.as_raw(), img.width(), img.height())
        else {
            return Vec::new();
        };
        let hints = match formats {
            Formats::All => &self.all,
            Formats::Linear => &self.linear,
            Formats::Matrix => &self.matrix,
        };
        let results = match bin {
            Bin::Hybrid => Self::multi(BinaryBitmap::new(HybridBinarizer::new(source)), hints),
            Bin::Global => Self::multi(
                BinaryBitmap::new(GlobalHistogramBinarizer::new(source)),
                hints,
            ),
        };
        distinct_symbols(&results)
            .into_iter()
            .map(|r| Found {
                code: to_code(r),
                points: r.getPoints().iter().map(|p| (p.x, p.y)).collect(),
            })
            .collect()
    }

    fn multi<B: Binarizer>(mut bitmap: BinaryBitmap<B>, hints: &DecodeHints) -> Vec<RXingResult> {
        let mut reader = GenericMultipleBarcodeReader::new(MultiUseMultiFormatReader::default());
        // rxing's 1D and 2D detectors are ports of large C++/Java code bases; a
        // panic inside one on a pathological image must not take the station down.
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            reader
                .decode_multiple_with_hints(&mut bitmap, hints)
                .unwrap_or_default()
        }))
        .unwrap_or_default()
    }
}

/// The fuzz target's body: any bytes through the loader, and the images it
/// accepts through the whole ladder when they are small enough (a large one
/// would only make each run slow, and the loader's limits are what guard
/// against large ones). Replayed over fuzz/corpus/image by `cargo test`.
#[cfg(feature = "fuzzing")]
pub fn fuzz_one(data: &[u8]) {
    if let Ok(img) = load_bytes(data) {
        if u64::from(img.width()) * u64::from(img.height()) <= 160 * 160 {
            let _ = decode_luma(&img.to_luma8(), None);
        }
    }
}

#[cfg(test)]
mod tests;
