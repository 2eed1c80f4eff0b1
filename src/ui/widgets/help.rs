//! The help overlay (`?` or F1): every key, in a box over the screen.

use super::theme;
use ratatui::layout::{Constraint, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Clear, Paragraph};
use ratatui::Frame;

/// The keys and what they do, as listed in the overlay.
pub const KEYS: &[(&str, &str)] = &[
    ("? / F1", "show or hide this help"),
    ("Enter", "send what is typed; confirm or pick an answer"),
    ("Up / Down", "move through a question's list"),
    ("Esc", "close help, acknowledge, cancel, clear"),
    ("Backspace", "delete the last character typed"),
    ("F2", "Lookup mode"),
    ("F3", "Receive mode"),
    ("F4", "Wipe mode"),
    ("F5", "Stock-take mode"),
    ("F6", "Disposal mode"),
    ("F7", "enrol the unknown code (asks to confirm)"),
    ("Ctrl+L", "sign out"),
    ("F10 / Ctrl+C", "quit"),
];

pub fn draw(f: &mut Frame, area: Rect) {
    let height = u16::try_from(KEYS.len()).unwrap_or(20) + 5;
    let popup = area.centered(
        Constraint::Length(62.min(area.width)),
        Constraint::Length(height.min(area.height)),
    );
    let mut lines: Vec<Line> = KEYS
        .iter()
        .map(|(k, what)| {
            Line::from(vec![
                Span::styled(format!(" {k:>12} "), theme::KEY),
                Span::raw(format!("  {what}")),
            ])
        })
        .collect();
    lines.push(Line::raw(""));
    lines.push(Line::styled(
        " Scanners type by themselves: scans never land in the field.",
        theme::DIM,
    ));
    lines.push(Line::styled(
        " Badges sign in; command barcodes (CMD:…) work too.",
        theme::DIM,
    ));
    let block = Block::bordered()
        .border_style(theme::LABEL)
        .title(Span::styled(" Keys ", theme::STRONG))
        .title_bottom(Span::styled(" Esc closes ", theme::DIM));
    f.render_widget(Clear, popup);
    f.render_widget(Paragraph::new(lines).block(block), popup);
}
