//! `scanstation devices [--json]`: the USB devices and serial ports present,
//! the profile each matches, and what the station would do with it
//! (`device::detect` decides).
//!
//! Works without USB access (a container, no udev rules): the USB list is then
//! empty and the reason goes to stderr; the exit code stays 0.

use scanstation::device::detect::{detect, Row};
use scanstation::device::profile::Profiles;
use std::io::Write;
use std::process::ExitCode;

pub fn run(_ctx: &super::Ctx, args: &crate::cli::DevicesArgs) -> anyhow::Result<ExitCode> {
    let profiles = Profiles::load()?;
    let (rows, problems) = detect(&profiles);
    for p in problems {
        eprintln!("scanstation: {p}");
    }
    let mut out = std::io::stdout().lock();
    if args.json {
        for row in &rows {
            writeln!(out, "{}", serde_json::to_string(row)?)?;
        }
    } else if rows.is_empty() {
        writeln!(out, "no USB devices or serial ports found")?;
    } else {
        for row in &rows {
            writeln!(out, "{}", human(row))?;
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

fn human(row: &Row) -> String {
    let id = match (&row.vid, &row.pid) {
        (Some(v), Some(p)) => format!(" {v}:{p}"),
        _ => String::new(),
    };
    let name: Vec<&str> = [&row.manufacturer, &row.product]
        .into_iter()
        .filter_map(|s| s.as_deref())
        .collect();
    let name = if name.is_empty() {
        String::new()
    } else {
        format!(" \"{}\"", name.join(" "))
    };
    let mut s = format!(
        "{:6} {}{id}{name}\n       profile: {}\n       {}",
        row.kind,
        row.path.as_deref().unwrap_or("-"),
        row.profile.as_deref().unwrap_or("none"),
        row.detail
    );
    if let Some(spec) = &row.spec {
        s.push_str(&format!("\n       --device {spec}"));
    }
    s
}
