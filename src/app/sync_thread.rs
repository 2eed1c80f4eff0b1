//! The sync worker beside the station: its own thread, its own tokio runtime
//! and its own SQLite connection, so a slow or absent upstream never delays a
//! scan (the station stays fully usable offline), and its short write
//! transactions never span a request (see `sync::worker`). It reports
//! online/offline, queue length and parked count to the header after every
//! pass; a token problem is shown there, not fatal to the station.

use crate::store::Store;
use crate::sync::config::{self, UpstreamConfig, UpstreamKind};
use crate::sync::pace::Clock;
use crate::sync::snipeit::SnipeIt;
use crate::sync::worker::{SyncError, Worker};
use crate::sync::{Upstream, UpstreamError};
use crate::ui::UiEvent;
use std::time::Duration;
use tokio::sync::mpsc::UnboundedSender;
use tokio_util::sync::CancellationToken;

/// How often the worker looks for new journal events when idle.
const POLL_MS: i64 = 2_000;
/// How long it waits before starting again after a store error.
const AGAIN_AFTER: Duration = Duration::from_secs(5);

/// Starts the worker for `[upstream]` on `store` (a connection of its own,
/// from [`Store::another`]: never a second `Store::open` in this process).
/// Returns at once; the thread ends when `stop` is cancelled (it is not
/// joined: an operation cut off in flight is checked before it is sent
/// again).
pub fn spawn(
    cfg: UpstreamConfig,
    store: Store,
    ui: UnboundedSender<UiEvent>,
    stop: CancellationToken,
) {
    let spawned = std::thread::Builder::new()
        .name("sync".into())
        .spawn(move || run(cfg, store, &ui, stop));
    if let Err(e) = spawned {
        tracing::warn!("the sync worker cannot start: {e}");
    }
}

fn run(cfg: UpstreamConfig, store: Store, ui: &UnboundedSender<UiEvent>, stop: CancellationToken) {
    let say = |line: String| {
        let _ = ui.send(UiEvent::Sync(line));
    };
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return say(format!("not running: {e}")),
    };
    let client = match connect(&cfg) {
        Ok(c) => c,
        Err(problem) => {
            tracing::warn!("sync: {problem}");
            return say(format!("not running: {problem}"));
        }
    };
    rt.block_on(drive(client, cfg, store, &say, stop));
}

/// The Snipe-IT client for `[upstream]`: a missing or loose token file is a
/// message for the header.
fn connect(cfg: &UpstreamConfig) -> Result<SnipeIt, String> {
    if cfg.kind == UpstreamKind::Webhook {
        return Err("the webhook upstream runs with `scanstation sync`".into());
    }
    let token = config::read_secret(
        cfg.token_file.as_deref(),
        "SCANSTATION_UPSTREAM_TOKEN",
        "token_file",
        "API token",
    )
    .map_err(|e| e.to_string())?;
    SnipeIt::new(cfg, token, Clock::new()).map_err(|e| e.to_string())
}

/// Runs a worker until `stop`; a store error (the station's file busy for
/// too long) pauses it and it starts again; a refused token stops it.
async fn drive<U: Upstream>(
    upstream: U,
    cfg: UpstreamConfig,
    store: Store,
    say: &impl Fn(String),
    stop: CancellationToken,
) {
    let name = cfg.kind.as_str().to_string();
    // The header says sync is there before the first batch has answered,
    // which under a slow or failing upstream takes a while.
    if let Ok(c) = crate::store::sync_state::counts(store.conn(), &name) {
        say(format!(
            "starting · {} queued · {} parked",
            c.pending + c.in_flight,
            c.parked
        ));
    }
    let mut worker = Worker::new(store, upstream, &name, cfg, Clock::new());
    loop {
        let outcome = worker
            .run_reporting(POLL_MS, stop.clone().cancelled_owned(), |h| say(h.line()))
            .await;
        match outcome {
            Ok(_) => return,
            Err(SyncError::Upstream(UpstreamError::Unauthorized)) => {
                return say("stopped: the upstream refused the API token (HTTP 401)".into())
            }
            Err(e) => {
                tracing::warn!("sync paused: {e}");
                say(format!("paused: {e}"));
                tokio::select! {
                    _ = stop.cancelled() => return,
                    _ = tokio::time::sleep(AGAIN_AFTER) => {}
                }
            }
        }
    }
}
