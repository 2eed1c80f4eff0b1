//! What a stock-take's counts mean, per location and for the scope: found,
//! missing, misplaced (and where), unexpected, unknown, duplicate.
//!
//! Reads are grouped by identity — an asset, or a code that matches none —
//! and each identity is placed ([`super::placement`]). An asset placed where
//! it was expected is found; placed elsewhere in the scope, misplaced; not
//! expected anywhere in the scope, unexpected; expected and never placed,
//! missing. A code that matches no asset is unknown (kept for enrolment); a
//! code two assets share, or a tag the signal cannot place, is a duplicate.

use super::placement::{place, Placement, Sighting};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// One identity's reads at one location (held reads are not given).
#[derive(Debug, Clone, PartialEq)]
pub struct Read {
    pub location: i64,
    pub asset: Option<i64>,
    pub code: String,
    /// The code belongs to more than one asset (a shared EPC).
    pub shared: bool,
    /// A barcode scan: places exactly.
    pub exact: bool,
    pub reads: u32,
    pub best_rssi: Option<f64>,
    pub last_seen: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Found,
    Misplaced,
    Unexpected,
    Duplicate,
    Unknown,
    Missing,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Found => "found",
            Kind::Misplaced => "misplaced",
            Kind::Unexpected => "unexpected",
            Kind::Duplicate => "duplicate",
            Kind::Unknown => "unknown",
            Kind::Missing => "missing",
        }
    }
}

/// One line of the result.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub kind: Kind,
    pub asset: Option<i64>,
    /// The code read (None for a missing asset: nothing was read).
    pub code: Option<String>,
    pub expected: Option<i64>,
    pub seen: Option<i64>,
    pub seen_at: Option<String>,
}

/// One location's figures.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LocationCounts {
    pub location: i64,
    pub expected: u64,
    pub found: u64,
    pub missing: u64,
    /// Found here, expected elsewhere in the scope.
    pub misplaced_here: u64,
    pub unexpected: u64,
    pub unknown: u64,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Totals {
    pub expected: u64,
    pub found: u64,
    pub missing: u64,
    pub misplaced: u64,
    pub unexpected: u64,
    pub unknown: u64,
    pub duplicate: u64,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reconciliation {
    pub totals: Totals,
    /// In scope order.
    pub locations: Vec<LocationCounts>,
    /// By kind, then asset, then code.
    pub items: Vec<Item>,
}

/// Reconciles `reads` against `expected` (asset, location) over `scope`.
pub fn reconcile(scope: &[i64], expected: &[(i64, i64)], reads: &[Read]) -> Reconciliation {
    let expected_at: HashMap<i64, i64> = expected.iter().copied().collect();
    // Identities: an asset, or a code (unknown or shared).
    let mut by_identity: BTreeMap<(Option<i64>, String), Vec<&Read>> = BTreeMap::new();
    for r in reads {
        let key = match r.asset {
            Some(a) if !r.shared => (Some(a), String::new()),
            _ => (None, r.code.clone()),
        };
        by_identity.entry(key).or_default().push(r);
    }
    let mut items = Vec::new();
    let mut placed = std::collections::HashSet::new();
    for ((asset, code), rs) in &by_identity {
        let sightings: Vec<Sighting<i64>> = rs
            .iter()
            .map(|r| Sighting {
                location: r.location,
                exact: r.exact,
                reads: r.reads,
                best_rssi: r.best_rssi,
                last_seen: r.last_seen.clone(),
            })
            .collect();
        let Some(p) = place(&sightings) else { continue };
        let (seen, dup) = match p {
            Placement::At(l) => (l, false),
            Placement::Duplicate(l, _) => (l, true),
        };
        // The latest read at the placed location names the code and time.
        let at = rs
            .iter()
            .filter(|r| r.location == seen)
            .max_by(|a, b| a.last_seen.cmp(&b.last_seen));
        let shown = at.map(|r| r.code.clone()).unwrap_or_else(|| code.clone());
        let seen_at = at.map(|r| r.last_seen.clone());
        let shared = rs.iter().any(|r| r.shared);
        let exp = asset.and_then(|a| expected_at.get(&a).copied());
        let kind = match (asset, exp) {
            _ if dup || shared => Kind::Duplicate,
            (None, _) => Kind::Unknown,
            (Some(_), Some(e)) if e == seen => Kind::Found,
            (Some(_), Some(_)) => Kind::Misplaced,
            (Some(_), None) => Kind::Unexpected,
        };
        if let Some(a) = asset {
            placed.insert(*a);
        }
        items.push(Item {
            kind,
            asset: *asset,
            code: Some(shown),
            expected: exp,
            seen: Some(seen),
            seen_at,
        });
    }
    for (asset, loc) in expected {
        if !placed.contains(asset) {
            items.push(Item {
                kind: Kind::Missing,
                asset: Some(*asset),
                code: None,
                expected: Some(*loc),
                seen: None,
                seen_at: None,
            });
        }
    }
    items.sort_by(|a, b| (a.kind, a.asset, &a.code).cmp(&(b.kind, b.asset, &b.code)));

    let mut locations: Vec<LocationCounts> = scope
        .iter()
        .map(|l| LocationCounts {
            location: *l,
            ..Default::default()
        })
        .collect();
    let index: HashMap<i64, usize> = scope.iter().enumerate().map(|(i, l)| (*l, i)).collect();
    let at = |l: Option<i64>| l.and_then(|l| index.get(&l).copied());
    for (_, l) in expected {
        if let Some(i) = at(Some(*l)) {
            locations[i].expected += 1;
        }
    }
    let mut totals = Totals {
        expected: expected.len() as u64,
        ..Default::default()
    };
    for it in &items {
        match it.kind {
            Kind::Found => {
                totals.found += 1;
                if let Some(i) = at(it.seen) {
                    locations[i].found += 1;
                }
            }
            Kind::Missing => {
                totals.missing += 1;
                if let Some(i) = at(it.expected) {
                    locations[i].missing += 1;
                }
            }
            Kind::Misplaced => {
                totals.misplaced += 1;
                if let Some(i) = at(it.seen) {
                    locations[i].misplaced_here += 1;
                }
            }
            Kind::Unexpected => {
                totals.unexpected += 1;
                if let Some(i) = at(it.seen) {
                    locations[i].unexpected += 1;
                }
            }
            Kind::Unknown => {
                totals.unknown += 1;
                if let Some(i) = at(it.seen) {
                    locations[i].unknown += 1;
                }
            }
            Kind::Duplicate => totals.duplicate += 1,
        }
    }
    Reconciliation {
        totals,
        locations,
        items,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rd(
        loc: i64,
        asset: Option<i64>,
        code: &str,
        exact: bool,
        reads: u32,
        rssi: Option<f64>,
    ) -> Read {
        Read {
            location: loc,
            asset,
            code: code.into(),
            shared: false,
            exact,
            reads,
            best_rssi: rssi,
            last_seen: "2026-12-03T10:00:00.000Z".into(),
        }
    }

    /// (kind, asset, expected, seen) of each item.
    type Row = (Kind, Option<i64>, Option<i64>, Option<i64>);

    fn kinds(r: &Reconciliation) -> Vec<Row> {
        r.items
            .iter()
            .map(|i| (i.kind, i.asset, i.expected, i.seen))
            .collect()
    }

    #[test]
    fn the_table() {
        use Kind::*;
        let scope = [10, 20];
        let expected = [(1, 10), (2, 10), (3, 20), (4, 20)];
        let mut shared = rd(20, Some(7), "EPCSHARED", false, 3, Some(-60.0));
        shared.shared = true;
        let reads = vec![
            // 1 found by barcode at 10, though it bled into 20.
            rd(10, Some(1), "A-1", true, 1, None),
            rd(20, Some(1), "EPC1", false, 5, Some(-40.0)),
            // 2 read faintly at 10 and strongly at 20: misplaced to 20.
            rd(10, Some(2), "EPC2", false, 2, Some(-75.0)),
            rd(20, Some(2), "EPC2", false, 4, Some(-50.0)),
            // 3 and 4 never read: missing. 5 not expected: unexpected at 10.
            rd(10, Some(5), "A-5", true, 1, None),
            // 6 read as strongly in both: duplicate.
            rd(10, Some(6), "EPC6", false, 2, Some(-55.0)),
            rd(20, Some(6), "EPC6", false, 2, Some(-54.0)),
            // An unknown code at 20, and an EPC two assets share.
            rd(20, None, "ZX-9", true, 1, None),
            shared,
        ];
        let r = reconcile(&scope, &expected, &reads);
        assert_eq!(
            kinds(&r),
            vec![
                (Found, Some(1), Some(10), Some(10)),
                (Misplaced, Some(2), Some(10), Some(20)),
                (Unexpected, Some(5), None, Some(10)),
                (Duplicate, None, None, Some(20)),
                (Duplicate, Some(6), None, Some(20)),
                (Unknown, None, None, Some(20)),
                (Missing, Some(3), Some(20), None),
                (Missing, Some(4), Some(20), None),
            ]
        );
        assert_eq!(
            r.totals,
            Totals {
                expected: 4,
                found: 1,
                missing: 2,
                misplaced: 1,
                unexpected: 1,
                unknown: 1,
                duplicate: 2
            }
        );
        assert_eq!(
            r.locations,
            vec![
                LocationCounts {
                    location: 10,
                    expected: 2,
                    found: 1,
                    missing: 0,
                    misplaced_here: 0,
                    unexpected: 1,
                    unknown: 0
                },
                LocationCounts {
                    location: 20,
                    expected: 2,
                    found: 0,
                    missing: 2,
                    misplaced_here: 1,
                    unexpected: 0,
                    unknown: 1
                },
            ]
        );
    }

    #[test]
    fn nothing_read_everything_missing() {
        let r = reconcile(&[1], &[(5, 1)], &[]);
        assert_eq!(r.totals.missing, 1);
        assert_eq!(r.locations[0].missing, 1);
        assert_eq!(r.items[0].code, None);
    }
}
