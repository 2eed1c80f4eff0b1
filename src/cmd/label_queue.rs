//! The label queue from the command line: `scanstation label --queue` lists
//! the jobs that wait or failed; `label --print-queued [--out DIR]` sends
//! the queued ones once to `[labels] printer` (or to files in DIR); `feed`
//! drains its own station's queue after its last input.

use crate::cli::LabelArgs;
use scanstation::label::printer::{FilePrinter, Printer, PrinterSpec};
use scanstation::label::worker::{Drained, Worker};
use scanstation::store::{assets, batches, label_jobs, Store};
use serde_json::json;
use std::io::Write;
use std::process::ExitCode;

/// `label --queue` and `label --print-queued`.
pub fn run(ctx: &super::Ctx, args: &LabelArgs) -> anyhow::Result<ExitCode> {
    if !ctx.db_path.exists() {
        anyhow::bail!("there is no store at {}", ctx.db_path.display());
    }
    if args.queue {
        return list(ctx, args);
    }
    let printer = || -> anyhow::Result<Box<dyn Printer + Send>> {
        match (&args.out, &ctx.config.labels.printer) {
            (Some(dir), _) => Ok(Box::new(FilePrinter { dir: dir.clone() })),
            (None, Some(p)) => Ok(PrinterSpec::parse(p)
                .map_err(|e| anyhow::anyhow!("[labels] {e}"))?
                .printer()),
            (None, None) => anyhow::bail!(
                "no printer: set [labels] printer in the config, or give --out DIR to write the labels as files"
            ),
        }
    };
    printer()?;
    let store = Store::open_readonly(&ctx.db_path)?;
    let mut stations: Vec<String> =
        label_jobs::list(store.conn(), args.station.as_deref(), &["queued"])?
            .into_iter()
            .map(|j| j.station)
            .collect();
    drop(store);
    stations.sort();
    stations.dedup();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut all_printed = true;
    // One worker per station, each sending its own queue in order.
    for station in stations {
        let mut w = Worker::new(Store::open(&ctx.db_path)?, printer()?, &station);
        let d = w.drain()?;
        all_printed &= d.queued == 0 && d.failed == 0;
        let line = json!({"station": station, "printer": w.printer(), "printed": d.printed,
            "failed": d.failed, "queued": d.queued, "waiting": d.waiting});
        writeln!(out, "{line}")?;
    }
    out.flush()?;
    Ok(if all_printed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// One JSON line per queued or failed job, oldest first.
fn list(ctx: &super::Ctx, args: &LabelArgs) -> anyhow::Result<ExitCode> {
    let store = Store::open_readonly(&ctx.db_path)?;
    let c = store.conn();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for j in label_jobs::list(c, args.station.as_deref(), &["queued", "failed"])? {
        let tag = match j.asset_id {
            Some(id) => assets::get(c, id)?.map(|a| a.tag),
            None => None,
        };
        let sscc = match j.batch_id {
            Some(id) => batches::get(c, id)?.map(|b| b.sscc),
            None => None,
        };
        let line = json!({"id": j.id, "kind": j.kind, "tag": tag, "sscc": sscc,
            "name": j.name, "station": j.station, "state": j.state, "attempts": j.attempts,
            "last_error": j.last_error, "created_at": j.created_at});
        writeln!(out, "{line}")?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// After `feed`'s last input: its station's queued labels, sent once to
/// `[labels] printer`, reported on stderr. Never changes feed's exit code:
/// the receipts are recorded whether their labels print or not.
pub fn drain_after_feed(ctx: &super::Ctx, station: &str) {
    let spec = match ctx.config.labels.printer.as_deref().map(PrinterSpec::parse) {
        None => None,
        Some(Ok(s)) => Some(s),
        Some(Err(e)) => {
            eprintln!("scanstation: labels: [labels] {e}");
            return;
        }
    };
    let result = Store::open(&ctx.db_path).and_then(|store| match spec {
        Some(spec) => {
            let mut w = Worker::new(store, spec.printer(), station);
            let d = w.drain()?;
            Ok((Some(w.printer()), d, w.counts()?))
        }
        None => label_jobs::counts(store.conn(), station).map(|c| (None, Drained::default(), c)),
    });
    match result {
        Err(e) => eprintln!("scanstation: labels: {e}"),
        Ok((None, _, c)) => {
            if c.queued > 0 {
                eprintln!(
                    "scanstation: labels: {} queued (no [labels] printer; `scanstation label --print-queued --out DIR` writes them as files)",
                    c.queued
                );
            }
        }
        Ok((Some(printer), d, c)) => {
            if d.printed + c.failed + c.queued == 0 {
                return;
            }
            let mut msg = format!("scanstation: labels: {} printed to {printer}", d.printed);
            if c.failed > 0 {
                msg.push_str(&format!(
                    ", {} failed (`scanstation label --queue` says why)",
                    c.failed
                ));
            }
            if c.queued > 0 {
                msg.push_str(&format!(", {} still queued", c.queued));
            }
            if let Some(why) = d.waiting {
                msg.push_str(&format!(": {why}"));
            }
            eprintln!("{msg}");
        }
    }
}
