//! Where the label is in a photo, and which way its bars run.
//!
//! A label is the part of a photo with strong edges: printed bars and modules
//! against paper. We measure the edge energy of 16×16 tiles (Sobel gradients),
//! split the tiles into background and content by Otsu's threshold on the log
//! energy, keep the connected group of content tiles with the most energy and take its
//! bounding box: the region worth upscaling when the code is small.
//!
//! Over those tiles the gradient structure tensor gives the dominant edge
//! direction, which for a 1D code is across its bars. Rotating by that angle
//! makes the bars vertical, so that row scanning reads a code at any angle in
//! one pass instead of trying fixed rotations; it also lets us smooth along the
//! bars (noise and JPEG blocking averaged away without blurring across them).

use image::{GrayImage, Luma};

/// Side of the square tiles the edge energy is measured on.
const TILE: u32 = 16;

/// A rectangle in pixels: left, top, width, height.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rect {
    pub x: u32,
    pub y: u32,
    pub w: u32,
    pub h: u32,
}

impl Rect {
    fn contains(&self, x: u32, y: u32) -> bool {
        x >= self.x && y >= self.y && x - self.x < self.w && y - self.y < self.h
    }

    /// The smallest rectangle holding `points`, grown by `margin` of its size
    /// on every side and clipped to `width` × `height`.
    pub fn around(points: &[(f32, f32)], margin: f32, width: u32, height: u32) -> Option<Rect> {
        let (mut x0, mut y0, mut x1, mut y1) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
        for &(x, y) in points {
            x0 = x0.min(x);
            y0 = y0.min(y);
            x1 = x1.max(x);
            y1 = y1.max(y);
        }
        if !(x1 >= x0 && y1 >= y0) {
            return None;
        }
        let (mx, my) = ((x1 - x0) * margin, (y1 - y0) * margin);
        let clip = |v: f32, max: u32| v.clamp(0.0, max as f32) as u32;
        let (x0, y0) = (clip(x0 - mx, width), clip(y0 - my, height));
        let (x1, y1) = (clip(x1 + mx, width), clip(y1 + my, height));
        (x1 > x0 && y1 > y0).then_some(Rect {
            x: x0,
            y: y0,
            w: x1 - x0,
            h: y1 - y0,
        })
    }
}

/// What [`analyse`] found.
#[derive(Debug, Clone, Copy)]
pub struct Layout {
    /// The bounding box of the content (padded), inside the image.
    pub roi: Rect,
    /// Direction of the dominant gradient in degrees, in (-90, 90]: 0 means
    /// vertical bars, 90 horizontal ones (image y pointing down).
    pub angle: f32,
    /// How one-directional the edges are, 0 (no preferred direction, like a 2D
    /// code or text) to 1 (all parallel, like a 1D code).
    pub coherence: f32,
}

/// Per-tile sums of the structure tensor.
#[derive(Clone, Copy, Default)]
struct Tile {
    xx: f64,
    yy: f64,
    xy: f64,
}

impl Tile {
    fn energy(&self) -> f64 {
        self.xx + self.yy
    }
}

/// Find the content region and the dominant edge direction; `None` for an
/// image too small to tile or without any distinct content.
pub fn analyse(img: &GrayImage) -> Option<Layout> {
    analyse_excluding(img, &[])
}

/// [`analyse`], leaving out the tiles whose centre lies in one of `exclude`
/// (codes already read), to see what else the label carries.
pub fn analyse_excluding(img: &GrayImage, exclude: &[Rect]) -> Option<Layout> {
    let (w, h) = img.dimensions();
    let (tiles, tw, th) = measure(img)?;
    let mut strong = content_tiles(&tiles)?;
    for (i, on) in strong.iter_mut().enumerate() {
        let (cx, cy) = (
            (i as u32 % tw) * TILE + TILE / 2,
            (i as u32 / tw) * TILE + TILE / 2,
        );
        if exclude.iter().any(|r| r.contains(cx, cy)) {
            *on = false;
        }
    }
    let energy: Vec<f64> = tiles.iter().map(Tile::energy).collect();
    let component = strongest_component(&strong, &energy, tw, th, 2);
    let (mut x0, mut y0, mut x1, mut y1) = (tw, th, 0, 0);
    let mut sum = Tile::default();
    for (i, _) in component.iter().enumerate().filter(|(_, &c)| c) {
        let (tx, ty) = (i as u32 % tw, i as u32 / tw);
        x0 = x0.min(tx);
        y0 = y0.min(ty);
        x1 = x1.max(tx + 1);
        y1 = y1.max(ty + 1);
        let t = tiles[i];
        sum.xx += t.xx;
        sum.yy += t.yy;
        sum.xy += t.xy;
    }
    if x1 <= x0 || y1 <= y0 {
        return None;
    }
    // Pad by two tiles: quiet zones are blank, and a code's edge tiles may
    // have fallen below the threshold.
    let pad = 2;
    let (x0, y0) = (x0.saturating_sub(pad) * TILE, y0.saturating_sub(pad) * TILE);
    let x1 = ((x1 + pad) * TILE).min(w);
    let y1 = ((y1 + pad) * TILE).min(h);
    let diff = sum.xx - sum.yy;
    let angle = (0.5 * (2.0 * sum.xy).atan2(diff)).to_degrees() as f32;
    let energy = sum.energy();
    let coherence = if energy > 0.0 {
        ((diff * diff + 4.0 * sum.xy * sum.xy).sqrt() / energy) as f32
    } else {
        0.0
    };
    Some(Layout {
        roi: Rect {
            x: x0,
            y: y0,
            w: x1 - x0,
            h: y1 - y0,
        },
        angle,
        coherence,
    })
}

/// The structure tensor of every tile; `None` for an image under 3×3 tiles.
fn measure(img: &GrayImage) -> Option<(Vec<Tile>, u32, u32)> {
    let (w, h) = img.dimensions();
    if w < 3 * TILE || h < 3 * TILE {
        return None;
    }
    let (tw, th) = (w / TILE, h / TILE);
    let mut tiles = vec![Tile::default(); (tw * th) as usize];
    let px = img.as_raw();
    let stride = w as usize;
    for y in 1..(th * TILE).min(h - 1) as usize {
        let row_tiles = &mut tiles[(y / TILE as usize) * tw as usize..][..tw as usize];
        let (up, mid, down) = (
            &px[(y - 1) * stride..y * stride],
            &px[y * stride..(y + 1) * stride],
            &px[(y + 1) * stride..(y + 2) * stride],
        );
        for x in 1..(tw * TILE).min(w - 1) as usize {
            let p = |r: &[u8], i: usize| r[i] as i32;
            let gx = (p(up, x + 1) + 2 * p(mid, x + 1) + p(down, x + 1))
                - (p(up, x - 1) + 2 * p(mid, x - 1) + p(down, x - 1));
            let gy = (p(down, x - 1) + 2 * p(down, x) + p(down, x + 1))
                - (p(up, x - 1) + 2 * p(up, x) + p(up, x + 1));
            let t = &mut row_tiles[x / TILE as usize];
            let (gx, gy) = (gx as f64, gy as f64);
            t.xx += gx * gx;
            t.yy += gy * gy;
            t.xy += gx * gy;
        }
    }
    Some((tiles, tw, th))
}

/// Square windows centred on the compact blobs of print most likely to be a
/// 2D code (most edge energy, roughly square), best first, at most `n`. Some
/// 2D detectors (rxing's Aztec one) start looking at the middle of the image:
/// a code off-centre on its label is found once it is in the middle.
/// Blobs less square than `min_squareness` (short side over long side) are
/// left out.
pub fn blobs(img: &GrayImage, n: usize, min_squareness: f64) -> Vec<Rect> {
    let (w, h) = img.dimensions();
    let Some((tiles, tw, th)) = measure(img) else {
        return Vec::new();
    };
    let Some(strong) = content_tiles(&tiles) else {
        return Vec::new();
    };
    let energy: Vec<f64> = tiles.iter().map(Tile::energy).collect();
    let (label, sizes) = components(&strong, &energy, tw, th, 1);
    let mut boxes = vec![(u32::MAX, u32::MAX, 0u32, 0u32); sizes.len()];
    for (i, &l) in label.iter().enumerate().filter(|(_, &l)| l != 0) {
        let (tx, ty) = (i as u32 % tw, i as u32 / tw);
        let b = &mut boxes[l as usize];
        *b = (b.0.min(tx), b.1.min(ty), b.2.max(tx + 1), b.3.max(ty + 1));
    }
    let mut scored: Vec<(f64, Rect)> = (1..sizes.len())
        .filter_map(|l| {
            let (x0, y0, x1, y1) = boxes[l];
            let (bw, bh) = (x1.checked_sub(x0)?, y1.checked_sub(y0)?);
            if bw.min(bh) < 2 {
                return None;
            }
            let squareness = bw.min(bh) as f64 / bw.max(bh) as f64;
            if squareness < min_squareness {
                return None;
            }
            // A square window twice the blob's size, centred on it (smaller
            // if the photo's edge is nearer, which still holds the blob).
            let (cx, cy) = ((x0 + x1) * TILE / 2, (y0 + y1) * TILE / 2);
            let side = (2 * bw.max(bh) * TILE)
                .min(2 * cx)
                .min(2 * cy)
                .min(2 * w.saturating_sub(cx))
                .min(2 * h.saturating_sub(cy));
            if side == 0 {
                return None;
            }
            let rect = Rect {
                x: cx.saturating_sub(side / 2),
                y: cy.saturating_sub(side / 2),
                w: side,
                h: side,
            };
            Some((sizes[l] * squareness * squareness, rect))
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    scored.into_iter().take(n).map(|(_, r)| r).collect()
}

/// Which tiles hold content: Otsu's split of their log energy, provided the
/// two classes are far enough apart to be background and print.
fn content_tiles(tiles: &[Tile]) -> Option<Vec<bool>> {
    let logs: Vec<f64> = tiles.iter().map(|t| (t.energy() + 1.0).ln()).collect();
    let (lo, hi) = logs
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), &v| (a.min(v), b.max(v)));
    if hi - lo <= 1.0 {
        return None;
    }
    const BINS: usize = 64;
    let bin = |v: f64| (((v - lo) / (hi - lo)) * (BINS - 1) as f64) as usize;
    let mut hist = [0f64; BINS];
    for &v in &logs {
        hist[bin(v).min(BINS - 1)] += 1.0;
    }
    let total: f64 = hist.iter().sum();
    let all: f64 = hist.iter().enumerate().map(|(i, n)| i as f64 * n).sum();
    let (mut w0, mut s0, mut best, mut split) = (0.0, 0.0, -1.0, 0);
    for (i, n) in hist.iter().enumerate() {
        w0 += n;
        s0 += i as f64 * n;
        let w1 = total - w0;
        if w0 == 0.0 || w1 == 0.0 {
            continue;
        }
        let (m0, m1) = (s0 / w0, (all - s0) / w1);
        let between = w0 * w1 * (m0 - m1) * (m0 - m1);
        if between > best {
            best = between;
            split = i;
        }
    }
    // The class means must differ by a factor of 3 in energy (ln 3 ≈ 1.1),
    // or there is no distinct print on the desk.
    let (mut n0, mut s0, mut n1, mut s1) = (0.0, 0.0, 0.0, 0.0);
    for &v in &logs {
        if bin(v) <= split {
            n0 += 1.0;
            s0 += v;
        } else {
            n1 += 1.0;
            s1 += v;
        }
    }
    if n0 == 0.0 || n1 == 0.0 || s1 / n1 - s0 / n0 < 1.1 {
        return None;
    }
    Some(logs.iter().map(|&v| bin(v) > split).collect())
}

/// The 8-connected group of `on` tiles with the most edge energy, tiles one
/// apart counting as joined (a quiet zone between two codes of one label must
/// not split it).
fn strongest_component(on: &[bool], energy: &[f64], tw: u32, th: u32, reach: i64) -> Vec<bool> {
    let (label, sizes) = components(on, energy, tw, th, reach);
    let best = (1..sizes.len())
        .max_by(|&a, &b| sizes[a].total_cmp(&sizes[b]))
        .unwrap_or(0) as u32;
    label.iter().map(|&l| best != 0 && l == best).collect()
}

/// Connected groups of `on` tiles (tiles up to `reach` apart joined): each
/// tile's group number (0: none) and each group's energy.
fn components(on: &[bool], energy: &[f64], tw: u32, th: u32, reach: i64) -> (Vec<u32>, Vec<f64>) {
    let (tw, th) = (tw as i64, th as i64);
    let idx = |x: i64, y: i64| (y * tw + x) as usize;
    let mut label = vec![0u32; on.len()];
    let mut sizes = vec![0f64];
    let mut stack = Vec::new();
    for start in 0..on.len() {
        if !on[start] || label[start] != 0 {
            continue;
        }
        let id = sizes.len() as u32;
        sizes.push(0.0);
        label[start] = id;
        stack.push(start);
        while let Some(i) = stack.pop() {
            sizes[id as usize] += energy[i];
            let (x, y) = (i as i64 % tw, i as i64 / tw);
            for dy in -reach..=reach {
                for dx in -reach..=reach {
                    let (nx, ny) = (x + dx, y + dy);
                    if nx < 0 || ny < 0 || nx >= tw || ny >= th {
                        continue;
                    }
                    let j = idx(nx, ny);
                    if on[j] && label[j] == 0 {
                        label[j] = id;
                        stack.push(j);
                    }
                }
            }
        }
    }
    (label, sizes)
}

/// The part of `img` in `roi`, turned by `-angle` degrees about its centre and
/// scaled by `scale` (bilinear), on a canvas holding all of it; outside the
/// photo is white. With the angle from [`analyse`], bars come out vertical.
pub fn rectify(img: &GrayImage, roi: Rect, angle: f32, scale: f32) -> GrayImage {
    let t = Rectified::new(roi, angle, scale);
    let (s, c, cx, cy, ncx, ncy) = (t.sin, t.cos, t.cx, t.cy, t.ncx, t.ncy);
    let (nw, nh) = (t.width, t.height);
    let src = img.as_raw();
    let stride = img.width() as usize;
    let (max_x, max_y) = (img.width() as i64 - 1, img.height() as i64 - 1);
    let at = |x: i64, y: i64| -> f32 {
        if x < 0 || y < 0 || x > max_x || y > max_y {
            255.0
        } else {
            src[y as usize * stride + x as usize] as f32
        }
    };
    let inv = 1.0 / scale;
    GrayImage::from_fn(nw, nh, |x, y| {
        // Output (u, v) relative to the centre, unscaled, then rotated by
        // +angle back into the photo.
        let u = (x as f32 + 0.5 - ncx) * inv;
        let v = (y as f32 + 0.5 - ncy) * inv;
        let sx = c * u - s * v + cx - 0.5;
        let sy = s * u + c * v + cy - 0.5;
        let (x0, y0) = (sx.floor(), sy.floor());
        let (fx, fy) = (sx - x0, sy - y0);
        let (x0, y0) = (x0 as i64, y0 as i64);
        let top = at(x0, y0) * (1.0 - fx) + at(x0 + 1, y0) * fx;
        let bottom = at(x0, y0 + 1) * (1.0 - fx) + at(x0 + 1, y0 + 1) * fx;
        Luma([(top * (1.0 - fy) + bottom * fy).round().clamp(0.0, 255.0) as u8])
    })
}

/// The geometry of [`rectify`]: where its output pixels come from.
#[derive(Debug, Clone, Copy)]
pub struct Rectified {
    sin: f32,
    cos: f32,
    cx: f32,
    cy: f32,
    ncx: f32,
    ncy: f32,
    scale: f32,
    pub width: u32,
    pub height: u32,
}

impl Rectified {
    pub fn new(roi: Rect, angle: f32, scale: f32) -> Rectified {
        let (s, c) = angle.to_radians().sin_cos();
        let (rw, rh) = (roi.w as f32, roi.h as f32);
        let width = ((rw * c.abs() + rh * s.abs()) * scale).ceil().max(1.0) as u32;
        let height = ((rw * s.abs() + rh * c.abs()) * scale).ceil().max(1.0) as u32;
        Rectified {
            sin: s,
            cos: c,
            cx: roi.x as f32 + rw / 2.0,
            cy: roi.y as f32 + rh / 2.0,
            ncx: width as f32 / 2.0,
            ncy: height as f32 / 2.0,
            scale,
            width,
            height,
        }
    }

    /// The photo coordinates of the point (`x`, `y`) of the rectified image.
    pub fn to_source(self, x: f32, y: f32) -> (f32, f32) {
        let u = (x - self.ncx) / self.scale;
        let v = (y - self.ncy) / self.scale;
        (
            self.cos * u - self.sin * v + self.cx,
            self.sin * u + self.cos * v + self.cy,
        )
    }
}

/// Average each pixel with its neighbours above and below (`radius` each way):
/// on an image whose bars are vertical this removes noise without touching the
/// bar edges.
pub fn smooth_vertical(img: &GrayImage, radius: u32) -> GrayImage {
    let (w, h) = img.dimensions();
    if w == 0 || h == 0 || radius == 0 {
        return img.clone();
    }
    let src = img.as_raw();
    let (w, h, r) = (w as usize, h as usize, radius as usize);
    let mut out = vec![0u8; w * h];
    let mut acc = vec![0u32; w];
    let mut count = 0u32;
    // A running box sum down each column: add the row entering the window,
    // drop the row leaving it.
    for y in 0..h + r {
        if y < h {
            for (a, p) in acc.iter_mut().zip(&src[y * w..(y + 1) * w]) {
                *a += *p as u32;
            }
            count += 1;
        }
        if y > 2 * r {
            let gone = y - 2 * r - 1;
            for (a, p) in acc.iter_mut().zip(&src[gone * w..(gone + 1) * w]) {
                *a -= *p as u32;
            }
            count -= 1;
        }
        if y >= r {
            let row = y - r;
            for (o, a) in out[row * w..(row + 1) * w].iter_mut().zip(&acc) {
                *o = ((*a + count / 2) / count) as u8;
            }
        }
    }
    GrayImage::from_raw(w as u32, h as u32, out).unwrap_or_else(|| img.clone())
}

#[cfg(test)]
mod tests {
    use super::super::filters;
    use super::*;

    /// Vertical bars of `period` pixels in the middle of a white label (white
    /// like the corners [`filters::rotate`] fills in).
    fn bars(w: u32, h: u32, period: u32) -> GrayImage {
        GrayImage::from_fn(w, h, |x, y| {
            let inside = x > w / 4 && x < 3 * w / 4 && y > h / 3 && y < 2 * h / 3;
            let v = if !inside {
                250
            } else if (x / period).is_multiple_of(2) {
                20
            } else {
                235
            };
            Luma([v])
        })
    }

    #[test]
    fn finds_the_label_and_vertical_bars() {
        let img = bars(400, 300, 4);
        let l = analyse(&img).expect("content");
        assert!(l.angle.abs() < 1.0, "angle {}", l.angle);
        assert!(l.coherence > 0.9, "coherence {}", l.coherence);
        assert!(l.roi.x <= 100 && l.roi.x + l.roi.w >= 300, "{:?}", l.roi);
        assert!(l.roi.y <= 100 && l.roi.y + l.roi.h >= 200, "{:?}", l.roi);
        assert!(l.roi.w < 400 || l.roi.h < 300, "{:?}", l.roi);
    }

    #[test]
    fn rectify_undoes_a_rotation() {
        let img = bars(400, 300, 8);
        let turned = filters::rotate(&img, 30.0);
        let l = analyse(&turned).expect("content");
        // Rotating the image counter-clockwise by 30° turns the gradient
        // (x axis) to -30° in image coordinates (y down).
        assert!((l.angle + 30.0).abs() < 2.0, "angle {}", l.angle);
        let r = rectify(&turned, l.roi, l.angle, 1.0);
        let back = analyse(&r).expect("content");
        assert!(back.angle.abs() < 2.0, "angle {}", back.angle);
    }

    #[test]
    fn the_square_blob_comes_first_and_centred() {
        // A checkerboard "2D code" off-centre and a long thin strip of print.
        let img = GrayImage::from_fn(640, 480, |x, y| {
            let code = (400..496).contains(&x) && (300..396).contains(&y);
            let strip = (40..600).contains(&x) && (60..76).contains(&y);
            let dark = (code && ((x / 8) + (y / 8)).is_multiple_of(2))
                || (strip && (x / 3).is_multiple_of(2));
            Luma([if dark { 30 } else { 230 }])
        });
        let b = blobs(&img, 2, 0.0);
        assert_eq!(blobs(&img, 2, 0.5).len(), 1);
        assert_eq!(b.len(), 2, "{b:?}");
        let (cx, cy) = (b[0].x + b[0].w / 2, b[0].y + b[0].h / 2);
        assert!(
            cx.abs_diff(448) <= 16 && cy.abs_diff(348) <= 16,
            "{:?}",
            b[0]
        );
        assert!(b[0].w >= 96 && b[0].w == b[0].h, "{:?}", b[0]);
    }

    #[test]
    fn flat_and_tiny_images_have_no_layout() {
        assert!(analyse(&GrayImage::from_pixel(200, 200, Luma([128]))).is_none());
        assert!(analyse(&GrayImage::new(10, 10)).is_none());
        assert!(analyse(&GrayImage::new(0, 0)).is_none());
        assert!(blobs(&GrayImage::new(0, 0), 2, 0.0).is_empty());
        assert!(blobs(&GrayImage::from_pixel(200, 200, Luma([9])), 2, 0.0).is_empty());
    }

    #[test]
    fn smoothing_keeps_columns_and_sizes() {
        let img = bars(64, 48, 2);
        let s = smooth_vertical(&img, 3);
        assert_eq!(s.dimensions(), img.dimensions());
        // Inside the label, columns are constant, so smoothing changes little.
        assert_eq!(s.get_pixel(40, 24).0[0], img.get_pixel(40, 24).0[0]);
        let _ = smooth_vertical(&GrayImage::new(0, 0), 3);
        let _ = smooth_vertical(&GrayImage::new(5, 1), 4);
    }
}
