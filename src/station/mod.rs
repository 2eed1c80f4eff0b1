//! The domain: `Station::handle(Input) -> Outcome`, the only code that changes
//! state. It runs on its own thread as the single writer.
//!
//! Every barcode scan is journaled — known or not, refused or not — as a `scan`
//! event (the code as read, `raw_hex` when not UTF-8, `truncated`, its source,
//! the identity it was taken for), in ONE transaction with whatever state the
//! scan changes, committed before its Outcome exists. So the operator's OK
//! means the scan is on disk; when the write fails the outcome is an error
//! beginning `NOT SAVED`, and the session is left as it was, so a rescan is
//! safe.
//!
//! What every mode shares lives here and in [`dispatch`]: the sign-in gate,
//! badges, mode switching, questions, the transaction and the Outcome. What a
//! mode does is its [`workflow::Workflow`] in [`modes`]. The station's context
//! (mode, what each mode has open, the open question) is in the store, re-read
//! inside each transaction ([`decision::Journal`]).
//!
//! **Inputs queue in order.** [`Station::submit`] takes an input and returns
//! the outcomes that are ready:
//! * RFID reads (already deduplicated by the reader) are held and committed in
//!   groups, one transaction on each tick (every [`GROUP_WINDOW`]) or every
//!   [`GROUP_MAX`] reads, and answered after their group commits: a
//!   flood of reads costs one fsync per group, not per read.
//! * A barcode or command never waits behind RFID: its transaction takes the
//!   pending group with it, and its OK follows its own commit.
//! * When another process holds the store's write lock (an import), nothing
//!   is lost and nothing is reordered: inputs stay queued, the header says
//!   "store busy — N waiting", and each tick retries.

pub mod classify;
pub mod commands;
pub mod decision;
mod dispatch;
pub mod enrol;
pub mod labels;
pub mod lifecycle;
pub mod lookup;
pub mod modes;
pub mod outcome;
pub mod policy;
pub mod question;
pub mod seed;
pub mod session;
pub mod view;
pub mod workflow;

pub use modes::lookup::RFID_REANNOUNCE;
pub use outcome::{Level, Outcome, Panel};

use crate::config::{Config, IdentifyConfig, PolicyConfig};
use crate::input::{Input, Mode};
use crate::store::{Store, StoreError};
use classify::Classifier;
use decision::{Decision, Journal, SessionChange};
use dispatch::Router;
use outcome::{OperatorView, SessionView};
use policy::Policy;
use question::QuestionView;
use std::collections::VecDeque;
use std::time::{Duration, SystemTime};

/// The longest an RFID read waits for its group to commit.
pub const GROUP_WINDOW: Duration = Duration::from_millis(100);
/// A group this large commits at once.
pub const GROUP_MAX: usize = 512;
/// How long one attempt to take the store's write lock waits before the
/// station reports the store busy and keeps the input queued.
pub const BUSY_WAIT: Duration = Duration::from_millis(250);
/// How many inputs may wait for a busy store before new ones are refused.
pub const HELD_MAX: usize = 100_000;

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
    /// The mode of a station that never stored a context.
    pub mode: Mode,
    pub policy: PolicyConfig,
    /// `[wipe] media_categories`.
    pub media_categories: Vec<String>,
    /// The GS1 company prefix (`[organisation]`): disposal pallets' SSCCs.
    pub company_prefix: Option<String>,
    /// `[disposal]`: the SSCC extension digit and this station's serial range.
    pub disposal: crate::config::DisposalConfig,
    /// `[organisation] name`: who hands pallets over (custody).
    pub organisation: String,
    /// `[receiving]`: how Receive mode tags units and where it puts them.
    pub receiving: crate::config::ReceivingConfig,
    /// `[labels]`: how asset and pallet labels are rendered when queued.
    pub labels: crate::label::LabelsConfig,
}

impl StationSettings {
    /// From a config that [`Config::load`] validated (an unknown mode is
    /// refused there; here it falls back to lookup).
    pub fn from_config(cfg: &Config, training: bool) -> StationSettings {
        StationSettings {
            station_id: cfg.station.id.clone(),
            training,
            require_signin: cfg.station.require_signin,
            identify: cfg.identify.clone(),
            mode: Mode::parse(&cfg.station.mode).unwrap_or_default(),
            policy: cfg.policy.clone(),
            media_categories: cfg.wipe.media_categories.clone(),
            company_prefix: cfg.company_prefix().map(str::to_string),
            disposal: cfg.disposal.clone(),
            organisation: cfg.organisation.name.clone(),
            receiving: cfg.receiving.clone(),
            labels: cfg.labels.clone(),
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
    #[error("receiving.convention: {0}")]
    Conventions(#[from] crate::identify::box_label::ConventionError),
    #[error("{0}")]
    Store(#[from] StoreError),
}

/// One queued input and the number it was given.
struct Queued {
    no: u64,
    input: Input,
}

/// The single writer.
pub struct Station {
    store: Store,
    router: Router,
    operator: Option<OperatorView>,
    /// The mode and question as of the last commit (for the header).
    mode: Mode,
    question: Option<QuestionView>,
    resumed: bool,
    queue: VecDeque<Queued>,
    next_input: u64,
    /// The busy count last reported, so a notice is sent once per change.
    busy_reported: usize,
    /// Transactions committed (each one fsync), for the benchmarks.
    commits: u64,
}

impl Station {
    pub fn new(store: Store, settings: StationSettings) -> Result<Station, StationError> {
        let classifier = Classifier::new(&settings.identify)?
            .with_conventions(settings.receiving.conventions()?);
        store.set_busy_timeout(BUSY_WAIT)?;
        let operator = session::interrupted(store.conn(), &settings.station_id)?;
        let ctx = match crate::store::station_context::load(store.conn(), &settings.station_id)? {
            Some(row) => decision::StationCtx::from_row(row, settings.mode),
            None => decision::StationCtx::fresh(settings.mode),
        };
        let policy = Policy::new(settings.policy.clone(), settings.media_categories.clone());
        let mut station = Station {
            store,
            resumed: operator.is_some(),
            operator,
            mode: ctx.mode,
            question: ctx.question.as_ref().map(|q| q.view()),
            router: Router::new(settings, classifier, policy),
            queue: VecDeque::new(),
            next_input: 0,
            busy_reported: 0,
            commits: 0,
        };
        if let Some(op) = station.operator.clone() {
            // Say in the journal that this session was not ended by a quit.
            let r = station.transaction(|_, j| {
                j.append(
                    SystemTime::now(),
                    "operator.resumed",
                    serde_json::json!({"badge": op.badge, "after": "unclean stop"}),
                )?;
                Ok(Vec::new())
            });
            if let Err(e) = r {
                tracing::warn!("journaling the resumed session: {e}");
            }
        }
        Ok(station)
    }

    /// The store, for reads (tests, the benchmark, the card after an Outcome).
    pub fn store(&self) -> &Store {
        &self.store
    }

    pub fn settings(&self) -> &StationSettings {
        &self.router.settings
    }

    /// The mode as of the last commit.
    pub fn mode(&self) -> Mode {
        self.mode
    }

    /// The number the next submitted input will get (outcomes name it in
    /// [`Outcome::input`]).
    pub fn next_input_no(&self) -> u64 {
        self.next_input
    }

    /// Write transactions this station committed.
    pub fn commits(&self) -> u64 {
        self.commits
    }

    /// Inputs queued and not yet committed (RFID reads of an open group, or
    /// anything waiting for a busy store).
    pub fn queued(&self) -> usize {
        self.queue.len()
    }

    /// Takes one input and returns the outcomes now ready, in input order: a
    /// scan's or a command's own (after its commit, with any RFID group it
    /// took along), a group's when it commits, a notice when the store is
    /// busy. Never panics on what the input holds.
    pub fn submit(&mut self, input: Input) -> Vec<Outcome> {
        match input {
            Input::Tick(now) => {
                // Ticks come every GROUP_WINDOW: each commits the open group,
                // so no read waits much longer than that.
                let mut out = self.drain(true);
                if let Some(d) = self.router.tick(self.mode, now) {
                    out.push(self.outcome(None, d, None));
                }
                out
            }
            Input::ReaderStatus(st) => {
                let d = Decision::ok(
                    format!("{}: {} {}", st.source, st.state.as_str(), st.detail)
                        .trim_end()
                        .to_string(),
                )
                .quiet();
                vec![self.outcome(None, d, None)]
            }
            input => {
                let no = self.next_input;
                self.next_input += 1;
                if self.queue.len() >= HELD_MAX {
                    let d = Decision::error(format!(
                        "NOT SAVED — the store has been busy for {} inputs. Free the store (stop the import), then scan again.",
                        self.queue.len()
                    ));
                    return vec![self.outcome(Some(no), d, code_of(&input))];
                }
                let rfid = matches!(input, Input::Rfid(_));
                self.queue.push_back(Queued { no, input });
                let rfid_only = self.queue.iter().all(|q| matches!(q.input, Input::Rfid(_)));
                if rfid && rfid_only && self.queue.len() < GROUP_MAX {
                    return Vec::new();
                }
                self.drain(true)
            }
        }
    }

    /// Commits everything queued now (an open RFID group included). Inputs
    /// still waiting for a busy store stay queued.
    pub fn flush(&mut self) -> Vec<Outcome> {
        self.drain(true)
    }

    /// Takes one input and commits at once (an RFID read does not wait for
    /// its group), and returns the outcome that answers it, with the asset's
    /// card when it names one. For tests and scripts; the station thread uses
    /// [`Station::submit`] and reads the card after sending the Outcome.
    pub fn handle(&mut self, input: Input) -> Outcome {
        let mut out = self.submit(input);
        out.extend(self.flush());
        let mut o = match out.pop() {
            Some(o) => o,
            None => self.outcome(None, Decision::ok("").quiet(), None),
        };
        if let Some(id) = o.asset.filter(|_| wants_card(&o)) {
            if let Some(card) = self.card(id) {
                o.panel = Some(card);
            }
        }
        o
    }

    /// The active mode's panel for what it has open (after a restart, the
    /// delivery, the bench or the pallet it resumed), if it shows one.
    pub fn mode_panel(&mut self) -> Option<Panel> {
        let station = self.router.settings.station_id.clone();
        let ctx = match crate::store::station_context::load(self.store.conn(), &station) {
            Ok(Some(row)) => decision::StationCtx::from_row(row, self.mode),
            Ok(None) => return None,
            Err(e) => {
                tracing::error!("reading the station's context: {e}");
                return None;
            }
        };
        let mode = ctx.mode;
        match self.router.view(self.store.conn(), mode, ctx.get(mode)) {
            Ok(v) => v.map(Panel::Workflow),
            Err(e) => {
                tracing::error!("reading the {} view: {e}", mode.as_str());
                None
            }
        }
    }

    /// The asset's card for the panel (read after the Outcome, so the read
    /// never delays the commit). `None` when it cannot be read (logged).
    pub fn card(&self, asset_id: i64) -> Option<Panel> {
        match lookup::asset_card(self.store.conn(), asset_id) {
            Ok(Some(card)) => Some(Panel::Asset(card)),
            Ok(None) => None,
            Err(e) => {
                tracing::error!("reading the card of asset #{asset_id}: {e}");
                None
            }
        }
    }

    /// The operator quit (or the process was told to stop): whoever is
    /// signed in is signed out, so that the next start does not resume their
    /// session. Anything queued is committed first.
    pub fn stop(&mut self, reason: &str) -> Vec<Outcome> {
        let mut out = self.flush();
        if self.operator.is_none() {
            return out;
        }
        let r = self.transaction(|_, j| {
            let mut d = session::sign_out(j, SystemTime::now(), reason)?;
            d.seqs = j.take_seqs();
            Ok(vec![d])
        });
        match r {
            Ok(mut ds) => {
                if let Some(d) = ds.pop() {
                    out.push(self.outcome(None, d, None));
                }
            }
            Err(e) => {
                tracing::error!("signing out on stop: {e}");
                let d = Decision::error(format!("NOT SAVED — {e}. Scan your badge out."));
                out.push(self.outcome(None, d, None));
            }
        }
        out
    }

    /// Commits the queue in batches: each batch is the RFID reads ahead of
    /// the next scan or command, and that input. RFID reads alone commit
    /// only when `force` (their group is due).
    fn drain(&mut self, force: bool) -> Vec<Outcome> {
        let mut out = Vec::new();
        while !self.queue.is_empty() {
            let end = self
                .queue
                .iter()
                .position(|q| !matches!(q.input, Input::Rfid(_)));
            let n = match end {
                Some(i) => i + 1,
                None if force => self.queue.len(),
                None => break,
            };
            match self.commit_batch(n) {
                Ok(mut o) => out.append(&mut o),
                Err(e) if is_busy(&e) => {
                    let waiting = self.queue.len();
                    if waiting != self.busy_reported {
                        self.busy_reported = waiting;
                        let d = Decision::warn(format!(
                            "Store busy — {waiting} scans waiting; they will be saved in order"
                        ));
                        out.push(self.outcome(None, d, None));
                    }
                    return out;
                }
                Err(e) => {
                    tracing::error!("write failed: {e}");
                    for q in self.queue.drain(..n).collect::<Vec<_>>() {
                        let retry = match q.input {
                            Input::Scan(_) => "Scan again",
                            Input::Rfid(_) => "It will be read again",
                            _ => "Try again",
                        };
                        let d = Decision::error(format!("NOT SAVED — {e}. {retry}."));
                        out.push(self.outcome(Some(q.no), d, code_of(&q.input)));
                    }
                }
            }
        }
        if self.queue.is_empty() && self.busy_reported != 0 {
            self.busy_reported = 0;
            let d = Decision::ok("Store free: every waiting scan is saved").quiet();
            out.push(self.outcome(None, d, None));
        }
        out
    }

    /// Commits the first `n` queued inputs in one transaction. On success
    /// they leave the queue; on any error they stay (busy) or are the
    /// caller's to report.
    fn commit_batch(&mut self, n: usize) -> Result<Vec<Outcome>, StoreError> {
        let batch: Vec<&Queued> = self.queue.iter().take(n).collect();
        let inputs: Vec<(u64, Input)> = batch.iter().map(|q| (q.no, q.input.clone())).collect();
        let decisions = self.transaction(|router, j| {
            let mut ds = Vec::with_capacity(inputs.len());
            for (_, input) in &inputs {
                let mut d = router.decide(j, input)?;
                d.seqs = j.take_seqs();
                d.mode = Some(j.ctx.mode);
                ds.push(d);
            }
            Ok(ds)
        })?;
        self.queue.drain(..n);
        let mut out = Vec::with_capacity(decisions.len());
        for ((no, input), d) in inputs.into_iter().zip(decisions) {
            out.push(self.outcome(Some(no), d, code_of(&input)));
        }
        Ok(out)
    }

    /// Runs `f` in one write transaction with the station's context, commits,
    /// and applies the session changes of the decisions it returns.
    fn transaction(
        &mut self,
        f: impl FnOnce(&mut Router, &mut Journal<'_>) -> Result<Vec<Decision>, StoreError>,
    ) -> Result<Vec<Decision>, StoreError> {
        let tx = self.store.write()?;
        let settings = &self.router.settings;
        let (station, training, default_mode) = (
            settings.station_id.clone(),
            settings.training,
            settings.mode,
        );
        let mut j = Journal::open(tx, &station, self.operator.clone(), training, default_mode)?;
        let ds = f(&mut self.router, &mut j)?;
        let ctx = j.commit()?;
        self.commits += 1;
        self.mode = ctx.mode;
        self.question = ctx.question.as_ref().map(|q| q.view());
        for d in &ds {
            for c in &d.session {
                match c {
                    SessionChange::SignIn(op) => {
                        self.operator = Some(op.clone());
                        self.resumed = false;
                    }
                    SessionChange::SignOut => {
                        self.operator = None;
                        self.resumed = false;
                    }
                }
            }
        }
        Ok(ds)
    }

    fn session_view(&self) -> SessionView {
        let s = &self.router.settings;
        SessionView {
            station: s.station_id.clone(),
            mode: self.mode,
            operator: self.operator.clone(),
            training: s.training,
            signin_required: s.require_signin && self.operator.is_none(),
            store_busy: if self.busy_reported > 0 {
                self.queue.len()
            } else {
                0
            },
            resumed: self.resumed,
        }
    }

    fn outcome(&self, input: Option<u64>, d: Decision, code: Option<String>) -> Outcome {
        let mut changed: Vec<String> = d.seqs.iter().map(|s| format!("journal #{s}")).collect();
        changed.extend(d.changed);
        let mut session = self.session_view();
        if let Some(m) = d.mode {
            session.mode = m;
        }
        Outcome {
            level: d.level,
            message: d.message,
            changed,
            seq: d.seqs.first().copied(),
            code,
            panel: d.panel,
            session,
            quiet: d.quiet,
            input,
            asset: d.asset.or(d.card),
            identity: d.identity,
            question: self.question.clone(),
            mode_object: d.mode_object,
        }
    }
}

/// Whether an outcome wants the asset's card on the panel (a found asset,
/// not a quiet repeat and not an outcome that set a panel of its own).
fn wants_card(o: &Outcome) -> bool {
    !o.quiet && o.panel.is_none()
}

/// The code an input carries, for the last-scans list.
fn code_of(input: &Input) -> Option<String> {
    match input {
        Input::Scan(s) => Some(String::from_utf8_lossy(&s.raw).into_owned()),
        Input::Rfid(r) => Some(hex::encode_upper(&r.epc)),
        _ => None,
    }
}

/// Whether a write failed because another process holds the write lock.
fn is_busy(e: &StoreError) -> bool {
    matches!(e, StoreError::Sqlite(s)
        if matches!(s.sqlite_error_code(),
            Some(rusqlite::ffi::ErrorCode::DatabaseBusy | rusqlite::ffi::ErrorCode::DatabaseLocked)))
}
