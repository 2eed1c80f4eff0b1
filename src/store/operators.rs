//! Operators: the people who sign in at a station by scanning their badge.

use super::{dup, non_empty, Result, StoreError};
use rusqlite::{params, Connection, OptionalExtension};

/// The roles an operator can have.
pub const ROLES: &[&str] = &["operator", "supervisor"];

/// An operator as stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct OperatorRow {
    pub id: i64,
    pub badge: String,
    pub name: String,
    pub role: String,
    pub active: bool,
}

/// Creates an active operator. `role` is `operator` or `supervisor`.
pub fn create(conn: &Connection, badge: &str, name: &str, role: &str) -> Result<i64> {
    let badge = non_empty("badge", badge)?;
    let name = non_empty("operator name", name)?;
    if !ROLES.contains(&role) {
        return Err(StoreError::Invalid {
            what: "role",
            detail: format!("{role:?}: use operator or supervisor"),
        });
    }
    conn.prepare_cached("INSERT INTO operators (badge, name, role) VALUES (?1, ?2, ?3)")?
        .execute(params![badge, name, role])
        .map_err(dup("badge", badge))?;
    Ok(conn.last_insert_rowid())
}

const SELECT: &str = "SELECT id, badge, name, role, active FROM operators";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<OperatorRow> {
    Ok(OperatorRow {
        id: r.get(0)?,
        badge: r.get(1)?,
        name: r.get(2)?,
        role: r.get(3)?,
        active: r.get(4)?,
    })
}

/// The operator with this badge code (active or not).
pub fn by_badge(conn: &Connection, badge: &str) -> Result<Option<OperatorRow>> {
    Ok(conn
        .prepare_cached(&format!("{SELECT} WHERE badge = ?1"))?
        .query_row(params![badge], row)
        .optional()?)
}

pub fn get(conn: &Connection, id: i64) -> Result<Option<OperatorRow>> {
    Ok(conn
        .prepare_cached(&format!("{SELECT} WHERE id = ?1"))?
        .query_row(params![id], row)
        .optional()?)
}

/// Every operator, by badge.
pub fn list(conn: &Connection) -> Result<Vec<OperatorRow>> {
    let mut st = conn.prepare_cached(&format!("{SELECT} ORDER BY badge"))?;
    let rows = st.query_map([], row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Activates or deactivates an operator (a deactivated badge cannot sign in).
pub fn set_active(conn: &Connection, id: i64, active: bool) -> Result<()> {
    let n = conn
        .prepare_cached("UPDATE operators SET active = ?2 WHERE id = ?1")?
        .execute(params![id, active])?;
    if n == 0 {
        return Err(StoreError::NotFound {
            what: "operator",
            value: format!("#{id}"),
        });
    }
    Ok(())
}
