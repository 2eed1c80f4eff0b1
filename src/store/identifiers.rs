//! Identifiers: every way an asset can be scanned (asset tag, serial, GTIN +
//! serial, GIAI, EPC, MAC, IMEI …). One asset has many; a (kind, value) pair
//! belongs to one asset only, so a scan names at most one asset per kind.
//!
//! Values are stored exactly as written. A scan is matched ignoring ASCII case
//! ([`matching`], over the `upper(value)` index of migration 0005); which kinds
//! must match exactly is the caller's rule (`[identify] case_sensitive`), so
//! every hit carries its stored value to be filtered on.

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

/// One identifier that matched a scanned value, with the asset's status (what
/// the station decides on) so that a found asset costs no second read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hit {
    pub asset_id: i64,
    pub kind: String,
    /// The value as stored (it may differ from the scan in case).
    pub value: String,
    pub status: String,
}

/// The columns of a [`Hit`], for [`matching`]: the identifier from the
/// covering `identifiers_upper` index, the status from the asset's row.
macro_rules! hit_select {
    () => {
        "SELECT i.asset_id, i.kind, i.value, a.status \
         FROM identifiers i JOIN assets a ON a.id = i.asset_id "
    };
}

/// Every identifier whose value equals `value` ignoring ASCII case, under
/// `kind` or, with `None`, under any kind; asset tags first, then in the order
/// added. One range of the `upper(value)` index.
pub fn matching(conn: &Connection, kind: Option<&str>, value: &str) -> Result<Vec<Hit>> {
    let row = |r: &rusqlite::Row<'_>| {
        Ok(Hit {
            asset_id: r.get(0)?,
            kind: r.get(1)?,
            value: r.get(2)?,
            status: r.get(3)?,
        })
    };
    let rows = match kind {
        Some(k) => conn
            .prepare_cached(concat!(
                hit_select!(),
                "WHERE upper(i.value) = upper(?1) AND i.kind = ?2 ORDER BY i.id"
            ))?
            .query_map(params![value, k], row)?
            .collect::<rusqlite::Result<Vec<_>>>()?,
        None => conn
            .prepare_cached(concat!(
                hit_select!(),
                "WHERE upper(i.value) = upper(?1) ORDER BY i.kind <> 'asset_tag', i.id"
            ))?
            .query_map(params![value], row)?
            .collect::<rusqlite::Result<Vec<_>>>()?,
    };
    Ok(rows)
}

/// The GTINs (GTIN-14) of an asset's model, for telling apart assets that a
/// GTIN + serial scan may name; empty when it has no model or the model none.
pub fn model_gtins(conn: &Connection, asset_id: i64) -> Result<Vec<String>> {
    let json: Option<String> = conn
        .prepare_cached(
            "SELECT m.gtins FROM assets a JOIN models m ON m.id = a.model_id WHERE a.id = ?1",
        )?
        .query_row(params![asset_id], |r| r.get(0))
        .optional()?;
    Ok(json
        .and_then(|j| serde_json::from_str(&j).ok())
        .unwrap_or_default())
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{assets::NewAsset, Store};

    fn asset(conn: &Connection, tag: &str) -> i64 {
        crate::store::assets::create(
            conn,
            &NewAsset {
                tag: tag.into(),
                status: "in_stock".into(),
                ..Default::default()
            },
        )
        .unwrap()
    }

    #[test]
    fn matching_ignores_ascii_case_and_keeps_values_as_stored() {
        let store = Store::open_in_memory().unwrap();
        let c = store.conn();
        let a = asset(c, "IT-00001");
        let b = asset(c, "it-00001");
        add(c, a, "serial", "5cg1234xyz").unwrap();
        let hits = matching(c, None, "It-00001").unwrap();
        let got: Vec<(i64, &str, &str)> = hits
            .iter()
            .map(|h| (h.asset_id, h.kind.as_str(), h.value.as_str()))
            .collect();
        assert_eq!(
            got,
            [(a, "asset_tag", "IT-00001"), (b, "asset_tag", "it-00001")]
        );
        let hits = matching(c, Some("serial"), "5CG1234XYZ").unwrap();
        assert_eq!(hits.len(), 1);
        assert_eq!(hits[0].asset_id, a);
        assert_eq!(hits[0].status, "in_stock");
        assert!(model_gtins(c, a).unwrap().is_empty());
        assert!(matching(c, Some("asset_tag"), "5CG1234XYZ")
            .unwrap()
            .is_empty());
    }

    #[test]
    fn matching_is_an_index_range_not_a_scan() {
        let store = Store::open_in_memory().unwrap();
        for (sql, args) in [
            (
                concat!(
                    hit_select!(),
                    "WHERE upper(i.value) = upper(?1) AND i.kind = ?2 ORDER BY i.id"
                ),
                2,
            ),
            (
                concat!(
                    hit_select!(),
                    "WHERE upper(i.value) = upper(?1) ORDER BY i.kind <> 'asset_tag', i.id"
                ),
                1,
            ),
        ] {
            let explain = format!("EXPLAIN QUERY PLAN {sql}");
            let mut st = store.conn().prepare(&explain).unwrap();
            let plan: Vec<String> = if args == 2 {
                st.query_map(params!["A", "serial"], |r| r.get(3))
                    .unwrap()
                    .collect::<rusqlite::Result<_>>()
            } else {
                st.query_map(params!["A"], |r| r.get(3))
                    .unwrap()
                    .collect::<rusqlite::Result<_>>()
            }
            .unwrap();
            let outer = plan.iter().find(|l| l.contains(" i ")).unwrap();
            assert!(
                outer.contains("USING COVERING INDEX identifiers_upper"),
                "{plan:?}"
            );
            assert!(!plan.iter().any(|l| l.starts_with("SCAN")), "{plan:?}");
        }
    }
}
