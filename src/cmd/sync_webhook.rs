//! `scanstation sync [--once]` for `[upstream] kind = "webhook"`: reads the
//! secret (a file not readable by group or others, or
//! `SCANSTATION_UPSTREAM_SECRET`) and runs the webhook worker. `sync status`
//! and `sync retry` need nothing of their own: the webhook's state is kept
//! in the same tables under the name `webhook`.

use anyhow::Context as _;
use scanstation::store::{sync_state, Store};
use scanstation::sync::config::{self, UpstreamConfig};
use scanstation::sync::pace::Clock;
use scanstation::sync::webhook::Webhook;
use scanstation::sync::webhook_worker::{WebhookWorker, UPSTREAM};
use std::process::ExitCode;

pub fn run(
    ctx: &super::Ctx,
    cfg: &UpstreamConfig,
    once: bool,
    rt: &tokio::runtime::Runtime,
) -> anyhow::Result<ExitCode> {
    let secret = config::read_secret(
        cfg.secret_file.as_deref(),
        "SCANSTATION_UPSTREAM_SECRET",
        "secret_file",
        "webhook secret",
    )?;
    let clock = Clock::new();
    let hook = Webhook::new(cfg, secret, clock).context("setting up the webhook")?;
    let store = Store::open(&ctx.db_path)?;
    let mut worker = WebhookWorker::new(store, hook, clock);
    let pass = if once {
        rt.block_on(worker.run_once())?
    } else {
        rt.block_on(worker.run(2_000, async {
            let _ = tokio::signal::ctrl_c().await;
        }))?
    };
    let counts = sync_state::counts(worker.store().conn(), UPSTREAM)?;
    eprintln!(
        "sync: {} sent, {} retried, {} parked this run; {} parked in all",
        pass.done, pass.retried, pass.parked, counts.parked
    );
    Ok(if once && counts.parked > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
