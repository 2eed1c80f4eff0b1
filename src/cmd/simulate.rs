//! `scanstation simulate`.

use std::process::ExitCode;

pub fn run(_ctx: &super::Ctx, _args: &crate::cli::SimulateArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`simulate` is not built yet")
}
