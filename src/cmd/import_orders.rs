//! `scanstation import orders FILE.csv...`: purchase orders, all files or
//! none. Prints what it created on stdout; warnings and errors on stderr.
//! Exit 1 when rows are bad (nothing imported), 2 when a file or the store
//! cannot be read.

use crate::cli::ImportArgs;
use scanstation::import::apply::Importer;
use scanstation::import::orders;
use scanstation::store::Store;
use std::path::Path;
use std::process::ExitCode;

pub fn run(ctx: &super::Ctx, args: &ImportArgs) -> anyhow::Result<ExitCode> {
    // Refuse an unreadable file before creating a store for it.
    for f in &args.files {
        if let Err(e) = std::fs::metadata(f) {
            eprintln!("scanstation: error: cannot read {}: {e}", f.display());
            return Ok(ExitCode::from(2));
        }
    }
    let mut store = Store::open(&ctx.db_path)?;
    let who = Importer {
        station: &ctx.config.station.id,
        operator: None,
        training: ctx.global.training,
        identify: Some(&ctx.config.identify),
    };
    let paths: Vec<&Path> = args.files.iter().map(|p| p.as_path()).collect();
    match orders::import_files(&mut store, &paths, &ctx.config.import, &who) {
        Ok(report) => {
            for w in &report.warnings {
                eprintln!("scanstation: warning: {w}");
            }
            for line in report.created_lines() {
                println!("{line}");
            }
            println!(
                "imported {} order lines from {} file(s) (journal #{}–#{})",
                report.rows,
                paths.len(),
                report.seqs.0,
                report.seqs.1,
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("scanstation: error: {e}");
            Ok(ExitCode::from(e.exit_code()))
        }
    }
}
