//! Stock-take mode: start a stock-take, count locations by scan and RFID
//! sweep, reconcile and act on the result, close it.
//!
//! A stock-take goes open → counting → reconciling → closed. With none open,
//! location labels scanned build a scope and CONFIRM starts one (named from
//! the date and the station, owned by the signed-in operator; the screen
//! shows the KPIs of past stock-takes meanwhile). The station counts into
//! the one open or being counted (several: a pick; a location label of
//! another one's scope switches to it) — [`count`]. CMD:CLOSE ends a
//! location's count, and with no location open ends the counting (asking
//! first when locations were not counted): the result is reconciled on the
//! screen, CMD:MOVE and CMD:MISSING act on it ([`actions`], after CONFIRM),
//! and CMD:CLOSE closes it.
//!
//! The context holds only ids: `{"stocktake": id, "location": id | null}`,
//! or `{"draft": [location ids]}` while a scope is being built. The panels
//! ([`panel`]) are the reconciliation as it stands. RFID reads are quiet.

pub mod actions;
mod count;
pub mod panel;
mod start;

use crate::input::{Command, Mode};
use crate::station::classify::{Identity, IdentityKind};
use crate::station::decision::{Decision, Journal};
use crate::station::lookup::{self, LookupResult, MatchRules};
use crate::station::outcome::Panel;
use crate::station::question::{Answer, Expect, Question};
use crate::station::view::WorkflowView;
use crate::station::workflow::{Env, RfidIn, ScanIn, Workflow};
use crate::stocktake::report::Names;
use crate::store::{self, StoreError};
use panel::panel;
use rusqlite::Connection;
use serde_json::{json, Value};
use std::time::{Duration, SystemTime};

/// During an RFID sweep the panel (a reconciliation of the whole scope) is
/// recomputed at most this often, by the reads' own times; a barcode scan
/// always recomputes it. Between, the UI keeps the last panel.
pub const PANEL_EVERY: Duration = Duration::from_millis(200);

const COMMANDS: &[(&str, &str)] = &[
    (
        "CMD:CONFIRM",
        "with no stock-take open: start one over the location labels scanned",
    ),
    (
        "CMD:ENROL",
        "enrol the unknown code last counted (asks to confirm); it counts as unexpected",
    ),
    (
        "CMD:CLOSE",
        "end this location's count; with none open, end the counting and reconcile; \
         reconciled, close the stock-take",
    ),
    (
        "CMD:CANCEL",
        "discard the reads held before a location was scanned (or the scope being built)",
    ),
    (
        "CMD:MOVE",
        "reconciled: move the misplaced assets to where they were found (asks to confirm)",
    ),
    (
        "CMD:MISSING",
        "reconciled: mark the missing assets missing (asks to confirm)",
    ),
];

/// The Stocktake workflow; all it keeps is in the station's context.
pub struct Stocktake {
    rules: MatchRules,
    /// When an RFID read last recomputed the panel.
    panel_at: Option<SystemTime>,
}

/// The stock-take and location in the context.
fn open(ctx: &Value) -> (Option<i64>, Option<i64>) {
    (ctx["stocktake"].as_i64(), ctx["location"].as_i64())
}

/// Where the station stands (see [`Stocktake::resolve`]).
enum Current {
    Count(i64),
    Reconcile(i64),
    /// No stock-take open: location labels build a scope to start one.
    Nothing,
    /// Several are being counted: a question asks which (boxed: a
    /// Decision is large).
    Asked(Box<Decision>),
}

/// What a read is.
enum Identified {
    Asset(i64),
    /// A code several assets share.
    Shared,
    Unknown,
}

impl Stocktake {
    pub fn new(identify: &crate::config::IdentifyConfig) -> Stocktake {
        Stocktake {
            rules: MatchRules::new(identify),
            panel_at: None,
        }
    }

    /// Where the station stands: the stock-take to count into (the
    /// context's while open or counting, else the only one; several ask
    /// which), the one being reconciled, or none.
    fn resolve(j: &mut Journal<'_>) -> Result<Current, StoreError> {
        let (current, _) = open(j.ctx.get(Mode::Stocktake));
        if let Some(id) = current {
            match store::stocktake::get(j.conn(), id)?.map(|s| s.status) {
                Some(s) if s == "open" || s == "counting" => return Ok(Current::Count(id)),
                Some(s) if s == "reconciling" => return Ok(Current::Reconcile(id)),
                _ => {}
            }
        }
        let counting = store::stocktake::counting(j.conn())?;
        match counting.as_slice() {
            [] => {
                if current.is_some() {
                    j.ctx.set(Mode::Stocktake, json!({}));
                }
                Ok(Current::Nothing)
            }
            [one] => {
                j.ctx.set(
                    Mode::Stocktake,
                    json!({"stocktake": one.id, "location": null}),
                );
                Ok(Current::Count(one.id))
            }
            several => {
                let q = Question {
                    kind: "stocktake.which".into(),
                    mode: Mode::Stocktake.as_str().into(),
                    prompt: format!(
                        "{} stock-takes are being counted: which one?",
                        several.len()
                    ),
                    expects: Expect::Pick {
                        options: several
                            .iter()
                            .map(|s| format!("{} (#{}, {})", s.name, s.id, s.started_at))
                            .collect(),
                    },
                    sticky: false,
                    data: json!({"ids": several.iter().map(|s| s.id).collect::<Vec<_>>()}),
                };
                let msg = format!("{} {}", q.prompt, q.expects.hint());
                j.ctx.ask(q);
                Ok(Current::Asked(Box::new(Decision::warn(msg))))
            }
        }
    }

    /// What a scan or read gets while stock-take `id` is being reconciled.
    fn reconciling(j: &Journal<'_>, id: i64) -> Result<Decision, StoreError> {
        let name = store::stocktake::get(j.conn(), id)?
            .map(|s| s.name)
            .unwrap_or_default();
        Self::with_view(
            j,
            Decision::warn(format!(
                "Stock-take {name} is being reconciled: nothing counted. \
                 CMD:MOVE, CMD:MISSING act on it, CMD:CLOSE closes it"
            )),
        )
    }

    fn identify(
        &self,
        conn: &Connection,
        kind: IdentityKind,
        value: &str,
    ) -> Result<(Identified, LookupResult), StoreError> {
        let identity = Identity {
            kind,
            value: value.into(),
        };
        let r = lookup::lookup_scan(conn, &identity, &self.rules)?;
        let what = match &r {
            LookupResult::Found(c) => Identified::Asset(c.asset_id),
            LookupResult::Ambiguous(_) => Identified::Shared,
            LookupResult::NotFound => Identified::Unknown,
        };
        Ok((what, r))
    }

    fn with_view(j: &Journal<'_>, d: Decision) -> Result<Decision, StoreError> {
        Ok(match panel(j.conn(), j.ctx.get(Mode::Stocktake))? {
            Some(v) => d.panel(Panel::Workflow(v)),
            None => d,
        })
    }
}

impl Workflow for Stocktake {
    fn mode(&self) -> Mode {
        Mode::Stocktake
    }

    fn entered(&mut self, j: &mut Journal<'_>, _env: &Env<'_>) -> Result<Decision, StoreError> {
        match Self::resolve(j)? {
            Current::Count(id) => {
                let name = store::stocktake::get(j.conn(), id)?
                    .map(|s| s.name)
                    .unwrap_or_default();
                let d = Decision::ok(format!("Stock-take {name}: scan a location label"));
                Self::with_view(j, d)
            }
            Current::Reconcile(id) => {
                let name = store::stocktake::get(j.conn(), id)?
                    .map(|s| s.name)
                    .unwrap_or_default();
                let d = Decision::ok(format!(
                    "Stock-take {name} is being reconciled: CMD:MOVE, CMD:MISSING act on it, \
                     CMD:CLOSE closes it"
                ));
                Self::with_view(j, d)
            }
            Current::Nothing => Self::with_view(j, Decision::ok(start::HOW)),
            Current::Asked(d) => Ok(*d),
        }
    }

    fn scan(
        &mut self,
        j: &mut Journal<'_>,
        env: &Env<'_>,
        s: &mut ScanIn<'_>,
    ) -> Result<Decision, StoreError> {
        if s.kind == IdentityKind::Location {
            return Self::location(j, env, s);
        }
        let id = match Self::resolve(j)? {
            Current::Count(id) => id,
            Current::Reconcile(id) => {
                s.journal(j)?;
                return Self::reconciling(j, id);
            }
            Current::Nothing => {
                s.journal(j)?;
                return Ok(Decision::warn(format!(
                    "{} counted nothing: {}",
                    s.shown,
                    start::HOW
                )));
            }
            Current::Asked(d) => {
                s.journal(j)?;
                return Ok(*d);
            }
        };
        let (_, location) = open(j.ctx.get(Mode::Stocktake));
        let (what, found) = self.identify(j.conn(), s.kind, &s.value)?;
        found.annotate(s.payload_mut());
        s.set("stocktake_id", json!(id));
        if location.is_none() {
            s.set("held", json!(true));
        }
        s.journal(j)?;
        let code = s.value.clone();
        if let (Identified::Unknown, Some(loc)) = (&what, location) {
            let ok = !matches!(
                s.kind,
                IdentityKind::Gtin | IdentityKind::Sscc | IdentityKind::Grai
            ) && crate::station::enrol::enrollable(&s.scan.raw, &code, s.scan.truncated)
                .is_ok();
            if ok {
                j.ctx.set(
                    Mode::Stocktake,
                    json!({"stocktake": id, "location": loc,
                           "unknown": {"code": code, "identity": s.kind.as_str()}}),
                );
            }
        }
        let (d, _) = Self::count(
            j, env, id, location, &what, &code, "scan", None, 1, s.scan.at,
        )?;
        Self::with_view(j, d)
    }

    fn rfid(
        &mut self,
        j: &mut Journal<'_>,
        env: &Env<'_>,
        r: &mut RfidIn<'_>,
    ) -> Result<Decision, StoreError> {
        let id = match Self::resolve(j)? {
            Current::Count(id) => id,
            Current::Reconcile(_) | Current::Nothing => {
                r.journal(j)?;
                return Ok(Decision::warn(format!(
                    "RFID {} journaled: no stock-take is being counted",
                    r.epc
                ))
                .quiet());
            }
            Current::Asked(d) => {
                r.journal(j)?;
                return Ok((*d).quiet());
            }
        };
        let (_, location) = open(j.ctx.get(Mode::Stocktake));
        let (what, found) = self.identify(j.conn(), IdentityKind::Epc, &r.epc)?;
        found.annotate(r.payload_mut());
        r.set("stocktake_id", json!(id));
        if location.is_none() {
            r.set("held", json!(true));
        }
        r.journal(j)?;
        let epc = r.epc.clone();
        let rssi = r.read.rssi.map(f64::from);
        let d = Self::count(
            j,
            env,
            id,
            location,
            &what,
            &epc,
            "rfid",
            rssi,
            r.read.count,
            r.read.at,
        )?;
        let due = self.panel_at.is_none_or(|then| {
            r.read
                .at
                .duration_since(then)
                .map_or(true, |gap| gap >= PANEL_EVERY)
        });
        Ok(match d {
            (d, true) if due => {
                self.panel_at = Some(r.read.at);
                Self::with_view(j, d)?.quiet()
            }
            (d, _) => d.quiet(),
        })
    }

    fn command(
        &mut self,
        j: &mut Journal<'_>,
        _env: &Env<'_>,
        cmd: &Command,
        at: SystemTime,
    ) -> Result<Option<Decision>, StoreError> {
        let id = match Self::resolve(j)? {
            Current::Count(id) => id,
            Current::Reconcile(id) => return start::reconcile_command(j, id, cmd, at),
            Current::Nothing => return start::draft_command(j, cmd, at),
            Current::Asked(d) => return Ok(Some(*d)),
        };
        let (_, location) = open(j.ctx.get(Mode::Stocktake));
        match cmd {
            Command::EnrolLast => {
                let ctx = j.ctx.get(Mode::Stocktake);
                let (Some(code), identity) = (
                    ctx["unknown"]["code"].as_str().map(str::to_string),
                    ctx["unknown"]["identity"]
                        .as_str()
                        .unwrap_or("unknown")
                        .to_string(),
                ) else {
                    return Ok(Some(Decision::warn(
                        "Nothing to enrol: scan an unknown code at a location first",
                    )));
                };
                let q = Question {
                    kind: "stocktake.enrol".into(),
                    mode: Mode::Stocktake.as_str().into(),
                    prompt: format!("Enrol {code} as a new asset (in_stock)?"),
                    expects: Expect::Confirm,
                    sticky: false,
                    data: json!({"stocktake_id": id, "code": code, "identity": identity}),
                };
                let msg = format!("{} {}", q.prompt, q.expects.hint());
                j.ctx.ask(q);
                Ok(Some(Decision::warn(msg)))
            }
            Command::Cancel => {
                let n = store::stocktake::discard_held(j.conn(), id)?;
                if n == 0 {
                    return Ok(Some(Decision::ok("Nothing held to discard")));
                }
                j.append(
                    at,
                    "stocktake.held_discarded",
                    json!({"stocktake_id": id, "reads": n}),
                )?;
                Ok(Some(Decision::ok(format!("{n} held reads discarded"))))
            }
            Command::Verb { verb, .. } if verb == "MOVE" || verb == "MISSING" => {
                Ok(Some(Decision::warn(format!(
                    "CMD:{verb} acts on the reconciled result: end the counting first \
                     (CMD:CLOSE with no location open)"
                ))))
            }
            Command::Close => {
                let Some(loc) = location else {
                    return start::end_count(j, id, at, false).map(Some);
                };
                let code = Names::default().location(j.conn(), loc)?;
                j.append(
                    at,
                    "stocktake.location_closed",
                    json!({"stocktake_id": id, "location": code}),
                )?;
                j.ctx
                    .set(Mode::Stocktake, json!({"stocktake": id, "location": null}));
                Self::with_view(
                    j,
                    Decision::ok(format!("{code} counted: scan the next location label")),
                )
                .map(Some)
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
            (_, Answer::Cancel) => Ok(Decision::ok(format!("Cancelled: {}", q.prompt))),
            ("stocktake.end", Answer::Confirm) => {
                let id = q.data["stocktake_id"].as_i64().unwrap_or_default();
                start::end_count(j, id, at, true)
            }
            ("stocktake.move", Answer::Confirm) => {
                let id = q.data["stocktake_id"].as_i64().unwrap_or_default();
                start::act(j, env, id, "move", at)
            }
            ("stocktake.missing", Answer::Confirm) => {
                let id = q.data["stocktake_id"].as_i64().unwrap_or_default();
                start::act(j, env, id, "missing", at)
            }
            ("stocktake.enrol", Answer::Confirm) => {
                let id = q.data["stocktake_id"].as_i64().unwrap_or_default();
                let code = q.data["code"].as_str().unwrap_or_default().to_string();
                let identity = q.data["identity"].as_str().unwrap_or_default();
                let d = crate::station::enrol::enrol(j, at, &code, identity)?;
                if let Some(asset) = d.card {
                    store::stocktake::attach_code(j.conn(), id, &code, asset)?;
                    let (_, loc) = open(j.ctx.get(Mode::Stocktake));
                    j.ctx
                        .set(Mode::Stocktake, json!({"stocktake": id, "location": loc}));
                }
                Self::with_view(j, d)
            }
            ("stocktake.outside", Answer::Confirm) => {
                let id = q.data["stocktake_id"].as_i64().unwrap_or_default();
                let loc = q.data["location_id"].as_i64().unwrap_or_default();
                let Some(loc) = store::locations::get(j.conn(), loc)? else {
                    return Ok(Decision::warn("That location is gone; nothing done"));
                };
                store::stocktake::add_to_scope(j.conn(), id, loc.id)?;
                j.append(
                    at,
                    "stocktake.scope_added",
                    json!({"stocktake_id": id, "location": loc.code}),
                )?;
                Self::enter(j, env, id, &loc, at)
            }
            ("stocktake.which", Answer::Pick(i, text)) => {
                let Some(id) = q.data["ids"][i].as_i64() else {
                    return Ok(Decision::warn("That stock-take is gone; nothing done"));
                };
                j.ctx
                    .set(Mode::Stocktake, json!({"stocktake": id, "location": null}));
                Self::with_view(
                    j,
                    Decision::ok(format!("Counting {text}: scan a location label")),
                )
            }
            (kind, a) => Ok(Decision::warn(format!(
                "{kind}: answer {a:?} does not fit; nothing done"
            ))),
        }
    }

    fn view(&self, conn: &Connection, ctx: &Value) -> Result<Option<WorkflowView>, StoreError> {
        panel(conn, ctx)
    }

    fn commands(&self) -> &'static [(&'static str, &'static str)] {
        COMMANDS
    }
}
