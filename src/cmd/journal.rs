//! `scanstation journal [--since SEQ] [--json]`: the audit trail, one event a
//! line, oldest first. Opens the store read-only and never creates it.

use anyhow::Context as _;
use scanstation::store::{journal, EventRow, Store};
use std::io::Write;
use std::process::ExitCode;

/// Rows fetched per query, so a long journal streams in bounded memory.
const PAGE: usize = 1000;
/// How much of a payload the text form shows.
const SHORT_PAYLOAD: usize = 100;

pub fn run(ctx: &super::Ctx, args: &crate::cli::JournalArgs) -> anyhow::Result<ExitCode> {
    let store = Store::open_readonly(&ctx.db_path)?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut since = args.since.unwrap_or(0);
    loop {
        let rows = journal::read_since(store.conn(), since, PAGE).context("reading the journal")?;
        for row in &rows {
            if args.json {
                serde_json::to_writer(&mut out, row)?;
                out.write_all(b"\n")?;
            } else {
                writeln!(out, "{}", text_line(row))?;
            }
        }
        match rows.last() {
            Some(last) if rows.len() == PAGE => since = last.seq,
            _ => break,
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// `42  2026-11-28T14:03:07.123Z  bench-1  B0042  scan  {"source":"wedge","text":"A-1"}`
/// (`-` for no operator, `[training]` after the kind when set).
fn text_line(row: &EventRow) -> String {
    let payload = journal::canonical_json(&row.payload);
    let payload = match payload.char_indices().nth(SHORT_PAYLOAD) {
        Some((i, _)) => format!("{}…", &payload[..i]),
        None => payload,
    };
    format!(
        "{:>6}  {}  {}  {}  {}{}  {}",
        row.seq,
        row.at,
        row.station,
        row.operator.as_deref().unwrap_or("-"),
        row.kind,
        if row.training { " [training]" } else { "" },
        payload
    )
}
