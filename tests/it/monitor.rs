//! `scanstation monitor` as a user runs it: SPEC errors exit 2, status lines
//! are JSON per contracts.md, SIGTERM and SIGINT end it with exit 0.
//! (Runs the real binary: run with your own CARGO_TARGET_DIR.)

use crate::support::Sandbox;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// Generous: only a hung binary hits it.
const PATIENCE: Duration = Duration::from_secs(60);

struct Running {
    child: Child,
    lines: mpsc::Receiver<String>,
}

impl Running {
    fn start(sb: &Sandbox, args: &[&str]) -> Running {
        let mut child = sb
            .cmd()
            .arg("monitor")
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn scanstation monitor");
        let stdout = child.stdout.take().expect("stdout");
        let (tx, lines) = mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        Running { child, lines }
    }

    fn next_json(&self) -> Value {
        let line = self
            .lines
            .recv_timeout(PATIENCE)
            .expect("a line from monitor");
        serde_json::from_str(&line).unwrap_or_else(|e| panic!("not JSON: {line}: {e}"))
    }

    fn signal(mut self, sig: nix::sys::signal::Signal) -> i32 {
        let pid = nix::unistd::Pid::from_raw(i32::try_from(self.child.id()).expect("pid"));
        nix::sys::signal::kill(pid, sig).expect("kill");
        wait_with_patience(&mut self.child).unwrap_or(-1)
    }
}

fn check_status_line(v: &Value) {
    assert_eq!(v["type"], "status", "{v}");
    let at = v["at"].as_str().expect("at");
    assert_eq!(at.len(), 24, "{at}");
    assert!(at.ends_with('Z') && at.as_bytes()[10] == b'T', "{at}");
    assert!(v["detail"].is_string(), "{v}");
    let errors = v["errors"].as_object().expect("errors");
    let keys: Vec<&str> = errors.keys().map(String::as_str).collect();
    let mut keys = keys;
    keys.sort_unstable();
    assert_eq!(keys, ["crc", "garbage_bytes", "overlong", "truncated"]);
}

#[test]
fn a_bad_spec_exits_2_naming_the_problem() {
    let sb = Sandbox::new();
    let out = sb
        .cmd()
        .args(["monitor", "--device", "serial:/dev/ttyUSB0?speed=9600"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("unknown key `speed`"), "{err}");
    assert!(out.stdout.is_empty());

    let out = sb.cmd().arg("monitor").output().expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no readers"));
}

#[test]
fn readers_that_are_absent_are_reported_and_sigterm_exits_0() {
    let sb = Sandbox::new();
    let usb = "usb:0c2e:0b8f";
    let serial = "serial:/nonexistent/tty?protocol=chafon";
    let run = Running::start(&sb, &["--device", usb, "--device", serial]);
    let mut seen = std::collections::BTreeMap::<String, Vec<String>>::new();
    while seen.values().filter(|s| s.len() >= 3).count() < 2 {
        let v = run.next_json();
        check_status_line(&v);
        let source = v["source"].as_str().expect("source").to_string();
        seen.entry(source)
            .or_default()
            .push(v["state"].as_str().expect("state").to_string());
    }
    let usb_states = &seen["usb:0c2e:0b8f?protocol=hid-pos&profile=honeywell-voyager-1400g-hidpos"];
    assert_eq!(usb_states[0], "connecting");
    assert!(
        matches!(usb_states[1].as_str(), "lost" | "error"),
        "{usb_states:?}"
    );
    assert_eq!(usb_states[2], "reconnecting");
    let serial_states = &seen["serial:/nonexistent/tty?protocol=chafon"];
    assert_eq!(serial_states[..3], ["connecting", "lost", "reconnecting"]);
    assert_eq!(run.signal(nix::sys::signal::Signal::SIGTERM), 0);
}

#[test]
fn user_profiles_are_used_and_sigint_exits_0() {
    let sb = Sandbox::new();
    let dir = sb.path().join("config/scanstation/devices");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(
        dir.join("bench-reader.toml"),
        "vendor = \"TSL\"\nmodel = \"1128\"\ntransport = \"serial\"\nprotocol = \"tsl\"\n",
    )
    .expect("write");
    let run = Running::start(
        &sb,
        &[
            "--device",
            "serial:/nonexistent/rfcomm9?profile=bench-reader",
        ],
    );
    let v = run.next_json();
    check_status_line(&v);
    assert_eq!(
        v["source"],
        "serial:/nonexistent/rfcomm9?protocol=tsl&profile=bench-reader"
    );
    assert_eq!(v["state"], "connecting");
    assert_eq!(run.signal(nix::sys::signal::Signal::SIGINT), 0);
}

#[test]
fn devices_lists_what_is_there_and_exits_0_without_usb_access() {
    let sb = Sandbox::new();
    let out = sb.cmd().args(["devices", "--json"]).output().expect("run");
    assert_eq!(out.status.code(), Some(0));
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let v: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{line}: {e}"));
        assert!(matches!(v["kind"].as_str(), Some("usb" | "serial")), "{v}");
        assert!(
            matches!(
                v["action"].as_str(),
                Some("claim" | "wedge" | "serial" | "none")
            ),
            "{v}"
        );
        assert!(v["detail"].is_string() && v.get("profile").is_some(), "{v}");
    }
    let out = sb.cmd().arg("devices").output().expect("run");
    assert_eq!(out.status.code(), Some(0));
    assert!(
        !out.stdout.is_empty(),
        "says something, even when nothing is found"
    );
}

#[test]
fn a_closed_stdout_ends_monitor_with_exit_0() {
    let sb = Sandbox::new();
    // A pipe nobody reads: the first line monitor writes meets EPIPE.
    let (read_end, write_end) = nix::unistd::pipe().expect("pipe");
    drop(read_end);
    let mut child = sb
        .cmd()
        .args([
            "monitor",
            "--device",
            "serial:/nonexistent/tty?protocol=lines",
        ])
        .stdout(Stdio::from(write_end))
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let status = wait_with_patience(&mut child);
    let mut err = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = std::io::Read::read_to_string(&mut e, &mut err);
    }
    assert_eq!(status, Some(0), "stderr: {err}");
    assert!(err.is_empty(), "a closed stdout is not an error: {err}");
}

fn wait_with_patience(child: &mut Child) -> Option<i32> {
    let deadline = std::time::Instant::now() + PATIENCE;
    while std::time::Instant::now() < deadline {
        if let Some(status) = child.try_wait().expect("try_wait") {
            return status.code();
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let _ = child.kill();
    panic!("monitor did not exit after its stdout closed");
}
