//! Identifiers: every way an asset can be scanned (asset tag, serial, GTIN +
//! serial, GIAI, EPC, MAC, IMEI …). One asset has many; a (kind, value) pair
//! belongs to one asset only, so a scan names at most one asset per kind.

use super::{non_empty, Result, StoreError};
use rusqlite::{params, Connection, OptionalExtension};

/// The kinds the station itself writes. Others are allowed (lowercase ASCII,
/// digits and `_`), for what imports bring.
pub const KINDS: &[&str] = &[
    "asset_tag",
    "serial",
    "gtin_serial",
    "giai",
    "grai",
    "epc",
    "mac",
    "imei",
];

/// Gives `asset_id` the identifier (`kind`, `value`). Adding one the asset
/// already has is a no-op; one that belongs to another asset is refused with
/// [`StoreError::IdentifierTaken`], naming kind, value and the owner.
pub fn add(conn: &Connection, asset_id: i64, kind: &str, value: &str) -> Result<()> {
    check_kind(kind)?;
    if value.is_empty() {
        return Err(StoreError::Invalid {
            what: "identifier",
            detail: format!("{kind} must not be empty"),
        });
    }
    if let Some(owner) = owner(conn, kind, value)? {
        if owner == asset_id {
            return Ok(());
        }
        return Err(StoreError::IdentifierTaken {
            kind: kind.to_string(),
            value: value.to_string(),
            owner: describe_asset(conn, owner)?,
        });
    }
    conn.prepare_cached("INSERT INTO identifiers (asset_id, kind, value) VALUES (?1, ?2, ?3)")?
        .execute(params![asset_id, kind, value])?;
    Ok(())
}

/// Makes `value` the asset's identifier of `kind`: its first one of that kind
/// is replaced (the others stay), or it is added. Returns the value replaced.
/// One that another asset holds is refused as [`add`] does.
pub fn set_first_of_kind(
    conn: &Connection,
    asset_id: i64,
    kind: &str,
    value: &str,
) -> Result<Option<String>> {
    let old = first_of_kind(conn, asset_id, kind)?;
    match &old {
        Some(v) if v == value => return Ok(old),
        Some(v) => {
            if let Some(owner) = owner(conn, kind, value)? {
                return Err(StoreError::IdentifierTaken {
                    kind: kind.to_string(),
                    value: value.to_string(),
                    owner: describe_asset(conn, owner)?,
                });
            }
            conn.prepare_cached(
                "UPDATE identifiers SET value = ?3 WHERE asset_id = ?1 AND kind = ?2 AND value = ?4",
            )?
            .execute(params![asset_id, kind, value, v])?;
        }
        None => add(conn, asset_id, kind, value)?,
    }
    Ok(old)
}

/// The asset that holds (`kind`, `value`).
pub fn owner(conn: &Connection, kind: &str, value: &str) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT asset_id FROM identifiers WHERE kind = ?1 AND value = ?2")?
        .query_row(params![kind, value], |r| r.get(0))
        .optional()?)
}

/// Every (asset, kind) holding `value`, asset tags first.
pub fn matches(conn: &Connection, value: &str) -> Result<Vec<(i64, String)>> {
    let mut st = conn.prepare_cached(
        "SELECT asset_id, kind FROM identifiers WHERE value = ?1 \
         ORDER BY kind <> 'asset_tag', id",
    )?;
    let rows = st.query_map(params![value], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// An asset's identifiers as (kind, value), asset tag first, then in the order added.
pub fn for_asset(conn: &Connection, asset_id: i64) -> Result<Vec<(String, String)>> {
    let mut st = conn.prepare_cached(
        "SELECT kind, value FROM identifiers WHERE asset_id = ?1 ORDER BY kind <> 'asset_tag', id",
    )?;
    let rows = st.query_map(params![asset_id], |r| Ok((r.get(0)?, r.get(1)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The first identifier of `kind` an asset has.
pub fn first_of_kind(conn: &Connection, asset_id: i64, kind: &str) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached(
            "SELECT value FROM identifiers WHERE asset_id = ?1 AND kind = ?2 ORDER BY id LIMIT 1",
        )?
        .query_row(params![asset_id, kind], |r| r.get(0))
        .optional()?)
}

/// "asset tag A-0042" when the asset has a tag, else "#17".
fn describe_asset(conn: &Connection, asset_id: i64) -> Result<String> {
    Ok(match first_of_kind(conn, asset_id, "asset_tag")? {
        Some(tag) => tag,
        None => format!("#{asset_id}"),
    })
}

fn check_kind(kind: &str) -> Result<()> {
    let k = non_empty("identifier kind", kind)?;
    if k.len() != kind.len()
        || !kind
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
    {
        return Err(StoreError::Invalid {
            what: "identifier kind",
            detail: format!("{kind:?}: use lowercase letters, digits and _"),
        });
    }
    Ok(())
}
