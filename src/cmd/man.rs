//! `scanstation man [--out DIR]`: the manual page, generated from the command
//! line's definition (clap_mangen) with the conventions every command shares
//! (exit status, environment, files) added, so it never drifts from the
//! binary. Without `--out` it prints scanstation(1); with it, it writes
//! scanstation.1 and one page per visible command (scanstation-parse.1 …).

use crate::cli::{Cli, ManArgs};
use anyhow::Context as _;
use clap::CommandFactory;
use std::io::Write;
use std::process::ExitCode;

/// What every command shares (docs/cli.md has the details), in roff.
const CONVENTIONS: &str = r#".SH "EXIT STATUS"
.TP
\fB0\fR
success
.TP
\fB1\fR
the command ran but some input was bad or some check failed (an invalid scan, tampering found by verify, an image without a barcode)
.TP
\fB2\fR
usage or environment error (bad flags, an unreadable file, a store that cannot be opened)
.SH ENVIRONMENT
.TP
\fBSCANSTATION_DB\fR
the store, when \fB\-\-db\fR is not given
.TP
\fBSCANSTATION_CONFIG\fR
the config file, when \fB\-\-config\fR is not given
.TP
\fBSCANSTATION_LOG\fR
a tracing filter for the log (for example \fBdebug\fR)
.TP
\fBXDG_DATA_HOME\fR, \fBXDG_CONFIG_HOME\fR, \fBXDG_STATE_HOME\fR
where the default files below live
.SH FILES
.TP
\fI$XDG_DATA_HOME/scanstation/station.db\fR
the store
.TP
\fI$XDG_CONFIG_HOME/scanstation/scanstation.toml\fR
the config file; when it is absent every setting has its default
.TP
\fI$XDG_CONFIG_HOME/scanstation/devices/*.toml\fR
reader profiles beside the built\-in ones
.TP
\fI$XDG_STATE_HOME/scanstation/scanstation.log\fR
today's log (a link to scanstation.YYYY\-MM\-DD.log; 14 days are kept)
.SH NOTES
Machine output is JSON lines on stdout. The formats, device SPECs and CSV
columns are documented in docs/cli.md in the source.
"#;

/// scanstation(1): clap_mangen's sections, then the shared conventions.
fn render_main(w: &mut dyn Write) -> std::io::Result<()> {
    let man = clap_mangen::Man::new(Cli::command());
    man.render_title(w)?;
    man.render_name_section(w)?;
    man.render_synopsis_section(w)?;
    man.render_description_section(w)?;
    man.render_options_section(w)?;
    man.render_subcommands_section(w)?;
    w.write_all(CONVENTIONS.as_bytes())?;
    man.render_version_section(w)
}

pub fn run(args: &ManArgs) -> anyhow::Result<ExitCode> {
    match &args.out {
        Some(dir) => {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
            clap_mangen::generate_to(Cli::command(), dir)
                .with_context(|| format!("writing the manual pages into {}", dir.display()))?;
            let main = dir.join("scanstation.1");
            let mut file = std::fs::File::create(&main)
                .with_context(|| format!("writing {}", main.display()))?;
            render_main(&mut file)?;
            file.flush()?;
        }
        None => {
            let mut out = Vec::new();
            render_main(&mut out)?;
            let mut stdout = std::io::stdout().lock();
            stdout.write_all(&out)?;
            stdout.flush()?;
        }
    }
    Ok(ExitCode::SUCCESS)
}
