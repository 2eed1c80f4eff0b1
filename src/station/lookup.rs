//! Lookup mode's reads: which asset a scanned identifier names, and the cards
//! the panel shows (asset, location). Reads only; the station calls them inside
//! its write transaction so that a card includes the scan that asked for it.

use super::classify::IdentityKind;
use super::outcome::{AssetCard, HistoryLine, LocationCard};
use crate::store::{self, journal::EventRow, StoreError};
use rusqlite::{params, Connection};

/// How many history lines a card carries.
pub const HISTORY_LINES: usize = 20;

/// The identifier kind a classified scan is looked up under first.
pub fn identifier_kind(kind: IdentityKind) -> Option<&'static str> {
    match kind {
        IdentityKind::AssetTag => Some("asset_tag"),
        IdentityKind::Serial => Some("serial"),
        IdentityKind::GtinSerial => Some("gtin_serial"),
        IdentityKind::Giai => Some("giai"),
        IdentityKind::Grai => Some("grai"),
        IdentityKind::Epc => Some("epc"),
        _ => None,
    }
}

/// The asset holding `value`: exactly under the classified kind first, then
/// under any kind (asset tags first). Returns (asset id, kind it matched).
pub fn find_asset(
    conn: &Connection,
    kind: IdentityKind,
    value: &str,
) -> Result<Option<(i64, String)>, StoreError> {
    if value.is_empty() {
        return Ok(None);
    }
    if let Some(k) = identifier_kind(kind) {
        if let Some(id) = store::identifiers::owner(conn, k, value)? {
            return Ok(Some((id, k.to_string())));
        }
    }
    Ok(store::identifiers::matches(conn, value)?.into_iter().next())
}

/// The card of asset `id`, history newest first.
pub fn asset_card(conn: &Connection, id: i64) -> Result<Option<AssetCard>, StoreError> {
    let Some(store::assets::AssetRow {
        status,
        model,
        manufacturer,
        category,
        location_code: loc_code,
        location: loc_name,
        ..
    }) = store::assets::get(conn, id)?
    else {
        return Ok(None);
    };
    let identifiers = store::identifiers::for_asset(conn, id)?;
    let tag = identifiers
        .iter()
        .find(|(k, _)| k == "asset_tag")
        .map(|(_, v)| v.clone())
        .unwrap_or_else(|| format!("#{id}"));
    let history = store::journal::for_asset(conn, id, HISTORY_LINES)?
        .iter()
        .map(history_line)
        .collect();
    Ok(Some(AssetCard {
        asset_id: id,
        tag,
        status,
        model,
        manufacturer,
        category,
        location: loc_code.map(|c| match loc_name {
            Some(n) => format!("{c} — {n}"),
            None => c,
        }),
        identifiers,
        history,
    }))
}

/// The banner line for an asset: `A-1001 · Dell Latitude 7440 · in_stock · LOC-R1-S2`.
pub fn asset_line(card: &AssetCard) -> String {
    asset_line_of(
        &card.tag,
        card.manufacturer.as_deref(),
        card.model.as_deref(),
        &card.status,
        card.location
            .as_deref()
            .map(|l| l.split(" — ").next().unwrap_or(l)),
    )
}

/// The banner line from its parts (location as its code).
pub fn asset_line_of(
    tag: &str,
    manufacturer: Option<&str>,
    model: Option<&str>,
    status: &str,
    location: Option<&str>,
) -> String {
    let mut parts = vec![tag.to_string()];
    match (manufacturer, model) {
        (Some(f), Some(m)) if !m.to_lowercase().starts_with(&f.to_lowercase()) => {
            parts.push(format!("{f} {m}"))
        }
        (_, Some(m)) => parts.push(m.to_string()),
        (Some(f), None) => parts.push(f.to_string()),
        (None, None) => {}
    }
    parts.push(status.to_string());
    if let Some(l) = location {
        parts.push(l.to_string());
    }
    parts.join(" · ")
}

/// The card of the location with this code (or GLN).
pub fn location_card(conn: &Connection, code: &str) -> Result<Option<LocationCard>, StoreError> {
    let loc = match store::locations::by_code(conn, code)? {
        Some(l) => Some(l),
        None => store::locations::by_gln(conn, code)?,
    };
    let Some(loc) = loc else {
        return Ok(None);
    };
    let path = store::locations::path(conn, loc.id)?;
    let asset_count: i64 = conn
        .prepare_cached("SELECT count(*) FROM assets WHERE location_id = ?1")?
        .query_row(params![loc.id], |r| r.get(0))?;
    Ok(Some(LocationCard {
        code: loc.code,
        name: loc.name,
        path,
        asset_count,
    }))
}

/// One line of an asset's history.
pub fn history_line(ev: &EventRow) -> HistoryLine {
    let p = &ev.payload;
    let s = |k: &str| p.get(k).and_then(|v| v.as_str()).unwrap_or_default();
    let summary = match ev.kind.as_str() {
        "scan" => format!(
            "scanned {} ({})",
            super::session::display_code(s("text"), false, 40),
            s("source")
        ),
        "rfid.read" => match p.get("antenna").and_then(|a| a.as_u64()) {
            Some(a) => format!("RFID read, antenna {a}"),
            None => "RFID read".to_string(),
        },
        "asset.created" => match s("via") {
            "" => format!("created, {}", s("status")),
            via => format!("created by {via}, {}", s("status")),
        },
        "asset.moved" => format!("moved to {}", s("to")),
        "asset.status_changed" => format!("status {} → {}", s("from"), s("to")),
        kind => kind.to_string(),
    };
    HistoryLine {
        seq: ev.seq,
        at: ev.at.clone(),
        kind: ev.kind.clone(),
        operator: ev.operator.clone(),
        summary,
    }
}
