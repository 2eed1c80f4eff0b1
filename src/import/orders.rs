//! Purchase orders from CSV (contracts.md, "Receiving"): one row per order
//! line, the order's own columns repeated on each row.
//!
//! Why it is strict: the receiving dock checks deliveries against these
//! lines, so an order that half-imported, or whose rows disagree about its
//! vendor or expected date, would make every later count wrong. Every row of
//! every file is parsed and checked first — against itself, against the other
//! rows of its order (the order columns must agree, a line number once), and
//! against the store (an order number it already has) — and every error is
//! reported with its file, physical line (the header is line 1) and column as
//! the file spells it. Only when there is none does one transaction write the
//! orders, the vendors, models, manufacturers and categories they name that
//! the store lacks, and the journal: `import.orders` (files, SHA-256s and
//! counts), then one `purchase_order.created` per order with its lines.

use super::fields::{self, format_date, parse_date};
use super::table::{Column, Row, Table};
use super::{apply::Importer, ImportError, ImportReport, RowError};
use crate::config::ImportConfig;
use crate::store::orders::{NewLine, NewOrder};
use crate::store::{self, journal::NewEvent, Store, StoreError};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::SystemTime;
use time::Date;

/// The columns of an orders file.
pub const COLUMNS: &[Column] = &[
    col("PO Number", true),
    col("Vendor", true),
    col("Order Date", false),
    col("Expected Date", false),
    col("Line", true),
    col("Model", false),
    col("Manufacturer", false),
    col("Category", false),
    col("GTIN", false),
    col("Part Number", false),
    col("Quantity", true),
    col("Unit Cost", false),
    col("Currency", false),
    col("Warranty Months", false),
    col("Tracked", false),
];

/// The columns that belong to the order and repeat on each of its rows.
const ORDER_COLUMNS: &[&str] = &["Vendor", "Order Date", "Expected Date"];

const fn col(name: &'static str, required: bool) -> Column {
    Column { name, required }
}

/// One valid order line, with the order columns of its row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LineRow {
    pub file: String,
    pub line_no: u64,
    pub po: String,
    pub vendor: String,
    pub order_date: Option<Date>,
    pub expected_date: Option<Date>,
    pub line: i64,
    pub model: Option<String>,
    pub manufacturer: Option<String>,
    pub category: Option<String>,
    /// GTIN-14 (shorter GTINs are padded with zeros).
    pub gtin: Option<String>,
    pub part_number: Option<String>,
    pub quantity: i64,
    /// Unit cost in minor units, with its currency.
    pub unit_cost: Option<(i64, String)>,
    pub warranty_months: Option<u32>,
    pub tracked: bool,
}

/// One order: its number and its lines in file order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OrderRows {
    pub po: String,
    pub lines: Vec<LineRow>,
}

/// A GTIN-8, -12, -13 or -14 with a good check digit, as GTIN-14.
pub fn parse_gtin(s: &str) -> Result<String, String> {
    let b = s.as_bytes();
    if !matches!(b.len(), 8 | 12 | 13 | 14) || !b.iter().all(u8::is_ascii_digit) {
        return Err(format!("\"{s}\" is not a GTIN (8, 12, 13 or 14 digits)"));
    }
    let (data, check) = b.split_at(b.len() - 1);
    let want = crate::codec::gs1::check_digit(data);
    if check[0] != want {
        return Err(format!(
            "\"{s}\" has check digit {}, expected {}",
            char::from(check[0]),
            char::from(want)
        ));
    }
    Ok(format!("{s:0>14}"))
}

fn parse_tracked(s: &str) -> Result<bool, String> {
    match s.to_ascii_lowercase().as_str() {
        "yes" | "y" | "true" | "1" => Ok(true),
        "no" | "n" | "false" | "0" => Ok(false),
        _ => Err(format!("\"{s}\" is not yes or no")),
    }
}

fn parse_positive(s: &str, what: &str) -> Result<i64, String> {
    match s.parse::<i64>() {
        Ok(n) if n >= 1 => Ok(n),
        _ => Err(format!("\"{s}\" is not {what} (a whole number, 1 or more)")),
    }
}

fn parse_row(t: &Table, row: &Row, cfg: &ImportConfig) -> Result<LineRow, Vec<RowError>> {
    let mut errors = Vec::new();
    let mut text = |name: &str, max: usize| -> Option<String> {
        let v = t.get(row, name)?;
        match fields::check_code(v, max) {
            Ok(()) => Some(v.to_string()),
            Err(m) => {
                errors.push(t.err(row, name, m));
                None
            }
        }
    };
    let po = text("PO Number", 64);
    let vendor = text("Vendor", 200);
    let model = text("Model", 200);
    let manufacturer = text("Manufacturer", 200);
    let category = text("Category", 200);
    let part_number = text("Part Number", 64);
    let mut need = |name: &str| {
        if t.get(row, name).is_none() {
            errors.push(t.err(row, name, "empty (required)"));
        }
    };
    for name in ["PO Number", "Vendor", "Line", "Quantity"] {
        need(name);
    }
    let mut cell = |name: &str, f: &dyn Fn(&str) -> Result<(), String>| {
        if let Some(v) = t.get(row, name) {
            if let Err(m) = f(v) {
                errors.push(t.err(row, name, m));
            }
        }
    };
    let get = |name: &str| t.get(row, name);
    cell("Order Date", &|v| parse_date(v).map(drop));
    cell("Expected Date", &|v| parse_date(v).map(drop));
    cell("Line", &|v| parse_positive(v, "a line number").map(drop));
    cell("Quantity", &|v| parse_positive(v, "a quantity").map(drop));
    cell("GTIN", &|v| parse_gtin(v).map(drop));
    cell("Currency", &|v| fields::parse_currency(v).map(drop));
    cell("Warranty Months", &|v| fields::parse_months(v).map(drop));
    cell("Tracked", &|v| parse_tracked(v).map(drop));
    let currency = get("Currency")
        .and_then(|c| fields::parse_currency(c).ok())
        .unwrap_or_else(|| cfg.default_currency.to_ascii_uppercase());
    let digits = fields::minor_digits(&currency);
    cell("Unit Cost", &|v| fields::parse_cost(v, digits).map(drop));
    if model.is_none() && (manufacturer.is_some() || category.is_some()) {
        let c = if manufacturer.is_some() {
            "Manufacturer"
        } else {
            "Category"
        };
        errors.push(t.err(
            row,
            c,
            "is given but Model is empty (a line's manufacturer and category are its model's)",
        ));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    // Every cell parsed above; the `ok()`s below cannot fail.
    let date = |name: &str| get(name).and_then(|v| parse_date(v).ok());
    Ok(LineRow {
        file: t.file.clone(),
        line_no: row.line,
        po: po.unwrap_or_default(),
        vendor: vendor.unwrap_or_default(),
        order_date: date("Order Date"),
        expected_date: date("Expected Date"),
        line: get("Line")
            .and_then(|v| parse_positive(v, "").ok())
            .unwrap_or(1),
        model,
        manufacturer,
        category,
        gtin: get("GTIN").and_then(|v| parse_gtin(v).ok()),
        part_number,
        quantity: get("Quantity")
            .and_then(|v| parse_positive(v, "").ok())
            .unwrap_or(1),
        unit_cost: get("Unit Cost")
            .and_then(|v| fields::parse_cost(v, digits).ok())
            .map(|c| (c, currency)),
        warranty_months: get("Warranty Months").and_then(|v| fields::parse_months(v).ok()),
        tracked: get("Tracked")
            .map_or(Ok(true), parse_tracked)
            .unwrap_or(true),
    })
}

/// Parses every file's rows and groups them into orders (in order of first
/// appearance, across files). Checks that need only the files: each row's
/// cells, the order columns agreeing, a line number once per order.
pub fn parse(tables: &[Table], cfg: &ImportConfig) -> Result<Vec<OrderRows>, Vec<RowError>> {
    let mut errors = Vec::new();
    let mut orders: Vec<OrderRows> = Vec::new();
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    for t in tables {
        for row in &t.rows {
            let r = match parse_row(t, row, cfg) {
                Ok(r) => r,
                Err(mut e) => {
                    errors.append(&mut e);
                    continue;
                }
            };
            let k = *index.entry(r.po.clone()).or_insert_with(|| {
                orders.push(OrderRows {
                    po: r.po.clone(),
                    lines: Vec::new(),
                });
                orders.len() - 1
            });
            let order = &mut orders[k];
            if let Some(first) = order.lines.first() {
                for name in ORDER_COLUMNS {
                    let (a, b) = match *name {
                        "Vendor" => (Some(first.vendor.clone()), Some(r.vendor.clone())),
                        "Order Date" => (
                            first.order_date.map(format_date),
                            r.order_date.map(format_date),
                        ),
                        _ => (
                            first.expected_date.map(format_date),
                            r.expected_date.map(format_date),
                        ),
                    };
                    let same = match *name {
                        "Vendor" => {
                            a.as_deref().map(str::to_lowercase)
                                == b.as_deref().map(str::to_lowercase)
                        }
                        _ => a == b,
                    };
                    if !same {
                        errors.push(t.err(
                            row,
                            name,
                            format!(
                                "{:?} disagrees with {:?} on {}:{} for order {} (order columns must agree on every row)",
                                b.unwrap_or_default(),
                                a.unwrap_or_default(),
                                first.file,
                                first.line_no,
                                r.po
                            ),
                        ));
                    }
                }
            }
            if let Some(dup) = order.lines.iter().find(|l| l.line == r.line) {
                errors.push(t.err(
                    row,
                    "Line",
                    format!(
                        "line {} of order {} is also on {}:{}",
                        r.line, r.po, dup.file, dup.line_no
                    ),
                ));
                continue;
            }
            order.lines.push(r);
        }
    }
    if errors.is_empty() {
        Ok(orders)
    } else {
        Err(errors)
    }
}

/// Reads the files and imports them, all or nothing.
pub fn import_files(
    store: &mut Store,
    paths: &[&Path],
    cfg: &ImportConfig,
    who: &Importer<'_>,
) -> Result<ImportReport, ImportError> {
    let mut files = Vec::with_capacity(paths.len());
    for p in paths {
        let name = p.display().to_string();
        let bytes = std::fs::read(p).map_err(|source| ImportError::Unreadable {
            file: name.clone(),
            source,
        })?;
        files.push((name, bytes));
    }
    import_bytes(store, &files, cfg, who)
}

/// Imports `(name, bytes)` files, all or nothing across them.
pub fn import_bytes(
    store: &mut Store,
    files: &[(String, Vec<u8>)],
    cfg: &ImportConfig,
    who: &Importer<'_>,
) -> Result<ImportReport, ImportError> {
    let names = files
        .iter()
        .map(|(n, _)| n.as_str())
        .collect::<Vec<_>>()
        .join(", ");
    let invalid = |errors: Vec<RowError>| ImportError::Invalid {
        file: names.clone(),
        errors,
    };
    let mut tables = Vec::with_capacity(files.len());
    let mut errors = Vec::new();
    let mut report = ImportReport::default();
    let mut sums = Vec::new();
    for (name, bytes) in files {
        let sha = hex::encode(Sha256::digest(bytes));
        sums.push(json!({"file": name, "sha256": sha}));
        if report.sha256.is_empty() {
            report.sha256 = sha;
        }
        match Table::read(name, bytes, COLUMNS) {
            Ok(t) => {
                report.warnings.extend(
                    t.ignored
                        .iter()
                        .map(|h| format!("{name}: unknown column \"{h}\" ignored")),
                );
                tables.push(t);
            }
            Err(mut e) => errors.append(&mut e),
        }
    }
    if !errors.is_empty() {
        return Err(invalid(errors));
    }
    let orders = parse(&tables, cfg).map_err(&invalid)?;
    let store_err = |e: StoreError| ImportError::Store(e.to_string());
    let mut tx = store.write().map_err(store_err)?;
    let mut errors = Vec::new();
    for o in &orders {
        if store::orders::by_number(tx.conn(), &o.po)
            .map_err(store_err)?
            .is_some()
        {
            let first = &o.lines[0];
            errors.push(RowError::new(
                &first.file,
                first.line_no,
                &header_of(&tables, &first.file, "PO Number"),
                format!("order {} is already in the store", o.po),
            ));
        }
    }
    if !errors.is_empty() {
        return Err(invalid(errors));
    }
    let at = SystemTime::now();
    let now = crate::timefmt::rfc3339_millis(at);
    let line_count: usize = orders.iter().map(|o| o.lines.len()).sum();
    let append = |tx: &mut store::Tx<'_>, kind: &str, payload| {
        tx.append_event(&NewEvent {
            at,
            station: who.station,
            operator: who.operator,
            kind,
            training: who.training,
            payload,
        })
        .map(|r| r.seq)
    };
    let first = append(
        &mut tx,
        "import.orders",
        json!({"files": sums, "orders": orders.len(), "lines": line_count}),
    )
    .map_err(store_err)?;
    let mut last = first;
    for o in &orders {
        let (po_id, lines) = write_order(&tx, o, &now, &mut report).map_err(store_err)?;
        let head = &o.lines[0];
        last = append(
            &mut tx,
            "purchase_order.created",
            json!({
                "po_id": po_id,
                "po": o.po,
                "vendor": head.vendor,
                "order_date": head.order_date.map(format_date),
                "expected_date": head.expected_date.map(format_date),
                "lines": lines,
                "via": "import",
                "file": head.file,
                "line": head.line_no,
            }),
        )
        .map_err(store_err)?;
    }
    tx.commit().map_err(store_err)?;
    report.rows = line_count;
    report.seqs = (first, last);
    report.created.insert(
        "orders".into(),
        orders.iter().map(|o| o.po.clone()).collect(),
    );
    Ok(report)
}

fn header_of(tables: &[Table], file: &str, name: &str) -> String {
    tables
        .iter()
        .find(|t| t.file == file)
        .map_or_else(|| name.to_string(), |t| t.header(name))
}

fn note(report: &mut ImportReport, what: &str, name: &str) {
    let list = report.created.entry(what.to_string()).or_default();
    if !list.iter().any(|n| n == name) {
        list.push(name.to_string());
    }
}

/// Writes one order and its lines; returns its id and the lines as JSON for
/// the journal.
fn write_order(
    tx: &store::Tx<'_>,
    o: &OrderRows,
    now: &str,
    report: &mut ImportReport,
) -> Result<(i64, Vec<serde_json::Value>), StoreError> {
    let conn = tx.conn();
    let head = &o.lines[0];
    let (vendor_id, created) = store::vendors::get_or_create_supplier(conn, &head.vendor)?;
    if created {
        note(report, "suppliers", &head.vendor);
    }
    let order_date = head.order_date.map(format_date);
    let expected_date = head.expected_date.map(format_date);
    let po_id = store::orders::create_order(
        conn,
        &NewOrder {
            number: &o.po,
            vendor_id,
            order_date: order_date.as_deref(),
            expected_date: expected_date.as_deref(),
            created_at: now,
        },
    )?;
    let mut lines = Vec::with_capacity(o.lines.len());
    for l in &o.lines {
        let model_id = match &l.model {
            Some(m) => {
                let (id, created) = store::catalog::get_or_create_model(
                    conn,
                    m,
                    l.manufacturer.as_deref(),
                    l.category.as_deref(),
                )?;
                for c in created {
                    let (what, name) = c.split_once(' ').unwrap_or(("entities", c.as_str()));
                    let what = if what == "category" {
                        "categories".to_string()
                    } else {
                        format!("{what}s")
                    };
                    note(report, &what, name);
                }
                Some(id)
            }
            None => None,
        };
        store::orders::add_line(
            conn,
            po_id,
            &NewLine {
                line: l.line,
                model_id,
                gtin: l.gtin.clone(),
                part_number: l.part_number.clone(),
                quantity: l.quantity,
                unit_cost_minor: l.unit_cost.as_ref().map(|c| c.0),
                currency: l.unit_cost.as_ref().map(|c| c.1.clone()),
                warranty_months: l.warranty_months,
                tracked: l.tracked,
            },
        )?;
        lines.push(json!({
            "line": l.line,
            "model": l.model,
            "manufacturer": l.manufacturer,
            "gtin": l.gtin,
            "part_number": l.part_number,
            "quantity": l.quantity,
            "unit_cost_minor": l.unit_cost.as_ref().map(|c| c.0),
            "currency": l.unit_cost.as_ref().map(|c| c.1.clone()),
            "warranty_months": l.warranty_months,
            "tracked": l.tracked,
        }));
    }
    Ok((po_id, lines))
}

/// Fuzz body: the orders parser over arbitrary bytes never panics.
pub fn fuzz_one(data: &[u8]) {
    let cfg = ImportConfig::default();
    if let Ok(t) = Table::read("fuzz.csv", data, COLUMNS) {
        let _ = parse(std::slice::from_ref(&t), &cfg);
    }
    if let Ok(s) = std::str::from_utf8(data) {
        let _ = parse_gtin(s);
        let _ = parse_tracked(s);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn orders(csv: &str) -> Result<Vec<OrderRows>, Vec<String>> {
        let t = Table::read("o.csv", csv.as_bytes(), COLUMNS)
            .map_err(|e| e.iter().map(ToString::to_string).collect::<Vec<_>>())?;
        parse(&[t], &ImportConfig::default())
            .map_err(|e| e.iter().map(ToString::to_string).collect())
    }

    const HEAD: &str = "PO Number,Vendor,Order Date,Expected Date,Line,Model,Manufacturer,GTIN,Part Number,Quantity,Unit Cost,Currency,Warranty Months,Tracked\n";

    #[test]
    fn groups_lines_into_orders() {
        let o = orders(&format!(
            "{HEAD}PO-1,Acme,2026-11-01,2026-11-20,1,T14,Lenovo,9506000134352,20TBS1D000,10,\"1,299.50\",,36,\n\
             PO-1,acme,2026-11-01,2026-11-20,2,,,,,50,2.00,EUR,,no\n\
             PO-2,Beta,,,1,,,,,1,,,,yes\n"
        ))
        .unwrap();
        assert_eq!(o.len(), 2);
        let l = &o[0].lines[0];
        assert_eq!(l.gtin.as_deref(), Some("09506000134352"));
        assert_eq!(l.unit_cost, Some((129950, "USD".into())));
        assert_eq!(l.warranty_months, Some(36));
        assert!(l.tracked);
        assert_eq!(o[0].lines[1].unit_cost, Some((200, "EUR".into())));
        assert!(!o[0].lines[1].tracked);
        assert_eq!(o[1].lines[0].line_no, 4);
    }

    #[test]
    fn errors_name_line_and_column() {
        let e = orders(&format!(
            "{HEAD}PO-1,Acme,2026-11-01,,1,,,9506000134353,,0,abc,,,maybe\n\
             PO-1,Acme,2026-11-02,,1,,,,,1,,,,\n\
             PO-1,Other,2026-11-01,,2,,Dell,,,1,,,,\n\
             ,,,,,,,,,,,,,\n\
             PO-3,,,,x,,,,,1,,,,\n"
        ))
        .unwrap_err();
        let want = [
            "o.csv:2: column \"GTIN\": \"9506000134353\" has check digit 3, expected 2",
            "o.csv:2: column \"Quantity\": \"0\" is not a quantity (a whole number, 1 or more)",
            "o.csv:2: column \"Unit Cost\":",
            "o.csv:2: column \"Tracked\": \"maybe\" is not yes or no",
            "o.csv:4: column \"Manufacturer\": is given but Model is empty",
            "o.csv:6: column \"Vendor\": empty (required)",
            "o.csv:6: column \"Line\": \"x\" is not a line number",
        ];
        for w in want {
            assert!(e.iter().any(|x| x.starts_with(w)), "{w}\n{e:#?}");
        }
    }

    #[test]
    fn a_line_twice_and_a_vendor_that_disagrees() {
        let e = orders(&format!(
            "{HEAD}PO-1,Acme,,,1,,,,,1,,,,\nPO-1,Acme,,,1,,,,,1,,,,\nPO-1,Beta,,,2,,,,,1,,,,\nPO-1,Acme,,2026-12-01,3,,,,,1,,,,\n"
        ))
        .unwrap_err();
        assert_eq!(e.len(), 3, "{e:#?}");
        assert!(
            e[0].starts_with("o.csv:3: column \"Line\": line 1 of order PO-1 is also on o.csv:2")
        );
        assert!(e[1].starts_with("o.csv:4: column \"Vendor\": \"Beta\" disagrees with \"Acme\""));
        assert!(e[2].starts_with(
            "o.csv:5: column \"Expected Date\": \"2026-12-01\" disagrees with \"\" on o.csv:2 for order PO-1"
        ));
    }

    #[test]
    fn missing_required_columns() {
        let e = orders("PO Number,Vendor\nPO-1,Acme\n").unwrap_err();
        assert!(e
            .iter()
            .any(|x| x == "o.csv:1: column \"Line\" is missing (required)"));
        assert!(e
            .iter()
            .any(|x| x == "o.csv:1: column \"Quantity\" is missing (required)"));
    }

    #[test]
    fn gtins() {
        assert_eq!(parse_gtin("09506000134352").unwrap(), "09506000134352");
        assert_eq!(parse_gtin("96385074").unwrap(), "00000096385074");
        assert!(parse_gtin("1234").is_err());
        fuzz_one(b"PO Number,Vendor,Line,Quantity\n,,,\nA,B,1,99999999999999999999\n");
    }
}
