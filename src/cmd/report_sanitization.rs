//! `scanstation report sanitization [--asset TAG] [--format json|csv|table]`:
//! one line per medium with its latest sanitization record, read from the
//! store without writing to it.

use crate::cli::{ReportFormat, SanitizationReportArgs};
use anyhow::Context as _;
use scanstation::store::{assets, sanitizations, Store};
use scanstation::wipe::report;
use std::io::Write as _;
use std::process::ExitCode;

pub fn run(ctx: &super::Ctx, args: &SanitizationReportArgs) -> anyhow::Result<ExitCode> {
    let store = Store::open_readonly(&ctx.db_path)?;
    let asset_id = match &args.asset {
        None => None,
        Some(tag) => match assets::by_tag(store.conn(), tag)? {
            Some(id) => Some(id),
            None => {
                eprintln!("scanstation: error: no asset tagged {tag}");
                return Ok(ExitCode::from(1));
            }
        },
    };
    let rows = sanitizations::report(store.conn(), asset_id)
        .context("reading the sanitization records")?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match args.format {
        ReportFormat::Json => report::write_json(&rows, &mut out)?,
        ReportFormat::Csv => {
            report::write_csv(&rows, &mut out).map_err(|e| match e.into_kind() {
                csv::ErrorKind::Io(io) => anyhow::Error::from(io),
                other => anyhow::anyhow!("writing CSV: {other:?}"),
            })?
        }
        ReportFormat::Table => report::write_table(&rows, &mut out)?,
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
