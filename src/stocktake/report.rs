//! A stock-take's result as people read it: the reconciliation with asset
//! tags and location codes in place of ids, in the shape contracts.md gives
//! `report stocktake` (JSON), and as CSV and an 80-column table. The mode's
//! live panel reads the same figures.

use super::reconcile::{reconcile, Kind, Read, Reconciliation, Totals};
use crate::store::{self, stocktake::StocktakeRow, StoreError};
use serde::Serialize;
use std::collections::HashMap;
use std::io::Write;

/// One location's figures, by code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LocationLine {
    pub code: String,
    pub expected: u64,
    pub found: u64,
    pub missing: u64,
    pub misplaced_here: u64,
    pub unexpected: u64,
    pub unknown: u64,
}

/// One item, by tag and code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ItemLine {
    pub kind: Kind,
    pub asset: Option<String>,
    pub code: String,
    pub expected_location: Option<String>,
    pub seen_location: Option<String>,
    pub seen_at: Option<String>,
    /// Ids for the actions (not part of the report's JSON).
    #[serde(skip)]
    pub asset_id: Option<i64>,
    #[serde(skip)]
    pub seen_location_id: Option<i64>,
}

/// `report stocktake` as contracts.md has it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub id: i64,
    pub name: String,
    pub status: String,
    pub totals: Totals,
    pub locations: Vec<LocationLine>,
    pub items: Vec<ItemLine>,
}

/// Reconciles stock-take `id` as its reads stand (held reads not counted).
pub fn reconciliation(
    conn: &rusqlite::Connection,
    id: i64,
) -> Result<Option<(StocktakeRow, Vec<i64>, Reconciliation)>, StoreError> {
    let Some(st) = store::stocktake::get(conn, id)? else {
        return Ok(None);
    };
    let scope = store::stocktake::scope(conn, id)?;
    let expected = store::stocktake::expected(conn, id)?;
    let reads: Vec<Read> = store::stocktake::placed_reads(conn, id)?
        .into_iter()
        .filter_map(|r| {
            Some(Read {
                location: r.location_id?,
                asset: r.asset_id,
                code: r.code,
                shared: r.shared,
                exact: r.via == "scan",
                reads: r.read_count,
                best_rssi: r.best_rssi,
                last_seen: r.last_seen,
            })
        })
        .collect();
    let rec = reconcile(&scope, &expected, &reads);
    Ok(Some((st, scope, rec)))
}

/// Codes of locations and tags of assets, looked up once each — or all at
/// once for a whole stock-take ([`Names::of`]).
#[derive(Default)]
pub struct Names {
    locations: HashMap<i64, String>,
    tags: HashMap<i64, String>,
    /// Filled for a whole stock-take: what is not there has no name.
    complete: bool,
}

impl Names {
    /// Every name stock-take `id` can need, in two set-based queries.
    pub fn of(conn: &rusqlite::Connection, id: i64) -> Result<Names, StoreError> {
        Ok(Names {
            locations: store::stocktake::location_codes(conn, id)?,
            tags: store::stocktake::tags(conn, id)?,
            complete: true,
        })
    }

    pub fn location(&mut self, conn: &rusqlite::Connection, id: i64) -> Result<String, StoreError> {
        if let Some(c) = self.locations.get(&id) {
            return Ok(c.clone());
        }
        if self.complete {
            return Ok(format!("#{id}"));
        }
        let code = store::locations::get(conn, id)?
            .map(|l| l.code)
            .unwrap_or_else(|| format!("#{id}"));
        self.locations.insert(id, code.clone());
        Ok(code)
    }

    pub fn tag(&mut self, conn: &rusqlite::Connection, id: i64) -> Result<String, StoreError> {
        if let Some(t) = self.tags.get(&id) {
            return Ok(t.clone());
        }
        if self.complete {
            return Ok(format!("#{id}"));
        }
        let tag = store::identifiers::first_of_kind(conn, id, "asset_tag")?
            .unwrap_or_else(|| format!("#{id}"));
        self.tags.insert(id, tag.clone());
        Ok(tag)
    }
}

/// The report of stock-take `id`; `None` when there is no such stock-take.
pub fn report(conn: &rusqlite::Connection, id: i64) -> Result<Option<Report>, StoreError> {
    let Some((st, _scope, rec)) = reconciliation(conn, id)? else {
        return Ok(None);
    };
    let mut names = Names::of(conn, id)?;
    let mut locations = Vec::with_capacity(rec.locations.len());
    for l in &rec.locations {
        locations.push(LocationLine {
            code: names.location(conn, l.location)?,
            expected: l.expected,
            found: l.found,
            missing: l.missing,
            misplaced_here: l.misplaced_here,
            unexpected: l.unexpected,
            unknown: l.unknown,
        });
    }
    let mut items = Vec::with_capacity(rec.items.len());
    for it in &rec.items {
        let asset = match it.asset {
            Some(a) => Some(names.tag(conn, a)?),
            None => None,
        };
        let code = it
            .code
            .clone()
            .or_else(|| asset.clone())
            .unwrap_or_default();
        items.push(ItemLine {
            kind: it.kind,
            asset,
            code,
            expected_location: match it.expected {
                Some(l) => Some(names.location(conn, l)?),
                None => None,
            },
            seen_location: match it.seen {
                Some(l) => Some(names.location(conn, l)?),
                None => None,
            },
            seen_at: it.seen_at.clone(),
            asset_id: it.asset,
            seen_location_id: it.seen,
        });
    }
    Ok(Some(Report {
        id: st.id,
        name: st.name,
        status: st.status,
        totals: rec.totals,
        locations,
        items,
    }))
}

/// The items as CSV, one row each (the totals are in the JSON and the table).
pub fn write_csv(r: &Report, out: impl Write) -> Result<(), csv::Error> {
    let mut w = csv::Writer::from_writer(out);
    w.write_record([
        "kind",
        "asset",
        "code",
        "expected_location",
        "seen_location",
        "seen_at",
    ])?;
    for it in &r.items {
        w.write_record([
            it.kind.as_str(),
            it.asset.as_deref().unwrap_or(""),
            &it.code,
            it.expected_location.as_deref().unwrap_or(""),
            it.seen_location.as_deref().unwrap_or(""),
            it.seen_at.as_deref().unwrap_or(""),
        ])?;
    }
    w.flush()?;
    Ok(())
}

/// Cuts `s` to `n` characters.
fn cut(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut t: String = s.chars().take(n.saturating_sub(1)).collect();
        t.push('…');
        t
    }
}

/// A table at 80 columns: totals, one line per location, then the items
/// that need someone (all but found).
pub fn write_table(r: &Report, mut out: impl Write) -> std::io::Result<()> {
    let t = &r.totals;
    writeln!(
        out,
        "Stock-take {} · {} · {}",
        r.id,
        cut(&r.name, 50),
        r.status
    )?;
    writeln!(
        out,
        "expected {} · found {} · missing {} · misplaced {}",
        t.expected, t.found, t.missing, t.misplaced
    )?;
    writeln!(
        out,
        "unexpected {} · unknown {} · duplicate {}",
        t.unexpected, t.unknown, t.duplicate
    )?;
    writeln!(out)?;
    writeln!(
        out,
        "{:<23} {:>8} {:>8} {:>8} {:>10} {:>10} {:>7}",
        "LOCATION", "EXPECTED", "FOUND", "MISSING", "MISPLACED", "UNEXPECTED", "UNKNOWN"
    )?;
    for l in &r.locations {
        writeln!(
            out,
            "{:<23} {:>8} {:>8} {:>8} {:>10} {:>10} {:>7}",
            cut(&l.code, 23),
            l.expected,
            l.found,
            l.missing,
            l.misplaced_here,
            l.unexpected,
            l.unknown
        )?;
    }
    let open: Vec<&ItemLine> = r.items.iter().filter(|i| i.kind != Kind::Found).collect();
    if !open.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "{:<10} {:<14} {:<24} {:<14} SEEN",
            "KIND", "ASSET", "CODE", "EXPECTED"
        )?;
        for i in open {
            let line = format!(
                "{:<10} {:<14} {:<24} {:<14} {:<14}",
                i.kind.as_str(),
                cut(i.asset.as_deref().unwrap_or("-"), 14),
                cut(&i.code, 24),
                cut(i.expected_location.as_deref().unwrap_or("-"), 14),
                cut(i.seen_location.as_deref().unwrap_or("-"), 14)
            );
            writeln!(out, "{}", line.trim_end())?;
        }
    }
    Ok(())
}
