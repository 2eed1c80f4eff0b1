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

fn order(r: &rusqlite::Row<'_>) -> rusqlite::Result<OrderRow> {
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
        .query_row(params![number.trim()], order)
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
    let rows = st.query_map([], order)?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{vendors, Store, StoreError};

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
