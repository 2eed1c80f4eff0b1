//! The asset lifecycle: which status may follow which, and the one function
//! that changes an asset's status or location.
//!
//! ```text
//! on_order → in_stock → deployed ⇄ in_repair
//! in_stock | deployed | in_repair → decommissioning → sanitized
//!     → awaiting_pickup → in_transit → disposed
//! any but disposed → missing (a stock-take) → back to the status it had
//! any but disposed → lost (set by a person)
//! ```
//! The table is pure ([`allowed`]); [`change_status`] checks it and the
//! policy ([`super::policy`]), then writes the row and its event
//! (`asset.status_changed` {asset_id, tag, from, to, reason}) in the caller's
//! transaction; [`move_asset`] writes `asset.moved` {asset_id, tag, from, to}.
//! Imports and pulls from upstream set statuses directly and are journaled as
//! imports: they are not station paths.

use super::decision::Journal;
use super::policy::{Policy, Refusal};
use crate::store::{self, StoreError};
use serde_json::json;
use std::time::SystemTime;

/// Every status, in lifecycle order.
pub use crate::store::assets::STATUSES;

/// Whether the lifecycle allows `from → to` (a status never "changes" to itself).
/// `prior` is, for `from == "missing"`, the status the asset had before.
pub fn allowed(from: &str, to: &str, prior: Option<&str>) -> bool {
    if from == to || from == "disposed" || !STATUSES.contains(&to) {
        return false;
    }
    match (from, to) {
        (_, "missing") => from != "lost",
        (_, "lost") => true,
        ("missing", to) => prior.is_none_or(|p| p == to),
        ("lost", to) => matches!(to, "in_stock" | "in_repair"),
        ("on_order", "in_stock") => true,
        ("in_stock", "deployed" | "in_repair" | "decommissioning") => true,
        ("deployed", "in_stock" | "in_repair" | "decommissioning") => true,
        ("in_repair", "in_stock" | "deployed" | "decommissioning") => true,
        ("decommissioning", "sanitized") => true,
        ("sanitized", "awaiting_pickup") => true,
        ("awaiting_pickup", "in_transit" | "sanitized") => true,
        ("in_transit", "disposed") => true,
        _ => false,
    }
}

/// The statuses `from` may go to.
pub fn next_statuses(from: &str, prior: Option<&str>) -> Vec<&'static str> {
    STATUSES
        .iter()
        .copied()
        .filter(|to| allowed(from, to, prior))
        .collect()
}

/// A change the lifecycle or a rule refused.
#[derive(Debug, Clone, PartialEq)]
pub enum Refused {
    /// The table does not allow it: nothing can override that.
    Lifecycle { from: String, to: String },
    /// A policy rule refused it.
    Policy(Refusal),
}

impl Refused {
    /// One line for the banner.
    pub fn message(&self) -> String {
        match self {
            Refused::Lifecycle { from, to } => {
                format!("rule lifecycle: {from} cannot become {to}")
            }
            Refused::Policy(r) => format!("rule {}: {}", r.rule, r.message),
        }
    }
}

/// What a status change did.
#[derive(Debug, Clone, PartialEq)]
pub struct Changed {
    pub from: String,
    pub to: String,
    pub seq: i64,
}

/// Changes asset `asset_id`'s status to `to`, after the table and the policy
/// allow it; `overridden` names a rule a supervisor overrode (journaled
/// beside the change as `policy.overridden` by the caller's answer). Writes
/// the row and `asset.status_changed` in `j`'s transaction.
pub fn change_status(
    j: &mut Journal<'_>,
    policy: &Policy,
    asset_id: i64,
    to: &str,
    reason: &str,
    at: SystemTime,
    overridden: Option<&str>,
) -> Result<Result<Changed, Refused>, StoreError> {
    let o: Vec<&str> = overridden.into_iter().collect();
    change_status_overriding(j, policy, asset_id, to, reason, at, &o)
}

/// [`change_status`] with several rules overridden (a change two
/// overridable rules refused, each overridden by a supervisor in turn). The
/// payload's `overridden` is the rule's name, or a list when several.
pub fn change_status_overriding(
    j: &mut Journal<'_>,
    policy: &Policy,
    asset_id: i64,
    to: &str,
    reason: &str,
    at: SystemTime,
    overridden: &[&str],
) -> Result<Result<Changed, Refused>, StoreError> {
    let Some(asset) = store::assets::get(j.conn(), asset_id)? else {
        return Err(StoreError::NotFound {
            what: "asset",
            value: format!("#{asset_id}"),
        });
    };
    let prior = store::lifecycle::status_before_missing(j.conn(), asset_id)?;
    if !allowed(&asset.status, to, prior.as_deref()) {
        return Ok(Err(Refused::Lifecycle {
            from: asset.status,
            to: to.into(),
        }));
    }
    let facts = policy.facts(j.conn(), asset_id, j.operator_role())?;
    if let Some(r) = policy
        .check_all(&facts, &asset.status, to)
        .into_iter()
        .find(|r| !(r.overridable && overridden.contains(&r.rule)))
    {
        return Ok(Err(Refused::Policy(r)));
    }
    let before_missing = (to == "missing").then_some(asset.status.as_str());
    store::lifecycle::set_status(j.conn(), asset_id, to, before_missing)?;
    let mut payload = json!({
        "asset_id": asset_id,
        "tag": asset.tag,
        "from": asset.status,
        "to": to,
        "reason": reason,
    });
    match overridden {
        [] => {}
        [rule] => payload["overridden"] = json!(rule),
        rules => payload["overridden"] = json!(rules),
    }
    let seq = j.append(at, "asset.status_changed", payload)?;
    Ok(Ok(Changed {
        from: asset.status,
        to: to.into(),
        seq,
    }))
}

/// Moves asset `asset_id` to location `location_id`, writing `asset.moved`
/// {asset_id, tag, from, to} (location codes; from null when it had none).
/// Moving to where it is writes nothing and returns `None`.
pub fn move_asset(
    j: &mut Journal<'_>,
    asset_id: i64,
    location_id: i64,
    reason: &str,
    at: SystemTime,
) -> Result<Option<i64>, StoreError> {
    let Some(asset) = store::assets::get(j.conn(), asset_id)? else {
        return Err(StoreError::NotFound {
            what: "asset",
            value: format!("#{asset_id}"),
        });
    };
    if asset.location_id == Some(location_id) {
        return Ok(None);
    }
    let Some(to) = store::locations::get(j.conn(), location_id)? else {
        return Err(StoreError::NotFound {
            what: "location",
            value: format!("#{location_id}"),
        });
    };
    store::assets::move_to(j.conn(), asset_id, location_id)?;
    let seq = j.append(
        at,
        "asset.moved",
        json!({
            "asset_id": asset_id,
            "tag": asset.tag,
            "from": asset.location_code,
            "to": to.code,
            "reason": reason,
        }),
    )?;
    Ok(Some(seq))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table() {
        assert!(allowed("on_order", "in_stock", None));
        assert!(allowed("deployed", "in_repair", None));
        assert!(allowed("in_repair", "deployed", None));
        assert!(!allowed("on_order", "deployed", None));
        assert!(!allowed("decommissioning", "disposed", None));
        assert!(!allowed("disposed", "missing", None));
        assert!(!allowed("in_stock", "in_stock", None));
        assert!(allowed("missing", "deployed", Some("deployed")));
        assert!(!allowed("missing", "in_stock", Some("deployed")));
        assert!(allowed("in_transit", "lost", None));
        assert!(!allowed("in_stock", "bogus", None));
        assert_eq!(
            next_statuses("sanitized", None),
            ["awaiting_pickup", "missing", "lost"]
        );
    }
}
