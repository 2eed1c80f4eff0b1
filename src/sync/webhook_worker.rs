//! The webhook's worker: journal after the cursor → one `post_event`
//! operation per event that is not training → POST → done.
//!
//! The webhook sends events, not upstream operations, so it does not use the
//! Snipe-IT plan; it keeps its state in the same tables
//! ([`crate::store::sync_state`], upstream name [`UPSTREAM`]) with the same
//! life: planned with the cursor in one transaction, marked `in_flight` and
//! committed before the request, answered in a second short transaction;
//! never a write transaction across a request. An event that names an asset
//! (`asset_id`) waits behind that asset's earlier unfinished events, so a
//! parked one holds back its asset's later events and nothing else.
//!
//! A crash leaves events `in_flight`; they are sent again with the same
//! `Idempotency-Key` and the receiver drops the copy.

use super::pace::{backoff_ms, Clock};
use super::webhook::{Webhook, WebhookError};
use super::worker::{Pass, Retry, BATCH};
use crate::store::sync_state::{self as state, NewOp, OpRow};
use crate::store::{self, EventRef, Store, StoreError};
use rand::{Rng, SeedableRng};
use rusqlite::Connection;

/// The name the webhook's sync state is kept under.
pub const UPSTREAM: &str = "webhook";
/// The one operation: POST the event.
pub const OP: &str = "post_event";
/// Journal events planned per transaction.
const PLAN_BATCH: usize = 1000;

/// Why webhook syncing stopped.
#[derive(Debug, thiserror::Error)]
pub enum WebhookSyncError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("syncing stopped: {0}")]
    Refused(WebhookError),
}

/// The operations an event asks of the webhook: one, unless it is training.
/// The asset it names (if any) orders it behind that asset's earlier events.
pub fn plan(event: &store::EventRow) -> Option<NewOp> {
    (!event.training).then(|| NewOp {
        seq: event.seq,
        idx: 0,
        asset_id: event.payload.get("asset_id").and_then(|v| v.as_i64()),
        op: OP.to_string(),
        args: "{}".to_string(),
    })
}

/// The worker for the webhook.
pub struct WebhookWorker {
    store: Store,
    hook: Webhook,
    clock: Clock,
    retry: Retry,
    rng: rand::rngs::StdRng,
}

enum Stop {
    Throttled(i64),
    Fatal(WebhookSyncError),
}

impl From<StoreError> for Stop {
    fn from(e: StoreError) -> Stop {
        Stop::Fatal(e.into())
    }
}

impl WebhookWorker {
    pub fn new(store: Store, hook: Webhook, clock: Clock) -> WebhookWorker {
        WebhookWorker {
            store,
            hook,
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

    /// Plans every event after the cursor; returns how many operations.
    pub fn plan_new(&mut self) -> Result<usize, StoreError> {
        let mut total = 0;
        loop {
            let tx = self.store.write()?;
            let from = state::cursor(tx.conn(), UPSTREAM)?;
            let events = store::journal::read_since(tx.conn(), from, PLAN_BATCH)?;
            let Some(last) = events.last().map(|e| e.seq) else {
                return Ok(total);
            };
            let ops: Vec<NewOp> = events.iter().filter_map(plan).collect();
            state::record_plan(tx.conn(), UPSTREAM, last, &ops)?;
            tx.commit()?;
            total += ops.len();
        }
    }

    /// Plans, then sends what is due now (one batch, each carrying the
    /// journal head read when the batch was claimed). A 401/403 stops it.
    pub async fn pass(&mut self) -> Result<Pass, WebhookSyncError> {
        let mut p = Pass {
            planned: self.plan_new()?,
            ..Pass::default()
        };
        let now = self.clock.now_ms();
        let tx = self.store.write()?;
        let batch = state::runnable(tx.conn(), UPSTREAM, now, BATCH)?;
        let ids: Vec<i64> = batch.iter().map(|o| o.id).collect();
        state::mark_in_flight(tx.conn(), &ids)?;
        let head = store::journal::head(tx.conn())?;
        tx.commit()?;
        for (i, row) in batch.iter().enumerate() {
            match self.send_one(row, &head).await {
                Ok(o) => {
                    p.done += o.done;
                    p.retried += o.retried;
                    p.parked += o.parked;
                }
                Err(stop) => {
                    // Throttled or refused: this one and the rest go back to
                    // pending without counting the attempt.
                    let at = match &stop {
                        Stop::Throttled(ms) => self.clock.now_ms() + ms,
                        Stop::Fatal(_) => self.clock.now_ms(),
                    };
                    let tx = self.store.write()?;
                    for r in &batch[i..] {
                        state::unsend(tx.conn(), r.id, at)?;
                    }
                    tx.commit()?;
                    return match stop {
                        Stop::Throttled(_) => Ok(p),
                        Stop::Fatal(e) => Err(e),
                    };
                }
            }
        }
        Ok(p)
    }

    async fn send_one(&mut self, row: &OpRow, head: &EventRef) -> Result<Pass, Stop> {
        let mut p = Pass::default();
        let again = row.uncertain || row.state == "in_flight";
        let Some(event) = store::journal::get(self.store.conn(), row.seq)? else {
            let reason = format!("journal event #{} is not in the store", row.seq);
            self.record(|c| state::mark_parked(c, row.id, &reason, again))?;
            p.parked = 1;
            return Ok(p);
        };
        match self.hook.post(&event, head).await {
            Ok(()) => {
                self.record(|c| state::mark_done(c, row.id))?;
                p.done = 1;
            }
            Err(WebhookError::Transient(detail)) => {
                let attempts = u32::try_from(row.attempts + 1).unwrap_or(u32::MAX);
                let wait = backoff_ms(
                    attempts,
                    self.retry.base_ms,
                    self.retry.cap_ms,
                    self.rng.random::<f64>(),
                );
                let at = self.clock.now_ms() + i64::try_from(wait).unwrap_or(i64::MAX / 2);
                tracing::info!(
                    op = row.id,
                    seq = row.seq,
                    "webhook: retry in {wait} ms: {detail}"
                );
                // Whether or not it arrived, the next attempt is the same
                // request: the receiver dedupes by Idempotency-Key.
                self.record(|c| state::mark_retry(c, row.id, &detail, at, true))?;
                p.retried = 1;
            }
            Err(WebhookError::Throttled { wait }) => {
                let ms = i64::try_from(wait.as_millis()).unwrap_or(i64::MAX / 2);
                tracing::info!("webhook receiver throttled: waiting {ms} ms");
                return Err(Stop::Throttled(ms));
            }
            Err(e @ WebhookError::Refused { .. }) => {
                tracing::warn!("webhook: {e}");
                return Err(Stop::Fatal(WebhookSyncError::Refused(e)));
            }
            Err(e @ WebhookError::Rejected { .. }) => {
                let reason = e.to_string();
                tracing::warn!(op = row.id, seq = row.seq, "webhook: parked: {reason}");
                self.record(|c| state::mark_parked(c, row.id, &reason, again))?;
                p.parked = 1;
            }
        }
        Ok(p)
    }

    fn record(
        &mut self,
        f: impl FnOnce(&Connection) -> Result<(), StoreError>,
    ) -> Result<(), Stop> {
        let tx = self.store.write()?;
        f(tx.conn())?;
        Ok(tx.commit()?)
    }

    /// Runs until nothing is pending, waiting out backoffs and throttle
    /// windows. Parked events stay parked.
    pub async fn run_once(&mut self) -> Result<Pass, WebhookSyncError> {
        let mut total = Pass::default();
        loop {
            let p = self.pass().await?;
            add(&mut total, p);
            if p.done + p.retried + p.parked > 0 {
                continue;
            }
            match state::next_due_ms(self.store.conn(), UPSTREAM)? {
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
    ) -> Result<Pass, WebhookSyncError> {
        let mut total = Pass::default();
        tokio::pin!(stop);
        loop {
            let p = self.pass().await?;
            add(&mut total, p);
            if p.done + p.retried + p.parked + p.planned > 0 {
                continue;
            }
            let due = state::next_due_ms(self.store.conn(), UPSTREAM)?;
            let now = self.clock.now_ms();
            let wait = due.map_or(poll_ms, |d| (d - now).clamp(0, poll_ms));
            tokio::select! {
                _ = &mut stop => return Ok(total),
                _ = self.clock.sleep_ms(wait.max(1)) => {}
            }
        }
    }
}

fn add(total: &mut Pass, p: Pass) {
    total.planned += p.planned;
    total.done += p.done;
    total.retried += p.retried;
    total.parked += p.parked;
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn row(seq: i64, training: bool, payload: serde_json::Value) -> store::EventRow {
        store::EventRow {
            seq,
            uuid: "u".into(),
            at: "t".into(),
            station: "s".into(),
            operator: None,
            kind: "k".into(),
            training,
            payload,
            prev_hash: String::new(),
            hash: String::new(),
        }
    }

    #[test]
    fn every_event_but_training_is_sent_and_asset_events_keep_their_order() {
        let p = plan(&row(3, false, json!({"asset_id": 7, "to": "R2"}))).unwrap();
        assert_eq!(
            (p.seq, p.idx, p.asset_id, p.op.as_str()),
            (3, 0, Some(7), OP)
        );
        let p = plan(&row(4, false, json!({"text": "A-1"}))).unwrap();
        assert_eq!(p.asset_id, None);
        let p = plan(&row(5, false, json!({"asset_id": "7"}))).unwrap();
        assert_eq!(p.asset_id, None, "only an integer asset_id names an asset");
        assert!(plan(&row(6, true, json!({"asset_id": 7}))).is_none());
    }
}
