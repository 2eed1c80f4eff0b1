//! `scanstation label --commands [--out DIR]` (contracts.md "Command
//! barcodes"): the command sheets as PNG pages, `commands-shared.png`, then
//! one per mode (`commands-lookup.png` …); a sheet longer than a page goes
//! on in `commands-wipe-2.png`. Each file written is reported as a JSON line
//! `{"sheet", "page", "file"}`. The barcodes carry the configured command
//! prefix, so a station with its own prefix prints sheets it understands.

use crate::cli::LabelArgs;
use anyhow::Context as _;
use scanstation::label::{commands, printer};
use scanstation::station::{self, StationSettings};
use serde_json::json;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

pub fn run(ctx: &super::Ctx, args: &LabelArgs) -> anyhow::Result<ExitCode> {
    let settings = StationSettings::from_config(&ctx.config, ctx.global.training);
    let dir = args.out.clone().unwrap_or_else(|| PathBuf::from("."));
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for sheet in station::commands::sheets(&settings) {
        let pages = commands::render(&sheet.title, &sheet.entries)
            .with_context(|| format!("drawing the {} command sheet", sheet.name))?;
        for (i, png) in pages.iter().enumerate() {
            let name = match i {
                0 => format!("commands-{}.png", sheet.name),
                _ => format!("commands-{}-{}.png", sheet.name, i + 1),
            };
            printer::write_file(&dir, &name, png)
                .with_context(|| format!("writing the {} command sheet", sheet.name))?;
            serde_json::to_writer(
                &mut out,
                &json!({"sheet": sheet.name, "page": i + 1, "file": dir.join(&name).display().to_string()}),
            )?;
            out.write_all(b"\n")?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
