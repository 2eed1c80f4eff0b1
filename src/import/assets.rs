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
    col("GTIN", false),
    col("EPC", false),
    col("GIAI", false),
    col("Holds Media", false),
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
    /// The model's GTIN-14s this row names (a property of the model).
    pub gtins: Vec<String>,
    /// Upper-case hex.
    pub epc: Option<String>,
    pub giai: Option<String>,
    /// Whether the model holds storage media, when the row says.
    pub holds_media: Option<bool>,
    /// Whether the row gave a Status (an update leaves the status alone
    /// otherwise; a new asset is `in_stock`).
    pub status_given: bool,
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
    let mut epcs: HashMap<String, u64> = HashMap::new();
    let mut giais: HashMap<String, u64> = HashMap::new();
    // model name (lower case) -> (holds media, line)
    let mut media: HashMap<String, (bool, u64)> = HashMap::new();
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
                for (col, value, seen) in
                    [("EPC", &a.epc, &mut epcs), ("GIAI", &a.giai, &mut giais)]
                {
                    if let Some(v) = value {
                        if let Some(first) = seen.get(v) {
                            errors.push(table.err(
                                row,
                                col,
                                format!(
                                    "\"{v}\" appears twice in the file (first on line {first})"
                                ),
                            ));
                        } else {
                            seen.insert(v.clone(), a.line);
                        }
                    }
                }
                if let (Some(m), Some(h)) = (&a.model, a.holds_media) {
                    match media.get(&m.to_lowercase()) {
                        Some((other, first)) if *other != h => errors.push(table.err(
                            row,
                            "Holds Media",
                            format!("model \"{m}\" is said to hold media and not to on line {first} (it is a property of the model)"),
                        )),
                        Some(_) => {}
                        None => {
                            media.insert(m.to_lowercase(), (h, a.line));
                        }
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
    let gtins = match table.get(row, "GTIN").map(parse_gtins) {
        Some(Ok(g)) => g,
        Some(Err(m)) => {
            errors.push(table.err(row, "GTIN", m));
            Vec::new()
        }
        None => Vec::new(),
    };
    let epc = match table.get(row, "EPC").map(parse_epc) {
        Some(Ok(e)) => Some(e),
        Some(Err(m)) => {
            errors.push(table.err(row, "EPC", m));
            None
        }
        None => None,
    };
    let giai = match table.get(row, "GIAI").map(parse_giai) {
        Some(Ok(g)) => Some(g),
        Some(Err(m)) => {
            errors.push(table.err(row, "GIAI", m));
            None
        }
        None => None,
    };
    let holds_media = match table.get(row, "Holds Media").map(parse_yes_no) {
        Some(Ok(b)) => Some(b),
        Some(Err(m)) => {
            errors.push(table.err(row, "Holds Media", m));
            None
        }
        None => None,
    };
    if model.is_none() {
        for (col, given) in [
            ("GTIN", !gtins.is_empty()),
            ("Holds Media", holds_media.is_some()),
        ] {
            if given {
                errors.push(table.err(
                    row,
                    col,
                    "is given but Model is empty (it is a property of the model)",
                ));
            }
        }
    }
    let status_given = table.get(row, "Status").is_some();
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
            gtins,
            epc,
            giai,
            holds_media,
            status_given,
        }),
        _ => Err(errors),
    }
}

/// One or more GTINs (8, 12, 13 or 14 digits with a valid check digit),
/// separated by spaces or `;`, as GTIN-14s.
pub fn parse_gtins(s: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    for g in s.split([' ', ';']).filter(|g| !g.is_empty()) {
        if ![8, 12, 13, 14].contains(&g.len()) || !g.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("\"{g}\" is not a GTIN (8, 12, 13 or 14 digits)"));
        }
        let (data, check) = g.as_bytes().split_at(g.len() - 1);
        let want = crate::codec::gs1::check_digit(data) - b'0';
        if check[0] - b'0' != want {
            return Err(format!(
                "\"{g}\": GTIN check digit is {}, expected {want}",
                check[0] - b'0'
            ));
        }
        let g14 = format!("{g:0>14}");
        if !out.contains(&g14) {
            out.push(g14);
        }
    }
    Ok(out)
}

/// An EPC as hex: 24 or more hex digits (96 bits and up), upper-cased.
pub fn parse_epc(s: &str) -> Result<String, String> {
    if s.len() < 24 || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(format!(
            "\"{s}\" is not an EPC (24 or more hex digits, as the reader reports it)"
        ));
    }
    Ok(s.to_ascii_uppercase())
}

/// A GIAI (AI 8004): up to 30 characters of GS1's character set 82, the
/// company prefix first; `(8004)` in front is accepted and dropped.
pub fn parse_giai(s: &str) -> Result<String, String> {
    let v = s.strip_prefix("(8004)").unwrap_or(s);
    let cset82 = |b: u8| b.is_ascii_alphanumeric() || b"!\"%&'()*+,-./:;<=>?_".contains(&b);
    if v.is_empty() || v.len() > 30 || !v.bytes().all(cset82) {
        return Err(format!(
            "\"{s}\" is not a GIAI (1 to 30 characters of GS1's set: letters, digits, !\"%&'()*+,-./:;<=>?_)"
        ));
    }
    if v.len() < 7 || !v.as_bytes()[..6].iter().all(u8::is_ascii_digit) {
        return Err(format!(
            "\"{s}\" is not a GIAI (it starts with a GS1 company prefix of 6 to 12 digits)"
        ));
    }
    Ok(v.to_string())
}

/// `yes`/`no` (also `true`/`false`, `y`/`n`, `1`/`0`), any case.
pub fn parse_yes_no(s: &str) -> Result<bool, String> {
    match s.to_ascii_lowercase().as_str() {
        "yes" | "y" | "true" | "1" => Ok(true),
        "no" | "n" | "false" | "0" => Ok(false),
        _ => Err(format!("\"{s}\" is not yes or no")),
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
    fn gtin_epc_giai_and_holds_media() {
        let rows = parse_text(
            "Asset Tag,Model,GTIN,EPC,GIAI,Holds Media\n\
             A-1,Latitude,9506000134352,3474257bf40000000000162e,(8004)0614141A1,Yes\n\
             A-2,Latitude,09506000134352;12345670,,06141419,yes\n",
        )
        .unwrap();
        assert_eq!(rows[0].gtins, ["09506000134352"]);
        assert_eq!(rows[0].epc.as_deref(), Some("3474257BF40000000000162E"));
        assert_eq!(rows[0].giai.as_deref(), Some("0614141A1"));
        assert_eq!(rows[0].holds_media, Some(true));
        assert_eq!(rows[1].gtins, ["09506000134352", "00000012345670"]);
        let e = parse_text(
            "Asset Tag,Model,GTIN,EPC,GIAI,Holds Media\n\
             A-1,M,9506000134353,ABC,,maybe\n\
             A-2,,12345670,,06141 1,\n\
             A-3,M,,3474257BF40000000000162E,,no\n\
             A-4,M,,3474257bf40000000000162e,,yes\n",
        )
        .unwrap_err();
        assert_eq!(
            e,
            [
                "assets.csv:2: column \"GTIN\": \"9506000134353\": GTIN check digit is 3, expected 2",
                "assets.csv:2: column \"EPC\": \"ABC\" is not an EPC (24 or more hex digits, as the reader reports it)",
                "assets.csv:2: column \"Holds Media\": \"maybe\" is not yes or no",
                "assets.csv:3: column \"GIAI\": \"06141 1\" is not a GIAI (1 to 30 characters of GS1's set: letters, digits, !\"%&'()*+,-./:;<=>?_)",
                "assets.csv:3: column \"GTIN\": is given but Model is empty (it is a property of the model)",
                "assets.csv:5: column \"EPC\": \"3474257BF40000000000162E\" appears twice in the file (first on line 4)",
                "assets.csv:5: column \"Holds Media\": model \"M\" is said to hold media and not to on line 4 (it is a property of the model)",
            ]
        );
    }

    #[test]
    fn warranty_without_date_is_refused() {
        let e = parse_text("Asset Tag,Warranty\nA-1,12\n").unwrap_err();
        assert!(e[0].contains("needs a Purchase Date"), "{e:?}");
    }
}
