//! The label queue: one job per label to print (an asset's label, a
//! disposal pallet's SSCC label), its rendered ZPL, and what became of it.
//!
//! A job is written in the transaction that made its asset or pallet, so a
//! receipt and its label are recorded together or not at all; printing is
//! the label worker's business later, on its own connection
//! ([`crate::label::worker`]). A job goes `queued → printed`, or `queued →
//! failed` when the printer can never take it (the reason is kept). A printer
//! that is absent leaves the job queued, with its attempts and last error,
//! so `scanstation label --queue` can say why it waits.

use super::Result;
use rusqlite::{params, Connection, OptionalExtension, Row};

/// What a label is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JobKind {
    /// An asset's label: `asset_id`.
    Asset(i64),
    /// A disposal pallet's SSCC label: the batch id.
    Pallet(i64),
}

/// A job to insert.
#[derive(Debug, Clone)]
pub struct NewJob<'a> {
    pub kind: JobKind,
    /// The job's name at the printer (`A-1001.zpl`).
    pub name: &'a str,
    pub zpl: &'a [u8],
    /// The station whose worker prints it.
    pub station: &'a str,
    pub created_at: &'a str,
    /// Why the label could not be made: the job is stored `failed` with it.
    pub failed: Option<&'a str>,
}

/// A job as stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct JobRow {
    pub id: i64,
    /// `asset` or `pallet`.
    pub kind: String,
    pub asset_id: Option<i64>,
    pub batch_id: Option<i64>,
    pub name: String,
    #[serde(skip)]
    pub zpl: Vec<u8>,
    pub station: String,
    /// `queued`, `printed` or `failed`.
    pub state: String,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub created_at: String,
    pub printed_at: Option<String>,
}

const COLUMNS: &str = "id, kind, asset_id, batch_id, name, zpl, station, state, attempts, \
                       last_error, created_at, printed_at";

fn row(r: &Row<'_>) -> rusqlite::Result<JobRow> {
    Ok(JobRow {
        id: r.get(0)?,
        kind: r.get(1)?,
        asset_id: r.get(2)?,
        batch_id: r.get(3)?,
        name: r.get(4)?,
        zpl: r.get(5)?,
        station: r.get(6)?,
        state: r.get(7)?,
        attempts: r.get(8)?,
        last_error: r.get(9)?,
        created_at: r.get(10)?,
        printed_at: r.get(11)?,
    })
}

/// Queues a job (or stores it failed, with `failed` as the reason). Call
/// inside the write transaction that made its asset or pallet.
pub fn insert(conn: &Connection, job: &NewJob<'_>) -> Result<i64> {
    let (kind, asset_id, batch_id) = match job.kind {
        JobKind::Asset(id) => ("asset", Some(id), None),
        JobKind::Pallet(id) => ("pallet", None, Some(id)),
    };
    let state = if job.failed.is_some() {
        "failed"
    } else {
        "queued"
    };
    conn.prepare_cached(
        "INSERT INTO label_jobs (kind, asset_id, batch_id, name, zpl, station, state, \
         last_error, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        kind,
        asset_id,
        batch_id,
        job.name,
        job.zpl,
        job.station,
        state,
        job.failed,
        job.created_at
    ])?;
    Ok(conn.last_insert_rowid())
}

pub fn get(conn: &Connection, id: i64) -> Result<Option<JobRow>> {
    Ok(conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM label_jobs WHERE id = ?1"))?
        .query_row(params![id], row)
        .optional()?)
}

/// The station's oldest queued job.
pub fn next_queued(conn: &Connection, station: &str) -> Result<Option<JobRow>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM label_jobs WHERE station = ?1 AND state = 'queued' \
             ORDER BY id LIMIT 1"
        ))?
        .query_row(params![station], row)
        .optional()?)
}

/// Marks a queued job printed. False when it was no longer queued.
pub fn mark_printed(conn: &Connection, id: i64, at: &str) -> Result<bool> {
    let n = conn
        .prepare_cached(
            "UPDATE label_jobs SET state = 'printed', attempts = attempts + 1, \
             printed_at = ?2, last_error = NULL WHERE id = ?1 AND state = 'queued'",
        )?
        .execute(params![id, at])?;
    Ok(n == 1)
}

/// Records an attempt that did not print; the job stays queued.
pub fn mark_retry(conn: &Connection, id: i64, error: &str) -> Result<bool> {
    let n = conn
        .prepare_cached(
            "UPDATE label_jobs SET attempts = attempts + 1, last_error = ?2 \
             WHERE id = ?1 AND state = 'queued'",
        )?
        .execute(params![id, error])?;
    Ok(n == 1)
}

/// Marks a queued job failed for good, with the reason.
pub fn mark_failed(conn: &Connection, id: i64, error: &str) -> Result<bool> {
    let n = conn
        .prepare_cached(
            "UPDATE label_jobs SET state = 'failed', attempts = attempts + 1, last_error = ?2 \
             WHERE id = ?1 AND state = 'queued'",
        )?
        .execute(params![id, error])?;
    Ok(n == 1)
}

/// How many of a station's jobs wait and how many failed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub queued: u64,
    pub failed: u64,
}

pub fn counts(conn: &Connection, station: &str) -> Result<Counts> {
    let mut c = Counts::default();
    let mut stmt = conn.prepare_cached(
        "SELECT state, count(*) FROM label_jobs WHERE station = ?1 \
         AND state IN ('queued', 'failed') GROUP BY state",
    )?;
    let rows = stmt.query_map(params![station], |r| {
        Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
    })?;
    for r in rows {
        let (state, n) = r?;
        let n = u64::try_from(n).unwrap_or(0);
        match state.as_str() {
            "queued" => c.queued = n,
            _ => c.failed = n,
        }
    }
    Ok(c)
}

/// Jobs in `states` (every station's, or one's), oldest first.
pub fn list(conn: &Connection, station: Option<&str>, states: &[&str]) -> Result<Vec<JobRow>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM label_jobs WHERE (?1 IS NULL OR station = ?1) ORDER BY id"
    ))?;
    let rows = stmt.query_map(params![station], row)?;
    let mut out = Vec::new();
    for r in rows {
        let r = r?;
        if states.contains(&r.state.as_str()) {
            out.push(r);
        }
    }
    Ok(out)
}

/// An asset's label jobs, oldest first.
pub fn for_asset(conn: &Connection, asset_id: i64) -> Result<Vec<JobRow>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM label_jobs WHERE asset_id = ?1 ORDER BY id"
    ))?;
    let rows = stmt.query_map(params![asset_id], row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    #[test]
    fn jobs_go_queued_to_printed_or_failed_oldest_first() {
        let d = tempfile::tempdir().unwrap();
        let mut s = Store::open(&d.path().join("s.db")).unwrap();
        let tx = s.write().unwrap();
        let c = tx.conn();
        c.execute(
            "INSERT INTO batches (sscc, station, opened_at) VALUES ('006141411234567890', 'b1', 't')",
            [],
        )
        .unwrap();
        let batch = c.last_insert_rowid();
        let job = |name: &'static str, station: &'static str, failed| NewJob {
            kind: JobKind::Pallet(batch),
            name,
            zpl: b"^XA^XZ",
            station,
            created_at: "2026-12-01T10:00:00.000Z",
            failed,
        };
        let a = insert(c, &job("a.zpl", "b1", None)).unwrap();
        let b = insert(c, &job("b.zpl", "b1", None)).unwrap();
        insert(c, &job("c.zpl", "b2", None)).unwrap();
        insert(c, &job("d.zpl", "b1", Some("does not fit"))).unwrap();
        assert_eq!(
            counts(c, "b1").unwrap(),
            Counts {
                queued: 2,
                failed: 1
            }
        );
        assert_eq!(next_queued(c, "b1").unwrap().unwrap().id, a);
        assert!(mark_retry(c, a, "printer off").unwrap());
        let r = get(c, a).unwrap().unwrap();
        assert_eq!((r.state.as_str(), r.attempts), ("queued", 1));
        assert_eq!(r.last_error.as_deref(), Some("printer off"));
        assert!(mark_printed(c, a, "2026-12-01T10:00:05.000Z").unwrap());
        assert!(!mark_printed(c, a, "again").unwrap());
        assert_eq!(next_queued(c, "b1").unwrap().unwrap().id, b);
        assert!(mark_failed(c, b, "refused").unwrap());
        assert!(next_queued(c, "b1").unwrap().is_none());
        assert_eq!(list(c, None, &["failed"]).unwrap().len(), 2);
        assert_eq!(list(c, Some("b2"), &["queued"]).unwrap().len(), 1);
        // A job names an asset or a pallet, not both, not neither.
        assert!(c
            .execute(
                "INSERT INTO label_jobs (kind, name, zpl, station, created_at) \
                 VALUES ('asset', 'x', x'', 'b1', 't')",
                [],
            )
            .is_err());
    }
}
