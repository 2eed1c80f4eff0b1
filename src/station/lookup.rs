//! Lookup mode's reads: which asset a scanned identifier names, and the cards
//! the panel shows (asset, location). Reads only; the station calls them inside
//! its write transaction so that a card includes the scan that asked for it.
//!
//! # Matching a scan
//! [`lookup_scan`] is a pure function of the connection, the classified
//! identity and the [`MatchRules`], so any workflow can call it. It tries, in
//! order, and stops at the first step that names an asset:
//! 1. the identity's own kind (an asset tag under `asset_tag`, an EPC under
//!    `epc`, a GTIN + serial under `gtin_serial` …);
//! 2. what the identity decodes to: a GTIN + serial ((01)+(21), or an SGTIN
//!    EPC) finds the asset with that serial, preferring one whose model lists
//!    the GTIN; a GIAI (8004, or a GIAI EPC) finds the asset with that `giai`
//!    identifier, or whose tag is the GIAI's asset reference when the company
//!    prefix is ours (or none is configured);
//! 3. the value under any kind, asset tags first.
//!
//! Values match ignoring ASCII case unless their kind is listed in
//! `[identify] case_sensitive`. A step that names several assets (two tags
//! that differ only in case, one serial on two assets of unknown model) is
//! [`LookupResult::Ambiguous`]: the station asks which, it never picks one.

use super::classify::{Identity, IdentityKind};
use super::outcome::{AssetCard, HistoryLine, LocationCard};
use crate::codec::epc;
use crate::config::IdentifyConfig;
use crate::store::{self, identifiers::Hit, journal::EventRow, StoreError};
use rusqlite::{params, Connection};
use serde_json::{json, Value};

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

/// How scans match stored identifiers; built once from the config.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MatchRules {
    /// Identifier kinds matched exactly; all others ignore ASCII case.
    pub case_sensitive: Vec<String>,
    /// The organisation's GS1 company prefix: a GIAI under it names an asset
    /// tag. `None`: any prefix does.
    pub company_prefix: Option<String>,
}

impl MatchRules {
    pub fn new(cfg: &IdentifyConfig) -> MatchRules {
        MatchRules {
            case_sensitive: cfg.case_sensitive.clone(),
            company_prefix: cfg.gs1_company_prefix.clone(),
        }
    }

    /// Whether a stored identifier matches the scanned value under these
    /// rules (the store already matched it ignoring case).
    fn accepts(&self, hit: &Hit, scanned: &str) -> bool {
        hit.value == scanned || !self.case_sensitive.contains(&hit.kind)
    }
}

/// One asset a scan may name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub asset_id: i64,
    /// The identifier kind it matched under, and the value as stored.
    pub kind: String,
    pub value: String,
    pub status: String,
    /// The asset's tag, read when the station has to name the asset: with
    /// several candidates, or a status to warn about. `None` otherwise, or
    /// when the asset has no tag.
    pub tag: Option<String>,
}

impl Candidate {
    fn from_hit(h: Hit) -> Candidate {
        Candidate {
            asset_id: h.asset_id,
            kind: h.kind,
            value: h.value,
            status: h.status,
            tag: None,
        }
    }

    /// The asset's tag, or `#id` when it has none.
    pub fn name(&self) -> String {
        self.tag
            .clone()
            .unwrap_or_else(|| format!("#{}", self.asset_id))
    }
}

/// Which asset a scan names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LookupResult {
    Found(Candidate),
    /// Several assets, one per candidate, in the store's order: ask which.
    Ambiguous(Vec<Candidate>),
    NotFound,
}

impl LookupResult {
    /// The one asset found, if exactly one was.
    pub fn asset_id(&self) -> Option<i64> {
        match self {
            LookupResult::Found(c) => Some(c.asset_id),
            _ => None,
        }
    }

    /// Every asset the scan may name.
    pub fn candidates(&self) -> &[Candidate] {
        match self {
            LookupResult::Found(c) => std::slice::from_ref(c),
            LookupResult::Ambiguous(cs) => cs,
            LookupResult::NotFound => &[],
        }
    }

    /// Records what was found in a `scan` / `rfid.read` payload: `asset_id`
    /// and `matched` (the identifier kind) for one asset; `asset_ids` (so the
    /// event is in each one's history) and `ambiguous` for several.
    pub fn annotate(&self, payload: &mut Value) {
        match self {
            LookupResult::Found(c) => {
                payload["asset_id"] = json!(c.asset_id);
                payload["matched"] = json!(c.kind);
            }
            LookupResult::Ambiguous(cs) => {
                payload["asset_ids"] = json!(cs.iter().map(|c| c.asset_id).collect::<Vec<_>>());
                payload["ambiguous"] = json!(true);
            }
            LookupResult::NotFound => {}
        }
    }
}

/// The asset(s) a classified scan names; see the module docs for the order.
pub fn lookup_scan(
    conn: &Connection,
    identity: &Identity<'_>,
    rules: &MatchRules,
) -> Result<LookupResult, StoreError> {
    let mut r = find(conn, identity, rules)?;
    let named = match &mut r {
        LookupResult::Found(c) if status_warning(&c.status).is_some() => std::slice::from_mut(c),
        LookupResult::Ambiguous(cs) => cs.as_mut_slice(),
        _ => &mut [],
    };
    for c in named {
        c.tag = store::identifiers::first_of_kind(conn, c.asset_id, "asset_tag")?;
    }
    Ok(r)
}

fn find(
    conn: &Connection,
    identity: &Identity<'_>,
    rules: &MatchRules,
) -> Result<LookupResult, StoreError> {
    let value = identity.value.as_ref();
    if value.is_empty() {
        return Ok(LookupResult::NotFound);
    }
    macro_rules! try_step {
        ($step:expr) => {
            let r = $step;
            if r != LookupResult::NotFound {
                return Ok(r);
            }
        };
    }
    if let Some(kind) = identifier_kind(identity.kind) {
        try_step!(under_kind(conn, rules, kind, value)?);
    }
    match identity.kind {
        IdentityKind::GtinSerial => {
            if let Some((gtin, serial)) = crate::identify::gtin_serial_parts(value) {
                try_step!(by_serial(conn, rules, gtin, serial)?);
            }
        }
        IdentityKind::Giai => {
            try_step!(by_giai_tag(conn, rules, value, None)?);
        }
        IdentityKind::Epc => {
            if let Ok(tag) = epc::decode_hex(value) {
                try_step!(by_epc(conn, rules, &tag)?);
            }
        }
        _ => {}
    }
    any_kind(conn, rules, value)
}

/// Under one kind: every distinct asset whose identifier matches.
fn under_kind(
    conn: &Connection,
    rules: &MatchRules,
    kind: &str,
    value: &str,
) -> Result<LookupResult, StoreError> {
    let hits = store::identifiers::matching(conn, Some(kind), value)?;
    Ok(one_or_all(
        hits.into_iter().filter(|h| rules.accepts(h, value)),
    ))
}

/// Under any kind: asset tags first; several assets in the first tier that has
/// any are ambiguous.
fn any_kind(
    conn: &Connection,
    rules: &MatchRules,
    value: &str,
) -> Result<LookupResult, StoreError> {
    let hits: Vec<Hit> = store::identifiers::matching(conn, None, value)?
        .into_iter()
        .filter(|h| rules.accepts(h, value))
        .collect();
    let tags = hits.iter().any(|h| h.kind == "asset_tag");
    Ok(one_or_all(
        hits.into_iter().filter(|h| !tags || h.kind == "asset_tag"),
    ))
}

/// A GTIN + serial: the asset with that serial, preferring one whose model
/// lists the GTIN, then one whose model lists no GTIN, then the others.
fn by_serial(
    conn: &Connection,
    rules: &MatchRules,
    gtin: &str,
    serial: &str,
) -> Result<LookupResult, StoreError> {
    let hits: Vec<Hit> = store::identifiers::matching(conn, Some("serial"), serial)?
        .into_iter()
        .filter(|h| rules.accepts(h, serial))
        .collect();
    let mut ranked = Vec::with_capacity(hits.len());
    for h in hits {
        let rank = gtin_rank(&store::identifiers::model_gtins(conn, h.asset_id)?, gtin);
        ranked.push((rank, h));
    }
    let Some(best) = ranked.iter().map(|(rank, _)| *rank).min() else {
        return Ok(LookupResult::NotFound);
    };
    Ok(one_or_all(
        ranked
            .into_iter()
            .filter(|(rank, _)| *rank == best)
            .map(|(_, h)| h),
    ))
}

/// 0: the asset's model lists `gtin`; 1: its GTINs are unknown; 2: they are
/// known and `gtin` is not among them.
fn gtin_rank(listed: &[String], gtin: &str) -> u8 {
    let digits = |g: &str| g.trim_start_matches('0').to_string();
    if listed.is_empty() {
        1
    } else if listed.iter().any(|g| digits(g) == digits(gtin)) {
        0
    } else {
        2
    }
}

/// A GIAI names the asset whose tag is its asset reference, when the company
/// prefix is ours (or none is configured). `prefix` is the EPC's own company
/// prefix when the GIAI came from an EPC; a scanned (8004) is split at the
/// configured prefix.
fn by_giai_tag(
    conn: &Connection,
    rules: &MatchRules,
    giai: &str,
    prefix: Option<&str>,
) -> Result<LookupResult, StoreError> {
    let ours = match (prefix, rules.company_prefix.as_deref()) {
        (Some(p), Some(o)) if p != o => return Ok(LookupResult::NotFound),
        (Some(p), _) => p,
        (None, Some(o)) => o,
        (None, None) => return Ok(LookupResult::NotFound),
    };
    match giai.strip_prefix(ours) {
        Some(reference) if !reference.is_empty() => under_kind(conn, rules, "asset_tag", reference),
        _ => Ok(LookupResult::NotFound),
    }
}

/// What an EPC decodes to: an SGTIN is a GTIN + serial; a GIAI a `giai`
/// identifier or an asset tag; a GRAI a `grai` identifier.
fn by_epc(
    conn: &Connection,
    rules: &MatchRules,
    tag: &epc::Epc,
) -> Result<LookupResult, StoreError> {
    let elements = tag.gs1_elements();
    match elements.as_slice() {
        [("01", gtin), ("21", serial)] => {
            let key = format!("(01){gtin}(21){serial}");
            let r = under_kind(conn, rules, "gtin_serial", &key)?;
            if r != LookupResult::NotFound {
                return Ok(r);
            }
            by_serial(conn, rules, gtin, serial)
        }
        [("8004", giai)] => {
            let r = under_kind(conn, rules, "giai", giai)?;
            if r != LookupResult::NotFound {
                return Ok(r);
            }
            by_giai_tag(conn, rules, giai, Some(&tag.company_prefix()))
        }
        [("8003", grai)] => under_kind(conn, rules, "grai", grai),
        _ => Ok(LookupResult::NotFound),
    }
}

/// One candidate per distinct asset, in the order of the hits.
fn one_or_all(hits: impl Iterator<Item = Hit>) -> LookupResult {
    let mut out: Vec<Candidate> = Vec::new();
    for h in hits {
        if !out.iter().any(|c| c.asset_id == h.asset_id) {
            out.push(Candidate::from_hit(h));
        }
    }
    match out.len() {
        0 => LookupResult::NotFound,
        1 => out
            .pop()
            .map_or(LookupResult::NotFound, LookupResult::Found),
        _ => LookupResult::Ambiguous(out),
    }
}

/// The warning a status deserves when its asset turns up at the bench: the
/// asset should not be here, or is being looked for.
pub fn status_warning(status: &str) -> Option<&'static str> {
    match status {
        "disposed" => Some("DISPOSED: recorded as disposed of, it should not be here"),
        "lost" => Some("LOST: reported lost; tell a supervisor it turned up"),
        "missing" => Some("MISSING: marked missing in a stock-take; it turned up here"),
        _ => None,
    }
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
