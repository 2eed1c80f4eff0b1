//! Sanitization records (NIST SP 800-88) per medium: append-only facts; a
//! correction is a new record. A verification that wrote nothing is stored
//! as kind `verification` and is never counted as a sanitization.

use super::Result;
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::Value;

/// A record to append.
#[derive(Debug, Clone, PartialEq)]
pub struct NewSanitization {
    pub medium_id: i64,
    /// `sanitization` or `verification`.
    pub kind: String,
    /// `clear`, `purge`, `destroy`; `None` for a verification or an unknown method.
    pub method: Option<String>,
    pub technique: Option<String>,
    pub tool: Option<String>,
    pub tool_method: Option<String>,
    pub tool_method_label: Option<String>,
    /// `full`, `sample`, `none`.
    pub verification: String,
    /// `passed` or `failed`.
    pub result: String,
    /// `erased`, `failed`, `aborted` (nwipe's word).
    pub tool_status: Option<String>,
    pub started: Option<String>,
    pub ended: Option<String>,
    pub operator: Option<String>,
    pub validator: Option<String>,
    /// `nwipe` or `manual`.
    pub source: String,
    pub document_id: Option<i64>,
    /// One record per drive and run (nwipe: `<serial or device>@<run start>`).
    pub run_key: Option<String>,
    pub detail: Value,
    pub recorded_at: String,
}

/// Appends a record. A second record with the same (source, run key) is
/// [`StoreError::Duplicate`]: check with [`run_recorded`] first.
pub fn create(conn: &Connection, s: &NewSanitization) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO sanitizations (medium_id, kind, method, technique, tool, tool_method, \
         tool_method_label, verification, result, tool_status, started, ended, operator, \
         validator, source, document_id, run_key, detail, recorded_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19)",
    )?
    .execute(params![
        s.medium_id,
        s.kind,
        s.method,
        s.technique,
        s.tool,
        s.tool_method,
        s.tool_method_label,
        s.verification,
        s.result,
        s.tool_status,
        s.started,
        s.ended,
        s.operator,
        s.validator,
        s.source,
        s.document_id,
        s.run_key,
        s.detail.to_string(),
        s.recorded_at
    ])
    .map_err(super::dup(
        "sanitization of run",
        s.run_key.as_deref().unwrap_or(""),
    ))?;
    Ok(conn.last_insert_rowid())
}

/// The record already holding (source, run key), if any.
pub fn run_recorded(conn: &Connection, source: &str, run_key: &str) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached("SELECT id FROM sanitizations WHERE source = ?1 AND run_key = ?2")?
        .query_row(params![source, run_key], |r| r.get(0))
        .optional()?)
}

/// One line of `report sanitization` (contracts.md): a medium and its
/// latest sanitization record.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ReportRow {
    pub asset: Option<String>,
    pub medium_serial: Option<String>,
    pub media_type: String,
    pub make: Option<String>,
    pub model: Option<String>,
    pub method: Option<String>,
    pub technique: Option<String>,
    pub tool: Option<String>,
    pub verification: String,
    pub result: String,
    pub started: Option<String>,
    pub ended: Option<String>,
    pub operator: Option<String>,
    pub validator: Option<String>,
    pub destination: Option<String>,
    pub source: String,
    pub log_sha256: Option<String>,
}

/// Every medium with a sanitization record (verifications are not), with
/// its latest one; only `asset_id`'s media when given. In the order the
/// media were recorded.
pub fn report(conn: &Connection, asset_id: Option<i64>) -> Result<Vec<ReportRow>> {
    let mut st = conn.prepare_cached(
        "SELECT (SELECT i.value FROM identifiers i \
                 WHERE i.asset_id = m.asset_id AND i.kind = 'asset_tag' ORDER BY i.id LIMIT 1), \
                m.serial, m.media_type, m.make, m.model, s.method, s.technique, s.tool, \
                s.verification, s.result, s.started, s.ended, s.operator, s.validator, \
                m.destination, s.source, d.sha256 \
         FROM media m \
         JOIN sanitizations s ON s.id = (SELECT max(x.id) FROM sanitizations x \
                                         WHERE x.medium_id = m.id AND x.kind = 'sanitization') \
         LEFT JOIN documents d ON d.id = s.document_id \
         WHERE ?1 IS NULL OR m.asset_id = ?1 \
         ORDER BY m.id",
    )?;
    let rows = st.query_map(params![asset_id], |r| {
        Ok(ReportRow {
            asset: r.get(0)?,
            medium_serial: r.get(1)?,
            media_type: r.get(2)?,
            make: r.get(3)?,
            model: r.get(4)?,
            method: r.get(5)?,
            technique: r.get(6)?,
            tool: r.get(7)?,
            verification: r.get(8)?,
            result: r.get(9)?,
            started: r.get(10)?,
            ended: r.get(11)?,
            operator: r.get(12)?,
            validator: r.get(13)?,
            destination: r.get(14)?,
            source: r.get(15)?,
            log_sha256: r.get(16)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A stored record, as a certificate needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordRow {
    pub id: i64,
    pub method: Option<String>,
    pub technique: Option<String>,
    pub tool: Option<String>,
    pub tool_method: Option<String>,
    pub tool_method_label: Option<String>,
    pub verification: String,
    pub result: String,
    pub started: Option<String>,
    pub ended: Option<String>,
    pub operator: Option<String>,
    pub validator: Option<String>,
    pub source: String,
    pub log_sha256: Option<String>,
}

/// A medium's latest sanitization record (verifications are not).
pub fn latest_for_medium(conn: &Connection, medium_id: i64) -> Result<Option<RecordRow>> {
    Ok(conn
        .prepare_cached(
            "SELECT s.id, s.method, s.technique, s.tool, s.tool_method, s.tool_method_label, \
                    s.verification, s.result, s.started, s.ended, s.operator, s.validator, \
                    s.source, d.sha256 \
             FROM sanitizations s LEFT JOIN documents d ON d.id = s.document_id \
             WHERE s.medium_id = ?1 AND s.kind = 'sanitization' ORDER BY s.id DESC LIMIT 1",
        )?
        .query_row(params![medium_id], |r| {
            Ok(RecordRow {
                id: r.get(0)?,
                method: r.get(1)?,
                technique: r.get(2)?,
                tool: r.get(3)?,
                tool_method: r.get(4)?,
                tool_method_label: r.get(5)?,
                verification: r.get(6)?,
                result: r.get(7)?,
                started: r.get(8)?,
                ended: r.get(9)?,
                operator: r.get(10)?,
                validator: r.get(11)?,
                source: r.get(12)?,
                log_sha256: r.get(13)?,
            })
        })
        .optional()?)
}

/// How many records a medium has, of each kind: (sanitizations, verifications).
pub fn count_for_medium(conn: &Connection, medium_id: i64) -> Result<(u64, u64)> {
    Ok(conn
        .prepare_cached(
            "SELECT count(*) FILTER (WHERE kind = 'sanitization'), \
                    count(*) FILTER (WHERE kind = 'verification') \
             FROM sanitizations WHERE medium_id = ?1",
        )?
        .query_row(params![medium_id], |r| Ok((r.get(0)?, r.get(1)?)))?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::media::{self, NewMedium};
    use crate::store::{Store, StoreError};

    fn record(medium_id: i64, kind: &str, method: Option<&str>, key: &str) -> NewSanitization {
        NewSanitization {
            medium_id,
            kind: kind.into(),
            method: method.map(String::from),
            technique: Some("overwrite".into()),
            tool: Some("nwipe 0.33".into()),
            tool_method: Some("zero".into()),
            tool_method_label: Some("Fill With Zeros".into()),
            verification: "full".into(),
            result: "passed".into(),
            tool_status: Some("erased".into()),
            started: None,
            ended: None,
            operator: None,
            validator: None,
            source: "nwipe".into(),
            document_id: None,
            run_key: Some(key.into()),
            detail: serde_json::json!({}),
            recorded_at: "2026-12-03T00:00:00.000Z".into(),
        }
    }

    #[test]
    fn append_only_one_per_run_and_verifications_stay_out_of_the_report() {
        let mut s = Store::open_in_memory().unwrap();
        let tx = s.write().unwrap();
        let c = tx.conn();
        let m = media::create(
            c,
            &NewMedium {
                serial: Some("S1".into()),
                media_type: "hdd".into(),
                created_at: "t".into(),
                ..NewMedium::default()
            },
        )
        .unwrap();
        let a = create(c, &record(m, "sanitization", Some("clear"), "S1@r1")).unwrap();
        assert!(matches!(
            create(c, &record(m, "sanitization", Some("clear"), "S1@r1")),
            Err(StoreError::Duplicate { .. })
        ));
        assert_eq!(run_recorded(c, "nwipe", "S1@r1").unwrap(), Some(a));
        create(c, &record(m, "verification", None, "S1@r2")).unwrap();
        assert!(
            create(c, &record(m, "verification", Some("clear"), "S1@r3")).is_err(),
            "a verification has no NIST method"
        );
        assert_eq!(count_for_medium(c, m).unwrap(), (1, 1));
        let r = report(c, None).unwrap();
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].method.as_deref(), Some("clear"));
        assert!(c.execute("DELETE FROM sanitizations", []).is_err());
        assert!(c
            .execute("UPDATE sanitizations SET result = 'failed'", [])
            .is_err());
    }
}
