//! Vendors: suppliers assets come from and disposal vendors (certified e-waste
//! recyclers) they leave with. A supplier named in an import is created here.

use super::{dup, non_empty, Result, StoreError};
use rusqlite::{params, Connection, OptionalExtension};

/// The kinds of vendor.
pub const KINDS: &[&str] = &["supplier", "disposal"];

/// A vendor as stored. `cert_expires` is `YYYY-MM-DD`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct VendorRow {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub certification: Option<String>,
    pub cert_expires: Option<String>,
}

/// Creates a vendor. Names are unique, compared case-insensitively.
pub fn create(
    conn: &Connection,
    name: &str,
    kind: &str,
    certification: Option<&str>,
    cert_expires: Option<&str>,
) -> Result<i64> {
    let name = non_empty("vendor name", name)?;
    if !KINDS.contains(&kind) {
        return Err(StoreError::Invalid {
            what: "vendor kind",
            detail: format!("{kind:?}: use supplier or disposal"),
        });
    }
    if let Some(d) = cert_expires {
        if !is_iso_date(d) {
            return Err(StoreError::Invalid {
                what: "certification expiry",
                detail: format!("{d:?} is not YYYY-MM-DD"),
            });
        }
    }
    conn.prepare_cached(
        "INSERT INTO vendors (name, kind, certification, cert_expires) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![name, kind, certification, cert_expires])
    .map_err(dup("vendor", name))?;
    Ok(conn.last_insert_rowid())
}

const SELECT: &str = "SELECT id, name, kind, certification, cert_expires FROM vendors";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<VendorRow> {
    Ok(VendorRow {
        id: r.get(0)?,
        name: r.get(1)?,
        kind: r.get(2)?,
        certification: r.get(3)?,
        cert_expires: r.get(4)?,
    })
}

/// The vendor with this name (case-insensitive).
pub fn by_name(conn: &Connection, name: &str) -> Result<Option<VendorRow>> {
    Ok(conn
        .prepare_cached(&format!("{SELECT} WHERE name = ?1"))?
        .query_row(params![name.trim()], row)
        .optional()?)
}

pub fn get(conn: &Connection, id: i64) -> Result<Option<VendorRow>> {
    Ok(conn
        .prepare_cached(&format!("{SELECT} WHERE id = ?1"))?
        .query_row(params![id], row)
        .optional()?)
}

/// Every vendor, by name.
pub fn list(conn: &Connection) -> Result<Vec<VendorRow>> {
    let mut st = conn.prepare_cached(&format!("{SELECT} ORDER BY name"))?;
    let rows = st.query_map([], row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The vendor named `name`, creating a supplier if there is none. Returns the
/// id and whether it was created.
pub fn get_or_create_supplier(conn: &Connection, name: &str) -> Result<(i64, bool)> {
    if let Some(v) = by_name(conn, name)? {
        return Ok((v.id, false));
    }
    Ok((create(conn, name, "supplier", None, None)?, true))
}

pub(crate) fn is_iso_date(s: &str) -> bool {
    crate::timefmt::parse_date(s).is_some()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 9, item 16: a certification expiry must be a real date.
    #[test]
    fn expiry_dates_are_calendar_dates() {
        let store = crate::store::Store::open_in_memory().unwrap();
        let conn = store.conn();
        let err = create(conn, "Acme", "disposal", Some("R2v3"), Some("2024-13-45")).unwrap_err();
        assert!(err.to_string().contains("2024-13-45"), "{err}");
        assert!(create(conn, "Acme", "disposal", Some("R2v3"), Some("2023-02-29")).is_err());
        create(conn, "Acme", "disposal", Some("R2v3"), Some("2024-02-29")).unwrap();
        assert_eq!(
            by_name(conn, "Acme")
                .unwrap()
                .unwrap()
                .cert_expires
                .as_deref(),
            Some("2024-02-29")
        );
    }
}
