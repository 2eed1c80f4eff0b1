//! The catalog: models, their manufacturers and categories. As Snipe-IT's
//! importer does, an import creates the ones it names that the store does not
//! have yet, and says what it created. Names compare case-insensitively.

use super::{non_empty, Result};
use rusqlite::{params, Connection, OptionalExtension};

/// A model with its manufacturer's and category's names.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ModelRow {
    pub id: i64,
    pub name: String,
    pub manufacturer_id: Option<i64>,
    pub manufacturer: Option<String>,
    pub category_id: Option<i64>,
    pub category: Option<String>,
    /// GTIN-14s of this model (from its JSON column).
    pub gtins: Vec<String>,
    pub holds_media: bool,
}

/// The manufacturer named `name`, created if missing: (id, created).
pub fn get_or_create_manufacturer(conn: &Connection, name: &str) -> Result<(i64, bool)> {
    get_or_create_named(conn, "manufacturers", non_empty("manufacturer", name)?)
}

/// The category named `name`, created if missing: (id, created).
pub fn get_or_create_category(conn: &Connection, name: &str) -> Result<(i64, bool)> {
    get_or_create_named(conn, "categories", non_empty("category", name)?)
}

fn get_or_create_named(conn: &Connection, table: &str, name: &str) -> Result<(i64, bool)> {
    let found: Option<i64> = conn
        .prepare_cached(&format!("SELECT id FROM {table} WHERE name = ?1"))?
        .query_row(params![name], |r| r.get(0))
        .optional()?;
    if let Some(id) = found {
        return Ok((id, false));
    }
    conn.prepare_cached(&format!("INSERT INTO {table} (name) VALUES (?1)"))?
        .execute(params![name])?;
    Ok((conn.last_insert_rowid(), true))
}

/// The model `name` of `manufacturer` (creating the manufacturer, the category
/// and the model as needed). Returns the model id and what was created, as
/// `"manufacturer Dell"`, `"category Laptops"`, `"model Latitude 7440"`. An
/// existing model keeps its category; a missing one is filled in.
pub fn get_or_create_model(
    conn: &Connection,
    name: &str,
    manufacturer: Option<&str>,
    category: Option<&str>,
) -> Result<(i64, Vec<String>)> {
    let name = non_empty("model", name)?;
    let mut created = Vec::new();
    let manufacturer_id = match manufacturer.map(str::trim).filter(|m| !m.is_empty()) {
        Some(m) => {
            let (id, new) = get_or_create_manufacturer(conn, m)?;
            if new {
                created.push(format!("manufacturer {m}"));
            }
            Some(id)
        }
        None => None,
    };
    let category_id = match category.map(str::trim).filter(|c| !c.is_empty()) {
        Some(c) => {
            let (id, new) = get_or_create_category(conn, c)?;
            if new {
                created.push(format!("category {c}"));
            }
            Some(id)
        }
        None => None,
    };
    let found: Option<(i64, Option<i64>)> = conn
        .prepare_cached(
            "SELECT id, category_id FROM models WHERE name = ?1 AND ifnull(manufacturer_id, 0) = ifnull(?2, 0)",
        )?
        .query_row(params![name, manufacturer_id], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?;
    if let Some((id, cat)) = found {
        if cat.is_none() && category_id.is_some() {
            conn.prepare_cached("UPDATE models SET category_id = ?2 WHERE id = ?1")?
                .execute(params![id, category_id])?;
        }
        return Ok((id, created));
    }
    conn.prepare_cached(
        "INSERT INTO models (name, manufacturer_id, category_id) VALUES (?1, ?2, ?3)",
    )?
    .execute(params![name, manufacturer_id, category_id])?;
    created.push(format!("model {name}"));
    Ok((conn.last_insert_rowid(), created))
}

/// One model, with names joined.
pub fn get_model(conn: &Connection, id: i64) -> Result<Option<ModelRow>> {
    let row = conn
        .prepare_cached(
            "SELECT m.id, m.name, m.manufacturer_id, f.name, m.category_id, c.name, m.gtins, m.holds_media \
             FROM models m LEFT JOIN manufacturers f ON f.id = m.manufacturer_id \
             LEFT JOIN categories c ON c.id = m.category_id WHERE m.id = ?1",
        )?
        .query_row(params![id], |r| {
            let gtins: String = r.get(6)?;
            Ok(ModelRow {
                id: r.get(0)?,
                name: r.get(1)?,
                manufacturer_id: r.get(2)?,
                manufacturer: r.get(3)?,
                category_id: r.get(4)?,
                category: r.get(5)?,
                gtins: serde_json::from_str(&gtins).unwrap_or_default(),
                holds_media: r.get(7)?,
            })
        })
        .optional()?;
    Ok(row)
}

/// The model that lists `gtin` (GTIN-14) among its GTINs.
pub fn model_by_gtin(conn: &Connection, gtin: &str) -> Result<Option<i64>> {
    Ok(conn
        .prepare_cached(
            "SELECT m.id FROM models m, json_each(m.gtins) g WHERE g.value = ?1 ORDER BY m.id LIMIT 1",
        )?
        .query_row(params![gtin], |r| r.get(0))
        .optional()?)
}

/// Sets a model's GTINs and whether it holds storage media.
pub fn set_model_details(
    conn: &Connection,
    id: i64,
    gtins: &[String],
    holds_media: bool,
) -> Result<()> {
    let gtins = serde_json::to_string(gtins).unwrap_or_else(|_| "[]".into());
    conn.prepare_cached("UPDATE models SET gtins = ?2, holds_media = ?3 WHERE id = ?1")?
        .execute(params![id, gtins, holds_media])?;
    Ok(())
}
