//! `scanstation devices`.

use std::process::ExitCode;

pub fn run(_ctx: &super::Ctx, _args: &crate::cli::DevicesArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`devices` is not built yet")
}
