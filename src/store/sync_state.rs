//! Sync state: per upstream, a cursor into the journal, the operations planned
//! from the events before it, and the upstream's ids for our rows.
//!
//! The sync worker ([`crate::sync`]) is the only writer here, on its own
//! connection. It plans (reads events after the cursor, inserts their
//! operations and moves the cursor in one transaction), marks an operation
//! `in_flight` and commits before sending it, and records the answer in a
//! second short transaction: no write transaction is ever open across a
//! request. Times are Unix milliseconds of the worker's clock.

use super::Result;
use rusqlite::{params, Connection, OptionalExtension};

/// One planned operation as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpRow {
    pub id: i64,
    pub seq: i64,
    pub idx: i64,
    pub asset_id: Option<i64>,
    pub op: String,
    /// The operation as JSON (`crate::sync::plan::Op`).
    pub args: String,
    pub state: String,
    /// An earlier attempt may have reached the server: check before sending.
    pub uncertain: bool,
    pub attempts: i64,
    pub next_attempt_ms: Option<i64>,
    pub last_error: Option<String>,
    pub reason: Option<String>,
    /// The event's UUID and time, for notes upstream.
    pub event_uuid: String,
    pub event_at: String,
}

/// An operation to insert: (seq, idx within its event, asset, op name, args JSON).
#[derive(Debug, Clone)]
pub struct NewOp {
    pub seq: i64,
    pub idx: i64,
    pub asset_id: Option<i64>,
    pub op: String,
    pub args: String,
}

const SELECT_OP: &str =
    "SELECT o.id, o.seq, o.idx, o.asset_id, o.op, o.args, o.state, o.uncertain, \
     o.attempts, o.next_attempt_ms, o.last_error, o.reason, j.uuid, j.at \
     FROM sync_ops o JOIN journal j ON j.seq = o.seq";

fn op_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<OpRow> {
    Ok(OpRow {
        id: r.get(0)?,
        seq: r.get(1)?,
        idx: r.get(2)?,
        asset_id: r.get(3)?,
        op: r.get(4)?,
        args: r.get(5)?,
        state: r.get(6)?,
        uncertain: r.get(7)?,
        attempts: r.get(8)?,
        next_attempt_ms: r.get(9)?,
        last_error: r.get(10)?,
        reason: r.get(11)?,
        event_uuid: r.get(12)?,
        event_at: r.get(13)?,
    })
}

/// The last journal seq planned for `upstream` (0 before the first).
pub fn cursor(conn: &Connection, upstream: &str) -> Result<i64> {
    Ok(conn
        .prepare_cached("SELECT seq FROM sync_cursors WHERE upstream = ?1")?
        .query_row(params![upstream], |r| r.get(0))
        .optional()?
        .unwrap_or(0))
}

/// Inserts the operations planned from events up to `new_cursor` and moves the
/// cursor there. Call inside a write transaction; an operation already stored
/// (same upstream, seq, idx) is left as it is.
pub fn record_plan(
    conn: &Connection,
    upstream: &str,
    new_cursor: i64,
    ops: &[NewOp],
) -> Result<()> {
    let mut ins = conn.prepare_cached(
        "INSERT OR IGNORE INTO sync_ops (upstream, seq, idx, asset_id, op, args) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    )?;
    for o in ops {
        ins.execute(params![upstream, o.seq, o.idx, o.asset_id, o.op, o.args])?;
    }
    conn.prepare_cached(
        "INSERT INTO sync_cursors (upstream, seq) VALUES (?1, ?2) \
         ON CONFLICT (upstream) DO UPDATE SET seq = max(seq, excluded.seq)",
    )?
    .execute(params![upstream, new_cursor])?;
    Ok(())
}

/// The operations that may run at `now_ms`, oldest first: pending or left in
/// flight, due, and with no unfinished earlier operation of the same asset (a
/// parked one holds its asset's later ones back, and nothing else). The
/// redundant `state <> 'done'` lets SQLite walk the partial index of open
/// operations in order and stop at the limit, instead of sorting every
/// operation ever planned.
pub fn runnable(
    conn: &Connection,
    upstream: &str,
    now_ms: i64,
    limit: usize,
) -> Result<Vec<OpRow>> {
    let mut st = conn.prepare_cached(&format!(
        "{SELECT_OP} WHERE o.upstream = ?1 AND o.state <> 'done' \
         AND o.state IN ('pending', 'in_flight') \
         AND (o.next_attempt_ms IS NULL OR o.next_attempt_ms <= ?2) \
         AND NOT EXISTS (SELECT 1 FROM sync_ops p WHERE p.upstream = o.upstream \
             AND p.asset_id = o.asset_id AND p.id < o.id AND p.state <> 'done') \
         ORDER BY o.id LIMIT ?3"
    ))?;
    let rows = st.query_map(
        params![upstream, now_ms, i64::try_from(limit).unwrap_or(i64::MAX)],
        op_row,
    )?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// When the earliest waiting operation becomes due (None when nothing waits
/// on a time: all done, parked, or held behind a parked one).
pub fn next_due_ms(conn: &Connection, upstream: &str) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached(
            "SELECT min(ifnull(o.next_attempt_ms, 0)) FROM sync_ops o \
             WHERE o.upstream = ?1 AND o.state <> 'done' \
             AND o.state IN ('pending', 'in_flight') AND NOT EXISTS (SELECT 1 FROM sync_ops p WHERE p.upstream = o.upstream \
                 AND p.asset_id = o.asset_id AND p.id < o.id AND p.state <> 'done')",
        )?
        .query_row(params![upstream], |r| r.get(0))?)
}

/// Marks operations in flight (commit before sending their requests).
pub fn mark_in_flight(conn: &Connection, ids: &[i64]) -> Result<()> {
    let mut st = conn.prepare_cached(
        "UPDATE sync_ops SET state = 'in_flight', attempts = attempts + 1 WHERE id = ?1",
    )?;
    for id in ids {
        st.execute(params![id])?;
    }
    Ok(())
}

/// Marks an operation done.
pub fn mark_done(conn: &Connection, id: i64) -> Result<()> {
    conn.prepare_cached(
        "UPDATE sync_ops SET state = 'done', uncertain = 0, next_attempt_ms = NULL, reason = NULL \
         WHERE id = ?1",
    )?
    .execute(params![id])?;
    Ok(())
}

/// Puts an operation back to wait until `next_attempt_ms`, with the error that
/// stopped it. `uncertain`: the request may have taken effect.
pub fn mark_retry(
    conn: &Connection,
    id: i64,
    error: &str,
    next_attempt_ms: i64,
    uncertain: bool,
) -> Result<()> {
    conn.prepare_cached(
        "UPDATE sync_ops SET state = 'pending', last_error = ?2, next_attempt_ms = ?3, \
         uncertain = max(uncertain, ?4) WHERE id = ?1",
    )?
    .execute(params![id, error, next_attempt_ms, uncertain])?;
    Ok(())
}

/// Returns an operation to pending without counting the attempt (the request
/// was never sent: the worker paused for the rate limit or stopped).
pub fn unsend(conn: &Connection, id: i64, next_attempt_ms: i64) -> Result<()> {
    conn.prepare_cached(
        "UPDATE sync_ops SET state = 'pending', attempts = max(attempts - 1, 0), \
         next_attempt_ms = ?2 WHERE id = ?1 AND state = 'in_flight'",
    )?
    .execute(params![id, next_attempt_ms])?;
    Ok(())
}

/// Parks an operation for a person, with the reason.
pub fn mark_parked(conn: &Connection, id: i64, reason: &str, uncertain: bool) -> Result<()> {
    conn.prepare_cached(
        "UPDATE sync_ops SET state = 'parked', reason = ?2, last_error = ?2, \
         uncertain = max(uncertain, ?3) WHERE id = ?1",
    )?
    .execute(params![id, reason, uncertain])?;
    Ok(())
}

/// Unparks the given operations (or every parked one of `upstream` when
/// `ids` is None); returns how many.
pub fn unpark(conn: &Connection, upstream: &str, ids: Option<&[i64]>) -> Result<usize> {
    const SET: &str = "UPDATE sync_ops SET state = 'pending', reason = NULL, attempts = 0, \
                       next_attempt_ms = NULL";
    match ids {
        None => Ok(conn
            .prepare_cached(&format!("{SET} WHERE upstream = ?1 AND state = 'parked'"))?
            .execute(params![upstream])?),
        Some(ids) => {
            let mut st = conn.prepare_cached(&format!(
                "{SET} WHERE upstream = ?1 AND id = ?2 AND state = 'parked'"
            ))?;
            let mut n = 0;
            for id in ids {
                n += st.execute(params![upstream, id])?;
            }
            Ok(n)
        }
    }
}

/// One operation by id.
pub fn get(conn: &Connection, id: i64) -> Result<Option<OpRow>> {
    Ok(conn
        .prepare_cached(&format!("{SELECT_OP} WHERE o.id = ?1"))?
        .query_row(params![id], op_row)
        .optional()?)
}

/// Counts for `sync status`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    pub pending: u64,
    pub in_flight: u64,
    pub done: u64,
    pub parked: u64,
    /// The newest error recorded on an operation that is not done.
    pub last_error: Option<String>,
}

/// The counts of `upstream`'s operations by state.
pub fn counts(conn: &Connection, upstream: &str) -> Result<Counts> {
    let mut c = Counts::default();
    let mut st = conn.prepare_cached(
        "SELECT state, count(*) FROM sync_ops WHERE upstream = ?1 GROUP BY state",
    )?;
    let mut rows = st.query(params![upstream])?;
    while let Some(r) = rows.next()? {
        let state: String = r.get(0)?;
        let n = u64::try_from(r.get::<_, i64>(1)?).unwrap_or(0);
        match state.as_str() {
            "pending" => c.pending = n,
            "in_flight" => c.in_flight = n,
            "done" => c.done = n,
            "parked" => c.parked = n,
            _ => {}
        }
    }
    c.last_error = conn
        .prepare_cached(
            "SELECT last_error FROM sync_ops WHERE upstream = ?1 AND state <> 'done' \
             AND last_error IS NOT NULL ORDER BY id DESC LIMIT 1",
        )?
        .query_row(params![upstream], |r| r.get(0))
        .optional()?;
    Ok(c)
}

/// The parked operations of `upstream`, oldest first.
pub fn parked(conn: &Connection, upstream: &str) -> Result<Vec<OpRow>> {
    let mut st = conn.prepare_cached(&format!(
        "{SELECT_OP} WHERE o.upstream = ?1 AND o.state = 'parked' ORDER BY o.id"
    ))?;
    let rows = st.query_map(params![upstream], op_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Records what the upstream calls something: `kind` (asset, model,
/// manufacturer, category, supplier, location, status_label, company), its id
/// and name there, and our row when there is one. A later record for the same
/// remote id replaces the earlier one; a local row maps to one remote id.
pub fn put_ref(
    conn: &Connection,
    upstream: &str,
    kind: &str,
    remote_id: i64,
    name: &str,
    local_id: Option<i64>,
    extra: &str,
) -> Result<()> {
    if let Some(local) = local_id {
        conn.prepare_cached(
            "UPDATE upstream_refs SET local_id = NULL \
             WHERE upstream = ?1 AND kind = ?2 AND local_id = ?3 AND remote_id <> ?4",
        )?
        .execute(params![upstream, kind, local, remote_id])?;
    }
    conn.prepare_cached(
        "INSERT INTO upstream_refs (upstream, kind, remote_id, name, local_id, extra) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6) \
         ON CONFLICT (upstream, kind, remote_id) DO UPDATE SET name = excluded.name, \
         local_id = ifnull(excluded.local_id, local_id), extra = excluded.extra",
    )?
    .execute(params![upstream, kind, remote_id, name, local_id, extra])?;
    Ok(())
}

/// The upstream id of our row `local_id` of `kind`.
pub fn remote_id(
    conn: &Connection,
    upstream: &str,
    kind: &str,
    local_id: i64,
) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached(
            "SELECT remote_id FROM upstream_refs WHERE upstream = ?1 AND kind = ?2 AND local_id = ?3",
        )?
        .query_row(params![upstream, kind, local_id], |r| r.get(0))
        .optional()?)
}

/// The upstream id of our row `local_id` of `kind` and the JSON `extra`
/// stored with it.
pub fn remote_ref(
    conn: &Connection,
    upstream: &str,
    kind: &str,
    local_id: i64,
) -> Result<Option<(i64, String)>> {
    Ok(conn
        .prepare_cached(
            "SELECT remote_id, extra FROM upstream_refs \
             WHERE upstream = ?1 AND kind = ?2 AND local_id = ?3",
        )?
        .query_row(params![upstream, kind, local_id], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?)
}

/// The upstream id of the `kind` named `name` (case-insensitive), lowest id
/// first when the upstream has several.
pub fn remote_id_by_name(
    conn: &Connection,
    upstream: &str,
    kind: &str,
    name: &str,
) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached(
            "SELECT remote_id FROM upstream_refs WHERE upstream = ?1 AND kind = ?2 AND name = ?3 \
             ORDER BY remote_id LIMIT 1",
        )?
        .query_row(params![upstream, kind, name], |r| r.get(0))
        .optional()?)
}

/// Our row for the upstream's `remote_id` of `kind`.
pub fn local_id(
    conn: &Connection,
    upstream: &str,
    kind: &str,
    remote_id: i64,
) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached(
            "SELECT local_id FROM upstream_refs WHERE upstream = ?1 AND kind = ?2 AND remote_id = ?3",
        )?
        .query_row(params![upstream, kind, remote_id], |r| r.get(0))
        .optional()?
        .flatten())
}

/// How many references of `kind` are stored for `upstream`.
pub fn ref_count(conn: &Connection, upstream: &str, kind: &str) -> Result<u64> {
    let n: i64 = conn
        .prepare_cached("SELECT count(*) FROM upstream_refs WHERE upstream = ?1 AND kind = ?2")?
        .query_row(params![upstream, kind], |r| r.get(0))?;
    Ok(u64::try_from(n).unwrap_or(0))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{NewEvent, Store};
    use std::time::SystemTime;

    fn store_with_events(n: usize) -> Store {
        let mut s = Store::open_in_memory().unwrap();
        let mut tx = s.write().unwrap();
        for _ in 0..n {
            tx.append_event(&NewEvent {
                at: SystemTime::UNIX_EPOCH,
                station: "s",
                operator: None,
                kind: "x",
                training: false,
                payload: serde_json::json!({}),
            })
            .unwrap();
        }
        tx.commit().unwrap();
        s
    }

    fn op(seq: i64, asset: i64) -> NewOp {
        NewOp {
            seq,
            idx: 0,
            asset_id: Some(asset),
            op: "set_status".into(),
            args: "{}".into(),
        }
    }

    #[test]
    fn a_parked_op_holds_back_its_asset_and_nothing_else() {
        let s = store_with_events(4);
        let c = s.conn();
        record_plan(c, "u", 4, &[op(1, 10), op(2, 10), op(3, 20), op(4, 20)]).unwrap();
        assert_eq!(cursor(c, "u").unwrap(), 4);
        let ids: Vec<i64> = runnable(c, "u", 0, 10)
            .unwrap()
            .iter()
            .map(|o| o.seq)
            .collect();
        assert_eq!(ids, vec![1, 3], "one op per asset at a time, in order");
        let first = runnable(c, "u", 0, 10).unwrap();
        mark_parked(c, first[0].id, "no model", false).unwrap();
        mark_done(c, first[1].id).unwrap();
        let ids: Vec<i64> = runnable(c, "u", 0, 10)
            .unwrap()
            .iter()
            .map(|o| o.seq)
            .collect();
        assert_eq!(ids, vec![4], "asset 10 waits behind its parked op");
        assert_eq!(unpark(c, "u", None).unwrap(), 1);
        let ids: Vec<i64> = runnable(c, "u", 0, 10)
            .unwrap()
            .iter()
            .map(|o| o.seq)
            .collect();
        assert_eq!(ids, vec![1, 4]);
    }

    #[test]
    fn retries_wait_for_their_time_and_in_flight_ones_come_back() {
        let s = store_with_events(2);
        let c = s.conn();
        record_plan(c, "u", 2, &[op(1, 10), op(2, 11)]).unwrap();
        let r = runnable(c, "u", 0, 10).unwrap();
        mark_in_flight(c, &[r[0].id, r[1].id]).unwrap();
        mark_retry(c, r[0].id, "HTTP 500", 5_000, true).unwrap();
        // r[1] stays in flight, as after a crash: it runs again, with its attempt counted.
        let now = runnable(c, "u", 1_000, 10).unwrap();
        assert_eq!(now.len(), 1);
        assert_eq!((now[0].state.as_str(), now[0].attempts), ("in_flight", 1));
        assert_eq!(next_due_ms(c, "u").unwrap(), Some(0));
        mark_done(c, r[1].id).unwrap();
        assert_eq!(next_due_ms(c, "u").unwrap(), Some(5_000));
        let later = runnable(c, "u", 5_000, 10).unwrap();
        assert!(later[0].uncertain);
        let k = counts(c, "u").unwrap();
        assert_eq!(
            (k.pending, k.done, k.last_error.as_deref()),
            (1, 1, Some("HTTP 500"))
        );
        // Planning the same events again changes nothing.
        record_plan(c, "u", 1, &[op(1, 10)]).unwrap();
        assert_eq!(cursor(c, "u").unwrap(), 2);
        assert_eq!(counts(c, "u").unwrap().pending, 1);
    }

    #[test]
    fn refs_map_both_ways() {
        let s = store_with_events(0);
        let c = s.conn();
        put_ref(c, "u", "model", 5, "X1 Carbon", Some(3), "{}").unwrap();
        put_ref(
            c,
            "u",
            "status_label",
            2,
            "Ready to Deploy",
            None,
            r#"{"type":"deployable"}"#,
        )
        .unwrap();
        assert_eq!(remote_id(c, "u", "model", 3).unwrap(), Some(5));
        assert_eq!(local_id(c, "u", "model", 5).unwrap(), Some(3));
        assert_eq!(
            remote_id_by_name(c, "u", "status_label", "ready to deploy").unwrap(),
            Some(2)
        );
        // The local row moves to another remote id: the old mapping lets go.
        put_ref(c, "u", "model", 9, "X1 Carbon", Some(3), "{}").unwrap();
        assert_eq!(remote_id(c, "u", "model", 3).unwrap(), Some(9));
        assert_eq!(local_id(c, "u", "model", 5).unwrap(), None);
        assert_eq!(ref_count(c, "u", "model").unwrap(), 2);
    }
}
