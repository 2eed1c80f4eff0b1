//! The schema as numbered SQL files, applied in order.
//!
//! `PRAGMA user_version` holds the number of migrations applied. Pending ones
//! run together in one `BEGIN IMMEDIATE` transaction, so a crash or a second
//! process opening the same fresh file never sees half a schema. A shipped
//! migration is never edited (its effect is already in people's stores): add
//! the next file instead, and a test checks that a store upgraded step by step
//! has the same schema as a fresh one.

use super::{Result, StoreError};
use rusqlite::{Connection, TransactionBehavior};
use std::path::Path;

/// The migrations, in order: (name, SQL).
pub const MIGRATIONS: &[(&str, &str)] = &[
    ("0001_core", include_str!("migrations/0001_core.sql")),
    (
        "0002_journal_index_outbox",
        include_str!("migrations/0002_journal_index_outbox.sql"),
    ),
    (
        "0003_identifier_lookup_index",
        include_str!("migrations/0003_identifier_lookup_index.sql"),
    ),
    (
        "0004_journal_sessions_index",
        include_str!("migrations/0004_journal_sessions_index.sql"),
    ),
    (
        "0005_station_context",
        include_str!("migrations/0005_station_context.sql"),
    ),
    (
        "0006_identifier_nocase",
        include_str!("migrations/0006_identifier_nocase.sql"),
    ),
    ("0007_sync", include_str!("migrations/0007_sync.sql")),
    (
        "0008_receiving",
        include_str!("migrations/0008_receiving.sql"),
    ),
    ("0009_wipe", include_str!("migrations/0009_wipe.sql")),
    (
        "0010_stocktake",
        include_str!("migrations/0010_stocktake.sql"),
    ),
    (
        "0011_label_jobs",
        include_str!("migrations/0011_label_jobs.sql"),
    ),
    (
        "0012_vendor_certs",
        include_str!("migrations/0012_vendor_certs.sql"),
    ),
    (
        "0013_receiving_serial_index",
        include_str!("migrations/0013_receiving_serial_index.sql"),
    ),
    (
        "0014_po_line_counts",
        include_str!("migrations/0014_po_line_counts.sql"),
    ),
];

/// The schema version this binary writes and understands.
pub const LATEST: u32 = MIGRATIONS.len() as u32;

/// Brings the store to [`LATEST`].
pub(crate) fn migrate(conn: &mut Connection, path: &Path) -> Result<()> {
    apply(conn, LATEST).map_err(|e| match e {
        StoreError::TooNew { found, .. } => StoreError::TooNew {
            path: path.to_path_buf(),
            found,
            supported: LATEST,
        },
        other => other,
    })
}

/// Applies the migrations up to version `target` (at most [`LATEST`]) in one
/// immediate transaction. Public so that tests can build a store at an old
/// version; the station only ever calls [`crate::store::Store::open`].
pub fn apply(conn: &mut Connection, target: u32) -> Result<()> {
    let target = target.min(LATEST);
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    // Read again inside the transaction: another process may have migrated
    // between our first look and taking the lock.
    let current: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    let current = u32::try_from(current).unwrap_or(u32::MAX);
    if current > LATEST {
        return Err(StoreError::TooNew {
            path: Default::default(),
            found: current,
            supported: LATEST,
        });
    }
    if current >= target {
        return Ok(());
    }
    for (name, sql) in &MIGRATIONS[current as usize..target as usize] {
        tx.execute_batch(sql).map_err(|e| StoreError::Invalid {
            what: "migration",
            detail: format!("{name} failed: {e}"),
        })?;
    }
    tx.pragma_update(None, "user_version", target)?;
    tx.pragma_update(None, "application_id", super::APPLICATION_ID)?;
    tx.commit()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_numbered_in_order() {
        for (i, (name, _)) in MIGRATIONS.iter().enumerate() {
            assert!(
                name.starts_with(&format!("{:04}_", i + 1)),
                "migration {name} is out of order"
            );
        }
    }

    #[test]
    fn each_step_applies_on_its_own() {
        let mut conn = Connection::open_in_memory().unwrap();
        for v in 1..=LATEST {
            apply(&mut conn, v).unwrap();
            let got: u32 = conn
                .query_row("PRAGMA user_version", [], |r| r.get(0))
                .unwrap();
            assert_eq!(got, v);
        }
    }
}
