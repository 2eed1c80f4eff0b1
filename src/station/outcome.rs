//! What the station tells the UI after each input: a level, a message, and the
//! read-only views to draw. The UI never reads the store; it draws these.

use super::question::QuestionView;
use super::view::WorkflowView;
use crate::input::Mode;

/// How the operator is told: green + one beep, yellow, red + three beeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Level {
    #[default]
    Ok,
    Warning,
    Error,
}

/// The result of one `Station::handle`.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Outcome {
    pub level: Level,
    /// One line for the banner, written for the person at the bench.
    pub message: String,
    /// What changed in the store, one short line each (`journal #42`, `asset A-1001 created`).
    pub changed: Vec<String>,
    /// The journal sequence number of the event this input wrote, if any.
    pub seq: Option<i64>,
    /// The code this outcome answers, for the last-scans list: a scan's bytes
    /// as text (lossily), an RFID read's EPC in hex; `None` for commands,
    /// ticks and reader status. Outcomes come back in input order, but inputs
    /// come from the keyboard, readers and the demo at once, so the UI cannot
    /// pair them by order alone.
    pub code: Option<String>,
    /// What the mode panel should show now; `None` leaves it as it was.
    pub panel: Option<Panel>,
    /// Who is signed in, which mode, training or not: for the header.
    pub session: SessionView,
    /// Whether the UI should show feedback (banner, bell) for this outcome.
    /// Ticks and reader status changes are quiet.
    pub quiet: bool,
    /// The number of the input this answers (the station numbers inputs as
    /// they arrive); `None` for notices (the store is busy) and ticks.
    pub input: Option<u64>,
    /// The asset the input concerned, if any.
    pub asset: Option<i64>,
    /// What a scan was taken for: (type, value), as `parse` names them.
    pub identity: Option<(String, String)>,
    /// The question the station is waiting on after this input, if any.
    pub question: Option<QuestionView>,
    /// The mode's own object for `feed` (contracts.md: a mode may add one
    /// object named after itself).
    pub mode_object: Option<(&'static str, serde_json::Value)>,
}

impl Outcome {
    /// The same outcome, saying which code it answers.
    pub fn answering(mut self, code: String) -> Outcome {
        self.code = Some(code);
        self
    }
}

/// The header's view of the session.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SessionView {
    pub station: String,
    pub mode: Mode,
    pub operator: Option<OperatorView>,
    pub training: bool,
    /// Sign-in is required by the config and nobody is signed in.
    pub signin_required: bool,
    /// Scans waiting for a busy store (another process holds its write lock).
    pub store_busy: usize,
    /// The session was resumed after an unclean stop (a crash, a kill).
    pub resumed: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperatorView {
    pub badge: String,
    pub name: String,
    pub role: String,
}

/// The mode panel's content.
#[derive(Debug, Clone, PartialEq)]
pub enum Panel {
    /// Lookup found an asset.
    Asset(AssetCard),
    /// Lookup found nothing: the code as shown to the operator, and what kind
    /// the classifier took it for. The UI offers to enrol it.
    Unknown { code: String, identity: String },
    /// A location label was scanned: its card.
    Location(LocationCard),
    /// A workflow's own view (the open delivery, the bench, the count).
    Workflow(WorkflowView),
    /// Nothing to show yet (start, after sign-out).
    Empty,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetCard {
    pub asset_id: i64,
    pub tag: String,
    pub status: String,
    pub model: Option<String>,
    pub manufacturer: Option<String>,
    pub category: Option<String>,
    /// Location as "CODE — Name".
    pub location: Option<String>,
    /// (kind, value) pairs, e.g. ("serial", "5CG1234XYZ").
    pub identifiers: Vec<(String, String)>,
    /// Newest first, at most a screenful.
    pub history: Vec<HistoryLine>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocationCard {
    pub code: String,
    pub name: String,
    pub path: String,
    pub asset_count: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryLine {
    pub seq: i64,
    /// RFC 3339 UTC with milliseconds.
    pub at: String,
    pub kind: String,
    pub operator: Option<String>,
    pub summary: String,
}
