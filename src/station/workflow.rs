//! The seam every bench mode plugs into.
//!
//! `Station::handle` keeps what all modes share — the sign-in gate, badges,
//! command barcodes the station itself understands (CONFIRM, CANCEL, PICK,
//! MODE, SIGNOUT), questions, the one transaction and the Outcome — and hands
//! the rest to the active mode's [`Workflow`]: a classified scan, an RFID
//! read, a command of its own, the answer to a question it asked, a tick.
//! A workflow decides inside the station's transaction ([`Journal`]): it
//! reads the store, appends events, changes statuses and locations only
//! through [`super::lifecycle`], keeps what it has open (ids only) in its
//! slice of the station's context, and may ask one question.
//!
//! Every scan is journaled: a workflow journals it itself (so that it can add
//! keys, such as the asset it names, before the event is written), and the
//! station journals it afterwards if the workflow did not.

use super::classify::IdentityKind;
use super::decision::{Decision, Journal};
use super::policy::Policy;
use super::question::{Answer, Question};
use super::view::WorkflowView;
use super::StationSettings;
use crate::input::{Command, Mode, RfidRead, Scan};
use crate::store::StoreError;
use rusqlite::Connection;
use serde_json::{json, Value};
use std::time::SystemTime;

/// What a workflow may read besides the transaction.
pub struct Env<'a> {
    pub settings: &'a StationSettings,
    pub policy: &'a Policy,
}

/// A bench mode.
pub trait Workflow: Send {
    fn mode(&self) -> Mode;

    /// The mode was switched to (its `station.mode_changed` is journaled).
    fn entered(&mut self, j: &mut Journal<'_>, env: &Env<'_>) -> Result<Decision, StoreError>;

    /// A scan that is not a badge, a command, or an answer.
    fn scan(
        &mut self,
        j: &mut Journal<'_>,
        env: &Env<'_>,
        scan: &mut ScanIn<'_>,
    ) -> Result<Decision, StoreError>;

    /// An RFID read (deduplicated by the reader), in a group commit. By
    /// default a mode that works from barcodes journals it and says so,
    /// quietly.
    fn rfid(
        &mut self,
        j: &mut Journal<'_>,
        _env: &Env<'_>,
        read: &mut RfidIn<'_>,
    ) -> Result<Decision, StoreError> {
        read.journal(j)?;
        Ok(Decision::ok(format!(
            "RFID {} journaled: scan the asset's barcode",
            read.epc
        ))
        .quiet())
    }

    /// A command the station does not handle itself (`CMD:CLOSE`,
    /// `CMD:REASON:EOL`, enrol, a CANCEL with no question open). `None`: it
    /// means nothing in this mode, and the station says what the mode expects.
    fn command(
        &mut self,
        j: &mut Journal<'_>,
        env: &Env<'_>,
        cmd: &Command,
        at: SystemTime,
    ) -> Result<Option<Decision>, StoreError>;

    /// The answer to a question this workflow asked (already checked and
    /// journaled as `question.answered`; the question is closed).
    fn answer(
        &mut self,
        j: &mut Journal<'_>,
        env: &Env<'_>,
        q: Question,
        a: Answer,
        at: SystemTime,
    ) -> Result<Decision, StoreError>;

    /// Time passes (every 100 ms). Nothing is written; a returned decision is
    /// shown quietly (a view that changed with time).
    fn tick(&mut self, _now: SystemTime) -> Option<Decision> {
        None
    }

    /// The mode's panel for its context, read outside any write.
    fn view(&self, _conn: &Connection, _ctx: &Value) -> Result<Option<WorkflowView>, StoreError> {
        Ok(None)
    }

    /// The mode's own commands: (barcode, what it does), for the help and
    /// the command sheet.
    fn commands(&self) -> &'static [(&'static str, &'static str)];

    /// The values a template command of [`Self::commands`] takes
    /// (`CMD:REASON:X` → `EOL`, `FAILED` …), as they are scanned: the
    /// command sheet prints one barcode for each. Empty for a verb the mode
    /// has no template for.
    fn command_values(&self, _verb: &str) -> Vec<String> {
        Vec::new()
    }
}

/// An input's event on its way to the journal: keys may be added until it
/// is journaled, and it is journaled once.
pub struct PendingEvent {
    kind: &'static str,
    at: SystemTime,
    payload: Value,
    journaled: Option<i64>,
}

impl PendingEvent {
    fn new(kind: &'static str, at: SystemTime, payload: Value) -> PendingEvent {
        PendingEvent {
            kind,
            at,
            payload,
            journaled: None,
        }
    }

    /// Adds a key to the event (before it is journaled).
    pub fn set(&mut self, key: &str, value: Value) {
        self.payload[key] = value;
    }

    /// The event's payload, before it is journaled.
    pub fn payload_mut(&mut self) -> &mut Value {
        &mut self.payload
    }

    /// Journals the event (once); returns its seq.
    pub fn journal(&mut self, j: &mut Journal<'_>) -> Result<i64, StoreError> {
        if let Some(seq) = self.journaled {
            return Ok(seq);
        }
        let seq = j.append(self.at, self.kind, self.payload.take())?;
        self.journaled = Some(seq);
        Ok(seq)
    }

    /// Journals it refused, saying why (`signin_required`, `question_open` …).
    pub fn refuse(&mut self, j: &mut Journal<'_>, why: &str) -> Result<i64, StoreError> {
        self.set("refused", json!(why));
        self.journal(j)
    }
}

/// A classified scan on its way to being journaled as a `scan` event (its
/// [`PendingEvent`] methods through `Deref`).
pub struct ScanIn<'a> {
    pub scan: &'a Scan,
    pub kind: IdentityKind,
    /// The value the classifier extracted (the asset tag, the serial …).
    pub value: String,
    /// The code as shown to a person (control characters visible, cut).
    pub shown: String,
    event: PendingEvent,
}

impl<'a> ScanIn<'a> {
    pub(super) fn new(scan: &'a Scan, kind: IdentityKind, value: String, shown: String) -> Self {
        let mut payload = crate::store::journal::scan_payload(
            &scan.raw,
            scan.truncated,
            scan.source.kind(),
            scan.source.detail(),
        );
        payload["identity"] = json!({"type": kind.as_str(), "value": value});
        if let Some(t) = scan.scanned_at {
            payload["scanned_at"] = json!(crate::timefmt::rfc3339_millis(t));
        }
        ScanIn {
            scan,
            kind,
            value,
            shown,
            event: PendingEvent::new("scan", scan.at, payload),
        }
    }
}

impl std::ops::Deref for ScanIn<'_> {
    type Target = PendingEvent;
    fn deref(&self) -> &PendingEvent {
        &self.event
    }
}

impl std::ops::DerefMut for ScanIn<'_> {
    fn deref_mut(&mut self) -> &mut PendingEvent {
        &mut self.event
    }
}

/// An RFID read on its way to being journaled as an `rfid.read` event.
pub struct RfidIn<'a> {
    pub read: &'a RfidRead,
    /// The EPC in upper-case hex.
    pub epc: String,
    event: PendingEvent,
}

impl<'a> RfidIn<'a> {
    pub(super) fn new(read: &'a RfidRead) -> Self {
        let epc = hex::encode_upper(&read.epc);
        let payload = json!({
            "epc": epc,
            "source": read.source,
            "antenna": read.antenna,
            "rssi": read.rssi,
            "count": read.count,
        });
        RfidIn {
            read,
            epc,
            event: PendingEvent::new("rfid.read", read.at, payload),
        }
    }
}

impl std::ops::Deref for RfidIn<'_> {
    type Target = PendingEvent;
    fn deref(&self) -> &PendingEvent {
        &self.event
    }
}

impl std::ops::DerefMut for RfidIn<'_> {
    fn deref_mut(&mut self) -> &mut PendingEvent {
        &mut self.event
    }
}
