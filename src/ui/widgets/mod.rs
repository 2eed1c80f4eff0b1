//! The screen's parts that deserve a file of their own: the feedback banner,
//! the mode panel (asset, unknown code, location, empty), a trend sparkline
//! and the help overlay;
//! plus the colours they share.

pub mod banner;
pub mod help;
pub mod panel;
pub mod trend;
pub mod workflow;

use crate::station::Level;
use ratatui::text::Span;

/// Colours and emphasis, in one place so that the screen stays consistent.
pub mod theme {
    use ratatui::style::{Color, Modifier, Style};

    pub const TITLE: Style = Style::new()
        .fg(Color::Black)
        .bg(Color::White)
        .add_modifier(Modifier::BOLD);
    pub const MODE: Style = Style::new()
        .fg(Color::Black)
        .bg(Color::Cyan)
        .add_modifier(Modifier::BOLD);
    pub const TRAINING: Style = Style::new()
        .fg(Color::Black)
        .bg(Color::Magenta)
        .add_modifier(Modifier::BOLD);
    pub const ALARM: Style = Style::new()
        .fg(Color::White)
        .bg(Color::Red)
        .add_modifier(Modifier::BOLD);
    pub const LABEL: Style = Style::new().fg(Color::Cyan);
    pub const DIM: Style = Style::new().fg(Color::DarkGray);
    pub const KEY: Style = Style::new()
        .fg(Color::Black)
        .bg(Color::Gray)
        .add_modifier(Modifier::BOLD);
    pub const GOOD: Style = Style::new().fg(Color::Green);
    pub const WARN: Style = Style::new().fg(Color::Yellow);
    pub const BAD: Style = Style::new().fg(Color::Red);
    pub const STRONG: Style = Style::new().add_modifier(Modifier::BOLD);

    /// The banner of each level: a full band of colour.
    pub const BANNER_OK: Style = Style::new()
        .fg(Color::Black)
        .bg(Color::Green)
        .add_modifier(Modifier::BOLD);
    pub const BANNER_WARN: Style = Style::new()
        .fg(Color::Black)
        .bg(Color::Yellow)
        .add_modifier(Modifier::BOLD);
    pub const BANNER_ERROR: Style = Style::new()
        .fg(Color::White)
        .bg(Color::Red)
        .add_modifier(Modifier::BOLD);
    pub const BANNER_IDLE: Style = Style::new().fg(Color::Gray).bg(Color::Indexed(236));
}

/// A level as a short coloured tag for lists.
pub fn level_tag(level: Level) -> Span<'static> {
    match level {
        Level::Ok => Span::styled(
            "OK",
            theme::GOOD.add_modifier(ratatui::style::Modifier::BOLD),
        ),
        Level::Warning => Span::styled(
            "WARN",
            theme::WARN.add_modifier(ratatui::style::Modifier::BOLD),
        ),
        Level::Error => Span::styled(
            "ERR",
            theme::BAD.add_modifier(ratatui::style::Modifier::BOLD),
        ),
    }
}

/// A status name coloured by what it means for the bench.
pub fn status_span(status: &str) -> Span<'static> {
    let style = match status {
        "in_stock" | "deployed" => theme::GOOD,
        "in_repair" | "on_order" | "decommissioning" | "sanitized" | "awaiting_pickup"
        | "in_transit" => theme::WARN,
        "missing" | "lost" | "disposed" => theme::BAD,
        _ => ratatui::style::Style::new(),
    };
    Span::styled(
        format!(" {} ", crate::ui::text::printable(status)),
        style.add_modifier(ratatui::style::Modifier::BOLD | ratatui::style::Modifier::REVERSED),
    )
}
