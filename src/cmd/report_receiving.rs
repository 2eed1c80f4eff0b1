//! `scanstation report receiving [--po PO] [--format json|csv|table]`: each
//! purchase order with its lines received/ordered, its discrepancies and the
//! assets received against it, read from the store without writing to it.

use crate::cli::{ReceivingReportArgs, ReportFormat};
use anyhow::Context as _;
use scanstation::store::{orders, Store};
use serde::Serialize;
use std::io::Write as _;
use std::process::ExitCode;

#[derive(Debug, Serialize)]
struct OrderReport {
    po: String,
    vendor: String,
    /// open (nothing received), partial, received (every line complete),
    /// closed (by CMD:CLOSE).
    status: &'static str,
    lines: Vec<LineReport>,
    discrepancies: Vec<orders::DiscrepancyRow>,
    assets: Vec<orders::ReceivedAsset>,
}

#[derive(Debug, Serialize)]
struct LineReport {
    line: i64,
    model: Option<String>,
    gtin: Option<String>,
    part_number: Option<String>,
    ordered: i64,
    received: i64,
    damaged: i64,
}

fn status(closed: bool, lines: &[LineReport]) -> &'static str {
    if closed {
        "closed"
    } else if lines.iter().all(|l| l.received >= l.ordered) {
        "received"
    } else if lines.iter().any(|l| l.received > 0) {
        "partial"
    } else {
        "open"
    }
}

fn build(conn: &rusqlite::Connection, o: orders::OrderRow) -> anyhow::Result<OrderReport> {
    let got = orders::received_per_line(conn, o.id)?;
    let lines: Vec<LineReport> = orders::lines(conn, o.id)?
        .into_iter()
        .map(|l| {
            let (received, damaged) = got
                .iter()
                .find(|(id, _, _)| *id == l.id)
                .map_or((0, 0), |r| (r.1, r.2));
            LineReport {
                line: l.line,
                model: l.model,
                gtin: l.gtin,
                part_number: l.part_number,
                ordered: l.quantity,
                received,
                damaged,
            }
        })
        .collect();
    Ok(OrderReport {
        status: status(o.closed_at.is_some(), &lines),
        discrepancies: orders::discrepancies(conn, o.id)?,
        assets: orders::received_assets(conn, o.id)?,
        po: o.number,
        vendor: o.vendor,
        lines,
    })
}

pub fn run(ctx: &super::Ctx, args: &ReceivingReportArgs) -> anyhow::Result<ExitCode> {
    let store = Store::open_readonly(&ctx.db_path)?;
    let conn = store.conn();
    let list = match &args.po {
        Some(po) => match orders::by_number(conn, po)? {
            Some(o) => vec![o],
            None => {
                eprintln!("scanstation: error: no purchase order {po}");
                return Ok(ExitCode::from(1));
            }
        },
        None => orders::list(conn, false)?,
    };
    let reports = list
        .into_iter()
        .map(|o| build(conn, o))
        .collect::<anyhow::Result<Vec<_>>>()
        .context("reading the purchase orders")?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match args.format {
        ReportFormat::Json => {
            for r in &reports {
                serde_json::to_writer(&mut out, r)?;
                writeln!(out)?;
            }
        }
        ReportFormat::Csv => write_csv(&reports, &mut out)?,
        ReportFormat::Table => write_table(&reports, &mut out)?,
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

const CSV_HEADER: &[&str] = &[
    "po",
    "vendor",
    "status",
    "record",
    "line",
    "model",
    "gtin",
    "part_number",
    "ordered",
    "received",
    "damaged",
    "kind",
    "serial",
    "detail",
    "tag",
];

/// One row per line, discrepancy and asset (`record` says which), with the
/// order's fields repeated.
fn write_csv(reports: &[OrderReport], out: &mut dyn std::io::Write) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(CSV_HEADER)?;
    let s = |v: &Option<String>| v.clone().unwrap_or_default();
    let n = |v: Option<i64>| v.map(|n| n.to_string()).unwrap_or_default();
    for r in reports {
        let head = [r.po.clone(), r.vendor.clone(), r.status.to_string()];
        for l in &r.lines {
            let row = [
                "line".into(),
                l.line.to_string(),
                s(&l.model),
                s(&l.gtin),
                s(&l.part_number),
                l.ordered.to_string(),
                l.received.to_string(),
                l.damaged.to_string(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
            ];
            w.write_record(head.iter().chain(row.iter()))?;
        }
        for d in &r.discrepancies {
            let mut row = vec!["discrepancy".to_string(), n(d.line)];
            row.extend(std::iter::repeat_n(String::new(), 6));
            row.extend([
                d.kind.clone(),
                s(&d.serial),
                d.detail.clone(),
                String::new(),
            ]);
            w.write_record(head.iter().chain(row.iter()))?;
        }
        for a in &r.assets {
            let mut row = vec!["asset".to_string(), n(a.line)];
            row.extend(std::iter::repeat_n(String::new(), 7));
            row.extend([s(&a.serial), String::new(), s(&a.tag)]);
            w.write_record(head.iter().chain(row.iter()))?;
        }
    }
    w.flush()?;
    Ok(())
}

/// Readable at 80 columns: per order a heading, its lines, its discrepancies.
fn write_table(reports: &[OrderReport], out: &mut dyn std::io::Write) -> anyhow::Result<()> {
    let cut =
        |s: &str, n: usize| -> String { s.chars().filter(|c| !c.is_control()).take(n).collect() };
    for (i, r) in reports.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        writeln!(
            out,
            "{} · {} · {} · {} assets",
            r.po,
            cut(&r.vendor, 30),
            r.status,
            r.assets.len()
        )?;
        writeln!(
            out,
            "  line  {:<28} {:<16} {:>8} {:>8} {:>7}",
            "model", "part", "ordered", "received", "damaged"
        )?;
        for l in &r.lines {
            writeln!(
                out,
                "  {:>4}  {:<28} {:<16} {:>8} {:>8} {:>7}",
                l.line,
                cut(l.model.as_deref().unwrap_or("-"), 28),
                cut(l.part_number.as_deref().unwrap_or("-"), 16),
                l.ordered,
                l.received,
                l.damaged
            )?;
        }
        for d in &r.discrepancies {
            writeln!(
                out,
                "  ! {:<16} {:>4}  {}",
                d.kind,
                d.line.map(|n| n.to_string()).unwrap_or_else(|| "-".into()),
                cut(&d.detail, 52)
            )?;
        }
    }
    Ok(())
}
