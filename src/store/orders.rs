//! Purchase orders and their lines: what the receiving dock expects. Orders
//! come from `scanstation import orders`; Receive mode opens deliveries
//! against them and matches each unit to a line by GTIN, the manufacturer's
//! part number or the model.

use super::{dup, non_empty, Result};
use rusqlite::{params, Connection, OptionalExtension};

/// A purchase order to create. Dates are `YYYY-MM-DD`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewOrder<'a> {
    pub number: &'a str,
    pub vendor_id: i64,
    pub order_date: Option<&'a str>,
    pub expected_date: Option<&'a str>,
    pub created_at: &'a str,
}

/// An order line to create.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewLine {
    pub line: i64,
    pub model_id: Option<i64>,
    /// GTIN-14.
    pub gtin: Option<String>,
    pub part_number: Option<String>,
    pub quantity: i64,
    pub unit_cost_minor: Option<i64>,
    pub currency: Option<String>,
    pub warranty_months: Option<u32>,
    pub tracked: bool,
}

/// A purchase order as stored, with its vendor's name.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct OrderRow {
    pub id: i64,
    pub number: String,
    pub vendor_id: i64,
    pub vendor: String,
    pub order_date: Option<String>,
    pub expected_date: Option<String>,
    pub closed_at: Option<String>,
}

/// An order line as stored, with its model's and manufacturer's names.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LineRow {
    pub id: i64,
    pub po_id: i64,
    pub line: i64,
    pub model_id: Option<i64>,
    pub model: Option<String>,
    pub manufacturer: Option<String>,
    pub gtin: Option<String>,
    pub part_number: Option<String>,
    pub quantity: i64,
    pub unit_cost_minor: Option<i64>,
    pub currency: Option<String>,
    pub warranty_months: Option<u32>,
    pub tracked: bool,
}

/// Creates a purchase order; the number must be new.
pub fn create_order(conn: &Connection, o: &NewOrder<'_>) -> Result<i64> {
    let number = non_empty("PO number", o.number)?;
    conn.prepare_cached(
        "INSERT INTO purchase_orders (number, vendor_id, order_date, expected_date, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        number,
        o.vendor_id,
        o.order_date,
        o.expected_date,
        o.created_at
    ])
    .map_err(dup("purchase order", number))?;
    Ok(conn.last_insert_rowid())
}

/// Adds a line to an order; line numbers are unique within the order.
pub fn add_line(conn: &Connection, po_id: i64, l: &NewLine) -> Result<i64> {
    let what = format!("line {}", l.line);
    conn.prepare_cached(
        "INSERT INTO po_lines (po_id, line, model_id, gtin, part_number, quantity, \
         unit_cost_minor, currency, warranty_months, tracked) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        po_id,
        l.line,
        l.model_id,
        l.gtin,
        l.part_number,
        l.quantity,
        l.unit_cost_minor,
        l.currency,
        l.warranty_months,
        l.tracked
    ])
    .map_err(dup("order line", &what))?;
    Ok(conn.last_insert_rowid())
}

const ORDER: &str = "SELECT o.id, o.number, o.vendor_id, v.name, o.order_date, o.expected_date, \
    o.closed_at FROM purchase_orders o JOIN vendors v ON v.id = o.vendor_id";

fn order_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<OrderRow> {
    Ok(OrderRow {
        id: r.get(0)?,
        number: r.get(1)?,
        vendor_id: r.get(2)?,
        vendor: r.get(3)?,
        order_date: r.get(4)?,
        expected_date: r.get(5)?,
        closed_at: r.get(6)?,
    })
}

/// The order with this number (exact, as scanned).
pub fn by_number(conn: &Connection, number: &str) -> Result<Option<OrderRow>> {
    Ok(conn
        .prepare_cached(&format!("{ORDER} WHERE o.number = ?1"))?
        .query_row(params![number.trim()], order_row)
        .optional()?)
}

/// Every order, by number; only those not closed when `open_only`.
pub fn list(conn: &Connection, open_only: bool) -> Result<Vec<OrderRow>> {
    let filter = if open_only {
        " WHERE o.closed_at IS NULL"
    } else {
        ""
    };
    let mut st = conn.prepare_cached(&format!("{ORDER}{filter} ORDER BY o.number"))?;
    let rows = st.query_map([], order_row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

const LINE: &str = "SELECT l.id, l.po_id, l.line, l.model_id, m.name, mf.name, l.gtin, \
    l.part_number, l.quantity, l.unit_cost_minor, l.currency, l.warranty_months, l.tracked \
    FROM po_lines l LEFT JOIN models m ON m.id = l.model_id \
    LEFT JOIN manufacturers mf ON mf.id = m.manufacturer_id";

fn line(r: &rusqlite::Row<'_>) -> rusqlite::Result<LineRow> {
    Ok(LineRow {
        id: r.get(0)?,
        po_id: r.get(1)?,
        line: r.get(2)?,
        model_id: r.get(3)?,
        model: r.get(4)?,
        manufacturer: r.get(5)?,
        gtin: r.get(6)?,
        part_number: r.get(7)?,
        quantity: r.get(8)?,
        unit_cost_minor: r.get(9)?,
        currency: r.get(10)?,
        warranty_months: r.get(11)?,
        tracked: r.get(12)?,
    })
}

/// The order's lines, by line number.
pub fn lines(conn: &Connection, po_id: i64) -> Result<Vec<LineRow>> {
    let mut st = conn.prepare_cached(&format!("{LINE} WHERE l.po_id = ?1 ORDER BY l.line"))?;
    let rows = st.query_map(params![po_id], line)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The order's lines whose GTIN, or whose part number (compared
/// case-insensitively, as people type them), is this one.
pub fn lines_matching(
    conn: &Connection,
    po_id: i64,
    gtin: Option<&str>,
    part_number: Option<&str>,
) -> Result<Vec<LineRow>> {
    let mut st = conn.prepare_cached(&format!(
        "{LINE} WHERE l.po_id = ?1 AND ((?2 IS NOT NULL AND l.gtin = ?2) \
         OR (?3 IS NOT NULL AND l.part_number = ?3 COLLATE NOCASE)) ORDER BY l.line"
    ))?;
    let rows = st.query_map(params![po_id, gtin, part_number], line)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A delivery as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryRow {
    pub id: i64,
    pub po_id: i64,
    pub station: String,
    pub opened_at: String,
    pub closed_at: Option<String>,
    pub location_id: Option<i64>,
}

/// Opens a delivery of order `po_id` at `station` (a station has at most one
/// open delivery: a second is refused as a duplicate).
pub fn open_delivery(
    conn: &Connection,
    po_id: i64,
    station: &str,
    opened_at: &str,
    opened_by: Option<i64>,
    location_id: Option<i64>,
) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO deliveries (po_id, station, opened_at, opened_by, location_id) \
         VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![po_id, station, opened_at, opened_by, location_id])
    .map_err(dup("open delivery at station", station))?;
    Ok(conn.last_insert_rowid())
}

fn delivery_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<DeliveryRow> {
    Ok(DeliveryRow {
        id: r.get(0)?,
        po_id: r.get(1)?,
        station: r.get(2)?,
        opened_at: r.get(3)?,
        closed_at: r.get(4)?,
        location_id: r.get(5)?,
    })
}

const DELIVERY: &str =
    "SELECT id, po_id, station, opened_at, closed_at, location_id FROM deliveries";

pub fn delivery(conn: &Connection, id: i64) -> Result<Option<DeliveryRow>> {
    Ok(conn
        .prepare_cached(&format!("{DELIVERY} WHERE id = ?1"))?
        .query_row(params![id], delivery_row)
        .optional()?)
}

/// The delivery open at `station`, if any.
pub fn open_delivery_at(conn: &Connection, station: &str) -> Result<Option<DeliveryRow>> {
    Ok(conn
        .prepare_cached(&format!(
            "{DELIVERY} WHERE station = ?1 AND closed_at IS NULL"
        ))?
        .query_row(params![station], delivery_row)
        .optional()?)
}

/// The order by id.
pub fn order(conn: &Connection, id: i64) -> Result<Option<OrderRow>> {
    Ok(conn
        .prepare_cached(&format!("{ORDER} WHERE o.id = ?1"))?
        .query_row(params![id], order_row)
        .optional()?)
}

/// Closes the delivery and its order (`CMD:CLOSE`).
pub fn close_delivery(conn: &Connection, delivery_id: i64, at: &str) -> Result<()> {
    conn.prepare_cached(
        "UPDATE deliveries SET closed_at = ?2 WHERE id = ?1 AND closed_at IS NULL",
    )?
    .execute(params![delivery_id, at])?;
    conn.prepare_cached(
        "UPDATE purchase_orders SET closed_at = ?2 WHERE closed_at IS NULL \
         AND id = (SELECT po_id FROM deliveries WHERE id = ?1)",
    )?
    .execute(params![delivery_id, at])?;
    Ok(())
}

/// A received unit (or a count of an untracked line) to record.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewItem<'a> {
    pub delivery_id: i64,
    pub po_line_id: Option<i64>,
    pub asset_id: Option<i64>,
    pub serial: Option<&'a str>,
    pub quantity: i64,
    pub over: bool,
    pub received_at: &'a str,
    pub seq: Option<i64>,
}

pub fn add_item(conn: &Connection, i: &NewItem<'_>) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO delivery_items (delivery_id, po_line_id, asset_id, serial, quantity, \
         over, received_at, seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        i.delivery_id,
        i.po_line_id,
        i.asset_id,
        i.serial,
        i.quantity.max(1),
        i.over,
        i.received_at,
        i.seq
    ])?;
    Ok(conn.last_insert_rowid())
}

/// A received item as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemRow {
    pub id: i64,
    pub delivery_id: i64,
    pub po_line_id: Option<i64>,
    pub asset_id: Option<i64>,
    pub serial: Option<String>,
    pub quantity: i64,
    pub damaged: bool,
    pub over: bool,
}

pub fn item(conn: &Connection, id: i64) -> Result<Option<ItemRow>> {
    Ok(conn
        .prepare_cached(
            "SELECT id, delivery_id, po_line_id, asset_id, serial, quantity, damaged, over \
             FROM delivery_items WHERE id = ?1",
        )?
        .query_row(params![id], |r| {
            Ok(ItemRow {
                id: r.get(0)?,
                delivery_id: r.get(1)?,
                po_line_id: r.get(2)?,
                asset_id: r.get(3)?,
                serial: r.get(4)?,
                quantity: r.get(5)?,
                damaged: r.get(6)?,
                over: r.get(7)?,
            })
        })
        .optional()?)
}

pub fn set_item_damaged(conn: &Connection, id: i64) -> Result<()> {
    conn.prepare_cached("UPDATE delivery_items SET damaged = 1 WHERE id = ?1")?
        .execute(params![id])?;
    Ok(())
}

/// Whether a unit with this serial was received before (any order).
pub fn serial_received(conn: &Connection, serial: &str) -> Result<bool> {
    Ok(conn
        .prepare_cached("SELECT 1 FROM delivery_items WHERE serial = ?1 LIMIT 1")?
        .query_row(params![serial], |_| Ok(()))
        .optional()?
        .is_some())
}

/// Units received so far on each line of the order (every delivery):
/// (line id, received, damaged).
pub fn received_per_line(conn: &Connection, po_id: i64) -> Result<Vec<(i64, i64, i64)>> {
    let mut st = conn.prepare_cached(
        // Kept by the triggers of migration 0014: a read per line, not a
        // sum over every unit received.
        "SELECT id, received_qty, damaged_qty FROM po_lines WHERE po_id = ?1 ORDER BY line",
    )?;
    let rows = st.query_map(params![po_id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// A discrepancy to record.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewDiscrepancy<'a> {
    pub po_id: i64,
    pub delivery_id: Option<i64>,
    pub po_line_id: Option<i64>,
    /// `over`, `short`, `not_on_order`, `duplicate_serial`, `damaged`, `unreadable`.
    pub kind: &'a str,
    pub serial: Option<&'a str>,
    pub detail: &'a str,
    pub raw: Option<&'a str>,
    pub at: &'a str,
    pub seq: Option<i64>,
}

pub fn add_discrepancy(conn: &Connection, d: &NewDiscrepancy<'_>) -> Result<i64> {
    conn.prepare_cached(
        "INSERT INTO discrepancies (po_id, delivery_id, po_line_id, kind, serial, detail, raw, \
         at, seq) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        d.po_id,
        d.delivery_id,
        d.po_line_id,
        d.kind,
        d.serial,
        d.detail,
        d.raw,
        d.at,
        d.seq
    ])?;
    Ok(conn.last_insert_rowid())
}

/// A discrepancy as `report receiving` shows it (the line by its number).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct DiscrepancyRow {
    pub kind: String,
    pub line: Option<i64>,
    pub serial: Option<String>,
    pub detail: String,
}

/// The order's discrepancies, in the order they were found.
pub fn discrepancies(conn: &Connection, po_id: i64) -> Result<Vec<DiscrepancyRow>> {
    let mut st = conn.prepare_cached(
        "SELECT d.kind, l.line, d.serial, d.detail FROM discrepancies d \
         LEFT JOIN po_lines l ON l.id = d.po_line_id WHERE d.po_id = ?1 ORDER BY d.id",
    )?;
    let rows = st.query_map(params![po_id], |r| {
        Ok(DiscrepancyRow {
            kind: r.get(0)?,
            line: r.get(1)?,
            serial: r.get(2)?,
            detail: r.get(3)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// An asset received against an order.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ReceivedAsset {
    pub tag: Option<String>,
    pub serial: Option<String>,
    pub line: Option<i64>,
}

/// The assets received against the order, in the order they were received.
pub fn received_assets(conn: &Connection, po_id: i64) -> Result<Vec<ReceivedAsset>> {
    let mut st = conn.prepare_cached(
        "SELECT (SELECT value FROM identifiers t WHERE t.asset_id = i.asset_id \
         AND t.kind = 'asset_tag' ORDER BY t.id LIMIT 1), i.serial, l.line \
         FROM delivery_items i JOIN deliveries d ON d.id = i.delivery_id \
         LEFT JOIN po_lines l ON l.id = i.po_line_id \
         WHERE d.po_id = ?1 AND i.asset_id IS NOT NULL ORDER BY i.id",
    )?;
    let rows = st.query_map(params![po_id], |r| {
        Ok(ReceivedAsset {
            tag: r.get(0)?,
            serial: r.get(1)?,
            line: r.get(2)?,
        })
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// An order line with its vendor and every item received on it, for the
/// vendors report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VendorLine {
    pub vendor: String,
    pub po_id: i64,
    pub expected_date: Option<String>,
    pub quantity: i64,
    pub unit_cost_minor: Option<i64>,
    pub currency: Option<String>,
    /// (quantity, damaged, received_at) of each item, in the order received.
    pub items: Vec<(i64, bool, String)>,
}

/// Every order line with its items, by vendor, order and line.
pub fn vendor_lines(conn: &Connection) -> Result<Vec<VendorLine>> {
    let mut st = conn.prepare_cached(
        "SELECT l.id, v.name, o.id, o.expected_date, l.quantity, l.unit_cost_minor, l.currency, \
         i.quantity, i.damaged, i.received_at \
         FROM po_lines l JOIN purchase_orders o ON o.id = l.po_id \
         JOIN vendors v ON v.id = o.vendor_id \
         LEFT JOIN delivery_items i ON i.po_line_id = l.id \
         ORDER BY v.name COLLATE NOCASE, o.number, l.line, i.id",
    )?;
    let mut rows = st.query([])?;
    let mut out: Vec<VendorLine> = Vec::new();
    let mut last_id = None;
    while let Some(r) = rows.next()? {
        let id: i64 = r.get(0)?;
        if last_id != Some(id) {
            last_id = Some(id);
            out.push(VendorLine {
                vendor: r.get(1)?,
                po_id: r.get(2)?,
                expected_date: r.get(3)?,
                quantity: r.get(4)?,
                unit_cost_minor: r.get(5)?,
                currency: r.get(6)?,
                items: Vec::new(),
            });
        }
        let q: Option<i64> = r.get(7)?;
        if let (Some(q), Some(last)) = (q, out.last_mut()) {
            last.items.push((q, r.get(8)?, r.get(9)?));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{vendors, Store, StoreError};

    #[test]
    fn a_serial_received_before_is_found_by_its_index() {
        let s = Store::open_in_memory().unwrap();
        let plan: String = s
            .conn()
            .query_row(
                "EXPLAIN QUERY PLAN SELECT 1 FROM delivery_items WHERE serial = 'X' LIMIT 1",
                [],
                |r| r.get(3),
            )
            .unwrap();
        assert!(plan.contains("delivery_items_serial"), "{plan}");
        assert!(!serial_received(s.conn(), "X").unwrap());
    }

    #[test]
    fn deliveries_items_and_discrepancies() {
        let mut s = Store::open_in_memory().unwrap();
        let tx = s.write().unwrap();
        let c = tx.conn();
        let (v, _) = vendors::get_or_create_supplier(c, "Acme").unwrap();
        let po = create_order(
            c,
            &NewOrder {
                number: "PO-1001",
                vendor_id: v,
                order_date: None,
                expected_date: None,
                created_at: "t",
            },
        )
        .unwrap();
        let l1 = add_line(
            c,
            po,
            &NewLine {
                line: 1,
                quantity: 2,
                tracked: true,
                ..Default::default()
            },
        )
        .unwrap();
        let d = open_delivery(c, po, "dock-1", "t0", None, None).unwrap();
        assert!(matches!(
            open_delivery(c, po, "dock-1", "t1", None, None),
            Err(StoreError::Duplicate { .. })
        ));
        assert_eq!(open_delivery_at(c, "dock-1").unwrap().unwrap().id, d);
        let item = |serial| NewItem {
            delivery_id: d,
            po_line_id: Some(l1),
            serial: Some(serial),
            quantity: 1,
            received_at: "t2",
            ..Default::default()
        };
        let i1 = add_item(c, &item("S1")).unwrap();
        add_item(c, &item("S2")).unwrap();
        set_item_damaged(c, i1).unwrap();
        assert!(item_damaged(c, i1));
        assert!(serial_received(c, "S2").unwrap());
        assert!(!serial_received(c, "S3").unwrap());
        assert_eq!(received_per_line(c, po).unwrap(), vec![(l1, 2, 1)]);
        // The triggers' counts are the sums over the items, after a delete too.
        c.execute("DELETE FROM delivery_items WHERE serial = 'S2'", [])
            .unwrap();
        let summed: (i64, i64) = c
            .query_row(
                "SELECT SUM(quantity), SUM(CASE WHEN damaged = 1 THEN quantity ELSE 0 END) \
                 FROM delivery_items WHERE po_line_id = ?1",
                [l1],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(
            received_per_line(c, po).unwrap(),
            vec![(l1, summed.0, summed.1)]
        );
        assert_eq!(summed, (1, 1));
        add_item(c, &item("S2")).unwrap();
        assert_eq!(received_per_line(c, po).unwrap(), vec![(l1, 2, 1)]);
        add_discrepancy(
            c,
            &NewDiscrepancy {
                po_id: po,
                delivery_id: Some(d),
                po_line_id: Some(l1),
                kind: "damaged",
                serial: Some("S1"),
                detail: "dented",
                at: "t3",
                ..Default::default()
            },
        )
        .unwrap();
        let bad = NewDiscrepancy {
            po_id: po,
            kind: "lost",
            detail: "x",
            at: "t3",
            ..Default::default()
        };
        assert!(add_discrepancy(c, &bad).is_err(), "kinds are checked");
        let ds = discrepancies(c, po).unwrap();
        assert_eq!((ds[0].kind.as_str(), ds[0].line), ("damaged", Some(1)));
        close_delivery(c, d, "t4").unwrap();
        assert_eq!(open_delivery_at(c, "dock-1").unwrap(), None);
        assert_eq!(
            order(c, po).unwrap().unwrap().closed_at.as_deref(),
            Some("t4")
        );
        let vl = vendor_lines(c).unwrap();
        assert_eq!(vl.len(), 1);
        assert_eq!(vl[0].items.len(), 2);
    }

    fn item_damaged(c: &Connection, id: i64) -> bool {
        item(c, id).unwrap().unwrap().damaged
    }

    #[test]
    fn orders_and_lines_round_trip() {
        let mut s = Store::open_in_memory().unwrap();
        let tx = s.write().unwrap();
        let c = tx.conn();
        let (v, _) = vendors::get_or_create_supplier(c, "Acme").unwrap();
        let po = create_order(
            c,
            &NewOrder {
                number: "PO-1001",
                vendor_id: v,
                order_date: Some("2026-11-01"),
                expected_date: Some("2026-11-20"),
                created_at: "2026-11-02T10:00:00.000Z",
            },
        )
        .unwrap();
        let l = NewLine {
            line: 1,
            gtin: Some("09506000134352".into()),
            part_number: Some("20TBS1D000".into()),
            quantity: 10,
            unit_cost_minor: Some(129950),
            currency: Some("USD".into()),
            tracked: true,
            ..Default::default()
        };
        add_line(c, po, &l).unwrap();
        add_line(
            c,
            po,
            &NewLine {
                line: 2,
                quantity: 50,
                tracked: false,
                ..Default::default()
            },
        )
        .unwrap();
        assert!(matches!(
            add_line(c, po, &l),
            Err(StoreError::Duplicate { .. })
        ));
        let again = NewOrder {
            number: "PO-1001",
            vendor_id: v,
            order_date: None,
            expected_date: None,
            created_at: "x",
        };
        assert!(matches!(
            create_order(c, &again),
            Err(StoreError::Duplicate { .. })
        ));
        let o = by_number(c, "PO-1001").unwrap().unwrap();
        assert_eq!(o.vendor, "Acme");
        assert_eq!(o.expected_date.as_deref(), Some("2026-11-20"));
        let ls = lines(c, po).unwrap();
        assert_eq!(ls.len(), 2);
        assert_eq!(ls[0].unit_cost_minor, Some(129950));
        assert!(!ls[1].tracked);
        let m = lines_matching(c, po, None, Some("20tbs1d000")).unwrap();
        assert_eq!(m.len(), 1);
        assert_eq!(
            lines_matching(c, po, Some("09506000134352"), None).unwrap()[0].line,
            1
        );
        assert!(lines_matching(c, po, None, None).unwrap().is_empty());
        assert_eq!(list(c, true).unwrap().len(), 1);
    }
}
