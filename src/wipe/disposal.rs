//! The end of the chain of custody: the vendor's certificate of recycling or
//! destruction for a pallet handed over (`scanstation disposal confirm SSCC
//! --certificate NUMBER`) makes its assets `disposed`, and the disposal
//! report (`scanstation report disposal`).
//!
//! This is not a bench input, so it runs outside the station: the lifecycle
//! table ([`crate::station::lifecycle::allowed`]) is checked for every asset
//! before anything is written, and the status changes are journaled as the
//! station journals them (`asset.status_changed`), in one transaction with
//! the pallet's `batch.confirmed` and its custody link.

use crate::station::lifecycle::allowed;
use crate::store::journal::NewEvent;
use crate::store::{self, batches, Store, StoreError};
use serde_json::json;
use std::io::{self, Write};
use std::time::SystemTime;

/// Who confirms (the CLI: the station's id, no operator).
#[derive(Debug, Clone, Copy)]
pub struct Who<'a> {
    pub station: &'a str,
    pub training: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfirmError {
    #[error("no pallet has SSCC {0}")]
    UnknownPallet(String),
    #[error("pallet {sscc} is {status}: only a pallet handed over (in_transit) is confirmed")]
    NotInTransit { sscc: String, status: String },
    #[error("the certificate number is empty")]
    NoNumber,
    #[error("{tag} on pallet {sscc} is {status}: it cannot become disposed (rule lifecycle); nothing written")]
    Asset {
        tag: String,
        sscc: String,
        status: String,
    },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// What a confirmation did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Confirmed {
    pub sscc: String,
    pub certificate_number: String,
    pub vendor: Option<String>,
    pub assets: Vec<String>,
}

/// Records the vendor's certificate `number` for pallet `sscc`; its assets
/// become `disposed`. All or nothing.
pub fn confirm(
    store: &mut Store,
    sscc: &str,
    number: &str,
    who: Who<'_>,
    at: SystemTime,
) -> Result<Confirmed, ConfirmError> {
    let number = number.trim();
    if number.is_empty() {
        return Err(ConfirmError::NoNumber);
    }
    let mut tx = store.write()?;
    let sscc = sscc.trim();
    let b = batches::by_sscc(tx.conn(), sscc)?
        .ok_or_else(|| ConfirmError::UnknownPallet(sscc.to_string()))?;
    if b.status != "in_transit" {
        return Err(ConfirmError::NotInTransit {
            sscc: b.sscc,
            status: b.status,
        });
    }
    let items = batches::items(tx.conn(), b.id)?;
    let mut assets = Vec::new();
    for id in &items {
        let a = store::assets::get(tx.conn(), *id)?.ok_or(StoreError::NotFound {
            what: "asset",
            value: format!("#{id}"),
        })?;
        let tag = a.tag.clone().unwrap_or_else(|| format!("#{id}"));
        if !allowed(&a.status, "disposed", None) {
            return Err(ConfirmError::Asset {
                tag,
                sscc: b.sscc,
                status: a.status,
            });
        }
        assets.push((a, tag));
    }
    let now = crate::timefmt::rfc3339_millis(at);
    let vendor = match b.vendor_id {
        Some(v) => store::vendors::get(tx.conn(), v)?.map(|v| v.name),
        None => None,
    };
    let event = |kind: &'static str, payload| NewEvent {
        at,
        station: who.station,
        operator: None,
        kind,
        training: who.training,
        payload,
    };
    for (a, tag) in &assets {
        store::lifecycle::set_status(tx.conn(), a.id, "disposed", None)?;
        tx.append_event(&event(
            "asset.status_changed",
            json!({"asset_id": a.id, "tag": tag, "from": a.status, "to": "disposed",
                   "reason": format!("disposal: certificate {number}")}),
        ))?;
    }
    batches::confirm(tx.conn(), b.id, number, &now)?;
    let party = vendor.clone().unwrap_or_else(|| "vendor".into());
    batches::add_custody(
        tx.conn(),
        &batches::NewCustody {
            batch_id: b.id,
            at: &now,
            event: "confirmed",
            from_party: &party,
            to_party: &party,
            vendor_id: b.vendor_id,
            driver: None,
            operator: None,
            note: Some(number),
        },
    )?;
    let tags: Vec<String> = assets.into_iter().map(|(_, t)| t).collect();
    tx.append_event(&event(
        "batch.confirmed",
        json!({"batch_id": b.id, "sscc": b.sscc, "certificate_number": number,
               "vendor_id": b.vendor_id, "vendor": vendor, "asset_ids": items}),
    ))?;
    tx.commit()?;
    Ok(Confirmed {
        sscc: b.sscc,
        certificate_number: number.to_string(),
        vendor,
        assets: tags,
    })
}

/// `report disposal` as JSON lines (contracts.md's keys).
pub fn write_json(rows: &[batches::DisposalRow], out: &mut dyn Write) -> io::Result<()> {
    for r in rows {
        let v = json!({
            "asset": r.asset, "serial": r.serial, "batch_sscc": r.batch_sscc,
            "vendor": r.vendor,
            "vendor_certifications": r.vendor_certifications,
            "handed_over_at": r.handed_over_at, "driver": r.driver,
            "certificate_number": r.certificate_number, "status": r.status,
        });
        serde_json::to_writer(&mut *out, &v)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

const COLUMNS: [&str; 9] = [
    "asset",
    "serial",
    "batch_sscc",
    "vendor",
    "vendor_certifications",
    "handed_over_at",
    "driver",
    "certificate_number",
    "status",
];

fn cells(r: &batches::DisposalRow) -> [String; 9] {
    let o = |v: &Option<String>| v.clone().unwrap_or_default();
    [
        o(&r.asset),
        o(&r.serial),
        r.batch_sscc.clone(),
        o(&r.vendor),
        r.vendor_certifications.join("; "),
        o(&r.handed_over_at),
        o(&r.driver),
        o(&r.certificate_number),
        r.status.clone(),
    ]
}

/// CSV with a header; empty cells for null.
pub fn write_csv(rows: &[batches::DisposalRow], out: &mut dyn Write) -> Result<(), csv::Error> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record(COLUMNS)?;
    for r in rows {
        w.write_record(cells(r))?;
    }
    w.flush()?;
    Ok(())
}

/// A plain table, columns padded.
pub fn write_table(rows: &[batches::DisposalRow], out: &mut dyn Write) -> io::Result<()> {
    let all: Vec<[String; 9]> = rows.iter().map(cells).collect();
    let mut width: Vec<usize> = COLUMNS.iter().map(|c| c.chars().count()).collect();
    for r in &all {
        for (w, c) in width.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cs: &[String]| {
        cs.iter()
            .zip(&width)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect::<Vec<_>>()
            .join("  ")
            .trim_end()
            .to_string()
    };
    let head: Vec<String> = COLUMNS.iter().map(|c| c.to_string()).collect();
    writeln!(out, "{}", line(&head))?;
    for r in &all {
        writeln!(out, "{}", line(r))?;
    }
    Ok(())
}
