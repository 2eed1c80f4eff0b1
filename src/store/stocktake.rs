//! Stock-takes as stored: the stock-take, its scope (locations with their
//! sub-locations), what was expected where when counting started, and one
//! row per identity read per location with first/last seen, read count and
//! best RSSI. Reads made before a location was scanned are held (location
//! NULL) until one is, or discarded. Deciding what the reads mean is pure
//! (`crate::stocktake`); this module only keeps them.

use super::{non_empty, Result, StoreError};
use rusqlite::{params, Connection, OptionalExtension};
use std::collections::{BTreeMap, HashMap};

/// Where a stock-take is.
pub const STATUSES: &[&str] = &["open", "counting", "reconciling", "closed"];

/// A stock-take as stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct StocktakeRow {
    pub id: i64,
    pub uuid: String,
    pub name: String,
    pub owner: Option<String>,
    pub status: String,
    pub started_at: String,
    pub closed_at: Option<String>,
}

/// One identity's reads at one location (or held: `location_id` None).
#[derive(Debug, Clone, PartialEq)]
pub struct ReadRow {
    pub location_id: Option<i64>,
    pub asset_id: Option<i64>,
    pub code: String,
    /// "scan" or "rfid".
    pub via: String,
    pub shared: bool,
    pub first_seen: String,
    pub last_seen: String,
    pub read_count: u32,
    pub best_rssi: Option<f64>,
}

/// Creates an `open` stock-take over `roots` and their sub-locations and
/// snapshots what is expected there (every asset located in the scope that
/// is neither disposed nor still on order); [`begin_counting`] snapshots it
/// again when the first location is counted. Returns (id, uuid, expected).
pub fn start(
    conn: &Connection,
    name: &str,
    owner: Option<&str>,
    roots: &[i64],
    at: &str,
) -> Result<(i64, String, u64)> {
    let name = non_empty("stock-take name", name)?;
    if roots.is_empty() {
        return Err(StoreError::Invalid {
            what: "stock-take scope",
            detail: "name at least one location".into(),
        });
    }
    let uuid = uuid::Uuid::new_v4().to_string();
    conn.prepare_cached(
        "INSERT INTO stocktakes (uuid, name, owner, status, started_at) \
         VALUES (?1, ?2, ?3, 'open', ?4)",
    )?
    .execute(params![uuid, name, owner, at])?;
    let id = conn.last_insert_rowid();
    let mut add = conn.prepare_cached(
        "WITH RECURSIVE sub(id, depth) AS (SELECT ?2, 0 UNION \
           SELECT l.id, sub.depth + 1 FROM locations l JOIN sub ON l.parent_id = sub.id \
           WHERE sub.depth < 32) \
         INSERT OR IGNORE INTO stocktake_scope (stocktake_id, location_id) \
         SELECT ?1, id FROM sub",
    )?;
    for root in roots {
        add.execute(params![id, root])?;
    }
    let expected = snapshot(conn, id)?;
    Ok((id, uuid, expected))
}

/// (Re)writes what is expected where in the scope, as the assets are now.
fn snapshot(conn: &Connection, id: i64) -> Result<u64> {
    conn.prepare_cached("DELETE FROM stocktake_expected WHERE stocktake_id = ?1")?
        .execute(params![id])?;
    let n = conn
        .prepare_cached(
            "INSERT INTO stocktake_expected (stocktake_id, asset_id, location_id) \
             SELECT ?1, a.id, a.location_id FROM assets a \
             JOIN stocktake_scope s ON s.stocktake_id = ?1 AND s.location_id = a.location_id \
             WHERE a.status NOT IN ('disposed', 'on_order')",
        )?
        .execute(params![id])?;
    Ok(n as u64)
}

/// The first count of an `open` stock-take: what is expected where is
/// snapshotted again (as it is when counting starts) and it is `counting`.
/// Returns the expected count, or None when it was not open.
pub fn begin_counting(conn: &Connection, id: i64) -> Result<Option<u64>> {
    let n = conn
        .prepare_cached(
            "UPDATE stocktakes SET status = 'counting' WHERE id = ?1 AND status = 'open'",
        )?
        .execute(params![id])?;
    if n == 0 {
        return Ok(None);
    }
    snapshot(conn, id).map(Some)
}

/// What a scope of `roots` (and their sub-locations) would hold: (locations,
/// assets expected), for the station to show before a stock-take starts.
pub fn scope_preview(conn: &Connection, roots: &[i64]) -> Result<(u64, u64)> {
    let list = serde_json::to_string(roots).map_err(|e| StoreError::Invalid {
        what: "stock-take scope",
        detail: e.to_string(),
    })?;
    Ok(conn
        .prepare_cached(
            "WITH RECURSIVE sub(id, depth) AS (SELECT value, 0 FROM json_each(?1) UNION \
               SELECT l.id, sub.depth + 1 FROM locations l JOIN sub ON l.parent_id = sub.id \
               WHERE sub.depth < 32), \
             ids AS (SELECT DISTINCT id FROM sub) \
             SELECT (SELECT count(*) FROM ids), \
               (SELECT count(*) FROM assets a JOIN ids ON ids.id = a.location_id \
                WHERE a.status NOT IN ('disposed', 'on_order'))",
        )?
        .query_row(params![list], |r| {
            Ok((r.get::<_, i64>(0)? as u64, r.get::<_, i64>(1)? as u64))
        })?)
}

const SELECT: &str = "SELECT id, uuid, name, owner, status, started_at, closed_at FROM stocktakes";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<StocktakeRow> {
    Ok(StocktakeRow {
        id: r.get(0)?,
        uuid: r.get(1)?,
        name: r.get(2)?,
        owner: r.get(3)?,
        status: r.get(4)?,
        started_at: r.get(5)?,
        closed_at: r.get(6)?,
    })
}

pub fn get(conn: &Connection, id: i64) -> Result<Option<StocktakeRow>> {
    Ok(conn
        .prepare_cached(&format!("{SELECT} WHERE id = ?1"))?
        .query_row(params![id], row)
        .optional()?)
}

/// Every stock-take, newest first.
pub fn list(conn: &Connection) -> Result<Vec<StocktakeRow>> {
    let mut st = conn.prepare_cached(&format!("{SELECT} ORDER BY id DESC"))?;
    let rows = st.query_map([], row)?.collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// The stock-takes open or being counted (a station may count into them),
/// oldest first.
pub fn counting(conn: &Connection) -> Result<Vec<StocktakeRow>> {
    let mut st = conn.prepare_cached(&format!(
        "{SELECT} WHERE status IN ('open', 'counting') ORDER BY id"
    ))?;
    let rows = st.query_map([], row)?.collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Sets a stock-take's status (`closed` also stamps `closed_at`).
pub fn set_status(conn: &Connection, id: i64, status: &str, at: &str) -> Result<()> {
    if !STATUSES.contains(&status) {
        return Err(StoreError::Invalid {
            what: "stock-take status",
            detail: format!("{status:?} is not one of {}", STATUSES.join(", ")),
        });
    }
    let closed = (status == "closed").then_some(at);
    let n = conn
        .prepare_cached("UPDATE stocktakes SET status = ?2, closed_at = ?3 WHERE id = ?1")?
        .execute(params![id, status, closed])?;
    if n == 0 {
        return Err(StoreError::NotFound {
            what: "stock-take",
            value: format!("#{id}"),
        });
    }
    Ok(())
}

/// The scope's location ids, in id order.
pub fn scope(conn: &Connection, id: i64) -> Result<Vec<i64>> {
    let mut st = conn.prepare_cached(
        "SELECT location_id FROM stocktake_scope WHERE stocktake_id = ?1 ORDER BY location_id",
    )?;
    let rows = st
        .query_map(params![id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Adds one location (not its sub-locations) to the scope, confirmed at the
/// station; nothing was expected there.
pub fn add_to_scope(conn: &Connection, id: i64, location_id: i64) -> Result<()> {
    conn.prepare_cached(
        "INSERT OR IGNORE INTO stocktake_scope (stocktake_id, location_id) VALUES (?1, ?2)",
    )?
    .execute(params![id, location_id])?;
    Ok(())
}

/// An unknown code was enrolled as asset `asset_id`: its reads name it now.
pub fn attach_code(conn: &Connection, id: i64, code: &str, asset_id: i64) -> Result<u64> {
    Ok(conn
        .prepare_cached(
            "UPDATE stocktake_reads SET asset_id = ?3 \
             WHERE stocktake_id = ?1 AND code = ?2 AND asset_id IS NULL AND shared = 0",
        )?
        .execute(params![id, code, asset_id])? as u64)
}

/// Whether `location_id` is in the stock-take's scope.
pub fn in_scope(conn: &Connection, id: i64, location_id: i64) -> Result<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT 1 FROM stocktake_scope WHERE stocktake_id = ?1 AND location_id = ?2",
        )?
        .query_row(params![id, location_id], |_| Ok(()))
        .optional()?
        .is_some())
}

/// What was expected where: (asset id, location id), in asset order.
pub fn expected(conn: &Connection, id: i64) -> Result<Vec<(i64, i64)>> {
    let mut st = conn.prepare_cached(
        "SELECT asset_id, location_id FROM stocktake_expected WHERE stocktake_id = ?1 \
         ORDER BY asset_id",
    )?;
    let rows = st
        .query_map(params![id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Where asset `asset_id` was expected, if it was in the scope.
pub fn expected_at(conn: &Connection, stocktake_id: i64, asset_id: i64) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached(
            "SELECT location_id FROM stocktake_expected WHERE stocktake_id = ?1 AND asset_id = ?2",
        )?
        .query_row(params![stocktake_id, asset_id], |r| r.get(0))
        .optional()?)
}

/// One read to count.
#[derive(Debug, Clone)]
pub struct NewRead<'a> {
    pub location_id: Option<i64>,
    pub asset_id: Option<i64>,
    pub code: &'a str,
    pub via: &'a str,
    pub shared: bool,
    pub at: &'a str,
    pub rssi: Option<f64>,
    /// How many times the reader saw it in this report (at least 1).
    pub count: u32,
}

/// Counts a read: once per identity (code and way read) per location, with
/// first/last seen, read count and best RSSI. True when the identity is new
/// at that location.
pub fn count(conn: &Connection, stocktake_id: i64, r: &NewRead<'_>) -> Result<bool> {
    merge(
        conn,
        stocktake_id,
        &ReadRow {
            location_id: r.location_id,
            asset_id: r.asset_id,
            code: r.code.into(),
            via: r.via.into(),
            shared: r.shared,
            first_seen: r.at.into(),
            last_seen: r.at.into(),
            read_count: r.count.max(1),
            best_rssi: r.rssi,
        },
    )
}

fn merge(conn: &Connection, stocktake_id: i64, r: &ReadRow) -> Result<bool> {
    let n = conn
        .prepare_cached(
            "UPDATE stocktake_reads SET \
               first_seen = min(first_seen, ?5), last_seen = max(last_seen, ?6), \
               read_count = read_count + ?7, \
               best_rssi = CASE WHEN best_rssi IS NULL THEN ?8 WHEN ?8 IS NULL THEN best_rssi \
                                ELSE max(best_rssi, ?8) END, \
               asset_id = coalesce(asset_id, ?9), shared = max(shared, ?10) \
             WHERE stocktake_id = ?1 AND location_id IS ?2 AND code = ?3 AND via = ?4",
        )?
        .execute(params![
            stocktake_id,
            r.location_id,
            r.code,
            r.via,
            r.first_seen,
            r.last_seen,
            r.read_count,
            r.best_rssi,
            r.asset_id,
            r.shared
        ])?;
    if n == 0 {
        conn.prepare_cached(
            "INSERT INTO stocktake_reads (stocktake_id, location_id, asset_id, code, via, shared, \
               first_seen, last_seen, read_count, best_rssi) \
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
        )?
        .execute(params![
            stocktake_id,
            r.location_id,
            r.asset_id,
            r.code,
            r.via,
            r.shared,
            r.first_seen,
            r.last_seen,
            r.read_count,
            r.best_rssi
        ])?;
    }
    Ok(n == 0)
}

/// Every read row of a stock-take (held ones too), in id order.
pub fn reads(conn: &Connection, stocktake_id: i64) -> Result<Vec<ReadRow>> {
    let mut st = conn.prepare_cached(
        "SELECT location_id, asset_id, code, via, shared, first_seen, last_seen, read_count, \
           best_rssi FROM stocktake_reads WHERE stocktake_id = ?1 ORDER BY id",
    )?;
    let rows = st
        .query_map(params![stocktake_id], read_row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

fn read_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<ReadRow> {
    Ok(ReadRow {
        location_id: r.get(0)?,
        asset_id: r.get(1)?,
        code: r.get(2)?,
        via: r.get(3)?,
        shared: r.get(4)?,
        first_seen: r.get(5)?,
        last_seen: r.get(6)?,
        read_count: r.get(7)?,
        best_rssi: r.get(8)?,
    })
}

/// Whether asset `asset_id` has been seen at a location in this stock-take.
pub fn sighted(conn: &Connection, stocktake_id: i64, asset_id: i64) -> Result<bool> {
    Ok(conn
        .prepare_cached(
            "SELECT 1 FROM stocktake_reads WHERE stocktake_id = ?1 AND asset_id = ?2 \
             AND location_id IS NOT NULL LIMIT 1",
        )?
        .query_row(params![stocktake_id, asset_id], |_| Ok(()))
        .optional()?
        .is_some())
}

/// Assigns the held reads to `location_id`; returns them as they were held.
pub fn assign_held(conn: &Connection, stocktake_id: i64, location_id: i64) -> Result<Vec<ReadRow>> {
    let held: Vec<ReadRow> = reads(conn, stocktake_id)?
        .into_iter()
        .filter(|r| r.location_id.is_none())
        .collect();
    for r in &held {
        let mut placed = r.clone();
        placed.location_id = Some(location_id);
        merge(conn, stocktake_id, &placed)?;
    }
    discard_held(conn, stocktake_id)?;
    Ok(held)
}

/// Deletes the held reads; returns how many rows there were.
pub fn discard_held(conn: &Connection, stocktake_id: i64) -> Result<u64> {
    Ok(conn
        .prepare_cached(
            "DELETE FROM stocktake_reads WHERE stocktake_id = ?1 AND location_id IS NULL",
        )?
        .execute(params![stocktake_id])? as u64)
}

/// Marks a location of the scope counted (its label was scanned); returns
/// false when it already was (a count resumed).
pub fn mark_counted(
    conn: &Connection,
    stocktake_id: i64,
    location_id: i64,
    at: &str,
) -> Result<bool> {
    Ok(conn
        .prepare_cached(
            "UPDATE stocktake_scope SET counted_at = ?3 \
             WHERE stocktake_id = ?1 AND location_id = ?2 AND counted_at IS NULL",
        )?
        .execute(params![stocktake_id, location_id, at])?
        == 1)
}

/// The locations of the scope whose label was scanned, in id order.
pub fn counted_locations(conn: &Connection, stocktake_id: i64) -> Result<Vec<i64>> {
    let mut st = conn.prepare_cached(
        "SELECT location_id FROM stocktake_scope \
         WHERE stocktake_id = ?1 AND counted_at IS NOT NULL ORDER BY location_id",
    )?;
    let rows = st
        .query_map(params![stocktake_id], |r| r.get(0))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// One operator's scans and reads in a stock-take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OperatorReads {
    /// The badge; None when nobody was signed in.
    pub operator: Option<String>,
    pub events: u64,
    pub first_at: String,
    pub last_at: String,
}

/// Scans and RFID reads counted into stock-take `id` (training excluded),
/// per operator, by operator.
pub fn reads_by_operator(conn: &Connection, stocktake_id: i64) -> Result<Vec<OperatorReads>> {
    let mut st = conn.prepare_cached(
        "SELECT operator, count(*), min(at), max(at) FROM journal \
         WHERE kind IN ('scan', 'rfid.read') AND training = 0 \
           AND json_extract(payload, '$.stocktake_id') = ?1 \
         GROUP BY operator ORDER BY operator",
    )?;
    let rows = st
        .query_map(params![stocktake_id], |r| {
            Ok(OperatorReads {
                operator: r.get(0)?,
                events: r.get::<_, i64>(1)? as u64,
                first_at: r.get(2)?,
                last_at: r.get(3)?,
            })
        })?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// Asset tags (the first `asset_tag` of each) of every asset stock-take
/// `id` expected or read, in one query: the report names a million items
/// without a million look-ups.
pub fn tags(conn: &Connection, id: i64) -> Result<HashMap<i64, String>> {
    let mut st = conn.prepare_cached(
        "WITH ids(asset_id) AS ( \
           SELECT asset_id FROM stocktake_expected WHERE stocktake_id = ?1 \
           UNION SELECT asset_id FROM stocktake_reads \
             WHERE stocktake_id = ?1 AND asset_id IS NOT NULL) \
         SELECT i.asset_id, i.value FROM identifiers i JOIN ids ON ids.asset_id = i.asset_id \
         WHERE i.kind = 'asset_tag' ORDER BY i.id",
    )?;
    let mut out = HashMap::new();
    let mut rows = st.query(params![id])?;
    while let Some(r) = rows.next()? {
        out.entry(r.get(0)?).or_insert(r.get(1)?);
    }
    Ok(out)
}

/// Codes of every location stock-take `id` has in its scope, expected
/// something at or read something at, in one query.
pub fn location_codes(conn: &Connection, id: i64) -> Result<HashMap<i64, String>> {
    let mut st = conn.prepare_cached(
        "WITH ids(location_id) AS ( \
           SELECT location_id FROM stocktake_scope WHERE stocktake_id = ?1 \
           UNION SELECT DISTINCT location_id FROM stocktake_expected WHERE stocktake_id = ?1 \
           UNION SELECT DISTINCT location_id FROM stocktake_reads \
             WHERE stocktake_id = ?1 AND location_id IS NOT NULL) \
         SELECT l.id, l.code FROM locations l JOIN ids ON ids.location_id = l.id",
    )?;
    let rows = st
        .query_map(params![id], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// The read rows placed at a location (held ones left out), in id order.
pub fn placed_reads(conn: &Connection, stocktake_id: i64) -> Result<Vec<ReadRow>> {
    let mut st = conn.prepare_cached(
        "SELECT location_id, asset_id, code, via, shared, first_seen, last_seen, read_count, \
           best_rssi FROM stocktake_reads \
         WHERE stocktake_id = ?1 AND location_id IS NOT NULL ORDER BY id",
    )?;
    let rows = st
        .query_map(params![stocktake_id], read_row)?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}

/// The sum of the cost of `assets`, per currency (minor units), in one
/// query over the set.
pub fn value_of(conn: &Connection, assets: &[i64]) -> Result<BTreeMap<String, i64>> {
    if assets.is_empty() {
        return Ok(BTreeMap::new());
    }
    let list = format!(
        "[{}]",
        assets
            .iter()
            .map(i64::to_string)
            .collect::<Vec<_>>()
            .join(",")
    );
    let mut st = conn.prepare_cached(
        "SELECT a.currency, sum(a.cost_minor) FROM assets a \
         JOIN (SELECT DISTINCT value AS id FROM json_each(?1)) s ON s.id = a.id \
         WHERE a.cost_minor IS NOT NULL AND a.currency IS NOT NULL GROUP BY a.currency",
    )?;
    let rows = st
        .query_map(params![list], |r| Ok((r.get(0)?, r.get(1)?)))?
        .collect::<rusqlite::Result<_>>()?;
    Ok(rows)
}
