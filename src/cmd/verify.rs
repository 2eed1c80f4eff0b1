//! `scanstation verify`.

use std::process::ExitCode;

pub fn run(_ctx: &super::Ctx, _args: &crate::cli::VerifyArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`verify` is not built yet")
}
