//! Run-time wiring: opens the store, starts the station's writer thread, the
//! readers' supervisors and the UI loop, and connects their channels.
//!
//! ```text
//!  readers ──DeviceEvent──> forwarder ──Input──┐
//!  UI keys / wedge scans ──────────────Input───┤ (one std mpsc channel)
//!  demo scanner ───────────────────────Input───┘
//!                                              v
//!                             station thread: Station::handle
//!                                              │ Outcome
//!                                              v
//!                     UI loop (UiEvent channel) <── reader status
//! ```
//! The station thread is the single writer: an fsync never delays drawing or
//! the timing of keys.
//!
//! SIGTERM and SIGHUP take the way out F10 takes: the UI loop is told to quit
//! (and restores the terminal), the readers end their sessions, and the
//! station thread, once every sender is gone, signs the operator out.

use crate::config::Config;
use crate::device::{self, DeviceEvent};
use crate::input::{Input, Scan, Source};
use crate::station::{Station, StationSettings};
use crate::store::Store;
use crate::ui::{UiEvent, UiIo, UiOptions};
use std::path::PathBuf;
use std::sync::mpsc;
use std::time::{Duration, SystemTime};
use tokio::signal::unix::{signal, Signal, SignalKind};

mod sync_thread;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("{0}")]
    Store(#[from] crate::store::StoreError),
    #[error("{0}")]
    Station(#[from] crate::station::StationError),
    #[error("reader {spec}: {message}")]
    Reader { spec: String, message: String },
    #[error("[labels] {0}")]
    Printer(String),
    #[error("terminal: {0}")]
    Terminal(#[from] std::io::Error),
}

/// How long a reader may take to end its session when the station quits.
const READER_STOP_GRACE: Duration = Duration::from_secs(2);

/// How often the station gets an `Input::Tick` (RFID groups commit on it;
/// inputs held for a busy store are retried on it).
pub const TICK: Duration = Duration::from_millis(100);

/// How often the label worker looks for new jobs when its queue is empty.
const LABEL_POLL: Duration = Duration::from_secs(1);

/// RFID reads that may be on their way to the station at once.
const RFID_IN_FLIGHT: usize = 4096;

/// Codes a simulated scanner scans in turn (the demo).
#[derive(Debug, Clone)]
pub struct DemoScanner {
    pub codes: Vec<String>,
    pub every: Duration,
}

/// Everything `run` needs, resolved by the command line.
#[derive(Debug, Clone)]
pub struct AppOptions {
    pub config: Config,
    pub db_path: PathBuf,
    pub training: bool,
    /// Reader SPECs to run.
    pub readers: Vec<String>,
    pub demo: Option<DemoScanner>,
}

/// Runs the station until the operator quits.
pub fn run(opts: AppOptions) -> Result<(), AppError> {
    let store = Store::open(&opts.db_path)?;
    run_with_store(store, opts)
}

/// As [`run`], on a store that is already open (the demo seeds one first).
pub fn run_with_store(store: Store, opts: AppOptions) -> Result<(), AppError> {
    let settings = StationSettings::from_config(&opts.config, opts.training);
    let station_id = settings.station_id.clone();
    // Upstream sync gets its own connection (nothing from training).
    let sync_store = match (&opts.config.upstream, opts.training) {
        (Some(_), false) => Some(store.another()?),
        _ => None,
    };
    let station = Station::new(store, settings)?;
    let resolved = resolve_readers(&opts.readers)?;

    let (input_tx, input_rx) = mpsc::channel::<Input>();
    let (ui_tx, ui_rx) = tokio::sync::mpsc::unbounded_channel::<UiEvent>();
    let labels = label_worker(&opts, &station_id, ui_tx.clone())?;

    // RFID reads in flight between the readers and the station: bounded, so
    // a flood slows the readers' dedupe instead of growing memory.
    let rfid_credit = std::sync::Arc::new(tokio::sync::Semaphore::new(RFID_IN_FLIGHT));

    // The single writer.
    let station_ui = ui_tx.clone();
    let credit = rfid_credit.clone();
    let writer = std::thread::Builder::new()
        .name("station".into())
        .spawn(move || station_thread(station, input_rx, station_ui, credit))?;

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .thread_name("readers")
        .build()?;
    let (dev_tx, mut dev_rx) = tokio::sync::mpsc::channel::<DeviceEvent>(1024);
    let shutdown = tokio_util::sync::CancellationToken::new();
    let readers = {
        let _guard = runtime.enter();
        let readers = device::supervisor::spawn_all_until(resolved, dev_tx, shutdown.clone());
        let forward_input = input_tx.clone();
        let forward_ui = ui_tx.clone();
        runtime.spawn(async move {
            while let Some(ev) = dev_rx.recv().await {
                let sent = match ev {
                    DeviceEvent::Scan(scan) => forward_input.send(Input::Scan(scan)).is_ok(),
                    DeviceEvent::Rfid(read) => {
                        // The station gives the permit back when it has taken the read.
                        match rfid_credit.acquire().await {
                            Ok(p) => p.forget(),
                            Err(_) => break,
                        }
                        forward_input.send(Input::Rfid(read)).is_ok()
                    }
                    DeviceEvent::Status(status) => forward_ui.send(UiEvent::Reader(status)).is_ok(),
                };
                if !sent {
                    break;
                }
            }
        });
        if let Some(demo) = opts.demo.clone() {
            runtime.spawn(demo_scanner(demo, input_tx.clone()));
        }
        runtime.spawn(quit_on_signal(
            signal(SignalKind::terminate())?,
            signal(SignalKind::hangup())?,
            ui_tx.clone(),
        ));
        readers
    };

    if let (Some(up), Some(store)) = (opts.config.upstream.clone(), sync_store) {
        sync_thread::spawn(up, store, ui_tx.clone(), shutdown.clone());
    }

    let ui_opts = UiOptions {
        wedge: opts.config.wedge.clone(),
        store_path: opts.db_path.display().to_string(),
        training: opts.training,
    };
    let result = crate::ui::run(
        UiIo {
            to_station: input_tx,
            events: ui_rx,
        },
        ui_opts,
    );
    // The label worker stops between jobs; a job on its way to the printer
    // is not waited for (it is sent again next time if it was not marked).
    if let Some(stop) = labels {
        stop.cancel();
    }
    // The readers end their sessions (a USB scanner goes back to the kernel,
    // a Mercury module is told to stop reading), then the runtime goes, with
    // the forwarder and the demo scanner.
    shutdown.cancel();
    runtime.block_on(async {
        let deadline = tokio::time::Instant::now() + READER_STOP_GRACE;
        for reader in readers {
            let _ = tokio::time::timeout_at(deadline, reader).await;
        }
    });
    runtime.shutdown_timeout(Duration::from_millis(500));
    drop(ui_tx);
    let _ = writer.join();
    result.map_err(AppError::Terminal)
}

/// The station's thread: inputs in, outcomes out, a tick every [`TICK`]. An
/// outcome is sent as soon as its input is committed; the asset's card (a
/// read) follows it, so no read delays the answer. When every sender is gone
/// (the operator quit, or a signal) the operator is signed out; a crash never
/// gets there, and the next start resumes the session.
fn station_thread(
    mut station: Station,
    inputs: mpsc::Receiver<Input>,
    ui: tokio::sync::mpsc::UnboundedSender<UiEvent>,
    rfid_credit: std::sync::Arc<tokio::sync::Semaphore>,
) {
    let send = |station: &Station, outcomes: Vec<crate::station::Outcome>| -> bool {
        for o in outcomes {
            let card = o
                .asset
                .filter(|_| !o.quiet && o.panel.is_none())
                .and_then(|id| station.card(id));
            if ui.send(UiEvent::Outcome(o)).is_err() {
                return false;
            }
            if let Some(card) = card {
                let _ = ui.send(UiEvent::Panel(card));
            }
        }
        true
    };
    // Show the session (operator, mode, question) before the first scan,
    // and the panel of what the mode has open (a restart resumes it).
    let first = station.handle(Input::Tick(SystemTime::now()));
    if !send(&station, vec![first]) {
        return;
    }
    if let Some(panel) = station.mode_panel() {
        let _ = ui.send(UiEvent::Panel(panel));
    }
    let mut next_tick = std::time::Instant::now() + TICK;
    loop {
        let wait = next_tick.saturating_duration_since(std::time::Instant::now());
        match inputs.recv_timeout(wait) {
            Ok(input) => {
                let rfid = matches!(input, Input::Rfid(_));
                let out = station.submit(input);
                if rfid {
                    rfid_credit.add_permits(1);
                }
                if !send(&station, out) {
                    break;
                }
            }
            Err(mpsc::RecvTimeoutError::Timeout) => {}
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
        }
        let now = std::time::Instant::now();
        if now >= next_tick {
            next_tick = now + TICK;
            let out = station.submit(Input::Tick(SystemTime::now()));
            if !send(&station, out) {
                break;
            }
        }
    }
    let out = station.stop("quit");
    let _ = send(&station, out);
}

/// The label worker on its own thread and store connection, when
/// `[labels] printer` is set: this station's label jobs to the printer, the
/// queue's counts to the header. Returns what stops it.
fn label_worker(
    opts: &AppOptions,
    station: &str,
    ui: tokio::sync::mpsc::UnboundedSender<UiEvent>,
) -> Result<Option<tokio_util::sync::CancellationToken>, AppError> {
    let Some(spec) = &opts.config.labels.printer else {
        return Ok(None);
    };
    let spec = crate::label::printer::PrinterSpec::parse(spec).map_err(AppError::Printer)?;
    let mut worker =
        crate::label::worker::Worker::new(Store::open(&opts.db_path)?, spec.printer(), station);
    let stop = tokio_util::sync::CancellationToken::new();
    let stopped = stop.clone();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .build()?;
    std::thread::Builder::new()
        .name("labels".into())
        .spawn(move || {
            runtime.block_on(worker.run(LABEL_POLL, stopped.cancelled_owned(), |c| {
                let _ = ui.send(UiEvent::Labels(c));
            }));
        })?;
    Ok(Some(stop))
}

fn resolve_readers(specs: &[String]) -> Result<Vec<device::spec::ResolvedSpec>, AppError> {
    if specs.is_empty() {
        return Ok(Vec::new());
    }
    let profiles = device::profile::Profiles::load().map_err(|e| AppError::Reader {
        spec: "profiles".into(),
        message: e.to_string(),
    })?;
    let (specs, problems) = device::detect::expand_auto(specs, &profiles);
    for p in problems {
        tracing::warn!("reader autodetection: {p}");
    }
    specs
        .iter()
        .map(|s| {
            device::spec::parse(s)
                .and_then(|p| device::spec::resolve(&p, &profiles))
                .map_err(|e| AppError::Reader {
                    spec: s.clone(),
                    message: e.to_string(),
                })
        })
        .collect()
}

/// Asks the UI loop to quit, as F10 does, on SIGTERM or SIGHUP.
async fn quit_on_signal(
    mut term: Signal,
    mut hup: Signal,
    ui: tokio::sync::mpsc::UnboundedSender<UiEvent>,
) {
    let name = tokio::select! {
        _ = term.recv() => "SIGTERM",
        _ = hup.recv() => "SIGHUP",
    };
    tracing::info!("{name}: quitting as on F10");
    let _ = ui.send(UiEvent::Quit);
}

/// The demo's scanner: scans its codes in turn, forever.
async fn demo_scanner(demo: DemoScanner, tx: mpsc::Sender<Input>) {
    let mut tick = tokio::time::interval(demo.every.max(Duration::from_millis(200)));
    tick.tick().await;
    for code in demo.codes.iter().cycle() {
        tick.tick().await;
        let scan = Scan::new(Source::Simulated, code.as_bytes(), SystemTime::now());
        if tx.send(Input::Scan(scan)).is_err() {
            return;
        }
    }
}
