//! The unit flow of Receive mode: what a scan means with the unit in
//! progress in hand (a label, a product key, a serial, a tag), matching it
//! to an order line, and the checks before a unit becomes an asset
//! (duplicate serial, over the line's quantity, not on the order).

use super::label::{self, Key, Read};
use super::{load, on_line, save, unit, with_panel, Open, Pending, Receiving};
use crate::input::Mode;
use crate::station::decision::{Decision, Journal};
use crate::station::question::{Expect, Question};
use crate::station::workflow::{Env, ScanIn};
use crate::store::{self, orders, StoreError};
use serde_json::json;
use std::time::SystemTime;

impl Receiving {
    /// A unit's product and serial are known: check it, then receive it or
    /// ask for its tag.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn identified(
        &self,
        j: &mut Journal<'_>,
        env: &Env<'_>,
        open: &Open,
        line_id: i64,
        serial: String,
        over: bool,
        at: SystemTime,
    ) -> Result<Decision, StoreError> {
        let mut c = load(j);
        c.pending = None;
        save(j, &c);
        let Some(line) = open.line(line_id) else {
            return Ok(Decision::error("That order line is gone"));
        };
        if !line.tracked {
            return unit::count(j, open, line, 1, at)
                .and_then(|d| with_panel(j, on_line(d, line.id)));
        }
        if store::identifiers::owner(j.conn(), "serial", &serial)?.is_some()
            || orders::serial_received(j.conn(), &serial)?
        {
            let detail = format!("serial {serial} was received before: no second asset");
            let d = unit::discrepancy(
                j,
                open,
                Some(line.id),
                "duplicate_serial",
                Some(&serial),
                &detail,
                None,
                at,
            )?;
            return with_panel(j, on_line(d, line.id));
        }
        let received = unit::received(j.conn(), open.order.id, line.id)?;
        if !over && received >= line.quantity {
            let q = Question {
                kind: "receiving.over".into(),
                mode: Mode::Receive.as_str().into(),
                prompt: format!(
                    "Line {} has {received} of {} already: receive {serial} over the order?",
                    line.line, line.quantity
                ),
                expects: Expect::Confirm,
                sticky: true,
                data: json!({"line_id": line.id, "serial": serial}),
            };
            let msg = format!("{} {}", q.prompt, q.expects.hint());
            j.ctx.ask(q);
            return with_panel(j, on_line(Decision::warn(msg), line.id));
        }
        if env.settings.receiving.tags == "generate" {
            let tag = unit::generate_tag(j, env)?;
            return unit::receive(j, env, open, line, &serial, &tag, over, at)
                .and_then(|d| with_panel(j, on_line(d, line.id)));
        }
        c.pending = Some(Pending {
            line_id: Some(line.id),
            serial: Some(serial.clone()),
            over,
        });
        save(j, &c);
        with_panel(
            j,
            Decision::ok(format!(
                "Line {} · {} · serial {serial}: scan its asset tag",
                line.line,
                line.model.as_deref().unwrap_or("?")
            )),
        )
    }

    /// The serial in `text` as the line's manufacturer prints it (Apple's
    /// `S` prefix stripped on Apple boxes, never on Samsung's).
    pub(super) fn serial_for(&self, open: &Open, line_id: i64, text: &str) -> String {
        let mf = open.line(line_id).and_then(|l| l.manufacturer.as_deref());
        label::serial_of(&self.conventions, text, mf)
    }

    /// The order line a key names (preferring one still short), or None. A
    /// part number the order does not know may be a customer's own item id
    /// mapped in `[receiving] customer_items`.
    pub(super) fn line_for(
        &self,
        j: &Journal<'_>,
        open: &Open,
        key: &Key,
    ) -> Result<Option<i64>, StoreError> {
        let (g, p) = match key {
            Key::Gtin(g) => (Some(g.as_str()), None),
            Key::Part(p) => (None, Some(p.as_str())),
        };
        let mut found = orders::lines_matching(j.conn(), open.order.id, g, p)?;
        if let (true, Some(mapped)) = (
            found.is_empty(),
            p.and_then(|p| self.conventions.customer_item(p)),
        ) {
            found = orders::lines_matching(j.conn(), open.order.id, None, Some(mapped))?;
        }
        for l in &found {
            if unit::received(j.conn(), open.order.id, l.id)? < l.quantity {
                return Ok(Some(l.id));
            }
        }
        Ok(found.first().map(|l| l.id))
    }

    pub(super) fn not_on_order(
        j: &mut Journal<'_>,
        open: &Open,
        key: &Key,
        serial: Option<&str>,
        at: SystemTime,
    ) -> Result<Decision, StoreError> {
        let what = match key {
            Key::Gtin(g) => format!("GTIN {g}"),
            Key::Part(p) => format!("part {p}"),
        };
        let detail = format!("{what} is not on {}", open.order.number);
        let d = unit::discrepancy(j, open, None, "not_on_order", serial, &detail, None, at)?;
        with_panel(j, d)
    }

    /// A scan while a delivery is open.
    pub(super) fn unit_scan(
        &self,
        j: &mut Journal<'_>,
        env: &Env<'_>,
        open: &Open,
        s: &mut ScanIn<'_>,
    ) -> Result<Decision, StoreError> {
        let at = s.scan.at;
        s.set("delivery_id", json!(open.delivery.id));
        let mut c = load(j);
        let mut r = label::read(s.kind, &s.value, &s.scan.raw);
        if let Read::Text(t) = &r {
            if let Some(u) = label::by_convention(&self.conventions, t, &open.manufacturers()) {
                r = u;
            }
        }
        let pending = c.pending.clone().unwrap_or_default();
        match (pending.line_id, pending.serial.clone(), r) {
            (_, _, Read::Unreadable(raw)) => {
                s.journal(j)?;
                let detail = "a box label the station cannot split: scan its part number \
                              and serial separately";
                let d =
                    unit::discrepancy(j, open, None, "unreadable", None, detail, Some(&raw), at)?;
                with_panel(j, d)
            }
            // Waiting for the tag.
            (Some(line_id), Some(serial), read) => {
                let Read::Tag(tag) = read else {
                    s.journal(j)?;
                    return with_panel(
                        j,
                        Decision::warn(format!(
                            "Scan the asset tag of {serial} first (CMD:CANCEL drops it)"
                        )),
                    );
                };
                s.journal(j)?;
                let Some(line) = open.line(line_id) else {
                    c.pending = None;
                    save(j, &c);
                    return Ok(Decision::error("That order line is gone"));
                };
                let d = unit::receive(j, env, open, line, &serial, &tag, pending.over, at)?;
                with_panel(j, on_line(d, line_id))
            }
            // Waiting for the serial: whatever comes is the serial.
            (Some(line_id), None, read) => {
                s.journal(j)?;
                let text = match read {
                    Read::Unit { serial, .. } => serial,
                    Read::Tag(t) | Read::Text(t) | Read::Unreadable(t) => t,
                    Read::Key(Key::Gtin(g) | Key::Part(g)) => g,
                };
                let serial = self.serial_for(open, line_id, &text);
                self.identified(j, env, open, line_id, serial, false, at)
            }
            // A serial waiting for its product.
            (None, Some(serial), Read::Key(key)) => {
                s.journal(j)?;
                match self.line_for(j, open, &key)? {
                    Some(line_id) => {
                        let serial = self.serial_for(open, line_id, &serial);
                        self.identified(j, env, open, line_id, serial, false, at)
                    }
                    None => {
                        c.pending = None;
                        save(j, &c);
                        Self::not_on_order(j, open, &key, Some(&serial), at)
                    }
                }
            }
            // A part number that looks like a tag names the serial's product;
            // any other tag is early.
            (None, Some(serial), Read::Tag(t)) => {
                s.journal(j)?;
                match self.line_for(j, open, &Key::Part(t.clone()))? {
                    Some(line_id) => {
                        let serial = self.serial_for(open, line_id, &serial);
                        self.identified(j, env, open, line_id, serial, false, at)
                    }
                    None => with_panel(
                        j,
                        Decision::warn(format!(
                            "{t} is a tag: scan the GTIN or part number of {serial} first \
                             (CMD:CANCEL drops it)"
                        )),
                    ),
                }
            }
            (None, Some(serial), Read::Text(t)) => {
                s.journal(j)?;
                match self.line_for(j, open, &Key::Part(t.clone()))? {
                    Some(line_id) => {
                        let serial = self.serial_for(open, line_id, &serial);
                        self.identified(j, env, open, line_id, serial, false, at)
                    }
                    None => {
                        c.pending = None;
                        save(j, &c);
                        Self::not_on_order(j, open, &Key::Part(t), Some(&serial), at)
                    }
                }
            }
            (_, _, Read::Unit { key, serial }) => {
                s.journal(j)?;
                match self.line_for(j, open, &key)? {
                    Some(line_id) => self.identified(j, env, open, line_id, serial, false, at),
                    None => {
                        c.pending = None;
                        save(j, &c);
                        Self::not_on_order(j, open, &key, Some(&serial), at)
                    }
                }
            }
            (_, _, Read::Key(key)) => {
                s.journal(j)?;
                let q = label::quantity(&s.scan.raw).unwrap_or(1);
                match self.line_for(j, open, &key)? {
                    Some(line_id) => self.keyed(j, open, line_id, q, at),
                    None => Self::not_on_order(j, open, &key, None, at),
                }
            }
            (_, _, Read::Tag(tag)) => {
                s.journal(j)?;
                // A part number can look like a tag (LAT5550).
                if let Some(line_id) = self.line_for(j, open, &Key::Part(tag.clone()))? {
                    return self.keyed(j, open, line_id, 1, at);
                }
                with_panel(
                    j,
                    Decision::warn(format!("{tag} is a tag: scan the unit's box label first")),
                )
            }
            (_, _, Read::Text(t)) => {
                s.journal(j)?;
                // A part number on the order, else a serial waiting for its product.
                if let Some(line_id) = self.line_for(j, open, &Key::Part(t.clone()))? {
                    return self.keyed(j, open, line_id, 1, at);
                }
                c.pending = Some(Pending {
                    line_id: None,
                    serial: Some(t.clone()),
                    over: false,
                });
                save(j, &c);
                with_panel(
                    j,
                    Decision::ok(format!("Serial {t}: scan its GTIN or part number")),
                )
            }
        }
    }

    /// A product key alone: an untracked line counts `quantity` (a 15434
    /// box's `Q`, else one); a tracked one waits for the serial.
    pub(super) fn keyed(
        &self,
        j: &mut Journal<'_>,
        open: &Open,
        line_id: i64,
        quantity: i64,
        at: SystemTime,
    ) -> Result<Decision, StoreError> {
        let Some(line) = open.line(line_id) else {
            return Ok(Decision::error("That order line is gone"));
        };
        let mut c = load(j);
        if !line.tracked {
            c.pending = None;
            save(j, &c);
            return unit::count(j, open, line, quantity, at)
                .and_then(|d| with_panel(j, on_line(d, line.id)));
        }
        c.pending = Some(Pending {
            line_id: Some(line.id),
            serial: None,
            over: false,
        });
        save(j, &c);
        with_panel(
            j,
            Decision::ok(format!(
                "Line {} · {}: scan its serial number",
                line.line,
                line.model.as_deref().unwrap_or("?")
            )),
        )
    }
}
