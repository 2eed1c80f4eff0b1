//! `scanstation feed [--mode MODE] [--operator BADGE] [--station ID] [FILE|-]`:
//! scans and reads through the station exactly as the terminal would, one
//! JSON answer per input line (contracts: `feed`). The batch upload of a
//! handheld that stored its scans offline, and the way tests script benches.

use crate::cli::FeedArgs;
use anyhow::{bail, Context as _};
use scanstation::input::{Command, Input, Mode, Scan, Source};
use scanstation::station::{Level, Outcome, Station, StationSettings};
use scanstation::store::{assets, Store};
use serde_json::{json, Value};
use std::collections::HashMap;
use std::io::{BufRead, Write};
use std::process::ExitCode;
use std::time::{Duration, Instant, SystemTime};

/// How long feed waits for a store another process keeps busy.
const BUSY_GIVE_UP: Duration = Duration::from_secs(120);

/// One input line waiting for its answer.
struct Pending {
    line: usize,
    input: String,
}

pub fn run(ctx: &super::Ctx, args: &FeedArgs) -> anyhow::Result<ExitCode> {
    let reader: Box<dyn BufRead> = match args.file.as_deref() {
        None | Some("-") => Box::new(std::io::stdin().lock()),
        Some(path) => Box::new(std::io::BufReader::new(
            std::fs::File::open(path).with_context(|| format!("cannot read {path}"))?,
        )),
    };
    let mode = match &args.mode {
        Some(m) => Some(Mode::parse(m).with_context(|| {
            format!("--mode {m:?} is not a mode (lookup, receive, wipe, stocktake, disposal)")
        })?),
        None => None,
    };
    let store = Store::open(&ctx.db_path)?;
    let mut settings = StationSettings::from_config(&ctx.config, ctx.global.training);
    settings.station_id = args
        .station
        .clone()
        .unwrap_or_else(|| format!("{}-feed", ctx.config.station.id));
    let station_id = settings.station_id.clone();
    let mut station = Station::new(store, settings)?;

    // The badge first: a mode may open with a question, which a badge
    // would answer instead of signing in.
    if let Some(badge) = &args.operator {
        let scan = Scan::new(Source::Typed, badge.as_bytes(), SystemTime::now());
        let o = station.handle(Input::Scan(scan));
        if o.level != Level::Ok || o.session.operator.as_ref().map(|op| &op.badge) != Some(badge) {
            bail!("--operator {badge}: {}", o.message);
        }
    }
    if let Some(m) = mode {
        let o = station.handle(Input::Command(Command::Mode(m)));
        if o.level == Level::Error {
            bail!("switching to {} mode: {}", m.as_str(), o.message);
        }
    }

    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut pending: HashMap<u64, Pending> = HashMap::new();
    let mut failed = false;
    let mut last_tick = Instant::now();
    for (i, line) in reader.split(b'\n').enumerate() {
        let bytes = line.context("reading the feed")?;
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let text = text.strip_suffix('\r').unwrap_or(&text).to_string();
        let input = match scanstation::feed::parse_line(&text, SystemTime::now()) {
            Ok(Some(input)) => input,
            Ok(None) => continue,
            Err(why) => {
                failed = true;
                let o = json!({"line": i + 1, "input": text, "level": "error", "message": why,
                    "mode": station.mode().as_str(), "seq": null, "identity": null,
                    "asset": null, "question": null});
                writeln!(out, "{o}")?;
                continue;
            }
        };
        pending.insert(
            station.next_input_no(),
            Pending {
                line: i + 1,
                input: text,
            },
        );
        let outcomes = station.submit(input);
        failed |= print(&mut out, &station, &mut pending, outcomes)?;
        if last_tick.elapsed() >= scanstation::station::GROUP_WINDOW {
            last_tick = Instant::now();
            let o = station.submit(Input::Tick(SystemTime::now()));
            failed |= print(&mut out, &station, &mut pending, o)?;
        }
    }
    let o = station.flush();
    failed |= print(&mut out, &station, &mut pending, o)?;
    let started = Instant::now();
    while station.queued() > 0 {
        if started.elapsed() > BUSY_GIVE_UP {
            out.flush()?;
            bail!(
                "the store stayed busy for {} s: {} inputs were NOT saved",
                BUSY_GIVE_UP.as_secs(),
                station.queued()
            );
        }
        std::thread::sleep(scanstation::station::GROUP_WINDOW);
        let o = station.flush();
        failed |= print(&mut out, &station, &mut pending, o)?;
    }
    out.flush()?;
    drop(station);
    super::label_queue::drain_after_feed(ctx, &station_id);
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// Prints the answers among `outcomes`; true when one was an error.
fn print(
    out: &mut impl Write,
    station: &Station,
    pending: &mut HashMap<u64, Pending>,
    outcomes: Vec<Outcome>,
) -> anyhow::Result<bool> {
    let mut failed = false;
    for o in outcomes {
        let Some(no) = o.input else {
            if !o.quiet {
                eprintln!("scanstation: {}", o.message);
            }
            continue;
        };
        let Some(p) = pending.remove(&no) else {
            continue;
        };
        failed |= o.level == Level::Error;
        let asset = match o.asset {
            Some(id) => assets::get(station.store().conn(), id)?
                .map(|a| json!({"tag": a.tag, "status": a.status, "location": a.location_code})),
            None => None,
        };
        let level = match o.level {
            Level::Ok => "ok",
            Level::Warning => "warn",
            Level::Error => "error",
        };
        let mut answer = json!({
            "line": p.line,
            "input": p.input,
            "level": level,
            "message": o.message,
            "mode": o.session.mode.as_str(),
            "seq": o.seq,
            "identity": o.identity.map(|(t, v)| json!({"type": t, "value": v})),
            "asset": asset.unwrap_or(Value::Null),
            "question": o.question.map(|q| q.prompt),
        });
        if let (Some((name, v)), Some(m)) = (o.mode_object, answer.as_object_mut()) {
            m.insert(name.to_string(), v);
        }
        writeln!(out, "{answer}")?;
    }
    Ok(failed)
}
