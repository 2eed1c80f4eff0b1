//! `scanstation monitor` as a user runs it: SPEC errors exit 2, status lines
//! are JSON per contracts.md, SIGTERM and SIGINT end it with exit 0.
//! (Runs the real binary: run with your own CARGO_TARGET_DIR.)

use crate::support::Sandbox;
use serde_json::Value;
use std::io::{BufRead, BufReader};
use std::path::Path;
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

    /// Stops reading monitor's stdout (the pipe closes after the next line)
    /// and waits for it to exit.
    fn close_stdout_and_wait(mut self) -> Option<i32> {
        drop(self.lines);
        wait_with_patience(&mut self.child)
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

/// `scanstation simulate PROTOCOL ...`: the child and the SPEC it printed.
fn simulate(sb: &Sandbox, args: &[&str]) -> (Child, String) {
    let mut sim = sb
        .cmd()
        .arg("simulate")
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn simulate");
    let mut out = BufReader::new(sim.stdout.take().expect("stdout"));
    let mut spec = String::new();
    out.read_line(&mut spec).expect("the simulator's SPEC");
    // Keep draining so the simulator never blocks on a full pipe.
    std::thread::spawn(move || std::io::copy(&mut out, &mut std::io::sink()));
    (sim, spec.trim().to_string())
}

fn stop(mut child: Child) {
    let pid = nix::unistd::Pid::from_raw(i32::try_from(child.id()).expect("pid"));
    let _ = nix::sys::signal::kill(pid, nix::sys::signal::Signal::SIGTERM);
    let _ = child.wait();
}

fn check_rfid_line(v: &Value) {
    let epc = v["epc"].as_str().expect("epc");
    assert!(
        !epc.is_empty() && epc.len().is_multiple_of(2),
        "{epc}: whole bytes"
    );
    assert!(
        epc.chars()
            .all(|c| c.is_ascii_digit() || ('A'..='F').contains(&c)),
        "{epc}: upper-case hex"
    );
    assert!(v["count"].as_u64().is_some_and(|c| c >= 1), "{v}");
    for key in ["antenna", "rssi", "decoded", "at"] {
        assert!(v.get(key).is_some(), "{key} missing: {v}");
    }
}

#[test]
fn monitor_shows_the_reads_of_every_simulated_protocol() {
    let sb = Sandbox::new();
    let mut sims = Vec::new();
    let mut args = Vec::new();
    for protocol in ["chafon", "tsl", "mercury", "lines"] {
        let (child, spec) = simulate(&sb, &[protocol, "--tags", "4", "--rate", "40"]);
        assert!(spec.contains(&format!("protocol={protocol}")), "{spec}");
        sims.push(child);
        args.push("--device".to_string());
        args.push(spec);
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let run = Running::start(&sb, &args);
    let mut reads = std::collections::BTreeMap::<String, usize>::new();
    let mut connected = std::collections::BTreeSet::new();
    while reads.len() < 4 || reads.values().any(|n| *n < 3) {
        let v = run.next_json();
        let source = v["source"].as_str().expect("source").to_string();
        match v["type"].as_str() {
            Some("status") => {
                check_status_line(&v);
                if v["state"] == "connected" {
                    connected.insert(source);
                }
            }
            Some("rfid") => {
                check_rfid_line(&v);
                assert!(connected.contains(&source), "a read before connected: {v}");
                *reads.entry(source).or_default() += 1;
            }
            Some("scan") => {
                assert!(v["raw"].as_str().is_some_and(|r| !r.is_empty()), "{v}");
                assert!(v.get("parse").is_some(), "{v}");
                assert!(connected.contains(&source), "a scan before connected: {v}");
                *reads.entry(source).or_default() += 1;
            }
            other => panic!("unexpected type {other:?}: {v}"),
        }
    }
    // A closed stdout ends monitor quietly.
    assert_eq!(run.close_stdout_and_wait(), Some(0));
    for s in sims {
        stop(s);
    }
}

#[test]
fn monitor_picks_a_replugged_reader_up_behind_its_symlink() {
    let sb = Sandbox::new();
    let link = sb.path().join("rfid-0");
    let link_s = link.display().to_string();
    let opts = [
        "chafon",
        "--tags",
        "2",
        "--rate",
        "20",
        "--link",
        link_s.as_str(),
    ];
    let (first, _) = simulate(&sb, &opts);
    let spec = format!("serial:{link_s}?protocol=chafon");
    let run = Running::start(&sb, &["--device", &spec]);
    let next_state = |want: &str| loop {
        let v = run.next_json();
        if v["type"] == "status" && v["state"] == want {
            return v;
        }
    };
    next_state("connected");
    let first_read = loop {
        let v = run.next_json();
        if v["type"] == "rfid" {
            break v;
        }
    };
    check_rfid_line(&first_read);
    stop(first); // unplugged
    let lost = next_state("lost");
    assert!(
        lost["detail"].as_str().is_some_and(|d| !d.is_empty()),
        "{lost}"
    );
    next_state("reconnecting");
    wait_for_absence(&link);
    let (second, _) = simulate(&sb, &opts); // plugged back in
    next_state("connected");
    loop {
        let v = run.next_json();
        if v["type"] == "rfid" {
            check_rfid_line(&v);
            break;
        }
    }
    assert_eq!(run.signal(nix::sys::signal::Signal::SIGTERM), 0);
    stop(second);
}

/// The simulator removes its link on exit, as udev does; wait for it so the
/// next one can take the name.
fn wait_for_absence(link: &Path) {
    let deadline = std::time::Instant::now() + PATIENCE;
    while std::fs::symlink_metadata(link).is_ok() {
        assert!(
            std::time::Instant::now() < deadline,
            "{} stays",
            link.display()
        );
        std::thread::sleep(Duration::from_millis(20));
    }
}
