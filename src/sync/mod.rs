//! Upstream sync: the journal is the outbox.
//!
//! * [`plan`] is pure: a journal event → the upstream operations it asks for.
//! * [`worker`] reads the journal after its cursor on its own connection,
//!   stores the planned operations, resolves each one's local ids to names
//!   ([`Job`]), marks it in flight (committed), hands it to an [`Upstream`],
//!   and records the answer: done, retry later, or parked for a person.
//! * [`snipeit`] is the Snipe-IT connector (reqwest + rustls); [`fake`] a
//!   stateful Snipe-IT on 127.0.0.1 with fault injection that the tests and
//!   `sync serve-fake` share; [`pull`] copies the upstream's reference data
//!   and assets into the store.
//! * [`webhook`] is the signed webhook upstream, with its own small worker
//!   ([`webhook_worker`]: one POST per event), its signature scheme
//!   ([`webhook_sign`]) and a receiver for tests ([`webhook_receiver`]).
//! * [`pace`] holds the timing decisions (backoff, rate-limit windows) as
//!   plain functions of a clock value.
//!
//! An [`Upstream`] never touches the store: what an operation needs is
//! resolved into a [`Job`] first, and what the upstream taught us (its ids
//! for our names) the worker takes with [`Upstream::take_learned`] and stores.

pub mod config;
pub mod fake;
mod fake_routes;
pub mod pace;
pub mod plan;
pub mod pull;
pub mod snipeit;
pub mod webhook;
pub mod webhook_receiver;
pub mod webhook_sign;
pub mod webhook_worker;
pub mod worker;

use std::future::Future;
use std::time::Duration;

/// Something with a name here and maybe an id upstream (a model, a location…).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Named {
    /// Our row, when there is one (status labels have none).
    pub local_id: Option<i64>,
    /// The name upstream.
    pub name: String,
    /// The upstream's id, when already known.
    pub remote_id: Option<i64>,
}

/// A model to find or create: its manufacturer and category come along.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ModelSpec {
    pub model: Named,
    pub manufacturer: Option<Named>,
    pub category: Named,
}

/// The asset an operation is about.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AssetRef {
    pub local_id: i64,
    pub tag: String,
    pub remote_id: Option<i64>,
    /// The upstream status label the station last saw there (a pull) or set
    /// there itself: when the upstream shows another one now, someone changed
    /// it since, and a status operation is a conflict for a person.
    pub known_status: Option<i64>,
}

/// An asset to create upstream.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NewRemoteAsset {
    pub asset: AssetRef,
    pub serial: Option<String>,
    pub model: ModelSpec,
    pub status: Named,
    pub supplier: Option<Named>,
    pub location: Option<Named>,
    pub order_number: Option<String>,
    pub purchase_date: Option<String>,
    /// Decimal text, `1299.50`.
    pub purchase_cost: Option<String>,
    pub warranty_months: Option<u32>,
}

/// An operation with everything it needs resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    CreateAsset(Box<NewRemoteAsset>),
    SetLocation {
        asset: AssetRef,
        location: Named,
    },
    SetStatus {
        asset: AssetRef,
        status: Named,
    },
    Checkin {
        asset: AssetRef,
        status: Named,
    },
    Audit {
        asset: AssetRef,
        location: Option<Named>,
    },
    /// `PATCH` these fields (absolute values).
    Update {
        asset: AssetRef,
        fields: serde_json::Map<String, serde_json::Value>,
    },
    /// A maintenance record (a sanitization); `notes` get the job's note too.
    Maintenance {
        asset: AssetRef,
        title: String,
        start_date: String,
        completion_date: Option<String>,
        notes: String,
    },
}

/// One operation to apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    pub op_id: i64,
    pub seq: i64,
    /// The journal event's UUID: it goes into every note upstream, so a retry
    /// can find out whether an earlier attempt took effect.
    pub event_uuid: String,
    /// When the event happened (Snipe-IT stamps audits with its own clock).
    pub event_at: String,
    /// An earlier attempt may have reached the server: check before sending.
    pub uncertain: bool,
    pub action: Action,
}

impl Job {
    /// The note written upstream with audits and check-ins.
    pub fn note(&self) -> String {
        format!(
            "scanstation event {} at {} (journal #{})",
            self.event_uuid, self.event_at, self.seq
        )
    }
}

/// An upstream id learned while applying (persisted by the worker).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Learned {
    pub kind: &'static str,
    pub local_id: Option<i64>,
    pub name: String,
    pub remote_id: i64,
    /// An asset's status label upstream, as last seen or set (see
    /// [`AssetRef::known_status`]).
    pub status: Option<i64>,
}

/// Why an operation did not apply. Messages never contain the token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UpstreamError {
    /// Worth retrying with backoff: a 5xx, a timeout, a reset, an HTML page.
    /// `maybe_applied`: the request may have taken effect.
    #[error("{detail}")]
    Transient { detail: String, maybe_applied: bool },
    /// HTTP 429: wait this long before any request.
    #[error("the upstream is throttling requests (HTTP 429); waiting {}s", wait.as_secs())]
    Throttled { wait: Duration },
    /// HTTP 401: the token is wrong; syncing stops.
    #[error("the upstream refused the API token (HTTP 401): check the token file or SCANSTATION_UPSTREAM_TOKEN")]
    Unauthorized,
    /// The upstream refused the request (a validation error, HTTP 200 with
    /// `"status":"error"`): a person must look. Snipe-IT's own words.
    #[error("{0}")]
    Rejected(String),
    /// Something the operation needs is missing upstream and may not be
    /// created (`create_missing = false`, or a status label).
    #[error("{0}")]
    Missing(String),
}

/// An upstream the worker can apply operations to.
pub trait Upstream {
    /// Applies one operation. Implementations first check whether an
    /// `uncertain` job already took effect (creates, audits, check-ins).
    fn apply(&mut self, job: &Job) -> impl Future<Output = Result<(), UpstreamError>> + Send;

    /// The upstream ids learned since the last call (found or created on the
    /// way, also by an attempt that failed later), for the worker to store.
    fn take_learned(&mut self) -> Vec<Learned>;
}
