//! Each station's workflow context: its mode, what each mode has open (ids
//! only, one JSON object per mode) and the question it is waiting on.
//!
//! The station reads the row at the start of every write transaction and
//! writes it back in the same transaction when an input changed it, so the
//! context on disk always matches the events on disk: a restart, a crash or a
//! second process (a `feed` on the same station id) resumes exactly there.

use super::Result;
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::Value;

/// A station's context as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct ContextRow {
    /// The mode's name (`lookup`, `receive` …).
    pub mode: String,
    /// A JSON object: one key per mode, each the mode's own object.
    pub context: Value,
    /// The open question as JSON, if any.
    pub question: Option<Value>,
}

/// The stored context of `station`, if it ever stored one.
pub fn load(conn: &Connection, station: &str) -> Result<Option<ContextRow>> {
    let row = conn
        .prepare_cached("SELECT mode, context, question FROM station_context WHERE station = ?1")?
        .query_row(params![station], |r| {
            Ok((
                r.get::<_, String>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, Option<String>>(2)?,
            ))
        })
        .optional()?;
    // A context this binary cannot read starts afresh rather than stopping
    // the bench: it holds only ids of things that are in the store anyway.
    Ok(row.map(|(mode, context, question)| ContextRow {
        mode,
        context: serde_json::from_str(&context)
            .unwrap_or_else(|_| Value::Object(Default::default())),
        question: question.and_then(|q| serde_json::from_str(&q).ok()),
    }))
}

/// Writes `station`'s context (inside the caller's write transaction).
pub fn save(conn: &Connection, station: &str, row: &ContextRow) -> Result<()> {
    conn.prepare_cached(
        "INSERT INTO station_context (station, mode, context, question, updated_at) \
         VALUES (?1, ?2, ?3, ?4, ?5) \
         ON CONFLICT (station) DO UPDATE SET mode = ?2, context = ?3, question = ?4, updated_at = ?5",
    )?
    .execute(params![
        station,
        row.mode,
        row.context.to_string(),
        row.question.as_ref().map(Value::to_string),
        crate::timefmt::now()
    ])?;
    Ok(())
}

/// Takes the next value of counter `name` (1 the first time), inside the
/// caller's write transaction.
pub fn next_counter(conn: &Connection, name: &str) -> Result<i64> {
    Ok(conn
        .prepare_cached(
            "INSERT INTO counters (name, value) VALUES (?1, 1) \
             ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value",
        )?
        .query_row(params![name], |r| r.get(0))?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;
    use serde_json::json;

    #[test]
    fn a_context_round_trips_and_counters_count() {
        let mut store = Store::open_in_memory().unwrap();
        assert_eq!(load(store.conn(), "s1").unwrap(), None);
        let tx = store.write().unwrap();
        let row = ContextRow {
            mode: "wipe".into(),
            context: json!({"wipe": {"asset_id": 7}}),
            question: Some(json!({"kind": "x"})),
        };
        save(tx.conn(), "s1", &row).unwrap();
        assert_eq!(next_counter(tx.conn(), "tags").unwrap(), 1);
        assert_eq!(next_counter(tx.conn(), "tags").unwrap(), 2);
        tx.commit().unwrap();
        assert_eq!(load(store.conn(), "s1").unwrap(), Some(row));
        assert_eq!(load(store.conn(), "s2").unwrap(), None);
    }
}
