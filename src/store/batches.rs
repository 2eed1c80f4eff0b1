//! Disposal pallets (batches, by SSCC-18), the assets on them, and the chain
//! of custody: who handed a pallet to whom, when, with which driver, and
//! the vendor's certificate of recycling or destruction that closes it.
//!
//! A pallet goes `open → closed → in_transit → confirmed`; an asset is on one
//! pallet at a time (the table's key says so).

use super::{dup, Result, StoreError};
use rusqlite::{params, Connection, OptionalExtension, Row};

/// A pallet as stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct BatchRow {
    pub id: i64,
    pub sscc: String,
    pub status: String,
    pub station: String,
    pub opened_at: String,
    pub closed_at: Option<String>,
    pub vendor_id: Option<i64>,
    pub handed_over_at: Option<String>,
    pub driver: Option<String>,
    pub certificate_number: Option<String>,
    pub confirmed_at: Option<String>,
}

const COLUMNS: &str = "id, sscc, status, station, opened_at, closed_at, vendor_id, \
                       handed_over_at, driver, certificate_number, confirmed_at";

fn row(r: &Row<'_>) -> rusqlite::Result<BatchRow> {
    Ok(BatchRow {
        id: r.get(0)?,
        sscc: r.get(1)?,
        status: r.get(2)?,
        station: r.get(3)?,
        opened_at: r.get(4)?,
        closed_at: r.get(5)?,
        vendor_id: r.get(6)?,
        handed_over_at: r.get(7)?,
        driver: r.get(8)?,
        certificate_number: r.get(9)?,
        confirmed_at: r.get(10)?,
    })
}

/// Opens a pallet. An SSCC already used is [`StoreError::Duplicate`].
pub fn open(
    conn: &Connection,
    sscc: &str,
    station: &str,
    at: &str,
    by: Option<&str>,
) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO batches (sscc, station, opened_at, opened_by) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![sscc, station, at, by])
    .map_err(dup("pallet SSCC", sscc))?;
    Ok(conn.last_insert_rowid())
}

pub fn get(conn: &Connection, id: i64) -> Result<Option<BatchRow>> {
    Ok(conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM batches WHERE id = ?1"))?
        .query_row(params![id], row)
        .optional()?)
}

pub fn by_sscc(conn: &Connection, sscc: &str) -> Result<Option<BatchRow>> {
    Ok(conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM batches WHERE sscc = ?1"))?
        .query_row(params![sscc], row)
        .optional()?)
}

/// The pallet this station has open, if any (the newest).
pub fn open_at_station(conn: &Connection, station: &str) -> Result<Option<BatchRow>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM batches WHERE station = ?1 AND status = 'open' \
             ORDER BY id DESC LIMIT 1"
        ))?
        .query_row(params![station], row)
        .optional()?)
}

/// Every SSCC this station made (to find its next serial reference).
pub fn ssccs_of_station(conn: &Connection, station: &str) -> Result<Vec<String>> {
    let mut st = conn.prepare_cached("SELECT sscc FROM batches WHERE station = ?1")?;
    let rows = st.query_map(params![station], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Puts an asset on a pallet. An asset already on one is
/// [`StoreError::Duplicate`]: see [`pallet_of`].
pub fn add_item(
    conn: &Connection,
    batch_id: i64,
    asset_id: i64,
    at: &str,
    by: Option<&str>,
) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO batch_items (batch_id, asset_id, added_at, added_by) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![batch_id, asset_id, at, by])
    .map_err(dup("asset on a pallet", &asset_id.to_string()))?;
    Ok(())
}

/// The pallet an asset is on.
pub fn pallet_of(conn: &Connection, asset_id: i64) -> Result<Option<BatchRow>> {
    Ok(conn
        .prepare_cached(&format!(
            "SELECT {COLUMNS} FROM batches WHERE id = \
             (SELECT batch_id FROM batch_items WHERE asset_id = ?1)"
        ))?
        .query_row(params![asset_id], row)
        .optional()?)
}

/// The assets on a pallet, in the order they went on.
pub fn items(conn: &Connection, batch_id: i64) -> Result<Vec<i64>> {
    let mut st = conn.prepare_cached(
        "SELECT asset_id FROM batch_items WHERE batch_id = ?1 ORDER BY added_at, asset_id",
    )?;
    let rows = st.query_map(params![batch_id], |r| r.get(0))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Runs a status change written as `UPDATE … WHERE id = ?1 AND status =
/// 'from'`; a pallet that is not `from` is refused.
fn step(n: usize, id: i64, from: &str) -> Result<()> {
    if n == 0 {
        return Err(StoreError::Invalid {
            what: "pallet",
            detail: format!("pallet #{id} is not {from}"),
        });
    }
    Ok(())
}

/// `open → closed`.
pub fn close(conn: &Connection, id: i64, at: &str) -> Result<()> {
    let n = conn
        .prepare_cached(
            "UPDATE batches SET status = 'closed', closed_at = ?2 \
             WHERE id = ?1 AND status = 'open'",
        )?
        .execute(params![id, at])?;
    step(n, id, "open")
}

/// `closed → in_transit`, to `vendor_id` with `driver`.
pub fn hand_over(conn: &Connection, id: i64, vendor_id: i64, driver: &str, at: &str) -> Result<()> {
    let n = conn
        .prepare_cached(
            "UPDATE batches SET status = 'in_transit', vendor_id = ?2, driver = ?3, \
             handed_over_at = ?4 WHERE id = ?1 AND status = 'closed'",
        )?
        .execute(params![id, vendor_id, driver, at])?;
    step(n, id, "closed")
}

/// `in_transit → confirmed`, with the vendor's certificate number.
pub fn confirm(conn: &Connection, id: i64, certificate: &str, at: &str) -> Result<()> {
    let n = conn
        .prepare_cached(
            "UPDATE batches SET status = 'confirmed', certificate_number = ?2, \
             confirmed_at = ?3 WHERE id = ?1 AND status = 'in_transit'",
        )?
        .execute(params![id, certificate, at])?;
    step(n, id, "in_transit")
}

/// One link of the chain of custody.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewCustody<'a> {
    pub batch_id: i64,
    pub at: &'a str,
    /// `handed_over` or `confirmed`.
    pub event: &'a str,
    pub from_party: &'a str,
    pub to_party: &'a str,
    pub vendor_id: Option<i64>,
    pub driver: Option<&'a str>,
    pub operator: Option<&'a str>,
    pub note: Option<&'a str>,
}

pub fn add_custody(conn: &Connection, c: &NewCustody<'_>) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO custody (batch_id, at, event, from_party, to_party, vendor_id, driver, \
         operator, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        c.batch_id,
        c.at,
        c.event,
        c.from_party,
        c.to_party,
        c.vendor_id,
        c.driver,
        c.operator,
        c.note
    ])?;
    Ok(conn.last_insert_rowid())
}

/// How many custody links a pallet has.
pub fn custody_count(conn: &Connection, batch_id: i64) -> Result<i64> {
    Ok(conn
        .prepare_cached("SELECT count(*) FROM custody WHERE batch_id = ?1")?
        .query_row(params![batch_id], |r| r.get(0))?)
}

/// One line of `report disposal` (contracts.md).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DisposalRow {
    pub asset: Option<String>,
    pub serial: Option<String>,
    pub batch_sscc: String,
    pub vendor: Option<String>,
    /// The vendor's certifications by name (each with its expiry in
    /// `vendor_certifications`).
    pub vendor_certifications: Vec<String>,
    pub handed_over_at: Option<String>,
    pub driver: Option<String>,
    pub certificate_number: Option<String>,
    pub status: String,
}

/// Every asset on a pallet, pallet by pallet.
pub fn report(conn: &Connection) -> Result<Vec<DisposalRow>> {
    let mut st = conn.prepare_cached(
        "SELECT (SELECT i.value FROM identifiers i WHERE i.asset_id = a.id \
                 AND i.kind = 'asset_tag' ORDER BY i.id LIMIT 1), \
                (SELECT i.value FROM identifiers i WHERE i.asset_id = a.id \
                 AND i.kind = 'serial' ORDER BY i.id LIMIT 1), \
                b.sscc, v.name, v.id, b.handed_over_at, b.driver, \
                b.certificate_number, a.status \
         FROM batch_items bi JOIN batches b ON b.id = bi.batch_id \
         JOIN assets a ON a.id = bi.asset_id LEFT JOIN vendors v ON v.id = b.vendor_id \
         ORDER BY b.id, bi.added_at, a.id",
    )?;
    let rows = st.query_map([], |r| {
        Ok((
            r.get::<_, Option<i64>>(4)?,
            DisposalRow {
                asset: r.get(0)?,
                serial: r.get(1)?,
                batch_sscc: r.get(2)?,
                vendor: r.get(3)?,
                vendor_certifications: Vec::new(),
                handed_over_at: r.get(5)?,
                driver: r.get(6)?,
                certificate_number: r.get(7)?,
                status: r.get(8)?,
            },
        ))
    })?;
    let rows: Vec<(Option<i64>, DisposalRow)> = rows.collect::<rusqlite::Result<_>>()?;
    rows.into_iter()
        .map(|(vendor, mut row)| {
            if let Some(v) = vendor {
                row.vendor_certifications = super::vendors::certifications(conn, v)?
                    .into_iter()
                    .map(|c| c.name)
                    .collect();
            }
            Ok(row)
        })
        .collect()
}
