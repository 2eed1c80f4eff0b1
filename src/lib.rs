//! scanstation: a terminal IT asset management station.
//!
//! A tour of the architecture (see `../shared/design.md` for the long form):
//!
//! * [`codec`] is pure: bytes or text in, typed values out (GS1, EPC, AIM, HID
//!   reports, keyboard-wedge timing, RFID reader frames). It imports nothing of ours.
//! * [`identify`] turns a decoded scan into an [`identify::Identity`] using the
//!   configured classification rules.
//! * [`input`] is the vocabulary that flows into the station: [`input::Input`].
//! * [`store`] is the SQLite store: migrations, the hash-chained journal, aggregates.
//! * [`station`] is the domain: `Station::handle(Input) -> Outcome`, the single writer.
//! * [`device`] holds the reader adapters; each one only sends `Input`s on a channel.
//! * [`ui`] draws the station's views with ratatui and turns keys into `Input`s.
//! * [`wipe`] is the wipe bench's work outside the station: NIST SP 800-88
//!   categories, nwipe log imports, the sanitization report.
//! * [`app`] wires them together at run time.
#![deny(unsafe_code)]

pub mod app;
pub mod codec;
pub mod config;
pub mod device;
pub mod feed;
pub mod identify;
pub mod import;
pub mod input;
pub mod label;
pub mod paths;
pub mod station;
pub mod stocktake;
pub mod store;
pub mod sync;
pub mod timefmt;
pub mod ui;
pub mod wipe;
