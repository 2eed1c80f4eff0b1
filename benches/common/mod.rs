//! Shared by the benchmarks: a store of `n` assets built fast.

use rusqlite::params;
use scanstation::store::Store;
use std::path::Path;
use std::time::Instant;

/// Fills a fresh store with `n` assets (tag `A0000001`…, serial `SN000000001`…)
/// in one transaction.
pub fn build_store(path: &Path, n: usize) -> Store {
    let t = Instant::now();
    let mut store = Store::open(path).expect("open bench store");
    let tx = store.write().expect("tx");
    let c = tx.conn();
    let loc = scanstation::store::locations::create(c, "R101", "Room 101", None, None).unwrap();
    let (model, _) = scanstation::store::catalog::get_or_create_model(
        c,
        "Latitude 7440",
        Some("Dell"),
        Some("Laptops"),
    )
    .unwrap();
    {
        let mut ins_asset = c
            .prepare(
                "INSERT INTO assets (id, status, model_id, location_id, cost_minor, currency, \
                 purchase_date, created_at, updated_at) \
                 VALUES (?1, 'in_stock', ?2, ?3, 129950, 'EUR', '2026-01-15', ?4, ?4)",
            )
            .unwrap();
        let mut ins_id = c
            .prepare("INSERT INTO identifiers (asset_id, kind, value) VALUES (?1, ?2, ?3)")
            .unwrap();
        let now = scanstation::timefmt::now();
        for i in 1..=n as i64 {
            ins_asset.execute(params![i, model, loc, now]).unwrap();
            ins_id
                .execute(params![i, "asset_tag", format!("A{i:07}")])
                .unwrap();
            ins_id
                .execute(params![i, "serial", format!("SN{i:09}")])
                .unwrap();
        }
    }
    tx.commit().expect("commit bulk insert");
    eprintln!("built a store of {n} assets in {:.1?}", t.elapsed());
    store
}
