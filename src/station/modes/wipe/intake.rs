//! The asset and its media at the bench: put on the bench, decommissioned
//! with a reason, media added or attached, destination set, and the step to
//! `sanitized` when every medium has passed (a rule's refusal asks a
//! supervisor where it may be overridden).

use super::bench::{load, medium_name, save, tag_of, Bench, Draft};
use super::{Wipe, REASONS};
use crate::input::Mode;
use crate::station::decision::{Decision, Journal};
use crate::station::lifecycle::{self, Refused};
use crate::station::policy::ask_override;
use crate::station::question::{Expect, Question};
use crate::station::workflow::Env;
use crate::store::{self, media, sanitizations, StoreError};
use serde_json::{json, Value};
use std::time::SystemTime;

/// What the step to `sanitized` did.
pub(super) enum Finish {
    /// Not every medium has passed (or it is not decommissioning).
    NotYet,
    Sanitized,
    Refused(Refused),
}

impl Wipe {
    pub(super) fn put_on_bench(
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
                let msg = format!("{tag} is on the bench (decommissioning)");
                self.finish_said(j, env, &mut b, at, Decision::ok(msg))
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
    pub(super) fn decommission(
        &mut self,
        j: &mut Journal<'_>,
        env: &Env<'_>,
        asset_id: i64,
        reason: &str,
        at: SystemTime,
        overridden: Option<(&str, &str)>,
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
            overridden.map(|(rule, _)| rule),
        )? {
            Ok(c) => {
                if let Some((rule, by)) = overridden {
                    j.append(
                        at,
                        "policy.overridden",
                        json!({"rule": rule, "asset_id": asset_id, "to": "decommissioning",
                               "by": by}),
                    )?;
                }
                let mut b = Bench {
                    asset_id: Some(asset_id),
                    reason: Some(reason.to_string()),
                    ..Bench::default()
                };
                save(j, &b);
                let msg = format!("{tag}: {} → {} ({reason})", c.from, c.to);
                self.finish_said(j, env, &mut b, at, Decision::ok(msg))
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

    /// Moves the bench's asset to `sanitized` when it is done: every medium
    /// recorded has passed, or it holds no media. `overridden` are the rules
    /// a supervisor overrode.
    pub(super) fn finish(
        &mut self,
        j: &mut Journal<'_>,
        env: &Env<'_>,
        b: &mut Bench,
        at: SystemTime,
        overridden: &[&str],
    ) -> Result<Finish, StoreError> {
        let Some(id) = b.asset_id else {
            return Ok(Finish::NotYet);
        };
        let Some(a) = store::assets::get(j.conn(), id)? else {
            return Ok(Finish::NotYet);
        };
        if a.status != "decommissioning" {
            return Ok(Finish::NotYet);
        }
        let (m, p) = store::lifecycle::media_counts(j.conn(), id)?;
        let holds = store::lifecycle::holds_media(j.conn(), id, &env.settings.media_categories)?;
        let done = if m > 0 { p == m } else { !holds };
        if !done {
            return Ok(Finish::NotYet);
        }
        Ok(
            match lifecycle::change_status_overriding(
                j,
                env.policy,
                id,
                "sanitized",
                "wipe",
                at,
                overridden,
            )? {
                Ok(_) => {
                    b.medium_id = None;
                    b.draft = Draft::default();
                    save(j, b);
                    Finish::Sanitized
                }
                Err(r) => Finish::Refused(r),
            },
        )
    }

    /// `d` said with what the step to `sanitized` did: " · SANITIZED"; a
    /// refusal named (an overridable one asks for a supervisor's badge).
    pub(super) fn finish_said(
        &mut self,
        j: &mut Journal<'_>,
        env: &Env<'_>,
        b: &mut Bench,
        at: SystemTime,
        d: Decision,
    ) -> Result<Decision, StoreError> {
        let f = self.finish(j, env, b, at, &[])?;
        self.finish_answer(j, env, b, f, Vec::new(), d)
    }

    /// Says what [`Self::finish`] did, after `d`'s message; `overrides` are
    /// the rules already overridden ({rule, by}), carried into the next
    /// supervisor question when another rule refuses.
    pub(super) fn finish_answer(
        &mut self,
        j: &mut Journal<'_>,
        env: &Env<'_>,
        b: &Bench,
        f: Finish,
        overrides: Vec<Value>,
        mut d: Decision,
    ) -> Result<Decision, StoreError> {
        match f {
            Finish::NotYet => {}
            Finish::Sanitized => d.message.push_str(" · SANITIZED"),
            Finish::Refused(Refused::Policy(r)) if r.overridable => {
                let id = b.asset_id.unwrap_or_default();
                let what = format!("{} → sanitized", tag_of(j.conn(), id)?);
                let data = json!({"asset_id": id, "to": "sanitized", "overridden": overrides});
                let q = ask_override(j, Mode::Wipe, "wipe.override", &what, &r, data);
                let msg = format!("{} · not sanitized: {}", d.message, q.message);
                return Self::said(j, env, b, Decision::error(msg));
            }
            Finish::Refused(r) => {
                d = Decision::error(format!(
                    "{} · not sanitized: refused by {}",
                    d.message,
                    r.message()
                ));
            }
        }
        Self::said(j, env, b, d)
    }

    /// A supervisor overrode rule `rule` of the step to `sanitized` for
    /// `asset_id`: tries again with it (and those overridden before)
    /// overridden; on the change, each override is journaled.
    pub(super) fn sanitize_overridden(
        &mut self,
        j: &mut Journal<'_>,
        env: &Env<'_>,
        asset_id: i64,
        q: &Question,
        by: &str,
        at: SystemTime,
    ) -> Result<Decision, StoreError> {
        let mut overrides: Vec<Value> =
            q.data["overridden"].as_array().cloned().unwrap_or_default();
        overrides.push(json!({"rule": q.data["rule"], "by": by}));
        let rules: Vec<String> = overrides
            .iter()
            .filter_map(|o| o["rule"].as_str().map(str::to_string))
            .collect();
        let names: Vec<&str> = rules.iter().map(String::as_str).collect();
        let mut b = load(j);
        if b.asset_id != Some(asset_id) {
            b = Bench {
                asset_id: Some(asset_id),
                ..Bench::default()
            };
        }
        let f = self.finish(j, env, &mut b, at, &names)?;
        if matches!(f, Finish::Sanitized) {
            for o in &overrides {
                j.append(
                    at,
                    "policy.overridden",
                    json!({"rule": o["rule"], "asset_id": asset_id, "to": "sanitized",
                           "by": o["by"]}),
                )?;
            }
        }
        let tag = tag_of(j.conn(), asset_id)?;
        let d = Decision::ok(format!("{tag}: {} overridden by {by}", rules.join(", ")));
        self.finish_answer(j, env, &b, f, overrides, d)
    }

    /// The value answering `CMD:MEDIA:TYPE`: a serial for the bench's asset.
    pub(super) fn add_medium(
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

    /// `CMD:DEST:X`: the destination of every medium of the asset on the
    /// bench (and of those added after), while it is not yet sanitized.
    pub(super) fn set_destination(
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
        let status = store::assets::get(j.conn(), asset_id)?
            .map(|a| a.status)
            .unwrap_or_default();
        if matches!(
            status.as_str(),
            "sanitized" | "awaiting_pickup" | "in_transit" | "disposed"
        ) {
            // leaving_needs_purge was checked against the destination then.
            let tag = tag_of(j.conn(), asset_id)?;
            return Self::said(
                j,
                env,
                &b,
                Decision::warn(format!(
                    "{tag} is already {status}: its media's destination is set before it is sanitized"
                )),
            );
        }
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
