//! A manual NIST SP 800-88 record built from command barcodes (method,
//! technique, verification, result), the destruction vendor or device for
//! Destroy, the validator's badge where policy asks, and `CMD:CONFIRM`.

use super::bench::{load, medium_name, save, tag_of, Draft};
use super::{Wipe, METHODS, RESULTS, TECHNIQUES, VERIFICATIONS};
use crate::input::Mode;
use crate::station::decision::{Decision, Journal};
use crate::station::question::{Expect, Question};
use crate::station::workflow::Env;
use crate::store::{self, media, sanitizations, StoreError};
use serde_json::json;
use std::time::SystemTime;

impl Wipe {
    /// Records the draft for medium `medium_id`.
    pub(super) fn record(
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
                tool: draft.tool.clone(),
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
                   "technique": draft.technique, "tool": draft.tool, "verification": verification,
                   "result": result, "operator": operator, "validator": validator,
                   "started": draft.started, "ended": now}),
        )?;
        b.draft = Draft::default();
        save(j, &b);
        let msg = format!(
            "Recorded {} {} for {}{}{}",
            draft.method.as_deref().unwrap_or("?"),
            result.to_ascii_uppercase(),
            medium_name(&m),
            draft
                .tool
                .as_ref()
                .map(|t| format!(", destroyed by {t}"))
                .unwrap_or_default(),
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
        self.finish_said(j, env, &mut b, at, d)
    }

    /// `CMD:CONFIRM`: records the draft for the current medium (asking who
    /// destroyed it, and a validator, where needed), or, with no draft and
    /// every medium passed, takes the asset to `sanitized`.
    pub(super) fn confirm(
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
                let tag = tag_of(j.conn(), asset_id)?;
                let d = Decision::ok(format!("{tag}: every medium passed"));
                return self.finish_said(j, env, &mut b, at, d);
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
        let destroy = b.draft.method.as_deref() == Some("destroy");
        if destroy && b.draft.tool.is_none() {
            let q = Question {
                kind: "wipe.destroyed_by".into(),
                mode: Mode::Wipe.as_str().into(),
                prompt: "Destroyed by: the destruction vendor or device (name, model or id)?"
                    .into(),
                expects: Expect::Value {
                    label: "destruction vendor or device".into(),
                },
                sticky: true,
                data: json!({"asset_id": asset_id, "medium_id": medium_id}),
            };
            let msg = format!("{} {}", q.prompt, q.expects.hint());
            j.ctx.ask(q);
            return Self::said(j, env, &b, Decision::warn(msg));
        }
        let rule = env.policy.rule("validator_required").or_else(|| {
            destroy
                .then(|| env.policy.rule("destroy_needs_validator"))
                .flatten()
        });
        if let Some(r) = rule {
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
    pub(super) fn set_field(
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

    /// The answer to "destroyed by": kept in the record being built, then
    /// `CMD:CONFIRM` goes on (the validator next, where policy asks).
    pub(super) fn destroyed_by(
        &mut self,
        j: &mut Journal<'_>,
        env: &Env<'_>,
        by: &str,
        at: SystemTime,
    ) -> Result<Decision, StoreError> {
        let by = by.trim();
        let mut b = load(j);
        if by.is_empty() || by.chars().any(char::is_control) {
            return Self::said(
                j,
                env,
                &b,
                Decision::warn(format!(
                    "{by:?} names no vendor or device: CMD:CONFIRM again"
                )),
            );
        }
        b.draft.tool = Some(by.to_string());
        save(j, &b);
        self.confirm(j, env, at)
    }
}
