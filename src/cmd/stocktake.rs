//! `scanstation stocktake start|list|close|move|mark-missing` and
//! `scanstation report stocktake`: glue between the command line, the store
//! and the pure reconciliation (`scanstation::stocktake`). Each action is one
//! transaction with its events: `stocktake.started`, `stocktake.closed`,
//! and for `move` / `mark-missing` the station's own actions
//! (`station::modes::stocktake::actions`: `asset.moved` per asset moved,
//! `asset.status_changed` per asset marked missing, through the lifecycle
//! table and the policy, as at the station), then `stocktake.action`.

use crate::cli::{KpiReportArgs, ReportFormat, StocktakeCommand, StocktakeReportArgs};
use anyhow::Context as _;
use scanstation::station::decision::Journal;
use scanstation::station::modes::stocktake::actions;
use scanstation::station::policy::Policy;
use scanstation::stocktake::reconcile::Kind;
use scanstation::stocktake::report::{self, Report};
use scanstation::store::{self, NewEvent, Store, Tx};
use serde_json::{json, Value};
use std::io::Write as _;
use std::process::ExitCode;
use std::time::SystemTime;

pub fn run(ctx: &super::Ctx, c: &StocktakeCommand) -> anyhow::Result<ExitCode> {
    match c {
        StocktakeCommand::Start { name, scope, owner } => start(ctx, name, scope, owner.as_deref()),
        StocktakeCommand::List => list(ctx),
        StocktakeCommand::Close { id, yes } => close(ctx, *id, *yes),
        StocktakeCommand::Move { id, .. } => move_misplaced(ctx, *id),
        StocktakeCommand::MarkMissing { id, yes } => mark_missing(ctx, *id, *yes),
    }
}

fn println_json(v: &Value) -> anyhow::Result<()> {
    let mut out = std::io::stdout().lock();
    serde_json::to_writer(&mut out, v)?;
    out.write_all(b"\n")?;
    out.flush()?;
    Ok(())
}

fn event(ctx: &super::Ctx, tx: &mut Tx<'_>, kind: &str, payload: Value) -> anyhow::Result<i64> {
    Ok(tx
        .append_event(&NewEvent {
            at: SystemTime::now(),
            station: &ctx.config.station.id,
            operator: None,
            kind,
            training: ctx.global.training,
            payload,
        })?
        .seq)
}

fn start(
    ctx: &super::Ctx,
    name: &str,
    scope: &[String],
    owner: Option<&str>,
) -> anyhow::Result<ExitCode> {
    let mut store = Store::open(&ctx.db_path)?;
    let mut roots = Vec::with_capacity(scope.len());
    for code in scope {
        match store::locations::by_code(store.conn(), code)? {
            Some(l) => roots.push(l.id),
            None => {
                eprintln!("scanstation: error: no location {code}; nothing was started");
                return Ok(ExitCode::from(1));
            }
        }
    }
    let mut tx = store.write()?;
    let now = scanstation::timefmt::now();
    let (id, uuid, expected) = match store::stocktake::start(tx.conn(), name, owner, &roots, &now) {
        Ok(r) => r,
        Err(e @ store::StoreError::Invalid { .. }) => {
            eprintln!("scanstation: error: {e}; nothing was started");
            return Ok(ExitCode::from(1));
        }
        Err(e) => return Err(e.into()),
    };
    let locations = store::stocktake::scope(tx.conn(), id)?.len();
    event(
        ctx,
        &mut tx,
        "stocktake.started",
        json!({"stocktake_id": id, "uuid": uuid, "name": name, "owner": owner,
               "scope": scope, "locations": locations, "expected": expected}),
    )?;
    tx.commit()?;
    println_json(&json!({"id": id, "name": name, "expected": expected}))?;
    Ok(ExitCode::SUCCESS)
}

fn list(ctx: &super::Ctx) -> anyhow::Result<ExitCode> {
    let store = Store::open_readonly(&ctx.db_path)?;
    let c = store.conn();
    for st in store::stocktake::list(c)? {
        println_json(&json!({
            "id": st.id,
            "uuid": st.uuid,
            "name": st.name,
            "owner": st.owner,
            "status": st.status,
            "started_at": st.started_at,
            "closed_at": st.closed_at,
            "locations": store::stocktake::scope(c, st.id)?.len(),
            "counted": store::stocktake::counted_locations(c, st.id)?.len(),
            "expected": store::stocktake::expected(c, st.id)?.len(),
        }))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// The stock-take, or a message and exit 1.
fn exists(store: &Store, id: i64) -> anyhow::Result<Option<store::stocktake::StocktakeRow>> {
    let st = store::stocktake::get(store.conn(), id)?;
    if st.is_none() {
        eprintln!("scanstation: error: no stock-take {id} (see `scanstation stocktake list`)");
    }
    Ok(st)
}

fn close(ctx: &super::Ctx, id: i64, yes: bool) -> anyhow::Result<ExitCode> {
    let mut store = Store::open(&ctx.db_path)?;
    let Some(st) = exists(&store, id)? else {
        return Ok(ExitCode::from(1));
    };
    if st.status == "closed" {
        eprintln!("scanstation: error: stock-take {id} is already closed");
        return Ok(ExitCode::from(1));
    }
    let scope = store::stocktake::scope(store.conn(), id)?.len();
    let counted = store::stocktake::counted_locations(store.conn(), id)?.len();
    let uncounted = scope.saturating_sub(counted);
    if uncounted > 0 && !yes {
        eprintln!(
            "scanstation: {uncounted} of {scope} locations of stock-take {id} were not counted: \
             run again with --yes to close it anyway"
        );
        return Ok(ExitCode::from(1));
    }
    let mut tx = store.write()?;
    let held = store::stocktake::discard_held(tx.conn(), id)?;
    store::stocktake::set_status(tx.conn(), id, "closed", &scanstation::timefmt::now())?;
    event(
        ctx,
        &mut tx,
        "stocktake.closed",
        json!({"stocktake_id": id, "from": st.status, "uncounted": uncounted, "held_discarded": held}),
    )?;
    tx.commit()?;
    println_json(&json!({"id": id, "status": "closed", "uncounted": uncounted}))?;
    Ok(ExitCode::SUCCESS)
}

fn load(store: &Store, id: i64) -> anyhow::Result<Option<Report>> {
    if exists(store, id)?.is_none() {
        return Ok(None);
    }
    report::report(store.conn(), id).context("reconciling the stock-take")
}

/// Runs `f` in one write transaction as a detached journal (the CLI's
/// actions go through the station's lifecycle and policy functions).
fn act(
    ctx: &super::Ctx,
    store: &mut Store,
    f: impl FnOnce(&mut Journal<'_>, &Policy) -> Result<actions::Outcome, store::StoreError>,
) -> anyhow::Result<actions::Outcome> {
    let policy = Policy::new(
        ctx.config.policy.clone(),
        ctx.config.wipe.media_categories.clone(),
    );
    let tx = store.write()?;
    let mut j = Journal::detached(tx, &ctx.config.station.id, ctx.global.training);
    let out = f(&mut j, &policy)?;
    j.finish()?;
    Ok(out)
}

fn move_misplaced(ctx: &super::Ctx, id: i64) -> anyhow::Result<ExitCode> {
    let mut store = Store::open(&ctx.db_path)?;
    if exists(&store, id)?.is_none() {
        return Ok(ExitCode::from(1));
    }
    let out = act(ctx, &mut store, |j, _| {
        actions::move_misplaced(j, id, SystemTime::now())
    })?;
    for m in &out.done {
        println_json(&json!({"asset": m.asset, "from": m.from, "to": m.to}))?;
    }
    Ok(ExitCode::SUCCESS)
}

fn mark_missing(ctx: &super::Ctx, id: i64, yes: bool) -> anyhow::Result<ExitCode> {
    let mut store = Store::open(&ctx.db_path)?;
    if exists(&store, id)?.is_none() {
        return Ok(ExitCode::from(1));
    }
    if !yes {
        let missing = actions::items(store.conn(), id, Kind::Missing)?;
        let tags: Vec<&str> = missing.iter().map(|i| i.code.as_str()).collect();
        eprintln!(
            "scanstation: {} assets of stock-take {id} are missing: {}; \
             run again with --yes to mark them missing",
            missing.len(),
            tags.join(", ")
        );
        return Ok(ExitCode::from(if missing.is_empty() { 0 } else { 1 }));
    }
    let out = act(ctx, &mut store, |j, policy| {
        actions::mark_missing(j, policy, id, SystemTime::now())
    })?;
    for (tag, why) in &out.refused {
        eprintln!("scanstation: warning: {tag} left as it is: {why}");
    }
    for m in &out.done {
        println_json(&json!({"asset": m.asset, "from": m.from, "to": m.to}))?;
    }
    Ok(ExitCode::SUCCESS)
}

/// `scanstation report stocktake ID [--format json|csv|table]`.
pub fn report(ctx: &super::Ctx, args: &StocktakeReportArgs) -> anyhow::Result<ExitCode> {
    let store = Store::open_readonly(&ctx.db_path)?;
    let Some(r) = load(&store, args.id)? else {
        return Ok(ExitCode::from(1));
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match args.format {
        ReportFormat::Json => {
            serde_json::to_writer(&mut out, &r)?;
            out.write_all(b"\n")?;
        }
        ReportFormat::Csv => report::write_csv(&r, &mut out).map_err(|e| match e.into_kind() {
            csv::ErrorKind::Io(io) => anyhow::Error::from(io),
            other => anyhow::anyhow!("writing CSV: {other:?}"),
        })?,
        ReportFormat::Table => report::write_table(&r, &mut out)?,
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

/// `scanstation report kpi [--format json|csv|table]`: every stock-take's
/// KPIs, oldest first; the table ends with the accuracy trend.
pub fn kpi(ctx: &super::Ctx, args: &KpiReportArgs) -> anyhow::Result<ExitCode> {
    use scanstation::stocktake::kpi;
    let store = Store::open_readonly(&ctx.db_path)?;
    let ks = kpi::kpis(store.conn()).context("computing the stock-take KPIs")?;
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let money = |k: &kpi::Kpi| {
        k.missing_value
            .iter()
            .map(|(c, v)| format!("{c} {}.{:02}", v / 100, (v % 100).abs()))
            .collect::<Vec<_>>()
            .join(" ")
    };
    match args.format {
        ReportFormat::Json => {
            let trend: Vec<f64> = ks.iter().map(|k| k.accuracy).collect();
            serde_json::to_writer(&mut out, &json!({"stocktakes": ks, "trend": trend}))?;
            out.write_all(b"\n")?;
        }
        ReportFormat::Csv => {
            let mut w = csv::Writer::from_writer(&mut out);
            w.write_record([
                "id",
                "name",
                "status",
                "started_at",
                "expected",
                "found",
                "accuracy",
                "locations",
                "locations_covered",
                "missing_value",
                "scans",
            ])?;
            for k in &ks {
                let scans: u64 = k.operators.iter().map(|o| o.scans).sum();
                w.write_record([
                    k.id.to_string(),
                    k.name.clone(),
                    k.status.clone(),
                    k.started_at.clone(),
                    k.expected.to_string(),
                    k.found.to_string(),
                    format!("{:.4}", k.accuracy),
                    k.locations.to_string(),
                    k.locations_covered.to_string(),
                    money(k),
                    scans.to_string(),
                ])?;
            }
            w.flush()?;
        }
        ReportFormat::Table => {
            writeln!(
                out,
                "{:>4} {:<18} {:<11} {:>9} {:>9} {:>8} MISSING VALUE",
                "ID", "NAME", "STATUS", "ACCURACY", "COVERED", "SCANS"
            )?;
            for k in &ks {
                let scans: u64 = k.operators.iter().map(|o| o.scans).sum();
                let line = format!(
                    "{:>4} {:<18} {:<11} {:>8.1}% {:>4}/{:<4} {:>8} {:<14}",
                    k.id,
                    k.name.chars().take(18).collect::<String>(),
                    k.status,
                    k.accuracy * 100.0,
                    k.locations_covered,
                    k.locations,
                    scans,
                    money(k).chars().take(14).collect::<String>()
                );
                writeln!(out, "{}", line.trim_end())?;
                for o in &k.operators {
                    let pace = o
                        .per_hour
                        .map(|p| format!("{p:.0}/h"))
                        .unwrap_or_else(|| "-".into());
                    writeln!(
                        out,
                        "     {:<18} {:>8} scans {:>10}",
                        o.operator.as_deref().unwrap_or("(nobody)"),
                        o.scans,
                        pace
                    )?;
                }
            }
            let trend: Vec<f64> = ks.iter().map(|k| k.accuracy).collect();
            writeln!(out, "accuracy trend: {}", kpi::sparkline(&trend))?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}
