//! `scanstation monitor`.

use std::process::ExitCode;

pub fn run(_ctx: &super::Ctx) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`monitor` is not built yet")
}
