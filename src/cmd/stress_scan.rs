//! `scanstation stress-scan [--count N]` (hidden): appends generated scan
//! events as fast as the store commits, one transaction each, printing
//! `ok SEQ` after each commit. The crash test kills it with SIGKILL and checks
//! that every seq printed is still in the journal.

use anyhow::Context as _;
use scanstation::store::{journal, NewEvent, Store};
use std::io::Write;
use std::process::ExitCode;
use std::time::SystemTime;

pub fn run(ctx: &super::Ctx, args: &crate::cli::StressScanArgs) -> anyhow::Result<ExitCode> {
    if args.rfid {
        return through_station(ctx, args.count);
    }
    let mut store = Store::open(&ctx.db_path)?;
    let pid = std::process::id();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut i: u64 = 0;
    while args.count.is_none_or(|n| i < n) {
        i += 1;
        let code = format!("STRESS-{pid}-{i:08}");
        let mut tx = store.write()?;
        let ev = tx
            .append_event(&NewEvent {
                at: SystemTime::now(),
                station: &ctx.config.station.id,
                operator: None,
                kind: "scan",
                training: true,
                payload: journal::scan_payload(code.as_bytes(), false, "simulated", None),
            })
            .context("appending a scan")?;
        tx.commit().context("committing a scan")?;
        writeln!(out, "ok {}", ev.seq)?;
        out.flush()?;
    }
    Ok(ExitCode::SUCCESS)
}

/// RFID reads (grouped by the station) and barcodes, through `Station::submit`
/// with a tick every 100 ms, as the station thread runs them.
fn through_station(ctx: &super::Ctx, count: Option<u64>) -> anyhow::Result<ExitCode> {
    use scanstation::input::{Input, RfidRead, Scan, Source};
    use scanstation::station::{Station, StationSettings};
    let store = Store::open(&ctx.db_path)?;
    let mut station = Station::new(store, StationSettings::from_config(&ctx.config, true))?;
    let pid = std::process::id();
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut next_tick = std::time::Instant::now();
    let mut i: u64 = 0;
    while count.is_none_or(|n| i < n) {
        i += 1;
        let input = if i.is_multiple_of(10) {
            let code = format!("STRESS-{pid}-{i:08}");
            Input::Scan(Scan::new(
                Source::Simulated,
                code.into_bytes(),
                SystemTime::now(),
            ))
        } else {
            let mut epc = vec![0x34u8; 12];
            epc[4..12].copy_from_slice(&i.to_be_bytes());
            Input::Rfid(RfidRead {
                source: "stress".into(),
                epc,
                antenna: Some(1),
                rssi: Some(-60.0),
                count: 1,
                at: SystemTime::now(),
            })
        };
        let rfid = matches!(input, Input::Rfid(_));
        let mut answers = station.submit(input);
        if rfid {
            writeln!(out, "sent {i}")?;
        }
        if std::time::Instant::now() >= next_tick {
            next_tick += scanstation::station::GROUP_WINDOW;
            answers.extend(station.submit(Input::Tick(SystemTime::now())));
        }
        for a in answers {
            if let (Some(seq), Some(code)) = (a.seq, &a.code) {
                let what = if code.starts_with("STRESS-") {
                    "ok"
                } else {
                    "rfid"
                };
                writeln!(out, "{what} {seq}")?;
            }
        }
        out.flush()?;
    }
    Ok(ExitCode::SUCCESS)
}
