//! The outbox: journal events waiting to be told to an upstream (Snipe-IT, a
//! webhook). Rows are written in the same transaction as their event, so an
//! event is never lost between the store and the sync worker.

use super::Result;
use rusqlite::{params, Connection};

/// One pending or finished delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxRow {
    pub id: i64,
    pub seq: i64,
    pub upstream: String,
    pub op: String,
    pub attempts: i64,
    pub next_attempt_at: Option<String>,
    pub status: String,
    pub last_error: Option<String>,
}

/// Queues event `seq` for `upstream`. Queuing the same (seq, upstream, op)
/// twice is a no-op. Training events must not be queued (the caller knows).
pub fn enqueue(conn: &Connection, seq: i64, upstream: &str, op: &str) -> Result<()> {
    conn.prepare_cached("INSERT OR IGNORE INTO outbox (seq, upstream, op) VALUES (?1, ?2, ?3)")?
        .execute(params![seq, upstream, op])?;
    Ok(())
}

/// Pending rows due at `now` (RFC 3339 UTC millis), oldest event first.
pub fn due(conn: &Connection, now: &str, limit: usize) -> Result<Vec<OutboxRow>> {
    let mut st = conn.prepare_cached(
        "SELECT id, seq, upstream, op, attempts, next_attempt_at, status, last_error FROM outbox \
         WHERE status = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= ?1) \
         ORDER BY seq, id LIMIT ?2",
    )?;
    let rows = st.query_map(
        params![now, i64::try_from(limit).unwrap_or(i64::MAX)],
        |r| {
            Ok(OutboxRow {
                id: r.get(0)?,
                seq: r.get(1)?,
                upstream: r.get(2)?,
                op: r.get(3)?,
                attempts: r.get(4)?,
                next_attempt_at: r.get(5)?,
                status: r.get(6)?,
                last_error: r.get(7)?,
            })
        },
    )?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Marks a row delivered.
pub fn mark_done(conn: &Connection, id: i64) -> Result<()> {
    conn.prepare_cached("UPDATE outbox SET status = 'done', last_error = NULL WHERE id = ?1")?
        .execute(params![id])?;
    Ok(())
}

/// Records a failed attempt: retried at `next_attempt_at`, or given up
/// (`failed`) when `next_attempt_at` is None.
pub fn mark_failed(
    conn: &Connection,
    id: i64,
    error: &str,
    next_attempt_at: Option<&str>,
) -> Result<()> {
    conn.prepare_cached(
        "UPDATE outbox SET attempts = attempts + 1, last_error = ?2, next_attempt_at = ?3, \
         status = CASE WHEN ?3 IS NULL THEN 'failed' ELSE 'pending' END WHERE id = ?1",
    )?
    .execute(params![id, error, next_attempt_at])?;
    Ok(())
}

/// Pending rows (for the header's sync status).
pub fn pending_count(conn: &Connection) -> Result<u64> {
    let n: i64 = conn.query_row(
        "SELECT count(*) FROM outbox WHERE status = 'pending'",
        [],
        |r| r.get(0),
    )?;
    Ok(u64::try_from(n).unwrap_or(0))
}
