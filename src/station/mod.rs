//! The domain: `Station::handle(Input) -> Outcome`, the only code that changes
//! state. It runs on its own thread as the single writer.
//!
//! Every barcode scan is journaled — known or not, refused or not — as a `scan`
//! event (the code as read, `raw_hex` when not UTF-8, `truncated`, its source,
//! the identity it was taken for), in ONE transaction with whatever state the
//! scan changes, committed before `handle` returns. So the operator's OK means
//! the scan is on disk; when the write fails the outcome is an error beginning
//! `NOT SAVED` and the session is left as it was, so a rescan is safe.
//!
//! The session (operator, mode, a pending enrol) changes only after its
//! transaction commits. Inputs that change nothing (ticks, reader status, a
//! cancel with nothing pending) open no transaction.
//!
//! RFID reads (already deduplicated by the reader task) are journaled one
//! `rfid.read` event each. A read of a known asset shows its card like a scan
//! (not quiet: one beep), once: while the same tag keeps being read (a
//! laptop lying on the bench reader is reported every dedupe window) it is
//! journaled quietly and leaves the panel alone, until it has been away for
//! [`RFID_REANNOUNCE`]. An unknown
//! EPC is a quiet warning, so that a sweep past unlabelled stock does not ring
//! the bell for every tag.

pub mod classify;
pub mod commands;
mod decision;
pub mod enrol;
pub mod lookup;
pub mod outcome;
pub mod seed;
pub mod session;

pub use outcome::{Level, Outcome, Panel};

use crate::config::{Config, IdentifyConfig};
use crate::input::{Command, Input, Mode, RfidRead, Scan};
use crate::store::{Store, StoreError};
use classify::{Classifier, IdentityKind};
use commands::{command, no_write};
use decision::{mode_title, Decision, Journal, SessionChange};
use enrol::unknown;
use serde_json::json;
use session::{display_code, sign_in, Session};
use std::collections::HashMap;
use std::time::{Duration, SystemTime};

/// How long a known tag stays announced after it was last read: read again
/// within this, it is journaled without a beep or a new card. A tag that
/// keeps being read stays announced; one away this long is announced again.
pub const RFID_REANNOUNCE: Duration = Duration::from_secs(10);

/// How the station runs; from the config and the command line.
#[derive(Debug, Clone)]
pub struct StationSettings {
    /// Written into every journal event.
    pub station_id: String,
    /// Marks every event as training (never synced).
    pub training: bool,
    /// Refuse every scan but a badge until an operator signs in.
    pub require_signin: bool,
    pub identify: IdentifyConfig,
    /// The mode at start.
    pub mode: Mode,
}

impl StationSettings {
    /// From the config; an unknown `station.mode` starts in lookup (with a
    /// warning in the log). [`StationSettings::try_from_config`] refuses it.
    pub fn from_config(cfg: &Config, training: bool) -> StationSettings {
        Self::try_from_config(cfg, training).unwrap_or_else(|e| {
            tracing::warn!("{e}; starting in lookup mode");
            StationSettings {
                mode: Mode::Lookup,
                ..Self::build(cfg, training, Mode::Lookup)
            }
        })
    }

    pub fn try_from_config(cfg: &Config, training: bool) -> Result<StationSettings, StationError> {
        let mode = commands::parse_mode(&cfg.station.mode)
            .ok_or_else(|| StationError::BadMode(cfg.station.mode.clone()))?;
        Ok(Self::build(cfg, training, mode))
    }

    fn build(cfg: &Config, training: bool, mode: Mode) -> StationSettings {
        StationSettings {
            station_id: cfg.station.id.clone(),
            training,
            require_signin: cfg.station.require_signin,
            identify: cfg.identify.clone(),
            mode,
        }
    }
}

impl Default for StationSettings {
    fn default() -> Self {
        StationSettings::from_config(&Config::default(), false)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum StationError {
    #[error("{0}")]
    Classifier(#[from] classify::ClassifierError),
    #[error("station.mode {0:?} is not a mode (lookup, receive, wipe, stocktake)")]
    BadMode(String),
    #[error("{0}")]
    Store(#[from] StoreError),
}

/// The single writer.
pub struct Station {
    store: Store,
    settings: StationSettings,
    classifier: Classifier,
    session: Session,
    /// Known tags read lately (EPC → last read), for [`RFID_REANNOUNCE`].
    announced: HashMap<Vec<u8>, SystemTime>,
    rules: std::sync::Arc<lookup::MatchRules>,
}

impl Station {
    pub fn new(store: Store, settings: StationSettings) -> Result<Station, StationError> {
        let classifier = Classifier::new(&settings.identify)?;
        let rules = std::sync::Arc::new(lookup::MatchRules::new(&settings.identify));
        let session = Session {
            mode: settings.mode,
            operator: session::interrupted(store.conn(), &settings.station_id)?,
            ..Session::default()
        };
        Ok(Station {
            store,
            settings,
            classifier,
            session,
            announced: HashMap::new(),
            rules,
        })
    }

    /// The store, for reads (tests, the benchmark).
    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn settings(&self) -> &StationSettings {
        &self.settings
    }

    /// Takes one input: decides, writes one transaction, and says what happened.
    /// Never panics on what the input holds; a failed write says `NOT SAVED`.
    pub fn handle(&mut self, input: Input) -> Outcome {
        match input {
            Input::Scan(scan) => {
                let r = self.on_scan(&scan);
                let code = String::from_utf8_lossy(&scan.raw).into_owned();
                self.finish(r, "Scan again").answering(code)
            }
            Input::Rfid(read) => {
                let r = self.on_rfid(&read);
                let code = hex::encode_upper(&read.epc);
                self.finish(r, "It will be read again").answering(code)
            }
            Input::Command(cmd) => {
                let r = self.on_command(cmd);
                self.finish(r, "Try again")
            }
            Input::ReaderStatus(st) => {
                let mut d = Decision::new(
                    Level::Ok,
                    format!("{}: {} {}", st.source, st.state.as_str(), st.detail)
                        .trim_end()
                        .to_string(),
                );
                d.quiet = true;
                self.finish(Ok(d), "")
            }
            Input::Tick(_) => {
                let mut d = Decision::new(Level::Ok, "");
                d.quiet = true;
                self.finish(Ok(d), "")
            }
        }
    }

    /// The operator quit: whoever is signed in is signed out, so that the next
    /// start does not resume their session.
    pub fn stop(&mut self) -> Outcome {
        let r = self.on_stop();
        self.finish(r, "Scan your badge out")
    }

    fn on_stop(&mut self) -> Result<Decision, StoreError> {
        let Some(op) = self.session.operator.clone() else {
            return Ok(Decision::new(Level::Ok, "Stopped"));
        };
        let mut j = self.journal()?;
        j.append(
            SystemTime::now(),
            "operator.signed_out",
            json!({"badge": op.badge, "reason": "quit"}),
        )?;
        j.commit(
            Decision::new(Level::Ok, format!("Signed out: {}", op.name))
                .then(SessionChange::SignOut)
                .then(SessionChange::Pending(None)),
        )
    }

    fn finish(&mut self, r: Result<Decision, StoreError>, retry: &str) -> Outcome {
        let mut d = match r {
            Ok(d) => {
                for c in &d.session {
                    match c {
                        SessionChange::SignIn(op) => self.session.operator = Some(op.clone()),
                        SessionChange::SignOut => self.session.operator = None,
                        SessionChange::Mode(m) => self.session.mode = *m,
                        SessionChange::Pending(p) => self.session.pending = p.clone(),
                    }
                }
                d
            }
            Err(e) => {
                tracing::error!("write failed: {e}");
                Decision::new(Level::Error, format!("NOT SAVED — {e}. {retry}."))
            }
        };
        if let Some(id) = d.card {
            // The input is committed; a failed read only costs the card.
            match lookup::asset_card(self.store.conn(), id) {
                Ok(Some(card)) => {
                    if d.message.is_empty() {
                        d.message = lookup::asset_line(&card);
                    }
                    d.panel = Some(Panel::Asset(card));
                }
                Ok(None) => {
                    if d.message.is_empty() {
                        d.message = format!("Saved; asset #{id} is gone");
                    }
                }
                Err(e) => {
                    tracing::error!("reading the card of asset #{id}: {e}");
                    if d.message.is_empty() {
                        d.message = format!("Saved; cannot show asset #{id}: {e}");
                    }
                }
            }
        }
        Outcome {
            level: d.level,
            message: d.message,
            changed: d.changed,
            seq: d.seq,
            code: None,
            panel: d.panel,
            session: self.session.view(
                &self.settings.station_id,
                self.settings.training,
                self.settings.require_signin,
            ),
            quiet: d.quiet,
        }
    }

    fn journal(&mut self) -> Result<Journal<'_>, StoreError> {
        Ok(Journal {
            tx: self.store.write()?,
            station: &self.settings.station_id,
            operator: self.session.operator.as_ref().map(|o| o.badge.clone()),
            training: self.settings.training,
            seqs: Vec::new(),
        })
    }

    fn on_scan(&mut self, scan: &Scan) -> Result<Decision, StoreError> {
        let identity = self.classifier.classify(&scan.raw);
        let kind = identity.kind;
        let value: String = identity.value.to_string();
        let shown = display_code(&String::from_utf8_lossy(&scan.raw), scan.truncated, 60);
        let mut payload = crate::store::journal::scan_payload(
            &scan.raw,
            scan.truncated,
            scan.source.kind(),
            scan.source.detail(),
        );
        payload["identity"] = json!({"type": kind.as_str(), "value": value});
        let at = scan.at;
        let signed_in = self.session.operator.is_some();
        let require = self.settings.require_signin;
        let mode = self.session.mode;
        let prefix = self.settings.identify.command_prefix.clone();
        let pending = self.session.pending.clone();
        let current = self.session.operator.clone();
        let rules = self.rules.clone();
        let mut j = self.journal()?;

        if kind == IdentityKind::Operator {
            return sign_in(j, payload, at, &value, current);
        }
        if require && !signed_in {
            payload["refused"] = json!("signin_required");
            j.append(at, "scan", payload)?;
            return j.commit(Decision::new(Level::Error, "Scan your badge first"));
        }
        if kind == IdentityKind::Command {
            let Some(cmd) = commands::parse(&value, &prefix) else {
                payload["refused"] = json!("unknown_command");
                j.append(at, "scan", payload)?;
                return j.commit(Decision::new(
                    Level::Error,
                    format!("Unknown command {shown}"),
                ));
            };
            j.append(at, "scan", payload)?;
            return command(j, cmd, at, mode, pending, current);
        }
        if mode != Mode::Lookup {
            j.append(at, "scan", payload)?;
            let d = Decision::new(
                Level::Warning,
                format!(
                    "{} is not built yet: {shown} journaled only",
                    mode_title(mode)
                ),
            );
            return j.commit(d.then(SessionChange::Pending(None)));
        }
        match kind {
            IdentityKind::Location => {
                let card = lookup::location_card(j.conn(), &value)?;
                if let Some(c) = &card {
                    payload["location"] = json!(c.code);
                }
                j.append(at, "scan", payload)?;
                let d = match card {
                    Some(c) => Decision::new(
                        Level::Ok,
                        format!("{} · {} · {} assets", c.code, c.name, c.asset_count),
                    )
                    .panel(Panel::Location(c)),
                    None => Decision::new(Level::Warning, format!("Unknown location {shown}"))
                        .panel(Panel::Unknown {
                            code: shown,
                            identity: kind.as_str().into(),
                        }),
                };
                j.commit(d.then(SessionChange::Pending(None)))
            }
            IdentityKind::PurchaseOrder => {
                j.append(at, "scan", payload)?;
                let d = Decision::new(
                    Level::Warning,
                    format!("{shown} is a purchase order: receiving is not built yet"),
                );
                j.commit(d.then(SessionChange::Pending(None)))
            }
            _ => {
                let found = lookup::lookup_scan(j.conn(), &identity, &rules)?;
                found.annotate(&mut payload);
                j.append(at, "scan", payload)?;
                let d = match lookup::found_decision(&found, &shown) {
                    Some(d) => d.then(SessionChange::Pending(None)),
                    None => unknown(&scan.raw, &value, scan.truncated, kind, shown),
                };
                j.commit(d)
            }
        }
    }

    fn on_rfid(&mut self, read: &RfidRead) -> Result<Decision, StoreError> {
        let epc = hex::encode_upper(&read.epc);
        let signed_in = self.session.operator.is_some();
        let require = self.settings.require_signin;
        let mode = self.session.mode;
        let repeat = self.recently_seen(read);
        let rules = self.rules.clone();
        let mut j = self.journal()?;
        let mut payload = json!({
            "epc": epc,
            "source": read.source,
            "antenna": read.antenna,
            "rssi": read.rssi,
            "count": read.count,
        });
        let refused = require && !signed_in;
        let found = if refused || mode != Mode::Lookup {
            lookup::LookupResult::NotFound
        } else {
            let id = classify::Identity {
                kind: IdentityKind::Epc,
                value: epc.as_str().into(),
            };
            lookup::lookup_scan(j.conn(), &id, &rules)?
        };
        found.annotate(&mut payload);
        if refused {
            payload["refused"] = json!("signin_required");
        }
        j.append(read.at, "rfid.read", payload)?;
        let known = found.asset_id().is_some();
        let d = match (found.asset_id(), lookup::found_decision(&found, &epc)) {
            (Some(id), _) if repeat => {
                let mut d = Decision::new(Level::Ok, format!("RFID {epc}: asset #{id} still here"));
                d.quiet = true;
                d
            }
            (_, Some(d)) => d,
            (_, None) => {
                let msg = if refused {
                    format!("RFID {epc} journaled: scan your badge first")
                } else if mode != Mode::Lookup {
                    format!(
                        "RFID {epc} journaled: {} is not built yet",
                        mode_title(mode)
                    )
                } else {
                    format!("Unknown EPC {epc}")
                };
                let mut d = Decision::new(Level::Warning, msg);
                d.quiet = true;
                d
            }
        };
        let r = j.commit(d);
        if known && r.is_ok() {
            self.seen(read);
        }
        r
    }

    /// Whether `read`'s tag was seen within [`RFID_REANNOUNCE`] before it.
    fn recently_seen(&self, read: &RfidRead) -> bool {
        self.announced
            .get(&read.epc)
            .is_some_and(|then| fresh(read.at, *then))
    }

    /// `read`'s tag, a known asset's, was seen (and journaled): it stays
    /// announced while it keeps being read.
    fn seen(&mut self, read: &RfidRead) {
        if self.announced.len() >= 4096 {
            self.announced.retain(|_, then| fresh(read.at, *then));
        }
        self.announced.insert(read.epc.clone(), read.at);
    }

    fn on_command(&mut self, cmd: Command) -> Result<Decision, StoreError> {
        let at = SystemTime::now();
        let signed_in = self.session.operator.is_some();
        if self.settings.require_signin
            && !signed_in
            && !matches!(cmd, Command::Cancel | Command::SignOut)
        {
            return Ok(Decision::new(Level::Error, "Scan your badge first"));
        }
        // Inputs that change nothing open no transaction.
        let writes = match &cmd {
            Command::EnrolLast | Command::Confirm => self.session.pending.is_some(),
            Command::Cancel => false,
            Command::Mode(m) => *m != self.session.mode,
            Command::SignOut => signed_in,
        };
        if !writes {
            return Ok(no_write(&cmd, &self.session));
        }
        let mode = self.session.mode;
        let pending = self.session.pending.clone();
        let current = self.session.operator.clone();
        let j = self.journal()?;
        command(j, cmd, at, mode, pending, current)
    }
}

/// Whether a tag announced at `then` is still announced at `now`.
fn fresh(now: SystemTime, then: SystemTime) -> bool {
    now.duration_since(then)
        .is_ok_and(|age| age < RFID_REANNOUNCE)
}
