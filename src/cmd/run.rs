//! `scanstation run`.

use std::process::ExitCode;

pub fn run(_ctx: &super::Ctx) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`run` is not built yet")
}
