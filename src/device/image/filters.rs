//! Pixel transforms for the decoder's retry passes.
//!
//! Each one takes a greyscale image and returns a new one; none of them can fail
//! or panic on an odd size (a zero-sized input gives a zero-sized output, which
//! the caller skips).

use image::imageops::{self, FilterType};
use image::GrayImage;

/// Resize by `factor` (bilinear). Never returns a side below 1 pixel.
pub fn scale(img: &GrayImage, factor: f32) -> GrayImage {
    let w = ((img.width() as f32 * factor).round() as u32).max(1);
    let h = ((img.height() as f32 * factor).round() as u32).max(1);
    imageops::resize(img, w, h, FilterType::Triangle)
}

/// Shrink so that the longer side is at most `max_side`; `None` when it already fits.
pub fn fit(img: &GrayImage, max_side: u32) -> Option<GrayImage> {
    let long = img.width().max(img.height());
    if long <= max_side || long == 0 {
        return None;
    }
    Some(scale(img, max_side as f32 / long as f32))
}

/// Stretch the grey levels so that the 1st and 99th percentiles become black
/// and white: rescues low-contrast photos (faded thermal labels, dim light).
pub fn stretch_contrast(img: &GrayImage) -> GrayImage {
    let mut hist = [0u64; 256];
    for p in img.pixels() {
        hist[p.0[0] as usize] += 1;
    }
    let total: u64 = hist.iter().sum();
    if total == 0 {
        return img.clone();
    }
    let cut = total / 100;
    let mut lo = 0usize;
    let mut acc = 0u64;
    for (i, n) in hist.iter().enumerate() {
        acc += n;
        if acc > cut {
            lo = i;
            break;
        }
    }
    let mut hi = 255usize;
    acc = 0;
    for (i, n) in hist.iter().enumerate().rev() {
        acc += n;
        if acc > cut {
            hi = i;
            break;
        }
    }
    if hi <= lo {
        return img.clone();
    }
    let range = (hi - lo) as f32;
    let mut lut = [0u8; 256];
    for (i, v) in lut.iter_mut().enumerate() {
        let x = (i as f32 - lo as f32) / range * 255.0;
        *v = x.clamp(0.0, 255.0) as u8;
    }
    let mut out = img.clone();
    for p in out.pixels_mut() {
        p.0[0] = lut[p.0[0] as usize];
    }
    out
}

/// Gaussian blur: averages sensor noise and JPEG blocking away before binarising.
pub fn blur(img: &GrayImage, sigma: f32) -> GrayImage {
    imageops::blur(img, sigma)
}

/// Unsharp mask: restores edges of a slightly out-of-focus photo.
pub fn sharpen(img: &GrayImage, sigma: f32) -> GrayImage {
    imageops::unsharpen(img, sigma, 2)
}

/// Blur out the noise first, then sharpen the edges back.
pub fn denoise_sharpen(img: &GrayImage) -> GrayImage {
    sharpen(&blur(img, 1.2), 2.0)
}

/// Invert grey levels (white-on-black labels).
pub fn invert(img: &GrayImage) -> GrayImage {
    let mut out = img.clone();
    imageops::invert(&mut out);
    out
}

/// Rotate by `degrees` (counter-clockwise) about the centre, on a canvas grown
/// to hold the whole image; the corners are filled with white. Bilinear
/// sampling. For tests: photos at other angles.
#[cfg(test)]
pub fn rotate(img: &GrayImage, degrees: f32) -> GrayImage {
    let (w, h) = (img.width() as f32, img.height() as f32);
    if img.width() == 0 || img.height() == 0 {
        return img.clone();
    }
    let (s, c) = degrees.to_radians().sin_cos();
    let nw = (w * c.abs() + h * s.abs() - 1e-3).ceil().max(1.0) as u32;
    let nh = (w * s.abs() + h * c.abs() - 1e-3).ceil().max(1.0) as u32;
    let (cx, cy) = (w / 2.0, h / 2.0);
    let (ncx, ncy) = (nw as f32 / 2.0, nh as f32 / 2.0);
    let src = img.as_raw();
    let stride = img.width() as usize;
    let max_x = img.width() as i64 - 1;
    let max_y = img.height() as i64 - 1;
    let at = |x: i64, y: i64| -> f32 {
        if x < 0 || y < 0 || x > max_x || y > max_y {
            255.0
        } else {
            src[y as usize * stride + x as usize] as f32
        }
    };
    GrayImage::from_fn(nw, nh, |x, y| {
        // Inverse mapping: where in the source does this output pixel come from?
        let dx = x as f32 + 0.5 - ncx;
        let dy = y as f32 + 0.5 - ncy;
        let sx = c * dx - s * dy + cx - 0.5;
        let sy = s * dx + c * dy + cy - 0.5;
        let x0 = sx.floor();
        let y0 = sy.floor();
        let fx = sx - x0;
        let fy = sy - y0;
        let (x0, y0) = (x0 as i64, y0 as i64);
        let top = at(x0, y0) * (1.0 - fx) + at(x0 + 1, y0) * fx;
        let bottom = at(x0, y0 + 1) * (1.0 - fx) + at(x0 + 1, y0 + 1) * fx;
        image::Luma([(top * (1.0 - fy) + bottom * fy).round().clamp(0.0, 255.0) as u8])
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::Luma;

    #[test]
    fn rotate_by_90_swaps_sides() {
        let img = GrayImage::from_pixel(40, 10, Luma([0]));
        let r = rotate(&img, 90.0);
        assert_eq!((r.width(), r.height()), (10, 40));
        assert_eq!(r.get_pixel(5, 20).0[0], 0);
    }

    #[test]
    fn rotate_fills_corners_white() {
        let img = GrayImage::from_pixel(20, 20, Luma([0]));
        let r = rotate(&img, 45.0);
        assert!(r.width() >= 28);
        assert_eq!(r.get_pixel(0, 0).0[0], 255);
        assert_eq!(r.get_pixel(r.width() / 2, r.height() / 2).0[0], 0);
    }

    #[test]
    fn stretch_maps_a_narrow_range_to_full() {
        let img = GrayImage::from_fn(100, 1, |x, _| Luma([if x < 50 { 100 } else { 140 }]));
        let s = stretch_contrast(&img);
        assert_eq!(s.get_pixel(0, 0).0[0], 0);
        assert_eq!(s.get_pixel(99, 0).0[0], 255);
    }

    #[test]
    fn empty_images_do_not_panic() {
        let img = GrayImage::new(0, 0);
        let _ = rotate(&img, 30.0);
        let _ = stretch_contrast(&img);
        assert!(fit(&img, 100).is_none());
    }

    #[test]
    fn fit_shrinks_the_long_side() {
        let img = GrayImage::new(4000, 1000);
        let f = fit(&img, 2000).expect("shrunk");
        assert_eq!((f.width(), f.height()), (2000, 500));
    }
}
