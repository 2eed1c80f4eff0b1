//! The wipe bench's state and screen: what is on the bench (kept in the
//! station's context: asset, reason, current medium, destination, the manual
//! record being built), what the technician should do next, and the panel.

use crate::input::Mode;
use crate::station::decision::Journal;
use crate::station::lookup;
use crate::station::view::{Progress, WorkflowView};
use crate::store::{self, media, sanitizations, StoreError};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What is on the bench (the mode's context).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(super) struct Bench {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) asset_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) medium_id: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) destination: Option<String>,
    #[serde(default, skip_serializing_if = "Draft::is_empty")]
    pub(super) draft: Draft,
}

/// The manual record being built, lower case as stored.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(super) struct Draft {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) method: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) technique: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) verification: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) result: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) started: Option<String>,
    /// For Destroy: the destruction vendor or device (asked at CONFIRM).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(super) tool: Option<String>,
}

impl Draft {
    pub(super) fn is_empty(&self) -> bool {
        self == &Draft::default()
    }

    /// What CONFIRM still needs, as the barcodes that give it.
    pub(super) fn missing(&self) -> Vec<&'static str> {
        let mut m = Vec::new();
        if self.method.is_none() {
            m.push("the method (CMD:METHOD:CLEAR|PURGE|DESTROY)");
        }
        if self.result.is_none() {
            m.push("the result (CMD:RESULT:PASSED|FAILED)");
        }
        m
    }

    pub(super) fn summary(&self) -> String {
        let f = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
        let by = match &self.tool {
            Some(t) => format!(" · destroyed by {t}"),
            None => String::new(),
        };
        format!(
            "method {} · technique {} · verify {} · result {}{by}",
            f(&self.method),
            f(&self.technique),
            self.verification.clone().unwrap_or_else(|| "none".into()),
            f(&self.result)
        )
    }
}

pub(super) fn bench_of(v: &Value) -> Bench {
    serde_json::from_value(v.clone()).unwrap_or_default()
}

pub(super) fn load(j: &Journal<'_>) -> Bench {
    bench_of(j.ctx.get(Mode::Wipe))
}

pub(super) fn save(j: &mut Journal<'_>, b: &Bench) {
    let v = if b.asset_id.is_none() {
        Value::Null
    } else {
        serde_json::to_value(b).unwrap_or(Value::Null)
    };
    j.ctx.set(Mode::Wipe, v);
}

pub(super) fn tag_of(conn: &Connection, asset_id: i64) -> Result<String, StoreError> {
    Ok(
        store::identifiers::first_of_kind(conn, asset_id, "asset_tag")?
            .unwrap_or_else(|| format!("#{asset_id}")),
    )
}

pub(super) fn medium_name(m: &media::MediumRow) -> String {
    match &m.serial {
        Some(s) => format!("{s} ({})", m.media_type),
        None => format!("medium #{} ({})", m.id, m.media_type),
    }
}

/// The view, and the message's "next" hint, from the store and the bench.
pub(super) fn next_step(
    conn: &Connection,
    b: &Bench,
    categories: &[String],
) -> Result<String, StoreError> {
    let Some(id) = b.asset_id else {
        return Ok("scan an asset to take it out of service".into());
    };
    let Some(a) = store::assets::get(conn, id)? else {
        return Ok("scan an asset".into());
    };
    Ok(match a.status.as_str() {
        "in_stock" | "deployed" | "in_repair" => {
            "give the reason: pick it, or CMD:REASON:EOL|FAILED|LEASE_RETURN|UPGRADE|OTHER".into()
        }
        "decommissioning" => {
            let (m, p) = store::lifecycle::media_counts(conn, id)?;
            let holds = store::lifecycle::holds_media(conn, id, categories)?;
            let current_passed = match b.medium_id {
                Some(mid) => sanitizations::latest_for_medium(conn, mid)?
                    .is_some_and(|r| r.result == "passed"),
                None => false,
            };
            if m == 0 && holds {
                "add each medium: CMD:MEDIA:TYPE, then its serial".into()
            } else if m > 0 && p == m && b.draft.is_empty() {
                "every medium passed: add any other medium, or CMD:CONFIRM marks it sanitized"
                    .into()
            } else if current_passed && b.draft.is_empty() {
                let left: Vec<String> = media::for_asset(conn, id)?
                    .iter()
                    .filter(|x| Some(x.id) != b.medium_id)
                    .map(|x| {
                        Ok::<_, StoreError>((
                            medium_name(x),
                            sanitizations::latest_for_medium(conn, x.id)?
                                .is_some_and(|r| r.result == "passed"),
                        ))
                    })
                    .collect::<Result<Vec<_>, _>>()?
                    .into_iter()
                    .filter(|(_, passed)| !passed)
                    .map(|(n, _)| n)
                    .collect();
                match left.first() {
                    Some(n) => format!("scan the next medium's serial ({n}) to record it"),
                    None => "add another medium (CMD:MEDIA:TYPE), or scan the next asset".into(),
                }
            } else if b.medium_id.is_none() {
                "scan a medium's serial (or CMD:MEDIA:TYPE and a serial) to record it".into()
            } else if !b.draft.missing().is_empty() {
                format!(
                    "record it: {}, then CMD:CONFIRM",
                    b.draft.missing().join(", ")
                )
            } else {
                "CMD:CONFIRM records it".into()
            }
        }
        "sanitized" => "sanitized: take it to Disposal (F6), or scan the next asset".into(),
        other => format!("it is {other}: scan the next asset"),
    })
}

pub(super) fn render(
    conn: &Connection,
    b: &Bench,
    categories: &[String],
) -> Result<WorkflowView, StoreError> {
    let mut v = WorkflowView {
        title: "Wipe bench".into(),
        ..WorkflowView::default()
    };
    let Some(id) = b.asset_id else {
        v.lines
            .push(format!("Next: {}", next_step(conn, b, categories)?));
        return Ok(v);
    };
    if let Some(a) = store::assets::get(conn, id)? {
        v.lines.push(lookup::asset_line_of(
            a.tag.as_deref().unwrap_or("?"),
            a.manufacturer.as_deref(),
            a.model.as_deref(),
            &a.status,
            a.location_code.as_deref(),
        ));
        let reason = match (&b.reason, a.status.as_str()) {
            (Some(r), _) => r.clone(),
            (None, "in_stock" | "deployed" | "in_repair") => "not given yet".into(),
            (None, _) => "recorded earlier".into(),
        };
        v.lines.push(format!("Reason: {reason}"));
    }
    if let Some(d) = &b.destination {
        v.lines.push(format!("Destination: {d}"));
    }
    let all = media::for_asset(conn, id)?;
    let mut passed = 0u64;
    v.list_title = "Media".into();
    for m in &all {
        let state = match sanitizations::latest_for_medium(conn, m.id)? {
            Some(r) if r.result == "passed" => {
                passed += 1;
                format!(
                    "passed ({}, {})",
                    r.method.as_deref().unwrap_or("?"),
                    r.source
                )
            }
            Some(r) => format!("FAILED ({})", r.source),
            None => "not sanitized".into(),
        };
        let cur = if b.medium_id == Some(m.id) {
            "▶ "
        } else {
            ""
        };
        v.list.push(format!("{cur}{} · {state}", medium_name(m)));
    }
    v.progress = Some(Progress {
        label: "media sanitized".into(),
        done: passed,
        total: all.len() as u64,
    });
    if !b.draft.is_empty() {
        v.lines.push(format!("Record: {}", b.draft.summary()));
    }
    v.lines
        .push(format!("Next: {}", next_step(conn, b, categories)?));
    Ok(v)
}
