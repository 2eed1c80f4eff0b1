//! `scanstation parse` as a user runs it: bytes on stdin, the JSON out
//! (issue 9, item 14).

use crate::support::Sandbox;
use std::io::Write;
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// Runs `cmd` with `input` on stdin; its stdout, or None when it has not
/// finished within `deadline` (then it is killed).
fn run_with_stdin(mut cmd: Command, input: Vec<u8>, deadline: Duration) -> Option<(bool, Vec<u8>)> {
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let id = child.id();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(deadline) {
        Ok(out) => {
            let _ = writer.join();
            let out = out.unwrap();
            Some((out.status.success(), out.stdout))
        }
        Err(_) => {
            let _ = nix::sys::signal::kill(
                nix::unistd::Pid::from_raw(id as i32),
                nix::sys::signal::Signal::SIGKILL,
            );
            None
        }
    }
}

fn lines(stdout: &[u8]) -> Vec<serde_json::Value> {
    String::from_utf8(stdout.to_vec())
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn invalid_utf8_on_stdin_keeps_the_exact_bytes() {
    let sb = Sandbox::new();
    let mut cmd = sb.cmd();
    cmd.arg("parse");
    let input = b"IT-00001\nAB\xff\x01\x1dC\n".to_vec();
    let (_, out) = run_with_stdin(cmd, input, Duration::from_secs(60)).expect("parse finished");
    let out = lines(&out);
    assert_eq!(out.len(), 2);
    assert_eq!(out[0]["raw_hex"], serde_json::Value::Null);
    assert_eq!(out[0]["input"], "IT-00001");
    assert_eq!(out[1]["raw_hex"], "4142ff011d43");
    assert_eq!(out[1]["kind"], "text");
    // Every key of the contract is still there.
    for key in [
        "input",
        "symbology",
        "kind",
        "gs1",
        "epc",
        "digital_link",
        "identity",
        "error",
    ] {
        assert!(out[1].get(key).is_some(), "{key} missing: {}", out[1]);
    }
}

/// One megabyte of GS1 data parses in time proportional to its size: the
/// deadline is generous (the quadratic parser took ~50 s in release for this
/// input, far longer in a debug build), so it fails only when the work grows
/// with the square of the input again. Repeated AIs are all kept.
#[test]
fn a_megabyte_of_gs1_parses_in_linear_time() {
    let sb = Sandbox::new();
    let reps = 1_000_000 / 6;
    let mut input = b"]C10112345678901231".to_vec();
    for _ in 0..reps {
        input.extend_from_slice(b"10ABC\x1d");
    }
    input.push(b'\n');
    let mut cmd = sb.cmd();
    cmd.arg("parse");
    let (ok, out) =
        run_with_stdin(cmd, input, Duration::from_secs(120)).expect("parse of 1 MB finished");
    assert!(ok);
    let out = lines(&out);
    assert_eq!(out[0]["error"], serde_json::Value::Null);
    let gs1 = out[0]["gs1"].as_array().unwrap();
    assert_eq!(gs1.len(), reps + 1);
    assert!(gs1[1..]
        .iter()
        .all(|e| e["ai"] == "10" && e["value"] == "ABC"));
    assert_eq!(
        out[0]["digital_link"],
        "https://id.gs1.org/01/12345678901231/10/ABC"
    );
}
