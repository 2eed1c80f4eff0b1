//! `scanstation stress-scan [--count N]` (hidden): appends generated scan
//! events as fast as the store commits, one transaction each, printing
//! `ok SEQ` after each commit. The crash test kills it with SIGKILL and checks
//! that every seq printed is still in the journal.

use anyhow::Context as _;
use scanstation::store::{journal, NewEvent, Store};
use std::io::Write;
use std::process::ExitCode;
use std::time::SystemTime;

pub fn run(ctx: &super::Ctx, args: &crate::cli::StressScanArgs) -> anyhow::Result<ExitCode> {
    let mut store = Store::open(&ctx.db_path)?;
    let pid = std::process::id();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut i: u64 = 0;
    while args.count.is_none_or(|n| i < n) {
        i += 1;
        let code = format!("STRESS-{pid}-{i:08}");
        let mut tx = store.write()?;
        let ev = tx
            .append_event(&NewEvent {
                at: SystemTime::now(),
                station: &ctx.config.station.id,
                operator: None,
                kind: "scan",
                training: true,
                payload: journal::scan_payload(code.as_bytes(), false, "simulated", None),
            })
            .context("appending a scan")?;
        tx.commit().context("committing a scan")?;
        writeln!(out, "ok {}", ev.seq)?;
        out.flush()?;
    }
    Ok(ExitCode::SUCCESS)
}
