//! `scanstation export`.

use std::process::ExitCode;

pub fn run(_ctx: &super::Ctx, _args: &crate::cli::ExportArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`export` is not built yet")
}
