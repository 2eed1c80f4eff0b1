//! `scanstation parse [--epc] INPUT...`: one JSON object per input (contracts.md).
//!
//! Beside the contract's keys each object carries `raw_hex`: null when the
//! input was valid UTF-8, else the exact bytes read from stdin in hex (the
//! `input` shown is then a lossy rendering, as a scan's journal payload keeps
//! its bytes the same way).

use crate::cli::ParseArgs;
use scanstation::identify::{expand_gs_escapes, Classifier, ParseReport};
use serde::Serialize;
use std::io::{BufRead, Write};
use std::process::ExitCode;

/// One line of output: the parse object and the bytes when they were not text.
#[derive(Serialize)]
struct Line<'a> {
    #[serde(flatten)]
    report: &'a ParseReport,
    raw_hex: Option<String>,
}

pub fn run(ctx: &super::Ctx, args: &ParseArgs) -> anyhow::Result<ExitCode> {
    let classifier = Classifier::new(&ctx.config.identify)?
        .with_conventions(ctx.config.receiving.conventions()?);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut all_ok = true;
    // `raw` is the scan's bytes; `input` is how it is shown (escapes unexpanded);
    // `raw_hex` the bytes when they are not UTF-8.
    let mut one = |input: &str,
                   raw: &[u8],
                   raw_hex: Option<String>,
                   out: &mut dyn Write|
     -> anyhow::Result<()> {
        let report = if args.epc {
            classifier.epc_report(input)
        } else {
            classifier.report(input, raw)
        };
        all_ok &= report.error.is_none();
        let line = Line {
            report: &report,
            raw_hex,
        };
        serde_json::to_writer(&mut *out, &line)?;
        out.write_all(b"\n")?;
        Ok(())
    };
    if args.inputs.is_empty() {
        for line in std::io::stdin().lock().split(b'\n') {
            let line = line?;
            let line = line.strip_suffix(b"\r").unwrap_or(&line);
            match std::str::from_utf8(line) {
                Ok(text) => one(text, &expand_gs_escapes(text), None, &mut out)?,
                Err(_) => one(
                    &String::from_utf8_lossy(line),
                    line,
                    Some(hex::encode(line)),
                    &mut out,
                )?,
            }
        }
    } else {
        for input in &args.inputs {
            one(input, &expand_gs_escapes(input), None, &mut out)?;
        }
    }
    out.flush()?;
    Ok(if all_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
