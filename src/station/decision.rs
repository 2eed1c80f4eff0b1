//! What an input decided, and the one transaction that records it.
//!
//! A [`Decision`] is built while the transaction is open and applied to the
//! session only after it commits; [`Journal`] appends the events with the
//! station, the operator and the training flag.

use super::outcome::{Level, OperatorView, Panel};
use super::session::PendingEnrol;
use crate::input::Mode;
use crate::store::{journal::NewEvent, StoreError, Tx};
use serde_json::Value;
use std::time::SystemTime;

/// What an input decided, before it is turned into an [`Outcome`]: applied to
/// the session only once its transaction has committed.
pub(super) struct Decision {
    pub(super) level: Level,
    pub(super) message: String,
    pub(super) changed: Vec<String>,
    pub(super) seq: Option<i64>,
    pub(super) panel: Option<Panel>,
    pub(super) session: Vec<SessionChange>,
    pub(super) quiet: bool,
    /// An asset whose card to show, read after the commit so that the read
    /// never delays the write (and the card includes this input's events).
    /// An empty message becomes the card's one-line summary.
    pub(super) card: Option<i64>,
}

impl Decision {
    pub(super) fn new(level: Level, message: impl Into<String>) -> Decision {
        Decision {
            level,
            message: message.into(),
            changed: Vec::new(),
            seq: None,
            panel: None,
            session: Vec::new(),
            quiet: false,
            card: None,
        }
    }
    pub(super) fn card(mut self, asset_id: i64) -> Self {
        self.card = Some(asset_id);
        self
    }
    pub(super) fn panel(mut self, p: Panel) -> Self {
        self.panel = Some(p);
        self
    }
    pub(super) fn then(mut self, c: SessionChange) -> Self {
        self.session.push(c);
        self
    }
}

pub(super) enum SessionChange {
    SignIn(OperatorView),
    SignOut,
    Mode(Mode),
    Pending(Option<PendingEnrol>),
}

/// Appends events in one transaction, each with the station, the operator and
/// the training flag; remembers their seqs.
pub(super) struct Journal<'s> {
    pub(super) tx: Tx<'s>,
    pub(super) station: &'s str,
    pub(super) operator: Option<String>,
    pub(super) training: bool,
    pub(super) seqs: Vec<i64>,
}

impl Journal<'_> {
    pub(super) fn append(
        &mut self,
        at: SystemTime,
        kind: &str,
        payload: Value,
    ) -> Result<i64, StoreError> {
        let r = self.tx.append_event(&NewEvent {
            at,
            station: self.station,
            operator: self.operator.as_deref(),
            kind,
            training: self.training,
            payload,
        })?;
        self.seqs.push(r.seq);
        Ok(r.seq)
    }

    pub(super) fn conn(&self) -> &rusqlite::Connection {
        self.tx.conn()
    }

    /// Commits and fills the decision's seq and "journal #N" lines.
    pub(super) fn commit(self, mut d: Decision) -> Result<Decision, StoreError> {
        self.tx.commit()?;
        d.seq = self.seqs.first().copied();
        let mut changed: Vec<String> = self.seqs.iter().map(|s| format!("journal #{s}")).collect();
        changed.append(&mut d.changed);
        d.changed = changed;
        Ok(d)
    }
}

pub(super) fn mode_title(m: Mode) -> &'static str {
    match m {
        Mode::Lookup => "Lookup",
        Mode::Receive => "Receiving",
        Mode::Wipe => "Wipe",
        Mode::Stocktake => "Stock-take",
    }
}
