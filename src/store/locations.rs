//! Locations: a hierarchy (site > building > room > shelf), each with a code
//! that is printed on a label and scanned, and optionally a GS1 GLN.

use super::{dup, non_empty, Result, StoreError};
use rusqlite::{params, Connection, OptionalExtension};

/// A location as stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LocationRow {
    pub id: i64,
    pub code: String,
    pub name: String,
    pub parent_id: Option<i64>,
    pub gln: Option<String>,
}

/// Deepest hierarchy [`path`] follows (a guard against a cycle in old data).
const MAX_DEPTH: usize = 32;

/// Creates a location. A code already in use is refused ([`StoreError::Duplicate`]).
pub fn create(
    conn: &Connection,
    code: &str,
    name: &str,
    parent_id: Option<i64>,
    gln: Option<&str>,
) -> Result<i64> {
    let code = non_empty("location code", code)?;
    let name = non_empty("location name", name)?;
    if let Some(g) = gln {
        if g.len() != 13 || !g.bytes().all(|b| b.is_ascii_digit()) {
            return Err(StoreError::Invalid {
                what: "GLN",
                detail: format!("{g:?} is not 13 digits"),
            });
        }
    }
    conn.prepare_cached(
        "INSERT INTO locations (code, name, parent_id, gln) VALUES (?1, ?2, ?3, ?4)",
    )?
    .execute(params![code, name, parent_id, gln])
    .map_err(dup("location code or GLN", code))?;
    Ok(conn.last_insert_rowid())
}

const SELECT: &str = "SELECT id, code, name, parent_id, gln FROM locations";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<LocationRow> {
    Ok(LocationRow {
        id: r.get(0)?,
        code: r.get(1)?,
        name: r.get(2)?,
        parent_id: r.get(3)?,
        gln: r.get(4)?,
    })
}

/// The location with this (scanned) code.
pub fn by_code(conn: &Connection, code: &str) -> Result<Option<LocationRow>> {
    Ok(conn
        .prepare_cached(&format!("{SELECT} WHERE code = ?1"))?
        .query_row(params![code], row)
        .optional()?)
}

/// The location with this GLN.
pub fn by_gln(conn: &Connection, gln: &str) -> Result<Option<LocationRow>> {
    Ok(conn
        .prepare_cached(&format!("{SELECT} WHERE gln = ?1"))?
        .query_row(params![gln], row)
        .optional()?)
}

/// The first location with this name (names need not be unique; codes are).
pub fn by_name(conn: &Connection, name: &str) -> Result<Option<LocationRow>> {
    Ok(conn
        .prepare_cached(&format!("{SELECT} WHERE name = ?1 ORDER BY id LIMIT 1"))?
        .query_row(params![name], row)
        .optional()?)
}

/// The first location with this name compared case-insensitively (as people
/// type names in spreadsheets).
pub fn by_name_nocase(conn: &Connection, name: &str) -> Result<Option<LocationRow>> {
    Ok(conn
        .prepare_cached(&format!(
            "{SELECT} WHERE name = ?1 COLLATE NOCASE ORDER BY id LIMIT 1"
        ))?
        .query_row(params![name], row)
        .optional()?)
}

pub fn get(conn: &Connection, id: i64) -> Result<Option<LocationRow>> {
    Ok(conn
        .prepare_cached(&format!("{SELECT} WHERE id = ?1"))?
        .query_row(params![id], row)
        .optional()?)
}

/// Every location, by code.
pub fn list(conn: &Connection) -> Result<Vec<LocationRow>> {
    let mut st = conn.prepare_cached(&format!("{SELECT} ORDER BY code"))?;
    let rows = st.query_map([], row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// The names from the top of the hierarchy down: `Site > Building > Room`.
pub fn path(conn: &Connection, id: i64) -> Result<String> {
    let mut names = Vec::new();
    let mut next = Some(id);
    while let Some(cur) = next {
        if names.len() >= MAX_DEPTH {
            break;
        }
        let loc = get(conn, cur)?.ok_or_else(|| StoreError::NotFound {
            what: "location",
            value: format!("#{cur}"),
        })?;
        names.push(loc.name);
        next = loc.parent_id;
    }
    names.reverse();
    Ok(names.join(" > "))
}
