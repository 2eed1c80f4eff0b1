//! Vendors: suppliers assets come from and disposal vendors (certified e-waste
//! recyclers) they leave with. A supplier named in an import is created here.

use super::{dup, non_empty, Result, StoreError};
use rusqlite::{params, Connection, OptionalExtension};

/// The kinds of vendor.
pub const KINDS: &[&str] = &["supplier", "disposal"];

/// A vendor as stored, with its certifications (by name).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct VendorRow {
    pub id: i64,
    pub name: String,
    pub kind: String,
    pub certifications: Vec<Certification>,
}

/// One certification a vendor holds (R2v3, e-Stewards, NAID AAA …).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Certification {
    pub name: String,
    /// `YYYY-MM-DD`; `None` when the certificate names no expiry.
    pub expires: Option<String>,
}

impl Certification {
    /// Whether it is valid on `today` (`YYYY-MM-DD`): it expires that day
    /// or later, or never.
    pub fn is_current(&self, today: &str) -> bool {
        self.expires.as_deref().is_none_or(|e| e >= today)
    }
}

impl VendorRow {
    /// Whether one of its certifications is valid on `today`.
    pub fn certified(&self, today: &str) -> bool {
        self.certifications.iter().any(|c| c.is_current(today))
    }
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
    if cert_expires.is_some() && certification.is_none() {
        return Err(StoreError::Invalid {
            what: "certification expiry",
            detail: "an expiry without a certification".into(),
        });
    }
    check_expiry(cert_expires)?;
    conn.prepare_cached("INSERT INTO vendors (name, kind) VALUES (?1, ?2)")?
        .execute(params![name, kind])
        .map_err(dup("vendor", name))?;
    let id = conn.last_insert_rowid();
    if let Some(c) = certification {
        add_certification(conn, id, c, cert_expires)?;
    }
    Ok(id)
}

/// Adds certification `name` (expiring `expires`, `YYYY-MM-DD`) to vendor
/// `vendor_id`; one a vendor already holds is refused.
pub fn add_certification(
    conn: &Connection,
    vendor_id: i64,
    name: &str,
    expires: Option<&str>,
) -> Result<()> {
    let name = non_empty("certification", name)?;
    check_expiry(expires)?;
    conn.prepare_cached(
        "INSERT INTO vendor_certifications (vendor_id, certification, expires) \
         VALUES (?1, ?2, ?3)",
    )?
    .execute(params![vendor_id, name, expires])
    .map_err(dup("certification", name))?;
    Ok(())
}

fn check_expiry(expires: Option<&str>) -> Result<()> {
    match expires {
        Some(d) if !is_iso_date(d) => Err(StoreError::Invalid {
            what: "certification expiry",
            detail: format!("{d:?} is not YYYY-MM-DD"),
        }),
        _ => Ok(()),
    }
}

/// Vendor `vendor_id`'s certifications, by name.
pub fn certifications(conn: &Connection, vendor_id: i64) -> Result<Vec<Certification>> {
    let mut st = conn.prepare_cached(
        "SELECT certification, expires FROM vendor_certifications \
         WHERE vendor_id = ?1 ORDER BY certification",
    )?;
    let rows = st.query_map(params![vendor_id], |r| {
        Ok(Certification {
            name: r.get(0)?,
            expires: r.get(1)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

const SELECT: &str = "SELECT id, name, kind FROM vendors";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<VendorRow> {
    Ok(VendorRow {
        id: r.get(0)?,
        name: r.get(1)?,
        kind: r.get(2)?,
        certifications: Vec::new(),
    })
}

fn with_certifications(conn: &Connection, v: Option<VendorRow>) -> Result<Option<VendorRow>> {
    v.map(|mut v| {
        v.certifications = certifications(conn, v.id)?;
        Ok(v)
    })
    .transpose()
}

/// The vendor with this name (case-insensitive).
pub fn by_name(conn: &Connection, name: &str) -> Result<Option<VendorRow>> {
    let v = conn
        .prepare_cached(&format!("{SELECT} WHERE name = ?1"))?
        .query_row(params![name.trim()], row)
        .optional()?;
    with_certifications(conn, v)
}

pub fn get(conn: &Connection, id: i64) -> Result<Option<VendorRow>> {
    let v = conn
        .prepare_cached(&format!("{SELECT} WHERE id = ?1"))?
        .query_row(params![id], row)
        .optional()?;
    with_certifications(conn, v)
}

/// Every vendor, by name.
pub fn list(conn: &Connection) -> Result<Vec<VendorRow>> {
    let mut st = conn.prepare_cached(&format!("{SELECT} ORDER BY name"))?;
    let rows = st.query_map([], row)?;
    let rows: Vec<VendorRow> = rows.collect::<rusqlite::Result<_>>()?;
    rows.into_iter()
        .map(|mut v| {
            v.certifications = certifications(conn, v.id)?;
            Ok(v)
        })
        .collect()
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
        let v = by_name(conn, "Acme").unwrap().unwrap();
        assert_eq!(v.certifications[0].expires.as_deref(), Some("2024-02-29"));
    }

    #[test]
    fn a_vendor_holds_several_certifications_each_with_its_expiry() {
        let store = crate::store::Store::open_in_memory().unwrap();
        let conn = store.conn();
        let id = create(conn, "Acme", "disposal", Some("R2v3"), Some("2026-01-31")).unwrap();
        add_certification(conn, id, "NAID AAA", Some("2027-03-01")).unwrap();
        add_certification(conn, id, "e-Stewards", None).unwrap();
        assert!(add_certification(conn, id, "r2v3", None).is_err(), "held");
        let v = get(conn, id).unwrap().unwrap();
        let names: Vec<&str> = v.certifications.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["e-Stewards", "NAID AAA", "R2v3"]);
        assert!(v.certified("2030-01-01"), "e-Stewards names no expiry");
        assert!(!v.certifications[2].is_current("2026-02-01"));
        assert!(v.certifications[2].is_current("2026-01-31"), "its last day");
    }
}
