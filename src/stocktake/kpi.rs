//! Stock-take KPIs: accuracy (found ÷ expected), locations covered, scans
//! per hour per operator, the value of what is missing (per currency, in
//! minor units: never floating point), and the trend over past stock-takes
//! as a sparkline. The figures are pure functions of the reconciliation and
//! the journal's counts; [`kpis`] gathers them from the store.

use super::reconcile::Kind;
use super::report::reconciliation;
use crate::store::{self, StoreError};
use serde::Serialize;
use std::collections::BTreeMap;

/// One operator's pace in one stock-take.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Pace {
    pub operator: Option<String>,
    pub scans: u64,
    /// Scans ÷ hours between the first and the last; None under a minute.
    pub per_hour: Option<f64>,
}

/// One stock-take's KPIs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Kpi {
    pub id: i64,
    pub name: String,
    pub status: String,
    pub started_at: String,
    pub expected: u64,
    pub found: u64,
    /// found ÷ expected (1 when nothing was expected).
    pub accuracy: f64,
    pub locations: u64,
    pub locations_covered: u64,
    /// Currency code → sum of the missing assets' cost, minor units.
    pub missing_value: BTreeMap<String, i64>,
    pub operators: Vec<Pace>,
}

/// found ÷ expected; 1 when nothing was expected.
pub fn accuracy(found: u64, expected: u64) -> f64 {
    if expected == 0 {
        1.0
    } else {
        found as f64 / expected as f64
    }
}

/// Scans per hour between two RFC 3339 times; None under a minute or when
/// a time does not parse.
pub fn per_hour(scans: u64, first: &str, last: &str) -> Option<f64> {
    let a = crate::timefmt::parse_rfc3339(first)?;
    let b = crate::timefmt::parse_rfc3339(last)?;
    let secs = b.duration_since(a).ok()?.as_secs_f64();
    (secs >= 60.0).then(|| scans as f64 * 3600.0 / secs)
}

/// A sparkline of values in 0..=1, one block each.
pub fn sparkline(values: &[f64]) -> String {
    const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
    values
        .iter()
        .map(|v| {
            let v = if v.is_finite() {
                v.clamp(0.0, 1.0)
            } else {
                0.0
            };
            BARS[((v * 7.0).round() as usize).min(7)]
        })
        .collect()
}

/// Every stock-take's KPIs, oldest first (the trend).
pub fn kpis(conn: &rusqlite::Connection) -> Result<Vec<Kpi>, StoreError> {
    let mut all = store::stocktake::list(conn)?;
    all.reverse();
    let mut out = Vec::with_capacity(all.len());
    for st in all {
        let Some((_, scope, rec)) = reconciliation(conn, st.id)? else {
            continue;
        };
        let missing: Vec<i64> = rec
            .items
            .iter()
            .filter(|i| i.kind == Kind::Missing)
            .filter_map(|i| i.asset)
            .collect();
        let missing_value = store::stocktake::value_of(conn, &missing)?;
        let operators = store::stocktake::reads_by_operator(conn, st.id)?
            .into_iter()
            .map(|o| Pace {
                per_hour: per_hour(o.events, &o.first_at, &o.last_at),
                operator: o.operator,
                scans: o.events,
            })
            .collect();
        out.push(Kpi {
            id: st.id,
            name: st.name,
            status: st.status,
            started_at: st.started_at,
            expected: rec.totals.expected,
            found: rec.totals.found,
            accuracy: accuracy(rec.totals.found, rec.totals.expected),
            locations: scope.len() as u64,
            locations_covered: store::stocktake::counted_locations(conn, st.id)?.len() as u64,
            missing_value,
            operators,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn figures() {
        assert_eq!(accuracy(0, 0), 1.0);
        assert_eq!(accuracy(3, 4), 0.75);
        assert_eq!(
            per_hour(30, "2026-12-03T10:00:00.000Z", "2026-12-03T10:30:00.000Z"),
            Some(60.0)
        );
        assert_eq!(
            per_hour(5, "2026-12-03T10:00:00.000Z", "2026-12-03T10:00:30.000Z"),
            None
        );
        assert_eq!(per_hour(5, "nonsense", "2026-12-03T10:00:30.000Z"), None);
        assert_eq!(sparkline(&[0.0, 0.5, 1.0, f64::NAN, 2.0]), "▁▅█▁█");
    }
}
