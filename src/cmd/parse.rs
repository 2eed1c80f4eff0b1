//! `scanstation parse [--epc] INPUT...`: one JSON object per input (contracts.md).

use crate::cli::ParseArgs;
use scanstation::identify::{expand_gs_escapes, Classifier};
use std::io::{BufRead, Write};
use std::process::ExitCode;

pub fn run(ctx: &super::Ctx, args: &ParseArgs) -> anyhow::Result<ExitCode> {
    let classifier = Classifier::new(&ctx.config.identify)?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut all_ok = true;
    // `raw` is the scan's bytes; `input` is how it is shown (escapes unexpanded).
    let mut one = |input: &str, raw: &[u8], out: &mut dyn Write| -> anyhow::Result<()> {
        let report = if args.epc {
            classifier.epc_report(input)
        } else {
            classifier.report(input, raw)
        };
        all_ok &= report.error.is_none();
        serde_json::to_writer(&mut *out, &report)?;
        out.write_all(b"\n")?;
        Ok(())
    };
    if args.inputs.is_empty() {
        for line in std::io::stdin().lock().split(b'\n') {
            let line = line?;
            let line = line.strip_suffix(b"\r").unwrap_or(&line);
            match std::str::from_utf8(line) {
                Ok(text) => one(text, &expand_gs_escapes(text), &mut out)?,
                Err(_) => one(&String::from_utf8_lossy(line), line, &mut out)?,
            }
        }
    } else {
        for input in &args.inputs {
            one(input, &expand_gs_escapes(input), &mut out)?;
        }
    }
    out.flush()?;
    Ok(if all_ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}
