//! A stock-take's life at the station: started from the screen (location
//! labels build the scope, CONFIRM starts it, CANCEL drops the scope), the
//! counting ended (→ `reconciling`, asking first when locations were not
//! counted), acted on (CMD:MOVE, CMD:MISSING after CONFIRM) and closed.
//!
//! A stock-take started here is named from the date and the station
//! (`2026-12-03 bench-1`) and owned by the operator signed in.

use super::{actions, Stocktake};
use crate::input::{Command, Mode};
use crate::station::decision::{Decision, Journal};
use crate::station::question::{Expect, Question};
use crate::station::workflow::{Env, ScanIn};
use crate::stocktake::reconcile::Kind;
use crate::store::{self, locations::LocationRow, StoreError};
use serde_json::{json, Value};
use std::time::SystemTime;

/// What to do with no stock-take open.
pub const HOW: &str = "No stock-take open: scan location labels for its scope, \
                       then CONFIRM starts it (CANCEL drops the scope)";

/// The scope being built, location ids in the order scanned.
fn draft(ctx: &Value) -> Vec<i64> {
    ctx["draft"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_i64).collect())
        .unwrap_or_default()
}

/// Location codes of `ids`, joined.
fn codes(j: &Journal<'_>, ids: &[i64]) -> Result<String, StoreError> {
    let mut out = Vec::with_capacity(ids.len());
    for id in ids {
        if let Some(l) = store::locations::get(j.conn(), *id)? {
            out.push(l.code);
        }
    }
    Ok(out.join(", "))
}

/// The name of a stock-take started at the station at `at`.
fn name(j: &Journal<'_>, at: SystemTime) -> String {
    let stamp = crate::timefmt::rfc3339_millis(at);
    format!("{} {}", stamp.get(..10).unwrap_or(&stamp), j.station())
}

/// A location label with no stock-take open: it joins the scope being built.
pub(super) fn add_to_draft(
    j: &mut Journal<'_>,
    s: &mut ScanIn<'_>,
    loc: &LocationRow,
) -> Result<Decision, StoreError> {
    let mut ids = draft(j.ctx.get(Mode::Stocktake));
    if !ids.contains(&loc.id) {
        ids.push(loc.id);
    }
    s.set("draft_scope", json!(loc.code));
    s.journal(j)?;
    j.ctx.set(Mode::Stocktake, json!({"draft": ids}));
    let (locations, expected) = store::stocktake::scope_preview(j.conn(), &ids)?;
    let d = Decision::ok(format!(
        "Scope: {} ({locations} locations, {expected} assets expected) · \
         CONFIRM starts \"{}\", another label adds to it",
        codes(j, &ids)?,
        name(j, s.scan.at)
    ));
    Stocktake::with_view(j, d)
}

/// CONFIRM and CANCEL with no stock-take open: start one over the scope
/// built, or drop it.
pub(super) fn draft_command(
    j: &mut Journal<'_>,
    cmd: &Command,
    at: SystemTime,
) -> Result<Option<Decision>, StoreError> {
    let ids = draft(j.ctx.get(Mode::Stocktake));
    match cmd {
        Command::Confirm if ids.is_empty() => Ok(Some(Decision::warn(HOW))),
        Command::Confirm => start(j, &ids, at).map(Some),
        Command::Cancel if !ids.is_empty() => {
            j.ctx.set(Mode::Stocktake, json!({}));
            Stocktake::with_view(j, Decision::ok("Scope dropped: nothing started")).map(Some)
        }
        _ => Ok(None),
    }
}

fn start(j: &mut Journal<'_>, roots: &[i64], at: SystemTime) -> Result<Decision, StoreError> {
    let name = name(j, at);
    let owner = j.operator().map(|o| o.badge.clone());
    let stamp = crate::timefmt::rfc3339_millis(at);
    let (id, uuid, expected) =
        store::stocktake::start(j.conn(), &name, owner.as_deref(), roots, &stamp)?;
    let locations = store::stocktake::scope(j.conn(), id)?.len();
    let scope: Vec<String> = codes(j, roots)?.split(", ").map(str::to_string).collect();
    j.append(
        at,
        "stocktake.started",
        json!({"stocktake_id": id, "uuid": uuid, "name": name, "owner": owner,
               "scope": scope, "locations": locations, "expected": expected}),
    )?;
    j.ctx
        .set(Mode::Stocktake, json!({"stocktake": id, "location": null}));
    Stocktake::with_view(
        j,
        Decision::ok(format!(
            "Stock-take {name} started: {locations} locations, {expected} assets expected · \
             scan a location label to count it"
        )),
    )
}

/// CMD:CLOSE with no location open: the counting ends and the result is
/// reconciled; with locations not counted it asks first (`confirmed` when
/// answered).
pub(super) fn end_count(
    j: &mut Journal<'_>,
    id: i64,
    at: SystemTime,
    confirmed: bool,
) -> Result<Decision, StoreError> {
    let Some(st) = store::stocktake::get(j.conn(), id)? else {
        return Ok(Decision::warn("That stock-take is gone; nothing done"));
    };
    if st.status != "open" && st.status != "counting" {
        return Ok(Decision::warn(format!(
            "Stock-take {} is {}: its counting already ended",
            st.name, st.status
        )));
    }
    let scope = store::stocktake::scope(j.conn(), id)?.len();
    let counted = store::stocktake::counted_locations(j.conn(), id)?.len();
    let uncounted = scope.saturating_sub(counted);
    if uncounted > 0 && !confirmed {
        let q = Question {
            kind: "stocktake.end".into(),
            mode: Mode::Stocktake.as_str().into(),
            prompt: format!(
                "{uncounted} of {scope} locations were not counted: end the counting anyway?"
            ),
            expects: Expect::Confirm,
            sticky: false,
            data: json!({"stocktake_id": id}),
        };
        let msg = format!("{} {}", q.prompt, q.expects.hint());
        j.ctx.ask(q);
        return Ok(Decision::warn(msg));
    }
    let held = store::stocktake::discard_held(j.conn(), id)?;
    let stamp = crate::timefmt::rfc3339_millis(at);
    store::stocktake::set_status(j.conn(), id, "reconciling", &stamp)?;
    j.append(
        at,
        "stocktake.reconciling",
        json!({"stocktake_id": id, "from": st.status, "uncounted": uncounted,
               "held_discarded": held}),
    )?;
    j.ctx
        .set(Mode::Stocktake, json!({"stocktake": id, "location": null}));
    Stocktake::with_view(
        j,
        Decision::ok(format!(
            "Counting of {} ended: reconciled below · CMD:MOVE moves the misplaced, \
             CMD:MISSING marks the missing, CMD:CLOSE closes it",
            st.name
        )),
    )
}

/// The commands of a stock-take being reconciled.
pub(super) fn reconcile_command(
    j: &mut Journal<'_>,
    id: i64,
    cmd: &Command,
    at: SystemTime,
) -> Result<Option<Decision>, StoreError> {
    let (kind, verb) = match cmd {
        Command::Close => return close(j, id, at).map(Some),
        Command::Verb { verb, arg: None } if verb == "MOVE" => (Kind::Misplaced, "move"),
        Command::Verb { verb, arg: None } if verb == "MISSING" => (Kind::Missing, "missing"),
        _ => return Ok(None),
    };
    let n = actions::items(j.conn(), id, kind)?.len();
    if n == 0 {
        return Ok(Some(Decision::ok(format!("No {} assets", kind.as_str()))));
    }
    let prompt = match verb {
        "move" => format!("Move {n} misplaced assets to where they were found?"),
        _ => format!("Mark {n} missing assets missing?"),
    };
    let q = Question {
        kind: format!("stocktake.{verb}"),
        mode: Mode::Stocktake.as_str().into(),
        prompt,
        expects: Expect::Confirm,
        sticky: false,
        data: json!({"stocktake_id": id}),
    };
    let msg = format!("{} {}", q.prompt, q.expects.hint());
    j.ctx.ask(q);
    Ok(Some(Decision::warn(msg)))
}

/// A confirmed action: `move` or `missing`.
pub(super) fn act(
    j: &mut Journal<'_>,
    env: &Env<'_>,
    id: i64,
    verb: &str,
    at: SystemTime,
) -> Result<Decision, StoreError> {
    let (out, what) = match verb {
        "move" => (actions::move_misplaced(j, id, at)?, "moved"),
        _ => (
            actions::mark_missing(j, env.policy, id, at)?,
            "marked missing",
        ),
    };
    let mut msg = format!("{} assets {what}", out.done.len());
    if !out.refused.is_empty() {
        msg.push_str(&format!(" · {} left as they are", out.refused.len()));
        if let Some((tag, why)) = out.refused.first() {
            msg.push_str(&format!(" ({tag}: {why})"));
        }
    }
    let d = if out.refused.is_empty() {
        Decision::ok(msg)
    } else {
        Decision::warn(msg)
    };
    Stocktake::with_view(j, d)
}

/// CMD:CLOSE while reconciling: the stock-take is closed; the screen goes
/// back to the KPIs.
fn close(j: &mut Journal<'_>, id: i64, at: SystemTime) -> Result<Decision, StoreError> {
    let Some(st) = store::stocktake::get(j.conn(), id)? else {
        return Ok(Decision::warn("That stock-take is gone; nothing done"));
    };
    let scope = store::stocktake::scope(j.conn(), id)?.len();
    let counted = store::stocktake::counted_locations(j.conn(), id)?.len();
    let stamp = crate::timefmt::rfc3339_millis(at);
    store::stocktake::set_status(j.conn(), id, "closed", &stamp)?;
    j.append(
        at,
        "stocktake.closed",
        json!({"stocktake_id": id, "from": st.status,
               "uncounted": scope.saturating_sub(counted), "held_discarded": 0}),
    )?;
    j.ctx.set(Mode::Stocktake, json!({}));
    Stocktake::with_view(j, Decision::ok(format!("Stock-take {} closed", st.name)))
}
