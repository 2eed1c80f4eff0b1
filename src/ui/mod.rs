//! The terminal UI: ratatui + crossterm, The Elm Architecture.
//!
//! The UI never touches the store or a device. It shows what the station tells
//! it ([`UiEvent`]: outcomes, reader status, sync status) and turns the
//! operator's keys into [`Input`]s for the station. That keeps the single-writer
//! rule of the design (one `Station::handle`, on its own thread) and lets every
//! screen be tested on ratatui's `TestBackend` without a terminal.
//!
//! * [`App`] is the state; `App::update`, `App::key` and `App::tick` change it
//!   (they are the only places that send Inputs or ring the bell);
//!   [`view`] draws it and has no side effects.
//! * Keys go through the keyboard-wedge assembler ([`crate::codec::wedge`]):
//!   a scanner's burst becomes one `Input::Scan` with `Source::Wedge`, typing
//!   goes into the scan field, and Enter there sends an `Input::Scan` with
//!   `Source::Typed`.
//! * [`run`] owns the terminal: one async loop selects over the terminal's
//!   input (a reader thread of ours, [`TermEvent`]s, parsed into keys by a
//!   pure parser), the [`UiEvent`] channel, the frame tick (1/30 s) and the
//!   wedge's next deadline. It never blocks on I/O: sending an Input is an
//!   unbounded channel send.

mod app;
mod bell;
mod draw_gaps;
mod event_loop;
mod keys;
pub mod term_input;
pub mod term_keys;
mod text;
mod view;
mod widgets;

#[cfg(test)]
mod tests;

pub use app::{App, FEEDBACK_FRESH};
pub use bell::{Bell, CountingBell, SilentBell, TerminalBell};
pub use event_loop::{drive, run, run_async, tick_period, FPS};
pub use term_input::TermEvent;
pub use view::view;

use crate::codec::wedge::WedgeSettings;
use crate::config::WedgeConfig;
use crate::input::{Input, ReaderStatus};
use crate::station::Outcome;
use std::time::Duration;

/// What the rest of the program tells the UI.
// An Outcome is moved once through the channel per input: boxing it would buy
// nothing and make every sender write `Box::new`.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq)]
pub enum UiEvent {
    /// The station handled an input (from the UI or elsewhere).
    Outcome(Outcome),
    /// The card of the asset the last outcome named, read after it.
    Panel(crate::station::Panel),
    /// A reader changed state.
    Reader(ReaderStatus),
    /// The sync worker's status, one short line (`synced`, `3 pending`, `offline: …`).
    Sync(String),
    /// The label worker's queue: jobs waiting, jobs failed.
    Labels(crate::store::label_jobs::Counts),
    /// Leave the loop and restore the terminal.
    Quit,
}

/// The UI's channels: Inputs to the station (std, so the station thread can
/// block on it), events from everybody else (tokio, so the loop can select).
#[derive(Debug)]
pub struct UiIo {
    pub to_station: std::sync::mpsc::Sender<Input>,
    pub events: tokio::sync::mpsc::UnboundedReceiver<UiEvent>,
}

/// What the UI needs from the configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct UiOptions {
    pub wedge: WedgeConfig,
    /// The store's path, shown in the header.
    pub store_path: String,
    /// `--training`: shown in the header until the station's session says otherwise.
    pub training: bool,
}

/// The wedge assembler's settings from the config.
pub fn wedge_settings(c: &WedgeConfig) -> WedgeSettings {
    WedgeSettings {
        min_chars: c.min_chars,
        max_avg_gap: Duration::from_millis(c.max_avg_gap_ms),
        end_silence: Duration::from_millis(c.end_silence_ms),
        prefix: c.prefix.clone(),
        suffix: c.suffix.clone(),
        max_bytes: c.max_bytes,
    }
}
