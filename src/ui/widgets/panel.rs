//! The mode panel: what the last scan was about. An asset's card (identifiers,
//! model, location, status, history from the journal), an unknown code with the
//! offer to enrol it, a location's card, or — before the first scan — how to
//! start.

use super::{status_span, theme};
use crate::station::outcome::{AssetCard, LocationCard};
use crate::station::Panel;
use crate::ui::app::App;
use crate::ui::text::printable;
use crate::ui::view::mode_name;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Cell, Padding, Paragraph, Row, Table, Wrap};
use ratatui::Frame;

pub fn draw(app: &App, f: &mut Frame, area: Rect) {
    let area = match &app.question {
        Some(q) => {
            let h = super::workflow::question_height(q).min(area.height);
            let [rest, ask] =
                Layout::vertical([Constraint::Min(0), Constraint::Length(h)]).areas(area);
            super::workflow::question(q, app.pick, f, ask);
            rest
        }
        None => area,
    };
    match &app.panel {
        Panel::Asset(card) => asset(card, f, area),
        Panel::Unknown { code, identity } => unknown(code, identity, f, area),
        Panel::Location(card) => location(card, f, area),
        Panel::Workflow(v) => super::workflow::view(v, f, area),
        Panel::Empty => empty(app, f, area),
    }
}

fn titled(title: String, style: Style) -> Block<'static> {
    Block::bordered()
        .padding(Padding::horizontal(1))
        .border_style(style)
        .title(Span::styled(title, style.add_modifier(Modifier::BOLD)))
}

fn field<'a>(label: &'a str, value: Option<&str>) -> Line<'a> {
    Line::from(vec![
        Span::styled(format!("{label:<13}"), theme::LABEL),
        match value {
            Some(v) => Span::raw(printable(v)),
            None => Span::styled("—", theme::DIM),
        },
    ])
}

fn asset(card: &AssetCard, f: &mut Frame, area: Rect) {
    let block = titled(format!(" Asset {} ", printable(&card.tag)), theme::LABEL);
    let inner = block.inner(area);
    f.render_widget(block, area);

    let model = match (&card.manufacturer, &card.model) {
        (Some(m), Some(model)) => Some(format!("{m} {model}")),
        (None, Some(model)) => Some(model.clone()),
        (Some(m), None) => Some(m.clone()),
        (None, None) => None,
    };
    let mut details = vec![
        Line::from(vec![
            Span::styled(format!("{:<13}", "asset tag"), theme::LABEL),
            Span::styled(printable(&card.tag), theme::STRONG),
            Span::raw("  "),
            status_span(&card.status),
        ]),
        field("model", model.as_deref()),
        field("category", card.category.as_deref()),
        field("location", card.location.as_deref()),
    ];
    let kind_width = card
        .identifiers
        .iter()
        .map(|(k, _)| k.chars().count())
        .max()
        .unwrap_or(0)
        + 2;
    let ids: Vec<Line> = card
        .identifiers
        .iter()
        .map(|(kind, value)| {
            Line::from(vec![
                Span::styled(format!("{:<kind_width$}", printable(kind)), theme::DIM),
                Span::raw(printable(value)),
            ])
        })
        .collect();
    let ids_width = ids.iter().map(Line::width).max().unwrap_or(0);
    let ids_width = u16::try_from(ids_width).unwrap_or(u16::MAX);

    // Identifiers beside the details when both fit, else under them.
    let wide = inner.width >= 60 && ids_width <= inner.width / 2;
    let detail_rows = if wide {
        details.len().max(ids.len())
    } else {
        details.len() + ids.len()
    };
    let detail_rows = u16::try_from(detail_rows).unwrap_or(u16::MAX);
    let [top, history] = Layout::vertical([
        Constraint::Length(detail_rows.min(inner.height.saturating_sub(4))),
        Constraint::Fill(1),
    ])
    .areas(inner);
    if wide {
        let [left, right] =
            Layout::horizontal([Constraint::Fill(1), Constraint::Length(ids_width)])
                .spacing(2)
                .areas(top);
        f.render_widget(Paragraph::new(clip(details, left.width)), left);
        f.render_widget(Paragraph::new(ids), right);
    } else {
        details.extend(ids);
        f.render_widget(Paragraph::new(clip(details, top.width)), top);
    }
    history_table(card, f, history);
}

/// Lines cut to `width` columns, the cut marked with an ellipsis.
fn clip(lines: Vec<Line<'static>>, width: u16) -> Vec<Line<'static>> {
    let width = usize::from(width);
    lines
        .into_iter()
        .map(|line| {
            if line.width() <= width {
                return line;
            }
            let mut left = width.saturating_sub(1);
            let mut spans = Vec::new();
            for span in line.spans {
                if left == 0 {
                    break;
                }
                let text: String = span.content.chars().take(left).collect();
                left -= text.chars().count();
                spans.push(Span::styled(text, span.style));
            }
            spans.push(Span::styled("…", theme::DIM));
            Line::from(spans)
        })
        .collect()
}

fn history_table(card: &AssetCard, f: &mut Frame, area: Rect) {
    let header = Row::new(["#", "when (UTC)", "event", "by", ""]).style(theme::LABEL);
    let rows = card.history.iter().map(|h| {
        let when = h.at.get(..16).unwrap_or(&h.at).replace('T', " ");
        Row::new(vec![
            Cell::from(h.seq.to_string()).style(theme::DIM),
            Cell::from(printable(&when)),
            Cell::from(printable(&h.kind)),
            Cell::from(printable(h.operator.as_deref().unwrap_or("—"))),
            Cell::from(printable(&h.summary)).style(theme::DIM),
        ])
    });
    let table = Table::new(
        rows,
        [
            Constraint::Length(6),
            Constraint::Length(16),
            Constraint::Length(16),
            Constraint::Length(8),
            Constraint::Fill(1),
        ],
    )
    .header(header)
    .column_spacing(1)
    .block(
        Block::new()
            .borders(ratatui::widgets::Borders::TOP)
            .border_style(theme::DIM)
            .title(Span::styled(" History ", theme::LABEL)),
    );
    f.render_widget(table, area);
}

fn unknown(code: &str, identity: &str, f: &mut Frame, area: Rect) {
    let block = titled(" Unknown code ".into(), theme::WARN);
    let lines = vec![
        Line::raw(""),
        Line::from(vec![
            Span::styled(format!("{:<13}", "code"), theme::LABEL),
            Span::styled(printable(code), theme::STRONG),
        ]),
        Line::from(vec![
            Span::styled(format!("{:<13}", "looks like"), theme::LABEL),
            Span::raw(printable(identity)),
        ]),
        Line::raw(""),
        Line::raw("No asset has this code."),
        Line::raw(""),
        Line::from(vec![
            Span::styled(" F7 ", theme::KEY),
            Span::raw(" enrol it, asks to confirm (or scan CMD:ENROL), or just scan the next code"),
        ]),
    ];
    f.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        area,
    );
}

fn location(card: &LocationCard, f: &mut Frame, area: Rect) {
    let block = titled(
        format!(" Location {} ", printable(&card.code)),
        theme::LABEL,
    );
    let count = card.asset_count.to_string();
    let lines = vec![
        Line::raw(""),
        field("name", Some(&card.name)),
        field("path", Some(&card.path)),
        field("assets here", Some(&count)),
    ];
    f.render_widget(Paragraph::new(lines).block(block), area);
}

fn empty(app: &App, f: &mut Frame, area: Rect) {
    let s = &app.session;
    let block = titled(format!(" {} ", mode_name(s.mode)), theme::DIM);
    let step = |n: &str, text: Vec<Span<'static>>| {
        let mut spans = vec![Span::styled(format!(" {n} "), theme::KEY), Span::raw("  ")];
        spans.extend(text);
        Line::from(spans)
    };
    let mut lines = vec![
        Line::raw(""),
        Line::styled("How to start", theme::STRONG),
        Line::raw(""),
    ];
    if s.operator.is_none() {
        let signin = if s.signin_required {
            Span::styled("Scan your badge to sign in (required here).", theme::WARN)
        } else {
            Span::raw("Scan your badge to sign in (optional).")
        };
        lines.push(step("1", vec![signin]));
    }
    lines.push(step(
        if s.operator.is_none() { "2" } else { "1" },
        vec![Span::raw(
            "Scan an asset tag, serial or EPC, or type one and press Enter.",
        )],
    ));
    lines.push(step(
        if s.operator.is_none() { "3" } else { "2" },
        vec![Span::raw(
            "Watch the banner: green OK, yellow check, red stop.",
        )],
    ));
    lines.push(Line::raw(""));
    lines.push(Line::from(vec![
        Span::styled("F1", theme::KEY),
        Span::raw(" or "),
        Span::styled("?", theme::KEY),
        Span::raw(" lists every key."),
    ]));
    f.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        area,
    );
}
