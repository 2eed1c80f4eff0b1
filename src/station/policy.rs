//! Policy: named rules checked before a change of state, from `[policy]`.
//!
//! The lifecycle table ([`super::lifecycle`]) says what can follow what; a
//! rule says what this organisation also requires. A refusal names its rule.
//! An overridable rule's refusal becomes a question: a supervisor's badge
//! overrides it, and the override is journaled (`policy.overridden` {rule,
//! asset_id, by}) in the same transaction as the change. Rules:
//!
//! | rule | refuses | default |
//! | --- | --- | --- |
//! | `failed_wipe` | `→ sanitized`, `→ awaiting_pickup`, `→ in_transit` while a medium's latest sanitization failed or was aborted | always; never overridden |
//! | `media_sanitized` | the same changes while an asset that holds media has a medium without a passed sanitization, or no medium recorded | always; never overridden |
//! | `flash_needs_purge` | `→ sanitized` while an SSD, NVMe or flash medium (ssd, nvme, usb, sd, phone) has only a Clear record | on, overridable |
//! | `leaving_needs_purge` | `→ sanitized` while a medium whose destination leaves the organisation (external_reuse, recycle, manufacturer) has only a Clear record | on, overridable |
//! | `lost_needs_supervisor` | `→ lost` by anyone but a supervisor | on, overridable |
//! | `decommission_deployed_needs_supervisor` | `deployed → decommissioning` by anyone but a supervisor | off, overridable |
//! | `validator_required` | a manual sanitization record without a second person's badge (the wipe bench asks) | on |
//! | `destroy_needs_validator` | a manual Destroy record without a second person's badge, even with `validator_required` off | on |
//! | `certified_vendor` | a pallet handed to a vendor none of whose certifications is current (disposal) | on, not overridable |
//!
//! `failed_wipe` and `media_sanitized` are not in `[policy]`: they are what
//! makes a wipe bench a wipe bench, so no setting turns them off and no
//! badge overrides them. The validator rules are met by a second badge (the
//! technician's own is refused), not overridden.

use super::decision::{Decision, Journal};
use super::question::{Expect, Question};
use crate::config::{PolicyConfig, Rule};
use crate::input::Mode;
use crate::store::{self, StoreError};
use rusqlite::Connection;
use serde_json::Value;

pub use crate::store::lifecycle::MediumState;

/// Media types that are flash (`flash_needs_purge`).
pub const FLASH: &[&str] = &["ssd", "nvme", "usb", "sd", "phone"];
/// Destinations that leave the organisation (`leaving_needs_purge`).
pub const LEAVING: &[&str] = &["external_reuse", "recycle", "manufacturer"];

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
    /// The asset's media with their latest sanitization.
    pub media: Vec<MediumState>,
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
        Ok(Facts {
            holds_media: store::lifecycle::holds_media(conn, asset_id, &self.media_categories)?,
            media: store::lifecycle::media_states(conn, asset_id)?,
            role: role.map(str::to_string),
        })
    }

    /// The first rule that refuses `from → to`, if any. Pure.
    pub fn check(&self, f: &Facts, from: &str, to: &str) -> Option<Refusal> {
        self.check_all(f, from, to).into_iter().next()
    }

    /// Every rule that refuses `from → to`, those no one overrides first.
    /// Pure.
    pub fn check_all(&self, f: &Facts, from: &str, to: &str) -> Vec<Refusal> {
        let mut out = Vec::new();
        let outward = matches!(to, "sanitized" | "awaiting_pickup" | "in_transit");
        if outward {
            let failed: Vec<&str> = f
                .media
                .iter()
                .filter(|m| m.result.as_deref() == Some("failed"))
                .map(|m| m.name.as_str())
                .collect();
            if !failed.is_empty() {
                out.push(Refusal {
                    rule: "failed_wipe",
                    message: format!(
                        "the latest wipe of {} failed or was aborted: a passed record must follow",
                        failed.join(", ")
                    ),
                    overridable: false,
                });
            } else if f.holds_media && f.media.is_empty() {
                out.push(Refusal {
                    rule: "media_sanitized",
                    message: "it holds storage media and none is recorded: add each drive and its sanitization".into(),
                    overridable: false,
                });
            } else {
                let left = f
                    .media
                    .iter()
                    .filter(|m| m.result.as_deref() != Some("passed"))
                    .count();
                if left > 0 {
                    out.push(Refusal {
                        rule: "media_sanitized",
                        message: format!(
                            "{left} of its {} media have no passed sanitization",
                            f.media.len()
                        ),
                        overridable: false,
                    });
                }
            }
        }
        if to == "sanitized" && from == "decommissioning" {
            let clear_only = |m: &&MediumState| {
                m.result.as_deref() == Some("passed") && m.method.as_deref() == Some("clear")
            };
            let flash: Vec<String> = f
                .media
                .iter()
                .filter(|m| FLASH.contains(&m.media_type.as_str()))
                .filter(clear_only)
                .map(|m| format!("{} ({})", m.name, m.media_type))
                .collect();
            if !flash.is_empty() {
                out.extend(refuse(
                    self.config.flash_needs_purge,
                    "flash_needs_purge",
                    &format!(
                        "{}: only a Clear record (an overwrite), and flash needs Purge or Destroy",
                        flash.join(", ")
                    ),
                ));
            }
            let leaving: Vec<String> = f
                .media
                .iter()
                .filter(|m| {
                    m.destination
                        .as_deref()
                        .is_some_and(|d| LEAVING.contains(&d))
                })
                .filter(clear_only)
                .map(|m| {
                    format!(
                        "{} (to {})",
                        m.name,
                        m.destination.as_deref().unwrap_or_default()
                    )
                })
                .collect();
            if !leaving.is_empty() {
                out.extend(refuse(
                    self.config.leaving_needs_purge,
                    "leaving_needs_purge",
                    &format!(
                        "{}: leaving the organisation with only a Clear record, it needs Purge or Destroy",
                        leaving.join(", ")
                    ),
                ));
            }
        }
        let supervisor = f.role.as_deref() == Some("supervisor");
        if to == "lost" && !supervisor {
            out.extend(refuse(
                self.config.lost_needs_supervisor,
                "lost_needs_supervisor",
                "marking an asset lost needs a supervisor",
            ));
        }
        if from == "deployed" && to == "decommissioning" && !supervisor {
            out.extend(refuse(
                self.config.decommission_deployed_needs_supervisor,
                "decommission_deployed_needs_supervisor",
                "taking a deployed asset out of service needs a supervisor",
            ));
        }
        out
    }

    /// Whether a rule the workflows check themselves is on, and its refusal.
    pub fn rule(&self, name: &'static str) -> Option<Refusal> {
        let (rule, message) = match name {
            "validator_required" => (
                self.config.validator_required,
                "a second person must validate this record with their badge",
            ),
            "destroy_needs_validator" => (
                self.config.destroy_needs_validator,
                "a second person must validate a Destroy record with their badge",
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

    fn medium(t: &str, dest: Option<&str>, method: &str, result: &str) -> MediumState {
        MediumState {
            name: format!("S-{t}"),
            media_type: t.into(),
            destination: dest.map(str::to_string),
            method: (!method.is_empty()).then(|| method.to_string()),
            result: (!result.is_empty()).then(|| result.to_string()),
        }
    }

    fn rules(p: &Policy, f: &Facts, from: &str, to: &str) -> Vec<&'static str> {
        p.check_all(f, from, to).iter().map(|r| r.rule).collect()
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
        f.media = vec![
            medium("hdd", None, "clear", "passed"),
            medium("hdd", None, "", ""),
        ];
        assert_eq!(
            rules(&p, &f, "decommissioning", "sanitized"),
            ["media_sanitized"]
        );
        f.media[1] = medium("hdd", None, "clear", "failed");
        let r = p.check(&f, "sanitized", "awaiting_pickup").unwrap();
        assert_eq!((r.rule, r.overridable), ("failed_wipe", false));
        f.media[1] = medium("hdd", None, "purge", "passed");
        assert_eq!(p.check(&f, "decommissioning", "sanitized"), None);
        f.holds_media = false;
        f.media.clear();
        assert_eq!(p.check(&f, "decommissioning", "sanitized"), None);
    }

    #[test]
    fn flash_and_media_leaving_need_purge_unless_turned_off() {
        let mut p = policy();
        let mut f = Facts {
            holds_media: true,
            media: vec![medium("ssd", Some("recycle"), "clear", "passed")],
            ..Facts::default()
        };
        assert_eq!(
            rules(&p, &f, "decommissioning", "sanitized"),
            ["flash_needs_purge", "leaving_needs_purge"]
        );
        assert!(p.check_all(&f, "decommissioning", "sanitized")[0].overridable);
        // Only at the bench: a pallet does not ask again.
        assert!(rules(&p, &f, "sanitized", "awaiting_pickup").is_empty());
        f.media[0] = medium("hdd", Some("internal_reuse"), "clear", "passed");
        assert!(rules(&p, &f, "decommissioning", "sanitized").is_empty());
        f.media[0] = medium("hdd", Some("external_reuse"), "clear", "passed");
        assert_eq!(
            rules(&p, &f, "decommissioning", "sanitized"),
            ["leaving_needs_purge"]
        );
        f.media[0] = medium("nvme", Some("manufacturer"), "destroy", "passed");
        assert!(rules(&p, &f, "decommissioning", "sanitized").is_empty());
        f.media[0] = medium("usb", None, "clear", "passed");
        assert_eq!(
            rules(&p, &f, "decommissioning", "sanitized"),
            ["flash_needs_purge"]
        );
        p.config.flash_needs_purge.enabled = false;
        assert!(rules(&p, &f, "decommissioning", "sanitized").is_empty());
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
