//! The open pallet: `CMD:NEWBATCH` opens one (its SSCC), sanitized assets
//! scanned go on it (→ `awaiting_pickup`, the lifecycle's rules checked
//! again), `CMD:CLOSE` closes it.

use super::{next_sscc, tag_of, Disposal};
use crate::station::decision::{Decision, Journal};
use crate::station::lifecycle;
use crate::station::workflow::Env;
use crate::store::{self, batches, StoreError};
use serde_json::json;
use std::time::SystemTime;

impl Disposal {
    /// CMD:NEWBATCH: opens a pallet with the next SSCC of this station's
    /// range.
    pub(super) fn new_batch(
        &mut self,
        j: &mut Journal<'_>,
        env: &Env<'_>,
        at: SystemTime,
    ) -> Result<Decision, StoreError> {
        if let Some(b) = batches::open_at_station(j.conn(), j.station())? {
            return Self::said(
                j,
                Decision::warn(format!("Pallet {} is open: CMD:CLOSE it first", b.sscc)),
            );
        }
        let Some(prefix) = env.settings.company_prefix.clone() else {
            return Ok(Decision::error(
                "No GS1 company prefix: set [organisation] gs1_company_prefix to make pallet SSCCs",
            ));
        };
        let d = &env.settings.disposal;
        let used = batches::ssccs_of_station(j.conn(), j.station())?;
        let sscc = match next_sscc(
            &prefix,
            d.sscc_extension,
            d.sscc_serial_start,
            d.sscc_serial_end,
            &used,
        ) {
            Ok(s) => s,
            Err(why) => return Ok(Decision::error(format!("Cannot open a pallet: {why}"))),
        };
        let by = j.operator().map(|o| o.badge.clone());
        let now = crate::timefmt::rfc3339_millis(at);
        let id = match batches::open(j.conn(), &sscc, j.station(), &now, by.as_deref()) {
            Ok(id) => id,
            Err(StoreError::Duplicate { .. }) => {
                return Ok(Decision::error(format!(
                    "SSCC {sscc} is already another station's: give each station its own [disposal] range"
                )))
            }
            Err(e) => return Err(e),
        };
        j.append(at, "batch.opened", json!({"batch_id": id, "sscc": sscc}))?;
        let label = crate::station::labels::pallet(j, env, id, &sscc, at)?;
        Self::said(
            j,
            crate::station::labels::said(
                Decision::ok(format!(
                    "Pallet {sscc} opened: scan sanitized assets onto it"
                )),
                label,
            ),
        )
    }

    pub(super) fn close(
        &mut self,
        j: &mut Journal<'_>,
        at: SystemTime,
    ) -> Result<Decision, StoreError> {
        let Some(b) = batches::open_at_station(j.conn(), j.station())? else {
            return Ok(Decision::warn("No pallet is open: CMD:NEWBATCH opens one"));
        };
        let items = batches::items(j.conn(), b.id)?;
        if items.is_empty() {
            return Self::said(
                j,
                Decision::warn(format!(
                    "Pallet {} is empty: scan sanitized assets onto it first",
                    b.sscc
                )),
            );
        }
        batches::close(j.conn(), b.id, &crate::timefmt::rfc3339_millis(at))?;
        j.append(
            at,
            "batch.closed",
            json!({"batch_id": b.id, "sscc": b.sscc, "assets": items.len()}),
        )?;
        Self::said(
            j,
            Decision::ok(format!(
                "Pallet {} closed with {} assets: scan its SSCC to hand it over",
                b.sscc,
                items.len()
            )),
        )
    }

    /// A scanned asset goes on the open pallet.
    pub(super) fn load_asset(
        &mut self,
        j: &mut Journal<'_>,
        env: &Env<'_>,
        asset_id: i64,
        at: SystemTime,
    ) -> Result<Decision, StoreError> {
        let tag = tag_of(j.conn(), asset_id)?;
        let Some(b) = batches::open_at_station(j.conn(), j.station())? else {
            return Ok(
                Decision::warn(format!("{tag}: no pallet is open: CMD:NEWBATCH opens one"))
                    .asset(asset_id),
            );
        };
        if let Some(p) = batches::pallet_of(j.conn(), asset_id)? {
            return Self::said(
                j,
                Decision::warn(format!("{tag} is already on pallet {}", p.sscc)).asset(asset_id),
            );
        }
        let status = store::assets::get(j.conn(), asset_id)?
            .map(|a| a.status)
            .unwrap_or_default();
        if status != "sanitized" {
            return Self::said(
                j,
                Decision::error(format!(
                    "Refused by rule media_sanitized: {tag} is {status}, not sanitized — wipe it in Wipe mode (F4) first"
                ))
                .asset(asset_id),
            );
        }
        // The records may have changed since it was sanitized (a failed run
        // imported later): the lifecycle checks failed_wipe and
        // media_sanitized again on the way to awaiting_pickup.
        match lifecycle::change_status(
            j,
            env.policy,
            asset_id,
            "awaiting_pickup",
            "disposal: on pallet",
            at,
            None,
        )? {
            Ok(_) => {}
            Err(r) => {
                return Self::said(
                    j,
                    Decision::error(format!("Refused by {} ({tag})", r.message())).asset(asset_id),
                )
            }
        }
        let by = j.operator().map(|o| o.badge.clone());
        batches::add_item(
            j.conn(),
            b.id,
            asset_id,
            &crate::timefmt::rfc3339_millis(at),
            by.as_deref(),
        )?;
        j.append(
            at,
            "batch.item_added",
            json!({"batch_id": b.id, "sscc": b.sscc, "asset_id": asset_id, "tag": tag}),
        )?;
        let n = batches::items(j.conn(), b.id)?.len();
        Self::said(
            j,
            Decision::ok(format!("{tag} on pallet {} ({n})", b.sscc)).asset(asset_id),
        )
    }
}
