//! The one loop: select over the terminal's keys, the UI event channel, the
//! frame tick and the next wedge/bell deadline; update the [`App`]; draw.
//!
//! [`run`] builds a current-thread tokio runtime of its own and blocks on
//! [`run_async`]; call it from a plain thread (the main thread), never from
//! inside a runtime. Code already inside a runtime awaits [`run_async`].
//!
//! The terminal is put in raw mode and the alternate screen by
//! `ratatui::try_init()`, which also installs a panic hook that restores the
//! terminal and then calls the previous hook (so the panic message prints on a
//! sane terminal); `ratatui::restore()` runs on every way out of the loop.

use super::app::App;
use super::bell::TerminalBell;
use super::view::view;
use super::{UiEvent, UiIo, UiOptions};
use crossterm::event::{Event, EventStream};
use futures::{Stream, StreamExt};
use ratatui::backend::Backend;
use ratatui::Terminal;
use std::io;
use std::time::{Duration, Instant};
use tokio::time::MissedTickBehavior;

/// Frames per second at most; the tick period is `1.0 / FPS` seconds.
pub const FPS: f64 = 30.0;

/// The tick period: 1/FPS seconds (33 ms), not FPS seconds.
pub fn tick_period() -> Duration {
    Duration::from_secs_f64(1.0 / FPS)
}

/// Runs the UI on this thread until the operator quits or [`UiEvent::Quit`]
/// arrives. Builds its own current-thread runtime: do not call it from inside
/// a tokio runtime (await [`run_async`] there).
pub fn run(io: UiIo, opts: UiOptions) -> io::Result<()> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    rt.block_on(run_async(io, opts))
}

/// The UI loop as a future, for callers that already run tokio.
pub async fn run_async(io: UiIo, opts: UiOptions) -> io::Result<()> {
    let mut terminal = ratatui::try_init()?;
    let UiIo { to_station, events } = io;
    let app = App::new(&opts, to_station, Box::new(TerminalBell));
    let result = drive(&mut terminal, EventStream::new(), events, app).await;
    let restored = ratatui::try_restore();
    result.and(restored)
}

/// The loop itself, over any backend and key stream (tests use TestBackend
/// and a scripted stream). Returns the App as it was at the end.
pub async fn drive<B, K>(
    terminal: &mut Terminal<B>,
    mut keys: K,
    mut events: tokio::sync::mpsc::UnboundedReceiver<UiEvent>,
    mut app: App,
) -> io::Result<App>
where
    B: Backend,
    K: Stream<Item = io::Result<Event>> + Unpin,
{
    let mut tick = tokio::time::interval(tick_period());
    tick.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let mut events_open = true;
    let mut keys_open = true;
    draw(terminal, &app)?;
    let mut dirty = false;
    while !app.should_quit() {
        // Never a deadline in the past: a deadline tick() did not clear
        // would otherwise spin the loop.
        let deadline = app
            .deadline()
            .map(|d| d.max(now() + Duration::from_millis(1)));
        let far = now() + Duration::from_secs(3600);
        let sleep = tokio::time::sleep_until(deadline.unwrap_or(far).into());
        tokio::select! {
            key = keys.next(), if keys_open => match key {
                Some(Ok(Event::Key(k))) => {
                    app.key(k, now());
                    dirty = true;
                }
                Some(Ok(Event::Resize(..))) => {
                    draw(terminal, &app)?;
                    dirty = false;
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(e),
                // No more keys (stdin closed): events and Quit still end us.
                None => keys_open = false,
            },
            ev = events.recv(), if events_open => match ev {
                Some(ev) => {
                    let answer = matches!(ev, UiEvent::Outcome(_));
                    app.update(ev, now());
                    if answer {
                        // Feedback is drawn at once, not at the next tick.
                        draw(terminal, &app)?;
                        dirty = false;
                    } else {
                        dirty = true;
                    }
                }
                None => {
                    events_open = false;
                    app.station_stopped(now());
                    draw(terminal, &app)?;
                }
            },
            _ = sleep, if deadline.is_some() => {
                dirty |= app.tick(now());
            }
            _ = tick.tick() => {
                dirty |= app.tick(now());
                if dirty {
                    draw(terminal, &app)?;
                    dirty = false;
                }
            }
        }
    }
    draw(terminal, &app)?;
    Ok(app)
}

/// Tokio's clock (so that tests can pause it), as a std Instant.
fn now() -> Instant {
    tokio::time::Instant::now().into_std()
}

fn draw<B: Backend>(terminal: &mut Terminal<B>, app: &App) -> io::Result<()> {
    terminal
        .draw(|f| view(app, f))
        .map(|_| ())
        .map_err(|e| io::Error::other(e.to_string()))
}
