//! `scanstation import nwipe FILE...`: every file is read and parsed before
//! the store is opened, so a refused file (not an nwipe log, cut short, no
//! drive status table) leaves everything as it was — exit 1, file and line
//! named. Then one transaction records every drive; stdout has one JSON line
//! per drive (or per file already imported), stderr the warnings.

use scanstation::store::Store;
use scanstation::wipe::import::{self, ImportError, Importer};
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::SystemTime;

pub fn run(ctx: &super::Ctx, files: &[PathBuf]) -> anyhow::Result<ExitCode> {
    let mut parsed = Vec::with_capacity(files.len());
    for path in files {
        let name = path.display().to_string();
        let data = match std::fs::read(path) {
            Ok(d) => d,
            Err(e) => {
                eprintln!("scanstation: error: cannot read {name}: {e}; nothing was imported");
                return Ok(ExitCode::from(2));
            }
        };
        match import::read(&name, &data) {
            Ok(f) => parsed.push(f),
            Err(e) => {
                eprintln!("scanstation: error: {e}");
                return Ok(ExitCode::from(1));
            }
        }
    }
    let mut store = Store::open(&ctx.db_path)?;
    let who = Importer {
        station: &ctx.config.station.id,
        operator: None,
        training: ctx.global.training,
    };
    let report = match import::apply(&mut store, &parsed, who, SystemTime::now()) {
        Ok(r) => r,
        Err(ImportError::Store(e)) => return Err(e.into()),
        Err(e) => {
            eprintln!("scanstation: error: {e}");
            return Ok(ExitCode::from(1));
        }
    };
    for w in &report.warnings {
        eprintln!("scanstation: warning: {w}");
    }
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for line in &report.lines {
        serde_json::to_writer(&mut out, line)?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
