//! Counting: a location label says where the walker is; every tag scanned
//! or swept there is counted once per identity (first/last seen, read
//! count, best RSSI). The first location counted makes an `open` stock-take
//! `counting` (what is expected where is snapshotted then). An asset's
//! first sighting journals `asset.audited`, and one marked missing goes back
//! to the status it had.

use super::{Current, Identified, Stocktake};
use crate::input::Mode;
use crate::station::decision::{Decision, Journal};
use crate::station::lifecycle;
use crate::station::question::{Expect, Question};
use crate::station::workflow::{Env, ScanIn};
use crate::stocktake::report::Names;
use crate::store::{self, stocktake::NewRead, StoreError};
use serde_json::json;
use std::time::SystemTime;

impl Stocktake {
    /// A location label: counting moves there (held reads with it).
    pub(super) fn location(
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
            Current::Nothing => {
                return super::start::add_to_draft(j, s, &loc);
            }
            Current::Reconcile(id) => {
                s.journal(j)?;
                return Self::reconciling(j, id);
            }
            Current::Count(id) => id,
            Current::Asked(d) => {
                s.journal(j)?;
                return Ok(*d);
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
    pub(super) fn enter(
        j: &mut Journal<'_>,
        env: &Env<'_>,
        id: i64,
        loc: &store::locations::LocationRow,
        at: SystemTime,
    ) -> Result<Decision, StoreError> {
        let stamp = crate::timefmt::rfc3339_millis(at);
        if let Some(expected) = store::stocktake::begin_counting(j.conn(), id)? {
            j.append(
                at,
                "stocktake.counting",
                json!({"stocktake_id": id, "expected": expected}),
            )?;
        }
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
    pub(super) fn sighted(
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
    pub(super) fn count(
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
}
