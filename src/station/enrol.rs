//! Enrolment at the bench: an unknown code offered, then created as an asset
//! through `store::assets::insert` (the one place that inserts an asset row,
//! shared with the CSV import and the demo seed).

use super::classify::IdentityKind;
use super::decision::{Decision, Journal};
use super::outcome::{Level, Panel};
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

/// An unknown code: say so, and whether it could be enrolled (F7 or
/// `CMD:ENROL`, then a confirmation). `Ok(())` when it could.
pub(super) fn unknown(
    raw: &[u8],
    value: &str,
    truncated: bool,
    kind: IdentityKind,
    shown: String,
) -> (Decision, bool) {
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
        Ok(()) => (
            Decision::new(
                Level::Warning,
                format!("Unknown code {shown} — F7 or CMD:ENROL to enrol it"),
            )
            .panel(panel),
            true,
        ),
        Err(why) => (
            Decision::new(
                Level::Warning,
                format!("Unknown code {shown} (cannot enrol: {why})"),
            )
            .panel(panel),
            false,
        ),
    }
}

/// Enrols `code` as a new asset (status in_stock), unless someone (an import,
/// another station) got there first.
pub(super) fn enrol(
    j: &mut Journal<'_>,
    at: SystemTime,
    code: &str,
    identity: &str,
) -> Result<Decision, StoreError> {
    if let Some(owner) = crate::store::identifiers::matches(j.conn(), code)?.first() {
        return Ok(Decision::new(
            Level::Warning,
            format!("{code} is already known: not enrolled"),
        )
        .card(owner.0));
    }
    let new = crate::store::assets::NewAsset {
        tag: code.to_string(),
        status: "in_stock".into(),
        ..Default::default()
    };
    let id = store::assets::insert(j.conn(), &new, &[])?;
    j.append(
        at,
        "asset.created",
        store::assets::created_payload(id, &new, &[], "enrol", json!({"scanned_as": identity})),
    )?;
    let mut d = Decision::new(Level::Ok, format!("Enrolled {code} · in_stock")).card(id);
    d.changed.push(format!("asset {code} created"));
    Ok(d)
}
