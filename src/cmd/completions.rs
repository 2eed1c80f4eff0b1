//! `scanstation completions SHELL`: a completion script generated from the
//! command line's definition (clap_complete), so it never drifts from the
//! commands the binary has. Install, for example:
//! `scanstation completions bash > ~/.local/share/bash-completion/completions/scanstation`.

use crate::cli::{Cli, CompletionsArgs};
use clap::CommandFactory;
use std::io::Write;
use std::process::ExitCode;

pub fn run(args: &CompletionsArgs) -> anyhow::Result<ExitCode> {
    let mut cmd = Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "scanstation", &mut out);
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(&out)?;
    stdout.flush()?;
    Ok(ExitCode::SUCCESS)
}
