//! Disposal mode: pallets for the certified e-waste vendor.
//!
//! `CMD:NEWBATCH` opens a pallet identified by an SSCC-18 the station makes
//! from `[organisation] gs1_company_prefix`, `[disposal] sscc_extension` and
//! the next serial reference of this station's range (the pallets already in
//! the store are the counter). Sanitized assets scanned go on it and become
//! `awaiting_pickup`; `CMD:CLOSE` closes it. Scanning a closed pallet's SSCC
//! starts the hand-over: a disposal vendor is picked from a list that shows
//! each one's certifications and their expiry (the `certified_vendor` rule
//! refuses one none of whose certifications is current), then the driver's name
//! or id is typed or scanned (drivers are not operators). The pallet's assets
//! become `in_transit` and the hand-off is a link of the chain of custody.
//!
//! The open pallet is the store's (`batches.status = 'open'` at this
//! station), so the mode keeps no context of its own.

//!
//! Files: `sscc.rs` (the pallet's number), `pallet.rs` (open, load, close),
//! `handover.rs` (vendor, driver, custody).

mod handover;
mod pallet;
mod sscc;

pub use sscc::{next_sscc, sscc};

use crate::input::{Command, Mode};
use crate::station::classify::Identity;
use crate::station::decision::{Decision, Journal};
use crate::station::lookup::{self, LookupResult, MatchRules};
use crate::station::outcome::Panel;
use crate::station::question::{Answer, Question};
use crate::station::view::WorkflowView;
use crate::station::workflow::{Env, ScanIn, Workflow};
use crate::store::{self, batches, StoreError};
use rusqlite::Connection;
use serde_json::{json, Value};
use std::time::SystemTime;

const COMMANDS: &[(&str, &str)] = &[
    ("CMD:NEWBATCH", "open a pallet (a new SSCC)"),
    ("CMD:CLOSE", "close the open pallet"),
];

fn tag_of(conn: &Connection, asset_id: i64) -> Result<String, StoreError> {
    Ok(
        store::identifiers::first_of_kind(conn, asset_id, "asset_tag")?
            .unwrap_or_else(|| format!("#{asset_id}")),
    )
}

fn render(conn: &Connection, station: &str) -> Result<WorkflowView, StoreError> {
    let mut v = WorkflowView {
        title: "Disposal".into(),
        ..WorkflowView::default()
    };
    match batches::open_at_station(conn, station)? {
        Some(b) => {
            let items = batches::items(conn, b.id)?;
            v.lines.push(format!("Pallet {} (open)", b.sscc));
            v.lines
                .push("Next: scan sanitized assets onto it, CMD:CLOSE when full".into());
            v.list_title = format!("On the pallet: {}", items.len());
            for id in items {
                v.list.push(tag_of(conn, id)?);
            }
        }
        None => v.lines.push(
            "Next: CMD:NEWBATCH opens a pallet; scan a closed pallet's SSCC to hand it over".into(),
        ),
    }
    Ok(v)
}

/// The Disposal workflow.
pub struct Disposal {
    rules: MatchRules,
    station: String,
}

impl Disposal {
    pub fn new(settings: &crate::station::StationSettings) -> Disposal {
        Disposal {
            rules: MatchRules::new(&settings.identify),
            station: settings.station_id.clone(),
        }
    }

    fn said(j: &Journal<'_>, d: Decision) -> Result<Decision, StoreError> {
        let view = render(j.conn(), j.station())?;
        Ok(d.panel(Panel::Workflow(view)))
    }
}

impl Workflow for Disposal {
    fn mode(&self) -> Mode {
        Mode::Disposal
    }

    fn entered(&mut self, j: &mut Journal<'_>, _env: &Env<'_>) -> Result<Decision, StoreError> {
        Self::said(j, Decision::ok("Disposal mode"))
    }

    fn scan(
        &mut self,
        j: &mut Journal<'_>,
        env: &Env<'_>,
        s: &mut ScanIn<'_>,
    ) -> Result<Decision, StoreError> {
        let code = s.value.trim();
        let code = code
            .strip_prefix("00")
            .filter(|c| c.len() == 18 && code.len() == 20)
            .unwrap_or(code)
            .to_string();
        if let Some(b) = batches::by_sscc(j.conn(), &code)? {
            s.set("batch_id", json!(b.id));
            s.journal(j)?;
            return self.pallet(j, b, s.scan.at);
        }
        let identity = Identity {
            kind: s.kind,
            value: s.value.as_str().into(),
        };
        let found = lookup::lookup_scan(j.conn(), &identity, &self.rules)?;
        found.annotate(s.payload_mut());
        s.journal(j)?;
        match found {
            LookupResult::Found(c) => self.load_asset(j, env, c.asset_id, s.scan.at),
            LookupResult::Ambiguous(cs) => Ok(Decision::warn(format!(
                "{} matches {} assets: scan its asset tag",
                s.shown,
                cs.len()
            ))),
            LookupResult::NotFound => Ok(Decision::warn(format!(
                "Unknown code {}: scan a sanitized asset or a pallet's SSCC",
                s.shown
            ))),
        }
    }

    fn command(
        &mut self,
        j: &mut Journal<'_>,
        env: &Env<'_>,
        cmd: &Command,
        at: SystemTime,
    ) -> Result<Option<Decision>, StoreError> {
        match cmd {
            Command::Close => self.close(j, at).map(Some),
            Command::Verb { verb, arg: None } if verb == "NEWBATCH" => {
                self.new_batch(j, env, at).map(Some)
            }
            _ => Ok(None),
        }
    }

    fn answer(
        &mut self,
        j: &mut Journal<'_>,
        env: &Env<'_>,
        q: Question,
        a: Answer,
        at: SystemTime,
    ) -> Result<Decision, StoreError> {
        let batch_id = q.data["batch_id"].as_i64().unwrap_or_default();
        match (q.kind.as_str(), a) {
            (_, Answer::Cancel) => Ok(Decision::ok(format!("Cancelled: {}", q.prompt))),
            ("disposal.vendor", Answer::Pick(i, _)) => {
                let vendor_id = q.data["vendor_ids"][i].as_i64().unwrap_or_default();
                self.vendor_picked(j, env, batch_id, vendor_id, at, false)
            }
            ("disposal.override", Answer::Badge(op)) => {
                let vendor_id = q.data["vendor_id"].as_i64().unwrap_or_default();
                j.append(
                    at,
                    "policy.overridden",
                    json!({"rule": q.data["rule"], "batch_id": batch_id,
                           "vendor_id": vendor_id, "by": op.badge}),
                )?;
                self.vendor_picked(j, env, batch_id, vendor_id, at, true)
            }
            ("disposal.driver", Answer::Value(driver)) => {
                let vendor_id = q.data["vendor_id"].as_i64().unwrap_or_default();
                self.hand_over(j, env, batch_id, vendor_id, &driver, at)
            }
            (kind, a) => Ok(Decision::warn(format!(
                "{kind}: answer {a:?} does not fit; nothing done"
            ))),
        }
    }

    fn view(&self, conn: &Connection, _ctx: &Value) -> Result<Option<WorkflowView>, StoreError> {
        render(conn, &self.station).map(Some)
    }

    fn commands(&self) -> &'static [(&'static str, &'static str)] {
        COMMANDS
    }
}
