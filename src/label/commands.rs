//! The command sheet: pages of command barcodes (`CMD:CONFIRM`,
//! `CMD:REASON:EOL` …) an operator scans instead of typing, printed once
//! and pinned at the bench.
//!
//! A page is A4 at 203 dpi (the label printers' resolution, so the same
//! module size reads on paper and on labels): a title, then a grid of cells,
//! each a Code 128 symbol with its quiet zone and, under it, the barcode's
//! text and what it does in the shipped bitmap font ([`super::font`]). Two
//! columns when every symbol fits one, else one; a list longer than a page
//! goes on to the next. Pure: entries in, images out; the `label --commands`
//! command writes the files.

use super::{font, symbol, LabelError, Matrix, Symbology};
use image::{GrayImage, Luma};

/// A4 at 203 dpi: 210 × 297 mm.
pub const PAGE_WIDTH: u32 = 1680;
pub const PAGE_HEIGHT: u32 = 2376;
/// White around the page's content (7.5 mm).
const MARGIN: u32 = 60;
/// Below the title.
const HEADER: u32 = 90;
/// One cell's height: symbol, two caption lines and the space around them.
const ROW: u32 = 200;
/// The bars' height (11 mm).
const BAR_HEIGHT: u32 = 90;
/// Code 128's quiet zone: 10 modules each side.
const QUIET_MODULES: u32 = 10;
/// Captions: the barcode's text, then what it does.
const TEXT_SCALE: u32 = 3;
const HELP_SCALE: u32 = 2;

/// How a sheet's cells are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Grid {
    columns: u32,
    /// Pixels per module.
    module: u32,
}

impl Grid {
    fn cell_width(&self) -> u32 {
        (PAGE_WIDTH - 2 * MARGIN) / self.columns
    }

    fn rows(&self) -> u32 {
        (PAGE_HEIGHT - 2 * MARGIN - HEADER) / ROW
    }

    fn per_page(&self) -> usize {
        (self.columns * self.rows()) as usize
    }

    /// Whether a symbol `modules` wide fits a cell with its quiet zones.
    fn fits(&self, modules: u32) -> bool {
        (modules + 2 * QUIET_MODULES) * self.module <= self.cell_width()
    }
}

/// The sheet's pages, in order: `title` on each, then the entries'
/// symbols. An entry is (barcode text, what it does).
pub fn pages(title: &str, entries: &[(String, String)]) -> Result<Vec<GrayImage>, LabelError> {
    let symbols = entries
        .iter()
        .map(|(code, _)| symbol(code, Symbology::Code128))
        .collect::<Result<Vec<Matrix>, _>>()?;
    let widest = symbols.iter().map(|m| m.width).max().unwrap_or(0);
    // 2 px modules (0.25 mm) in two columns when they fit, else one column,
    // else 1 px modules.
    let grid = [(2, 2), (1, 2), (1, 1)]
        .into_iter()
        .map(|(columns, module)| Grid { columns, module })
        .find(|g| g.fits(widest))
        .ok_or_else(|| {
            let (code, m) = entries
                .iter()
                .zip(&symbols)
                .max_by_key(|(_, m)| m.width)
                .map(|((c, _), m)| (c.clone(), m.width))
                .unwrap_or_default();
            LabelError::Encode {
                tag: code,
                symbology: "code128",
                detail: format!("{m} modules do not fit the width of a page"),
            }
        })?;
    let chunks: Vec<_> = entries
        .iter()
        .zip(&symbols)
        .collect::<Vec<_>>()
        .chunks(grid.per_page())
        .map(<[_]>::to_vec)
        .collect();
    let count = chunks.len().max(1);
    let mut out = Vec::with_capacity(count);
    for (i, chunk) in chunks.iter().enumerate() {
        let mut img = GrayImage::from_pixel(PAGE_WIDTH, PAGE_HEIGHT, Luma([255]));
        let heading = if count > 1 {
            format!("{title} ({}/{count})", i + 1)
        } else {
            title.to_string()
        };
        line(
            &mut img,
            MARGIN,
            MARGIN,
            PAGE_WIDTH - 2 * MARGIN,
            &heading,
            4,
        );
        for (k, ((code, help), m)) in chunk.iter().enumerate() {
            let (col, row) = (k as u32 % grid.columns, k as u32 / grid.columns);
            let x = MARGIN + col * grid.cell_width();
            let y = MARGIN + HEADER + row * ROW;
            cell(&mut img, grid, x, y, m, code, help);
        }
        out.push(img);
    }
    if out.is_empty() {
        let mut img = GrayImage::from_pixel(PAGE_WIDTH, PAGE_HEIGHT, Luma([255]));
        line(&mut img, MARGIN, MARGIN, PAGE_WIDTH - 2 * MARGIN, title, 4);
        out.push(img);
    }
    Ok(out)
}

/// The pages as PNG files' bytes.
pub fn render(title: &str, entries: &[(String, String)]) -> Result<Vec<Vec<u8>>, LabelError> {
    pages(title, entries)?
        .iter()
        .map(|img| super::png::encode(img, title))
        .collect()
}

/// One cell at (x, y): the symbol centred with its quiet zone, the text and
/// the help (at most two lines) under it.
fn cell(img: &mut GrayImage, grid: Grid, x: u32, y: u32, m: &Matrix, code: &str, help: &str) {
    let w = grid.cell_width();
    let sym_w = m.width * grid.module;
    let sx = x + (w - sym_w) / 2;
    let sy = y + 16;
    for mx in 0..m.width {
        if !m.get(mx, 0) {
            continue;
        }
        for dx in 0..grid.module {
            for dy in 0..BAR_HEIGHT {
                img.put_pixel(sx + mx * grid.module + dx, sy + dy, Luma([0]));
            }
        }
    }
    let inner = w - 2 * QUIET_MODULES * grid.module;
    let tx = x + QUIET_MODULES * grid.module;
    let mut ty = sy + BAR_HEIGHT + 10;
    ty += centred(img, tx, ty, inner, code, TEXT_SCALE) + 6;
    for l in wrap(help, (inner / font::width("M", HELP_SCALE)) as usize)
        .iter()
        .take(2)
    {
        ty += centred(img, tx, ty, inner, l, HELP_SCALE) + 4;
    }
}

/// The scale `text` is drawn at within `room` pixels: `scale`, or smaller
/// if it would not fit.
fn fitted(room: u32, text: &str, scale: u32) -> u32 {
    let fit = room / font::width(text, 1).max(1);
    scale.min(fit).max(1)
}

/// Draws `text` from (x, y) within `room` pixels; returns the height drawn.
fn line(img: &mut GrayImage, x: u32, y: u32, room: u32, text: &str, scale: u32) -> u32 {
    let scale = fitted(room, text, scale);
    font::draw(img, x, y, text, scale);
    7 * scale
}

/// Draws `text` centred in the `room` pixels from x; returns the height.
fn centred(img: &mut GrayImage, x: u32, y: u32, room: u32, text: &str, scale: u32) -> u32 {
    let scale = fitted(room, text, scale);
    // The last column of the last character is a space.
    let w = font::width(text, scale).saturating_sub(scale);
    line(img, x + room.saturating_sub(w) / 2, y, room, text, scale)
}

/// `text` cut into lines of at most `width` characters at spaces (a word
/// longer than a line is cut).
fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines: Vec<String> = Vec::new();
    let mut cur = String::new();
    for word in text.split_whitespace() {
        let mut word: Vec<char> = word.chars().collect();
        while word.len() > width {
            if !cur.is_empty() {
                lines.push(std::mem::take(&mut cur));
            }
            lines.push(word.drain(..width).collect());
        }
        let word: String = word.into_iter().collect();
        if word.is_empty() {
            continue;
        }
        if cur.is_empty() {
            cur = word;
        } else if cur.chars().count() + 1 + word.chars().count() <= width {
            cur.push(' ');
            cur.push_str(&word);
        } else {
            lines.push(std::mem::replace(&mut cur, word));
        }
    }
    if !cur.is_empty() {
        lines.push(cur);
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(n: usize) -> Vec<(String, String)> {
        (0..n)
            .map(|i| (format!("CMD:PICK:{i}"), format!("choice {i}")))
            .collect()
    }

    #[test]
    fn a_long_list_goes_on_to_more_pages() {
        let per_page = Grid {
            columns: 2,
            module: 2,
        }
        .per_page();
        assert_eq!(per_page, 20);
        assert_eq!(pages("T", &entries(per_page)).unwrap().len(), 1);
        assert_eq!(pages("T", &entries(per_page + 1)).unwrap().len(), 2);
        let p = pages("T", &[]).unwrap();
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].dimensions(), (PAGE_WIDTH, PAGE_HEIGHT));
    }

    #[test]
    fn wide_symbols_take_one_column_then_thinner_modules() {
        let wide = |n: usize| vec![("A".repeat(n), String::new())];
        // Code 128 B: 11 modules a character, start, check and stop 35.
        assert!(pages("T", &wide(25)).is_ok());
        let fits = |n: usize, g: Grid| g.fits(11 * n as u32 + 35);
        let two = Grid {
            columns: 2,
            module: 2,
        };
        let one = Grid {
            columns: 1,
            module: 2,
        };
        assert!(fits(30, two) && !fits(40, two) && fits(40, one));
        let one_px = Grid {
            columns: 1,
            module: 1,
        };
        assert!(!fits(70, one) && fits(70, one_px));
        assert!(pages("T", &wide(70)).is_ok());
        // rxing's Code 128 writer takes at most 80 characters: a longer
        // command is an error, not a symbol drawn off the page.
        let err = pages("T", &wide(100)).unwrap_err();
        assert!(matches!(err, LabelError::Encode { .. }), "{err}");
        assert!(matches!(
            pages("T", &[(String::new(), String::new())]),
            Err(LabelError::EmptyTag)
        ));
    }

    #[test]
    fn the_quiet_zone_and_the_caption_stay_clear() {
        let img = &pages("T", &entries(1)).unwrap()[0];
        let m = symbol("CMD:PICK:0", Symbology::Code128).unwrap();
        let cell_w = (PAGE_WIDTH - 2 * MARGIN) / 2;
        let sx = MARGIN + (cell_w - m.width * 2) / 2;
        let bar_y = MARGIN + HEADER + 16 + BAR_HEIGHT / 2;
        // The first bar is dark, the 20 px before it white.
        assert_eq!(img.get_pixel(sx, bar_y).0, [0]);
        assert!((sx - 20..sx).all(|x| img.get_pixel(x, bar_y).0 == [255]));
        // The caption is drawn under the bars.
        let below = MARGIN + HEADER + 16 + BAR_HEIGHT + 10;
        assert!((below..below + 21)
            .any(|y| (MARGIN..MARGIN + cell_w).any(|x| img.get_pixel(x, y).0 == [0])));
    }

    #[test]
    fn wraps_at_spaces() {
        assert_eq!(wrap("a bb ccc", 4), ["a bb", "ccc"]);
        assert_eq!(wrap("abcdefgh", 3), ["abc", "def", "gh"]);
        assert_eq!(wrap("", 3), Vec::<String>::new());
        assert_eq!(wrap("x  y", 0), ["x", "y"]);
    }
}
