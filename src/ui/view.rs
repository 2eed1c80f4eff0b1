//! Drawing: `view(&App, &mut Frame)` lays out the screen and draws it. No side
//! effects; everything it shows comes from the [`App`].
//!
//! ```text
//! ┌ header: station, mode, operator, TRAINING; store, readers, sync ┐
//! │ feedback banner: green OK / yellow warning / red error           │
//! │ mode panel (asset card …)              │ last scans              │
//! │ scan field                                                       │
//! └ key hints ───────────────────────────────────────────────────────┘
//! ```
//! Below 100 columns the last scans go under the panel; below 30 rows the
//! banner is 3 rows instead of 5 and the field loses its frame.

use super::app::App;
use super::text::{printable, short_source, time_of_day};
use super::widgets::{self, theme};
use crate::input::{Mode, ReaderState};
use crate::timefmt::rfc3339_millis;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Padding, Paragraph, Row, Table};
use ratatui::Frame;

/// Draws the whole screen.
pub fn view(app: &App, f: &mut Frame) {
    let area = f.area();
    let compact = area.height < 30;
    let wide = area.width >= 100;
    let [header, banner, body, field, footer] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Length(if compact { 3 } else { 5 }),
        Constraint::Min(6),
        Constraint::Length(if compact { 1 } else { 3 }),
        Constraint::Length(1),
    ])
    .areas(area);

    draw_header(app, f, header);
    widgets::banner::draw(app.banner.as_ref(), f, banner);
    let (panel, scans) = if wide {
        let [p, s] = Layout::horizontal([Constraint::Fill(1), Constraint::Length(46)]).areas(body);
        (p, s)
    } else {
        let scan_rows = (body.height / 3).clamp(4, 8);
        let [p, s] =
            Layout::vertical([Constraint::Fill(1), Constraint::Length(scan_rows)]).areas(body);
        (p, s)
    };
    widgets::panel::draw(app, f, panel);
    draw_scans(app, f, scans, wide);
    draw_field(app, f, field, compact);
    draw_footer(f, footer);
    if app.help {
        widgets::help::draw(f, area);
    }
}

/// The mode's name as shown.
pub(crate) fn mode_name(m: Mode) -> &'static str {
    match m {
        Mode::Lookup => "LOOKUP",
        Mode::Receive => "RECEIVE",
        Mode::Wipe => "WIPE",
        Mode::Stocktake => "STOCK-TAKE",
        Mode::Disposal => "DISPOSAL",
    }
}

fn draw_header(app: &App, f: &mut Frame, area: Rect) {
    let s = &app.session;
    let mut top = vec![Span::styled(" SCANSTATION ", theme::TITLE), Span::raw(" ")];
    if !s.station.is_empty() {
        top.push(Span::styled(printable(&s.station), theme::DIM));
        top.push(Span::raw(" "));
    }
    top.push(Span::styled(
        format!(" {} ", mode_name(s.mode)),
        theme::MODE,
    ));
    top.push(Span::raw(" "));
    match (&s.operator, s.signin_required) {
        (Some(op), _) => top.push(Span::styled(
            format!(
                "● {} ({}, {})",
                printable(&op.name),
                printable(&op.badge),
                printable(&op.role)
            ),
            theme::GOOD.add_modifier(Modifier::BOLD),
        )),
        (None, true) => top.push(Span::styled(
            " SIGN IN REQUIRED: scan your badge ",
            theme::ALARM,
        )),
        (None, false) => top.push(Span::styled("not signed in", theme::DIM)),
    }
    if s.resumed {
        top.push(Span::styled(
            " (resumed after an unclean stop)",
            theme::WARN,
        ));
    }
    if s.training {
        top.push(Span::raw(" "));
        top.push(Span::styled(" TRAINING: not synced ", theme::TRAINING));
    }

    let mut bottom = vec![Span::styled(" store ", theme::LABEL)];
    bottom.push(Span::raw(printable(&app.store_path)));
    if !app.station_alive {
        bottom.push(Span::styled(" ✖ station stopped", theme::BAD.bold()));
    }
    if s.store_busy > 0 {
        bottom.push(Span::styled(
            format!(" store busy — {} scans waiting ", s.store_busy),
            theme::ALARM,
        ));
    }
    bottom.push(Span::styled("  readers ", theme::LABEL));
    if app.readers.is_empty() {
        bottom.push(Span::styled("keyboard only", theme::DIM));
    }
    for (i, r) in app.readers.iter().enumerate() {
        if i > 0 {
            bottom.push(Span::raw("  "));
        }
        let style = reader_style(r.state);
        bottom.push(Span::raw(format!(
            "{} ",
            printable(&short_source(&r.source))
        )));
        bottom.push(Span::styled(format!("● {}", r.state.as_str()), style));
        // Distinct tags only: the raw read count is the reader's business.
        if r.tags > 0 {
            bottom.push(Span::styled(format!(" {} tags", r.tags), theme::DIM));
        }
        let bad = r.errors.total();
        if bad > 0 {
            bottom.push(Span::styled(format!(" {bad} bad"), theme::WARN));
        }
    }
    if let Some(sync) = &app.sync {
        bottom.push(Span::styled("  sync ", theme::LABEL));
        bottom.push(Span::raw(printable(sync)));
    }
    if let Some(l) = &app.labels {
        bottom.push(Span::styled("  labels ", theme::LABEL));
        bottom.push(Span::raw(format!("{} queued", l.queued)));
        if l.failed > 0 {
            bottom.push(Span::styled(format!(" {} failed", l.failed), theme::BAD));
        }
    }
    let text = vec![Line::from(top), Line::from(bottom)];
    f.render_widget(Paragraph::new(text), area);
}

pub(crate) fn reader_style(s: ReaderState) -> Style {
    match s {
        ReaderState::Connected => theme::GOOD,
        ReaderState::Connecting | ReaderState::Reconnecting => theme::WARN,
        ReaderState::Lost | ReaderState::Error => theme::BAD.add_modifier(Modifier::BOLD),
    }
}

fn draw_scans(app: &App, f: &mut Frame, area: Rect, wide: bool) {
    let block = if wide {
        Block::bordered().padding(Padding::horizontal(1))
    } else {
        Block::new().borders(Borders::TOP)
    }
    .border_style(theme::DIM)
    .title(Span::styled(" Last scans ", theme::LABEL));
    if app.scans.is_empty() {
        let p = Paragraph::new(Line::styled(" no scans yet", theme::DIM)).block(block);
        f.render_widget(p, area);
        return;
    }
    let rows = app.scans.iter().map(|s| {
        let time = rfc3339_millis(s.at);
        Row::new(vec![
            Cell::from(time_of_day(&time).to_string()).style(theme::DIM),
            Cell::from(widgets::level_tag(s.level)),
            Cell::from(s.code.clone()),
            Cell::from(s.message.clone()).style(theme::DIM),
        ])
    });
    // Wide: the list is a column beside the panel, the banner has the message.
    let widths = if wide {
        [
            Constraint::Length(8),
            Constraint::Length(4),
            Constraint::Fill(1),
            Constraint::Length(0),
        ]
    } else {
        [
            Constraint::Length(8),
            Constraint::Length(4),
            Constraint::Length(24),
            Constraint::Fill(1),
        ]
    };
    let table = Table::new(rows, widths).column_spacing(1).block(block);
    f.render_widget(table, area);
}

fn draw_field(app: &App, f: &mut Frame, area: Rect, compact: bool) {
    let text = printable(&app.field);
    // Show the end of a long entry.
    let room = usize::from(area.width.saturating_sub(20));
    let shown: String = if text.chars().count() > room {
        let skip = text.chars().count() - room;
        format!("…{}", text.chars().skip(skip + 1).collect::<String>())
    } else {
        text
    };
    let line = Line::from(vec![
        Span::styled(" Scan or type › ", theme::LABEL),
        Span::styled(shown, Style::new().add_modifier(Modifier::BOLD)),
        Span::styled("█", theme::DIM),
    ]);
    let p = if compact {
        Paragraph::new(line)
    } else {
        Paragraph::new(line).block(Block::bordered().border_style(theme::DIM))
    };
    f.render_widget(p, area);
}

fn draw_footer(f: &mut Frame, area: Rect) {
    let keys: &[(&str, &str)] = if area.width >= 100 {
        &[
            ("F1", "help"),
            ("F2", "lookup"),
            ("F3", "receive"),
            ("F4", "wipe"),
            ("F5", "stock-take"),
            ("F6", "disposal"),
            ("^L", "sign out"),
            ("Esc", "clear"),
            ("F10", "quit"),
        ]
    } else {
        &[
            ("F1", "help"),
            ("F2-F6", "modes"),
            ("^L", "sign out"),
            ("Esc", "clear"),
            ("F10", "quit"),
        ]
    };
    let mut spans = Vec::new();
    for (k, what) in keys {
        spans.push(Span::styled(format!(" {k} "), theme::KEY));
        spans.push(Span::styled(format!(" {what}  "), theme::DIM));
    }
    f.render_widget(Paragraph::new(Line::from(spans)), area);
}
