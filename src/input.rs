//! The vocabulary that flows into the station.
//!
//! Every input — a barcode scan from any source, an RFID read, a key the operator
//! pressed, a timer tick — becomes one [`Input`] on one channel, and
//! `Station::handle` takes them one at a time, in order. These are plain data:
//! devices produce them, the UI produces them, the station consumes them.

use std::time::SystemTime;

/// The longest scan we keep, in bytes. A longer burst is truncated and marked.
pub const MAX_SCAN_BYTES: usize = 8 * 1024;

/// Where a scan came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A keyboard-wedge scanner typing into the terminal, told from a person by timing.
    Wedge,
    /// Text the operator typed and submitted by hand (Enter in the scan field).
    Typed,
    /// A reader the station drives itself; the string is its SPEC as resolved.
    Reader(String),
    /// A barcode decoded from an image file (the file's path).
    Image(String),
    /// The demo's simulated scanner.
    Simulated,
}

impl Source {
    /// The short name stored in the journal (`wedge`, `typed`, `reader`, `image`, `simulated`).
    pub fn kind(&self) -> &'static str {
        match self {
            Source::Wedge => "wedge",
            Source::Typed => "typed",
            Source::Reader(_) => "reader",
            Source::Image(_) => "image",
            Source::Simulated => "simulated",
        }
    }

    /// The detail beside the kind: the reader's SPEC or the image's path.
    pub fn detail(&self) -> Option<&str> {
        match self {
            Source::Reader(s) | Source::Image(s) => Some(s),
            _ => None,
        }
    }
}

/// One barcode scan, exactly as read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scan {
    pub source: Source,
    /// The bytes as delivered, AIM symbology identifier included when the
    /// scanner sent one; GS1 separators as the GS byte 0x1D. At most
    /// [`MAX_SCAN_BYTES`].
    pub raw: Vec<u8>,
    /// True when the burst was longer than [`MAX_SCAN_BYTES`] and was cut.
    pub truncated: bool,
    pub at: SystemTime,
    /// When a batch handheld read it, for scans uploaded later (`feed`):
    /// journaled as `scanned_at` beside the event's own time.
    pub scanned_at: Option<SystemTime>,
}

impl Scan {
    /// A scan of `raw`, cut to [`MAX_SCAN_BYTES`] and marked if it was longer.
    pub fn new(source: Source, raw: impl Into<Vec<u8>>, at: SystemTime) -> Scan {
        let mut raw = raw.into();
        let truncated = raw.len() > MAX_SCAN_BYTES;
        raw.truncate(MAX_SCAN_BYTES);
        Scan {
            source,
            raw,
            truncated,
            at,
            scanned_at: None,
        }
    }

    /// The scan as text when it is valid UTF-8.
    pub fn text(&self) -> Option<&str> {
        std::str::from_utf8(&self.raw).ok()
    }
}

/// One RFID tag sighting after deduplication (one per tag per window).
#[derive(Debug, Clone, PartialEq)]
pub struct RfidRead {
    /// The reader's SPEC as resolved.
    pub source: String,
    /// EPC memory bytes, most significant first.
    pub epc: Vec<u8>,
    pub antenna: Option<u16>,
    pub rssi: Option<f32>,
    /// How many raw reads were merged into this one.
    pub count: u32,
    pub at: SystemTime,
}

/// The state of one reader, as the header shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReaderState {
    Connecting,
    Connected,
    Lost,
    Reconnecting,
    Error,
}

impl ReaderState {
    pub fn as_str(self) -> &'static str {
        match self {
            ReaderState::Connecting => "connecting",
            ReaderState::Connected => "connected",
            ReaderState::Lost => "lost",
            ReaderState::Reconnecting => "reconnecting",
            ReaderState::Error => "error",
        }
    }
}

/// Error counters a reader keeps; shown in its status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ReaderErrors {
    pub crc: u64,
    pub garbage_bytes: u64,
    pub truncated: u64,
    pub overlong: u64,
}

impl ReaderErrors {
    /// Every bad thing counted, for a one-number summary.
    pub fn total(&self) -> u64 {
        self.crc + self.garbage_bytes + self.truncated + self.overlong
    }
}

/// A reader's status, sent on every change of state (and, while an RFID
/// reader reads, about once a second with its counts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReaderStatus {
    pub source: String,
    pub state: ReaderState,
    pub detail: String,
    pub errors: ReaderErrors,
    /// Distinct tags an RFID reader has read in its current session; zero for
    /// readers that do not count (scanners, the folder).
    pub tags: u64,
    pub at: SystemTime,
}

/// What the operator asked for through the UI (keys, menus) or a command
/// barcode (`CMD:...`), as opposed to a scan. Commands carry data
/// (`CMD:PICK:3`, `CMD:REASON:EOL`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// Enrol the last unknown code as a new asset tag (asks to confirm).
    EnrolLast,
    /// Confirm / cancel the open question (also `CMD:CONFIRM`, `CMD:CANCEL`).
    Confirm,
    Cancel,
    /// Close the open delivery, pallet or location count (`CMD:CLOSE`).
    Close,
    /// Answer a list question with its Nth entry, from 1 (`CMD:PICK:N`, or
    /// the arrows and Enter in the UI).
    Pick(u32),
    /// Switch the bench mode (also `CMD:MODE:...`).
    Mode(Mode),
    SignOut,
    /// A mode's own command, upper case: `CMD:REASON:EOL` is verb `REASON`,
    /// argument `EOL`; `CMD:DAMAGED` is verb `DAMAGED`, no argument. The
    /// active workflow says whether it means anything.
    Verb {
        verb: String,
        arg: Option<String>,
    },
}

/// The bench modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    #[default]
    Lookup,
    Receive,
    Wipe,
    Stocktake,
    Disposal,
}

impl Mode {
    /// Every mode, in the order of their function keys (F2 … F6).
    pub const ALL: [Mode; 5] = [
        Mode::Lookup,
        Mode::Receive,
        Mode::Wipe,
        Mode::Stocktake,
        Mode::Disposal,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Mode::Lookup => "lookup",
            Mode::Receive => "receive",
            Mode::Wipe => "wipe",
            Mode::Stocktake => "stocktake",
            Mode::Disposal => "disposal",
        }
    }

    /// The mode named `s` (`lookup`, `receive`/`receiving`, `wipe`,
    /// `stocktake`/`stock-take`, `disposal`), any case.
    pub fn parse(s: &str) -> Option<Mode> {
        match s.trim().to_ascii_lowercase().as_str() {
            "lookup" => Some(Mode::Lookup),
            "receive" | "receiving" => Some(Mode::Receive),
            "wipe" => Some(Mode::Wipe),
            "stocktake" | "stock-take" => Some(Mode::Stocktake),
            "disposal" => Some(Mode::Disposal),
            _ => None,
        }
    }

    /// How the mode is named to a person.
    pub fn title(self) -> &'static str {
        match self {
            Mode::Lookup => "Lookup",
            Mode::Receive => "Receiving",
            Mode::Wipe => "Wipe",
            Mode::Stocktake => "Stock-take",
            Mode::Disposal => "Disposal",
        }
    }
}

/// Everything that goes into `Station::handle`.
#[derive(Debug, Clone, PartialEq)]
pub enum Input {
    Scan(Scan),
    Rfid(RfidRead),
    Command(Command),
    ReaderStatus(ReaderStatus),
    Tick(SystemTime),
}
