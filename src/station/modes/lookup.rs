//! Lookup mode: scan anything, see what it is.
//!
//! A known code shows its asset's card; a location its card; an unknown code
//! says so and can be enrolled (F7 or `CMD:ENROL`, then CONFIRM — a question
//! that names the code, so a stray key never creates an asset). A disposed,
//! lost or missing asset is a warning, not a green OK. `CMD:STATUS:X` changes
//! the status of the asset on screen, through the lifecycle and the policy: a
//! refusal by an overridable rule asks for a supervisor's badge.
//!
//! RFID: a read of a known asset shows its card (one beep) once; while the
//! tag keeps being read it is journaled quietly until it has been away for
//! [`RFID_REANNOUNCE`]. An unknown EPC is a quiet warning, so a sweep past
//! unlabelled stock does not ring the bell for every tag.
//!
//! Lookup keeps no context of its own: "the asset on screen" and "the unknown
//! code to enrol" are what this station last scanned, read from the journal
//! when a command needs them, so a scan writes nothing but its event.

use crate::input::{Command, Mode};
use crate::station::classify::{Identity, IdentityKind};
use crate::station::decision::{Decision, Journal};
use crate::station::enrol::{enrol, unknown};
use crate::station::lifecycle::{self, Refused};
use crate::station::lookup::{self, LookupResult, MatchRules};
use crate::station::outcome::Panel;
use crate::station::policy::ask_override;
use crate::station::question::{Answer, Expect, Question};
use crate::station::workflow::{Env, RfidIn, ScanIn, Workflow};
use crate::store::{self, StoreError};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::time::{Duration, SystemTime};

/// How long a known tag stays announced after it was last read.
pub const RFID_REANNOUNCE: Duration = Duration::from_secs(10);

/// What was last scanned here: the asset it named, or the unknown code
/// (code, identity) it was when it could be enrolled.
type LastScan = (Option<i64>, Option<(String, String)>);

/// The Lookup workflow. It keeps in memory only which tags it announced.
pub struct Lookup {
    rules: MatchRules,
    announced: HashMap<Vec<u8>, SystemTime>,
}

const COMMANDS: &[(&str, &str)] = &[
    (
        "CMD:ENROL",
        "enrol the unknown code on screen (asks to confirm)",
    ),
    (
        "CMD:STATUS:X",
        "set the status of the asset on screen (IN_STOCK, DEPLOYED, IN_REPAIR, LOST …)",
    ),
];

impl Lookup {
    pub fn new(identify: &crate::config::IdentifyConfig) -> Lookup {
        Lookup {
            rules: MatchRules::new(identify),
            announced: HashMap::new(),
        }
    }

    /// Several assets answer to one code: ask which one is meant.
    fn ask_which(j: &mut Journal<'_>, shown: &str, result: &LookupResult) -> Decision {
        let cs = result.candidates();
        let q = Question {
            kind: "lookup.which".into(),
            mode: Mode::Lookup.as_str().into(),
            prompt: format!("{shown} matches {} assets: which one?", cs.len()),
            expects: Expect::Pick {
                options: cs
                    .iter()
                    .map(|c| format!("{} ({}, {} {})", c.name(), c.status, c.kind, c.value))
                    .collect(),
            },
            sticky: false,
            data: json!({"asset_ids": cs.iter().map(|c| c.asset_id).collect::<Vec<_>>()}),
        };
        let msg = format!("{} {}", q.prompt, q.expects.hint());
        j.ctx.ask(q);
        Decision::warn(msg).panel(Panel::Empty)
    }

    /// What was last scanned at this station: the asset it named, or the
    /// unknown code it was (code, identity) when it could be enrolled. Read
    /// from the journal, so a scan writes no context of its own.
    fn last_scan(j: &Journal<'_>) -> Result<LastScan, StoreError> {
        // Command and badge scans (the CMD:ENROL being handled) are not
        // what is on screen.
        let recent = store::journal::recent_of_kind(j.conn(), j.station(), "scan", 1000, 8)?;
        let Some(ev) = recent.into_iter().find(|ev| {
            !matches!(
                ev.payload["identity"]["type"].as_str(),
                Some("command" | "operator")
            )
        }) else {
            return Ok((None, None));
        };
        let p = &ev.payload;
        if let Some(id) = p.get("asset_id").and_then(Value::as_i64) {
            return Ok((Some(id), None));
        }
        if p.get("refused").is_some() || p.get("truncated").is_some() || p.get("raw_hex").is_some()
        {
            return Ok((None, None));
        }
        let kind = p["identity"]["type"].as_str().unwrap_or_default();
        let value = p["identity"]["value"].as_str().unwrap_or_default();
        // Enrolled since it was scanned: that asset is on screen now.
        if let Some((id, _)) = store::identifiers::matches(j.conn(), value)?.first() {
            return Ok((Some(*id), None));
        }
        let enrollable = !matches!(
            kind,
            "gtin" | "sscc" | "grai" | "location" | "purchase_order" | "command" | "operator"
        ) && crate::station::enrol::enrollable(value.as_bytes(), value, false)
            .is_ok();
        Ok((
            None,
            enrollable.then(|| (value.to_string(), kind.to_string())),
        ))
    }

    /// The asset's one-line summary and whether its status is a warning.
    fn found(j: &Journal<'_>, id: i64) -> Result<Decision, StoreError> {
        let Some(a) = store::assets::summary(j.conn(), id)? else {
            return Ok(Decision::warn(format!("Saved; asset #{id} is gone")));
        };
        let line = lookup::asset_line_of(
            a.tag.as_deref().unwrap_or("?"),
            a.manufacturer.as_deref(),
            a.model.as_deref(),
            &a.status,
            a.location_code.as_deref(),
        );
        Ok(match lookup::status_warning(&a.status) {
            Some(w) => Decision::warn(format!("{line} · {w}")),
            None => Decision::ok(line),
        }
        .card(id))
    }

    fn set_status(
        &mut self,
        j: &mut Journal<'_>,
        env: &Env<'_>,
        asset_id: i64,
        to: &str,
        at: SystemTime,
        overridden: Option<(&str, &str)>,
    ) -> Result<Decision, StoreError> {
        let rule = overridden.map(|(rule, _)| rule);
        match lifecycle::change_status(j, env.policy, asset_id, to, "lookup", at, rule)? {
            Ok(c) => {
                // `by` is the supervisor whose badge answered, not whoever is signed in.
                if let Some((rule, by)) = overridden {
                    j.append(
                        at,
                        "policy.overridden",
                        json!({"rule": rule, "asset_id": asset_id, "to": to, "by": by}),
                    )?;
                }
                let mut d = Self::found(j, asset_id)?;
                d.message = format!("Status {} → {}: {}", c.from, c.to, d.message);
                Ok(d)
            }
            Err(Refused::Policy(r)) if r.overridable => {
                let tag = store::identifiers::first_of_kind(j.conn(), asset_id, "asset_tag")?
                    .unwrap_or_else(|| format!("#{asset_id}"));
                let data = json!({"asset_id": asset_id, "to": to});
                let what = format!("{tag} → {to}");
                Ok(
                    ask_override(j, Mode::Lookup, "lookup.override", &what, &r, data)
                        .asset(asset_id),
                )
            }
            Err(refused) => {
                Ok(Decision::error(format!("Refused: {}", refused.message())).asset(asset_id))
            }
        }
    }
}

impl Workflow for Lookup {
    fn mode(&self) -> Mode {
        Mode::Lookup
    }

    fn entered(&mut self, _j: &mut Journal<'_>, _env: &Env<'_>) -> Result<Decision, StoreError> {
        Ok(Decision::ok("Lookup mode: scan an asset tag, serial or EPC").panel(Panel::Empty))
    }

    fn scan(
        &mut self,
        j: &mut Journal<'_>,
        _env: &Env<'_>,
        s: &mut ScanIn<'_>,
    ) -> Result<Decision, StoreError> {
        match s.kind {
            IdentityKind::Location => {
                let card = lookup::location_card(j.conn(), &s.value)?;
                if let Some(c) = &card {
                    s.set("location", json!(c.code));
                }
                s.journal(j)?;
                Ok(match card {
                    Some(c) => Decision::ok(format!(
                        "{} · {} · {} assets",
                        c.code, c.name, c.asset_count
                    ))
                    .panel(Panel::Location(c)),
                    None => Decision::warn(format!("Unknown location {}", s.shown)).panel(
                        Panel::Unknown {
                            code: s.shown.clone(),
                            identity: s.kind.as_str().into(),
                        },
                    ),
                })
            }
            IdentityKind::PurchaseOrder => {
                s.journal(j)?;
                Ok(Decision::warn(format!(
                    "{} is a purchase order: receive it in Receive mode (F3)",
                    s.shown
                )))
            }
            kind => {
                let identity = Identity {
                    kind,
                    value: s.value.as_str().into(),
                };
                let found = lookup::lookup_scan(j.conn(), &identity, &self.rules)?;
                found.annotate(s.payload_mut());
                s.journal(j)?;
                match &found {
                    LookupResult::Found(c) => Self::found(j, c.asset_id),
                    LookupResult::Ambiguous(_) => Ok(Self::ask_which(j, &s.shown, &found)),
                    LookupResult::NotFound => Ok(unknown(
                        &s.scan.raw,
                        &s.value,
                        s.scan.truncated,
                        kind,
                        s.shown.clone(),
                    )
                    .0),
                }
            }
        }
    }

    fn rfid(
        &mut self,
        j: &mut Journal<'_>,
        _env: &Env<'_>,
        r: &mut RfidIn<'_>,
    ) -> Result<Decision, StoreError> {
        let identity = Identity {
            kind: IdentityKind::Epc,
            value: r.epc.as_str().into(),
        };
        let result = lookup::lookup_scan(j.conn(), &identity, &self.rules)?;
        result.annotate(r.payload_mut());
        let found = result.asset_id();
        let repeat = self
            .announced
            .get(&r.read.epc)
            .is_some_and(|then| fresh(r.read.at, *then));
        r.journal(j)?;
        if let LookupResult::Ambiguous(_) = result {
            let epc = r.epc.clone();
            return Ok(Self::ask_which(j, &epc, &result));
        }
        Ok(match found {
            Some(id) => {
                if self.announced.len() >= 4096 {
                    let now = r.read.at;
                    self.announced.retain(|_, then| fresh(now, *then));
                }
                self.announced.insert(r.read.epc.clone(), r.read.at);
                if repeat {
                    Decision::ok(format!("RFID {}: asset #{id} still here", r.epc))
                        .asset(id)
                        .quiet()
                } else {
                    Self::found(j, id)?
                }
            }
            None => Decision::warn(format!("Unknown EPC {}", r.epc)).quiet(),
        })
    }

    fn command(
        &mut self,
        j: &mut Journal<'_>,
        env: &Env<'_>,
        cmd: &Command,
        at: SystemTime,
    ) -> Result<Option<Decision>, StoreError> {
        match cmd {
            Command::EnrolLast => {
                let Some((code, identity)) = Self::last_scan(j)?.1 else {
                    return Ok(Some(Decision::warn(
                        "Nothing to enrol: scan an unknown code first",
                    )));
                };
                let q = Question {
                    kind: "lookup.enrol".into(),
                    mode: Mode::Lookup.as_str().into(),
                    prompt: format!("Enrol {code} as a new asset (in_stock)?"),
                    expects: Expect::Confirm,
                    sticky: false,
                    data: json!({"code": code, "identity": identity}),
                };
                let msg = format!("{} {}", q.prompt, q.expects.hint());
                j.ctx.ask(q);
                Ok(Some(Decision::warn(msg)))
            }
            Command::Verb { verb, arg } if verb == "STATUS" => {
                let to = arg.as_deref().unwrap_or_default().to_ascii_lowercase();
                if !lifecycle::STATUSES.contains(&to.as_str()) {
                    return Ok(Some(Decision::warn(format!(
                        "CMD:STATUS:{} is not a status: expected one of {}",
                        arg.as_deref().unwrap_or_default(),
                        lifecycle::STATUSES.join(", ").to_uppercase()
                    ))));
                }
                let Some(id) = Self::last_scan(j)?.0 else {
                    return Ok(Some(Decision::warn(
                        "No asset on screen: scan the asset, then its new status",
                    )));
                };
                self.set_status(j, env, id, &to, at, None).map(Some)
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
            ("lookup.enrol", Answer::Confirm) => {
                let code = q.data["code"].as_str().unwrap_or_default();
                let identity = q.data["identity"].as_str().unwrap_or_default();
                enrol(j, at, code, identity)
            }
            ("lookup.which", Answer::Pick(i, _)) => {
                let id = q.data["asset_ids"][i].as_i64().unwrap_or_default();
                Self::found(j, id)
            }
            ("lookup.override", Answer::Badge(by)) => {
                let id = q.data["asset_id"].as_i64().unwrap_or_default();
                let to = q.data["to"].as_str().unwrap_or_default().to_string();
                let rule = q.data["rule"].as_str().unwrap_or_default().to_string();
                self.set_status(j, env, id, &to, at, Some((&rule, &by.badge)))
            }
            (kind, a) => Ok(Decision::warn(format!(
                "{kind}: answer {a:?} does not fit; nothing done"
            ))),
        }
    }

    fn commands(&self) -> &'static [(&'static str, &'static str)] {
        COMMANDS
    }

    fn command_values(&self, verb: &str) -> Vec<String> {
        match verb {
            "STATUS" => upper(lifecycle::STATUSES),
            _ => Vec::new(),
        }
    }
}

/// A value list as its command barcodes spell it.
fn upper(values: &[&str]) -> Vec<String> {
    values.iter().map(|v| v.to_ascii_uppercase()).collect()
}

/// Whether a tag announced at `then` is still announced at `now`.
fn fresh(now: SystemTime, then: SystemTime) -> bool {
    now.duration_since(then)
        .is_ok_and(|age| age < RFID_REANNOUNCE)
}
