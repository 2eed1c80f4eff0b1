//! `scanstation import assets|locations|operators|vendors FILE... [--update]`:
//! all or nothing across the files. Prints what it created on stdout, warnings
//! (ignored columns) and errors on stderr. Exit 1 when rows are bad (nothing
//! imported), 2 when a file or the store cannot be read.
//!
//! The files are read and parsed before any store is opened, and checked
//! against an empty store when there is none yet, so that a refused import
//! never leaves a new store file behind.

use crate::cli::{ImportArgs, ImportKind};
use scanstation::import::apply::{self, Importer};
use scanstation::import::{ImportError, Options, Register};
use scanstation::store::Store;
use std::process::ExitCode;

pub fn run(ctx: &super::Ctx, args: &ImportArgs) -> anyhow::Result<ExitCode> {
    let register = match args.kind {
        ImportKind::Assets => Register::Assets,
        ImportKind::Locations => Register::Locations,
        ImportKind::Operators => Register::Operators,
        ImportKind::Vendors => Register::Vendors,
        ImportKind::Orders => return super::import_orders::run(ctx, args),
        ImportKind::Nwipe => return super::import_nwipe::run(ctx, &args.files),
    };
    if args.update && register != Register::Assets {
        eprintln!("scanstation: error: --update applies to `import assets` only");
        return Ok(ExitCode::from(2));
    }
    let mut files = Vec::with_capacity(args.files.len());
    for path in &args.files {
        match std::fs::read(path) {
            Ok(bytes) => files.push((path.display().to_string(), bytes)),
            Err(e) => {
                eprintln!("scanstation: error: cannot read {}: {e}", path.display());
                return Ok(ExitCode::from(2));
            }
        }
    }
    let sources: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    let who = Importer {
        station: &ctx.config.station.id,
        operator: None,
        training: ctx.global.training,
        identify: Some(&ctx.config.identify),
    };
    let opts = Options {
        update: args.update,
    };
    let result = (|| -> Result<_, ImportError> {
        let parsed = apply::parse(register, &sources, &ctx.config.import, who.identify)?;
        if !ctx.db_path.exists() {
            // Nothing to compare with but an empty store: check against one in
            // memory, so that refusing creates no file.
            let empty = Store::open_in_memory().map_err(|e| ImportError::Store(e.to_string()))?;
            apply::check(empty.conn(), &parsed, opts)?;
        }
        let mut store = Store::open(&ctx.db_path).map_err(ImportError::Open)?;
        let plan = apply::check(store.conn(), &parsed, opts)?;
        apply::write(&mut store, &parsed, &plan, &who)
    })();
    match result {
        Ok(report) => {
            for w in &report.warnings {
                eprintln!("scanstation: warning: {w}");
            }
            for line in report.created_lines() {
                println!("{line}");
            }
            let names: Vec<&str> = report.files.iter().map(|f| f.0.as_str()).collect();
            let updated = if args.update {
                format!(
                    ", {} updated of which {} changed",
                    report.updated, report.changed
                )
            } else {
                String::new()
            };
            println!(
                "imported {} {} from {}{updated} (journal #{}–#{}, write lock held {} ms, sha256 {})",
                report.rows,
                register.as_str(),
                names.join(", "),
                report.seqs.0,
                report.seqs.1,
                report.lock_held.as_millis(),
                report
                    .files
                    .iter()
                    .map(|f| f.1.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            Ok(ExitCode::SUCCESS)
        }
        Err(e) => {
            eprintln!("scanstation: error: {e}");
            Ok(ExitCode::from(e.exit_code()))
        }
    }
}
