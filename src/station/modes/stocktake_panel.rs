//! Stock-take mode's live panel: this location's expected / found /
//! missing / unexpected, the scope's progress as a gauge, and the tags still
//! missing here, so the walker knows what to look for. Read from the
//! reconciliation as it stands (`crate::stocktake`).

use crate::station::view::{Progress, WorkflowView};
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
        return Ok(None);
    };
    let Some((st, scope, rec)) = reconciliation(conn, id)? else {
        return Ok(None);
    };
    let mut names = Names::default();
    let counted = store::stocktake::counted_locations(conn, id)?;
    let t = &rec.totals;
    let mut lines = Vec::new();
    let mut list = Vec::new();
    let mut title = format!("Stock-take {}", st.name);
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
    }))
}
