//! `scanstation disposal confirm SSCC --certificate NUMBER` (the vendor's
//! certificate closes the chain of custody: the pallet's assets become
//! disposed) and `scanstation report disposal [--format json|csv|table]`.

use crate::cli::{DisposalConfirmArgs, DisposalReportArgs, ReportFormat};
use scanstation::store::{batches, Store};
use scanstation::wipe::disposal::{self, ConfirmError, Who};
use std::io::Write as _;
use std::process::ExitCode;
use std::time::SystemTime;

pub fn confirm(ctx: &super::Ctx, args: &DisposalConfirmArgs) -> anyhow::Result<ExitCode> {
    if !ctx.db_path.exists() {
        eprintln!(
            "scanstation: error: there is no store at {}",
            ctx.db_path.display()
        );
        return Ok(ExitCode::from(2));
    }
    let mut store = Store::open(&ctx.db_path)?;
    let who = Who {
        station: &ctx.config.station.id,
        training: ctx.global.training,
    };
    match disposal::confirm(
        &mut store,
        &args.sscc,
        &args.certificate,
        who,
        SystemTime::now(),
    ) {
        Ok(c) => {
            println!("{}", serde_json::to_string(&c)?);
            Ok(ExitCode::SUCCESS)
        }
        Err(ConfirmError::Store(e)) => Err(e.into()),
        Err(e) => {
            eprintln!("scanstation: error: {e}");
            Ok(ExitCode::from(1))
        }
    }
}

pub fn report(ctx: &super::Ctx, args: &DisposalReportArgs) -> anyhow::Result<ExitCode> {
    let store = Store::open_readonly(&ctx.db_path)?;
    let rows = batches::report(store.conn())?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match args.format {
        ReportFormat::Json => disposal::write_json(&rows, &mut out)?,
        ReportFormat::Csv => {
            disposal::write_csv(&rows, &mut out).map_err(|e| match e.into_kind() {
                csv::ErrorKind::Io(io) => anyhow::Error::from(io),
                other => anyhow::anyhow!("writing CSV: {other:?}"),
            })?
        }
        ReportFormat::Table => disposal::write_table(&rows, &mut out)?,
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
