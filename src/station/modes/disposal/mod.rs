//! Disposal mode: pallets for the certified e-waste vendor.
//!
//! `CMD:NEWBATCH` opens a pallet identified by an SSCC-18 the station makes
//! from `[organisation] gs1_company_prefix`, `[disposal] sscc_extension` and
//! the next serial reference of this station's range (the pallets already in
//! the store are the counter). Sanitized assets scanned go on it and become
//! `awaiting_pickup`; `CMD:CLOSE` closes it. Scanning a closed pallet's SSCC
//! starts the hand-over: a disposal vendor is picked from a list that shows
//! each one's certification and expiry (the `certified_vendor` rule refuses
//! one whose certification is missing or expired), then the driver's name
//! or id is typed or scanned (drivers are not operators). The pallet's assets
//! become `in_transit` and the hand-off is a link of the chain of custody.
//!
//! The open pallet is the store's (`batches.status = 'open'` at this
//! station), so the mode keeps no context of its own.

use crate::codec::gs1::check_digit;
use crate::input::{Command, Mode};
use crate::station::classify::Identity;
use crate::station::decision::{Decision, Journal};
use crate::station::lifecycle;
use crate::station::lookup::{self, LookupResult, MatchRules};
use crate::station::outcome::Panel;
use crate::station::policy::{ask_override, Refusal};
use crate::station::question::{Answer, Expect, Question};
use crate::station::view::WorkflowView;
use crate::station::workflow::{Env, ScanIn, Workflow};
use crate::store::{self, batches, vendors, StoreError};
use rusqlite::Connection;
use serde_json::{json, Value};
use std::time::SystemTime;

const COMMANDS: &[(&str, &str)] = &[
    ("CMD:NEWBATCH", "open a pallet (a new SSCC)"),
    ("CMD:CLOSE", "close the open pallet"),
];

/// The SSCC-18 for serial reference `serial`: extension digit, company
/// prefix, the serial reference padded to fill 17 digits, check digit.
/// `None` when the prefix is not 6–12 digits or the serial does not fit.
pub fn sscc(prefix: &str, extension: u8, serial: u64) -> Option<String> {
    if !(6..=12).contains(&prefix.len()) || !prefix.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    if extension > 9 {
        return None;
    }
    let width = 16 - prefix.len();
    let body = format!("{extension}{prefix}{serial:0width$}");
    if body.len() != 17 {
        return None;
    }
    let check = char::from(check_digit(body.as_bytes()));
    Some(format!("{body}{check}"))
}

/// The next SSCC of this station's range, given those it already made.
/// Pure. Err says why there is none.
pub fn next_sscc(
    prefix: &str,
    extension: u8,
    start: u64,
    end: u64,
    used: &[String],
) -> Result<String, String> {
    let probe = sscc(prefix, extension, start).ok_or_else(|| {
        format!("[organisation] gs1_company_prefix {prefix:?} is not 6–12 digits")
    })?;
    let width = 16 - prefix.len();
    let head = &probe[..1 + prefix.len()];
    let last = used
        .iter()
        .filter(|s| s.len() == 18 && s.starts_with(head))
        .filter_map(|s| s[1 + prefix.len()..17].parse::<u64>().ok())
        .filter(|n| (start..=end).contains(n))
        .max();
    let next = last.map_or(start, |n| n + 1);
    if next > end {
        return Err(format!(
            "this station's SSCC range {start}–{end} is used up: give it a new [disposal] sscc_serial_start/end"
        ));
    }
    sscc(prefix, extension, next).ok_or_else(|| {
        format!("serial {next} does not fit the {width} digits the company prefix leaves")
    })
}

/// Today (UTC) as `YYYY-MM-DD`, from the input's time.
fn day(at: SystemTime) -> String {
    crate::timefmt::rfc3339_millis(at)
        .get(..10)
        .unwrap_or_default()
        .to_string()
}

/// Why a vendor's certification is not current, if it is not.
fn certification_problem(v: &vendors::VendorRow, today: &str) -> Option<String> {
    match (&v.certification, &v.cert_expires) {
        (None, _) => Some(format!("{} holds no certification", v.name)),
        (Some(c), Some(e)) if e.as_str() < today => {
            Some(format!("{}'s {c} expired on {e}", v.name))
        }
        _ => None,
    }
}

fn vendor_option(v: &vendors::VendorRow, today: &str) -> String {
    let cert = match (&v.certification, &v.cert_expires) {
        (None, _) => "no certification".to_string(),
        (Some(c), None) => c.clone(),
        (Some(c), Some(e)) if e.as_str() < today => format!("{c} EXPIRED {e}"),
        (Some(c), Some(e)) => format!("{c} until {e}"),
    };
    format!("{} · {cert}", v.name)
}

fn tag_of(conn: &Connection, asset_id: i64) -> Result<String, StoreError> {
    Ok(
        store::identifiers::first_of_kind(conn, asset_id, "asset_tag")?
            .unwrap_or_else(|| format!("#{asset_id}")),
    )
}

fn render(conn: &Connection, station: &str) -> Result<WorkflowView, StoreError> {
    let mut v = WorkflowView {
        title: "Disposal".into(),
        ..WorkflowView::default()
    };
    match batches::open_at_station(conn, station)? {
        Some(b) => {
            let items = batches::items(conn, b.id)?;
            v.lines.push(format!("Pallet {} (open)", b.sscc));
            v.lines
                .push("Next: scan sanitized assets onto it, CMD:CLOSE when full".into());
            v.list_title = format!("On the pallet: {}", items.len());
            for id in items {
                v.list.push(tag_of(conn, id)?);
            }
        }
        None => v.lines.push(
            "Next: CMD:NEWBATCH opens a pallet; scan a closed pallet's SSCC to hand it over".into(),
        ),
    }
    Ok(v)
}

/// The Disposal workflow.
pub struct Disposal {
    rules: MatchRules,
    station: String,
}

impl Disposal {
    pub fn new(settings: &crate::station::StationSettings) -> Disposal {
        Disposal {
            rules: MatchRules::new(&settings.identify),
            station: settings.station_id.clone(),
        }
    }

    fn said(j: &Journal<'_>, d: Decision) -> Result<Decision, StoreError> {
        let view = render(j.conn(), j.station())?;
        Ok(d.panel(Panel::Workflow(view)))
    }

    fn new_batch(
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
        Self::said(
            j,
            Decision::ok(format!(
                "Pallet {sscc} opened: scan sanitized assets onto it"
            )),
        )
    }

    fn close(&mut self, j: &mut Journal<'_>, at: SystemTime) -> Result<Decision, StoreError> {
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
    fn load_asset(
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

    /// A pallet's SSCC was scanned.
    fn pallet(
        &mut self,
        j: &mut Journal<'_>,
        b: batches::BatchRow,
        at: SystemTime,
    ) -> Result<Decision, StoreError> {
        match b.status.as_str() {
            "open" => Self::said(
                j,
                Decision::warn(format!(
                    "Pallet {} is open: CMD:CLOSE it before the hand-over",
                    b.sscc
                )),
            ),
            "closed" => {
                let today = day(at);
                let vs: Vec<vendors::VendorRow> = vendors::list(j.conn())?
                    .into_iter()
                    .filter(|v| v.kind == "disposal")
                    .collect();
                if vs.is_empty() {
                    return Ok(Decision::error(
                        "No disposal vendor in the store: add one (kind disposal) first",
                    ));
                }
                let n = batches::items(j.conn(), b.id)?.len();
                let q = Question {
                    kind: "disposal.vendor".into(),
                    mode: Mode::Disposal.as_str().into(),
                    prompt: format!("Hand pallet {} ({n} assets) to which vendor?", b.sscc),
                    expects: Expect::Pick {
                        options: vs.iter().map(|v| vendor_option(v, &today)).collect(),
                    },
                    sticky: true,
                    data: json!({"batch_id": b.id,
                                 "vendor_ids": vs.iter().map(|v| v.id).collect::<Vec<_>>()}),
                };
                let msg = format!("{} {}", q.prompt, q.expects.hint());
                j.ctx.ask(q);
                Self::said(j, Decision::warn(msg))
            }
            other => Self::said(
                j,
                Decision::ok(format!(
                    "Pallet {} is {other}{}",
                    b.sscc,
                    b.driver
                        .as_ref()
                        .map(|d| format!(" (driver {d})"))
                        .unwrap_or_default()
                )),
            ),
        }
    }

    fn hand_over(
        &mut self,
        j: &mut Journal<'_>,
        env: &Env<'_>,
        batch_id: i64,
        vendor_id: i64,
        driver: &str,
        at: SystemTime,
    ) -> Result<Decision, StoreError> {
        let driver = driver.trim();
        let (Some(b), Some(v)) = (
            batches::get(j.conn(), batch_id)?,
            vendors::get(j.conn(), vendor_id)?,
        ) else {
            return Ok(Decision::warn(
                "The pallet or the vendor is gone: nothing done",
            ));
        };
        if driver.is_empty() || driver.chars().any(char::is_control) {
            return Ok(Decision::warn(format!(
                "{driver:?} is not a driver's name or id: scan the pallet again"
            )));
        }
        let items = batches::items(j.conn(), b.id)?;
        for id in &items {
            let status = store::assets::get(j.conn(), *id)?
                .map(|a| a.status)
                .unwrap_or_default();
            if status != "awaiting_pickup" {
                return Ok(Decision::error(format!(
                    "{} on pallet {} is {status}, not awaiting pickup: nothing handed over",
                    tag_of(j.conn(), *id)?,
                    b.sscc
                )));
            }
        }
        for id in &items {
            if let Err(r) = lifecycle::change_status(
                j,
                env.policy,
                *id,
                "in_transit",
                "disposal: handed over",
                at,
                None,
            )? {
                // Checked above; a rule added later would land here.
                return Ok(Decision::error(format!("Refused: {}", r.message())));
            }
        }
        let now = crate::timefmt::rfc3339_millis(at);
        batches::hand_over(j.conn(), b.id, v.id, driver, &now)?;
        let from = if env.settings.organisation.is_empty() {
            env.settings.station_id.clone()
        } else {
            env.settings.organisation.clone()
        };
        let by = j.operator().map(|o| o.badge.clone());
        batches::add_custody(
            j.conn(),
            &batches::NewCustody {
                batch_id: b.id,
                at: &now,
                event: "handed_over",
                from_party: &from,
                to_party: &v.name,
                vendor_id: Some(v.id),
                driver: Some(driver),
                operator: by.as_deref(),
                note: None,
            },
        )?;
        j.append(
            at,
            "batch.handed_over",
            json!({"batch_id": b.id, "sscc": b.sscc, "vendor_id": v.id, "vendor": v.name,
                   "certification": v.certification, "certification_expires": v.cert_expires,
                   "driver": driver, "from": from, "asset_ids": items}),
        )?;
        Self::said(
            j,
            Decision::ok(format!(
                "Pallet {} ({} assets) handed to {} — driver {driver}: in transit",
                b.sscc,
                items.len(),
                v.name
            )),
        )
    }

    /// The vendor picked: its certification is checked, then the driver asked.
    fn vendor_picked(
        &mut self,
        j: &mut Journal<'_>,
        env: &Env<'_>,
        batch_id: i64,
        vendor_id: i64,
        at: SystemTime,
        overridden: bool,
    ) -> Result<Decision, StoreError> {
        let Some(v) = vendors::get(j.conn(), vendor_id)? else {
            return Ok(Decision::warn("That vendor is gone: scan the pallet again"));
        };
        if !overridden {
            if let (Some(r), Some(problem)) = (
                env.policy.rule("certified_vendor"),
                certification_problem(&v, &day(at)),
            ) {
                if r.overridable {
                    let refusal = Refusal {
                        message: problem,
                        ..r
                    };
                    let data = json!({"batch_id": batch_id, "vendor_id": vendor_id});
                    let what = format!("Handing the pallet to {}", v.name);
                    return Ok(ask_override(
                        j,
                        Mode::Disposal,
                        "disposal.override",
                        &what,
                        &refusal,
                        data,
                    ));
                }
                return Self::said(
                    j,
                    Decision::error(format!(
                        "Refused by rule {}: {problem} — pick another vendor (scan the pallet again)",
                        r.rule
                    )),
                );
            }
        }
        let q = Question {
            kind: "disposal.driver".into(),
            mode: Mode::Disposal.as_str().into(),
            prompt: format!("{}'s driver: name or id?", v.name),
            expects: Expect::Value {
                label: "driver's name or id".into(),
            },
            sticky: true,
            data: json!({"batch_id": batch_id, "vendor_id": vendor_id}),
        };
        let msg = format!("{} {}", q.prompt, q.expects.hint());
        j.ctx.ask(q);
        Self::said(j, Decision::warn(msg))
    }
}

impl Workflow for Disposal {
    fn mode(&self) -> Mode {
        Mode::Disposal
    }

    fn entered(&mut self, j: &mut Journal<'_>, _env: &Env<'_>) -> Result<Decision, StoreError> {
        Self::said(j, Decision::ok("Disposal mode"))
    }

    fn scan(
        &mut self,
        j: &mut Journal<'_>,
        env: &Env<'_>,
        s: &mut ScanIn<'_>,
    ) -> Result<Decision, StoreError> {
        let code = s.value.trim();
        let code = code
            .strip_prefix("00")
            .filter(|c| c.len() == 18 && code.len() == 20)
            .unwrap_or(code)
            .to_string();
        if let Some(b) = batches::by_sscc(j.conn(), &code)? {
            s.set("batch_id", json!(b.id));
            s.journal(j)?;
            return self.pallet(j, b, s.scan.at);
        }
        let identity = Identity {
            kind: s.kind,
            value: s.value.as_str().into(),
        };
        let found = lookup::lookup_scan(j.conn(), &identity, &self.rules)?;
        found.annotate(s.payload_mut());
        s.journal(j)?;
        match found {
            LookupResult::Found(c) => self.load_asset(j, env, c.asset_id, s.scan.at),
            LookupResult::Ambiguous(cs) => Ok(Decision::warn(format!(
                "{} matches {} assets: scan its asset tag",
                s.shown,
                cs.len()
            ))),
            LookupResult::NotFound => Ok(Decision::warn(format!(
                "Unknown code {}: scan a sanitized asset or a pallet's SSCC",
                s.shown
            ))),
        }
    }

    fn command(
        &mut self,
        j: &mut Journal<'_>,
        env: &Env<'_>,
        cmd: &Command,
        at: SystemTime,
    ) -> Result<Option<Decision>, StoreError> {
        match cmd {
            Command::Close => self.close(j, at).map(Some),
            Command::Verb { verb, arg: None } if verb == "NEWBATCH" => {
                self.new_batch(j, env, at).map(Some)
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
        let batch_id = q.data["batch_id"].as_i64().unwrap_or_default();
        match (q.kind.as_str(), a) {
            (_, Answer::Cancel) => Ok(Decision::ok(format!("Cancelled: {}", q.prompt))),
            ("disposal.vendor", Answer::Pick(i, _)) => {
                let vendor_id = q.data["vendor_ids"][i].as_i64().unwrap_or_default();
                self.vendor_picked(j, env, batch_id, vendor_id, at, false)
            }
            ("disposal.override", Answer::Badge(op)) => {
                let vendor_id = q.data["vendor_id"].as_i64().unwrap_or_default();
                j.append(
                    at,
                    "policy.overridden",
                    json!({"rule": q.data["rule"], "batch_id": batch_id,
                           "vendor_id": vendor_id, "by": op.badge}),
                )?;
                self.vendor_picked(j, env, batch_id, vendor_id, at, true)
            }
            ("disposal.driver", Answer::Value(driver)) => {
                let vendor_id = q.data["vendor_id"].as_i64().unwrap_or_default();
                self.hand_over(j, env, batch_id, vendor_id, &driver, at)
            }
            (kind, a) => Ok(Decision::warn(format!(
                "{kind}: answer {a:?} does not fit; nothing done"
            ))),
        }
    }

    fn view(&self, conn: &Connection, _ctx: &Value) -> Result<Option<WorkflowView>, StoreError> {
        render(conn, &self.station).map(Some)
    }

    fn commands(&self) -> &'static [(&'static str, &'static str)] {
        COMMANDS
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ssccs_are_18_digits_with_a_check_digit_and_stay_in_range() {
        // The GS1 General Specifications' example SSCC.
        assert_eq!(
            sscc("0614141", 1, 123_456_789).as_deref(),
            Some("106141411234567897")
        );
        assert_eq!(sscc("12345", 0, 1), None, "a prefix is 6–12 digits");
        assert_eq!(sscc("0614141", 0, 1_000_000_000), None, "9 digits left");
        let used = vec![
            sscc("0614141", 3, 10).unwrap(),
            sscc("0614141", 3, 11).unwrap(),
        ];
        assert_eq!(
            next_sscc("0614141", 3, 10, 12, &used).unwrap(),
            sscc("0614141", 3, 12).unwrap()
        );
        assert!(next_sscc("0614141", 3, 10, 11, &used).is_err());
        assert_eq!(
            next_sscc("0614141", 3, 10, 12, &[]).unwrap(),
            sscc("0614141", 3, 10).unwrap()
        );
    }
}
