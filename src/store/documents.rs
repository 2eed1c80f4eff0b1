//! Documents: files the station imported (nwipe logs) or issued
//! (certificates), identified by their SHA-256. The same bytes are one
//! document, which is how a log imported twice is recognised.

use super::{Result, StoreError};
use rusqlite::{params, Connection, OptionalExtension};

/// The kinds of document.
pub const KINDS: &[&str] = &["nwipe_log", "certificate", "vendor_certificate"];

/// A document to record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewDocument<'a> {
    pub kind: &'a str,
    /// Lowercase hex.
    pub sha256: &'a str,
    pub name: &'a str,
    pub size: u64,
    pub created_at: &'a str,
}

/// Records a document; the same SHA-256 twice is [`StoreError::Duplicate`].
pub fn create(conn: &Connection, d: &NewDocument<'_>) -> Result<i64> {
    if !KINDS.contains(&d.kind) {
        return Err(StoreError::Invalid {
            what: "document kind",
            detail: d.kind.to_string(),
        });
    }
    let size = i64::try_from(d.size).map_err(|_| StoreError::Invalid {
        what: "document size",
        detail: d.size.to_string(),
    })?;
    conn.prepare_cached(
        "INSERT INTO documents (kind, sha256, name, size, created_at) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![d.kind, d.sha256, d.name, size, d.created_at])
    .map_err(super::dup("document", d.sha256))?;
    Ok(conn.last_insert_rowid())
}

/// The document with these bytes: (id, kind, name).
pub fn by_sha256(conn: &Connection, sha256: &str) -> Result<Option<(i64, String, String)>> {
    Ok(conn
        .prepare_cached("SELECT id, kind, name FROM documents WHERE sha256 = ?1")?
        .query_row(params![sha256], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?)
}

/// A certificate as issued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateRow {
    pub id: i64,
    pub number: String,
    pub sha256: String,
    pub name: String,
    /// The frozen fields (JSON).
    pub fields: String,
}

/// Records an issued certificate with its number and frozen fields.
pub fn create_certificate(
    conn: &Connection,
    d: &NewDocument<'_>,
    number: &str,
    asset_id: i64,
    fields: &str,
) -> Result<i64> {
    let id = create(conn, d)?;
    conn.prepare_cached(
        "UPDATE documents SET number = ?1, asset_id = ?2, fields = ?3 WHERE id = ?4",
    )?
    .execute(params![number, asset_id, fields, id])
    .map_err(super::dup("certificate number", number))?;
    Ok(id)
}

/// Records an issued pallet certificate (`certificate --batch`) with its
/// number and frozen fields.
pub fn create_batch_certificate(
    conn: &Connection,
    d: &NewDocument<'_>,
    number: &str,
    batch_id: i64,
    fields: &str,
) -> Result<i64> {
    let id = create(conn, d)?;
    conn.prepare_cached(
        "UPDATE documents SET number = ?1, batch_id = ?2, fields = ?3 WHERE id = ?4",
    )?
    .execute(params![number, batch_id, fields, id])
    .map_err(super::dup("certificate number", number))?;
    Ok(id)
}

fn cert_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<CertificateRow> {
    Ok(CertificateRow {
        id: r.get(0)?,
        number: r.get(1)?,
        sha256: r.get(2)?,
        name: r.get(3)?,
        fields: r.get(4)?,
    })
}

/// A pallet's latest certificate.
pub fn latest_batch_certificate(
    conn: &Connection,
    batch_id: i64,
) -> Result<Option<CertificateRow>> {
    Ok(conn
        .prepare_cached(
            "SELECT id, number, sha256, name, fields FROM documents \
             WHERE kind = 'certificate' AND batch_id = ?1 ORDER BY id DESC LIMIT 1",
        )?
        .query_row(params![batch_id], cert_row)
        .optional()?)
}

/// An asset's latest certificate.
pub fn latest_certificate(conn: &Connection, asset_id: i64) -> Result<Option<CertificateRow>> {
    Ok(conn
        .prepare_cached(
            "SELECT id, number, sha256, name, fields FROM documents \
             WHERE kind = 'certificate' AND asset_id = ?1 ORDER BY id DESC LIMIT 1",
        )?
        .query_row(params![asset_id], cert_row)
        .optional()?)
}

/// Is this certificate number taken?
pub fn number_taken(conn: &Connection, number: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM documents WHERE number = ?1")?
        .exists(params![number])?)
}

/// How many certificates the store holds.
pub fn certificate_count(conn: &Connection) -> Result<i64> {
    Ok(conn
        .prepare_cached("SELECT count(*) FROM documents WHERE kind = 'certificate'")?
        .query_row([], |r| r.get(0))?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    #[test]
    fn same_bytes_same_document() {
        let s = Store::open_in_memory().unwrap();
        let sha = "a".repeat(64);
        let d = NewDocument {
            kind: "nwipe_log",
            sha256: &sha,
            name: "log.txt",
            size: 10,
            created_at: "2026-12-03T00:00:00.000Z",
        };
        let id = create(s.conn(), &d).unwrap();
        assert!(matches!(
            create(s.conn(), &d),
            Err(StoreError::Duplicate { .. })
        ));
        assert_eq!(by_sha256(s.conn(), &sha).unwrap().map(|x| x.0), Some(id));
        let bad = NewDocument { sha256: "XYZ", ..d };
        assert!(create(s.conn(), &bad).is_err());
    }
}
