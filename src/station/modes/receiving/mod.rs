//! Receive mode: a delivery received against its purchase order.
//!
//! Entering the mode lists the open orders (pick one with the arrows or
//! `CMD:PICK:N`); scanning a purchase order (the `purchase_order` pattern,
//! GS1 (400), DI `K` of a 15434 label) opens one too. Opening creates a
//! delivery; the mode's context holds only its id, the unit in progress and
//! the last unit received, so a delivery survives a restart.
//!
//! Each unit is its box label (GTIN or part number + serial, a vendor's own
//! convention scoped to the order's manufacturers) or a product key and a
//! serial in either order, then its asset tag (scanned, or generated with
//! `[receiving] tags = "generate"`). Position in the flow decides what plain
//! text is: while a unit waits for its serial, whatever is scanned is the
//! serial, even when it looks like a tag. What does not fit is a discrepancy
//! recorded at once and the queue goes on: `not_on_order`, `duplicate_serial`
//! (no second asset), `unreadable` (the label kept as read), `over` (after a
//! CONFIRM), `damaged` (`CMD:DAMAGED`), `short` (at `CMD:CLOSE`).

mod flow;
mod label;
mod unit;
mod view;

use crate::identify::box_label::Conventions;
use crate::input::{Command, Mode};
use crate::station::classify::IdentityKind;
use crate::station::decision::{Decision, Journal};
use crate::station::lifecycle;
use crate::station::outcome::Panel;
use crate::station::question::{Answer, Expect, Question};
use crate::station::workflow::{Env, ScanIn, Workflow};
use crate::store::{self, orders, StoreError};
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::time::SystemTime;

const COMMANDS: &[(&str, &str)] = &[
    (
        "CMD:DAMAGED",
        "mark the last unit received damaged (in_repair)",
    ),
    ("CMD:CLOSE", "close the delivery, recording what is short"),
    ("CMD:CANCEL", "drop the unit in progress"),
];

/// The mode's context: ids only.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct Ctx {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    delivery_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pending: Option<Pending>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    last_item: Option<i64>,
}

/// A unit part way through: its line, its serial, whether it was confirmed
/// over the line's quantity.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
struct Pending {
    line_id: Option<i64>,
    serial: Option<String>,
    #[serde(default)]
    over: bool,
}

fn load(j: &Journal<'_>) -> Ctx {
    serde_json::from_value(j.ctx.get(Mode::Receive).clone()).unwrap_or_default()
}

fn save(j: &mut Journal<'_>, c: &Ctx) {
    let v = serde_json::to_value(c).unwrap_or(Value::Null);
    let v = if v == json!({}) { Value::Null } else { v };
    j.ctx.set(Mode::Receive, v);
}

/// The Receive workflow.
pub struct Receiving {
    conventions: Conventions,
}

impl Receiving {
    /// With the `[receiving]` conventions and customer item ids (validated
    /// with the config; the shipped ones if they do not compile).
    pub fn new(settings: &crate::station::StationSettings) -> Receiving {
        Receiving {
            conventions: settings.receiving.conventions().unwrap_or_default(),
        }
    }
}

/// The open delivery and what it is against.
pub(super) struct Open {
    delivery: orders::DeliveryRow,
    order: orders::OrderRow,
    lines: Vec<orders::LineRow>,
}

impl Open {
    fn load(conn: &rusqlite::Connection, delivery_id: i64) -> Result<Option<Open>, StoreError> {
        let Some(delivery) = orders::delivery(conn, delivery_id)? else {
            return Ok(None);
        };
        if delivery.closed_at.is_some() {
            return Ok(None);
        }
        let Some(order) = orders::order(conn, delivery.po_id)? else {
            return Ok(None);
        };
        let lines = orders::lines(conn, order.id)?;
        Ok(Some(Open {
            delivery,
            order,
            lines,
        }))
    }

    fn line(&self, id: i64) -> Option<&orders::LineRow> {
        self.lines.iter().find(|l| l.id == id)
    }

    fn manufacturers(&self) -> Vec<String> {
        let mut m: Vec<String> = self
            .lines
            .iter()
            .filter_map(|l| l.manufacturer.clone())
            .collect();
        m.sort();
        m.dedup();
        m
    }
}

/// Names the order line a decision concerns, for `feed`'s `"receiving"`
/// object ([`with_panel`] fills in the rest).
fn on_line(d: Decision, line_id: i64) -> Decision {
    d.mode_object(MODE_OBJECT, json!({"line_id": line_id}))
}

const MODE_OBJECT: &str = "receiving";

/// Adds the delivery's panel to a decision, and `feed`'s `"receiving"`
/// object: the open order, the line matched (named by [`on_line`], else the
/// unit in progress's), received/ordered, what to scan next.
fn with_panel(j: &Journal<'_>, d: Decision) -> Result<Decision, StoreError> {
    let c = load(j);
    let line_id = d
        .mode_object
        .as_ref()
        .and_then(|(_, v)| v["line_id"].as_i64())
        .or(c.pending.as_ref().and_then(|p| p.line_id));
    // A question waiting (over the quantity?) is what comes next.
    let next = match &j.ctx.question {
        Some(q) => format!("answer the question ({})", q.expects.hint()),
        None => next_hint(&c).to_string(),
    };
    Ok(
        match view::panel_and_brief(j.conn(), c.delivery_id, c.last_item, line_id, &next)? {
            Some((v, brief)) => d.panel(Panel::Workflow(v)).mode_object(MODE_OBJECT, brief),
            None => d,
        },
    )
}

fn next_hint(c: &Ctx) -> &'static str {
    match (&c.delivery_id, &c.pending) {
        (None, _) => "Scan a purchase order or pick one",
        (Some(_), None) => "Scan the next unit's box label (or its GTIN / part number)",
        (Some(_), Some(p)) if p.line_id.is_none() => "Scan its GTIN or part number",
        (Some(_), Some(p)) if p.serial.is_none() => "Scan its serial number",
        (Some(_), Some(_)) => "Scan its asset tag",
    }
}

impl Receiving {
    /// Asks which open order to receive.
    fn ask_order(j: &mut Journal<'_>) -> Result<Decision, StoreError> {
        let open = orders::list(j.conn(), true)?;
        if open.is_empty() {
            return Ok(Decision::warn(
                "Receive mode: no open purchase orders — import them (scanstation import orders)",
            ));
        }
        let q = Question {
            kind: "receiving.order".into(),
            mode: Mode::Receive.as_str().into(),
            prompt: "Receive which purchase order? (or scan it)".into(),
            expects: Expect::Pick {
                options: open
                    .iter()
                    .map(|o| {
                        format!(
                            "{} · {}{}",
                            o.number,
                            o.vendor,
                            o.expected_date
                                .as_deref()
                                .map(|d| format!(" · expected {d}"))
                                .unwrap_or_default()
                        )
                    })
                    .collect(),
            },
            sticky: false,
            data: json!({"po_ids": open.iter().map(|o| o.id).collect::<Vec<_>>()}),
        };
        let msg = format!("Receive mode: {} {}", q.prompt, q.expects.hint());
        j.ctx.ask(q);
        Ok(Decision::ok(msg))
    }

    /// Opens a delivery against order `po` (or continues the one open here).
    fn open(
        &self,
        j: &mut Journal<'_>,
        env: &Env<'_>,
        po: orders::OrderRow,
        at: SystemTime,
    ) -> Result<Decision, StoreError> {
        let mut c = load(j);
        if let Some(open) = c
            .delivery_id
            .map(|id| Open::load(j.conn(), id))
            .transpose()?
            .flatten()
        {
            return with_panel(
                j,
                if open.order.id == po.id {
                    Decision::ok(format!("{} is open: scan its units", po.number))
                } else {
                    Decision::warn(format!(
                        "{} is open here: CMD:CLOSE it before receiving {}",
                        open.order.number, po.number
                    ))
                },
            );
        }
        if po.closed_at.is_some() {
            return Ok(Decision::warn(format!(
                "{} is closed: nothing to receive",
                po.number
            )));
        }
        // A delivery left open here (context lost) is continued.
        let id = match orders::open_delivery_at(j.conn(), j.station())? {
            Some(d) if d.po_id == po.id => d.id,
            Some(d) => {
                let other = orders::order(j.conn(), d.po_id)?
                    .map(|o| o.number)
                    .unwrap_or_default();
                c.delivery_id = Some(d.id);
                save(j, &c);
                return with_panel(
                    j,
                    Decision::warn(format!("{other} is open here: CMD:CLOSE it first")),
                );
            }
            None => {
                let by = match j.operator() {
                    Some(o) => store::operators::by_badge(j.conn(), &o.badge)?.map(|r| r.id),
                    None => None,
                };
                let location = unit::dock(j.conn(), env)?;
                let station = j.station().to_string();
                let ts = crate::timefmt::rfc3339_millis(at);
                let id = orders::open_delivery(j.conn(), po.id, &station, &ts, by, location)?;
                j.append(
                    at,
                    "delivery.opened",
                    json!({"delivery_id": id, "po": po.number, "vendor": po.vendor,
                           "location_id": location}),
                )?;
                id
            }
        };
        c = Ctx {
            delivery_id: Some(id),
            ..Ctx::default()
        };
        save(j, &c);
        with_panel(
            j,
            Decision::ok(format!(
                "Receiving {} from {}: scan each unit's box label",
                po.number, po.vendor
            )),
        )
    }

    /// A purchase-order scan.
    fn po_scan(
        &self,
        j: &mut Journal<'_>,
        env: &Env<'_>,
        s: &mut ScanIn<'_>,
    ) -> Result<Decision, StoreError> {
        let po = orders::by_number(j.conn(), &s.value)?;
        let po_value = json!(s.value);
        s.set("po", po_value);
        s.journal(j)?;
        match po {
            Some(po) => self.open(j, env, po, s.scan.at),
            None => Ok(Decision::error(format!(
                "Unknown purchase order {}: import it first",
                s.shown
            ))),
        }
    }

    fn damaged(
        &self,
        j: &mut Journal<'_>,
        env: &Env<'_>,
        open: &Open,
        at: SystemTime,
    ) -> Result<Decision, StoreError> {
        let c = load(j);
        let Some(item) = c
            .last_item
            .map(|id| orders::item(j.conn(), id))
            .transpose()?
            .flatten()
        else {
            return with_panel(j, Decision::warn("No unit received yet to mark damaged"));
        };
        if item.damaged {
            return with_panel(j, Decision::warn("The last unit is already marked damaged"));
        }
        orders::set_item_damaged(j.conn(), item.id)?;
        let mut note = String::new();
        if let Some(asset_id) = item.asset_id {
            match lifecycle::change_status(
                j,
                env.policy,
                asset_id,
                "in_repair",
                "damaged",
                at,
                None,
            )? {
                Ok(_) => {}
                Err(r) => note = format!(" (status unchanged: {})", r.message()),
            }
        }
        let who = item
            .serial
            .clone()
            .unwrap_or_else(|| "the last count".into());
        let detail = format!("{who} arrived damaged{note}");
        let mut d = unit::discrepancy(
            j,
            open,
            item.po_line_id,
            "damaged",
            item.serial.as_deref(),
            &detail,
            None,
            at,
        )?;
        if let Some(a) = item.asset_id {
            d = d.asset(a);
        }
        if let Some(l) = item.po_line_id {
            d = on_line(d, l);
        }
        with_panel(j, d)
    }

    fn close(
        &self,
        j: &mut Journal<'_>,
        open: &Open,
        at: SystemTime,
    ) -> Result<Decision, StoreError> {
        let mut short = Vec::new();
        for l in &open.lines {
            let got = unit::received(j.conn(), open.order.id, l.id)?;
            if got < l.quantity {
                let detail = format!("line {}: {} of {} received", l.line, got, l.quantity);
                unit::discrepancy(j, open, Some(l.id), "short", None, &detail, None, at)?;
                short.push(json!({"line": l.line, "ordered": l.quantity, "received": got}));
            }
        }
        let ts = crate::timefmt::rfc3339_millis(at);
        orders::close_delivery(j.conn(), open.delivery.id, &ts)?;
        j.append(
            at,
            "delivery.closed",
            json!({"delivery_id": open.delivery.id, "po": open.order.number, "short": short}),
        )?;
        let last = load(j).last_item;
        save(j, &Ctx::default());
        let d = if short.is_empty() {
            Decision::ok(format!("{} closed: every line received", open.order.number))
        } else {
            Decision::warn(format!(
                "{} closed: {} line(s) short",
                open.order.number,
                short.len()
            ))
        };
        // The closed delivery stays on screen.
        Ok(
            match view::panel_and_brief(j.conn(), Some(open.delivery.id), last, None, "")? {
                Some((v, brief)) => d.panel(Panel::Workflow(v)).mode_object(MODE_OBJECT, brief),
                None => d,
            },
        )
    }
}

impl Workflow for Receiving {
    fn mode(&self) -> Mode {
        Mode::Receive
    }

    fn entered(&mut self, j: &mut Journal<'_>, env: &Env<'_>) -> Result<Decision, StoreError> {
        let c = load(j);
        if let Some(open) = c
            .delivery_id
            .map(|id| Open::load(j.conn(), id))
            .transpose()?
            .flatten()
        {
            let msg = format!("Receiving {}: {}", open.order.number, next_hint(&c));
            return with_panel(j, Decision::ok(msg));
        }
        if env.settings.require_signin && j.operator().is_none() {
            // A question now would take the badge as its answer.
            return Ok(Decision::ok(
                "Receive mode: scan your badge, then a purchase order",
            ));
        }
        Self::ask_order(j)
    }

    fn scan(
        &mut self,
        j: &mut Journal<'_>,
        env: &Env<'_>,
        s: &mut ScanIn<'_>,
    ) -> Result<Decision, StoreError> {
        if s.kind == IdentityKind::PurchaseOrder {
            return self.po_scan(j, env, s);
        }
        let c = load(j);
        let open = c
            .delivery_id
            .map(|id| Open::load(j.conn(), id))
            .transpose()?
            .flatten();
        let Some(open) = open else {
            s.journal(j)?;
            if c.delivery_id.is_some() {
                save(j, &Ctx::default());
            }
            let mut d = Self::ask_order(j)?;
            d.level = crate::station::outcome::Level::Warning;
            d.message = format!(
                "No delivery open: scan a purchase order first · {}",
                d.message
            );
            return Ok(d);
        };
        if s.kind == IdentityKind::Location {
            s.journal(j)?;
            return unit::put_away(j, &c.last_item, &s.value, s.scan.at)
                .and_then(|d| with_panel(j, d));
        }
        self.unit_scan(j, env, &open, s)
    }

    fn command(
        &mut self,
        j: &mut Journal<'_>,
        env: &Env<'_>,
        cmd: &Command,
        at: SystemTime,
    ) -> Result<Option<Decision>, StoreError> {
        let c = load(j);
        let open = c
            .delivery_id
            .map(|id| Open::load(j.conn(), id))
            .transpose()?
            .flatten();
        match (cmd, open) {
            (Command::Close, Some(open)) => self.close(j, &open, at).map(Some),
            (Command::Close, None) => Ok(Some(Decision::warn("No delivery open to close"))),
            (Command::Verb { verb, .. }, Some(open)) if verb == "DAMAGED" => {
                self.damaged(j, env, &open, at).map(Some)
            }
            (Command::Verb { verb, .. }, None) if verb == "DAMAGED" => {
                Ok(Some(Decision::warn("No delivery open")))
            }
            (Command::Cancel, Some(_)) if c.pending.is_some() => {
                let mut c = c;
                c.pending = None;
                save(j, &c);
                with_panel(j, Decision::ok("Unit in progress dropped")).map(Some)
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
        match (q.kind.as_str(), a) {
            ("receiving.order", Answer::Pick(i, _)) => {
                let id = q.data["po_ids"][i].as_i64().unwrap_or_default();
                match orders::order(j.conn(), id)? {
                    Some(po) => self.open(j, env, po, at),
                    None => Ok(Decision::error("That order is gone")),
                }
            }
            ("receiving.over", Answer::Confirm) => {
                let c = load(j);
                let open = c
                    .delivery_id
                    .map(|id| Open::load(j.conn(), id))
                    .transpose()?
                    .flatten();
                let (Some(open), Some(line_id), Some(serial)) =
                    (open, q.data["line_id"].as_i64(), q.data["serial"].as_str())
                else {
                    return Ok(Decision::error("No delivery open: nothing received"));
                };
                self.identified(j, env, &open, line_id, serial.to_string(), true, at)
            }
            ("receiving.over", Answer::Cancel) => {
                let d = Decision::warn(format!(
                    "Refused: {} not received",
                    q.data["serial"].as_str().unwrap_or("the unit")
                ));
                let d = match q.data["line_id"].as_i64() {
                    Some(l) => on_line(d, l),
                    None => d,
                };
                with_panel(j, d)
            }
            (_, Answer::Cancel) => Ok(Decision::ok(format!("Cancelled: {}", q.prompt))),
            (kind, a) => Ok(Decision::warn(format!(
                "{kind}: answer {a:?} does not fit; nothing done"
            ))),
        }
    }

    fn view(
        &self,
        conn: &rusqlite::Connection,
        ctx: &Value,
    ) -> Result<Option<crate::station::view::WorkflowView>, StoreError> {
        let c: Ctx = serde_json::from_value(ctx.clone()).unwrap_or_default();
        view::panel(conn, c.delivery_id, c.last_item, next_hint(&c))
    }

    fn commands(&self) -> &'static [(&'static str, &'static str)] {
        COMMANDS
    }
}
