//! Reader adapters: I/O at the edge. Each reader is a task that turns its
//! transport's bytes into scans and RFID reads through the pure codecs in
//! [`crate::codec`], sends them on the channel it was given, and reports its own
//! status. A device never touches the store or the station.
//!
//! The supervisor runs one *session* of a reader at a time (`run_session`: open,
//! read until the transport fails) and retries with capped backoff, so that one
//! reader's failure never stops another reader or the station.

pub mod detect;
pub mod folder;
pub mod image;
pub mod llrp;
pub mod profile;
pub mod serial;
pub mod sim;
pub mod spec;
pub mod supervisor;
pub mod usb;

use crate::input::{ReaderStatus, RfidRead, Scan};

/// What a reader sends: the app forwards these into the station as `Input`s,
/// `monitor` prints them as JSON lines.
#[derive(Debug, Clone, PartialEq)]
pub enum DeviceEvent {
    Scan(Scan),
    Rfid(RfidRead),
    Status(ReaderStatus),
}

/// Why a reader session ended. Every variant is retried by the supervisor.
#[derive(Debug, thiserror::Error)]
pub enum ReaderError {
    #[error("cannot open {what}: {source}")]
    Open {
        what: String,
        source: std::io::Error,
    },
    #[error("{what}: {source}")]
    Io {
        what: String,
        source: std::io::Error,
    },
    #[error("{0} closed the connection")]
    Closed(String),
    #[error("{0}")]
    Protocol(String),
    #[error("USB: {0}")]
    Usb(String),
}
