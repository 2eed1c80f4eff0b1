//! The hand-over of a closed pallet: the vendor picked from a list that
//! shows each one's certifications and their expiry (`certified_vendor`
//! refuses one with none current), the driver's name or id, then every asset
//! `in_transit` and a custody link.

use super::{tag_of, Disposal};
use crate::input::Mode;
use crate::station::decision::{Decision, Journal};
use crate::station::lifecycle;
use crate::station::policy::{ask_override, Refusal};
use crate::station::question::{Expect, Question};
use crate::station::workflow::Env;
use crate::store::{self, batches, vendors, StoreError};
use serde_json::json;
use std::time::SystemTime;

/// Today (UTC) as `YYYY-MM-DD`, from the input's time.
fn day(at: SystemTime) -> String {
    crate::timefmt::rfc3339_millis(at)
        .get(..10)
        .unwrap_or_default()
        .to_string()
}

/// Why vendor `v` may not take a pallet on `today` (`YYYY-MM-DD`), if it
/// may not: it holds no certification, or none of them is current. Pure.
pub fn certification_problem(v: &vendors::VendorRow, today: &str) -> Option<String> {
    if v.certified(today) {
        return None;
    }
    let expired: Vec<String> = v
        .certifications
        .iter()
        .map(|c| {
            format!(
                "{} expired on {}",
                c.name,
                c.expires.as_deref().unwrap_or("?")
            )
        })
        .collect();
    Some(match expired.as_slice() {
        [] => format!("{} holds no certification", v.name),
        [one] => format!("{}'s {one}", v.name),
        all => format!(
            "{}'s certifications all expired: {}",
            v.name,
            all.join(", ")
        ),
    })
}

/// A vendor as the pick list shows it: each certification with its expiry
/// (`EXPIRED` when past). Pure.
pub fn vendor_option(v: &vendors::VendorRow, today: &str) -> String {
    if v.certifications.is_empty() {
        return format!("{} · no certification", v.name);
    }
    let certs: Vec<String> = v
        .certifications
        .iter()
        .map(|c| match &c.expires {
            None => format!("{} (no expiry)", c.name),
            Some(e) if !c.is_current(today) => format!("{} EXPIRED {e}", c.name),
            Some(e) => format!("{} until {e}", c.name),
        })
        .collect();
    format!("{} · {}", v.name, certs.join(", "))
}

impl Disposal {
    /// A pallet's SSCC was scanned.
    pub(super) fn pallet(
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
                let options: Vec<String> = vs.iter().map(|v| vendor_option(v, &today)).collect();
                let q = Question {
                    kind: "disposal.vendor".into(),
                    mode: Mode::Disposal.as_str().into(),
                    prompt: format!("Hand pallet {} ({n} assets) to which vendor?", b.sscc),
                    expects: Expect::Pick {
                        options: options.clone(),
                    },
                    sticky: true,
                    data: json!({"batch_id": b.id,
                                 "vendor_ids": vs.iter().map(|v| v.id).collect::<Vec<_>>()}),
                };
                // The list in the message too: `feed` shows no pick list.
                let listed: Vec<String> = options
                    .iter()
                    .enumerate()
                    .map(|(i, o)| format!("{} {o}", i + 1))
                    .collect();
                let msg = format!("{} {}; {}", q.prompt, listed.join("; "), q.expects.hint());
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

    pub(super) fn hand_over(
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
        let today = day(at);
        // The certification the hand-over rests on (none when overridden).
        let current = v.certifications.iter().find(|c| c.is_current(&today));
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
                   "certification": current.map(|c| &c.name),
                   "certification_expires": current.and_then(|c| c.expires.as_ref()),
                   "certifications": v.certifications,
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
    pub(super) fn vendor_picked(
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
