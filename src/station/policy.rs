//! Policy: named rules checked before a change of state, from `[policy]`.
//!
//! The lifecycle table ([`super::lifecycle`]) says what can follow what; a
//! rule says what this organisation also requires. A refusal names its rule.
//! An overridable rule's refusal becomes a question: a supervisor's badge
//! overrides it, and the override is journaled (`policy.overridden` {rule,
//! asset_id, by}) in the same transaction as the change. Rules:
//!
//! | rule | refuses | overridable |
//! | --- | --- | --- |
//! | `media_sanitized` | `decommissioning → sanitized` while an asset that holds media has a medium without a passed sanitization (or no medium recorded) | never |
//! | `lost_needs_supervisor` | `→ lost` by anyone but a supervisor | by default |
//! | `decommission_deployed_needs_supervisor` | `deployed → decommissioning` by anyone but a supervisor (off by default) | by default |
//! | `validator_required` | a manual sanitization record without a second person's badge (the wipe bench asks) | by default |
//! | `certified_vendor` | a pallet handed to a vendor whose certification is missing or expired (disposal) | not by default |
//!
//! `media_sanitized` is not in `[policy]`: it is what makes a wipe bench a
//! wipe bench, so no setting turns it off and no badge overrides it.

use super::decision::{Decision, Journal};
use super::question::{Expect, Question};
use crate::config::{PolicyConfig, Rule};
use crate::input::Mode;
use crate::store::{self, StoreError};
use rusqlite::Connection;
use serde_json::Value;

/// A rule that refused, and why.
#[derive(Debug, Clone, PartialEq)]
pub struct Refusal {
    pub rule: &'static str,
    pub message: String,
    pub overridable: bool,
}

/// What the rules look at, read inside the transaction.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facts {
    pub holds_media: bool,
    /// Media recorded for the asset, and those whose latest sanitization passed.
    pub media: u32,
    pub media_passed: u32,
    /// The signed-in operator's role (`operator`, `supervisor`), if any.
    pub role: Option<String>,
}

/// The rules in force.
#[derive(Debug, Clone)]
pub struct Policy {
    pub config: PolicyConfig,
    /// `[wipe] media_categories`.
    pub media_categories: Vec<String>,
}

impl Policy {
    pub fn new(config: PolicyConfig, media_categories: Vec<String>) -> Policy {
        Policy {
            config,
            media_categories,
        }
    }

    /// Reads the facts about `asset_id` the rules need.
    pub fn facts(
        &self,
        conn: &Connection,
        asset_id: i64,
        role: Option<&str>,
    ) -> Result<Facts, StoreError> {
        let (media, media_passed) = store::lifecycle::media_counts(conn, asset_id)?;
        Ok(Facts {
            holds_media: store::lifecycle::holds_media(conn, asset_id, &self.media_categories)?,
            media,
            media_passed,
            role: role.map(str::to_string),
        })
    }

    /// The first rule that refuses `from → to`, if any. Pure.
    pub fn check(&self, f: &Facts, from: &str, to: &str) -> Option<Refusal> {
        if to == "sanitized" && from == "decommissioning" && f.holds_media {
            if f.media == 0 {
                return Some(Refusal {
                    rule: "media_sanitized",
                    message: "it holds storage media and none is recorded: add each drive and its sanitization".into(),
                    overridable: false,
                });
            }
            if f.media_passed < f.media {
                return Some(Refusal {
                    rule: "media_sanitized",
                    message: format!(
                        "{} of its {} media have no passed sanitization",
                        f.media - f.media_passed,
                        f.media
                    ),
                    overridable: false,
                });
            }
        }
        let supervisor = f.role.as_deref() == Some("supervisor");
        if to == "lost" && !supervisor {
            if let Some(r) = refuse(
                self.config.lost_needs_supervisor,
                "lost_needs_supervisor",
                "marking an asset lost needs a supervisor",
            ) {
                return Some(r);
            }
        }
        if from == "deployed" && to == "decommissioning" && !supervisor {
            if let Some(r) = refuse(
                self.config.decommission_deployed_needs_supervisor,
                "decommission_deployed_needs_supervisor",
                "taking a deployed asset out of service needs a supervisor",
            ) {
                return Some(r);
            }
        }
        None
    }

    /// Whether a rule the workflows check themselves is on, and its refusal.
    pub fn rule(&self, name: &'static str) -> Option<Refusal> {
        let (rule, message) = match name {
            "validator_required" => (
                self.config.validator_required,
                "a second person must validate this record with their badge",
            ),
            "certified_vendor" => (
                self.config.certified_vendor,
                "the vendor's certification is missing or expired",
            ),
            _ => return None,
        };
        refuse(rule, name, message)
    }
}

/// Asks for a supervisor's badge to override refusal `r` of `what` (`A-1001 →
/// lost`): a sticky badge question of `kind` for `mode`'s workflow, whose data
/// is `data` with the rule added; the answer comes back to that workflow,
/// which makes the change with the rule overridden.
pub fn ask_override(
    j: &mut Journal<'_>,
    mode: Mode,
    kind: &str,
    what: &str,
    r: &Refusal,
    mut data: Value,
) -> Decision {
    data["rule"] = Value::from(r.rule);
    let q = Question {
        kind: kind.into(),
        mode: mode.as_str().into(),
        prompt: format!(
            "{what} refused by rule {}: a supervisor's badge overrides it",
            r.rule
        ),
        expects: Expect::Badge {
            role: Some("supervisor".into()),
            not: Vec::new(),
        },
        sticky: true,
        data,
    };
    let msg = format!(
        "Refused by rule {}: {} — {}",
        r.rule,
        r.message,
        q.expects.hint()
    );
    j.ctx.ask(q);
    Decision::error(msg)
}

fn refuse(rule: Rule, name: &'static str, message: &str) -> Option<Refusal> {
    rule.enabled.then(|| Refusal {
        rule: name,
        message: message.into(),
        overridable: rule.overridable,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> Policy {
        Policy::new(PolicyConfig::default(), vec!["Laptops".into()])
    }

    #[test]
    fn media_must_be_sanitized_and_no_one_overrides_it() {
        let p = policy();
        let mut f = Facts {
            holds_media: true,
            ..Facts::default()
        };
        let r = p.check(&f, "decommissioning", "sanitized").unwrap();
        assert_eq!(r.rule, "media_sanitized");
        assert!(!r.overridable);
        f.media = 2;
        f.media_passed = 1;
        assert!(p.check(&f, "decommissioning", "sanitized").is_some());
        f.media_passed = 2;
        assert_eq!(p.check(&f, "decommissioning", "sanitized"), None);
        f.holds_media = false;
        f.media = 0;
        assert_eq!(p.check(&f, "decommissioning", "sanitized"), None);
    }

    #[test]
    fn lost_needs_a_supervisor_unless_turned_off() {
        let mut p = policy();
        let mut f = Facts::default();
        assert_eq!(
            p.check(&f, "in_stock", "lost").map(|r| r.rule),
            Some("lost_needs_supervisor")
        );
        f.role = Some("supervisor".into());
        assert_eq!(p.check(&f, "in_stock", "lost"), None);
        f.role = None;
        p.config.lost_needs_supervisor.enabled = false;
        assert_eq!(p.check(&f, "in_stock", "lost"), None);
    }
}
