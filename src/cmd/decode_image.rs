//! `scanstation decode-image FILE...`: every barcode in each label photo, one
//! JSON line per barcode (contracts.md). The decoding is
//! `scanstation::device::image`; this is only the glue that prints it.

use std::io::Write as _;
use std::process::ExitCode;

use scanstation::device::image::{self, ImageCode};
use scanstation::identify::Classifier;
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
    let classifier = Classifier::new(&ctx.config.identify)?;
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
                    writeln!(
                        out,
                        "{}",
                        serde_json::to_string(&found(&classifier, &file, code))?
                    )?;
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

fn found<'a>(classifier: &Classifier, file: &'a str, code: &'a ImageCode) -> Found<'a> {
    let raw = String::from_utf8_lossy(&code.raw).into_owned();
    Found {
        file,
        format: code.format,
        symbology: code.symbology.as_deref(),
        parse: parse_object(classifier, &raw, &code.raw),
        raw,
    }
}

/// The `parse` object for one code: the same object `scanstation parse`
/// prints for the scanner bytes, `input` being the text as read.
fn parse_object(classifier: &Classifier, text: &str, raw: &[u8]) -> serde_json::Value {
    serde_json::to_value(classifier.report(text, raw)).unwrap_or(serde_json::Value::Null)
}
