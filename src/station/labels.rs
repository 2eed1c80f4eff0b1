//! Label jobs made inside the station's transaction: an asset's label when
//! Receive mode creates the asset, a pallet's SSCC label when Disposal mode
//! opens a pallet.
//!
//! The label is rendered here, from the station's `[labels]`, and queued in
//! the same transaction as the asset or pallet (so neither exists without
//! its label job); the label worker prints it later. With `[labels] rfid`
//! the asset also gets the EPC its label writes to the inlay, as an `epc`
//! identifier journaled as `asset.identifier_added`. A label that cannot be
//! made (a tag too long for the label, no company prefix for an RFID label,
//! an EPC another asset holds) never refuses the receipt: its job is stored
//! `failed` with the reason, and the operator is told.

use super::decision::{Decision, Journal};
use super::workflow::Env;
use super::Level;
use crate::label::{self, pallet, LabelData};
use crate::store::label_jobs::{self, JobKind, NewJob};
use crate::store::{identifiers, StoreError};
use serde_json::json;
use std::time::SystemTime;
use time::OffsetDateTime;

/// What the operator should hear about a label: None when it is queued.
pub type Problem = Option<String>;

/// `d` with what became of its label: "label queued" among what changed,
/// or a warning saying why there is no label.
pub fn said(mut d: Decision, problem: Problem) -> Decision {
    match problem {
        None => d.changed.push("label queued".into()),
        Some(p) => {
            if d.level == Level::Ok {
                d.level = Level::Warning;
            }
            d.message = format!("{} · {p}", d.message);
        }
    }
    d
}

fn today(at: SystemTime) -> String {
    OffsetDateTime::from(at).date().to_string()
}

/// Queues the label of asset `asset_id` (tag `tag`), made at `at`.
pub fn asset(
    j: &mut Journal<'_>,
    env: &Env<'_>,
    asset_id: i64,
    tag: &str,
    model: Option<&str>,
    at: SystemTime,
) -> Result<Problem, StoreError> {
    let cfg = &env.settings.labels;
    let mut data = LabelData {
        tag: tag.to_string(),
        model: model.map(str::to_string),
        date: Some(today(at)),
        epc_hex: None,
    };
    let made = match epc(j, env, asset_id, tag, at)? {
        Ok(hex) => {
            data.epc_hex = hex;
            label::zpl::render(&data, cfg).map_err(|e| e.to_string())
        }
        Err(why) => Err(why),
    };
    queue(j, JobKind::Asset(asset_id), &format!("{tag}.zpl"), made, at)
}

/// The EPC the label writes (None without `[labels] rfid`), given to the
/// asset as its `epc` identifier; Err says why the label cannot be made.
fn epc(
    j: &mut Journal<'_>,
    env: &Env<'_>,
    asset_id: i64,
    tag: &str,
    at: SystemTime,
) -> Result<Result<Option<String>, String>, StoreError> {
    let cfg = &env.settings.labels;
    if !cfg.rfid {
        return Ok(Ok(None));
    }
    let Some(prefix) = env.settings.company_prefix.as_deref() else {
        return Ok(Err(
            "an RFID label needs [organisation] gs1_company_prefix".into()
        ));
    };
    let hex = match label::epc_for(cfg.epc, prefix, asset_id, tag) {
        Ok(h) => h,
        Err(e) => return Ok(Err(e.to_string())),
    };
    match identifiers::owner(j.conn(), "epc", &hex)? {
        Some(owner) if owner == asset_id => return Ok(Ok(Some(hex))),
        Some(owner) => return Ok(Err(format!("EPC {hex} is already asset #{owner}'s"))),
        None => {}
    }
    identifiers::add(j.conn(), asset_id, "epc", &hex)?;
    j.append(
        at,
        "asset.identifier_added",
        json!({"asset_id": asset_id, "tag": tag, "kind": "epc", "value": hex, "via": "label"}),
    )?;
    Ok(Ok(Some(hex)))
}

/// Queues the SSCC label of pallet `batch_id`, opened at `at`.
pub fn pallet(
    j: &mut Journal<'_>,
    env: &Env<'_>,
    batch_id: i64,
    sscc: &str,
    at: SystemTime,
) -> Result<Problem, StoreError> {
    let p = pallet::PalletLabel {
        sscc: sscc.to_string(),
        prefix_len: env.settings.company_prefix.as_deref().map(str::len),
        organisation: env.settings.organisation.clone(),
        station: j.station().to_string(),
        date: today(at),
    };
    let made = pallet::render_zpl(&p, &env.settings.labels).map_err(|e| e.to_string());
    queue(
        j,
        JobKind::Pallet(batch_id),
        &format!("{sscc}.zpl"),
        made,
        at,
    )
}

fn queue(
    j: &mut Journal<'_>,
    kind: JobKind,
    name: &str,
    made: Result<String, String>,
    at: SystemTime,
) -> Result<Problem, StoreError> {
    let created_at = crate::timefmt::rfc3339_millis(at);
    let (zpl, failed) = match &made {
        Ok(z) => (z.as_bytes(), None),
        Err(why) => (&[][..], Some(why.as_str())),
    };
    let station = j.station().to_string();
    label_jobs::insert(
        j.conn(),
        &NewJob {
            kind,
            name,
            zpl,
            station: &station,
            created_at: &created_at,
            failed,
        },
    )?;
    Ok(made.err().map(|why| format!("no label: {why}")))
}
