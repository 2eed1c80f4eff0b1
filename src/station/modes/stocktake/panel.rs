//! Stock-take mode's panels, by where the stock-take is:
//! - counting: this location's expected / found / missing / unexpected, the
//!   scope's progress as a gauge, and the tags still missing here, so the
//!   walker knows what to look for;
//! - reconciling: the totals and what to act on (misplaced, missing);
//! - none open: the scope being built, and the KPIs of the last stock-take
//!   (accuracy, locations covered, scans per hour, missing value) with the
//!   accuracy over past stock-takes as a sparkline.
//!
//! Read from the reconciliation as it stands (`crate::stocktake`).

use crate::station::view::{Progress, Trend, WorkflowView};
use crate::stocktake::kpi;
use crate::stocktake::reconcile::Kind;
use crate::stocktake::report::{reconciliation, Names};
use crate::store::{self, StoreError};
use rusqlite::Connection;
use serde_json::Value;

/// How many missing tags the panel lists.
const LIST_MAX: usize = 50;

/// The live panel: this location's figures, the scope's progress and what
/// is still missing here.
pub fn panel(conn: &Connection, ctx: &Value) -> Result<Option<WorkflowView>, StoreError> {
    let (Some(id), here) = (ctx["stocktake"].as_i64(), ctx["location"].as_i64()) else {
        return kpis(conn, ctx).map(Some);
    };
    let Some((st, scope, rec)) = reconciliation(conn, id)? else {
        return kpis(conn, ctx).map(Some);
    };
    if st.status == "reconciling" || st.status == "closed" {
        return reconciled(conn, &st, &rec).map(Some);
    }
    let mut names = Names::default();
    let counted = store::stocktake::counted_locations(conn, id)?;
    let t = &rec.totals;
    let mut lines = Vec::new();
    let mut list = Vec::new();
    let mut title = format!("Stock-take {} ({})", st.name, st.status);
    match here.and_then(|h| rec.locations.iter().find(|l| l.location == h)) {
        Some(l) => {
            let code = names.location(conn, l.location)?;
            title.push_str(&format!(" · {code}"));
            lines.push(format!(
                "Here: expected {} · found {} · missing {}",
                l.expected, l.found, l.missing
            ));
            lines.push(format!(
                "Unexpected here: {}",
                l.unexpected + l.misplaced_here + l.unknown
            ));
            for it in rec
                .items
                .iter()
                .filter(|i| i.kind == Kind::Missing && i.expected == Some(l.location))
                .take(LIST_MAX)
            {
                if let Some(a) = it.asset {
                    list.push(names.tag(conn, a)?);
                }
            }
        }
        None => lines.push("Scan a location label to count it".into()),
    }
    lines.push(format!(
        "Scope: found {} · misplaced {} · missing {}",
        t.found, t.misplaced, t.missing
    ));
    lines.push(format!(
        "unexpected {} · unknown {} · duplicate {}",
        t.unexpected, t.unknown, t.duplicate
    ));
    lines.push(format!(
        "Locations counted: {} of {}",
        counted.len(),
        scope.len()
    ));
    Ok(Some(WorkflowView {
        title,
        lines,
        progress: Some(Progress {
            label: "expected assets seen".into(),
            done: t.found + t.misplaced,
            total: t.expected,
        }),
        list_title: "Missing here".into(),
        list,
        trend: None,
    }))
}

/// A stock-take whose counting ended: the totals and what to act on.
fn reconciled(
    conn: &Connection,
    st: &store::stocktake::StocktakeRow,
    rec: &crate::stocktake::reconcile::Reconciliation,
) -> Result<WorkflowView, StoreError> {
    let t = &rec.totals;
    let mut names = Names::default();
    let mut list = Vec::new();
    for it in rec
        .items
        .iter()
        .filter(|i| matches!(i.kind, Kind::Misplaced | Kind::Missing))
        .take(LIST_MAX)
    {
        let Some(a) = it.asset else { continue };
        let tag = names.tag(conn, a)?;
        let expected = match it.expected {
            Some(l) => names.location(conn, l)?,
            None => "-".into(),
        };
        list.push(match it.seen {
            Some(seen) => format!(
                "misplaced {tag} at {} (expected {expected})",
                names.location(conn, seen)?
            ),
            None => format!("missing {tag} from {expected}"),
        });
    }
    Ok(WorkflowView {
        title: format!("Stock-take {} ({})", st.name, st.status),
        lines: vec![
            format!(
                "Expected {} · found {} · missing {} · misplaced {}",
                t.expected, t.found, t.missing, t.misplaced
            ),
            format!(
                "unexpected {} · unknown {} · duplicate {}",
                t.unexpected, t.unknown, t.duplicate
            ),
            "CMD:MOVE moves the misplaced · CMD:MISSING marks the missing".into(),
            "CMD:CLOSE closes the stock-take".into(),
        ],
        progress: Some(Progress {
            label: "found where expected".into(),
            done: t.found,
            total: t.expected,
        }),
        list_title: "To act on".into(),
        list,
        trend: None,
    })
}

/// Money per currency, minor units: `EUR 1299.50 USD 10.00`.
pub fn money(m: &std::collections::BTreeMap<String, i64>) -> String {
    m.iter()
        .map(|(c, v)| format!("{c} {}.{:02}", v / 100, (v % 100).abs()))
        .collect::<Vec<_>>()
        .join(" ")
}

/// No stock-take open: the scope being built and the KPIs, with the
/// accuracy trend over past stock-takes.
fn kpis(conn: &Connection, ctx: &Value) -> Result<WorkflowView, StoreError> {
    let mut lines = Vec::new();
    let draft: Vec<i64> = ctx["draft"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_i64).collect())
        .unwrap_or_default();
    let mut names = Names::default();
    if draft.is_empty() {
        lines.push("Scan location labels for a new stock-take's scope".into());
    } else {
        let mut codes = Vec::new();
        for l in &draft {
            codes.push(names.location(conn, *l)?);
        }
        lines.push(format!("Scope: {} · CONFIRM starts it", codes.join(", ")));
    }
    let ks = kpi::kpis(conn)?;
    match ks.last() {
        None => lines.push("No stock-take yet".into()),
        Some(k) => {
            lines.push(format!("Last: {} ({})", k.name, k.status));
            lines.push(format!(
                "Accuracy {:.1}% ({} of {}) · covered {} of {} locations",
                k.accuracy * 100.0,
                k.found,
                k.expected,
                k.locations_covered,
                k.locations
            ));
            let pace: Vec<String> = k
                .operators
                .iter()
                .map(|o| {
                    format!(
                        "{} {}",
                        o.operator.as_deref().unwrap_or("(nobody)"),
                        o.per_hour
                            .map(|p| format!("{p:.0}/h"))
                            .unwrap_or_else(|| format!("{} scans", o.scans))
                    )
                })
                .collect();
            lines.push(format!(
                "Scans/hour: {}",
                if pace.is_empty() {
                    "-".into()
                } else {
                    pace.join(", ")
                }
            ));
            let value = money(&k.missing_value);
            lines.push(format!(
                "Missing value: {}",
                if value.is_empty() { "-".into() } else { value }
            ));
        }
    }
    Ok(WorkflowView {
        title: "Stock-takes".into(),
        lines,
        progress: None,
        list_title: String::new(),
        list: Vec::new(),
        trend: Some(Trend {
            label: format!("Accuracy over {} stock-takes (%)", ks.len()),
            values: ks
                .iter()
                .map(|k| (k.accuracy.clamp(0.0, 1.0) * 100.0).round() as u64)
                .collect(),
            max: 100,
        }),
    })
}
