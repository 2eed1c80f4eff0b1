//! `scanstation journal`.

use std::process::ExitCode;

pub fn run(_ctx: &super::Ctx, _args: &crate::cli::JournalArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`journal` is not built yet")
}
