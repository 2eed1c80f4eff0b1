//! The feedback banner: a full-width band of colour, green for OK, yellow for a
//! warning, red for an error, with the level in large block letters when there
//! is room and the station's message under it. It is the one thing an operator
//! sees from the corner of the eye, so it fills the width and never shares its
//! colour with anything else on the screen.

use super::theme;
use crate::station::Level;
use crate::timefmt::rfc3339_millis;
use crate::ui::app::Banner;
use crate::ui::text::time_of_day;
use ratatui::layout::{Alignment, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;
use ratatui::Frame;

/// Draws `banner` (or the idle prompt) over the whole of `area`.
pub fn draw(banner: Option<&Banner>, f: &mut Frame, area: Rect) {
    let (style, lines) = match banner {
        None => (theme::BANNER_IDLE, idle_lines(area.height)),
        Some(b) if !b.fresh => (theme::BANNER_IDLE, stale_lines(b, area.height)),
        Some(b) => (level_style(b.level), fresh_lines(b, area)),
    };
    let p = Paragraph::new(lines)
        .style(style)
        .alignment(Alignment::Center);
    f.render_widget(p, area);
}

/// The banner's colours for a level.
pub fn level_style(level: Level) -> Style {
    match level {
        Level::Ok => theme::BANNER_OK,
        Level::Warning => theme::BANNER_WARN,
        Level::Error => theme::BANNER_ERROR,
    }
}

fn word(level: Level) -> &'static str {
    match level {
        Level::Ok => "OK",
        Level::Warning => "WARNING",
        Level::Error => "ERROR",
    }
}

fn symbol(level: Level) -> &'static str {
    match level {
        Level::Ok => "✔",
        Level::Warning => "▲",
        Level::Error => "✖",
    }
}

/// `OK` → `O K`: spaced capitals read as larger.
fn spaced(w: &str) -> String {
    let letters: Vec<String> = w.chars().map(String::from).collect();
    letters.join(" ")
}

fn small_print(b: &Banner) -> String {
    let at = rfc3339_millis(b.at);
    let time = time_of_day(&at);
    let ack = if b.sticky {
        " · Esc to acknowledge"
    } else {
        ""
    };
    if b.detail.is_empty() {
        format!("{time}{ack}")
    } else {
        format!("{time} · {}{ack}", b.detail)
    }
}

fn fresh_lines(b: &Banner, area: Rect) -> Vec<Line<'static>> {
    let message = Line::from(Span::styled(
        fit(&b.message, area.width),
        Style::new().add_modifier(Modifier::BOLD),
    ));
    let small = Line::from(Span::styled(
        fit(&small_print(b), area.width),
        Style::new().remove_modifier(Modifier::BOLD),
    ));
    let big = big_word(word(b.level));
    let big_width = big[0].chars().count() + 4;
    if area.height >= 5 && usize::from(area.width) >= big_width + 8 {
        let sym = symbol(b.level);
        vec![
            Line::raw(""),
            Line::raw(format!("{sym}  {}  {sym}", big[0])),
            Line::raw(format!("   {}   ", big[1])),
            message,
            small,
        ]
    } else {
        let headline = format!(
            "{}  {}  {}",
            symbol(b.level),
            spaced(word(b.level)),
            symbol(b.level)
        );
        let mut v = vec![Line::raw(headline), message];
        if area.height >= 3 {
            v.push(small);
        }
        v
    }
}

fn idle_lines(height: u16) -> Vec<Line<'static>> {
    let mut v = Vec::new();
    if height >= 5 {
        v.push(Line::raw(""));
    }
    v.push(Line::styled(
        "READY",
        Style::new().add_modifier(Modifier::BOLD),
    ));
    v.push(Line::raw("scan a barcode, or type a code and press Enter"));
    v
}

fn stale_lines(b: &Banner, height: u16) -> Vec<Line<'static>> {
    let mut v = Vec::new();
    if height >= 5 {
        v.push(Line::raw(""));
    }
    v.push(Line::styled(
        "READY",
        Style::new().add_modifier(Modifier::BOLD),
    ));
    let last_style = match b.level {
        Level::Ok => theme::GOOD,
        Level::Warning => theme::WARN,
        Level::Error => theme::BAD,
    };
    v.push(Line::from(vec![
        Span::raw("last: "),
        Span::styled(format!("{} {}", symbol(b.level), word(b.level)), last_style),
        Span::raw(format!(" {} ({})", b.message, small_print(b))),
    ]));
    v
}

/// `s` cut to `width` columns with an ellipsis.
fn fit(s: &str, width: u16) -> String {
    let width = usize::from(width.saturating_sub(2)).max(1);
    if s.chars().count() <= width {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(width - 1).collect();
        t.push('…');
        t
    }
}

/// The glyphs of the block font, two rows each (half blocks give four pixels).
fn glyph(c: char) -> [&'static str; 2] {
    match c {
        'O' => ["█▀█", "█▄█"],
        'K' => ["█▄▀", "█ █"],
        'W' => ["█ █ █", "▀▄▀▄▀"],
        'A' => ["▄▀█", "█▀█"],
        'R' => ["█▀█", "█▀▄"],
        'N' => ["█▄ █", "█ ▀█"],
        'I' => ["█", "█"],
        'G' => ["█▀▀", "█▄█"],
        'E' => ["█▀▀", "██▄"],
        _ => ["   ", "   "],
    }
}

/// `word` in the block font, letters one column apart.
fn big_word(word: &str) -> [String; 2] {
    let mut rows = [String::new(), String::new()];
    for (i, c) in word.chars().enumerate() {
        let g = glyph(c);
        for (row, part) in rows.iter_mut().zip(g) {
            if i > 0 {
                row.push(' ');
            }
            row.push_str(part);
        }
    }
    rows
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn big_words_have_even_rows() {
        for w in ["OK", "WARNING", "ERROR"] {
            let [a, b] = big_word(w);
            assert_eq!(a.chars().count(), b.chars().count(), "{w}");
        }
        assert_eq!(
            big_word("OK"),
            ["█▀█ █▄▀".to_string(), "█▄█ █ █".to_string()]
        );
    }

    #[test]
    fn fit_cuts_with_an_ellipsis() {
        assert_eq!(fit("abcdef", 6), "abc…");
        assert_eq!(fit("abc", 6), "abc");
    }
}
