//! From rxing's results to what a scanner would send: one result per symbol
//! (the multi reader reads a 1D symbol several times), the AIM identifier and
//! GS1 separators right, and our short format names.

use super::{is_linear, ImageCode};
use rxing::{BarcodeFormat, RXingResult, RXingResultMetadataType, RXingResultMetadataValue};

/// The multi reader recurses into the regions above and below a 1D code's scan
/// line, so it reads the same symbol again, and on a poor photo sometimes
/// misreads it (a Code 39 with two extra characters). A later 1D result of the
/// same format lying on the same symbol (overlapping span, scan line within a
/// tenth of the symbol's length) is that symbol again: keep the first, which
/// came from the scan nearest the centre.
pub(super) fn distinct_symbols(results: &[RXingResult]) -> Vec<&RXingResult> {
    let mut kept: Vec<&RXingResult> = Vec::new();
    for r in results {
        let dup = kept
            .iter()
            .any(|k| k.getBarcodeFormat() == r.getBarcodeFormat() && same_1d_symbol(k, r));
        if !dup {
            kept.push(r);
        }
    }
    kept
}

fn same_1d_symbol(a: &RXingResult, b: &RXingResult) -> bool {
    let (pa, pb) = (a.getPoints(), b.getPoints());
    if pa.len() != 2 || pb.len() != 2 {
        return false;
    }
    // Work along a's scan line: position along it (t) and distance across it.
    let (dx, dy) = (pa[1].x - pa[0].x, pa[1].y - pa[0].y);
    let len = dx.hypot(dy);
    if len < 1.0 {
        return false;
    }
    let (ux, uy) = (dx / len, dy / len);
    let along = |x: f32, y: f32| (x - pa[0].x) * ux + (y - pa[0].y) * uy;
    let across = |x: f32, y: f32| ((x - pa[0].x) * uy - (y - pa[0].y) * ux).abs();
    let (t0, t1) = (along(pb[0].x, pb[0].y), along(pb[1].x, pb[1].y));
    let (b0, b1) = (t0.min(t1), t0.max(t1));
    let overlap = len.min(b1) - b0.max(0.0);
    let (mx, my) = ((pb[0].x + pb[1].x) / 2.0, (pb[0].y + pb[1].y) / 2.0);
    overlap > 0.5 * len.min(b1 - b0) && across(mx, my) < 0.1 * len
}

/// One rxing result as scanner output.
pub(super) fn to_code(r: &RXingResult) -> ImageCode {
    let symbology = match r
        .getRXingResultMetadata()
        .get(&RXingResultMetadataType::SYMBOLOGY_IDENTIFIER)
    {
        Some(RXingResultMetadataValue::SymbologyIdentifier(s)) if !s.is_empty() => Some(s.clone()),
        _ => None,
    };
    let format = format_name(r.getBarcodeFormat());
    let mut text = r.getText();
    let mut symbology = symbology;
    // rxing never sets the PDF417 modifier; without ECI processing the data
    // is what a scanner in basic channel mode sends, `]L2` (as zxing-cpp says).
    if format == "pdf417" && symbology.as_deref() == Some("]L0") {
        symbology = Some("]L2".to_string());
    }
    // A UPC-A is an EAN-13 with a leading 0, and scanners send it as such
    // under ]E0; rxing gives the 12 digits.
    let upca;
    if format == "upca" && symbology.as_deref() == Some("]E0") && text.len() == 12 {
        upca = format!("0{text}");
        text = &upca;
    }
    if format == "code128" {
        (text, symbology) = code128_checksum_fix(r.getRawBytes(), text, symbology);
    }
    let mut raw = Vec::with_capacity(text.len() + 3);
    if let Some(sym) = &symbology {
        // With the GS1 hint, GS1-128 text already starts with `]C1`: keep one.
        if !text.starts_with(sym.as_str()) {
            raw.extend_from_slice(sym.as_bytes());
        }
    }
    raw.extend_from_slice(text.as_bytes());
    ImageCode {
        format,
        symbology,
        raw,
        linear: is_linear(r.getBarcodeFormat()),
    }
}

/// rxing (like the zxing it ports) interprets the Code 128 check codeword as a
/// function code: a check value of 102 comes out as a trailing GS (FNC1) when
/// the GS1 hint is on, and 97 marks the symbol `]C4` (FNC2). `codewords` are
/// the symbol's codewords, start to stop; the check is the one before stop.
pub(super) fn code128_checksum_fix<'t>(
    codewords: &[u8],
    text: &'t str,
    symbology: Option<String>,
) -> (&'t str, Option<String>) {
    let n = codewords.len();
    if n < 3 {
        return (text, symbology);
    }
    let check = codewords[n - 2];
    let body = &codewords[1..n - 2];
    match check {
        102 => (text.strip_suffix('\u{1d}').unwrap_or(text), symbology),
        // The FNC2 was the check value: the modifier is what FNC1 made it.
        97 if symbology.as_deref() == Some("]C4") && !body.contains(&97) => {
            let modifier = match body {
                [102, ..] => "]C1",
                [_, 102, ..] => "]C2",
                _ => "]C0",
            };
            (text, Some(modifier.to_string()))
        }
        _ => (text, symbology),
    }
}

/// Our short, lower-case name for an rxing format.
pub fn format_name(f: &BarcodeFormat) -> &'static str {
    match f {
        BarcodeFormat::AZTEC => "aztec",
        BarcodeFormat::CODABAR => "codabar",
        BarcodeFormat::CODE_39 => "code39",
        BarcodeFormat::CODE_93 => "code93",
        BarcodeFormat::CODE_128 => "code128",
        BarcodeFormat::DATA_MATRIX => "datamatrix",
        BarcodeFormat::EAN_8 => "ean8",
        BarcodeFormat::EAN_13 => "ean13",
        BarcodeFormat::ITF => "itf",
        BarcodeFormat::MAXICODE => "maxicode",
        BarcodeFormat::PDF_417 => "pdf417",
        BarcodeFormat::QR_CODE => "qr",
        BarcodeFormat::MICRO_QR_CODE => "microqr",
        BarcodeFormat::RECTANGULAR_MICRO_QR_CODE => "rmqr",
        BarcodeFormat::RSS_14 => "databar",
        BarcodeFormat::RSS_EXPANDED => "databar-expanded",
        BarcodeFormat::UPC_A => "upca",
        BarcodeFormat::UPC_E => "upce",
        _ => "other",
    }
}
