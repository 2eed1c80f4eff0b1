//! `scanstation simulate`: a simulated reader on a pseudo-terminal. The first
//! stdout line is the SPEC to give `monitor`; then it serves until interrupted.

use crate::cli::{SimMode, SimProtocol, SimulateArgs};
use anyhow::Context as _;
use scanstation::device::sim;
use std::io::Write as _;
use std::process::ExitCode;

pub fn run(_ctx: &super::Ctx, args: &SimulateArgs) -> anyhow::Result<ExitCode> {
    if !(args.rate.is_finite() && args.rate >= 0.0) {
        anyhow::bail!("--rate must be a number of reads per second, 0 or more");
    }
    let protocol = match args.protocol {
        SimProtocol::Chafon => sim::SimProtocol::Chafon,
        SimProtocol::Tsl => sim::SimProtocol::Tsl,
        SimProtocol::Mercury => sim::SimProtocol::Mercury,
        SimProtocol::Lines => sim::SimProtocol::Lines,
    };
    let opts = sim::SimOptions {
        tags: args.tags,
        rate: args.rate,
        active: args.mode == SimMode::Active,
        link: args.link.clone(),
        ..sim::SimOptions::default()
    };
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    rt.block_on(async move {
        let handle = sim::spawn(protocol, opts).context("opening a pseudo-terminal")?;
        let mut out = std::io::stdout().lock();
        writeln!(out, "{}", handle.spec())?;
        out.flush()?;
        drop(out);
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
            .context("listening for SIGTERM")?;
        tokio::select! {
            r = tokio::signal::ctrl_c() => r.context("waiting for Ctrl-C")?,
            _ = term.recv() => {}
        }
        handle.unplug().await;
        Ok(ExitCode::SUCCESS)
    })
}
