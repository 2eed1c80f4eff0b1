//! `scanstation label TAG... --format zpl|png [--out DIR]` (contracts.md):
//! writes `TAG.zpl` / `TAG.png`, or one ZPL label to stdout. Each file
//! written is reported as a JSON line `{"tag", "file"}`. A tag the store
//! knows gets its model and received date on the label; with `[labels] rfid`
//! its EPC is written to the inlay and recorded as the asset's `epc`
//! identifier (journaled as `asset.identifier_added`). Exit 1 when some tag
//! could not be labelled.

use crate::cli::{LabelArgs, LabelFormat};
use anyhow::Context as _;
use scanstation::label::{self, printer, LabelData};
use scanstation::store::{self, journal::NewEvent, Store};
use serde_json::json;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::SystemTime;

pub fn run(ctx: &super::Ctx, args: &LabelArgs) -> anyhow::Result<ExitCode> {
    if args.commands {
        return super::label_commands::run(ctx, args);
    }
    if args.queue || args.print_queued {
        return super::label_queue::run(ctx, args);
    }
    // `[labels]` is wired into the config at merge; until then the defaults.
    let cfg = ctx.config.labels.clone();
    if let Err(e) = cfg.check() {
        anyhow::bail!("{e}");
    }
    let prefix = ctx.config.company_prefix().map(str::to_string);
    if cfg.rfid && prefix.is_none() {
        anyhow::bail!("RFID labels need the organisation's GS1 company prefix ([organisation] gs1_company_prefix in the config)");
    }
    // The store is only read unless RFID labels give assets an EPC.
    let mut store = if cfg.rfid {
        Some(Store::open(&ctx.db_path)?)
    } else if ctx.db_path.exists() {
        Some(Store::open_readonly(&ctx.db_path)?)
    } else {
        None
    };
    let to_stdout = args.out.is_none() && args.format == LabelFormat::Zpl && args.tags.len() == 1;
    let dir = args.out.clone().unwrap_or_else(|| PathBuf::from("."));
    let today = scanstation::timefmt::now().get(..10).map(str::to_string);
    let mut all_ok = true;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    for tag in &args.tags {
        let mut data = LabelData {
            tag: tag.clone(),
            date: today.clone(),
            ..Default::default()
        };
        let asset = match &store {
            Some(s) => {
                let id = store::assets::by_tag(s.conn(), tag)?;
                match id {
                    Some(id) => store::assets::get(s.conn(), id)?,
                    None => None,
                }
            }
            None => None,
        };
        if let Some(a) = &asset {
            data.model = a.model.clone();
            let when = a.received_at.as_deref().unwrap_or(&a.created_at);
            data.date = when.get(..10).map(str::to_string).or(data.date);
        }
        if cfg.rfid {
            let (Some(a), Some(s), Some(p)) = (&asset, store.as_mut(), prefix.as_deref()) else {
                eprintln!("scanstation: error: {tag}: not in the store; an RFID label needs the asset's id");
                all_ok = false;
                continue;
            };
            let hex = match label::epc_for(cfg.epc, p, a.id, tag) {
                Ok(h) => h,
                Err(e) => {
                    eprintln!("scanstation: error: {tag}: {e}");
                    all_ok = false;
                    continue;
                }
            };
            record_epc(s, ctx, a.id, tag, &hex)?;
            data.epc_hex = Some(hex);
        }
        let rendered = match args.format {
            LabelFormat::Zpl => label::zpl::render(&data, &cfg).map(String::into_bytes),
            LabelFormat::Png => label::png::render(&data, &cfg),
        };
        let bytes = match rendered {
            Ok(b) => b,
            Err(e) => {
                eprintln!("scanstation: error: {e}");
                all_ok = false;
                continue;
            }
        };
        if to_stdout {
            out.write_all(&bytes)?;
            continue;
        }
        let ext = match args.format {
            LabelFormat::Zpl => "zpl",
            LabelFormat::Png => "png",
        };
        let name = printer::file_name(&format!("{tag}.{ext}"));
        printer::write_file(&dir, &name, &bytes)
            .with_context(|| format!("writing the label of {tag}"))?;
        serde_json::to_writer(
            &mut out,
            &json!({"tag": tag, "file": dir.join(&name).display().to_string()}),
        )?;
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(if all_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// The asset gets the EPC its label carries, journaled in the same transaction.
fn record_epc(
    s: &mut Store,
    ctx: &super::Ctx,
    asset_id: i64,
    tag: &str,
    hex: &str,
) -> anyhow::Result<()> {
    let mut tx = s.write()?;
    if store::identifiers::owner(tx.conn(), "epc", hex)? == Some(asset_id) {
        return Ok(());
    }
    store::identifiers::add(tx.conn(), asset_id, "epc", hex)?;
    tx.append_event(&NewEvent {
        at: SystemTime::now(),
        station: &ctx.config.station.id,
        operator: None,
        kind: "asset.identifier_added",
        training: ctx.global.training,
        payload: json!({"asset_id": asset_id, "tag": tag, "kind": "epc", "value": hex, "via": "label"}),
    })?;
    tx.commit()?;
    Ok(())
}
