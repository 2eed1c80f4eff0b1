//! `scanstation stress_scan`.

use std::process::ExitCode;

pub fn run(_ctx: &super::Ctx, _args: &crate::cli::StressScanArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`stress_scan` is not built yet")
}
