//! The Receive panel: the order, the last unit, what to scan next, a gauge
//! of units received against units ordered, and each line received/ordered;
//! and the same state in brief for `feed`'s `"receiving"` object.

use crate::station::view::{Progress, WorkflowView};
use crate::store::{orders, StoreError};
use rusqlite::Connection;
use serde_json::{json, Value};

/// The panel of the open delivery, if one is open.
pub(super) fn panel(
    conn: &Connection,
    delivery_id: Option<i64>,
    last_item: Option<i64>,
    next: &str,
) -> Result<Option<WorkflowView>, StoreError> {
    Ok(Some(
        match panel_and_brief(conn, delivery_id, last_item, None, next)? {
            Some((v, _)) => v,
            None => idle(),
        },
    ))
}

/// Receive mode with no delivery open: what to do first, instead of the
/// panel of whatever mode came before.
fn idle() -> WorkflowView {
    WorkflowView {
        title: "Receiving".into(),
        lines: vec![
            "No delivery open.".into(),
            "Scan the purchase order (or pick it from the list),".into(),
            "then each unit: its box label, then its asset tag.".into(),
            "CMD:DAMAGED: the last unit is damaged · CMD:CLOSE: close it".into(),
        ],
        progress: None,
        list_title: String::new(),
        list: Vec::new(),
        trend: None,
    }
}

/// The panel and `feed`'s brief: `{"po", "line", "model", "received",
/// "ordered", "next"}` — the line this input matched (`line_id`; null when
/// none), its units received of ordered, what to scan next.
pub(super) fn panel_and_brief(
    conn: &Connection,
    delivery_id: Option<i64>,
    last_item: Option<i64>,
    line_id: Option<i64>,
    next: &str,
) -> Result<Option<(WorkflowView, Value)>, StoreError> {
    let Some(d) = delivery_id
        .map(|id| orders::delivery(conn, id))
        .transpose()?
        .flatten()
    else {
        return Ok(None);
    };
    let Some(o) = orders::order(conn, d.po_id)? else {
        return Ok(None);
    };
    let lines = orders::lines(conn, o.id)?;
    let got = orders::received_per_line(conn, o.id)?;
    let received = |id: i64| {
        got.iter()
            .find(|(l, _, _)| *l == id)
            .map_or((0, 0), |r| (r.1, r.2))
    };
    let mut text = vec![format!(
        "{} · {}{}",
        o.number,
        o.vendor,
        o.expected_date
            .as_deref()
            .map(|e| format!(" · expected {e}"))
            .unwrap_or_default()
    )];
    if let Some(item) = last_item
        .map(|id| orders::item(conn, id))
        .transpose()?
        .flatten()
    {
        let line = lines.iter().find(|l| Some(l.id) == item.po_line_id);
        let tag = match item.asset_id {
            Some(a) => crate::store::identifiers::first_of_kind(conn, a, "asset_tag")?,
            None => None,
        };
        text.push(format!(
            "Last: {}{} · line {}{}{}",
            tag.as_deref().unwrap_or("count"),
            item.serial
                .as_deref()
                .map(|s| format!(" · serial {s}"))
                .unwrap_or_default(),
            line.map_or("?".into(), |l| l.line.to_string()),
            if item.over { " · OVER" } else { "" },
            if item.damaged { " · DAMAGED" } else { "" },
        ));
    }
    text.push(if d.closed_at.is_some() {
        "Delivery closed".into()
    } else {
        format!("Next: {next}")
    });
    let (mut done, mut total) = (0u64, 0u64);
    let list = lines
        .iter()
        .map(|l| {
            let (r, dmg) = received(l.id);
            done += r.min(l.quantity).max(0) as u64;
            total += l.quantity.max(0) as u64;
            let mark = match r.cmp(&l.quantity) {
                std::cmp::Ordering::Less => " ",
                std::cmp::Ordering::Equal => "✓",
                std::cmp::Ordering::Greater => "+",
            };
            format!(
                "{mark} {:>3} {:<22.22} {} {:>4}/{:<4}{}{}",
                l.line,
                l.model
                    .as_deref()
                    .or(l.part_number.as_deref())
                    .unwrap_or("?"),
                gauge(r, l.quantity),
                r,
                l.quantity,
                if l.tracked { "" } else { " count" },
                if dmg > 0 {
                    format!(" · {dmg} damaged")
                } else {
                    String::new()
                }
            )
        })
        .collect();
    let matched = line_id.and_then(|id| lines.iter().find(|l| l.id == id));
    let brief = json!({
        "po": o.number,
        "line": matched.map(|l| l.line),
        "model": matched.and_then(|l| l.model.as_deref()),
        "received": matched.map(|l| received(l.id).0),
        "ordered": matched.map(|l| l.quantity),
        "next": if d.closed_at.is_some() { "" } else { next },
    });
    let view = WorkflowView {
        title: format!("Receiving {}", o.number),
        lines: text,
        progress: Some(Progress {
            label: "units".into(),
            done,
            total,
        }),
        list_title: "    # model                  received".into(),
        list,
        trend: None,
    };
    Ok(Some((view, brief)))
}

/// A line's gauge: eight cells, filled in proportion to received/ordered
/// (full when over).
fn gauge(received: i64, ordered: i64) -> String {
    const CELLS: i64 = 8;
    let filled = if ordered <= 0 {
        0
    } else {
        (received.max(0) * CELLS / ordered).min(CELLS)
    };
    (0..CELLS)
        .map(|i| if i < filled { '█' } else { '░' })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::gauge;

    #[test]
    fn gauges_fill_in_proportion() {
        assert_eq!(gauge(0, 2), "░░░░░░░░");
        assert_eq!(gauge(1, 2), "████░░░░");
        assert_eq!(gauge(3, 10), "██░░░░░░");
        assert_eq!(gauge(3, 2), "████████");
        assert_eq!(gauge(1, 0), "░░░░░░░░");
    }
}
