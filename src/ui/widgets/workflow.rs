//! Shared widgets for the workflows' views: a mode's panel (title, lines, a
//! gauge, a trend, a list) and the open question (a prompt, a pick list with the
//! highlighted entry that Enter picks).

use super::theme;
use crate::station::question::QuestionView;
use crate::station::view::WorkflowView;
use crate::ui::text::printable;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::Modifier;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Gauge, List, ListItem, ListState, Padding, Paragraph, Wrap};
use ratatui::Frame;

/// A workflow's panel.
pub fn view(v: &WorkflowView, f: &mut Frame, area: Rect) {
    let block = Block::bordered()
        .padding(Padding::horizontal(1))
        .border_style(theme::LABEL)
        .title(Span::styled(
            format!(" {} ", printable(&v.title)),
            theme::LABEL.add_modifier(Modifier::BOLD),
        ));
    let inner = block.inner(area);
    f.render_widget(block, area);
    let lines: Vec<Line> = v.lines.iter().map(|l| Line::raw(printable(l))).collect();
    let [text, gauge, trend, list] = Layout::vertical([
        Constraint::Length(lines.len() as u16),
        Constraint::Length(if v.progress.is_some() { 2 } else { 0 }),
        Constraint::Length(if v.trend.is_some() {
            super::trend::HEIGHT
        } else {
            0
        }),
        Constraint::Min(0),
    ])
    .areas(inner);
    f.render_widget(Paragraph::new(lines).wrap(Wrap { trim: false }), text);
    if let Some(p) = &v.progress {
        let g = Gauge::default()
            .gauge_style(theme::GOOD)
            .ratio(p.ratio())
            .label(format!("{} {}/{}", printable(&p.label), p.done, p.total));
        f.render_widget(g, Rect { height: 1, ..gauge });
    }
    if let Some(t) = &v.trend {
        super::trend::view(t, f, trend);
    }
    if !v.list.is_empty() {
        let items: Vec<ListItem> = v.list.iter().map(|l| ListItem::new(printable(l))).collect();
        let l = List::new(items).block(
            Block::new()
                .borders(ratatui::widgets::Borders::TOP)
                .border_style(theme::DIM)
                .title(Span::styled(
                    format!(" {} ", printable(&v.list_title)),
                    theme::LABEL,
                )),
        );
        f.render_widget(l, list);
    }
}

/// The open question, with its pick list; `selected` is the highlighted
/// entry (from 0).
pub fn question(q: &QuestionView, selected: usize, f: &mut Frame, area: Rect) {
    let block = Block::bordered()
        .padding(Padding::horizontal(1))
        .border_style(theme::WARN)
        .title(Span::styled(
            " Question ",
            theme::WARN.add_modifier(Modifier::BOLD),
        ));
    let inner = block.inner(area);
    f.render_widget(block, area);
    let [prompt, list] = Layout::vertical([Constraint::Length(3), Constraint::Min(0)]).areas(inner);
    f.render_widget(
        Paragraph::new(vec![
            Line::styled(printable(&q.prompt), theme::STRONG),
            Line::styled(
                match q.expects {
                    "confirm" => format!("{} · Enter confirms, Esc cancels", printable(&q.hint)),
                    "pick" => format!(
                        "{} · Up/Down and Enter pick, Esc cancels",
                        printable(&q.hint)
                    ),
                    _ => format!("{} · Esc cancels", printable(&q.hint)),
                },
                theme::DIM,
            ),
        ])
        .wrap(Wrap { trim: false }),
        prompt,
    );
    if q.options.is_empty() {
        return;
    }
    let items: Vec<ListItem> = q
        .options
        .iter()
        .enumerate()
        .map(|(i, o)| ListItem::new(format!("{:>2}  {}", i + 1, printable(o))))
        .collect();
    let mut state = ListState::default().with_selected(Some(selected.min(q.options.len() - 1)));
    f.render_stateful_widget(
        List::new(items)
            .highlight_style(theme::KEY)
            .highlight_symbol("▶ "),
        list,
        &mut state,
    );
}

/// How many rows a question box needs.
pub fn question_height(q: &QuestionView) -> u16 {
    5 + q.options.len().min(12) as u16
}
