//! Stock-take mode: count locations by scan and RFID sweep.
//!
//! The station counts into the stock-take being counted (one: it is taken;
//! several: a pick; a location label of another one's scope switches to it).
//! Scanning a location label says where the walker is; then every tag scanned
//! or swept is counted once per identity per location (first/last seen, read
//! count, best RSSI) in `store::stocktake`. Reads made before any location is
//! scanned are held (journaled like every read) and assigned to the next
//! location scanned, or discarded on CANCEL. An asset's first sighting in the
//! stock-take journals `asset.audited` (synced upstream as an audit), and an
//! asset marked missing that turns up goes back to the status it had.
//!
//! The context holds only ids: `{"stocktake": id, "location": id | null}`.
//! The live panel is the reconciliation as it stands (`crate::stocktake`).
//! RFID reads are quiet.

use super::stocktake_panel::panel;
use crate::input::{Command, Mode};
use crate::station::classify::{Identity, IdentityKind};
use crate::station::decision::{Decision, Journal};
use crate::station::lifecycle;
use crate::station::lookup::{self, LookupResult, MatchRules};
use crate::station::outcome::Panel;
use crate::station::question::{Answer, Expect, Question};
use crate::station::view::WorkflowView;
use crate::station::workflow::{Env, RfidIn, ScanIn, Workflow};
use crate::stocktake::report::Names;
use crate::store::{self, stocktake::NewRead, StoreError};
use rusqlite::Connection;
use serde_json::{json, Value};
use std::time::{Duration, SystemTime};

/// During an RFID sweep the panel (a reconciliation of the whole scope) is
/// recomputed at most this often, by the reads' own times; a barcode scan
/// always recomputes it. Between, the UI keeps the last panel.
pub const PANEL_EVERY: Duration = Duration::from_millis(200);

const COMMANDS: &[(&str, &str)] = &[
    (
        "CMD:ENROL",
        "enrol the unknown code last counted (asks to confirm); it counts as unexpected",
    ),
    (
        "CMD:CLOSE",
        "end this location's count (scan the next location label)",
    ),
    (
        "CMD:CANCEL",
        "discard the reads held before a location was scanned",
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

    /// The stock-take to count into: the context's while it is counting,
    /// else the only one counting; several ask which; none says how to start.
    fn resolve(j: &mut Journal<'_>) -> Result<Result<i64, Decision>, StoreError> {
        let (current, _) = open(j.ctx.get(Mode::Stocktake));
        if let Some(id) = current {
            if store::stocktake::get(j.conn(), id)?.is_some_and(|s| s.status == "counting") {
                return Ok(Ok(id));
            }
        }
        let counting = store::stocktake::counting(j.conn())?;
        match counting.as_slice() {
            [] => {
                if current.is_some() {
                    j.ctx.set(Mode::Stocktake, json!({}));
                }
                Ok(Err(Decision::warn(
                    "No stock-take is being counted: start one with \
                     `scanstation stocktake start --name NAME --scope LOCATION`",
                )))
            }
            [one] => {
                j.ctx.set(
                    Mode::Stocktake,
                    json!({"stocktake": one.id, "location": null}),
                );
                Ok(Ok(one.id))
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
                Ok(Err(Decision::warn(msg)))
            }
        }
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

    /// A location label: counting moves there (held reads with it).
    fn location(
        j: &mut Journal<'_>,
        env: &Env<'_>,
        s: &mut ScanIn<'_>,
    ) -> Result<Decision, StoreError> {
        let Some(loc) = store::locations::by_code(j.conn(), &s.value)? else {
            s.journal(j)?;
            return Ok(Decision::warn(format!(
                "Unknown location {}: nothing counted",
                s.shown
            )));
        };
        let mut id = match Self::resolve(j)? {
            Ok(id) => id,
            Err(d) => {
                s.journal(j)?;
                return Ok(d);
            }
        };
        if !store::stocktake::in_scope(j.conn(), id, loc.id)? {
            // Another stock-take's scope: count into that one.
            let mut other = None;
            for st in store::stocktake::counting(j.conn())? {
                if store::stocktake::in_scope(j.conn(), st.id, loc.id)? {
                    other = Some(st.id);
                    break;
                }
            }
            match other {
                Some(o) => id = o,
                None => {
                    s.set("stocktake_id", json!(id));
                    s.set("outside_scope", json!(loc.code));
                    s.journal(j)?;
                    let q = Question {
                        kind: "stocktake.outside".into(),
                        mode: Mode::Stocktake.as_str().into(),
                        prompt: format!(
                            "{} is outside this stock-take's scope: count it anyway?",
                            loc.code
                        ),
                        expects: Expect::Confirm,
                        sticky: false,
                        data: json!({"stocktake_id": id, "location_id": loc.id}),
                    };
                    let msg = format!("{} {}", q.prompt, q.expects.hint());
                    j.ctx.ask(q);
                    return Ok(Decision::warn(msg));
                }
            }
        }
        s.set("stocktake_id", json!(id));
        s.set("location", json!(loc.code));
        s.journal(j)?;
        Self::enter(j, env, id, &loc, s.scan.at)
    }

    /// Counting moves to `loc` (in the scope of stock-take `id`).
    fn enter(
        j: &mut Journal<'_>,
        env: &Env<'_>,
        id: i64,
        loc: &store::locations::LocationRow,
        at: SystemTime,
    ) -> Result<Decision, StoreError> {
        let stamp = crate::timefmt::rfc3339_millis(at);
        let fresh = store::stocktake::mark_counted(j.conn(), id, loc.id, &stamp)?;
        // Held reads land here; a first sighting among them is an audit.
        let mut first = Vec::new();
        let held = store::stocktake::reads(j.conn(), id)?
            .into_iter()
            .filter(|r| r.location_id.is_none())
            .collect::<Vec<_>>();
        for r in &held {
            if let Some(a) = r.asset_id.filter(|_| !r.shared) {
                if !first.contains(&a) && !store::stocktake::sighted(j.conn(), id, a)? {
                    first.push(a);
                }
            }
        }
        store::stocktake::assign_held(j.conn(), id, loc.id)?;
        j.ctx.set(
            Mode::Stocktake,
            json!({"stocktake": id, "location": loc.id}),
        );
        j.append(
            at,
            "stocktake.location",
            json!({"stocktake_id": id, "location": loc.code, "resumed": !fresh, "held": held.len()}),
        )?;
        let mut notes = Vec::new();
        for a in first {
            notes.extend(Self::sighted(j, env, id, a, &loc.code, at)?);
        }
        let mut msg = format!(
            "{}: {} {}",
            loc.code,
            if fresh { "counting" } else { "count resumed" },
            loc.name
        );
        if !held.is_empty() {
            msg.push_str(&format!(" · {} held reads assigned here", held.len()));
        }
        for n in notes {
            msg.push_str(" · ");
            msg.push_str(&n);
        }
        Self::with_view(j, Decision::ok(msg))
    }

    /// An asset's first sighting in the stock-take: `asset.audited`, and
    /// back from `missing` to the status it had.
    fn sighted(
        j: &mut Journal<'_>,
        env: &Env<'_>,
        id: i64,
        asset: i64,
        location: &str,
        at: SystemTime,
    ) -> Result<Option<String>, StoreError> {
        j.append(
            at,
            "asset.audited",
            json!({"asset_id": asset, "location": location, "stocktake_id": id}),
        )?;
        let Some(prior) = store::lifecycle::status_before_missing(j.conn(), asset)? else {
            return Ok(None);
        };
        Ok(Some(
            match lifecycle::change_status(
                j,
                env.policy,
                asset,
                &prior,
                "stocktake found",
                at,
                None,
            )? {
                Ok(c) => format!("#{asset} was missing: back to {}", c.to),
                Err(r) => format!("#{asset} was missing; {}", r.message()),
            },
        ))
    }

    /// Counts one read; returns what to say, and whether the panel changed
    /// (not for a tag read again where it already was).
    #[allow(clippy::too_many_arguments)]
    fn count(
        j: &mut Journal<'_>,
        env: &Env<'_>,
        id: i64,
        location: Option<i64>,
        what: &Identified,
        code: &str,
        via: &str,
        rssi: Option<f64>,
        reads: u32,
        at: SystemTime,
    ) -> Result<(Decision, bool), StoreError> {
        let stamp = crate::timefmt::rfc3339_millis(at);
        let asset = match what {
            Identified::Asset(a) => Some(*a),
            _ => None,
        };
        let first = match (asset, location) {
            (Some(a), Some(_)) => !store::stocktake::sighted(j.conn(), id, a)?,
            _ => false,
        };
        let new = store::stocktake::count(
            j.conn(),
            id,
            &NewRead {
                location_id: location,
                asset_id: asset,
                code,
                via,
                shared: matches!(what, Identified::Shared),
                at: &stamp,
                rssi,
                count: reads,
            },
        )?;
        let mut names = Names::default();
        let Some(here) = location else {
            let d = Decision::warn(format!(
                "{code} held: scan a location label to count it (CANCEL discards held reads)"
            ));
            return Ok((d, false));
        };
        if !new && via == "rfid" {
            // A tag still in the field: counted, nothing new to show.
            return Ok((Decision::ok(format!("{code} read again")), false));
        }
        let here_code = names.location(j.conn(), here)?;
        let mut note = None;
        if let (Some(a), true) = (asset, first) {
            note = Self::sighted(j, env, id, a, &here_code, at)?;
        }
        let d = match (what, asset) {
            (_, Some(a)) => {
                let tag = names.tag(j.conn(), a)?;
                let expected = store::stocktake::expected_at(j.conn(), id, a)?;
                match expected {
                    Some(l) if l == here => Decision::ok(format!("{tag} found at {here_code}")),
                    Some(l) => Decision::warn(format!(
                        "{tag} counted at {here_code}, expected at {}",
                        names.location(j.conn(), l)?
                    )),
                    None => Decision::warn(format!(
                        "{tag} counted at {here_code}: not expected in this stock-take"
                    )),
                }
                .asset(a)
            }
            (Identified::Shared, _) => Decision::warn(format!(
                "{code} belongs to several assets: counted as a duplicate"
            )),
            _ => Decision::warn(format!(
                "Unknown code {code}: counted at {here_code} as unknown (CMD:ENROL enrols it)"
            )),
        };
        Ok(match note {
            Some(n) => {
                let mut d = d;
                d.message = format!("{} · {n}", d.message);
                (d, true)
            }
            None => (d, true),
        })
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
            Ok(id) => {
                let name = store::stocktake::get(j.conn(), id)?
                    .map(|s| s.name)
                    .unwrap_or_default();
                let d = Decision::ok(format!("Stock-take {name}: scan a location label"));
                Self::with_view(j, d)
            }
            Err(d) => Ok(d),
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
            Ok(id) => id,
            Err(d) => {
                s.journal(j)?;
                return Ok(d);
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
            Ok(id) => id,
            Err(d) => {
                r.journal(j)?;
                return Ok(d.quiet());
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
        let (id, location) = open(j.ctx.get(Mode::Stocktake));
        let Some(id) = id else {
            return Ok(None);
        };
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
            Command::Close => {
                let Some(loc) = location else {
                    return Ok(Some(Decision::warn("No location is being counted")));
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
