//! A series over time as a ratatui sparkline with its label and last value
//! (Stock-take mode: accuracy over past stock-takes).

use super::theme;
use crate::station::view::Trend;
use crate::ui::text::printable;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Sparkline};
use ratatui::Frame;

/// Rows the trend takes: its label and two rows of bars.
pub const HEIGHT: u16 = 3;

/// Draws `t` in `area`: the label with the last value, then the bars, the
/// newest on the right (older ones drop off the left when the area is narrow).
pub fn view(t: &Trend, f: &mut Frame, area: Rect) {
    let [label, bars] = Layout::vertical([Constraint::Length(1), Constraint::Min(0)]).areas(area);
    let last = t
        .values
        .last()
        .map(|v| format!(" · last {v}/{}", t.max))
        .unwrap_or_else(|| " · none yet".into());
    f.render_widget(
        Paragraph::new(Line::from(vec![
            Span::styled(printable(&t.label), theme::LABEL),
            Span::styled(last, theme::DIM),
        ])),
        label,
    );
    let width = usize::from(bars.width);
    let shown = &t.values[t.values.len().saturating_sub(width)..];
    f.render_widget(
        Sparkline::default()
            .data(shown)
            .max(t.max.max(1))
            .style(theme::GOOD),
        bars,
    );
}
