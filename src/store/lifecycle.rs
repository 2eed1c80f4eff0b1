//! The facts the lifecycle and the policy read about one asset, and the
//! status write that remembers where a missing asset came from. The rules
//! themselves are the station's (`station::lifecycle`, `station::policy`).

use super::{assets, Result, StoreError};
use rusqlite::{params, Connection, OptionalExtension};

/// The status asset `id` had before it was marked missing, if it is missing.
pub fn status_before_missing(conn: &Connection, id: i64) -> Result<Option<String>> {
    Ok(conn
        .prepare_cached("SELECT status_before_missing FROM assets WHERE id = ?1")?
        .query_row(params![id], |r| r.get::<_, Option<String>>(0))
        .optional()?
        .flatten())
}

/// Sets asset `id`'s status; `before_missing` is kept while it is missing and
/// cleared by any other change.
pub fn set_status(
    conn: &Connection,
    id: i64,
    status: &str,
    before_missing: Option<&str>,
) -> Result<()> {
    if !assets::STATUSES.contains(&status) {
        return Err(StoreError::Invalid {
            what: "asset status",
            detail: format!("{status:?} is not one of {}", assets::STATUSES.join(", ")),
        });
    }
    let n = conn
        .prepare_cached(
            "UPDATE assets SET status = ?2, status_before_missing = ?3, updated_at = ?4 \
             WHERE id = ?1",
        )?
        .execute(params![id, status, before_missing, crate::timefmt::now()])?;
    if n == 0 {
        return Err(StoreError::NotFound {
            what: "asset",
            value: format!("#{id}"),
        });
    }
    Ok(())
}

/// Whether asset `id` holds storage media: its model says so, or its model's
/// category is one of `media_categories` (case-insensitive).
pub fn holds_media(conn: &Connection, id: i64, media_categories: &[String]) -> Result<bool> {
    let row = conn
        .prepare_cached(
            "SELECT m.holds_media, c.name FROM assets a \
             LEFT JOIN models m ON m.id = a.model_id \
             LEFT JOIN categories c ON c.id = m.category_id WHERE a.id = ?1",
        )?
        .query_row(params![id], |r| {
            Ok((r.get::<_, Option<bool>>(0)?, r.get::<_, Option<String>>(1)?))
        })
        .optional()?;
    Ok(match row {
        Some((Some(true), _)) => true,
        Some((_, Some(cat))) => media_categories
            .iter()
            .any(|c| c.eq_ignore_ascii_case(&cat)),
        _ => false,
    })
}

/// How asset `id`'s media stand: (media recorded, media whose latest
/// sanitization passed). Verifications alone are not sanitizations.
pub fn media_counts(conn: &Connection, id: i64) -> Result<(u32, u32)> {
    let media = super::media::for_asset(conn, id)?;
    let mut passed = 0u32;
    for m in &media {
        if super::sanitizations::latest_for_medium(conn, m.id)?
            .is_some_and(|r| r.result == "passed")
        {
            passed += 1;
        }
    }
    Ok((u32::try_from(media.len()).unwrap_or(u32::MAX), passed))
}

/// One medium of an asset as the policy sees it: its latest sanitization's
/// NIST method and result (none when it has no record).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MediumState {
    /// Its serial, else `#id`.
    pub name: String,
    pub media_type: String,
    pub destination: Option<String>,
    pub method: Option<String>,
    pub result: Option<String>,
}

/// Asset `id`'s media, in the order they were recorded, with their latest
/// sanitization (verifications alone are not sanitizations).
pub fn media_states(conn: &Connection, id: i64) -> Result<Vec<MediumState>> {
    super::media::for_asset(conn, id)?
        .into_iter()
        .map(|m| {
            let latest = super::sanitizations::latest_for_medium(conn, m.id)?;
            Ok(MediumState {
                name: m.serial.clone().unwrap_or_else(|| format!("#{}", m.id)),
                media_type: m.media_type,
                destination: m.destination,
                method: latest.as_ref().and_then(|r| r.method.clone()),
                result: latest.map(|r| r.result),
            })
        })
        .collect()
}
