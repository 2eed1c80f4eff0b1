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

mod bench;
mod intake;
mod record;

use crate::input::{Command, Mode};
use crate::station::classify::{Identity, IdentityKind};
use crate::station::decision::{Decision, Journal};
use crate::station::lookup::{self, LookupResult, MatchRules};
use crate::station::question::{Answer, Expect, Question};
use crate::station::view::WorkflowView;
use crate::station::workflow::{Env, ScanIn, Workflow};
use crate::store::{self, media, StoreError};
use bench::{bench_of, load, medium_name, next_step, render, save, tag_of, Bench, Draft};
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
            ("wipe.override", Answer::Badge(op), Some(id)) if q.data["to"] == "sanitized" => {
                self.sanitize_overridden(j, env, id, &q, &op.badge, at)
            }
            ("wipe.override", Answer::Badge(op), Some(id)) => {
                let reason = q.data["reason"].as_str().unwrap_or("OTHER").to_string();
                let rule = q.data["rule"].as_str().unwrap_or_default().to_string();
                self.decommission(j, env, id, &reason, at, Some((&rule, &op.badge)))
            }
            ("wipe.destroyed_by", Answer::Value(by), _) => self.destroyed_by(j, env, &by, at),
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

    fn command_values(&self, verb: &str) -> Vec<String> {
        let values: &[&str] = match verb {
            "REASON" => REASONS,
            "MEDIA" => media::MEDIA_TYPES,
            "DEST" => media::DESTINATIONS,
            "METHOD" => METHODS,
            "TECHNIQUE" => TECHNIQUES,
            "VERIFY" => VERIFICATIONS,
            "RESULT" => RESULTS,
            _ => &[],
        };
        values.iter().map(|v| v.to_ascii_uppercase()).collect()
    }
}
