//! `scanstation demo`: a seeded store in a temporary directory, a simulated
//! scanner that scans every few seconds and a simulated RFID reader, so that a
//! newcomer sees the station at work without hardware or a real store.
//!
//! `--db PATH` is honoured: the demo's store is created there and kept after
//! the demo (to look at with `journal` or `verify`). The path must not exist
//! yet: the demo seeds a new store and never writes into an existing one, a
//! real station's least of all. Without `--db` (`SCANSTATION_DB` and the
//! config's store path are ignored on purpose, for the same reason) the
//! store lives in a temporary directory removed at the end.

use crate::cli::DemoArgs;
use anyhow::Context as _;
use scanstation::app::{self, AppOptions, DemoScanner};
use scanstation::device::sim;
use scanstation::store::Store;
use std::process::ExitCode;
use std::time::Duration;

pub fn run(ctx: &super::Ctx, args: &DemoArgs) -> anyhow::Result<ExitCode> {
    // `_dir` keeps the temporary directory for the life of the demo.
    let (_dir, db_path) = match &ctx.global.db {
        Some(path) => {
            if path.exists() {
                anyhow::bail!(
                    "demo --db {}: that file exists; the demo seeds a new store and never \
                     writes into an existing one (name a new file, or leave out --db)",
                    path.display()
                );
            }
            (None, path.clone())
        }
        None => {
            let dir = tempfile::Builder::new()
                .prefix("scanstation-demo-")
                .tempdir()
                .context("creating the demo's temporary directory")?;
            let path = dir.path().join("demo.db");
            (Some(dir), path)
        }
    };
    let mut store = Store::open(&db_path)?;
    let codes = scanstation::station::seed::seed_demo(&mut store, &ctx.config.station.id)?;
    // The reader sees the seeded assets' tags, and one tag on something that
    // is not in the store.
    let mut epcs: Vec<[u8; 12]> = codes
        .epcs
        .iter()
        .filter_map(|hex| <[u8; 12]>::try_from(hex::decode(hex).ok()?).ok())
        .collect();
    epcs.push(sim::giai96(999_999)?);
    // Active mode: the reader pushes one read every 2.5 s (polled, it would
    // answer every inventory round and drown the scanner's scans).
    let rfid_opts = sim::SimOptions {
        epcs,
        rate: 0.4,
        active: true,
        ..sim::SimOptions::default()
    };
    // The simulated reader serves its pty on a runtime of its own, which
    // lives as long as the demo.
    let sim_runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .context("starting the simulator's runtime")?;
    let rfid = {
        let _guard = sim_runtime.enter();
        sim::spawn(sim::SimProtocol::Chafon, rfid_opts)
            .context("starting the simulated RFID reader")?
    };
    let mut readers = ctx.reader_specs();
    readers.push(rfid.spec().to_string());
    app::run_with_store(
        store,
        AppOptions {
            config: ctx.config.clone(),
            db_path,
            training: ctx.global.training,
            readers,
            demo: Some(DemoScanner {
                codes: codes.scan_codes,
                every: Duration::from_secs_f64(args.every.max(0.2)),
            }),
        },
    )?;
    drop(rfid);
    sim_runtime.shutdown_timeout(Duration::from_millis(200));
    Ok(ExitCode::SUCCESS)
}
