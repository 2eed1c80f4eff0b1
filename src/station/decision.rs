//! What an input decided, and the one transaction that records it.
//!
//! A [`Decision`] is built while the transaction is open and applied to the
//! session only after it commits. [`Journal`] is that transaction as the
//! workflows see it: it appends events with the station, the operator and the
//! training flag, and it carries the station's context ([`StationCtx`]) as
//! read inside this transaction, written back before the commit when an input
//! changed it. Several inputs may share one transaction (a group of RFID reads
//! and the barcode that follows them); each input's events are its own.

use super::outcome::{Level, OperatorView, Panel};
use super::question::Question;
use crate::input::Mode;
use crate::store::{journal::NewEvent, station_context, StoreError, Tx};
use serde_json::{Map, Value};
use std::time::SystemTime;

/// What an input decided, before it is turned into an [`Outcome`]: applied to
/// the session only once its transaction has committed.
///
/// [`Outcome`]: super::Outcome
#[derive(Debug)]
pub struct Decision {
    pub level: Level,
    pub message: String,
    pub changed: Vec<String>,
    /// The journal events this input wrote, in order (filled at commit).
    pub seqs: Vec<i64>,
    pub panel: Option<Panel>,
    pub session: Vec<SessionChange>,
    pub quiet: bool,
    /// An asset whose card to show, read after the commit so that the read
    /// never delays the write (and the card includes this input's events).
    /// An empty message becomes the card's one-line summary.
    pub card: Option<i64>,
    /// The asset this input concerned (for `feed`'s answer).
    pub asset: Option<i64>,
    /// What the scan was taken for: (type, value).
    pub identity: Option<(String, String)>,
    /// The mode after this input (set by the station).
    pub mode: Option<Mode>,
    /// The mode's own small object for `feed`'s answer, named after the
    /// mode (`"receiving"`).
    pub mode_object: Option<(&'static str, Value)>,
}

impl Decision {
    pub fn new(level: Level, message: impl Into<String>) -> Decision {
        Decision {
            level,
            message: message.into(),
            changed: Vec::new(),
            seqs: Vec::new(),
            panel: None,
            session: Vec::new(),
            quiet: false,
            card: None,
            asset: None,
            identity: None,
            mode: None,
            mode_object: None,
        }
    }
    pub fn ok(message: impl Into<String>) -> Decision {
        Decision::new(Level::Ok, message)
    }
    pub fn warn(message: impl Into<String>) -> Decision {
        Decision::new(Level::Warning, message)
    }
    pub fn error(message: impl Into<String>) -> Decision {
        Decision::new(Level::Error, message)
    }
    /// Shows asset `asset_id`'s card (and names it as the input's asset).
    pub fn card(mut self, asset_id: i64) -> Self {
        self.card = Some(asset_id);
        self.asset = Some(asset_id);
        self
    }
    pub fn asset(mut self, asset_id: i64) -> Self {
        self.asset = Some(asset_id);
        self
    }
    pub fn panel(mut self, p: Panel) -> Self {
        self.panel = Some(p);
        self
    }
    pub fn then(mut self, c: SessionChange) -> Self {
        self.session.push(c);
        self
    }
    pub fn quiet(mut self) -> Self {
        self.quiet = true;
        self
    }
    /// Adds the mode's own object to `feed`'s answer (`"receiving": {...}`).
    pub fn mode_object(mut self, name: &'static str, v: Value) -> Self {
        self.mode_object = Some((name, v));
        self
    }
}

/// A change of the in-memory session, applied after the commit.
#[derive(Debug, Clone)]
pub enum SessionChange {
    SignIn(OperatorView),
    SignOut,
}

/// The station's context as read inside the transaction: its mode, each
/// mode's own object (ids only), and the open question.
#[derive(Debug, Clone, PartialEq)]
pub struct StationCtx {
    pub mode: Mode,
    modes: Map<String, Value>,
    pub question: Option<Question>,
    dirty: bool,
}

impl StationCtx {
    /// A station that never stored a context: `mode`, nothing open.
    pub fn fresh(mode: Mode) -> StationCtx {
        StationCtx {
            mode,
            modes: Map::new(),
            question: None,
            dirty: false,
        }
    }

    /// From the stored row; a mode name this binary does not know falls back
    /// to `fallback`.
    pub fn from_row(row: station_context::ContextRow, fallback: Mode) -> StationCtx {
        StationCtx {
            mode: Mode::parse(&row.mode).unwrap_or(fallback),
            modes: match row.context {
                Value::Object(m) => m,
                _ => Map::new(),
            },
            question: row
                .question
                .and_then(|q| serde_json::from_value::<Question>(q).ok()),
            dirty: false,
        }
    }

    fn to_row(&self) -> station_context::ContextRow {
        station_context::ContextRow {
            mode: self.mode.as_str().into(),
            context: Value::Object(self.modes.clone()),
            question: self
                .question
                .as_ref()
                .and_then(|q| serde_json::to_value(q).ok()),
        }
    }

    /// Mode `m`'s own object (`Null` when it holds nothing).
    pub fn get(&self, m: Mode) -> &Value {
        self.modes.get(m.as_str()).unwrap_or(&Value::Null)
    }

    /// Replaces mode `m`'s object.
    pub fn set(&mut self, m: Mode, v: Value) {
        if self.get(m) != &v {
            if v.is_null() {
                self.modes.remove(m.as_str());
            } else {
                self.modes.insert(m.as_str().into(), v);
            }
            self.dirty = true;
        }
    }

    pub fn set_mode(&mut self, m: Mode) {
        if self.mode != m {
            self.mode = m;
            self.dirty = true;
        }
    }

    pub fn ask(&mut self, q: Question) {
        self.question = Some(q);
        self.dirty = true;
    }

    pub fn clear_question(&mut self) -> Option<Question> {
        let q = self.question.take();
        self.dirty |= q.is_some();
        q
    }
}

/// The write transaction as inputs and workflows see it.
pub struct Journal<'s> {
    pub(super) tx: Tx<'s>,
    pub(super) station: &'s str,
    pub(super) operator: Option<OperatorView>,
    pub(super) training: bool,
    /// The events of the input being decided.
    current: Vec<i64>,
    pub ctx: StationCtx,
}

impl<'s> Journal<'s> {
    /// Opens on `tx`, reading the station's context inside it.
    pub(super) fn open(
        tx: Tx<'s>,
        station: &'s str,
        operator: Option<OperatorView>,
        training: bool,
        default_mode: Mode,
    ) -> Result<Journal<'s>, StoreError> {
        let ctx = match station_context::load(tx.conn(), station)? {
            Some(row) => StationCtx::from_row(row, default_mode),
            None => StationCtx::fresh(default_mode),
        };
        Ok(Journal {
            tx,
            station,
            operator,
            training,
            current: Vec::new(),
            ctx,
        })
    }

    /// A journal for an action outside the station (a command line's
    /// `stocktake mark-missing`), so that it goes through the same lifecycle
    /// and policy functions: nobody signed in, no station context read or
    /// written. [`Journal::finish`] commits it.
    pub fn detached(tx: Tx<'s>, station: &'s str, training: bool) -> Journal<'s> {
        Journal {
            tx,
            station,
            operator: None,
            training,
            current: Vec::new(),
            ctx: StationCtx::fresh(Mode::default()),
        }
    }

    /// Commits a [`Journal::detached`] journal (its context is never saved).
    pub fn finish(self) -> Result<(), StoreError> {
        self.tx.commit()
    }

    /// Appends an event in this transaction; returns its seq.
    pub fn append(
        &mut self,
        at: SystemTime,
        kind: &str,
        payload: Value,
    ) -> Result<i64, StoreError> {
        let r = self.tx.append_event(&NewEvent {
            at,
            station: self.station,
            operator: self.operator.as_ref().map(|o| o.badge.as_str()),
            kind,
            training: self.training,
            payload,
        })?;
        self.current.push(r.seq);
        Ok(r.seq)
    }

    /// The connection inside the transaction, for the store's functions.
    pub fn conn(&self) -> &rusqlite::Connection {
        self.tx.conn()
    }

    /// Who is signed in (as the events of this transaction say).
    pub fn operator(&self) -> Option<&OperatorView> {
        self.operator.as_ref()
    }

    pub fn operator_role(&self) -> Option<&str> {
        self.operator.as_ref().map(|o| o.role.as_str())
    }

    pub fn station(&self) -> &str {
        self.station
    }

    /// The events written since the last call: one input's.
    pub(super) fn take_seqs(&mut self) -> Vec<i64> {
        std::mem::take(&mut self.current)
    }

    /// Writes the context back if it changed, and commits. When this returns
    /// Ok, every event and the context are on disk.
    pub(super) fn commit(self) -> Result<StationCtx, StoreError> {
        if self.ctx.dirty {
            station_context::save(self.tx.conn(), self.station, &self.ctx.to_row())?;
        }
        self.tx.commit()?;
        let mut ctx = self.ctx;
        ctx.dirty = false;
        Ok(ctx)
    }
}
