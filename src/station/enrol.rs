//! Creating assets: the one place that inserts an asset row, used by enrolment
//! at the bench, by the CSV import and by the demo seed, so that every asset
//! starts the same way (row + identifiers + an `asset.created` event).

use super::classify::IdentityKind;
use super::decision::{Decision, Journal};
use super::outcome::{Level, Panel};
use crate::store::assets::NewAsset;
use crate::store::{self, StoreError};
use rusqlite::Connection;
use serde_json::{json, Value};
use std::time::SystemTime;

/// Inserts the asset (its tag is its `asset_tag` identifier) and the `extra`
/// identifiers (kind, value); returns its id. An identifier another asset holds
/// is refused ([`StoreError::IdentifierTaken`]).
pub fn insert_asset(
    conn: &Connection,
    a: &NewAsset,
    extra: &[(&str, &str)],
) -> Result<i64, StoreError> {
    let id = store::assets::create(conn, a)?;
    for (kind, value) in extra {
        store::identifiers::add(conn, id, kind, value)?;
    }
    Ok(id)
}

/// The payload of `asset.created`: the asset id (which links the event to the
/// asset's history), its identifiers, status and columns, and how it came
/// (`enrol`, `import`, `seed`), plus the keys of `extra_keys`.
pub fn created_payload(
    id: i64,
    a: &NewAsset,
    extra: &[(&str, &str)],
    via: &str,
    extra_keys: Value,
) -> Value {
    let mut identifiers = vec![json!({"kind": "asset_tag", "value": a.tag})];
    identifiers.extend(extra.iter().map(|(k, v)| json!({"kind": k, "value": v})));
    let mut p = json!({
        "asset_id": id,
        "tag": a.tag,
        "status": a.status,
        "via": via,
        "identifiers": identifiers,
    });
    if let Some(m) = p.as_object_mut() {
        for (k, v) in [
            ("model_id", json!(a.model_id)),
            ("location_id", json!(a.location_id)),
            ("supplier_id", json!(a.supplier_id)),
            ("order_number", json!(a.order_number)),
            ("cost_minor", json!(a.cost_minor)),
            ("currency", json!(a.currency)),
            ("purchase_date", json!(a.purchase_date)),
            ("warranty_end", json!(a.warranty_end)),
        ] {
            if !v.is_null() {
                m.insert(k.into(), v);
            }
        }
        if let Value::Object(e) = extra_keys {
            m.extend(e);
        }
    }
    p
}

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
    let id = insert_asset(j.conn(), &new, &[])?;
    j.append(
        at,
        "asset.created",
        created_payload(id, &new, &[], "enrol", json!({"scanned_as": identity})),
    )?;
    let mut d = Decision::new(Level::Ok, format!("Enrolled {code} · in_stock")).card(id);
    d.changed.push(format!("asset {code} created"));
    Ok(d)
}
