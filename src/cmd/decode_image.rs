//! `scanstation decode-image FILE...`: every barcode in each label photo, one
//! JSON line per barcode (contracts.md). The decoding is
//! `scanstation::device::image`; this is only the glue that prints it.

use std::io::Write as _;
use std::process::ExitCode;

use scanstation::device::image::{self, ImageCode};
use serde::Serialize;

/// One found barcode; field order is the contract's.
#[derive(Serialize)]
struct Found<'a> {
    file: &'a str,
    format: &'a str,
    symbology: Option<&'a str>,
    raw: String,
    parse: serde_json::Value,
}

/// An image that gave nothing, or could not be read.
#[derive(Serialize)]
struct NotFound<'a> {
    file: &'a str,
    error: String,
}

pub fn run(ctx: &super::Ctx, args: &crate::cli::DecodeImageArgs) -> anyhow::Result<ExitCode> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let mut nothing_found = false;
    let mut unreadable = false;
    for path in &args.files {
        let file = path.to_string_lossy();
        match image::decode_file(path) {
            Ok(codes) if codes.is_empty() => {
                nothing_found = true;
                let line = NotFound {
                    file: &file,
                    error: "no barcode found".into(),
                };
                writeln!(out, "{}", serde_json::to_string(&line)?)?;
            }
            Ok(codes) => {
                for code in &codes {
                    writeln!(out, "{}", serde_json::to_string(&found(ctx, &file, code))?)?;
                }
            }
            Err(e) => {
                unreadable = true;
                tracing::warn!("decode-image: {e}");
                eprintln!("scanstation: {e}");
                let line = NotFound {
                    file: &file,
                    error: e.to_string(),
                };
                writeln!(out, "{}", serde_json::to_string(&line)?)?;
            }
        }
        out.flush()?;
    }
    Ok(if unreadable {
        ExitCode::from(2)
    } else if nothing_found {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn found<'a>(ctx: &super::Ctx, file: &'a str, code: &'a ImageCode) -> Found<'a> {
    Found {
        file,
        format: code.format,
        symbology: code.symbology.as_deref(),
        raw: String::from_utf8_lossy(&code.raw).into_owned(),
        parse: parse_object(ctx, &code.raw),
    }
}

/// The `parse` object for one code (the same object `scanstation parse` prints).
/// The identify module's report is not on main yet: null until it lands.
fn parse_object(_ctx: &super::Ctx, _raw: &[u8]) -> serde_json::Value {
    serde_json::Value::Null
}
