//! The asset register in Snipe-IT's export columns: parsed and checked against
//! the file itself. Checks against the store happen in `apply`.

use super::fields::{self, parse_date};
use super::table::{Column, Row, Table};
use super::RowError;
use crate::config::ImportConfig;
use crate::store::assets::STATUSES;
use std::collections::HashMap;
use time::Date;

/// The columns, in export order.
pub const COLUMNS: &[Column] = &[
    col("Asset Tag", true),
    col("Serial", false),
    col("Model", false),
    col("Manufacturer", false),
    col("Category", false),
    col("Location", false),
    col("Location Code", false),
    col("Status", false),
    col("Purchase Date", false),
    col("Purchase Cost", false),
    col("Currency", false),
    col("Supplier", false),
    col("Order Number", false),
    col("Warranty", false),
    col("Warranty Expires", false),
];

const fn col(name: &'static str, required: bool) -> Column {
    Column { name, required }
}

/// A location an asset row names: the code it is scanned by and its name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocationRef {
    pub code: String,
    /// `None` when the row gave only a code.
    pub name: Option<String>,
    /// True when the code was derived from the name (no Location Code given).
    pub derived: bool,
}

/// One valid asset row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AssetRow {
    pub line: u64,
    pub tag: String,
    pub serial: Option<String>,
    pub model: Option<String>,
    pub manufacturer: Option<String>,
    pub category: Option<String>,
    pub location: Option<LocationRef>,
    pub status: String,
    pub purchase_date: Option<Date>,
    /// Integer minor units, with the currency they are in.
    pub cost: Option<(i64, String)>,
    pub supplier: Option<String>,
    pub order_number: Option<String>,
    pub warranty_end: Option<Date>,
}

/// Maps a status name through the config's map (case-insensitive), else takes a
/// station status as written (`in_stock`); empty means `in_stock`.
pub fn map_status(s: Option<&str>, cfg: &ImportConfig) -> Result<String, String> {
    let Some(s) = s else {
        return Ok("in_stock".into());
    };
    if let Some((_, v)) = cfg
        .status_map
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(s))
    {
        return Ok(v.clone());
    }
    let lower = s.to_ascii_lowercase();
    if STATUSES.contains(&lower.as_str()) {
        return Ok(lower);
    }
    let mut known: Vec<&str> = cfg.status_map.keys().map(String::as_str).collect();
    known.extend(STATUSES);
    Err(format!(
        "\"{s}\" is not a known status (known: {}; add it to [import.status_map])",
        known.join(", ")
    ))
}

/// Parses every row; all errors, or all rows.
pub fn parse(table: &Table, cfg: &ImportConfig) -> Result<Vec<AssetRow>, Vec<RowError>> {
    let mut errors = Vec::new();
    let mut rows = Vec::new();
    let mut tags: HashMap<String, u64> = HashMap::new();
    let mut serials: HashMap<String, u64> = HashMap::new();
    // code -> (name, line) for locations named by rows, to catch one code for two names.
    let mut locations: HashMap<String, (Option<String>, u64)> = HashMap::new();
    for row in &table.rows {
        match parse_row(table, row, cfg) {
            Ok(a) => {
                if let Some(first) = tags.insert(a.tag.clone(), a.line) {
                    errors.push(table.err(
                        row,
                        "Asset Tag",
                        format!(
                            "\"{}\" appears twice in the file (first on line {first})",
                            a.tag
                        ),
                    ));
                    tags.insert(a.tag.clone(), first);
                }
                if let Some(s) = &a.serial {
                    if let Some(first) = serials.insert(s.clone(), a.line) {
                        errors.push(table.err(
                            row,
                            "Serial",
                            format!("\"{s}\" appears twice in the file (first on line {first})"),
                        ));
                        serials.insert(s.clone(), first);
                    }
                }
                // Derived codes never collide: apply appends -2, -3 … as needed.
                if let Some(loc) = a.location.as_ref().filter(|l| !l.derived) {
                    match locations.get(&loc.code) {
                        Some((Some(other), first))
                            if loc.name.as_ref().is_some_and(|n| n != other) =>
                        {
                            let col = if table.has("Location Code") {
                                "Location Code"
                            } else {
                                "Location"
                            };
                            errors.push(table.err(
                                row,
                                col,
                                format!(
                                    "location code {} is also used for \"{other}\" (line {first}); give each location its own Location Code",
                                    loc.code
                                ),
                            ));
                        }
                        Some((None, first)) if loc.name.is_some() => {
                            let first = *first;
                            locations.insert(loc.code.clone(), (loc.name.clone(), first));
                        }
                        Some(_) => {}
                        None => {
                            locations.insert(loc.code.clone(), (loc.name.clone(), a.line));
                        }
                    }
                }
                rows.push(a);
            }
            Err(mut e) => errors.append(&mut e),
        }
    }
    if errors.is_empty() {
        Ok(rows)
    } else {
        Err(errors)
    }
}

fn parse_row(table: &Table, row: &Row, cfg: &ImportConfig) -> Result<AssetRow, Vec<RowError>> {
    let mut errors = Vec::new();
    let mut check = |name: &str, max: usize| -> Option<String> {
        let v = table.get(row, name)?;
        match fields::check_code(v, max) {
            Ok(()) => Some(v.to_string()),
            Err(m) => {
                errors.push(table.err(row, name, m));
                None
            }
        }
    };
    let tag = check("Asset Tag", 64);
    let serial = check("Serial", 64);
    let model = check("Model", 200);
    let manufacturer = check("Manufacturer", 200);
    let category = check("Category", 200);
    let location_name = check("Location", 200);
    let location_code = check("Location Code", 64);
    let supplier = check("Supplier", 200);
    let order_number = check("Order Number", 64);
    if tag.is_none() && table.get(row, "Asset Tag").is_none() {
        errors.push(table.err(row, "Asset Tag", "empty (required)"));
    }
    let location = match (location_code, location_name) {
        (Some(code), name) => Some(LocationRef {
            code,
            name,
            derived: false,
        }),
        (None, Some(name)) => match fields::derive_location_code(&name) {
            Some(code) => Some(LocationRef {
                code,
                name: Some(name),
                derived: true,
            }),
            None => {
                errors.push(table.err(
                    row,
                    "Location",
                    format!("\"{name}\" has no letter or digit to make a code from; add a Location Code column"),
                ));
                None
            }
        },
        (None, None) => None,
    };
    let status = match map_status(table.get(row, "Status"), cfg) {
        Ok(s) => s,
        Err(m) => {
            errors.push(table.err(row, "Status", m));
            String::new()
        }
    };
    let mut date = |name: &str| match table.get(row, name).map(parse_date) {
        Some(Ok(d)) => Some(d),
        Some(Err(m)) => {
            errors.push(table.err(row, name, m));
            None
        }
        None => None,
    };
    let purchase_date = date("Purchase Date");
    let warranty_expires = date("Warranty Expires");
    let currency = match table.get(row, "Currency").map(fields::parse_currency) {
        Some(Ok(c)) => c,
        Some(Err(m)) => {
            errors.push(table.err(row, "Currency", m));
            String::new()
        }
        None => cfg.default_currency.to_ascii_uppercase(),
    };
    let cost = match table.get(row, "Purchase Cost") {
        Some(s) => match fields::parse_cost(s, fields::minor_digits(&currency)) {
            Ok(v) => Some((v, currency.clone())),
            Err(m) => {
                errors.push(table.err(row, "Purchase Cost", m));
                None
            }
        },
        None => None,
    };
    let months = match table.get(row, "Warranty").map(fields::parse_months) {
        Some(Ok(m)) => Some(m),
        Some(Err(m)) => {
            errors.push(table.err(row, "Warranty", m));
            None
        }
        None => None,
    };
    let warranty_end = match (months, purchase_date, warranty_expires) {
        (_, _, Some(end)) => {
            if let (Some(m), Some(start)) = (months, purchase_date) {
                if fields::add_months(start, m) != Some(end) {
                    errors.push(table.err(
                        row,
                        "Warranty",
                        format!(
                            "{m} months from the purchase date is not the Warranty Expires date {}",
                            fields::format_date(end)
                        ),
                    ));
                }
            }
            Some(end)
        }
        (Some(m), Some(start), None) => fields::add_months(start, m),
        (Some(_), None, None) => {
            if table.get(row, "Purchase Date").is_none() {
                errors.push(table.err(
                    row,
                    "Warranty",
                    "needs a Purchase Date (the warranty ends that many months after it)",
                ));
            }
            None
        }
        (None, _, None) => None,
    };
    match (errors.is_empty(), tag) {
        (true, Some(tag)) => Ok(AssetRow {
            line: row.line,
            tag,
            serial,
            model,
            manufacturer,
            category,
            location,
            status,
            purchase_date,
            cost,
            supplier,
            order_number,
            warranty_end,
        }),
        _ => Err(errors),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_text(text: &str) -> Result<Vec<AssetRow>, Vec<String>> {
        let t = Table::read("assets.csv", text.as_bytes(), COLUMNS)
            .map_err(|e| e.iter().map(|e| e.to_string()).collect::<Vec<_>>())?;
        parse(&t, &ImportConfig::default()).map_err(|e| e.iter().map(|e| e.to_string()).collect())
    }

    #[test]
    fn snipeit_row() {
        let rows = parse_text(
            "Asset Tag,Serial,Model,Status,Purchase Date,Purchase Cost,Warranty,Location\n\
             A-1001,5CG1,Latitude 7440,Ready to Deploy,2024-03-15 00:00:00,\"1,299.50\",36,Store Room 1\n",
        )
        .unwrap();
        let a = &rows[0];
        assert_eq!(a.status, "in_stock");
        assert_eq!(a.cost, Some((129950, "USD".into())));
        assert_eq!(
            a.warranty_end.map(fields::format_date).as_deref(),
            Some("2027-03-15")
        );
        assert_eq!(a.location.as_ref().unwrap().code, "LOC-STORE-ROOM-1");
    }

    #[test]
    fn bad_rows_name_line_and_column() {
        let e = parse_text(
            "Asset Tag,Purchase Date,Status\nA-1,2024-01-01,\nA-2,2024-13-01,\nA-1,,\n,2024-01-01,\nA-3,,Melted\n,,\n",
        )
        .unwrap_err();
        assert_eq!(e.len(), 4, "{e:?}");
        assert_eq!(
            e[0],
            "assets.csv:3: column \"Purchase Date\": \"2024-13-01\" is not a date (YYYY-MM-DD)"
        );
        assert_eq!(e[1], "assets.csv:4: column \"Asset Tag\": \"A-1\" appears twice in the file (first on line 2)");
        assert_eq!(e[2], "assets.csv:5: column \"Asset Tag\": empty (required)");
        assert!(
            e[3].starts_with("assets.csv:6: column \"Status\": \"Melted\" is not a known status"),
            "{}",
            e[3]
        );
    }

    #[test]
    fn warranty_without_date_is_refused() {
        let e = parse_text("Asset Tag,Warranty\nA-1,12\n").unwrap_err();
        assert!(e[0].contains("needs a Purchase Date"), "{e:?}");
    }
}
