//! The binary edge: parse the command line, set up logging, run one command,
//! map its result to an exit code (contracts.md: 0 ok, 1 bad input or failed
//! check, 2 usage or environment error).

mod cli;
mod cmd;
mod logging;

use clap::Parser;
use cli::{Cli, Command};
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let command = cli.command.unwrap_or(Command::Run);
    // Generated from the command line alone: no config, store or log needed.
    match &command {
        Command::Completions(a) => return exit(cmd::completions::run(a)),
        Command::Man(a) => return exit(cmd::man::run(a)),
        _ => {}
    }
    let ui = matches!(command, Command::Run | Command::Demo(_));
    let _log = logging::init(cli.global.verbose, ui);
    let ctx = match cmd::Ctx::new(&cli.global) {
        Ok(ctx) => ctx,
        Err(e) => return report(e),
    };
    let result = match command {
        Command::Run => cmd::run::run(&ctx),
        Command::Demo(a) => cmd::demo::run(&ctx, &a),
        Command::Parse(a) => cmd::parse::run(&ctx, &a),
        Command::Import(a) => cmd::import::run(&ctx, &a),
        Command::Export(a) => cmd::export::run(&ctx, &a),
        Command::Journal(a) => cmd::journal::run(&ctx, &a),
        Command::Verify(a) => cmd::verify::run(&ctx, &a),
        Command::Devices(a) => cmd::devices::run(&ctx, &a),
        Command::Monitor => cmd::monitor::run(&ctx),
        Command::Simulate(a) => cmd::simulate::run(&ctx, &a),
        Command::DecodeImage(a) => cmd::decode_image::run(&ctx, &a),
        Command::Feed(a) => cmd::feed::run(&ctx, &a),
        Command::Label(a) => cmd::label::run(&ctx, &a),
        Command::Report(cli::ReportCommand::Sanitization(a)) => {
            cmd::report_sanitization::run(&ctx, &a)
        }
        Command::Report(cli::ReportCommand::Disposal(a)) => cmd::disposal::report(&ctx, &a),
        Command::Report(cli::ReportCommand::Receiving(a)) => cmd::report_receiving::run(&ctx, &a),
        Command::Report(cli::ReportCommand::Vendors(a)) => cmd::report_vendors::run(&ctx, &a),
        Command::Report(cli::ReportCommand::Stocktake(a)) => cmd::stocktake::report(&ctx, &a),
        Command::Report(cli::ReportCommand::Kpi(a)) => cmd::stocktake::kpi(&ctx, &a),
        Command::Stocktake(c) => cmd::stocktake::run(&ctx, &c),
        Command::Certificate(a) => cmd::certificate::run(&ctx, &a),
        Command::Disposal(cli::DisposalCommand::Confirm(a)) => cmd::disposal::confirm(&ctx, &a),
        Command::StressScan(a) => cmd::stress_scan::run(&ctx, &a),
        Command::Sync(a) => cmd::sync::run(&ctx, &a),
        // Answered before the config was loaded; here for completeness.
        Command::Completions(a) => cmd::completions::run(&a),
        Command::Man(a) => cmd::man::run(&a),
    };
    exit(result)
}

fn exit(result: anyhow::Result<ExitCode>) -> ExitCode {
    match result {
        Ok(code) => code,
        Err(e) => report(e),
    }
}

/// Prints an error for the person at the bench and picks the exit code. A
/// closed stdout (`scanstation journal | head`) is not an error.
fn report(e: anyhow::Error) -> ExitCode {
    let broken_pipe = e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    });
    if broken_pipe {
        return ExitCode::SUCCESS;
    }
    let message = once(&e);
    tracing::error!("{message}");
    eprintln!("scanstation: error: {message}");
    ExitCode::from(2)
}

/// The error and its causes, each said once: a cause whose words the message
/// already holds (a wrapper that prints its source) is not repeated.
fn once(e: &anyhow::Error) -> String {
    let mut message = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if message.contains(&text) {
            continue;
        }
        if !message.is_empty() {
            message.push_str(": ");
        }
        message.push_str(&text);
    }
    message
}

#[cfg(test)]
mod error_tests {
    #[derive(Debug, thiserror::Error)]
    #[error("{0}")]
    struct Wrapper(#[from] std::io::Error);

    #[test]
    fn a_cause_is_said_once() {
        let inner = std::io::Error::other("the store is damaged");
        let e = anyhow::Error::from(Wrapper(inner)).context("opening the store");
        assert_eq!(super::once(&e), "opening the store: the store is damaged");
    }
}
