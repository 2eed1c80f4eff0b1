//! `scanstation parse`.

use std::process::ExitCode;

pub fn run(_ctx: &super::Ctx, _args: &crate::cli::ParseArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`parse` is not built yet")
}
