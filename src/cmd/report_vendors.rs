//! `scanstation report vendors [--format json|csv|table]`: how each vendor
//! delivers, over its order lines: on time (fully received by the order's
//! expected date), over, short, damaged, and the value received per
//! currency. Read from the store without writing to it.

use crate::cli::{ReportFormat, VendorsReportArgs};
use scanstation::import::fields::minor_digits;
use scanstation::store::{orders, Store};
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::Write as _;
use std::process::ExitCode;

#[derive(Debug, Serialize, PartialEq)]
struct VendorReport {
    vendor: String,
    orders: u64,
    lines: u64,
    units_ordered: i64,
    units_received: i64,
    on_time_rate: f64,
    over_rate: f64,
    short_rate: f64,
    damaged_rate: f64,
    value_received: BTreeMap<String, String>,
}

/// Minor units as a decimal string in the currency's digits.
fn decimal(minor: i64, digits: u32) -> String {
    if digits == 0 {
        return minor.to_string();
    }
    let p = 10i64.pow(digits);
    let sign = if minor < 0 { "-" } else { "" };
    let m = minor.unsigned_abs();
    let p = p.unsigned_abs();
    format!("{sign}{}.{:0w$}", m / p, m % p, w = digits as usize)
}

/// The vendors' figures from their lines (sorted by vendor).
fn build(lines: &[orders::VendorLine]) -> Vec<VendorReport> {
    let mut by: Vec<(String, Vec<&orders::VendorLine>)> = Vec::new();
    for l in lines {
        match by.last_mut() {
            Some((v, ls)) if v.eq_ignore_ascii_case(&l.vendor) => ls.push(l),
            _ => by.push((l.vendor.clone(), vec![l])),
        }
    }
    by.into_iter()
        .map(|(vendor, ls)| {
            let n = ls.len() as f64;
            let rate = |f: &dyn Fn(&orders::VendorLine) -> bool| {
                if ls.is_empty() {
                    0.0
                } else {
                    ls.iter().filter(|l| f(l)).count() as f64 / n
                }
            };
            let received = |l: &orders::VendorLine| l.items.iter().map(|i| i.0).sum::<i64>();
            let on_time = |l: &orders::VendorLine| {
                // The item that completed the line, against the expected date.
                let mut sum = 0;
                let done = l.items.iter().find(|i| {
                    sum += i.0;
                    sum >= l.quantity
                });
                match (done, &l.expected_date) {
                    (Some(i), Some(e)) => i.2.get(..10).is_some_and(|d| d <= e.as_str()),
                    (Some(_), None) => true,
                    (None, _) => false,
                }
            };
            let mut value: BTreeMap<String, i64> = BTreeMap::new();
            for l in &ls {
                if let (Some(c), Some(cost)) = (&l.currency, l.unit_cost_minor) {
                    *value.entry(c.clone()).or_default() += cost.saturating_mul(received(l));
                }
            }
            let mut pos: Vec<i64> = ls.iter().map(|l| l.po_id).collect();
            pos.sort_unstable();
            pos.dedup();
            VendorReport {
                orders: pos.len() as u64,
                lines: ls.len() as u64,
                units_ordered: ls.iter().map(|l| l.quantity).sum(),
                units_received: ls.iter().map(|l| received(l)).sum(),
                on_time_rate: rate(&on_time),
                over_rate: rate(&|l| received(l) > l.quantity),
                short_rate: rate(&|l| received(l) < l.quantity),
                damaged_rate: rate(&|l| l.items.iter().any(|i| i.1)),
                value_received: value
                    .into_iter()
                    .map(|(c, m)| {
                        let d = decimal(m, minor_digits(&c));
                        (c, d)
                    })
                    .collect(),
                vendor,
            }
        })
        .collect()
}

pub fn run(ctx: &super::Ctx, args: &VendorsReportArgs) -> anyhow::Result<ExitCode> {
    let store = Store::open_readonly(&ctx.db_path)?;
    let reports = build(&orders::vendor_lines(store.conn())?);
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let values = |r: &VendorReport| {
        r.value_received
            .iter()
            .map(|(c, v)| format!("{v} {c}"))
            .collect::<Vec<_>>()
            .join("; ")
    };
    match args.format {
        ReportFormat::Json => {
            for r in &reports {
                serde_json::to_writer(&mut out, r)?;
                writeln!(out)?;
            }
        }
        ReportFormat::Csv => {
            let mut w = csv::Writer::from_writer(&mut out);
            w.write_record([
                "vendor",
                "orders",
                "lines",
                "units_ordered",
                "units_received",
                "on_time_rate",
                "over_rate",
                "short_rate",
                "damaged_rate",
                "currency",
                "value_received",
            ])?;
            for r in &reports {
                let head = [
                    r.vendor.clone(),
                    r.orders.to_string(),
                    r.lines.to_string(),
                    r.units_ordered.to_string(),
                    r.units_received.to_string(),
                    format!("{:.4}", r.on_time_rate),
                    format!("{:.4}", r.over_rate),
                    format!("{:.4}", r.short_rate),
                    format!("{:.4}", r.damaged_rate),
                ];
                let none = [(String::new(), String::new())];
                let values: Vec<(String, String)> = if r.value_received.is_empty() {
                    none.to_vec()
                } else {
                    r.value_received.clone().into_iter().collect()
                };
                for (c, v) in &values {
                    w.write_record(head.iter().chain([c, v]))?;
                }
            }
            w.flush()?;
        }
        ReportFormat::Table => {
            writeln!(
                out,
                "{:<20} {:>6} {:>5} {:>7} {:>8} {:>7} {:>5} {:>5} {:>7}",
                "vendor",
                "orders",
                "lines",
                "ordered",
                "received",
                "on time",
                "over",
                "short",
                "damaged"
            )?;
            let pct = |f: f64| format!("{:.0}%", f * 100.0);
            for r in &reports {
                writeln!(
                    out,
                    "{:<20} {:>6} {:>5} {:>7} {:>8} {:>7} {:>5} {:>5} {:>7}",
                    r.vendor
                        .chars()
                        .filter(|c| !c.is_control())
                        .take(20)
                        .collect::<String>(),
                    r.orders,
                    r.lines,
                    r.units_ordered,
                    r.units_received,
                    pct(r.on_time_rate),
                    pct(r.over_rate),
                    pct(r.short_rate),
                    pct(r.damaged_rate)
                )?;
                if !r.value_received.is_empty() {
                    writeln!(out, "{:<20} received {}", "", values(r))?;
                }
            }
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(vendor: &str, po: i64, q: i64, items: &[(i64, bool, &str)]) -> orders::VendorLine {
        orders::VendorLine {
            vendor: vendor.into(),
            po_id: po,
            expected_date: Some("2026-11-20".into()),
            quantity: q,
            unit_cost_minor: Some(129950),
            currency: Some("USD".into()),
            items: items
                .iter()
                .map(|(n, d, at)| (*n, *d, at.to_string()))
                .collect(),
        }
    }

    #[test]
    fn rates_are_over_order_lines() {
        let r = build(&[
            line(
                "Acme",
                1,
                2,
                &[
                    (1, false, "2026-11-19T10:00:00.000Z"),
                    (1, true, "2026-11-20T23:00:00.000Z"),
                ],
            ),
            line(
                "Acme",
                1,
                1,
                &[
                    (1, false, "2026-11-21T08:00:00.000Z"),
                    (1, false, "2026-11-21T08:01:00.000Z"),
                ],
            ),
            line("Acme", 2, 3, &[]),
            line("Globex", 3, 1, &[]),
        ]);
        assert_eq!(r.len(), 2);
        let a = &r[0];
        assert_eq!(
            (a.orders, a.lines, a.units_ordered, a.units_received),
            (2, 3, 6, 4)
        );
        assert!(
            (a.on_time_rate - 1.0 / 3.0).abs() < 1e-9,
            "late and never lines"
        );
        assert!((a.over_rate - 1.0 / 3.0).abs() < 1e-9);
        assert!((a.short_rate - 1.0 / 3.0).abs() < 1e-9);
        assert!((a.damaged_rate - 1.0 / 3.0).abs() < 1e-9);
        assert_eq!(a.value_received["USD"], "5198.00");
        assert_eq!(r[1].units_received, 0);
        assert_eq!(
            r[1].value_received["USD"], "0.00",
            "ordered, nothing received"
        );
    }

    #[test]
    fn decimals_follow_the_currency() {
        assert_eq!(decimal(129950, 2), "1299.50");
        assert_eq!(decimal(5, 3), "0.005");
        assert_eq!(decimal(1200, 0), "1200");
        assert_eq!(decimal(-150, 2), "-1.50");
    }
}
