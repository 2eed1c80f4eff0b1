//! `scanstation` (or `scanstation run`): the station on its store.

use scanstation::app::{self, AppOptions};
use std::process::ExitCode;

pub fn run(ctx: &super::Ctx) -> anyhow::Result<ExitCode> {
    app::run(AppOptions {
        config: ctx.config.clone(),
        db_path: ctx.db_path.clone(),
        training: ctx.global.training,
        readers: ctx.reader_specs(),
        demo: None,
    })?;
    Ok(ExitCode::SUCCESS)
}
