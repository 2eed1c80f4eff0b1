//! `scanstation decode_image`.

use std::process::ExitCode;

pub fn run(_ctx: &super::Ctx, _args: &crate::cli::DecodeImageArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("`decode_image` is not built yet")
}
