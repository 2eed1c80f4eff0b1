//! `scanstation import`.

use std::process::ExitCode;

pub fn run(_ctx: &super::Ctx, _args: &crate::cli::ImportArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`import` is not built yet")
}
