//! `report sanitization`: one line per medium with its latest sanitization
//! record, as JSON lines, CSV or a table for a person (contracts.md: every
//! `report` takes `--format table|json|csv`).
//!
//! Verification-only records (nwipe's `verify_zero`, `verify_one`) are not
//! sanitizations and do not appear; a medium with no record does not either.

use crate::store::sanitizations::ReportRow;
use std::io::{self, Write};

/// The columns, in contracts.md's order (also the CSV header and JSON keys).
pub const COLUMNS: &[&str] = &[
    "asset",
    "medium_serial",
    "media_type",
    "make",
    "model",
    "method",
    "technique",
    "tool",
    "verification",
    "result",
    "started",
    "ended",
    "operator",
    "validator",
    "destination",
    "source",
    "log_sha256",
];

fn cells(r: &ReportRow) -> [Option<&str>; 17] {
    [
        r.asset.as_deref(),
        r.medium_serial.as_deref(),
        Some(&r.media_type),
        r.make.as_deref(),
        r.model.as_deref(),
        r.method.as_deref(),
        r.technique.as_deref(),
        r.tool.as_deref(),
        Some(&r.verification),
        Some(&r.result),
        r.started.as_deref(),
        r.ended.as_deref(),
        r.operator.as_deref(),
        r.validator.as_deref(),
        r.destination.as_deref(),
        Some(&r.source),
        r.log_sha256.as_deref(),
    ]
}

/// One JSON object per line, keys in [`COLUMNS`] order.
pub fn write_json(rows: &[ReportRow], out: &mut dyn Write) -> io::Result<()> {
    for r in rows {
        serde_json::to_writer(&mut *out, r)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// CSV with a header; empty cells for null.
pub fn write_csv(rows: &[ReportRow], out: &mut dyn Write) -> Result<(), csv::Error> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(COLUMNS)?;
    for r in rows {
        w.write_record(cells(r).map(|c| c.unwrap_or("")))?;
    }
    w.flush()?;
    Ok(())
}

/// The columns a person reads at the bench (the SHA-256 shortened).
const TABLE: &[(&str, usize)] = &[
    ("asset", 0),
    ("serial", 1),
    ("type", 2),
    ("model", 4),
    ("method", 5),
    ("technique", 6),
    ("tool", 7),
    ("verify", 8),
    ("result", 9),
    ("ended", 11),
    ("source", 15),
    ("log", 16),
];

/// An aligned text table; `-` for null.
pub fn write_table(rows: &[ReportRow], out: &mut dyn Write) -> io::Result<()> {
    let grid: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let c = cells(r);
            TABLE
                .iter()
                .map(|&(name, i)| match c[i] {
                    None => "-".to_string(),
                    Some(v) if name == "log" => v.chars().take(12).collect(),
                    Some(v) => v.chars().filter(|c| !c.is_control()).collect(),
                })
                .collect()
        })
        .collect();
    let widths: Vec<usize> = TABLE
        .iter()
        .enumerate()
        .map(|(i, (h, _))| {
            grid.iter()
                .map(|row| row[i].chars().count())
                .chain([h.len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let line = |cols: Vec<&str>, out: &mut dyn Write| -> io::Result<()> {
        let mut s = String::new();
        for (i, c) in cols.iter().enumerate() {
            if i > 0 {
                s.push_str("  ");
            }
            s.push_str(c);
            if i + 1 < cols.len() {
                s.extend(std::iter::repeat_n(' ', widths[i] - c.chars().count()));
            }
        }
        writeln!(out, "{s}")
    };
    line(TABLE.iter().map(|(h, _)| *h).collect(), out)?;
    for row in &grid {
        line(row.iter().map(String::as_str).collect(), out)?;
    }
    if rows.is_empty() {
        writeln!(out, "(no sanitization records)")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row() -> ReportRow {
        ReportRow {
            asset: Some("IT-0001".into()),
            medium_serial: Some("S1".into()),
            media_type: "hdd".into(),
            make: None,
            model: Some("Disk".into()),
            method: Some("clear".into()),
            technique: Some("overwrite".into()),
            tool: Some("nwipe 0.33".into()),
            verification: "full".into(),
            result: "passed".into(),
            started: Some("2026-12-03T16:41:42".into()),
            ended: Some("2026-12-03T16:41:44".into()),
            operator: None,
            validator: None,
            destination: None,
            source: "nwipe".into(),
            log_sha256: Some("ab".repeat(32)),
        }
    }

    #[test]
    fn json_keys_are_the_contracts_in_order() {
        let mut out = Vec::new();
        write_json(&[row()], &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let v: serde_json::Value = serde_json::from_str(text.trim()).unwrap();
        let keys: Vec<_> = v.as_object().unwrap().keys().cloned().collect();
        let mut want: Vec<_> = COLUMNS.iter().map(|s| s.to_string()).collect();
        want.sort();
        let mut got = keys.clone();
        got.sort();
        assert_eq!(got, want);
        // serde keeps struct order: the contract's order.
        assert!(text.starts_with("{\"asset\":\"IT-0001\",\"medium_serial\":\"S1\""));
    }

    #[test]
    fn csv_and_table() {
        let mut out = Vec::new();
        write_csv(&[row()], &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.starts_with("asset,medium_serial,media_type,make,model,method"));
        assert!(text.contains("IT-0001,S1,hdd,,Disk,clear,overwrite"));
        let mut out = Vec::new();
        write_table(&[row()], &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.lines()
                .nth(1)
                .unwrap()
                .starts_with("IT-0001  S1      hdd"),
            "{text}"
        );
    }
}
