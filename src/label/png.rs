//! PNG previews of labels, one image pixel per printer dot: the symbol from
//! rxing's writers, the text in the repository's own bitmap font
//! ([`super::font`]). Laid out like the ZPL ([`super::Layout`]), and made to
//! be read back: a test decodes every PNG with the station's image decoder.

use super::{font, layout, symbol, LabelData, LabelError, LabelsConfig, Layout, Matrix};
use image::{GrayImage, Luma};

/// The label as a grey image, black on white.
pub fn image(data: &LabelData, cfg: &LabelsConfig) -> Result<GrayImage, LabelError> {
    let m = symbol(&data.tag, cfg.symbology)?;
    let l = layout(data, cfg, &m)?;
    Ok(draw(&m, &l))
}

/// The symbol `m` and the text lines where `l` puts them.
pub(crate) fn draw(m: &Matrix, l: &Layout) -> GrayImage {
    let mut img = GrayImage::from_pixel(l.width, l.height, Luma([255]));
    for my in 0..l.sym_h.div_ceil(l.module).max(1) {
        for mx in 0..m.width {
            // A linear symbol's single row is drawn the full bar height.
            let dark = m.get(mx, if m.height == 1 { 0 } else { my });
            if !dark {
                continue;
            }
            let rows = if m.height == 1 { l.sym_h } else { l.module };
            let y0 = if m.height == 1 {
                l.sym_y
            } else {
                l.sym_y + my * l.module
            };
            for dy in 0..rows {
                for dx in 0..l.module {
                    let (x, y) = (l.sym_x + mx * l.module + dx, y0 + dy);
                    if x < l.width && y < l.height {
                        img.put_pixel(x, y, Luma([0]));
                    }
                }
            }
        }
        if m.height == 1 {
            break;
        }
    }
    for (x, y, h, text) in &l.lines {
        // Shrink a line that would run off the label.
        let room = l.width.saturating_sub(*x);
        let fit = room / font::width(text, 1).max(1);
        let scale = (h / 8).min(fit).max(1);
        font::draw(&mut img, *x, *y, text, scale);
    }
    img
}

/// The label as PNG bytes.
pub fn render(data: &LabelData, cfg: &LabelsConfig) -> Result<Vec<u8>, LabelError> {
    encode(&image(data, cfg)?, &data.tag)
}

/// An image as PNG bytes.
pub(crate) fn encode(img: &GrayImage, what: &str) -> Result<Vec<u8>, LabelError> {
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Png)
        .map_err(|e| LabelError::Encode {
            tag: what.to_string(),
            symbology: "png",
            detail: e.to_string(),
        })?;
    Ok(out.into_inner())
}
