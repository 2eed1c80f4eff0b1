//! What receiving writes: the asset a unit becomes, the delivery item that
//! records it, counts of untracked lines, discrepancies, put-away moves —
//! each with its event, inside the station's one transaction.

use super::{load, save, Open};
use crate::station::decision::{Decision, Journal};
use crate::station::lifecycle;
use crate::station::workflow::Env;
use crate::store::{self, assets::NewAsset, orders, StoreError};
use serde_json::json;
use std::time::SystemTime;
use time::{Date, Month, OffsetDateTime};

/// The dock: `[receiving] location`, when it names a known location.
pub(super) fn dock(conn: &rusqlite::Connection, env: &Env<'_>) -> Result<Option<i64>, StoreError> {
    match &env.settings.receiving.location {
        Some(code) => Ok(store::locations::by_code(conn, code)?.map(|l| l.id)),
        None => Ok(None),
    }
}

/// Units received on a line of the order so far (every delivery).
pub(super) fn received(
    conn: &rusqlite::Connection,
    po_id: i64,
    line_id: i64,
) -> Result<i64, StoreError> {
    Ok(orders::received_per_line(conn, po_id)?
        .into_iter()
        .find(|(id, _, _)| *id == line_id)
        .map_or(0, |(_, n, _)| n))
}

/// The next generated tag: `[receiving] tag_prefix` and a counter in the
/// store, zero-padded to five digits, skipping tags already in use.
pub(super) fn generate_tag(j: &mut Journal<'_>, env: &Env<'_>) -> Result<String, StoreError> {
    let prefix = &env.settings.receiving.tag_prefix;
    loop {
        let n = store::station_context::next_counter(j.conn(), &format!("tag:{prefix}"))?;
        let tag = format!("{prefix}{n:05}");
        if store::identifiers::owner(j.conn(), "asset_tag", &tag)?.is_none() {
            return Ok(tag);
        }
    }
}

/// `date` plus `months`, the day clamped to the month's length.
pub fn add_months(date: Date, months: u32) -> Option<Date> {
    let total = date.year() * 12 + (date.month() as i32 - 1) + months as i32;
    let (year, month) = (total.div_euclid(12), total.rem_euclid(12) + 1);
    let month = Month::try_from(u8::try_from(month).ok()?).ok()?;
    let day = date.day().min(month.length(year));
    Date::from_calendar_date(year, month, day).ok()
}

/// A discrepancy: its event (`delivery.discrepancy`) and its row; the
/// decision says it at once (an error, or a warning for `over` and `damaged`).
#[allow(clippy::too_many_arguments)]
pub(super) fn discrepancy(
    j: &mut Journal<'_>,
    open: &Open,
    line_id: Option<i64>,
    kind: &str,
    serial: Option<&str>,
    detail: &str,
    raw: Option<&str>,
    at: SystemTime,
) -> Result<Decision, StoreError> {
    let line = line_id.and_then(|id| open.line(id)).map(|l| l.line);
    let seq = j.append(
        at,
        "delivery.discrepancy",
        json!({"delivery_id": open.delivery.id, "po": open.order.number, "kind": kind,
               "line": line, "serial": serial, "detail": detail, "raw": raw}),
    )?;
    let ts = crate::timefmt::rfc3339_millis(at);
    orders::add_discrepancy(
        j.conn(),
        &orders::NewDiscrepancy {
            po_id: open.order.id,
            delivery_id: Some(open.delivery.id),
            po_line_id: line_id,
            kind,
            serial,
            detail,
            raw,
            at: &ts,
            seq: Some(seq),
        },
    )?;
    let msg = format!("{}: {detail}", kind.to_uppercase().replace('_', " "));
    Ok(match kind {
        "over" | "damaged" | "short" => Decision::warn(msg),
        _ => Decision::error(msg),
    })
}

/// Counts `quantity` units of an untracked line.
pub(super) fn count(
    j: &mut Journal<'_>,
    open: &Open,
    line: &orders::LineRow,
    quantity: i64,
    at: SystemTime,
) -> Result<Decision, StoreError> {
    let ts = crate::timefmt::rfc3339_millis(at);
    let seq = j.append(
        at,
        "delivery.item_received",
        json!({"delivery_id": open.delivery.id, "po": open.order.number, "line": line.line,
               "quantity": quantity}),
    )?;
    let item = orders::add_item(
        j.conn(),
        &orders::NewItem {
            delivery_id: open.delivery.id,
            po_line_id: Some(line.id),
            quantity,
            received_at: &ts,
            seq: Some(seq),
            ..Default::default()
        },
    )?;
    let mut c = load(j);
    c.last_item = Some(item);
    save(j, &c);
    let got = received(j.conn(), open.order.id, line.id)?;
    Ok(Decision::ok(format!(
        "Line {} · {} · {got} of {} counted",
        line.line,
        line.model.as_deref().unwrap_or("?"),
        line.quantity
    )))
}

/// Creates the asset for a tracked unit and records it received.
#[allow(clippy::too_many_arguments)]
pub(super) fn receive(
    j: &mut Journal<'_>,
    env: &Env<'_>,
    open: &Open,
    line: &orders::LineRow,
    serial: &str,
    tag: &str,
    over: bool,
    at: SystemTime,
) -> Result<Decision, StoreError> {
    if let Some(owner) = store::identifiers::owner(j.conn(), "asset_tag", tag)? {
        return Ok(Decision::error(format!(
            "Tag {tag} is already on asset #{owner}: scan another tag"
        ))
        .asset(owner));
    }
    let ts = crate::timefmt::rfc3339_millis(at);
    let today = OffsetDateTime::from(at).date();
    let purchase = open
        .order
        .order_date
        .as_deref()
        .and_then(crate::timefmt::parse_date)
        .unwrap_or(today);
    let warranty_end = line
        .warranty_months
        .and_then(|m| add_months(today, m))
        .map(|d| d.to_string());
    let received_by = match j.operator() {
        Some(o) => store::operators::by_badge(j.conn(), &o.badge)?.map(|r| r.id),
        None => None,
    };
    let new = NewAsset {
        tag: tag.to_string(),
        status: "in_stock".into(),
        model_id: line.model_id,
        location_id: match open.delivery.location_id {
            Some(l) => Some(l),
            None => dock(j.conn(), env)?,
        },
        supplier_id: Some(open.order.vendor_id),
        order_number: Some(open.order.number.clone()),
        cost_minor: line.unit_cost_minor,
        currency: line.currency.clone(),
        purchase_date: Some(purchase.to_string()),
        warranty_end,
        received_at: Some(ts.clone()),
        received_by,
        upstream_id: None,
    };
    let extra = [("serial", serial)];
    let id = store::assets::insert(j.conn(), &new, &extra)?;
    j.append(
        at,
        "asset.created",
        store::assets::created_payload(
            id,
            &new,
            &extra,
            "receive",
            json!({"po": open.order.number, "line": line.line, "delivery_id": open.delivery.id}),
        ),
    )?;
    let label = crate::station::labels::asset(j, env, id, tag, line.model.as_deref(), at)?;
    let seq = j.append(
        at,
        "delivery.item_received",
        json!({"delivery_id": open.delivery.id, "po": open.order.number, "line": line.line,
               "asset_id": id, "tag": tag, "serial": serial, "quantity": 1, "over": over}),
    )?;
    let item = orders::add_item(
        j.conn(),
        &orders::NewItem {
            delivery_id: open.delivery.id,
            po_line_id: Some(line.id),
            asset_id: Some(id),
            serial: Some(serial),
            quantity: 1,
            over,
            received_at: &ts,
            seq: Some(seq),
        },
    )?;
    let mut c = load(j);
    c.last_item = Some(item);
    c.pending = None;
    save(j, &c);
    let got = received(j.conn(), open.order.id, line.id)?;
    let summary = format!(
        "Received {tag} · {} · serial {serial} · line {} {got}/{}",
        line.model.as_deref().unwrap_or("?"),
        line.line,
        line.quantity
    );
    let mut d = if over {
        let detail = format!(
            "{serial} ({tag}) received over line {}: {got} of {}",
            line.line, line.quantity
        );
        let mut d = discrepancy(
            j,
            open,
            Some(line.id),
            "over",
            Some(serial),
            &detail,
            None,
            at,
        )?;
        d.message = format!("{summary} · OVER");
        d
    } else {
        Decision::ok(summary)
    };
    d.changed.push(format!("asset {tag} created"));
    Ok(crate::station::labels::said(d, label).asset(id))
}

/// A location scanned after a unit: the unit is put away there.
pub(super) fn put_away(
    j: &mut Journal<'_>,
    last_item: &Option<i64>,
    code: &str,
    at: SystemTime,
) -> Result<Decision, StoreError> {
    let Some(loc) = store::locations::by_code(j.conn(), code)? else {
        return Ok(Decision::warn(format!("Unknown location {code}")));
    };
    let asset = match last_item {
        Some(id) => orders::item(j.conn(), *id)?.and_then(|i| i.asset_id),
        None => None,
    };
    let Some(asset_id) = asset else {
        return Ok(Decision::warn(format!(
            "{code}: receive a unit first, then scan where it goes"
        )));
    };
    lifecycle::move_asset(j, asset_id, loc.id, "put_away", at)?;
    Ok(Decision::ok(format!("Put away at {} · {}", loc.code, loc.name)).asset(asset_id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn months_are_added_with_the_day_clamped() {
        assert_eq!(
            add_months(date!(2026 - 11 - 28), 36),
            Some(date!(2029 - 11 - 28))
        );
        assert_eq!(
            add_months(date!(2026 - 01 - 31), 1),
            Some(date!(2026 - 02 - 28))
        );
        assert_eq!(
            add_months(date!(2026 - 12 - 15), 0),
            Some(date!(2026 - 12 - 15))
        );
        assert_eq!(
            add_months(date!(2026 - 12 - 15), 1),
            Some(date!(2027 - 01 - 15))
        );
    }
}
