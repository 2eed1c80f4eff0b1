//! Assets: the things the station tracks. An asset's scannable codes (its tag
//! included) live in [`super::identifiers`]; its lifecycle status is one of
//! [`STATUSES`] (the station decides which transitions are allowed; the store
//! only refuses unknown names).
//!
//! Every asset is created here ([`insert`], with [`created_payload`] for its
//! `asset.created` event) whoever creates it — enrolment at the bench, the CSV
//! import, the demo seed — and every asset is read through one join
//! ([`get`], [`list`]): the asset card, the export and the import's updates
//! see the same columns.

use super::{identifiers, Result, StoreError};
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::{json, Value};

/// Every asset status, in lifecycle order (design.md).
pub const STATUSES: &[&str] = &[
    "on_order",
    "in_stock",
    "deployed",
    "in_repair",
    "decommissioning",
    "sanitized",
    "awaiting_pickup",
    "in_transit",
    "disposed",
    "missing",
    "lost",
];

/// A new asset. Dates are `YYYY-MM-DD`; cost is in minor units (cents) of
/// `currency` (ISO 4217, required with a cost); `received_at` RFC 3339 UTC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAsset {
    pub tag: String,
    pub status: String,
    pub model_id: Option<i64>,
    pub location_id: Option<i64>,
    pub supplier_id: Option<i64>,
    pub order_number: Option<String>,
    pub cost_minor: Option<i64>,
    pub currency: Option<String>,
    pub purchase_date: Option<String>,
    pub warranty_end: Option<String>,
    pub received_at: Option<String>,
    pub received_by: Option<i64>,
    pub upstream_id: Option<String>,
}

impl Default for NewAsset {
    fn default() -> Self {
        NewAsset {
            tag: String::new(),
            status: "in_stock".into(),
            model_id: None,
            location_id: None,
            supplier_id: None,
            order_number: None,
            cost_minor: None,
            currency: None,
            purchase_date: None,
            warranty_end: None,
            received_at: None,
            received_by: None,
            upstream_id: None,
        }
    }
}

/// An asset with the names of what it refers to joined in (for the asset card
/// and for export).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AssetRow {
    pub id: i64,
    pub tag: Option<String>,
    /// The first serial identifier, if any.
    pub serial: Option<String>,
    pub status: String,
    pub model_id: Option<i64>,
    pub model: Option<String>,
    pub manufacturer: Option<String>,
    pub category: Option<String>,
    pub location_id: Option<i64>,
    pub location_code: Option<String>,
    pub location: Option<String>,
    pub supplier_id: Option<i64>,
    pub supplier: Option<String>,
    pub order_number: Option<String>,
    pub cost_minor: Option<i64>,
    pub currency: Option<String>,
    pub purchase_date: Option<String>,
    pub warranty_end: Option<String>,
    pub received_at: Option<String>,
    pub received_by: Option<i64>,
    pub upstream_id: Option<String>,
    pub created_at: String,
    pub updated_at: String,
    /// The first `epc` and `giai` identifiers, if any.
    pub epc: Option<String>,
    pub giai: Option<String>,
    /// The model's GTIN-14s and whether it holds storage media (false without a model).
    pub gtins: Vec<String>,
    pub holds_media: bool,
}

/// Inserts the asset (its tag is its `asset_tag` identifier) and the `extra`
/// identifiers (kind, value); returns its id. An identifier another asset holds
/// is refused ([`StoreError::IdentifierTaken`]).
pub fn insert(conn: &Connection, a: &NewAsset, extra: &[(&str, &str)]) -> Result<i64> {
    let id = create(conn, a)?;
    for (kind, value) in extra {
        identifiers::add(conn, id, kind, value)?;
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

/// Creates an asset and its `asset_tag` identifier. A tag in use is refused
/// with [`StoreError::IdentifierTaken`].
pub fn create(conn: &Connection, a: &NewAsset) -> Result<i64> {
    let tag = super::non_empty("asset tag", &a.tag)?;
    check_status(&a.status)?;
    if let Some(owner) = identifiers::owner(conn, "asset_tag", tag)? {
        return Err(StoreError::IdentifierTaken {
            kind: "asset_tag".into(),
            value: tag.to_string(),
            owner: format!("#{owner}"),
        });
    }
    if a.cost_minor.is_some() && a.currency.is_none() {
        return Err(StoreError::Invalid {
            what: "cost",
            detail: format!("asset {tag} has a cost but no currency"),
        });
    }
    for (what, d) in [
        ("purchase date", &a.purchase_date),
        ("warranty end", &a.warranty_end),
    ] {
        if let Some(d) = d {
            if !super::vendors::is_iso_date(d) {
                return Err(StoreError::Invalid {
                    what,
                    detail: format!("{d:?} is not YYYY-MM-DD"),
                });
            }
        }
    }
    let now = crate::timefmt::now();
    conn.prepare_cached(
        "INSERT INTO assets (status, model_id, location_id, supplier_id, order_number, cost_minor, \
         currency, purchase_date, warranty_end, received_at, received_by, upstream_id, created_at, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?13)",
    )?
    .execute(params![
        a.status,
        a.model_id,
        a.location_id,
        a.supplier_id,
        a.order_number,
        a.cost_minor,
        a.currency,
        a.purchase_date,
        a.warranty_end,
        a.received_at,
        a.received_by,
        a.upstream_id,
        now
    ])?;
    let id = conn.last_insert_rowid();
    identifiers::add(conn, id, "asset_tag", tag)?;
    Ok(id)
}

const SELECT: &str = "SELECT a.id, \
    (SELECT value FROM identifiers WHERE asset_id = a.id AND kind = 'asset_tag' ORDER BY id LIMIT 1), \
    (SELECT value FROM identifiers WHERE asset_id = a.id AND kind = 'serial' ORDER BY id LIMIT 1), \
    a.status, a.model_id, m.name, f.name, c.name, a.location_id, l.code, l.name, a.supplier_id, v.name, \
    a.order_number, a.cost_minor, a.currency, a.purchase_date, a.warranty_end, a.received_at, \
    a.received_by, a.upstream_id, a.created_at, a.updated_at, \
    (SELECT value FROM identifiers WHERE asset_id = a.id AND kind = 'epc' ORDER BY id LIMIT 1), \
    (SELECT value FROM identifiers WHERE asset_id = a.id AND kind = 'giai' ORDER BY id LIMIT 1), \
    m.gtins, ifnull(m.holds_media, 0) \
    FROM assets a \
    LEFT JOIN models m ON m.id = a.model_id \
    LEFT JOIN manufacturers f ON f.id = m.manufacturer_id \
    LEFT JOIN categories c ON c.id = m.category_id \
    LEFT JOIN locations l ON l.id = a.location_id \
    LEFT JOIN vendors v ON v.id = a.supplier_id";

/// What a scan's answer names: the asset's tag, status, model and location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetSummary {
    pub tag: Option<String>,
    pub status: String,
    pub model: Option<String>,
    pub manufacturer: Option<String>,
    pub location_code: Option<String>,
}

/// An asset's summary: one indexed read per table, nothing more (the scan
/// path reads it inside its transaction; the full row is for cards).
pub fn summary(conn: &Connection, id: i64) -> Result<Option<AssetSummary>> {
    Ok(conn
        .prepare_cached(
            "SELECT (SELECT value FROM identifiers WHERE asset_id = a.id AND kind = 'asset_tag' \
                     ORDER BY id LIMIT 1), a.status, m.name, f.name, l.code \
             FROM assets a \
             LEFT JOIN models m ON m.id = a.model_id \
             LEFT JOIN manufacturers f ON f.id = m.manufacturer_id \
             LEFT JOIN locations l ON l.id = a.location_id WHERE a.id = ?1",
        )?
        .query_row(params![id], |r| {
            Ok(AssetSummary {
                tag: r.get(0)?,
                status: r.get(1)?,
                model: r.get(2)?,
                manufacturer: r.get(3)?,
                location_code: r.get(4)?,
            })
        })
        .optional()?)
}

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<AssetRow> {
    Ok(AssetRow {
        id: r.get(0)?,
        tag: r.get(1)?,
        serial: r.get(2)?,
        status: r.get(3)?,
        model_id: r.get(4)?,
        model: r.get(5)?,
        manufacturer: r.get(6)?,
        category: r.get(7)?,
        location_id: r.get(8)?,
        location_code: r.get(9)?,
        location: r.get(10)?,
        supplier_id: r.get(11)?,
        supplier: r.get(12)?,
        order_number: r.get(13)?,
        cost_minor: r.get(14)?,
        currency: r.get(15)?,
        purchase_date: r.get(16)?,
        warranty_end: r.get(17)?,
        received_at: r.get(18)?,
        received_by: r.get(19)?,
        upstream_id: r.get(20)?,
        created_at: r.get(21)?,
        updated_at: r.get(22)?,
        epc: r.get(23)?,
        giai: r.get(24)?,
        gtins: r
            .get::<_, Option<String>>(25)?
            .and_then(|g| serde_json::from_str(&g).ok())
            .unwrap_or_default(),
        holds_media: r.get(26)?,
    })
}

/// One asset with names joined.
pub fn get(conn: &Connection, id: i64) -> Result<Option<AssetRow>> {
    Ok(conn
        .prepare_cached(&format!("{SELECT} WHERE a.id = ?1"))?
        .query_row(params![id], row)
        .optional()?)
}

/// Every asset, by id (for export).
pub fn list(conn: &Connection) -> Result<Vec<AssetRow>> {
    let mut st = conn.prepare(&format!("{SELECT} ORDER BY a.id"))?;
    let rows = st.query_map([], row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The asset holding identifier `value`: of that `kind` when given, else of
/// any kind (an asset tag wins over other kinds with the same value).
pub fn find_by_identifier(
    conn: &Connection,
    value: &str,
    kind: Option<&str>,
) -> Result<Option<i64>> {
    match kind {
        Some(k) => identifiers::owner(conn, k, value),
        None => Ok(conn
            .prepare_cached(
                "SELECT asset_id FROM identifiers WHERE value = ?1 \
                 ORDER BY kind <> 'asset_tag', id LIMIT 1",
            )?
            .query_row(params![value], |r| r.get(0))
            .optional()?),
    }
}

/// The asset whose tag is `tag`.
pub fn by_tag(conn: &Connection, tag: &str) -> Result<Option<i64>> {
    identifiers::owner(conn, "asset_tag", tag)
}

/// Rewrites an asset's columns (all but its tag) from `a`: an import's update,
/// which sets statuses directly as a journaled import (design.md).
pub fn update_columns(conn: &Connection, id: i64, a: &NewAsset) -> Result<()> {
    check_status(&a.status)?;
    let n = conn
        .prepare_cached(
            "UPDATE assets SET status = ?2, model_id = ?3, location_id = ?4, supplier_id = ?5, \
             order_number = ?6, cost_minor = ?7, currency = ?8, purchase_date = ?9, \
             warranty_end = ?10, updated_at = ?11 WHERE id = ?1",
        )?
        .execute(params![
            id,
            a.status,
            a.model_id,
            a.location_id,
            a.supplier_id,
            a.order_number,
            a.cost_minor,
            a.currency,
            a.purchase_date,
            a.warranty_end,
            crate::timefmt::now()
        ])?;
    if n == 0 {
        return Err(StoreError::NotFound {
            what: "asset",
            value: format!("#{id}"),
        });
    }
    Ok(())
}

/// Sets an asset's status (the caller has checked the transition).
pub fn set_status(conn: &Connection, id: i64, status: &str) -> Result<()> {
    check_status(status)?;
    update(
        conn,
        id,
        "UPDATE assets SET status = ?2, updated_at = ?3 WHERE id = ?1",
        status,
    )
}

/// Moves an asset to a location.
pub fn move_to(conn: &Connection, id: i64, location_id: i64) -> Result<()> {
    update(
        conn,
        id,
        "UPDATE assets SET location_id = ?2, updated_at = ?3 WHERE id = ?1",
        location_id,
    )
}

/// Records the upstream system's id for an asset (after sync created it there).
pub fn set_upstream_id(conn: &Connection, id: i64, upstream_id: &str) -> Result<()> {
    update(
        conn,
        id,
        "UPDATE assets SET upstream_id = ?2, updated_at = ?3 WHERE id = ?1",
        upstream_id,
    )
}

fn update(conn: &Connection, id: i64, sql: &str, value: impl rusqlite::ToSql) -> Result<()> {
    let n = conn
        .prepare_cached(sql)?
        .execute(params![id, value, crate::timefmt::now()])?;
    if n == 0 {
        return Err(StoreError::NotFound {
            what: "asset",
            value: format!("#{id}"),
        });
    }
    Ok(())
}

/// How many assets the store holds.
pub fn count(conn: &Connection) -> Result<u64> {
    let n: i64 = conn.query_row("SELECT count(*) FROM assets", [], |r| r.get(0))?;
    Ok(u64::try_from(n).unwrap_or(0))
}

fn check_status(status: &str) -> Result<()> {
    if STATUSES.contains(&status) {
        Ok(())
    } else {
        Err(StoreError::Invalid {
            what: "asset status",
            detail: format!("{status:?} is not one of {}", STATUSES.join(", ")),
        })
    }
}
