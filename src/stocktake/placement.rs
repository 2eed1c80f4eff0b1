//! Where one identity was: RFID bleeds across neighbouring shelves, so a tag
//! read in several locations is placed by signal before anything is called
//! misplaced.
//!
//! 1. A barcode scan places exactly (the latest one, if scanned in several).
//! 2. Otherwise the best RSSI wins, counting only locations where the tag was
//!    read at least twice (one stray read across a shelf is not evidence).
//!    If the runner-up's best RSSI (also from ≥ 2 reads) is within
//!    [`DUPLICATE_DB`] of it, the tag is a `duplicate`: the signal cannot say.
//! 3. Without such readings: the most reads, then the last seen.

/// Best RSSIs this close (dB) in two locations cannot tell them apart.
pub const DUPLICATE_DB: f64 = 3.0;

/// One identity's reads at one location.
#[derive(Debug, Clone, PartialEq)]
pub struct Sighting<L> {
    pub location: L,
    /// A barcode scan (exact), not an RFID read.
    pub exact: bool,
    pub reads: u32,
    pub best_rssi: Option<f64>,
    /// RFC 3339 UTC (`YYYY-MM-DDTHH:MM:SS.mmmZ`): compares as text.
    pub last_seen: String,
}

/// Where it is.
#[derive(Debug, Clone, PartialEq)]
pub enum Placement<L> {
    At(L),
    /// Read as strongly in both (best RSSIs within [`DUPLICATE_DB`]).
    Duplicate(L, L),
}

/// Places one identity from its sightings; `None` when there are none.
pub fn place<L: Clone>(sightings: &[Sighting<L>]) -> Option<Placement<L>> {
    if let Some(s) = sightings
        .iter()
        .filter(|s| s.exact)
        .max_by(|a, b| a.last_seen.cmp(&b.last_seen))
    {
        return Some(Placement::At(s.location.clone()));
    }
    let mut trusted: Vec<(&Sighting<L>, f64)> = sightings
        .iter()
        .filter(|s| s.reads >= 2)
        .filter_map(|s| s.best_rssi.filter(|r| r.is_finite()).map(|r| (s, r)))
        .collect();
    trusted.sort_by(|a, b| b.1.total_cmp(&a.1));
    match trusted.as_slice() {
        [(a, ra), (b, rb), ..] if ra - rb <= DUPLICATE_DB => {
            return Some(Placement::Duplicate(a.location.clone(), b.location.clone()))
        }
        [(a, _), ..] => return Some(Placement::At(a.location.clone())),
        [] => {}
    }
    sightings
        .iter()
        .max_by(|a, b| {
            a.reads
                .cmp(&b.reads)
                .then_with(|| a.last_seen.cmp(&b.last_seen))
        })
        .map(|s| Placement::At(s.location.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(
        loc: &'static str,
        exact: bool,
        reads: u32,
        rssi: Option<f64>,
        t: u32,
    ) -> Sighting<&'static str> {
        Sighting {
            location: loc,
            exact,
            reads,
            best_rssi: rssi,
            last_seen: format!("2026-12-03T10:00:{t:02}.000Z"),
        }
    }

    #[test]
    fn the_table() {
        use Placement::*;
        type Case = (
            &'static str,
            Vec<Sighting<&'static str>>,
            Option<Placement<&'static str>>,
        );
        let cases: Vec<Case> = vec![
            ("nothing read", vec![], None),
            (
                "one location",
                vec![s("A", false, 1, Some(-70.0), 1)],
                Some(At("A")),
            ),
            (
                "best RSSI from two reads wins",
                vec![
                    s("A", false, 5, Some(-70.0), 9),
                    s("B", false, 2, Some(-50.0), 1),
                ],
                Some(At("B")),
            ),
            (
                "a single strong read is not trusted",
                vec![
                    s("A", false, 3, Some(-70.0), 1),
                    s("B", false, 1, Some(-40.0), 9),
                ],
                Some(At("A")),
            ),
            (
                "within 3 dB, each from two reads: duplicate",
                vec![
                    s("A", false, 4, Some(-52.0), 1),
                    s("B", false, 2, Some(-50.0), 2),
                ],
                Some(Duplicate("B", "A")),
            ),
            (
                "exactly 3 dB apart is still a duplicate",
                vec![
                    s("A", false, 2, Some(-53.0), 1),
                    s("B", false, 2, Some(-50.0), 2),
                ],
                Some(Duplicate("B", "A")),
            ),
            (
                "3.5 dB apart is placed",
                vec![
                    s("A", false, 2, Some(-53.5), 1),
                    s("B", false, 2, Some(-50.0), 2),
                ],
                Some(At("B")),
            ),
            (
                "within 3 dB but one from a single read: placed by signal",
                vec![
                    s("A", false, 1, Some(-50.0), 1),
                    s("B", false, 2, Some(-51.0), 2),
                ],
                Some(At("B")),
            ),
            (
                "no trusted RSSI: most reads",
                vec![s("A", false, 1, None, 9), s("B", false, 3, None, 1)],
                Some(At("B")),
            ),
            (
                "same reads: last seen",
                vec![s("A", false, 1, None, 9), s("B", false, 1, None, 1)],
                Some(At("A")),
            ),
            (
                "a barcode scan places exactly",
                vec![s("A", false, 9, Some(-40.0), 9), s("B", true, 1, None, 1)],
                Some(At("B")),
            ),
            (
                "the latest of two barcode scans",
                vec![s("A", true, 1, None, 3), s("B", true, 1, None, 1)],
                Some(At("A")),
            ),
            (
                "NaN RSSI is not trusted",
                vec![
                    s("A", false, 2, Some(f64::NAN), 9),
                    s("B", false, 2, Some(-80.0), 1),
                ],
                Some(At("B")),
            ),
        ];
        for (what, sightings, want) in cases {
            assert_eq!(place(&sightings), want, "{what}");
        }
    }
}
