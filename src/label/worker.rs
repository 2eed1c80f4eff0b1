//! The label worker: this station's queued label jobs, oldest first, to
//! `[labels] printer`.
//!
//! It owns its own store connection (a writer beside the station thread, as
//! the sync worker is) and holds no transaction while a job is sent: it reads
//! the oldest queued job, sends it, then records the answer in one short
//! transaction. So a slow or absent printer never delays a scan, and a
//! receipt is recorded whether its label prints or not.
//!
//! What an answer means is decided by plain functions ([`verdict`],
//! [`backoff`]):
//! * printed → the job is `printed`, the next one goes at once;
//! * the printer is not there (switched off, unplugged, unreachable) → the job
//!   stays queued with its attempt and error, and the worker waits a capped
//!   exponential backoff before trying the printer again (every queued job
//!   waits behind it: labels come out in the order they were made);
//! * the printer can never take this job (no label data, a directory where
//!   its file should go) → the job is `failed` with the reason, and the next
//!   one goes.
//!
//! A crash after a job reached the printer and before it was marked printed
//! prints that label again on restart: a spare label rather than a missing one.
//! Waiting uses tokio's clock, so the timing is tested under a paused clock.

use super::printer::{PrintError, Printer};
use crate::store::label_jobs::{self, Counts, JobRow};
use crate::store::{Store, StoreError};
use std::time::{Duration, SystemTime};

/// Retry timing for an absent printer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Retry {
    pub base: Duration,
    pub cap: Duration,
}

impl Default for Retry {
    /// 1 s, doubling to 30 s: a printer switched back on prints within 30 s.
    fn default() -> Self {
        Retry {
            base: Duration::from_secs(1),
            cap: Duration::from_secs(30),
        }
    }
}

/// The wait after the `failures`-th attempt in a row that found the printer
/// absent (1 = the first): `min(cap, base·2^(failures-1))`.
pub fn backoff(failures: u32, retry: Retry) -> Duration {
    let exp = failures.saturating_sub(1).min(30);
    retry
        .base
        .checked_mul(1u32 << exp)
        .unwrap_or(retry.cap)
        .min(retry.cap)
}

/// What an attempt means for its job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Printed,
    /// The printer is absent: the job stays queued.
    Retry(String),
    /// The printer can never take it: the job fails with the reason.
    Failed(String),
}

/// Why a job cannot be sent at all, before any printer is asked.
pub fn unsendable(job: &JobRow) -> Option<String> {
    if job.zpl.is_empty() {
        return Some(format!("job {} ({}) has no label data", job.id, job.name));
    }
    None
}

/// The verdict on a send's result.
pub fn verdict(sent: &Result<(), PrintError>) -> Verdict {
    match sent {
        Ok(()) => Verdict::Printed,
        Err(e @ PrintError::Unavailable { .. }) => Verdict::Retry(e.to_string()),
        Err(e @ PrintError::Refused { .. }) => Verdict::Failed(e.to_string()),
    }
}

/// What one step did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// Nothing queued.
    Idle,
    Printed {
        id: i64,
        name: String,
    },
    /// The printer is absent: try again after `wait`.
    Waiting {
        wait: Duration,
        error: String,
    },
    Failed {
        id: i64,
        name: String,
        error: String,
    },
}

/// What [`Worker::drain`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Drained {
    pub printed: u64,
    pub failed: u64,
    /// Still queued afterwards.
    pub queued: u64,
    /// Why it stopped with jobs queued (the printer was absent).
    pub waiting: Option<String>,
}

/// A station's label worker.
pub struct Worker {
    store: Store,
    printer: Box<dyn Printer + Send>,
    station: String,
    retry: Retry,
    /// Attempts in a row that found the printer absent.
    failures: u32,
}

impl Worker {
    /// A worker for `station`'s jobs on its own store connection.
    pub fn new(store: Store, printer: Box<dyn Printer + Send>, station: &str) -> Worker {
        Worker {
            store,
            printer,
            station: station.to_string(),
            retry: Retry::default(),
            failures: 0,
        }
    }

    pub fn with_retry(mut self, retry: Retry) -> Worker {
        self.retry = retry;
        self
    }

    /// The printer as configured, for messages.
    pub fn printer(&self) -> String {
        self.printer.describe()
    }

    /// This station's queued and failed jobs.
    pub fn counts(&self) -> Result<Counts, StoreError> {
        label_jobs::counts(self.store.conn(), &self.station)
    }

    /// Sends the oldest queued job once and records what became of it.
    pub fn step(&mut self) -> Result<Step, StoreError> {
        let Some(job) = label_jobs::next_queued(self.store.conn(), &self.station)? else {
            return Ok(Step::Idle);
        };
        let v = match unsendable(&job) {
            Some(why) => Verdict::Failed(why),
            None => verdict(&self.printer.send(&job.name, &job.zpl)),
        };
        let tx = self.store.write()?;
        let step = match v {
            Verdict::Printed => {
                let at = crate::timefmt::rfc3339_millis(SystemTime::now());
                label_jobs::mark_printed(tx.conn(), job.id, &at)?;
                self.failures = 0;
                Step::Printed {
                    id: job.id,
                    name: job.name,
                }
            }
            Verdict::Retry(error) => {
                label_jobs::mark_retry(tx.conn(), job.id, &error)?;
                self.failures = self.failures.saturating_add(1);
                Step::Waiting {
                    wait: backoff(self.failures, self.retry),
                    error,
                }
            }
            Verdict::Failed(error) => {
                label_jobs::mark_failed(tx.conn(), job.id, &error)?;
                tracing::warn!("label {} failed: {error}", job.name);
                Step::Failed {
                    id: job.id,
                    name: job.name,
                    error,
                }
            }
        };
        tx.commit()?;
        Ok(step)
    }

    /// Sends every queued job once, oldest first; stops at an absent
    /// printer (the rest stay queued). For `feed` and `label --print-queued`.
    pub fn drain(&mut self) -> Result<Drained, StoreError> {
        let mut d = Drained::default();
        loop {
            match self.step()? {
                Step::Idle => break,
                Step::Printed { .. } => d.printed += 1,
                Step::Failed { .. } => d.failed += 1,
                Step::Waiting { error, .. } => {
                    d.waiting = Some(error);
                    break;
                }
            }
        }
        d.queued = self.counts()?.queued;
        Ok(d)
    }

    /// Runs until `stop` resolves: prints what is queued, looks for new jobs
    /// every `poll` when idle, waits out the backoff while the printer is
    /// absent, and calls `status` with the counts whenever they change. A
    /// store error (another writer holding the lock too long) is logged and
    /// tried again after `poll`.
    pub async fn run(
        &mut self,
        poll: Duration,
        stop: impl std::future::Future<Output = ()>,
        mut status: impl FnMut(Counts),
    ) {
        tokio::pin!(stop);
        let mut shown: Option<Counts> = None;
        loop {
            let wait = match self.step() {
                Ok(Step::Printed { .. } | Step::Failed { .. }) => Duration::ZERO,
                Ok(Step::Idle) => poll,
                Ok(Step::Waiting { wait, .. }) => wait,
                Err(e) => {
                    tracing::warn!("label worker: {e}");
                    poll
                }
            };
            if let Ok(c) = self.counts() {
                if shown != Some(c) {
                    shown = Some(c);
                    status(c);
                }
            }
            // A stop comes first, also between jobs.
            tokio::select! {
                biased;
                _ = &mut stop => return,
                _ = tokio::time::sleep(wait) => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_to_its_cap() {
        let r = Retry::default();
        let secs: Vec<u64> = (1..=8).map(|n| backoff(n, r).as_secs()).collect();
        assert_eq!(secs, [1, 2, 4, 8, 16, 30, 30, 30]);
        assert_eq!(backoff(0, r), Duration::from_secs(1));
        assert_eq!(backoff(u32::MAX, r), Duration::from_secs(30));
        let huge = Retry {
            base: Duration::from_secs(u64::MAX / 2),
            cap: Duration::from_secs(60),
        };
        assert_eq!(backoff(5, huge), Duration::from_secs(60));
    }

    #[test]
    fn verdicts() {
        let absent = Err(PrintError::Unavailable {
            printer: "tcp:x:9100".into(),
            source: std::io::Error::from(std::io::ErrorKind::ConnectionRefused),
        });
        assert!(matches!(verdict(&absent), Verdict::Retry(m) if m.contains("stays queued")));
        let refused = Err(PrintError::Refused {
            printer: "file:/x".into(),
            detail: "a directory is in the way".into(),
        });
        assert!(matches!(verdict(&refused), Verdict::Failed(m) if m.contains("in the way")));
        assert_eq!(verdict(&Ok(())), Verdict::Printed);
    }
}
