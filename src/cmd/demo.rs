//! `scanstation demo`: a seeded store in a temporary directory, a simulated
//! scanner that scans every few seconds and a simulated RFID reader, so that a
//! newcomer sees the station at work without hardware or a real store.

use crate::cli::DemoArgs;
use anyhow::Context as _;
use scanstation::app::{self, AppOptions, DemoScanner};
use scanstation::device::sim;
use scanstation::store::Store;
use std::process::ExitCode;
use std::time::Duration;

pub fn run(ctx: &super::Ctx, args: &DemoArgs) -> anyhow::Result<ExitCode> {
    let dir = tempfile::Builder::new()
        .prefix("scanstation-demo-")
        .tempdir()
        .context("creating the demo's temporary directory")?;
    let db_path = dir.path().join("demo.db");
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
