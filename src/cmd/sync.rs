//! `scanstation sync [--once]`, `sync status [--json]`, `sync pull`,
//! `sync retry OP_ID...|--all` (contracts.md, "Upstream"), and the hidden
//! `sync serve-fake` for checks by hand.
//!
//! A webhook upstream runs in `super::sync_webhook`; status and retry are
//! the same for both.
//!
//! `[upstream]` is read from the config file, or, until the main config
//! carries that table, from `upstream.toml` beside it.

use crate::cli::{SyncArgs, SyncCommand};
use anyhow::{bail, Context as _};
use scanstation::store::{self, sync_state, Store};
use scanstation::sync::config::{self, UpstreamConfig, UpstreamKind};
use scanstation::sync::pace::Clock;
use scanstation::sync::snipeit::SnipeIt;
use scanstation::sync::worker::Worker;
use serde_json::json;
use std::process::ExitCode;

pub fn run(ctx: &super::Ctx, args: &SyncArgs) -> anyhow::Result<ExitCode> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    if let Some(SyncCommand::ServeFake {
        port,
        token,
        p_500,
        p_timeout,
        p_drop,
        p_error,
        throttle,
    }) = &args.command
    {
        let faults = scanstation::sync::fake::Faults {
            p_server_error: *p_500,
            p_timeout: *p_timeout,
            p_drop: *p_drop,
            p_error_body: *p_error,
            ..Default::default()
        };
        return rt.block_on(serve_fake(*port, token, faults, *throttle));
    }
    let config_path = scanstation::paths::resolve_config_path(ctx.global.config.as_deref());
    let cfg = ctx
        .config
        .upstream
        .clone()
        .ok_or(config::ConfigError::NotConfigured { path: config_path })?;
    let name = cfg.kind.as_str();
    match &args.command {
        Some(SyncCommand::Status { json }) => status(ctx, name, *json),
        Some(SyncCommand::Retry { ids, all }) => {
            let mut store = Store::open(&ctx.db_path)?;
            let tx = store.write()?;
            let n = sync_state::unpark(tx.conn(), name, (!*all).then_some(ids.as_slice()))?;
            tx.commit()?;
            println!("{}", json!({ "upstream": name, "unparked": n }));
            Ok(ExitCode::SUCCESS)
        }
        Some(SyncCommand::Pull) if cfg.kind == UpstreamKind::Webhook => {
            bail!("`sync pull` fetches Snipe-IT's reference data: a webhook has nothing to pull")
        }
        Some(SyncCommand::Pull) => {
            let mut client = connect(&cfg)?;
            let data = rt
                .block_on(scanstation::sync::pull::fetch(&mut client))
                .context("pulling from the upstream")?;
            let mut store = Store::open(&ctx.db_path)?;
            let report = scanstation::sync::pull::apply(
                &mut store,
                name,
                &cfg,
                &ctx.config.station.id,
                &data,
            )?;
            for (kind, (fetched, created)) in report {
                println!(
                    "{}",
                    json!({"kind": kind, "fetched": fetched, "created": created})
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(SyncCommand::ServeFake { .. }) => unreachable_fake(),
        None if cfg.kind == UpstreamKind::Webhook => {
            super::sync_webhook::run(ctx, &cfg, args.once, &rt)
        }
        None => {
            let client = connect(&cfg)?;
            let store = Store::open(&ctx.db_path)?;
            let mut worker = Worker::new(store, client, name, cfg, Clock::new());
            let pass = if args.once {
                worker.plan_new()?;
                let bar = progress_bar(&sync_state::counts(worker.store().conn(), name)?);
                let pass = rt.block_on(worker.run_once_observed(|p| {
                    bar.inc_length(u64::try_from(p.planned).unwrap_or(0));
                    bar.inc(u64::try_from(p.done + p.parked).unwrap_or(0));
                    if p.retried + p.parked > 0 {
                        let (r, k) = (p.retried, p.parked);
                        bar.set_message(format!("last pass: {r} to retry, {k} parked"));
                    }
                }));
                bar.finish_and_clear();
                pass?
            } else {
                rt.block_on(worker.run(2_000, async {
                    let _ = tokio::signal::ctrl_c().await;
                }))?
            };
            let counts = sync_state::counts(worker.store().conn(), name)?;
            eprintln!(
                "sync: {} done, {} retried, {} parked this run; {} parked in all",
                pass.done, pass.retried, pass.parked, counts.parked
            );
            Ok(if args.once && counts.parked > 0 {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
    }
}

/// `sync --once`'s progress on stderr, only when stderr is a terminal: the
/// operations open when it starts (new ones planned meanwhile grow it).
fn progress_bar(counts: &sync_state::Counts) -> indicatif::ProgressBar {
    use std::io::IsTerminal as _;
    let open = counts.pending + counts.in_flight;
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let bar = indicatif::ProgressBar::with_draw_target(
        Some(open),
        indicatif::ProgressDrawTarget::stderr(),
    );
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "sync {bar:30} {pos}/{len} operations ({per_sec}, {eta} left) {msg}",
    ) {
        bar.set_style(style);
    }
    bar
}

fn unreachable_fake() -> anyhow::Result<ExitCode> {
    bail!("serve-fake is handled before the upstream is configured")
}

fn connect(cfg: &UpstreamConfig) -> anyhow::Result<SnipeIt> {
    let token = config::read_secret(
        cfg.token_file.as_deref(),
        "SCANSTATION_UPSTREAM_TOKEN",
        "token_file",
        "API token",
    )?;
    Ok(SnipeIt::new(cfg, token, Clock::new())?)
}

fn status(ctx: &super::Ctx, name: &str, as_json: bool) -> anyhow::Result<ExitCode> {
    let store = Store::open(&ctx.db_path)?;
    let c = store.conn();
    let counts = sync_state::counts(c, name)?;
    let mut parked = Vec::new();
    for op in sync_state::parked(c, name)? {
        let tag = match op.asset_id {
            Some(a) => store::identifiers::first_of_kind(c, a, "asset_tag")?,
            None => None,
        };
        parked.push(
            json!({"id": op.id, "seq": op.seq, "op": op.op, "asset": tag, "reason": op.reason}),
        );
    }
    if as_json {
        println!(
            "{}",
            json!({
                "upstream": name, "pending": counts.pending, "in_flight": counts.in_flight,
                "done": counts.done, "parked": counts.parked, "last_error": counts.last_error,
                "parked_ops": parked,
            })
        );
    } else {
        println!(
            "{name}: {} pending, {} in flight, {} done, {} parked",
            counts.pending, counts.in_flight, counts.done, counts.parked
        );
        if let Some(e) = &counts.last_error {
            println!("last error: {e}");
        }
        for p in &parked {
            println!(
                "parked op {} (journal #{}, {} {}): {}",
                p["id"],
                p["seq"],
                p["op"].as_str().unwrap_or(""),
                p["asset"].as_str().unwrap_or("—"),
                p["reason"].as_str().unwrap_or("")
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}

async fn serve_fake(
    port: u16,
    token: &str,
    faults: scanstation::sync::fake::Faults,
    throttle: Option<u32>,
) -> anyhow::Result<ExitCode> {
    let fake = scanstation::sync::fake::FakeSnipeIt::start(token, port, rand::random())
        .await
        .context("starting the fake Snipe-IT")?;
    {
        let mut s = fake.state();
        s.faults = faults;
        s.throttle = throttle;
        s.hang = std::time::Duration::from_secs(60);
    }
    println!("{}", json!({ "url": fake.url() }));
    let mut shown = 0;
    let mut tick = tokio::time::interval(std::time::Duration::from_millis(200));
    let mut minute = tokio::time::interval(std::time::Duration::from_secs(60));
    loop {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => break,
            _ = minute.tick() => fake.state().window_used = 0,
            _ = tick.tick() => {
                let s = fake.state();
                for l in s.log.iter().skip(shown) {
                    eprintln!("fake snipe-it: {l}");
                }
                shown = s.log.len();
            }
        }
    }
    let s = fake.state();
    let assets: Vec<_> = s
        .assets
        .iter()
        .map(|(id, a)| json!({"id": id, "asset_tag": a.tag, "fields": a.fields, "checked_out": a.checked_out}))
        .collect();
    let activity: Vec<_> = s
        .activity
        .iter()
        .map(|a| json!({"item_id": a.item_id, "action": a.action, "note": a.note}))
        .collect();
    let lists: serde_json::Map<_, _> = s
        .lists
        .iter()
        .map(|(k, v)| {
            (
                k.to_string(),
                json!(v
                    .iter()
                    .map(|(id, o)| json!({"id": id, "name": o.name}))
                    .collect::<Vec<_>>()),
            )
        })
        .collect();
    println!(
        "{}",
        json!({"requests": s.requests, "assets": assets, "activity": activity, "lists": lists})
    );
    Ok(ExitCode::SUCCESS)
}
