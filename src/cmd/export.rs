//! `scanstation export assets [--format csv|json]`: the asset register in the
//! import's columns, on stdout.

use crate::cli::{ExportArgs, ExportFormat, ExportKind};
use anyhow::Context as _;
use scanstation::import::export;
use scanstation::store::Store;
use std::io::Write as _;
use std::process::ExitCode;

pub fn run(ctx: &super::Ctx, args: &ExportArgs) -> anyhow::Result<ExitCode> {
    let ExportKind::Assets = args.kind;
    let store = Store::open_readonly(&ctx.db_path)?;
    let rows = export::asset_rows(store.conn()).context("reading the assets")?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    match args.format {
        ExportFormat::Csv => export::to_csv(&rows, &mut out).map_err(|e| match e.into_kind() {
            csv::ErrorKind::Io(io) => anyhow::Error::from(io),
            other => anyhow::anyhow!("writing CSV: {other:?}"),
        })?,
        ExportFormat::Json => export::write_json(&rows, &mut out)?,
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
