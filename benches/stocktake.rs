//! Stock-take reconciliation (issue 12) against a floor measured in the same
//! run: 1,000,000 expected assets over 10,000 locations, about 1,000,000 read
//! rows (RFID with bleed into the neighbouring shelf, barcode scans,
//! misplaced, missing, duplicate, unexpected and unknown cases).
//!
//! * `report`: `stocktake::report::report` — the reads, the expected
//!   snapshot, the scope and every name loaded set-based, placement and
//!   reconciliation in Rust, the report's rows (per-location counts and the
//!   item list with tags and location codes).
//! * `floor`: one hand-written SQL statement producing the same rows
//!   (placement by window functions: a barcode scan first, then the best
//!   RSSI from ≥ 2 reads with the 3 dB duplicate rule, then most reads and
//!   last seen; the kinds; missing; per-location counts), fully read.
//!
//! The floor's rows are checked equal to the report's before timing.
//! Rounds interleave the two; medians and their ratio are printed (target
//! ≤ 1.5×).
//!
//! `cargo bench --bench stocktake`. Environment: `SCANSTATION_BENCH_ASSETS`
//! (default 1000000), `SCANSTATION_BENCH_LOCATIONS` (default 10000),
//! `SCANSTATION_BENCH_ROUNDS` (default 5).
#![allow(clippy::unwrap_used, clippy::expect_used)] // a bench/test/tool: a panic is a failed run

use rusqlite::{params, Connection};
use scanstation::stocktake::report;
use scanstation::store::{locations, stocktake, Store};
use std::time::{Duration, Instant};

fn env_usize(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn epc(n: usize) -> String {
    format!("E2801160{n:016X}")
}

/// Builds the site and its counts; returns the stock-take id.
fn build(store: &mut Store, n: usize, locs: usize) -> i64 {
    let t = Instant::now();
    let tx = store.write().unwrap();
    let c = tx.conn();
    let root = locations::create(c, "SITE", "Site", None, None).unwrap();
    let away = locations::create(c, "AWAY", "Elsewhere", None, None).unwrap();
    let mut loc_ids = Vec::with_capacity(locs);
    for l in 0..locs {
        loc_ids.push(locations::create(c, &format!("L{l:05}"), "Shelf", Some(root), None).unwrap());
    }
    let now = scanstation::timefmt::now();
    {
        let mut ins_asset = c
            .prepare(
                "INSERT INTO assets (id, status, location_id, created_at, updated_at) \
                 VALUES (?1, 'in_stock', ?2, ?3, ?3)",
            )
            .unwrap();
        let mut ins_id = c
            .prepare("INSERT INTO identifiers (asset_id, kind, value) VALUES (?1, ?2, ?3)")
            .unwrap();
        // n in scope, n / 200 elsewhere (read in the scope: unexpected).
        for i in 0..n + n / 200 {
            let loc = if i < n { loc_ids[i % locs] } else { away };
            let id = i as i64 + 1;
            ins_asset.execute(params![id, loc, now]).unwrap();
            ins_id
                .execute(params![id, "asset_tag", format!("T{i:07}")])
                .unwrap();
            ins_id.execute(params![id, "epc", epc(i)]).unwrap();
        }
    }
    let (id, _, expected) = stocktake::start(c, "bench", None, &[root], &now).unwrap();
    assert_eq!(expected as usize, n);
    {
        let mut ins = c
            .prepare(
                "INSERT INTO stocktake_reads (stocktake_id, location_id, asset_id, code, via, \
                   shared, first_seen, last_seen, read_count, best_rssi) \
                 VALUES (?1, ?2, ?3, ?4, ?5, 0, ?6, ?6, ?7, ?8)",
            )
            .unwrap();
        let at = |s: usize| {
            format!(
                "2026-12-03T10:{:02}:{:02}.{:03}Z",
                s / 60_000 % 60,
                s / 1000 % 60,
                s % 1000
            )
        };
        let mut read = |loc: usize,
                        i: usize,
                        via: &str,
                        code: &str,
                        count: u32,
                        rssi: Option<f64>,
                        t: usize| {
            ins.execute(params![
                id,
                loc_ids[loc % locs],
                i as i64 + 1,
                code,
                via,
                at(t),
                count,
                rssi
            ])
            .unwrap();
        };
        for i in 0..n {
            let home = i % locs;
            let next = home + 1;
            let e = epc(i);
            match i % 100 {
                // Missing: never read.
                0 | 1 => {}
                // Misplaced: strong on the next shelf, faint at home.
                2 | 3 => {
                    read(next, i, "rfid", &e, 2, Some(-50.0), i);
                    read(home, i, "rfid", &e, 2, Some(-75.0), i + 1);
                }
                // Bleed: one strong stray read next door, placed at home.
                4 => {
                    read(home, i, "rfid", &e, 3, Some(-55.0), i);
                    read(next, i, "rfid", &e, 1, Some(-40.0), i + 1);
                }
                // Duplicate: as strong in both.
                5 => {
                    read(home, i, "rfid", &e, 2, Some(-50.0), i);
                    read(next, i, "rfid", &e, 2, Some(-51.0), i + 1);
                }
                // A barcode scan at home, bled RFID next door.
                6 => {
                    read(home, i, "scan", &format!("T{i:07}"), 1, None, i);
                    read(next, i, "rfid", &e, 4, Some(-45.0), i + 1);
                }
                _ => read(home, i, "rfid", &e, 2, Some(-55.0), i),
            }
        }
        for i in n..n + n / 200 {
            read(i, i, "rfid", &epc(i), 2, Some(-50.0), i);
        }
        let mut unknown = c
            .prepare(
                "INSERT INTO stocktake_reads (stocktake_id, location_id, asset_id, code, via, \
                   shared, first_seen, last_seen, read_count, best_rssi) \
                 VALUES (?1, ?2, NULL, ?3, 'scan', 0, ?4, ?4, 1, NULL)",
            )
            .unwrap();
        for u in 0..n / 200 {
            unknown
                .execute(params![id, loc_ids[u % locs], format!("ZZ-{u:06}"), at(u)])
                .unwrap();
        }
    }
    tx.commit().unwrap();
    let reads: i64 = store
        .conn()
        .query_row(
            "SELECT count(*) FROM stocktake_reads WHERE stocktake_id = ?1",
            [id],
            |r| r.get(0),
        )
        .unwrap();
    eprintln!(
        "built {n} expected assets over {locs} locations, {reads} read rows in {:.1?}",
        t.elapsed()
    );
    id
}

/// One row of either side: ("item", kind, asset, code, expected, seen,
/// seen_at) or ("loc", code, counts…) as text.
type Row = Vec<String>;

const FLOOR: &str = "
WITH r AS (
  SELECT location_id, asset_id, code, shared, last_seen, read_count, best_rssi,
    CASE WHEN asset_id IS NOT NULL AND shared = 0 THEN asset_id END AS ia,
    CASE WHEN asset_id IS NOT NULL AND shared = 0 THEN '' ELSE code END AS ic,
    (via = 'scan') AS exact,
    (read_count >= 2 AND best_rssi IS NOT NULL) AS trusted
  FROM stocktake_reads WHERE stocktake_id = ?1 AND location_id IS NOT NULL
), ranked AS (
  SELECT r.*,
    row_number() OVER w AS rk,
    lead(trusted) OVER w AS next_trusted,
    lead(best_rssi) OVER w AS next_rssi,
    max(shared) OVER (PARTITION BY ia, ic) AS any_shared,
    first_value(code) OVER h AS here_code,
    first_value(last_seen) OVER h AS here_seen
  FROM r
  WINDOW w AS (PARTITION BY ia, ic ORDER BY exact DESC,
    CASE WHEN exact THEN last_seen END DESC, trusted DESC,
    CASE WHEN trusted THEN best_rssi END DESC, read_count DESC, last_seen DESC),
  h AS (PARTITION BY ia, ic, location_id ORDER BY last_seen DESC)
), items AS (
  SELECT
    CASE WHEN any_shared OR (NOT exact AND trusted AND coalesce(next_trusted, 0)
                             AND best_rssi - next_rssi <= 3.0) THEN 3
         WHEN p.ia IS NULL THEN 4
         WHEN e.location_id = p.location_id THEN 0
         WHEN e.location_id IS NOT NULL THEN 1 ELSE 2 END AS kind,
    p.ia AS asset, here_code AS code, e.location_id AS expected, p.location_id AS seen,
    here_seen AS seen_at
  FROM ranked p
  LEFT JOIN stocktake_expected e ON e.stocktake_id = ?1 AND e.asset_id = p.ia
  WHERE p.rk = 1
  UNION ALL
  SELECT 5, e.asset_id, NULL, e.location_id, NULL, NULL
  FROM stocktake_expected e
  WHERE e.stocktake_id = ?1
    AND e.asset_id NOT IN (SELECT ia FROM ranked WHERE rk = 1 AND ia IS NOT NULL)
), counts AS (
  SELECT CASE WHEN kind = 5 THEN expected ELSE seen END AS loc,
    sum(kind = 0) AS found, sum(kind = 5) AS missing, sum(kind = 1) AS misplaced,
    sum(kind = 2) AS unexpected, sum(kind = 4) AS unknown
  FROM items GROUP BY 1
), expected AS (
  SELECT location_id, count(*) AS n FROM stocktake_expected WHERE stocktake_id = ?1
  GROUP BY location_id
)
SELECT 0 AS part, i.kind, t.value, coalesce(i.code, t.value), le.code, ls.code, i.seen_at
FROM items i
LEFT JOIN identifiers t ON t.asset_id = i.asset AND t.kind = 'asset_tag'
  AND t.id = (SELECT min(id) FROM identifiers j WHERE j.asset_id = i.asset AND j.kind = 'asset_tag')
LEFT JOIN locations le ON le.id = i.expected
LEFT JOIN locations ls ON ls.id = i.seen
UNION ALL
SELECT 1, lc.code, coalesce(x.n, 0),
  coalesce(c.found, 0) || ' ' || coalesce(c.missing, 0) || ' ' || coalesce(c.misplaced, 0)
    || ' ' || coalesce(c.unexpected, 0) || ' ' || coalesce(c.unknown, 0),
  NULL, NULL, NULL
FROM stocktake_scope s
JOIN locations lc ON lc.id = s.location_id
LEFT JOIN expected x ON x.location_id = s.location_id
LEFT JOIN counts c ON c.loc = s.location_id
WHERE s.stocktake_id = ?1
";

const KINDS: [&str; 6] = [
    "found",
    "misplaced",
    "unexpected",
    "duplicate",
    "unknown",
    "missing",
];

fn text(v: rusqlite::types::ValueRef<'_>) -> String {
    match v {
        rusqlite::types::ValueRef::Null => "-".into(),
        rusqlite::types::ValueRef::Integer(i) => i.to_string(),
        rusqlite::types::ValueRef::Real(f) => f.to_string(),
        rusqlite::types::ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
        rusqlite::types::ValueRef::Blob(_) => "blob".into(),
    }
}

/// The floor: runs the statement and reads every row.
fn floor(conn: &Connection, id: i64) -> Vec<Row> {
    let mut st = conn.prepare_cached(FLOOR).unwrap();
    let mut rows = st.query([id]).unwrap();
    let mut out = Vec::new();
    while let Some(r) = rows.next().unwrap() {
        let part: i64 = r.get(0).unwrap();
        if part == 0 {
            let kind: i64 = r.get(1).unwrap();
            let mut row = vec!["item".to_string(), KINDS[kind as usize].to_string()];
            for c in 2..7 {
                row.push(text(r.get_ref(c).unwrap()));
            }
            out.push(row);
        } else {
            let mut row = vec![
                "loc".to_string(),
                text(r.get_ref(1).unwrap()),
                text(r.get_ref(2).unwrap()),
            ];
            let counts: String = r.get(3).unwrap();
            row.extend(counts.split(' ').map(str::to_string));
            out.push(row);
        }
    }
    out
}

/// The station's report as the same rows.
fn rows(r: &report::Report) -> Vec<Row> {
    let o = |s: &Option<String>| s.clone().unwrap_or_else(|| "-".into());
    let mut out: Vec<Row> = r
        .items
        .iter()
        .map(|i| {
            vec![
                "item".into(),
                i.kind.as_str().into(),
                o(&i.asset),
                i.code.clone(),
                o(&i.expected_location),
                o(&i.seen_location),
                o(&i.seen_at),
            ]
        })
        .collect();
    out.extend(r.locations.iter().map(|l| {
        vec![
            "loc".into(),
            l.code.clone(),
            l.expected.to_string(),
            l.found.to_string(),
            l.missing.to_string(),
            l.misplaced_here.to_string(),
            l.unexpected.to_string(),
            l.unknown.to_string(),
        ]
    }));
    out
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn main() {
    let n = env_usize("SCANSTATION_BENCH_ASSETS", 1_000_000);
    let locs = env_usize("SCANSTATION_BENCH_LOCATIONS", 10_000);
    let rounds = env_usize("SCANSTATION_BENCH_ROUNDS", 5);
    let dir = tempfile::tempdir().unwrap();
    let mut store = Store::open(&dir.path().join("bench.db")).unwrap();
    let id = build(&mut store, n, locs);
    let conn = store.conn();

    // Same rows, before anything is timed.
    let r = report::report(conn, id).unwrap().unwrap();
    let mut ours = rows(&r);
    let mut theirs = floor(conn, id);
    ours.sort();
    theirs.sort();
    assert_eq!(ours.len(), theirs.len(), "row counts differ");
    if let Some((a, b)) = ours.iter().zip(&theirs).find(|(a, b)| a != b) {
        panic!("the floor and the report differ: {a:?} vs {b:?}");
    }
    eprintln!(
        "same {} rows; totals {:?}",
        ours.len(),
        serde_json::to_string(&r.totals).unwrap()
    );
    drop((r, ours, theirs));

    let (mut ts_report, mut ts_floor) = (Vec::new(), Vec::new());
    for round in 0..rounds {
        let t = Instant::now();
        let f = floor(conn, id);
        let tf = t.elapsed();
        let t = Instant::now();
        let r = report::report(conn, id).unwrap().unwrap();
        let tr = t.elapsed();
        assert_eq!(f.len(), r.items.len() + r.locations.len());
        eprintln!(
            "round {round}: report {tr:.2?}, floor {tf:.2?}, ratio {:.2}x",
            tr.as_secs_f64() / tf.as_secs_f64()
        );
        ts_report.push(tr);
        ts_floor.push(tf);
    }
    let (mr, mf) = (median(ts_report), median(ts_floor));
    println!(
        "stocktake reconcile: {n} expected, {locs} locations: report median {mr:.2?}, \
         floor (one SQL statement) median {mf:.2?}, ratio {:.2}x (target <= 1.5x)",
        mr.as_secs_f64() / mf.as_secs_f64()
    );
}
