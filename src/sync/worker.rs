//! The sync worker: journal after the cursor → plan → operations → upstream →
//! done.
//!
//! It owns its own store connection (another writer beside the station, like
//! an import) and never holds a write transaction across a request:
//! 1. **plan**: one short transaction reads events after the cursor, inserts
//!    their operations ([`super::plan`]) and moves the cursor;
//! 2. **claim**: one short transaction marks up to [`BATCH`] runnable
//!    operations `in_flight` (one per asset: an asset's operations apply in
//!    order, and a parked one holds back that asset's later ones only);
//! 3. **apply**: each one is resolved from the store into a [`Job`] and sent;
//! 4. **record**: one short transaction per answer — done (with the ids the
//!    upstream taught us), retry after a backoff, or parked with the reason.
//!
//! A crash between 2 and 4 leaves operations `in_flight`: they run again as
//! *uncertain*, and the upstream checks whether the first attempt took effect
//! before sending again.

use super::config::UpstreamConfig;
use super::pace::{backoff_ms, Clock};
use super::plan::{self, Op};
use super::{Action, AssetRef, Job, ModelSpec, Named, NewRemoteAsset, Upstream, UpstreamError};
use crate::store::sync_state::{self as state, NewOp, OpRow};
use crate::store::{self, Store, StoreError};
use rand::{Rng, SeedableRng};
use rusqlite::Connection;

/// Operations claimed (marked in flight) per transaction.
pub const BATCH: usize = 64;
/// Journal events planned per transaction.
const PLAN_BATCH: usize = 1000;

/// Why syncing stopped.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("syncing stopped: {0}")]
    Upstream(UpstreamError),
}

/// Retry timing.
#[derive(Debug, Clone, Copy)]
pub struct Retry {
    pub base_ms: u64,
    pub cap_ms: u64,
}

impl Default for Retry {
    fn default() -> Self {
        Retry {
            base_ms: 1_000,
            cap_ms: 300_000,
        }
    }
}

/// What one pass did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pass {
    pub planned: usize,
    pub done: usize,
    pub retried: usize,
    pub parked: usize,
}

impl Pass {
    fn add(&mut self, o: Pass) {
        self.planned += o.planned;
        self.done += o.done;
        self.retried += o.retried;
        self.parked += o.parked;
    }
}

/// What the station's header shows about syncing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Health {
    /// Whether the upstream answered the last request (`None`: nothing was
    /// sent yet).
    pub online: Option<bool>,
    /// Operations not done yet (pending or in flight), parked ones aside.
    pub queued: u64,
    pub parked: u64,
}

impl Health {
    /// One short line: `online · 12 queued · 1 parked`.
    pub fn line(&self) -> String {
        let state = match self.online {
            Some(true) => "online",
            Some(false) => "offline",
            None => "idle",
        };
        format!("{state} · {} queued · {} parked", self.queued, self.parked)
    }
}

/// The worker for one upstream.
pub struct Worker<U> {
    online: Option<bool>,
    store: Store,
    upstream: U,
    name: String,
    cfg: UpstreamConfig,
    clock: Clock,
    retry: Retry,
    rng: rand::rngs::StdRng,
}

impl<U: Upstream> Worker<U> {
    /// A worker keeping its state under `name` (`snipeit`, `webhook`).
    pub fn new(store: Store, upstream: U, name: &str, cfg: UpstreamConfig, clock: Clock) -> Self {
        Worker {
            online: None,
            store,
            upstream,
            name: name.to_string(),
            cfg,
            clock,
            retry: Retry::default(),
            rng: rand::rngs::StdRng::from_os_rng(),
        }
    }

    /// Other retry timing and a fixed jitter seed (tests).
    pub fn with_retry(mut self, retry: Retry, seed: u64) -> Self {
        self.retry = retry;
        self.rng = rand::rngs::StdRng::seed_from_u64(seed);
        self
    }

    /// The store (for status, tests).
    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The upstream (tests inspect a fake's view).
    pub fn upstream_mut(&mut self) -> &mut U {
        &mut self.upstream
    }

    /// Plans every event after the cursor; returns how many operations.
    pub fn plan_new(&mut self) -> Result<usize, StoreError> {
        let mut total = 0;
        loop {
            let tx = self.store.write()?;
            let from = state::cursor(tx.conn(), &self.name)?;
            let events = store::journal::read_since(tx.conn(), from, PLAN_BATCH)?;
            let Some(last) = events.last().map(|e| e.seq) else {
                return Ok(total);
            };
            let mut ops = Vec::new();
            for e in &events {
                for (i, op) in plan::plan(&e.kind, &e.payload, e.training)
                    .into_iter()
                    .enumerate()
                {
                    ops.push(NewOp {
                        seq: e.seq,
                        idx: i64::try_from(i).unwrap_or(i64::MAX),
                        asset_id: op.asset_id(),
                        op: op.name().to_string(),
                        args: serde_json::to_string(&op).map_err(|e| StoreError::Invalid {
                            what: "sync operation",
                            detail: e.to_string(),
                        })?,
                    });
                }
            }
            state::record_plan(tx.conn(), &self.name, last, &ops)?;
            tx.commit()?;
            total += ops.len();
        }
    }

    /// Plans, then applies what is runnable now (one batch). A 401 stops it.
    ///
    /// The answers are recorded together at the end of the batch (one
    /// transaction, one fsync): the in-flight marks were committed before
    /// any request was sent, so a crash before this commit leaves them in
    /// flight, and they are checked before they are sent again. Ids learned
    /// from the upstream are stored at once.
    pub async fn pass(&mut self) -> Result<Pass, SyncError> {
        let mut p = Pass {
            planned: self.plan_new()?,
            ..Pass::default()
        };
        let now = self.clock.now_ms();
        let tx = self.store.write()?;
        let batch = state::runnable(tx.conn(), &self.name, now, BATCH)?;
        let ids: Vec<i64> = batch.iter().map(|o| o.id).collect();
        state::mark_in_flight(tx.conn(), &ids)?;
        tx.commit()?;
        let mut marks = Vec::with_capacity(batch.len());
        for (i, row) in batch.iter().enumerate() {
            match self.apply_one(row).await {
                Ok(mark) => {
                    p.add(mark.counts());
                    marks.push((row.id, mark));
                }
                Err(stop) => {
                    // Not sent: back to pending without counting the attempt.
                    let at = match &stop {
                        Stop::Throttled(ms) => self.clock.now_ms() + ms,
                        Stop::Fatal(_) => self.clock.now_ms(),
                    };
                    let tx = self.store.write()?;
                    record_marks(tx.conn(), &marks)?;
                    for r in &batch[i..] {
                        state::unsend(tx.conn(), r.id, at)?;
                    }
                    tx.commit()?;
                    match stop {
                        Stop::Throttled(_) => return Ok(p),
                        Stop::Fatal(e) => return Err(e),
                    }
                }
            }
        }
        if !marks.is_empty() {
            let tx = self.store.write()?;
            record_marks(tx.conn(), &marks)?;
            tx.commit()?;
        }
        Ok(p)
    }

    async fn apply_one(&mut self, row: &OpRow) -> Result<Mark, Stop> {
        // Left in flight by a crash: it may have been applied.
        let uncertain = row.uncertain || row.state == "in_flight";
        let job = match self.resolve(row, uncertain) {
            Ok(j) => j,
            Err(Resolve::Park(reason)) => return Ok(Mark::Parked { reason, uncertain }),
            Err(Resolve::Store(e)) => return Err(Stop::Fatal(e.into())),
        };
        let result = self.upstream.apply(&job).await;
        self.online = Some(!matches!(result, Err(UpstreamError::Transient { .. })));
        let learned = self.upstream.take_learned();
        if !learned.is_empty() {
            let name = self.name.clone();
            self.record(|c| {
                for l in &learned {
                    let extra = match l.status {
                        Some(st) => serde_json::json!({ "status_id": st }).to_string(),
                        None => "{}".to_string(),
                    };
                    state::put_ref(c, &name, l.kind, l.remote_id, &l.name, l.local_id, &extra)?;
                }
                Ok(())
            })?;
        }
        match result {
            Ok(()) => Ok(Mark::Done),
            Err(UpstreamError::Transient {
                detail,
                maybe_applied,
            }) => {
                let attempts = u32::try_from(row.attempts + 1).unwrap_or(u32::MAX);
                let wait = backoff_ms(
                    attempts,
                    self.retry.base_ms,
                    self.retry.cap_ms,
                    self.rng.random::<f64>(),
                );
                let at = self.clock.now_ms() + i64::try_from(wait).unwrap_or(i64::MAX / 2);
                tracing::info!(op = row.id, seq = row.seq, "retry in {wait} ms: {detail}");
                Ok(Mark::Retry {
                    detail,
                    at,
                    uncertain: uncertain || maybe_applied,
                })
            }
            Err(UpstreamError::Throttled { wait }) => {
                let ms = i64::try_from(wait.as_millis()).unwrap_or(i64::MAX / 2);
                tracing::info!("upstream throttled: waiting {ms} ms");
                Err(Stop::Throttled(ms))
            }
            Err(UpstreamError::Unauthorized) => Err(Stop::Fatal(SyncError::Upstream(
                UpstreamError::Unauthorized,
            ))),
            Err(e @ (UpstreamError::Rejected(_) | UpstreamError::Missing(_))) => {
                let reason = e.to_string();
                tracing::warn!(op = row.id, seq = row.seq, "parked: {reason}");
                Ok(Mark::Parked { reason, uncertain })
            }
        }
    }

    fn record(
        &mut self,
        f: impl FnOnce(&Connection) -> Result<(), StoreError>,
    ) -> Result<(), Stop> {
        let tx = self.store.write().map_err(|e| Stop::Fatal(e.into()))?;
        f(tx.conn()).map_err(|e| Stop::Fatal(e.into()))?;
        tx.commit().map_err(|e| Stop::Fatal(e.into()))
    }

    /// Runs until no operation is pending: waits out backoffs and throttle
    /// windows. Returns the totals; parked operations remain parked.
    pub async fn run_once(&mut self) -> Result<Pass, SyncError> {
        self.run_once_observed(|_| {}).await
    }

    /// As [`Worker::run_once`], telling `seen` what each pass did (a
    /// progress bar).
    pub async fn run_once_observed(
        &mut self,
        mut seen: impl FnMut(&Pass),
    ) -> Result<Pass, SyncError> {
        let mut total = Pass::default();
        loop {
            let p = self.pass().await?;
            seen(&p);
            total.add(p);
            if p.done + p.retried + p.parked > 0 {
                continue;
            }
            match state::next_due_ms(self.store.conn(), &self.name)? {
                None => return Ok(total),
                Some(due) => self.clock.sleep_ms(due - self.clock.now_ms()).await,
            }
        }
    }

    /// Runs until `stop` resolves, looking for new events every `poll_ms`.
    pub async fn run(
        &mut self,
        poll_ms: i64,
        stop: impl std::future::Future<Output = ()>,
    ) -> Result<Pass, SyncError> {
        self.run_reporting(poll_ms, stop, |_| {}).await
    }

    /// Online or not, queue length and parked count, from the store.
    pub fn health(&self) -> Result<Health, StoreError> {
        let k = state::counts(self.store.conn(), &self.name)?;
        Ok(Health {
            online: self.online,
            queued: k.pending + k.in_flight,
            parked: k.parked,
        })
    }

    /// As [`Worker::run`], telling `report` the [`Health`] after each pass
    /// (the station's header).
    pub async fn run_reporting(
        &mut self,
        poll_ms: i64,
        stop: impl std::future::Future<Output = ()>,
        mut report: impl FnMut(Health),
    ) -> Result<Pass, SyncError> {
        let mut total = Pass::default();
        tokio::pin!(stop);
        loop {
            let p = self.pass().await?;
            report(self.health()?);
            total.add(p);
            if p.done + p.retried + p.parked + p.planned > 0 {
                continue;
            }
            let due = state::next_due_ms(self.store.conn(), &self.name)?;
            let now = self.clock.now_ms();
            let wait = due.map_or(poll_ms, |d| (d - now).clamp(0, poll_ms));
            tokio::select! {
                _ = &mut stop => return Ok(total),
                _ = self.clock.sleep_ms(wait.max(1)) => {}
            }
        }
    }

    /// Reads what the operation needs from the store.
    fn resolve(&self, row: &OpRow, uncertain: bool) -> Result<Job, Resolve> {
        let c = self.store.conn();
        let op: Op = serde_json::from_str(&row.args)
            .map_err(|e| Resolve::Park(format!("operation {} cannot be read: {e}", row.id)))?;
        let action = match op {
            Op::CreateAsset(a) => {
                let a = *a;
                let asset = self.asset(c, a.asset_id, Some(&a.tag))?;
                let model = self.model(c, a.model_id)?;
                let status = self.status(c, &a.status)?;
                let supplier = match a.supplier_id {
                    Some(id) => store::vendors::get(c, id)?.map(|v| Named {
                        local_id: Some(id),
                        remote_id: self.remote(c, "supplier", id),
                        name: v.name,
                    }),
                    None => None,
                };
                let location = match a.location_id {
                    Some(id) => store::locations::get(c, id)?.map(|l| self.location_named(c, l)),
                    None => None,
                };
                let purchase_cost = a.cost_minor.map(|m| {
                    let cur = a.currency.as_deref().unwrap_or("USD");
                    crate::import::fields::format_cost(m, crate::import::fields::minor_digits(cur))
                });
                let warranty_months =
                    warranty_months(a.purchase_date.as_deref(), a.warranty_end.as_deref());
                Action::CreateAsset(Box::new(NewRemoteAsset {
                    asset,
                    serial: a.serial,
                    model,
                    status,
                    supplier,
                    location,
                    order_number: a.order_number,
                    purchase_date: a.purchase_date,
                    purchase_cost,
                    warranty_months,
                }))
            }
            Op::SetLocation { asset_id, location } => Action::SetLocation {
                asset: self.asset(c, asset_id, None)?,
                location: self.location_by_code(c, &location)?,
            },
            Op::SetStatus { asset_id, status } => Action::SetStatus {
                asset: self.asset(c, asset_id, None)?,
                status: self.status(c, &status)?,
            },
            Op::Checkin { asset_id, status } => Action::Checkin {
                asset: self.asset(c, asset_id, None)?,
                status: self.status(c, &status)?,
            },
            Op::Audit { asset_id, location } => Action::Audit {
                asset: self.asset(c, asset_id, None)?,
                location: match location {
                    Some(code) => Some(self.location_by_code(c, &code)?),
                    None => None,
                },
            },
            Op::UpdateAsset(u) => {
                let asset = self.asset(c, u.asset_id, None)?;
                Action::Update {
                    fields: update_fields(c, &u)?,
                    asset,
                }
            }
            Op::Maintenance(m) => Action::Maintenance {
                asset: self.asset(c, m.asset_id, None)?,
                title: maintenance_title(&m),
                start_date: day(m.started.as_deref()).unwrap_or_else(|| {
                    day(Some(&row.event_at)).unwrap_or_else(|| row.event_at.clone())
                }),
                completion_date: day(m.ended.as_deref()),
                notes: maintenance_notes(&m),
            },
        };
        Ok(Job {
            op_id: row.id,
            seq: row.seq,
            event_uuid: row.event_uuid.clone(),
            event_at: row.event_at.clone(),
            uncertain,
            action,
        })
    }

    fn remote(&self, c: &Connection, kind: &str, local: i64) -> Option<i64> {
        state::remote_id(c, &self.name, kind, local).ok().flatten()
    }

    fn asset(&self, c: &Connection, id: i64, tag: Option<&str>) -> Result<AssetRef, Resolve> {
        let tag = match store::identifiers::first_of_kind(c, id, "asset_tag")? {
            Some(t) => t,
            None => tag
                .map(str::to_string)
                .ok_or_else(|| Resolve::Park(format!("asset #{id} has no asset tag")))?,
        };
        let (remote_id, known_status) =
            match state::remote_ref(c, &self.name, "asset", id).ok().flatten() {
                Some((remote, extra)) => (
                    Some(remote),
                    serde_json::from_str::<serde_json::Value>(&extra)
                        .ok()
                        .and_then(|v| v.get("status_id").and_then(serde_json::Value::as_i64)),
                ),
                None => (None, None),
            };
        Ok(AssetRef {
            local_id: id,
            tag,
            remote_id,
            known_status,
        })
    }

    fn model(&self, c: &Connection, id: Option<i64>) -> Result<ModelSpec, Resolve> {
        let row = match id {
            Some(id) => store::catalog::get_model(c, id)?,
            None => None,
        };
        let category_name = row
            .as_ref()
            .and_then(|m| m.category.clone())
            .unwrap_or_else(|| self.cfg.default_category.clone());
        let category = Named {
            local_id: row.as_ref().and_then(|m| m.category_id),
            remote_id: row
                .as_ref()
                .and_then(|m| m.category_id)
                .and_then(|id| self.remote(c, "category", id))
                .or_else(|| self.by_name(c, "category", &category_name)),
            name: category_name,
        };
        Ok(match row {
            Some(m) => ModelSpec {
                model: Named {
                    local_id: Some(m.id),
                    remote_id: self.remote(c, "model", m.id),
                    name: self.cfg.model_name(&m.name),
                },
                manufacturer: m.manufacturer.map(|name| Named {
                    local_id: m.manufacturer_id,
                    remote_id: m
                        .manufacturer_id
                        .and_then(|id| self.remote(c, "manufacturer", id)),
                    name,
                }),
                category,
            },
            None => ModelSpec {
                model: Named {
                    local_id: None,
                    remote_id: self.by_name(c, "model", &self.cfg.default_model),
                    name: self.cfg.default_model.clone(),
                },
                manufacturer: None,
                category,
            },
        })
    }

    fn by_name(&self, c: &Connection, kind: &str, name: &str) -> Option<i64> {
        state::remote_id_by_name(c, &self.name, kind, name)
            .ok()
            .flatten()
    }

    fn status(&self, c: &Connection, status: &str) -> Result<Named, Resolve> {
        let name = self.cfg.status_label(status).ok_or_else(|| {
            Resolve::Park(format!(
                "station status {status:?} has no upstream status label: map it in [upstream.statuses]"
            ))
        })?;
        Ok(Named {
            local_id: None,
            remote_id: self.by_name(c, "status_label", &name),
            name,
        })
    }

    fn location_named(&self, c: &Connection, l: store::locations::LocationRow) -> Named {
        Named {
            local_id: Some(l.id),
            remote_id: self.remote(c, "location", l.id),
            name: self.cfg.location_name(&l.code, &l.name),
        }
    }

    fn location_by_code(&self, c: &Connection, code: &str) -> Result<Named, Resolve> {
        Ok(match store::locations::by_code(c, code)? {
            Some(l) => self.location_named(c, l),
            None => Named {
                local_id: None,
                remote_id: None,
                name: self.cfg.location_name(code, code),
            },
        })
    }
}

/// Whole months from the purchase date to the warranty's end.
pub fn warranty_months(purchase: Option<&str>, end: Option<&str>) -> Option<u32> {
    let fmt = time::macros::format_description!("[year]-[month]-[day]");
    let p = time::Date::parse(purchase?, &fmt).ok()?;
    let e = time::Date::parse(end?, &fmt).ok()?;
    let months = (e.year() - p.year()) * 12 + i32::from(u8::from(e.month()))
        - i32::from(u8::from(p.month()))
        - i32::from(e.day() < p.day());
    u32::try_from(months).ok()
}

/// The `PATCH` body of an `update_asset`: Snipe-IT's field names, costs as
/// decimal text, the warranty in whole months from the purchase date (the
/// event's, else the asset's).
fn update_fields(
    c: &Connection,
    u: &plan::UpdateAsset,
) -> Result<serde_json::Map<String, serde_json::Value>, Resolve> {
    let mut f = serde_json::Map::new();
    for (k, v) in [
        ("serial", &u.serial),
        ("order_number", &u.order_number),
        ("purchase_date", &u.purchase_date),
    ] {
        if let Some(v) = v {
            f.insert(k.into(), v.clone().into());
        }
    }
    if let Some(m) = u.cost_minor {
        let cur = u.currency.as_deref().unwrap_or("USD");
        let text = crate::import::fields::format_cost(m, crate::import::fields::minor_digits(cur));
        f.insert("purchase_cost".into(), text.into());
    }
    if let Some(end) = &u.warranty_end {
        let purchase = match &u.purchase_date {
            Some(p) => Some(p.clone()),
            None => store::assets::get(c, u.asset_id)?.and_then(|a| a.purchase_date),
        };
        if let Some(m) = warranty_months(purchase.as_deref(), Some(end)) {
            f.insert("warranty_months".into(), m.into());
        }
    }
    Ok(f)
}

/// `2026-01-02T10:00:00Z` → `2026-01-02` (Snipe-IT's maintenance dates).
fn day(ts: Option<&str>) -> Option<String> {
    let d = ts?.get(..10)?;
    let ok = d.len() == 10 && d.as_bytes()[4] == b'-' && d.as_bytes()[7] == b'-';
    ok.then(|| d.to_string())
}

/// A maintenance record's title (Snipe-IT keeps 100 characters).
fn maintenance_title(m: &plan::Maintenance) -> String {
    let mut t = format!(
        "Data sanitization: {} {}",
        m.method.as_deref().unwrap_or("unknown method"),
        m.result.as_deref().unwrap_or("unknown result")
    );
    if let Some(s) = &m.serial {
        t.push_str(&format!(" (medium {s})"));
    }
    t.chars().take(100).collect()
}

/// The NIST 800-88 facts of a sanitization, one per line.
fn maintenance_notes(m: &plan::Maintenance) -> String {
    let mut lines = Vec::new();
    for (k, v) in [
        ("record", m.sanitization_id.map(|i| format!("#{i}"))),
        ("medium serial", m.serial.clone()),
        ("method", m.method.clone()),
        ("technique", m.technique.clone()),
        ("verification", m.verification.clone()),
        ("result", m.result.clone()),
        ("started", m.started.clone()),
        ("ended", m.ended.clone()),
        ("operator", m.operator.clone()),
        ("validator", m.validator.clone()),
        ("source", m.source.clone()),
    ] {
        if let Some(v) = v {
            lines.push(format!("{k}: {v}"));
        }
    }
    lines.join("\n")
}

/// What became of one operation, recorded with its batch.
enum Mark {
    Done,
    Retry {
        detail: String,
        at: i64,
        uncertain: bool,
    },
    Parked {
        reason: String,
        uncertain: bool,
    },
}

impl Mark {
    fn counts(&self) -> Pass {
        let mut p = Pass::default();
        match self {
            Mark::Done => p.done = 1,
            Mark::Retry { .. } => p.retried = 1,
            Mark::Parked { .. } => p.parked = 1,
        }
        p
    }
}

fn record_marks(c: &Connection, marks: &[(i64, Mark)]) -> Result<(), StoreError> {
    for (id, m) in marks {
        match m {
            Mark::Done => state::mark_done(c, *id)?,
            Mark::Retry {
                detail,
                at,
                uncertain,
            } => state::mark_retry(c, *id, detail, *at, *uncertain)?,
            Mark::Parked { reason, uncertain } => state::mark_parked(c, *id, reason, *uncertain)?,
        }
    }
    Ok(())
}

enum Stop {
    Throttled(i64),
    Fatal(SyncError),
}

impl From<Stop> for SyncError {
    fn from(s: Stop) -> SyncError {
        match s {
            Stop::Fatal(e) => e,
            Stop::Throttled(ms) => SyncError::Upstream(UpstreamError::Throttled {
                wait: std::time::Duration::from_millis(u64::try_from(ms).unwrap_or(0)),
            }),
        }
    }
}

enum Resolve {
    Park(String),
    Store(StoreError),
}

impl From<StoreError> for Resolve {
    fn from(e: StoreError) -> Self {
        Resolve::Store(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warranty_in_whole_months() {
        assert_eq!(
            warranty_months(Some("2026-01-15"), Some("2029-01-15")),
            Some(36)
        );
        assert_eq!(
            warranty_months(Some("2026-01-15"), Some("2029-01-14")),
            Some(35)
        );
        assert_eq!(
            warranty_months(Some("2026-01-15"), Some("2025-01-14")),
            None
        );
        assert_eq!(warranty_months(None, Some("2025-01-14")), None);
        assert_eq!(warranty_months(Some("x"), Some("2025-01-14")), None);
    }
}
