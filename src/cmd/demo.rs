//! `scanstation demo`.

use std::process::ExitCode;

pub fn run(_ctx: &super::Ctx, _args: &crate::cli::DemoArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`demo` is not built yet")
}
