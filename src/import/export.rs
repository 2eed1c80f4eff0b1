//! Exporting assets in the import's columns, so that `export` then `import`
//! into an empty store reproduces them (identifiers other than asset tag and
//! serial, and the location hierarchy, are not part of the asset register).
//!
//! CSV: the headers of [`super::assets::COLUMNS`]. JSON: one array of objects
//! whose keys are those headers in snake_case; values are strings or null,
//! except `warranty` (months, a number); `purchase_cost` stays a string
//! (`"1299.50"`) so that money never passes through floating point.

use super::assets::COLUMNS;
use super::fields::{format_cost, minor_digits, months_between, parse_date};
use crate::store::StoreError;
use rusqlite::Connection;
use serde_json::{Map, Value};

/// One asset as exported: values in [`COLUMNS`] order, `None` for empty.
pub type ExportRow = Vec<Option<String>>;

/// Every asset, oldest first.
pub fn asset_rows(conn: &Connection) -> Result<Vec<ExportRow>, StoreError> {
    let mut st = conn.prepare(
        "SELECT \
           (SELECT value FROM identifiers i WHERE i.asset_id = a.id AND i.kind = 'asset_tag' ORDER BY i.id LIMIT 1), \
           (SELECT value FROM identifiers i WHERE i.asset_id = a.id AND i.kind = 'serial' ORDER BY i.id LIMIT 1), \
           m.name, f.name, c.name, l.name, l.code, a.status, a.purchase_date, a.cost_minor, a.currency, \
           v.name, a.order_number, a.warranty_end, a.id \
         FROM assets a \
         LEFT JOIN models m ON m.id = a.model_id \
         LEFT JOIN manufacturers f ON f.id = m.manufacturer_id \
         LEFT JOIN categories c ON c.id = m.category_id \
         LEFT JOIN locations l ON l.id = a.location_id \
         LEFT JOIN vendors v ON v.id = a.supplier_id \
         ORDER BY a.id",
    )?;
    let rows = st.query_map([], |r| {
        let s = |i: usize| r.get::<_, Option<String>>(i);
        let id: i64 = r.get(14)?;
        let purchase = s(8)?;
        let cost: Option<i64> = r.get(9)?;
        let currency = s(10)?;
        let warranty_end = s(13)?;
        let months = match (&purchase, &warranty_end) {
            (Some(p), Some(w)) => match (parse_date(p), parse_date(w)) {
                (Ok(p), Ok(w)) => months_between(p, w).map(|m| m.to_string()),
                _ => None,
            },
            _ => None,
        };
        Ok(vec![
            Some(s(0)?.unwrap_or_else(|| format!("#{id}"))),
            s(1)?,
            s(2)?,
            s(3)?,
            s(4)?,
            s(5)?,
            s(6)?,
            s(7)?,
            purchase,
            cost.map(|c| format_cost(c, currency.as_deref().map_or(2, minor_digits))),
            currency,
            s(11)?,
            s(12)?,
            months,
            warranty_end,
        ])
    })?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The CSV text: header row, then one row per asset.
pub fn to_csv(rows: &[ExportRow], out: impl std::io::Write) -> Result<(), csv::Error> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(COLUMNS.iter().map(|c| c.name))?;
    for r in rows {
        w.write_record(r.iter().map(|v| v.as_deref().unwrap_or("")))?;
    }
    w.flush()?;
    Ok(())
}

/// `Purchase Date` -> `purchase_date`.
pub fn snake(name: &str) -> String {
    name.to_ascii_lowercase().replace(' ', "_")
}

/// The JSON array.
pub fn to_json(rows: &[ExportRow]) -> Value {
    Value::Array(
        rows.iter()
            .map(|r| {
                let mut m = Map::new();
                for (c, v) in COLUMNS.iter().zip(r) {
                    let v = match (c.name, v) {
                        (_, None) => Value::Null,
                        ("Warranty", Some(s)) => {
                            s.parse::<u64>().map(Value::from).unwrap_or(Value::Null)
                        }
                        (_, Some(s)) => Value::from(s.as_str()),
                    };
                    m.insert(snake(c.name), v);
                }
                Value::Object(m)
            })
            .collect(),
    )
}

/// Writes the JSON array with each object's keys in column order (a
/// `serde_json::Map` would sort them).
pub fn write_json(rows: &[ExportRow], mut out: impl std::io::Write) -> std::io::Result<()> {
    let objects = to_json(rows);
    let empty = Vec::new();
    let objects = objects.as_array().unwrap_or(&empty);
    out.write_all(b"[")?;
    for (i, obj) in objects.iter().enumerate() {
        out.write_all(if i == 0 { b"\n  {" } else { b",\n  {" })?;
        for (k, c) in COLUMNS.iter().enumerate() {
            let key = snake(c.name);
            let v = obj.get(&key).unwrap_or(&Value::Null);
            write!(
                out,
                "{}\n    {}: {}",
                if k == 0 { "" } else { "," },
                Value::from(key.as_str()),
                v
            )?;
        }
        out.write_all(b"\n  }")?;
    }
    out.write_all(if objects.is_empty() { b"]\n" } else { b"\n]\n" })?;
    Ok(())
}
