//! `scanstation certificate TAG [--out FILE.pdf]`: issues the asset's
//! certificate of sanitization, or renders the one issued again (same
//! bytes), and writes the PDF. Prints one JSON line: asset, number, sha256,
//! file, and whether it was issued now. Exit 1 when the asset cannot be
//! certified (unknown, no media, a medium unsanitized or failed).
//! `--batch SSCC` does the same for a pallet (`batch` and `assets` instead
//! of `asset`).

use crate::cli::CertificateArgs;
use anyhow::Context as _;
use scanstation::store::Store;
use scanstation::wipe::certify::{self, CertifyError, Issuer, Organisation};
use scanstation::wipe::certify_batch;
use std::process::ExitCode;
use std::time::SystemTime;

pub fn run(ctx: &super::Ctx, args: &CertificateArgs) -> anyhow::Result<ExitCode> {
    if !ctx.db_path.exists() {
        eprintln!(
            "scanstation: error: there is no store at {}",
            ctx.db_path.display()
        );
        return Ok(ExitCode::from(2));
    }
    let mut store = Store::open(&ctx.db_path)?;
    let who = Issuer {
        station: &ctx.config.station.id,
        operator: None,
        training: ctx.global.training,
    };
    // [organisation] is not in the config yet: the person blocks carry no
    // organisation until it is.
    let org = Organisation::default();
    let now = SystemTime::now();
    let made = match (&args.batch, &args.tag) {
        (Some(sscc), _) => certify_batch::certify_batch(
            &mut store,
            sscc,
            who,
            &org,
            &ctx.config.wipe.media_categories,
            now,
        ),
        (None, Some(tag)) => certify::certify(&mut store, tag, who, &org, now),
        (None, None) => {
            eprintln!("scanstation: error: name an asset's tag or --batch SSCC");
            return Ok(ExitCode::from(2));
        }
    };
    let cert = match made {
        Ok(c) => c,
        Err(CertifyError::Store(e)) => return Err(e.into()),
        Err(e) => {
            eprintln!("scanstation: error: {e}");
            return Ok(ExitCode::from(1));
        }
    };
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| format!("{}.pdf", cert.number).into());
    std::fs::write(&out, &cert.bytes).with_context(|| format!("writing {}", out.display()))?;
    let mut line = serde_json::json!({
        "number": cert.number, "sha256": cert.sha256,
        "file": out.display().to_string(), "issued": cert.issued,
    });
    match &args.batch {
        Some(sscc) => {
            line["batch"] = sscc.as_str().into();
            line["assets"] = cert
                .fields
                .batch_assets
                .iter()
                .map(|a| a.tag.clone())
                .collect();
        }
        None => line["asset"] = args.tag.clone().into(),
    }
    println!("{line}");
    Ok(ExitCode::SUCCESS)
}
