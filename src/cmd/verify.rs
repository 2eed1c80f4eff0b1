//! `scanstation verify [--head SEQ:HASH]`: walks the journal's hash chain.
//! Exit 0 and `ok: N events, head SEQ HASH`; exit 1 and the first bad seq and
//! why; exit 2 when the store cannot be opened or `--head` is malformed.

use scanstation::store::{journal, Store, VerifyReport};
use std::process::ExitCode;

pub fn run(ctx: &super::Ctx, args: &crate::cli::VerifyArgs) -> anyhow::Result<ExitCode> {
    let head = match &args.head {
        Some(h) => match parse_head(h) {
            Some(head) => Some(head),
            None => {
                eprintln!(
                    "scanstation: error: --head {h:?} is not SEQ:HASH (a seq number, a colon, 64 hex digits)"
                );
                return Ok(ExitCode::from(2));
            }
        },
        None => None,
    };
    let store = Store::open_readonly(&ctx.db_path)?;
    let report = journal::verify(store.conn(), head.as_ref().map(|(s, h)| (*s, h.as_str())))?;
    match report {
        VerifyReport::Ok { events, head } => {
            println!("ok: {events} events, head {} {}", head.seq, head.hash);
            Ok(ExitCode::SUCCESS)
        }
        VerifyReport::Bad { seq, reason } => {
            println!("bad: seq {seq}: {reason}");
            Ok(ExitCode::from(1))
        }
    }
}

/// `SEQ:HASH` with a non-negative seq and 64 hex digits (lowercased).
fn parse_head(s: &str) -> Option<(i64, String)> {
    let (seq, hash) = s.split_once(':')?;
    let seq: i64 = seq.trim().parse().ok().filter(|n| *n >= 0)?;
    let hash = hash.trim();
    if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    Some((seq, hash.to_ascii_lowercase()))
}
