//! Keeps one reader running: open a session, and when it fails, say so and try
//! again with capped backoff, until shut down.
//!
//! Each reader gets its own task ([`spawn_all`]), so a reader that fails — a
//! port that vanished, a USB error, a TCP reset — never stops another reader or
//! the station. The backoff starts at 100 ms, doubles, and is capped at 2 s, so
//! a reader that comes back is reconnected within 2 s; it resets after a
//! session that ran for [`RESET_AFTER`], so a reader that drops once in a while
//! is retried at once.
//!
//! Status events go out on every change of state: `connecting` before the
//! first attempt, `lost` (or `error` when access was refused) with the error as
//! the detail, then `reconnecting`. A session sends `connected` itself once its
//! transport is open, since only it knows; its events pass through the
//! supervisor, which sends `connected` for a session that delivers a read
//! without having said so. The same failure repeated while the reader stays
//! away (a scanner that is unplugged) is reported once, not every retry.

use super::spec::{ResolvedSpec, Transport};
use super::{DeviceEvent, ReaderError};
use crate::input::{ReaderErrors, ReaderState, ReaderStatus};
use futures::future::BoxFuture;
use std::time::{Duration, SystemTime};
use tokio::sync::mpsc::Sender;
use tokio::task::JoinHandle;
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// The first retry delay.
pub const BACKOFF_FIRST: Duration = Duration::from_millis(100);
/// The longest retry delay: a returning reader is reconnected within this.
pub const BACKOFF_CAP: Duration = Duration::from_secs(2);
/// A session that ran at least this long resets the backoff.
pub const RESET_AFTER: Duration = Duration::from_secs(5);

/// Retry delays: 100 ms, 200, 400, 800, 1600, then 2000 ms each time.
#[derive(Debug, Clone)]
pub struct Backoff {
    next: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            next: BACKOFF_FIRST,
        }
    }
}

impl Backoff {
    /// The delay before the next attempt; each call doubles the one after.
    pub fn next_delay(&mut self) -> Duration {
        let d = self.next;
        self.next = (self.next * 2).min(BACKOFF_CAP);
        d
    }

    pub fn reset(&mut self) {
        self.next = BACKOFF_FIRST;
    }
}

/// One session of a reader: open the transport, read until it fails. The
/// supervisor owns the loop around it. A trait so that tests can script one.
pub trait Session: Send + Sync {
    fn run<'a>(
        &'a self,
        spec: &'a ResolvedSpec,
        tx: &'a Sender<DeviceEvent>,
        errors: &'a mut ReaderErrors,
    ) -> BoxFuture<'a, Result<(), ReaderError>>;
}

/// The real sessions, chosen by transport and protocol.
#[derive(Debug, Clone, Copy, Default)]
pub struct Sessions;

impl Session for Sessions {
    fn run<'a>(
        &'a self,
        spec: &'a ResolvedSpec,
        tx: &'a Sender<DeviceEvent>,
        errors: &'a mut ReaderErrors,
    ) -> BoxFuture<'a, Result<(), ReaderError>> {
        match &spec.transport {
            Transport::Usb(_) => Box::pin(super::usb::run_session(spec, tx, errors)),
            Transport::Serial(_) => Box::pin(super::serial::run_session(spec, tx, errors)),
            Transport::Tcp { .. } => {
                let opts = super::llrp::LlrpOptions::for_spec(spec);
                Box::pin(super::llrp::run_session_with(spec, opts, tx, errors))
            }
            Transport::Folder(_) => Box::pin(super::folder::run_session(spec, tx, errors)),
        }
    }
}

/// A status event for `spec`, stamped now.
pub fn status_event(
    spec: &ResolvedSpec,
    state: ReaderState,
    detail: impl Into<String>,
    errors: &ReaderErrors,
) -> DeviceEvent {
    DeviceEvent::Status(ReaderStatus {
        source: spec.display.clone(),
        state,
        detail: detail.into(),
        errors: *errors,
        tags: 0,
        at: SystemTime::now(),
    })
}

/// Runs `spec`'s reader until `shutdown` is cancelled or nobody listens on `tx`.
pub async fn supervise(spec: ResolvedSpec, tx: Sender<DeviceEvent>, shutdown: CancellationToken) {
    supervise_with(&Sessions, spec, tx, shutdown).await
}

/// [`supervise`] with the sessions given (tests pass a scripted one).
pub async fn supervise_with<S: Session + ?Sized>(
    sessions: &S,
    spec: ResolvedSpec,
    tx: Sender<DeviceEvent>,
    shutdown: CancellationToken,
) {
    let mut errors = ReaderErrors::default();
    let mut backoff = Backoff::default();
    // The failure last reported, so that the same one is not repeated.
    let mut reported: Option<String> = None;
    let detail = format!("opening {}", spec.transport.canonical());
    if !send(
        &tx,
        status_event(&spec, ReaderState::Connecting, detail, &errors),
    )
    .await
    {
        return;
    }
    loop {
        let started = Instant::now();
        let run = tokio::select! {
            r = run_relayed(sessions, &spec, &tx, &mut errors) => r,
            _ = shutdown.cancelled() => return,
        };
        let Some((result, connected)) = run else {
            return; // nobody listens any more
        };
        if shutdown.is_cancelled() || tx.is_closed() {
            return;
        }
        if connected {
            // A new loss after a good session is news, even if worded as before.
            reported = None;
        }
        if started.elapsed() >= RESET_AFTER {
            backoff.reset();
        }
        let (state, detail) = match &result {
            Ok(()) => (ReaderState::Lost, "the session ended".to_string()),
            Err(e) if access_refused(e) => (ReaderState::Error, e.to_string()),
            Err(e) => (ReaderState::Lost, e.to_string()),
        };
        let delay = backoff.next_delay();
        if reported.as_deref() != Some(detail.as_str()) {
            tracing::warn!(reader = %spec.display, "{detail}");
            if !send(&tx, status_event(&spec, state, detail.clone(), &errors)).await {
                return;
            }
            let retry = format!("retrying every {} ms at most", BACKOFF_CAP.as_millis());
            if !send(
                &tx,
                status_event(&spec, ReaderState::Reconnecting, retry, &errors),
            )
            .await
            {
                return;
            }
            reported = Some(detail);
        }
        tokio::select! {
            _ = tokio::time::sleep(delay) => {}
            _ = shutdown.cancelled() => return,
        }
    }
}

/// Runs one session with its events relayed through the supervisor, which
/// so learns whether the session connected. A session that delivers a read
/// without having said `connected` gets the status sent for it first.
/// `None` when the receiver is gone.
async fn run_relayed<S: Session + ?Sized>(
    sessions: &S,
    spec: &ResolvedSpec,
    tx: &Sender<DeviceEvent>,
    errors: &mut ReaderErrors,
) -> Option<(Result<(), ReaderError>, bool)> {
    let (inner_tx, mut inner_rx) = tokio::sync::mpsc::channel::<DeviceEvent>(RELAY_CAPACITY);
    let mut connected = false;
    let mut errors_seen = *errors;
    let result = {
        let session = sessions.run(spec, &inner_tx, errors);
        tokio::pin!(session);
        loop {
            tokio::select! {
                r = &mut session => break r,
                Some(event) = inner_rx.recv() => {
                    if !relay(spec, tx, event, &mut connected, &errors_seen).await {
                        return None;
                    }
                }
            }
        }
    };
    drop(inner_tx);
    errors_seen = *errors;
    // What the session queued before it ended. Not `recv().await`: a task the
    // session left behind may still hold a sender.
    while let Ok(event) = inner_rx.try_recv() {
        if !relay(spec, tx, event, &mut connected, &errors_seen).await {
            return None;
        }
    }
    Some((result, connected))
}

/// Events a session may queue before it waits for the relay.
const RELAY_CAPACITY: usize = 256;

async fn relay(
    spec: &ResolvedSpec,
    tx: &Sender<DeviceEvent>,
    event: DeviceEvent,
    connected: &mut bool,
    errors: &ReaderErrors,
) -> bool {
    match &event {
        DeviceEvent::Status(s) if s.state == ReaderState::Connected => *connected = true,
        DeviceEvent::Scan(_) | DeviceEvent::Rfid(_) if !*connected => {
            *connected = true;
            let up = status_event(spec, ReaderState::Connected, "reading", errors);
            if !send(tx, up).await {
                return false;
            }
        }
        _ => {}
    }
    send(tx, event).await
}

/// False when the receiver is gone (the station or monitor is shutting down).
async fn send(tx: &Sender<DeviceEvent>, event: DeviceEvent) -> bool {
    tx.send(event).await.is_ok()
}

/// Access refused is an operator's problem (udev rules, group), not a glitch:
/// shown as `error` rather than `lost`. Still retried, in case it is fixed.
fn access_refused(e: &ReaderError) -> bool {
    match e {
        ReaderError::Open { source, .. } | ReaderError::Io { source, .. } => {
            source.kind() == std::io::ErrorKind::PermissionDenied
        }
        _ => false,
    }
}

/// One supervised task per reader; they run until aborted or until `tx`'s
/// receiver is dropped.
pub fn spawn_all(specs: Vec<ResolvedSpec>, tx: Sender<DeviceEvent>) -> Vec<JoinHandle<()>> {
    spawn_all_until(specs, tx, CancellationToken::new())
}

/// [`spawn_all`] with a shutdown token: cancel it and the tasks end (USB
/// sessions release their interface on the way out).
pub fn spawn_all_until(
    specs: Vec<ResolvedSpec>,
    tx: Sender<DeviceEvent>,
    shutdown: CancellationToken,
) -> Vec<JoinHandle<()>> {
    specs
        .into_iter()
        .map(|spec| tokio::spawn(supervise(spec, tx.clone(), shutdown.clone())))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_schedule() {
        let mut b = Backoff::default();
        let ms: Vec<u128> = (0..8).map(|_| b.next_delay().as_millis()).collect();
        assert_eq!(ms, [100, 200, 400, 800, 1600, 2000, 2000, 2000]);
        b.reset();
        assert_eq!(b.next_delay(), BACKOFF_FIRST);
    }
}
