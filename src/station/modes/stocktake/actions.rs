//! What a reconciled stock-take's result asks someone to do, as events:
//! move the misplaced assets to where they were found, and mark the missing
//! ones `missing`. The station (CMD:MOVE, CMD:MISSING, each after CONFIRM)
//! and the command line (`stocktake move`, `stocktake mark-missing`) call
//! the same functions, so both go through `lifecycle::move_asset` and
//! `lifecycle::change_status` — the lifecycle table and the policy decide,
//! whoever asks. Each action ends with `stocktake.action` saying what it did.

use crate::station::decision::Journal;
use crate::station::lifecycle;
use crate::station::policy::Policy;
use crate::stocktake::reconcile::Kind;
use crate::stocktake::report::{self, ItemLine};
use crate::store::{self, StoreError};
use serde::Serialize;
use serde_json::json;
use std::time::SystemTime;

/// One asset an action changed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Done {
    pub asset: String,
    pub from: Option<String>,
    pub to: String,
}

/// What an action did: the assets changed, and those it left, each with why.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Outcome {
    pub done: Vec<Done>,
    pub refused: Vec<(String, String)>,
}

/// The items of kind `kind` in stock-take `id`'s reconciliation as it stands.
pub fn items(
    conn: &rusqlite::Connection,
    id: i64,
    kind: Kind,
) -> Result<Vec<ItemLine>, StoreError> {
    Ok(report::report(conn, id)?
        .map(|r| r.items.into_iter().filter(|i| i.kind == kind).collect())
        .unwrap_or_default())
}

/// Moves each misplaced asset to where it was found (`asset.moved`, reason
/// `stocktake`), then journals `stocktake.action`.
pub fn move_misplaced(j: &mut Journal<'_>, id: i64, at: SystemTime) -> Result<Outcome, StoreError> {
    let mut out = Outcome::default();
    for it in items(j.conn(), id, Kind::Misplaced)? {
        let (Some(asset), Some(to)) = (it.asset_id, it.seen_location_id) else {
            continue;
        };
        let Some(a) = store::assets::get(j.conn(), asset)? else {
            continue;
        };
        if lifecycle::move_asset(j, asset, to, "stocktake", at)?.is_some() {
            out.done.push(Done {
                asset: a.tag.unwrap_or_else(|| it.code.clone()),
                from: a.location_code,
                to: it.seen_location.unwrap_or_default(),
            });
        }
    }
    j.append(
        at,
        "stocktake.action",
        json!({"stocktake_id": id, "action": "move_misplaced", "assets": out.done.len()}),
    )?;
    Ok(out)
}

/// Marks each missing asset `missing` through the lifecycle and the policy
/// (`asset.status_changed`, reason `stocktake`); one the table or a rule
/// refuses is left as it is, with why. Then journals `stocktake.action`.
pub fn mark_missing(
    j: &mut Journal<'_>,
    policy: &Policy,
    id: i64,
    at: SystemTime,
) -> Result<Outcome, StoreError> {
    let mut out = Outcome::default();
    for it in items(j.conn(), id, Kind::Missing)? {
        let Some(asset) = it.asset_id else { continue };
        let Some(a) = store::assets::get(j.conn(), asset)? else {
            continue;
        };
        if a.status == "missing" {
            continue;
        }
        match lifecycle::change_status(j, policy, asset, "missing", "stocktake", at, None)? {
            Ok(c) => out.done.push(Done {
                asset: a.tag.unwrap_or_else(|| it.code.clone()),
                from: Some(c.from),
                to: c.to,
            }),
            Err(r) => out
                .refused
                .push((a.tag.unwrap_or_else(|| it.code.clone()), r.message())),
        }
    }
    j.append(
        at,
        "stocktake.action",
        json!({"stocktake_id": id, "action": "mark_missing", "assets": out.done.len(),
               "refused": out.refused.len()}),
    )?;
    Ok(out)
}
