//! Exporting assets in the import's columns, so that `export` then `import`
//! into an empty store reproduces them (identifiers other than asset tag and
//! serial, EPC and GIAI, and the location hierarchy, are not part of the
//! asset register). `GTIN` lists the model's GTIN-14s separated by spaces;
//! `Holds Media` is `yes`/`no` for an asset with a model, empty without one.
//!
//! CSV: the headers of [`super::assets::COLUMNS`]. JSON: one array of objects
//! whose keys are those headers in snake_case; values are strings or null,
//! except `warranty` (months, a number); `purchase_cost` stays a string
//! (`"1299.50"`) so that money never passes through floating point.

use super::assets::COLUMNS;
use super::fields::{format_cost, minor_digits, months_between, parse_date};
use crate::store::assets::AssetRow;
use crate::store::StoreError;
use rusqlite::Connection;
use serde_json::{Map, Value};

/// One asset as exported: values in [`COLUMNS`] order, `None` for empty.
pub type ExportRow = Vec<Option<String>>;

/// Every asset, oldest first, through the store's one asset join.
pub fn asset_rows(conn: &Connection) -> Result<Vec<ExportRow>, StoreError> {
    Ok(crate::store::assets::list(conn)?
        .into_iter()
        .map(export_row)
        .collect())
}

/// One asset in [`COLUMNS`] order.
fn export_row(a: AssetRow) -> ExportRow {
    let months = match (&a.purchase_date, &a.warranty_end) {
        (Some(p), Some(w)) => match (parse_date(p), parse_date(w)) {
            (Ok(p), Ok(w)) => months_between(p, w).map(|m| m.to_string()),
            _ => None,
        },
        _ => None,
    };
    let cost = a
        .cost_minor
        .map(|c| format_cost(c, a.currency.as_deref().map_or(2, minor_digits)));
    let has_model = a.model.is_some();
    vec![
        Some(a.tag.unwrap_or_else(|| format!("#{}", a.id))),
        a.serial,
        a.model,
        a.manufacturer,
        a.category,
        a.location,
        a.location_code,
        Some(a.status),
        a.purchase_date,
        cost,
        a.currency,
        a.supplier,
        a.order_number,
        months,
        a.warranty_end,
        (!a.gtins.is_empty()).then(|| a.gtins.join(" ")),
        a.epc,
        a.giai,
        has_model.then(|| if a.holds_media { "yes" } else { "no" }.to_string()),
    ]
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
