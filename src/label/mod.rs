//! Asset labels: ZPL for Zebra printers and PNG previews, and the printers
//! they are sent to.
//!
//! A label carries the asset tag as a symbol (Code 128, Data Matrix or QR)
//! and as text, with the model and a date; with `[labels] rfid = true` the
//! ZPL also writes the asset's EPC to the label's inlay (GIAI-96, filter 0,
//! from the company prefix and the asset's numeric id; or GIAI-202 holding
//! the tag itself). ZPL and PNG share one [`Layout`], computed from the
//! symbol's module count, so the preview shows what the printer prints.
//!
//! Rendering is pure (data in, bytes out); [`printer`] does the I/O.

pub mod commands;
pub mod config;
mod font;
pub mod pallet;
pub mod png;
pub mod printer;
pub mod worker;
pub mod zpl;

pub use config::{EpcScheme, LabelsConfig, Symbology};

use crate::codec::epc;

/// What a label shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LabelData {
    pub tag: String,
    pub model: Option<String>,
    /// `YYYY-MM-DD`: when the asset was received (or the label printed).
    pub date: Option<String>,
    /// The EPC to write to the inlay, upper-case hex (RFID labels only).
    pub epc_hex: Option<String>,
}

/// Why a label cannot be made.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LabelError {
    #[error("an empty asset tag cannot be printed")]
    EmptyTag,
    #[error("asset tag {tag:?} cannot be encoded as {symbology}: {detail}")]
    Encode {
        tag: String,
        symbology: &'static str,
        detail: String,
    },
    #[error("asset tag {tag:?} does not fit a {width_mm} × {height_mm} mm label as {symbology} ({modules} modules); use a larger label or a 2D symbology")]
    TooBig {
        tag: String,
        symbology: &'static str,
        modules: u32,
        width_mm: f32,
        height_mm: f32,
    },
    #[error("no EPC for the label: {0}")]
    Epc(String),
}

/// A symbol's modules, row by row (`true` = dark), without quiet zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matrix {
    pub width: u32,
    pub height: u32,
    bits: Vec<bool>,
}

impl Matrix {
    pub fn get(&self, x: u32, y: u32) -> bool {
        self.bits
            .get((y * self.width + x) as usize)
            .copied()
            .unwrap_or(false)
    }
}

/// Encodes the tag with rxing's writers. Linear symbols come back one row high.
pub fn symbol(tag: &str, symbology: Symbology) -> Result<Matrix, LabelError> {
    use rxing::{BarcodeFormat, EncodeHints, MultiFormatWriter, Writer};
    if tag.is_empty() {
        return Err(LabelError::EmptyTag);
    }
    let format = match symbology {
        Symbology::Code128 => BarcodeFormat::CODE_128,
        Symbology::Datamatrix => BarcodeFormat::DATA_MATRIX,
        Symbology::Qr => BarcodeFormat::QR_CODE,
    };
    // The ZPL asks for QR error correction level Q (`^FDQA,`): the preview
    // and the layout are made at the same level, so they are the same size.
    let hints = EncodeHints {
        Margin: Some("0".into()),
        ErrorCorrection: (symbology == Symbology::Qr).then(|| "Q".into()),
        ..EncodeHints::default()
    };
    let (w, h) = match symbology {
        Symbology::Code128 => (0, 1),
        _ => (0, 0),
    };
    let err = |detail: String| LabelError::Encode {
        tag: tag.to_string(),
        symbology: symbology.as_str(),
        detail,
    };
    // rxing's minimal Data Matrix encoder has tripped assertions on some
    // inputs: a tag that makes it panic is refused, not a crash.
    let m = std::panic::catch_unwind(|| {
        MultiFormatWriter.encode_with_hints(tag, &format, w, h, &hints)
    })
    .map_err(|_| err("the encoder failed".into()))?
    .map_err(|e| err(e.to_string()))?;
    let (width, height) = (m.width(), m.height());
    let mut bits = Vec::with_capacity((width * height) as usize);
    for y in 0..height {
        for x in 0..width {
            bits.push(m.get(x, y));
        }
    }
    Ok(Matrix {
        width,
        height: if symbology == Symbology::Code128 {
            1
        } else {
            height
        },
        bits: if symbology == Symbology::Code128 {
            bits.truncate(width as usize);
            bits
        } else {
            bits
        },
    })
}

/// Where things go on the label, in dots.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    pub width: u32,
    pub height: u32,
    /// The symbol's top-left corner, its module size and its drawn size.
    pub sym_x: u32,
    pub sym_y: u32,
    pub module: u32,
    pub sym_w: u32,
    pub sym_h: u32,
    /// Text lines: (x, y, height in dots, text).
    pub lines: Vec<(u32, u32, u32, String)>,
}

/// Lays the label out: the symbol as large as the label allows (modules of
/// whole dots, at most 0.5 mm), quiet zones of 10 modules around linear
/// symbols, then the tag, model and date as text where there is room.
pub fn layout(data: &LabelData, cfg: &LabelsConfig, m: &Matrix) -> Result<Layout, LabelError> {
    let (w, h) = cfg.size_dots();
    let dpmm = cfg.dots_per_mm();
    let margin = 2 * dpmm;
    let max_module = (dpmm / 2).max(1);
    let too_big = || LabelError::TooBig {
        tag: data.tag.clone(),
        symbology: cfg.symbology.as_str(),
        modules: m.width,
        width_mm: cfg.width_mm,
        height_mm: cfg.height_mm,
    };
    let mut lines = Vec::new();
    let text_h = (h / 7).max(8);
    let small_h = (h / 10).max(8);
    let texts = [
        Some((data.tag.clone(), text_h)),
        data.model.clone().map(|t| (t, small_h)),
        data.date.clone().map(|t| (t, small_h)),
    ];
    match cfg.symbology {
        Symbology::Code128 => {
            let quiet = 10;
            let module = (w.saturating_sub(2 * margin) / (m.width + 2 * quiet)).min(max_module);
            if module == 0 {
                return Err(too_big());
            }
            let sym_w = m.width * module;
            let sym_h = h * 2 / 5;
            let mut y = margin + sym_h + dpmm;
            for (t, th) in texts.into_iter().flatten() {
                if y + th > h {
                    break;
                }
                lines.push((margin, y, th, t));
                y += th + th / 4;
            }
            Ok(Layout {
                width: w,
                height: h,
                sym_x: (w - sym_w) / 2,
                sym_y: margin,
                module,
                sym_w,
                sym_h,
                lines,
            })
        }
        Symbology::Datamatrix | Symbology::Qr => {
            let quiet = if cfg.symbology == Symbology::Qr { 4 } else { 1 };
            let avail = h.saturating_sub(2 * margin);
            // ZPL's ^BQ magnification goes up to 10.
            let cap = if cfg.symbology == Symbology::Qr {
                10
            } else {
                u32::MAX
            };
            let module = (avail / (m.height + 2 * quiet)).min(max_module).min(cap);
            if module == 0 || m.width * module + 2 * margin > w {
                return Err(too_big());
            }
            let sym_w = m.width * module;
            let sym_h = m.height * module;
            let x = margin + quiet * module;
            let tx = x + sym_w + quiet * module + dpmm;
            let mut y = margin;
            for (t, th) in texts.into_iter().flatten() {
                if y + th > h {
                    break;
                }
                lines.push((tx, y, th, t));
                y += th + th / 4;
            }
            Ok(Layout {
                width: w,
                height: h,
                sym_x: x,
                sym_y: margin + quiet * module,
                module,
                sym_w,
                sym_h,
                lines,
            })
        }
    }
}

/// The EPC an RFID label carries, upper-case hex: GIAI-96 with filter 0,
/// the company prefix and the asset's numeric id as the asset reference; or
/// GIAI-202 with filter 0 holding the tag itself.
pub fn epc_for(
    scheme: EpcScheme,
    company_prefix: &str,
    asset_id: i64,
    tag: &str,
) -> Result<String, LabelError> {
    let e = |e: epc::EpcError| LabelError::Epc(e.to_string());
    let bytes = match scheme {
        EpcScheme::Giai96 => epc::encode_giai96(0, company_prefix, &asset_id.to_string())
            .map_err(e)?
            .to_vec(),
        EpcScheme::Giai202 => epc::encode_giai202(0, company_prefix, tag)
            .map_err(e)?
            .to_vec(),
    };
    Ok(hex::encode_upper(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epc_for_assets() {
        // TDS worked example: urn:epc:tag:giai-96:3.0614141.5678 is
        // 3474257BF40000000000162E; filter 0 changes the fourth hex digit.
        assert_eq!(
            epc_for(EpcScheme::Giai96, "0614141", 5678, "A-1").unwrap(),
            "3414257BF40000000000162E"
        );
        let hex = epc_for(EpcScheme::Giai202, "0614141", 1, "A-1001").unwrap();
        let tag = crate::codec::epc::decode_hex(&hex).unwrap();
        assert_eq!(tag.tag_uri(), "urn:epc:tag:giai-202:0.0614141.A-1001");
        assert!(epc_for(EpcScheme::Giai96, "12", 1, "x").is_err());
    }

    #[test]
    fn symbols_and_layouts() {
        let m = symbol("A-1001", Symbology::Code128).unwrap();
        assert_eq!(m.height, 1);
        assert!(m.width > 50);
        let data = LabelData {
            tag: "A-1001".into(),
            model: Some("Latitude 7440".into()),
            date: Some("2026-11-20".into()),
            epc_hex: None,
        };
        let l = layout(&data, &LabelsConfig::default(), &m).unwrap();
        assert!(l.sym_x + l.sym_w <= l.width);
        assert_eq!(l.lines.len(), 3);
        assert!(symbol("", Symbology::Qr).is_err());
        // Error correction Q, as the ZPL asks: 13 bytes (byte mode) need version 2 (25
        // modules; at level L they would fit version 1).
        assert_eq!(symbol("it-0000123456", Symbology::Qr).unwrap().width, 25);
        let long = "X".repeat(60);
        let m = symbol(&long, Symbology::Code128).unwrap();
        assert!(matches!(
            layout(&data, &LabelsConfig::default(), &m),
            Err(LabelError::TooBig { .. })
        ));
    }
}
