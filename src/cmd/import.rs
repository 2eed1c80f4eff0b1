//! `scanstation import assets|locations|operators|vendors FILE.csv`: all or
//! nothing. Prints what it created on stdout, warnings (ignored columns) and
//! errors on stderr. Exit 1 when rows are bad (nothing imported), 2 when the
//! file or the store cannot be read.

use crate::cli::{ImportArgs, ImportKind};
use scanstation::import::{apply::Importer, import_file, Register};
use scanstation::store::Store;
use std::process::ExitCode;

pub fn run(ctx: &super::Ctx, args: &ImportArgs) -> anyhow::Result<ExitCode> {
    let register = match args.kind {
        ImportKind::Assets => Register::Assets,
        ImportKind::Locations => Register::Locations,
        ImportKind::Operators => Register::Operators,
        ImportKind::Vendors => Register::Vendors,
        ImportKind::Nwipe => return super::import_nwipe::run(ctx, &args.files),
    };
    let [file] = args.files.as_slice() else {
        eprintln!(
            "scanstation: error: import {} takes one CSV file",
            register.as_str()
        );
        return Ok(ExitCode::from(2));
    };
    // Refuse an unreadable file before creating a store for it.
    if let Err(e) = std::fs::metadata(file) {
        eprintln!("scanstation: error: cannot read {}: {e}", file.display());
        return Ok(ExitCode::from(2));
    }
    let mut store = Store::open(&ctx.db_path)?;
    let who = Importer {
        station: &ctx.config.station.id,
        operator: None,
        training: ctx.global.training,
        identify: Some(&ctx.config.identify),
    };
    match import_file(&mut store, register, file, &ctx.config.import, &who) {
        Ok(report) => {
            for w in &report.warnings {
                eprintln!("scanstation: warning: {w}");
            }
            for line in report.created_lines() {
                println!("{line}");
            }
            println!(
                "imported {} {} from {} (journal #{}–#{}, sha256 {})",
                report.rows,
                register.as_str(),
                file.display(),
                report.seqs.0,
                report.seqs.1,
                report.sha256
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("scanstation: error: {e}");
            Ok(ExitCode::from(e.exit_code()))
        }
    }
}
