//! Enrolment at the bench: an unknown code offered, then created as an asset
//! through `store::assets::insert` (the one place that inserts an asset row,
//! shared with the CSV import and the demo seed).

use super::classify::IdentityKind;
use super::decision::{Decision, Journal, SessionChange};
use super::outcome::{Level, Panel};
use super::session::PendingEnrol;
use crate::store::{self, StoreError};
use serde_json::json;
use std::time::SystemTime;

/// Whether a scanned code can become an asset tag: printable text, 1 to 64
/// characters, not cut short. `Err` says why not.
pub fn enrollable(raw: &[u8], value: &str, truncated: bool) -> Result<(), &'static str> {
    let text = value;
    if std::str::from_utf8(raw).is_err() {
        return Err("it is not text");
    }
    if truncated {
        return Err("it was cut short");
    }
    if text.is_empty() || text.trim() != text {
        return Err("it is empty or has spaces at its ends");
    }
    if text.chars().any(char::is_control) {
        return Err("it has control characters");
    }
    if text.chars().count() > 64 {
        return Err("it is longer than 64 characters");
    }
    Ok(())
}

/// An unknown code: offer to enrol it when it can be an asset tag.
pub(super) fn unknown(
    raw: &[u8],
    value: &str,
    truncated: bool,
    kind: IdentityKind,
    shown: String,
) -> Decision {
    let panel = Panel::Unknown {
        code: shown.clone(),
        identity: kind.as_str().into(),
    };
    let enrollable = match kind {
        IdentityKind::Gtin | IdentityKind::Sscc | IdentityKind::Grai => {
            Err("it names a product or a pallet, not one asset")
        }
        _ => enrollable(raw, value, truncated),
    };
    match enrollable {
        Ok(()) => Decision::new(
            Level::Warning,
            format!("Unknown code {shown} — press E to enrol"),
        )
        .panel(panel)
        .then(SessionChange::Pending(Some(PendingEnrol {
            code: value.to_string(),
            identity: kind.as_str().into(),
        }))),
        Err(why) => Decision::new(
            Level::Warning,
            format!("Unknown code {shown} (cannot enrol: {why})"),
        )
        .panel(panel)
        .then(SessionChange::Pending(None)),
    }
}

/// Enrols the pending unknown code as a new asset (status in_stock).
pub(super) fn enrol_pending(
    mut j: Journal<'_>,
    at: SystemTime,
    p: &PendingEnrol,
) -> Result<Decision, StoreError> {
    if let Some(owner) = crate::store::identifiers::matches(j.conn(), &p.code)?.first() {
        // Someone (an import, another station) got there first.
        let d = Decision::new(
            Level::Warning,
            format!("{} is already known: not enrolled", p.code),
        )
        .card(owner.0)
        .then(SessionChange::Pending(None));
        return j.commit(d);
    }
    let new = crate::store::assets::NewAsset {
        tag: p.code.clone(),
        status: "in_stock".into(),
        ..Default::default()
    };
    let id = store::assets::insert(j.conn(), &new, &[])?;
    j.append(
        at,
        "asset.created",
        store::assets::created_payload(id, &new, &[], "enrol", json!({"scanned_as": p.identity})),
    )?;
    let mut d = Decision::new(Level::Ok, format!("Enrolled {} · in_stock", p.code))
        .card(id)
        .then(SessionChange::Pending(None));
    d.changed.push(format!("asset {} created", p.code));
    j.commit(d)
}
