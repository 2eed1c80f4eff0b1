use super::*;
use rxing::{EncodeHints, MultiFormatWriter, Writer};

/// A clean symbol from rxing's writer, as greyscale with a quiet zone.
fn render(contents: &str, format: BarcodeFormat, w: i32, h: i32, gs1: bool) -> GrayImage {
    let hints = EncodeHints {
        Gs1Format: gs1.then_some(true),
        DataMatrixCompact: (gs1 && format == BarcodeFormat::DATA_MATRIX).then_some(true),
        Margin: Some("10".into()),
        ..EncodeHints::default()
    };
    let m = MultiFormatWriter
        .encode_with_hints(contents, &format, w, h, &hints)
        .expect("encodes");
    to_gray(&m)
}

/// A writer's matrix as black-on-white pixels.
fn to_gray(m: &rxing::common::BitMatrix) -> image::GrayImage {
    image::GrayImage::from_fn(m.width(), m.height(), |x, y| {
        image::Luma([if m.get(x, y) { 0 } else { 255 }])
    })
}

fn raws(img: &GrayImage) -> Vec<String> {
    decode_luma(img, None)
        .codes
        .into_iter()
        .map(|c| String::from_utf8(c.raw).expect("utf8"))
        .collect()
}

#[test]
fn plain_code128_gets_c0() {
    let img = render("ASSET-004211", BarcodeFormat::CODE_128, 400, 120, false);
    let d = decode_luma(&img, None);
    assert_eq!(d.pass, Some("hybrid"));
    assert_eq!(d.codes.len(), 1);
    assert_eq!(d.codes[0].format, "code128");
    assert_eq!(d.codes[0].symbology.as_deref(), Some("]C0"));
    assert_eq!(d.codes[0].raw, b"]C0ASSET-004211");
}

#[test]
fn gs1_128_keeps_one_aim_id_and_its_separators() {
    let img = render(
        "\u{f1}0109506000134352\u{f1}21ABC123\u{f1}10LOT7",
        BarcodeFormat::CODE_128,
        600,
        120,
        false,
    );
    assert_eq!(
        raws(&img),
        vec!["]C10109506000134352\u{1d}21ABC123\u{1d}10LOT7".to_string()]
    );
}

#[test]
fn gs1_datamatrix_is_d2_with_separators() {
    let img = render(
        "0109506000134352\u{1d}21XYZ\u{1d}17271231",
        BarcodeFormat::DATA_MATRIX,
        200,
        200,
        true,
    );
    assert_eq!(
        raws(&img),
        vec!["]d20109506000134352\u{1d}21XYZ\u{1d}17271231".to_string()]
    );
}

#[test]
fn qr_and_ean13_in_one_image_are_both_found() {
    let qr = render(
        "https://id.gs1.org/01/09506000134352/21/ABC",
        BarcodeFormat::QR_CODE,
        240,
        240,
        false,
    );
    let ean = render("9506000134352", BarcodeFormat::EAN_13, 300, 120, false);
    let mut canvas = GrayImage::from_pixel(700, 300, image::Luma([255]));
    image::imageops::overlay(&mut canvas, &qr, 20, 30);
    image::imageops::overlay(&mut canvas, &ean, 360, 90);
    let mut got = raws(&canvas);
    got.sort();
    assert_eq!(
        got,
        vec![
            "]E09506000134352".to_string(),
            "]Q1https://id.gs1.org/01/09506000134352/21/ABC".to_string()
        ]
    );
}

#[test]
fn steep_code128_is_read_by_a_retry_pass() {
    let img = render("RETRY-45-DEGREES", BarcodeFormat::CODE_128, 700, 80, false);
    let rotated = filters::rotate(&img, 45.0);
    let d = decode_luma(&rotated, None);
    assert_eq!(
        d.codes.first().map(|c| c.raw.clone()),
        Some(b"]C0RETRY-45-DEGREES".to_vec())
    );
}

#[test]
fn a_blank_image_gives_nothing_after_every_pass() {
    let img = GrayImage::from_pixel(300, 200, image::Luma([200]));
    let d = decode_luma(&img, None);
    assert!(d.codes.is_empty());
    assert!(d.pass.is_none());
    assert!(d.passes > 5);
}

#[test]
fn zero_sized_image_is_empty_not_a_panic() {
    assert!(decode_luma(&GrayImage::new(0, 0), None).codes.is_empty());
    assert!(decode_luma(&GrayImage::new(1, 5000), None).codes.is_empty());
}

#[test]
fn bad_bytes_are_errors() {
    assert!(matches!(
        load_bytes(b""),
        Err(ImageError::UnknownFormat { .. })
    ));
    assert!(matches!(
        load_bytes(b"hello, I am text"),
        Err(ImageError::UnknownFormat { .. })
    ));
    // A PNG signature followed by garbage.
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend_from_slice(&[0u8; 40]);
    assert!(matches!(load_bytes(&png), Err(ImageError::Corrupt { .. })));
}

#[test]
fn huge_header_is_refused_before_allocating() {
    // A valid PNG header claiming 100000 x 100000 pixels and no data.
    let png = huge_png_header(100_000, 100_000);
    match load_bytes(&png) {
        Err(ImageError::TooLarge { .. }) => {}
        other => panic!("expected TooLarge, got {other:?}"),
    }
}

/// The 8-byte signature and an IHDR chunk with a correct CRC.
pub(crate) fn huge_png_header(w: u32, h: u32) -> Vec<u8> {
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend_from_slice(&w.to_be_bytes());
    ihdr.extend_from_slice(&h.to_be_bytes());
    ihdr.extend_from_slice(&[8, 0, 0, 0, 0]);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    out.extend_from_slice(&13u32.to_be_bytes());
    out.extend_from_slice(&ihdr);
    out.extend_from_slice(&crc32(&ihdr).to_be_bytes());
    out
}

fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in data {
        crc ^= b as u32;
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[test]
fn a_check_value_of_97_keeps_the_gs1_modifier() {
    // Start C, FNC1, data, check 97 (read by rxing as FNC2, so `]C4`), stop.
    let codewords = [105, 102, 1, 2, 97, 106];
    let (text, sym) = code128_checksum_fix(&codewords, "]C10102", Some("]C4".into()));
    assert_eq!((text, sym.as_deref()), ("]C10102", Some("]C1")));
    let plain = [104, 41, 42, 97, 106];
    let (_, sym) = code128_checksum_fix(&plain, "IJ", Some("]C4".into()));
    assert_eq!(sym.as_deref(), Some("]C0"));
}

#[test]
fn a_tilted_code128_beside_a_datamatrix_is_found_too() {
    let dm = render(
        "0109506000134352\u{1d}21XYZ\u{1d}17271231",
        BarcodeFormat::DATA_MATRIX,
        180,
        180,
        true,
    );
    let tag = render("IT-004211", BarcodeFormat::CODE_128, 420, 110, false);
    let mut label = GrayImage::from_pixel(480, 360, image::Luma([255]));
    image::imageops::overlay(&mut label, &tag, 30, 20);
    image::imageops::overlay(&mut label, &dm, 150, 160);
    let photo = filters::rotate(&label, 25.0);
    let mut got = raws(&photo);
    got.sort();
    assert_eq!(
        got,
        vec![
            "]C0IT-004211".to_string(),
            "]d20109506000134352\u{1d}21XYZ\u{1d}17271231".to_string()
        ]
    );
}

#[test]
fn a_spent_budget_stops_after_the_first_pass() {
    let img = GrayImage::from_pixel(300, 200, image::Luma([200]));
    let d = decode_luma(&img, Some(std::time::Duration::ZERO));
    assert_eq!(d.passes, 1);
    assert!(d.codes.is_empty());
}
