//! The one loop: select over the terminal's input, the UI event channel, the
//! frame tick and the next wedge/bell deadline; update the [`App`]; draw.
//!
//! The terminal's input comes from our own reader thread
//! ([`super::term_input`]) and SIGWINCH. It is always taken before a tick or a
//! deadline (`biased`): a burst's next read, already waiting, must reach the
//! wedge before the wedge is told that time passed, or a busy loop (drawing
//! hundreds of answers) would end a scan in the middle.
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
use super::draw_gaps::DrawGaps;
use super::term_input::{TermEvent, TermReader};
use super::view::view;
use super::{UiEvent, UiIo, UiOptions};
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
    let result = match terminal_input() {
        Ok((reader, keys)) => {
            let result = drive(&mut terminal, keys, events, app).await;
            // Stops the reading thread before the terminal is handed back.
            drop(reader);
            result.map(|_| ())
        }
        Err(e) => Err(e),
    };
    let restored = ratatui::try_restore();
    result.and(restored)
}

/// The terminal's bytes (our reader thread) and its resizes (SIGWINCH), as
/// one stream; the reader stops when the returned [`TermReader`] is dropped.
fn terminal_input() -> io::Result<(
    TermReader,
    impl Stream<Item = io::Result<TermEvent>> + Unpin,
)> {
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let mut winch = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::window_change())?;
    let resizes = tx.clone();
    tokio::spawn(async move {
        while winch.recv().await.is_some() {
            if resizes.send(Ok(TermEvent::Resize)).is_err() {
                return;
            }
        }
    });
    let reader = TermReader::spawn(tx)?;
    Ok((reader, futures::stream::poll_fn(move |cx| rx.poll_recv(cx))))
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
    K: Stream<Item = io::Result<TermEvent>> + Unpin,
{
    let mut tick = tokio::time::interval(tick_period());
    tick.set_missed_tick_behavior(MissedTickBehavior::Skip);
    let mut events_open = true;
    let mut keys_open = true;
    let mut gaps = DrawGaps::from_env();
    draw(terminal, &app, &mut gaps)?;
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
            biased;
            key = keys.next(), if keys_open => match key {
                Some(Ok(TermEvent::Bytes { bytes, at })) => {
                    app.terminal_bytes(&bytes, at);
                    dirty = true;
                    gaps.changed(Instant::now());
                }
                Some(Ok(TermEvent::Resize)) => {
                    draw(terminal, &app, &mut gaps)?;
                    dirty = false;
                }
                Some(Err(e)) => return Err(e),
                // No more keys (stdin closed): events and Quit still end us.
                None => keys_open = false,
            },
            ev = events.recv(), if events_open => match ev {
                Some(ev) => {
                    // An answer to a scan is drawn at once; quiet outcomes
                    // (an RFID read during a sweep, a tick's news) and
                    // reader status coalesce into the next frame.
                    let answer = matches!(&ev, UiEvent::Outcome(o) if !o.quiet);
                    gaps.changed(Instant::now());
                    app.update(ev, now());
                    if answer {
                        draw(terminal, &app, &mut gaps)?;
                        dirty = false;
                    } else {
                        dirty = true;
                    }
                }
                None => {
                    events_open = false;
                    app.station_stopped(now());
                    draw(terminal, &app, &mut gaps)?;
                }
            },
            _ = sleep, if deadline.is_some() => {
                dirty |= app.tick(now());
            }
            _ = tick.tick() => {
                dirty |= app.tick(now());
                if dirty {
                    draw(terminal, &app, &mut gaps)?;
                    dirty = false;
                }
            }
        }
    }
    draw(terminal, &app, &mut gaps)?;
    gaps.write()?;
    Ok(app)
}

/// Tokio's clock (so that tests can pause it), as a std Instant.
fn now() -> Instant {
    tokio::time::Instant::now().into_std()
}

fn draw<B: Backend>(terminal: &mut Terminal<B>, app: &App, gaps: &mut DrawGaps) -> io::Result<()> {
    terminal
        .draw(|f| view(app, f))
        .map(|_| gaps.drew(Instant::now()))
        .map_err(|e| io::Error::other(e.to_string()))
}
