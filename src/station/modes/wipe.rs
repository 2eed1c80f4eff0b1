//! Wipe mode: the decommissioning bench.
//!
//! A technician scans an asset: with a reason (a pick list, or
//! `CMD:REASON:…`) it goes to `decommissioning`. Its media are added with
//! `CMD:MEDIA:TYPE` and the serial (a question, so any serial is taken as
//! typed or scanned, whatever it looks like); a drive an nwipe import brought
//! that no asset claims is attached by the same gesture. A manual NIST SP
//! 800-88 record is built from command barcodes (`CMD:METHOD`, `TECHNIQUE`,
//! `VERIFY`, `RESULT`) and recorded by `CMD:CONFIRM` for the medium last
//! scanned; when the policy asks (`validator_required`), a second person's
//! badge validates it — never the technician's own. When every medium has a
//! passed record (or the asset holds no media), the asset becomes
//! `sanitized` through the lifecycle, whose `media_sanitized` rule has the
//! last word.
//!
//! The bench (asset, reason, current medium, the record being built) is kept
//! in the station's context, so a restart resumes it.

use super::wipe_bench::{
    bench_of, load, medium_name, next_step, render, save, tag_of, Bench, Draft,
};
use crate::input::{Command, Mode};
use crate::station::classify::{Identity, IdentityKind};
use crate::station::decision::{Decision, Journal};
use crate::station::lifecycle::{self, Refused};
use crate::station::lookup::{self, LookupResult, MatchRules};
use crate::station::policy::ask_override;
use crate::station::question::{Answer, Expect, Question};
use crate::station::view::WorkflowView;
use crate::station::workflow::{Env, ScanIn, Workflow};
use crate::store::{self, media, sanitizations, StoreError};
use rusqlite::Connection;
use serde_json::{json, Value};
use std::time::SystemTime;

/// Why an asset leaves service (`CMD:REASON:…`, the pick list's order).
pub const REASONS: &[&str] = &["EOL", "FAILED", "LEASE_RETURN", "UPGRADE", "OTHER"];
const METHODS: &[&str] = &["CLEAR", "PURGE", "DESTROY"];
const TECHNIQUES: &[&str] = &[
    "OVERWRITE",
    "BLOCK_ERASE",
    "CRYPTO_ERASE",
    "SANITIZE",
    "DEGAUSS",
    "SHRED",
    "DISINTEGRATE",
    "OTHER",
];
const VERIFICATIONS: &[&str] = &["FULL", "SAMPLE", "NONE"];
const RESULTS: &[&str] = &["PASSED", "FAILED"];

const COMMANDS: &[(&str, &str)] = &[
    (
        "CMD:REASON:X",
        "why the asset on the bench leaves service: EOL, FAILED, LEASE_RETURN, UPGRADE, OTHER",
    ),
    (
        "CMD:MEDIA:X",
        "add a medium (HDD, SSD, NVME, USB, SD, PHONE, TAPE, OTHER), then scan or type its serial",
    ),
    (
        "CMD:DEST:X",
        "where the asset's media go: INTERNAL_REUSE, EXTERNAL_REUSE, RECYCLE, MANUFACTURER, OTHER",
    ),
    (
        "CMD:METHOD:X",
        "the record's NIST method: CLEAR, PURGE, DESTROY",
    ),
    (
        "CMD:TECHNIQUE:X",
        "OVERWRITE, BLOCK_ERASE, CRYPTO_ERASE, SANITIZE, DEGAUSS, SHRED, DISINTEGRATE, OTHER",
    ),
    ("CMD:VERIFY:X", "how it was verified: FULL, SAMPLE, NONE"),
    ("CMD:RESULT:X", "PASSED or FAILED"),
    (
        "CMD:CONFIRM",
        "record the sanitization of the medium last scanned",
    ),
    ("CMD:CLOSE", "take the asset off the bench"),
];

/// The Wipe workflow.
pub struct Wipe {
    rules: MatchRules,
    /// `[wipe] media_categories`, for the view read outside a transaction.
    categories: Vec<String>,
}

impl Wipe {
    pub fn new(settings: &crate::station::StationSettings) -> Wipe {
        Wipe {
            rules: MatchRules::new(&settings.identify),
            categories: settings.media_categories.clone(),
        }
    }
}

impl Wipe {
    /// A decision with the bench's panel and what is next.
    fn said(
        j: &Journal<'_>,
        env: &Env<'_>,
        b: &Bench,
        mut d: Decision,
    ) -> Result<Decision, StoreError> {
        let view = render(j.conn(), b, &env.settings.media_categories)?;
        let next = next_step(j.conn(), b, &env.settings.media_categories)?;
        if !d.message.is_empty() {
            d.message = format!("{} · next: {next}", d.message);
        }
        if let Some(id) = b.asset_id {
            d = d.asset(id);
        }
        Ok(d.panel(crate::station::outcome::Panel::Workflow(view)))
    }

    /// Puts an asset on the bench (the previous one leaves it).
    fn put_on_bench(
        &mut self,
        j: &mut Journal<'_>,
        env: &Env<'_>,
        asset_id: i64,
        at: SystemTime,
    ) -> Result<Decision, StoreError> {
        let Some(a) = store::assets::get(j.conn(), asset_id)? else {
            return Ok(Decision::warn(format!("Asset #{asset_id} is gone")));
        };
        let tag = a.tag.clone().unwrap_or_else(|| format!("#{asset_id}"));
        let mut b = Bench {
            asset_id: Some(asset_id),
            ..Bench::default()
        };
        match a.status.as_str() {
            "in_stock" | "deployed" | "in_repair" => {
                save(j, &b);
                let q = Question {
                    kind: "wipe.reason".into(),
                    mode: Mode::Wipe.as_str().into(),
                    prompt: format!("{tag} ({}) leaves service: why?", a.status),
                    expects: Expect::Pick {
                        options: REASONS.iter().map(|r| r.to_string()).collect(),
                    },
                    sticky: false,
                    data: json!({"asset_id": asset_id}),
                };
                let msg = format!("{} {}", q.prompt, q.expects.hint());
                j.ctx.ask(q);
                Self::said(j, env, &b, Decision::warn(msg))
            }
            "decommissioning" => {
                save(j, &b);
                let done = self.try_finish(j, env, &mut b, at)?;
                let msg = format!("{tag} is on the bench (decommissioning){done}");
                Self::said(j, env, &b, Decision::ok(msg))
            }
            "sanitized" | "awaiting_pickup" | "in_transit" | "disposed" => {
                save(j, &b);
                let msg = format!("{tag} is already {}", a.status);
                Self::said(j, env, &b, Decision::warn(msg))
            }
            other => {
                b.asset_id = None;
                save(j, &b);
                Ok(Decision::error(format!(
                    "Refused: rule lifecycle: {tag} is {other} and cannot be decommissioned"
                ))
                .asset(asset_id))
            }
        }
    }

    /// `→ decommissioning` with `reason`; an overridable policy refusal asks
    /// a supervisor.
    fn decommission(
        &mut self,
        j: &mut Journal<'_>,
        env: &Env<'_>,
        asset_id: i64,
        reason: &str,
        at: SystemTime,
        overridden: Option<&str>,
    ) -> Result<Decision, StoreError> {
        let tag = tag_of(j.conn(), asset_id)?;
        let why = format!("wipe: {}", reason.to_ascii_lowercase());
        match lifecycle::change_status(
            j,
            env.policy,
            asset_id,
            "decommissioning",
            &why,
            at,
            overridden,
        )? {
            Ok(c) => {
                if let Some(rule) = overridden {
                    j.append(
                        at,
                        "policy.overridden",
                        json!({"rule": rule, "asset_id": asset_id, "to": "decommissioning",
                               "by": j.operator().map(|o| o.badge.clone())}),
                    )?;
                }
                let mut b = Bench {
                    asset_id: Some(asset_id),
                    reason: Some(reason.to_string()),
                    ..Bench::default()
                };
                save(j, &b);
                let done = self.try_finish(j, env, &mut b, at)?;
                let msg = format!("{tag}: {} → {} ({reason}){done}", c.from, c.to);
                Self::said(j, env, &b, Decision::ok(msg))
            }
            Err(Refused::Policy(r)) if r.overridable => {
                let data = json!({"asset_id": asset_id, "reason": reason});
                let what = format!("{tag} → decommissioning");
                Ok(ask_override(j, Mode::Wipe, "wipe.override", &what, &r, data).asset(asset_id))
            }
            Err(refused) => Ok(
                Decision::error(format!("{tag}: refused: {}", refused.message())).asset(asset_id),
            ),
        }
    }

    /// Moves the bench's asset to `sanitized` when it is done; says so (a
    /// suffix for the message, empty when not done yet).
    fn try_finish(
        &mut self,
        j: &mut Journal<'_>,
        env: &Env<'_>,
        b: &mut Bench,
        at: SystemTime,
    ) -> Result<String, StoreError> {
        let Some(id) = b.asset_id else {
            return Ok(String::new());
        };
        let Some(a) = store::assets::get(j.conn(), id)? else {
            return Ok(String::new());
        };
        if a.status != "decommissioning" {
            return Ok(String::new());
        }
        let (m, p) = store::lifecycle::media_counts(j.conn(), id)?;
        let holds = store::lifecycle::holds_media(j.conn(), id, &env.settings.media_categories)?;
        let done = if m > 0 { p == m } else { !holds };
        if !done {
            return Ok(String::new());
        }
        Ok(
            match lifecycle::change_status(j, env.policy, id, "sanitized", "wipe", at, None)? {
                Ok(_) => {
                    b.medium_id = None;
                    b.draft = Draft::default();
                    save(j, b);
                    " · SANITIZED".into()
                }
                Err(r) => format!(" · not sanitized: {}", r.message()),
            },
        )
    }

    /// The value answering `CMD:MEDIA:TYPE`: a serial for the bench's asset.
    fn add_medium(
        &mut self,
        j: &mut Journal<'_>,
        env: &Env<'_>,
        asset_id: i64,
        media_type: &str,
        serial: &str,
        at: SystemTime,
    ) -> Result<Decision, StoreError> {
        let mut b = load(j);
        let serial = serial.trim();
        if serial.is_empty() || serial.chars().any(char::is_control) {
            return Ok(Decision::warn(format!(
                "{serial:?} is not a serial: CMD:MEDIA:{} again, then the serial",
                media_type.to_ascii_uppercase()
            )));
        }
        let tag = tag_of(j.conn(), asset_id)?;
        let (mid, msg) = match media::by_serial(j.conn(), serial)? {
            Some(m) if m.asset_id == Some(asset_id) => (
                m.id,
                format!("{} is already a medium of {tag}", medium_name(&m)),
            ),
            Some(m) if m.asset_id.is_none() => {
                media::attach(j.conn(), m.id, asset_id)?;
                if let Some(d) = &b.destination {
                    media::set_destination(j.conn(), m.id, d)?;
                }
                // The log did not say what it is (`other`): the technician does.
                let media_type = if m.media_type == "other" {
                    media::set_type(j.conn(), m.id, media_type)?;
                    media_type.to_string()
                } else {
                    m.media_type.clone()
                };
                j.append(
                    at,
                    "medium.attached",
                    json!({"medium_id": m.id, "asset_id": asset_id, "serial": m.serial,
                           "media_type": media_type}),
                )?;
                let n = sanitizations::count_for_medium(j.conn(), m.id)?.0;
                (
                    m.id,
                    format!(
                        "{} attached to {tag} ({n} imported record{})",
                        medium_name(&m),
                        if n == 1 { "" } else { "s" }
                    ),
                )
            }
            Some(m) => {
                let other = m
                    .asset_id
                    .map(|a| tag_of(j.conn(), a))
                    .transpose()?
                    .unwrap_or_default();
                return Ok(Decision::error(format!(
                    "{} belongs to {other}: a person detaches it, not the bench",
                    medium_name(&m)
                ))
                .asset(asset_id));
            }
            None => {
                let id = media::create(
                    j.conn(),
                    &media::NewMedium {
                        asset_id: Some(asset_id),
                        serial: Some(serial.to_string()),
                        media_type: media_type.to_string(),
                        make: None,
                        model: None,
                        destination: b.destination.clone(),
                        created_at: crate::timefmt::rfc3339_millis(at),
                    },
                )?;
                j.append(
                    at,
                    "medium.added",
                    json!({"medium_id": id, "asset_id": asset_id, "serial": serial,
                           "media_type": media_type, "source": "manual"}),
                )?;
                (id, format!("{serial} ({media_type}) added to {tag}"))
            }
        };
        b.medium_id = Some(mid);
        save(j, &b);
        // Not finished here even when every medium recorded has passed (an
        // attached drive brings its imported record): another drive may be
        // still to add. CONFIRM with no record being built finishes.
        Self::said(j, env, &b, Decision::ok(msg))
    }

    /// Records the draft for medium `medium_id`.
    fn record(
        &mut self,
        j: &mut Journal<'_>,
        env: &Env<'_>,
        medium_id: i64,
        draft: &Draft,
        validator: Option<String>,
        at: SystemTime,
    ) -> Result<Decision, StoreError> {
        let mut b = load(j);
        let Some(m) = media::get(j.conn(), medium_id)? else {
            return Ok(Decision::warn(format!("Medium #{medium_id} is gone")));
        };
        let now = crate::timefmt::rfc3339_millis(at);
        let operator = j.operator().map(|o| o.badge.clone());
        let verification = draft.verification.clone().unwrap_or_else(|| "none".into());
        let result = draft.result.clone().unwrap_or_default();
        let id = sanitizations::create(
            j.conn(),
            &sanitizations::NewSanitization {
                medium_id,
                kind: "sanitization".into(),
                method: draft.method.clone(),
                technique: draft.technique.clone(),
                tool: None,
                tool_method: None,
                tool_method_label: None,
                verification: verification.clone(),
                result: result.clone(),
                tool_status: None,
                started: draft.started.clone(),
                ended: Some(now.clone()),
                operator: operator.clone(),
                validator: validator.clone(),
                source: "manual".into(),
                document_id: None,
                run_key: None,
                detail: json!({"station": j.station()}),
                recorded_at: now.clone(),
            },
        )?;
        j.append(
            at,
            "sanitization.recorded",
            json!({"sanitization_id": id, "medium_id": medium_id, "asset_id": m.asset_id,
                   "source": "manual", "serial": m.serial, "method": draft.method,
                   "technique": draft.technique, "verification": verification,
                   "result": result, "operator": operator, "validator": validator,
                   "started": draft.started, "ended": now}),
        )?;
        b.draft = Draft::default();
        save(j, &b);
        let done = self.try_finish(j, env, &mut b, at)?;
        let msg = format!(
            "Recorded {} {} for {}{}{done}",
            draft.method.as_deref().unwrap_or("?"),
            result.to_ascii_uppercase(),
            medium_name(&m),
            validator
                .map(|v| format!(", validated by {v}"))
                .unwrap_or_default()
        );
        let d = if result == "passed" {
            Decision::ok(msg)
        } else {
            Decision::warn(format!(
                "{msg}: a failed record blocks sanitized until a passed one follows"
            ))
        };
        Self::said(j, env, &b, d)
    }

    fn confirm(
        &mut self,
        j: &mut Journal<'_>,
        env: &Env<'_>,
        at: SystemTime,
    ) -> Result<Decision, StoreError> {
        let b = load(j);
        let Some(asset_id) = b.asset_id else {
            return Ok(Decision::warn("Nothing to confirm: scan an asset first"));
        };
        let status = store::assets::get(j.conn(), asset_id)?
            .map(|a| a.status)
            .unwrap_or_default();
        if status != "decommissioning" {
            return Self::said(
                j,
                env,
                &b,
                Decision::warn(format!("Nothing to record: the asset is {status}")),
            );
        }
        if b.draft.is_empty() {
            let (m, p) = store::lifecycle::media_counts(j.conn(), asset_id)?;
            if m > 0 && p == m {
                let mut b = b;
                let done = self.try_finish(j, env, &mut b, at)?;
                let tag = tag_of(j.conn(), asset_id)?;
                let d = if done.contains("SANITIZED") {
                    Decision::ok(format!("{tag}: every medium passed{done}"))
                } else {
                    Decision::error(format!("{tag}{done}"))
                };
                return Self::said(j, env, &b, d);
            }
        }
        let Some(medium_id) = b.medium_id else {
            return Self::said(
                j,
                env,
                &b,
                Decision::warn("Cannot record: no medium scanned (CMD:MEDIA:TYPE then its serial, or scan a medium's serial)"),
            );
        };
        let missing = b.draft.missing();
        if !missing.is_empty() {
            return Self::said(
                j,
                env,
                &b,
                Decision::warn(format!(
                    "Cannot record yet: missing {}",
                    missing.join(" and ")
                )),
            );
        }
        if let Some(r) = env.policy.rule("validator_required") {
            let me: Vec<String> = j.operator().map(|o| o.badge.clone()).into_iter().collect();
            let name = media::get(j.conn(), medium_id)?
                .map(|m| medium_name(&m))
                .unwrap_or_default();
            let q = Question {
                kind: "wipe.validator".into(),
                mode: Mode::Wipe.as_str().into(),
                prompt: format!(
                    "Rule {}: a second person validates {} of {name} with their badge",
                    r.rule,
                    b.draft.summary()
                ),
                expects: Expect::Badge {
                    role: None,
                    not: me,
                },
                sticky: true,
                data: json!({"medium_id": medium_id, "draft": b.draft}),
            };
            let msg = format!("{} — {}", q.prompt, q.expects.hint());
            j.ctx.ask(q);
            return Self::said(j, env, &b, Decision::warn(msg));
        }
        let draft = b.draft.clone();
        self.record(j, env, medium_id, &draft, None, at)
    }

    /// `CMD:METHOD` … `CMD:RESULT`: one field of the record.
    fn set_field(
        &mut self,
        j: &mut Journal<'_>,
        env: &Env<'_>,
        verb: &str,
        arg: Option<&str>,
        at: SystemTime,
    ) -> Result<Decision, StoreError> {
        let allowed = match verb {
            "METHOD" => METHODS,
            "TECHNIQUE" => TECHNIQUES,
            "VERIFY" => VERIFICATIONS,
            _ => RESULTS,
        };
        let arg = arg.unwrap_or_default();
        if !allowed.contains(&arg) {
            return Ok(Decision::warn(format!(
                "CMD:{verb}:{arg} is not one of {}",
                allowed.join(", ")
            )));
        }
        let mut b = load(j);
        if b.asset_id.is_none() {
            return Ok(Decision::warn("Scan an asset first"));
        }
        let v = Some(arg.to_ascii_lowercase());
        match verb {
            "METHOD" => b.draft.method = v,
            "TECHNIQUE" => b.draft.technique = v,
            "VERIFY" => b.draft.verification = v,
            _ => b.draft.result = v,
        }
        if b.draft.started.is_none() {
            b.draft.started = Some(crate::timefmt::rfc3339_millis(at));
        }
        save(j, &b);
        let msg = format!("Record: {}", b.draft.summary());
        Self::said(j, env, &b, Decision::ok(msg))
    }

    fn set_destination(
        &mut self,
        j: &mut Journal<'_>,
        env: &Env<'_>,
        arg: Option<&str>,
        at: SystemTime,
    ) -> Result<Decision, StoreError> {
        let dest = arg.unwrap_or_default().to_ascii_lowercase();
        if !media::DESTINATIONS.contains(&dest.as_str()) {
            return Ok(Decision::warn(format!(
                "CMD:DEST:{} is not one of {}",
                arg.unwrap_or_default(),
                media::DESTINATIONS.join(", ").to_uppercase()
            )));
        }
        let mut b = load(j);
        let Some(asset_id) = b.asset_id else {
            return Ok(Decision::warn("Scan an asset first"));
        };
        let ids: Vec<i64> = media::for_asset(j.conn(), asset_id)?
            .iter()
            .map(|m| m.id)
            .collect();
        for id in &ids {
            media::set_destination(j.conn(), *id, &dest)?;
        }
        j.append(
            at,
            "media.destination_set",
            json!({"asset_id": asset_id, "destination": dest, "medium_ids": ids}),
        )?;
        b.destination = Some(dest.clone());
        save(j, &b);
        Self::said(j, env, &b, Decision::ok(format!("Destination: {dest}")))
    }
}

impl Workflow for Wipe {
    fn mode(&self) -> Mode {
        Mode::Wipe
    }

    fn entered(&mut self, j: &mut Journal<'_>, env: &Env<'_>) -> Result<Decision, StoreError> {
        let b = load(j);
        Self::said(j, env, &b, Decision::ok("Wipe mode"))
    }

    fn scan(
        &mut self,
        j: &mut Journal<'_>,
        env: &Env<'_>,
        s: &mut ScanIn<'_>,
    ) -> Result<Decision, StoreError> {
        let mut b = load(j);
        // A medium of the asset on the bench becomes the current medium.
        if let Some(asset_id) = b.asset_id {
            if let Some(m) = media::by_serial(j.conn(), &s.value)? {
                if m.asset_id == Some(asset_id) {
                    s.set("asset_id", json!(asset_id));
                    s.set("medium_id", json!(m.id));
                    s.journal(j)?;
                    b.medium_id = Some(m.id);
                    save(j, &b);
                    let msg = format!("Medium {}", medium_name(&m));
                    return Self::said(j, env, &b, Decision::ok(msg));
                }
            }
        }
        if matches!(s.kind, IdentityKind::Location | IdentityKind::PurchaseOrder) {
            s.journal(j)?;
            return Ok(Decision::warn(format!(
                "{} is not an asset: scan the asset to decommission",
                s.shown
            )));
        }
        let identity = Identity {
            kind: s.kind,
            value: s.value.as_str().into(),
        };
        let found = lookup::lookup_scan(j.conn(), &identity, &self.rules)?;
        found.annotate(s.payload_mut());
        s.journal(j)?;
        match found {
            LookupResult::Found(c) => self.put_on_bench(j, env, c.asset_id, s.scan.at),
            LookupResult::Ambiguous(cs) => Ok(Decision::warn(format!(
                "{} matches {} assets: scan its asset tag",
                s.shown,
                cs.len()
            ))),
            LookupResult::NotFound => {
                if let Some(m) = media::by_serial(j.conn(), &s.value)? {
                    let whose = match m.asset_id {
                        Some(a) => format!("a medium of {}", tag_of(j.conn(), a)?),
                        None => "a medium no asset claims yet".into(),
                    };
                    return Ok(Decision::warn(format!(
                        "{} is {whose}: scan its asset, then CMD:MEDIA:TYPE and this serial to attach it",
                        s.shown
                    )));
                }
                Ok(Decision::warn(format!(
                    "Unknown code {}: scan an asset, or CMD:MEDIA:TYPE then a medium's serial",
                    s.shown
                )))
            }
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
            Command::Confirm => self.confirm(j, env, at).map(Some),
            Command::Close => {
                let b = load(j);
                let Some(id) = b.asset_id else {
                    return Ok(Some(Decision::warn("The bench is empty")));
                };
                let tag = tag_of(j.conn(), id)?;
                save(j, &Bench::default());
                Ok(Some(Decision::ok(format!("{tag} taken off the bench"))))
            }
            Command::Verb { verb, arg } => match verb.as_str() {
                "REASON" => {
                    let reason = arg.as_deref().unwrap_or_default();
                    if !REASONS.contains(&reason) {
                        return Ok(Some(Decision::warn(format!(
                            "CMD:REASON:{reason} is not one of {}",
                            REASONS.join(", ")
                        ))));
                    }
                    let Some(id) = load(j).asset_id else {
                        return Ok(Some(Decision::warn(
                            "Scan the asset first, then its reason",
                        )));
                    };
                    if j.ctx
                        .question
                        .as_ref()
                        .is_some_and(|q| q.kind == "wipe.reason")
                    {
                        j.ctx.clear_question();
                    }
                    let status = store::assets::get(j.conn(), id)?
                        .map(|a| a.status)
                        .unwrap_or_default();
                    if !matches!(status.as_str(), "in_stock" | "deployed" | "in_repair") {
                        let b = load(j);
                        let tag = tag_of(j.conn(), id)?;
                        return Self::said(
                            j,
                            env,
                            &b,
                            Decision::warn(format!(
                                "{tag} is already {status}: its reason was recorded then"
                            )),
                        )
                        .map(Some);
                    }
                    self.decommission(j, env, id, reason, at, None).map(Some)
                }
                "MEDIA" => {
                    let t = arg.as_deref().unwrap_or_default().to_ascii_lowercase();
                    if !media::MEDIA_TYPES.contains(&t.as_str()) {
                        return Ok(Some(Decision::warn(format!(
                            "CMD:MEDIA:{} is not one of {}",
                            arg.as_deref().unwrap_or_default(),
                            media::MEDIA_TYPES.join(", ").to_uppercase()
                        ))));
                    }
                    let b = load(j);
                    let Some(id) = b.asset_id else {
                        return Ok(Some(Decision::warn("Scan the asset first, then its media")));
                    };
                    let status = store::assets::get(j.conn(), id)?
                        .map(|a| a.status)
                        .unwrap_or_default();
                    if status != "decommissioning" {
                        return Ok(Some(Decision::warn(format!(
                            "Media are added while the asset is decommissioning; it is {status}"
                        ))));
                    }
                    let tag = tag_of(j.conn(), id)?;
                    let q = Question {
                        kind: "wipe.medium".into(),
                        mode: Mode::Wipe.as_str().into(),
                        prompt: format!("{} of {tag}: its serial?", t.to_ascii_uppercase()),
                        expects: Expect::Value {
                            label: format!("{} serial", t.to_ascii_uppercase()),
                        },
                        sticky: false,
                        data: json!({"asset_id": id, "media_type": t}),
                    };
                    let msg = format!("{} {}", q.prompt, q.expects.hint());
                    j.ctx.ask(q);
                    Self::said(j, env, &b, Decision::warn(msg)).map(Some)
                }
                "DEST" => self.set_destination(j, env, arg.as_deref(), at).map(Some),
                "METHOD" | "TECHNIQUE" | "VERIFY" | "RESULT" => {
                    self.set_field(j, env, verb, arg.as_deref(), at).map(Some)
                }
                _ => Ok(None),
            },
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
        let asset_id = q.data["asset_id"].as_i64();
        match (q.kind.as_str(), a, asset_id) {
            (_, Answer::Cancel, _) => Ok(Decision::ok(format!("Cancelled: {}", q.prompt))),
            ("wipe.reason", Answer::Pick(i, _), Some(id)) => {
                let reason = REASONS.get(i).copied().unwrap_or("OTHER");
                self.decommission(j, env, id, reason, at, None)
            }
            ("wipe.override", Answer::Badge(_), Some(id)) => {
                let reason = q.data["reason"].as_str().unwrap_or("OTHER").to_string();
                let rule = q.data["rule"].as_str().unwrap_or_default().to_string();
                self.decommission(j, env, id, &reason, at, Some(&rule))
            }
            ("wipe.medium", Answer::Value(serial), Some(id)) => {
                let t = q.data["media_type"].as_str().unwrap_or("other").to_string();
                self.add_medium(j, env, id, &t, &serial, at)
            }
            ("wipe.validator", Answer::Badge(op), _) => {
                let medium_id = q.data["medium_id"].as_i64().unwrap_or_default();
                let draft: Draft =
                    serde_json::from_value(q.data["draft"].clone()).unwrap_or_default();
                if !draft.missing().is_empty() {
                    return Ok(Decision::warn("The record is incomplete: nothing recorded"));
                }
                self.record(j, env, medium_id, &draft, Some(op.badge), at)
            }
            (kind, a, _) => Ok(Decision::warn(format!(
                "{kind}: answer {a:?} does not fit; nothing done"
            ))),
        }
    }

    fn view(&self, conn: &Connection, ctx: &Value) -> Result<Option<WorkflowView>, StoreError> {
        render(conn, &bench_of(ctx), &self.categories).map(Some)
    }

    fn commands(&self) -> &'static [(&'static str, &'static str)] {
        COMMANDS
    }
}
