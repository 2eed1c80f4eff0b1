//! Media: the drives and other storage of an asset, each sanitized on its
//! own. A medium is found by its serial (one serial, one medium); a drive an
//! nwipe log brought that no asset claims is a medium without an asset,
//! listed for the technician to attach.

use super::{Result, StoreError};
use rusqlite::{params, Connection, OptionalExtension, Row};

/// The media types of contracts.md (`CMD:MEDIA:…`, lower case).
pub const MEDIA_TYPES: &[&str] = &["hdd", "ssd", "nvme", "usb", "sd", "phone", "tape", "other"];

/// Where a medium goes after sanitization (`CMD:DEST:…`, lower case).
pub const DESTINATIONS: &[&str] = &[
    "internal_reuse",
    "external_reuse",
    "recycle",
    "manufacturer",
    "other",
];

/// A medium to create.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewMedium {
    pub asset_id: Option<i64>,
    pub serial: Option<String>,
    pub media_type: String,
    pub make: Option<String>,
    pub model: Option<String>,
    pub destination: Option<String>,
    pub created_at: String,
}

/// A medium as stored.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct MediumRow {
    pub id: i64,
    pub asset_id: Option<i64>,
    pub serial: Option<String>,
    pub media_type: String,
    pub make: Option<String>,
    pub model: Option<String>,
    pub destination: Option<String>,
    pub created_at: String,
}

const COLUMNS: &str = "id, asset_id, serial, media_type, make, model, destination, created_at";

fn row(r: &Row<'_>) -> rusqlite::Result<MediumRow> {
    Ok(MediumRow {
        id: r.get(0)?,
        asset_id: r.get(1)?,
        serial: r.get(2)?,
        media_type: r.get(3)?,
        make: r.get(4)?,
        model: r.get(5)?,
        destination: r.get(6)?,
        created_at: r.get(7)?,
    })
}

/// Creates a medium. A serial another medium has is refused
/// ([`StoreError::Duplicate`]): look it up with [`by_serial`] first.
pub fn create(conn: &Connection, m: &NewMedium) -> Result<i64> {
    if !MEDIA_TYPES.contains(&m.media_type.as_str()) {
        return Err(StoreError::Invalid {
            what: "media type",
            detail: format!("{:?}: use one of {}", m.media_type, MEDIA_TYPES.join(", ")),
        });
    }
    if let Some(d) = &m.destination {
        if !DESTINATIONS.contains(&d.as_str()) {
            return Err(StoreError::Invalid {
                what: "destination",
                detail: format!("{d:?}: use one of {}", DESTINATIONS.join(", ")),
            });
        }
    }
    let serial = m.serial.as_deref().map(str::trim).filter(|s| !s.is_empty());
    conn.prepare_cached(
        "INSERT INTO media (asset_id, serial, media_type, make, model, destination, created_at) \
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        m.asset_id,
        serial,
        m.media_type,
        m.make,
        m.model,
        m.destination,
        m.created_at
    ])
    .map_err(super::dup("medium serial", serial.unwrap_or("")))?;
    Ok(conn.last_insert_rowid())
}

/// The medium with this serial.
pub fn by_serial(conn: &Connection, serial: &str) -> Result<Option<MediumRow>> {
    Ok(conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM media WHERE serial = ?1"))?
        .query_row(params![serial.trim()], row)
        .optional()?)
}

/// One medium.
pub fn get(conn: &Connection, id: i64) -> Result<Option<MediumRow>> {
    Ok(conn
        .prepare_cached(&format!("SELECT {COLUMNS} FROM media WHERE id = ?1"))?
        .query_row(params![id], row)
        .optional()?)
}

/// An asset's media, in the order recorded.
pub fn for_asset(conn: &Connection, asset_id: i64) -> Result<Vec<MediumRow>> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM media WHERE asset_id = ?1 ORDER BY id"
    ))?;
    let rows = st.query_map(params![asset_id], row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Media no asset claims (drives from logs), oldest first.
pub fn unattached(conn: &Connection) -> Result<Vec<MediumRow>> {
    let mut st = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM media WHERE asset_id IS NULL ORDER BY id"
    ))?;
    let rows = st.query_map([], row)?;
    Ok(rows.collect::<rusqlite::Result<_>>()?)
}

/// Attaches an unattached medium to an asset. A medium another asset holds
/// is refused: detaching is a decision for a person, not a side effect.
pub fn attach(conn: &Connection, medium_id: i64, asset_id: i64) -> Result<()> {
    let m = get(conn, medium_id)?.ok_or(StoreError::NotFound {
        what: "medium",
        value: format!("#{medium_id}"),
    })?;
    match m.asset_id {
        Some(a) if a == asset_id => Ok(()),
        Some(a) => Err(StoreError::Invalid {
            what: "medium",
            detail: format!("medium #{medium_id} already belongs to asset #{a}"),
        }),
        None => {
            conn.prepare_cached("UPDATE media SET asset_id = ?1 WHERE id = ?2")?
                .execute(params![asset_id, medium_id])?;
            Ok(())
        }
    }
}

/// Sets a medium's type (one of [`MEDIA_TYPES`]): an imported drive whose
/// bus did not say (`other`) is named by the technician who attaches it.
pub fn set_type(conn: &Connection, medium_id: i64, media_type: &str) -> Result<()> {
    if !MEDIA_TYPES.contains(&media_type) {
        return Err(StoreError::Invalid {
            what: "media type",
            detail: format!("{media_type:?}: use one of {}", MEDIA_TYPES.join(", ")),
        });
    }
    conn.prepare_cached("UPDATE media SET media_type = ?1 WHERE id = ?2")?
        .execute(params![media_type, medium_id])?;
    Ok(())
}

/// Sets where a medium goes after sanitization (one of [`DESTINATIONS`]).
pub fn set_destination(conn: &Connection, medium_id: i64, destination: &str) -> Result<()> {
    if !DESTINATIONS.contains(&destination) {
        return Err(StoreError::Invalid {
            what: "destination",
            detail: format!("{destination:?}: use one of {}", DESTINATIONS.join(", ")),
        });
    }
    conn.prepare_cached("UPDATE media SET destination = ?1 WHERE id = ?2")?
        .execute(params![destination, medium_id])?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    fn new(serial: Option<&str>) -> NewMedium {
        NewMedium {
            serial: serial.map(String::from),
            media_type: "hdd".into(),
            created_at: "2026-12-03T00:00:00.000Z".into(),
            ..NewMedium::default()
        }
    }

    #[test]
    fn one_serial_one_medium_and_null_serials_are_many() {
        let s = Store::open_in_memory().unwrap();
        let c = s.conn();
        let a = create(c, &new(Some("WD-1"))).unwrap();
        assert!(matches!(
            create(c, &new(Some(" WD-1 "))),
            Err(StoreError::Duplicate { .. })
        ));
        assert_eq!(by_serial(c, "WD-1").unwrap().map(|m| m.id), Some(a));
        create(c, &new(None)).unwrap();
        create(c, &new(None)).unwrap();
        assert_eq!(unattached(c).unwrap().len(), 3);
        let mut bad = new(Some("X1"));
        bad.media_type = "floppy".into();
        assert!(matches!(create(c, &bad), Err(StoreError::Invalid { .. })));
    }
}
