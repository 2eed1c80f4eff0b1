//! A webhook receiver on 127.0.0.1 for checking `kind = "webhook"` by hand:
//! it verifies every signature and timestamp (401 otherwise), keeps each
//! event once by Idempotency-Key, and can fail at random. One line per
//! request on stderr; on Ctrl-C, every event kept as a JSON line on stdout.
//!
//! ```sh
//! SCANSTATION_UPSTREAM_SECRET=s3cret cargo run --example webhook_receiver -- \
//!     --port 18778 [--p-500 0.2] [--p-drop 0.05] [--p-timeout 0.1] [--skew SECS]
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used)] // a bench/test/tool: a panic is a failed run

use scanstation::sync::pace::Clock;
use scanstation::sync::webhook_receiver::Receiver;
use serde_json::json;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let mut port = 0u16;
    let (mut p500, mut pdrop, mut ptimeout, mut skew) = (0.0, 0.0, 0.0, 0i64);
    let args: Vec<String> = std::env::args().skip(1).collect();
    for pair in args.chunks(2) {
        let v = pair.get(1).expect("every option takes a value");
        match pair[0].as_str() {
            "--port" => port = v.parse().expect("--port N"),
            "--p-500" => p500 = v.parse().expect("--p-500 FRACTION"),
            "--p-drop" => pdrop = v.parse().expect("--p-drop FRACTION"),
            "--p-timeout" => ptimeout = v.parse().expect("--p-timeout FRACTION"),
            "--skew" => skew = v.parse().expect("--skew SECONDS"),
            other => panic!("unknown option {other}"),
        }
    }
    let secret = std::env::var("SCANSTATION_UPSTREAM_SECRET")
        .expect("set SCANSTATION_UPSTREAM_SECRET to the station's secret");
    let rx = Receiver::start(secret.trim().as_bytes(), port, rand::random(), Clock::new())
        .await
        .expect("listening on 127.0.0.1");
    {
        let mut s = rx.state();
        s.faults.p_server_error = p500;
        s.faults.p_drop_before = pdrop / 2.0;
        s.faults.p_drop_after = pdrop / 2.0;
        s.faults.p_timeout_after = ptimeout;
        s.skew_secs = skew;
    }
    println!("{}", json!({ "url": rx.url() }));
    let mut shown = 0;
    let mut tick = tokio::time::interval(std::time::Duration::from_millis(200));
    loop {
        tokio::select! {
            _ = tokio::signal::ctrl_c() => break,
            _ = tick.tick() => {
                let s = rx.state();
                for l in s.log.iter().skip(shown) {
                    eprintln!("receiver: {l}");
                }
                shown = s.log.len();
            }
        }
    }
    let s = rx.state();
    for k in &s.order {
        let d = &s.kept[k];
        println!(
            "{}",
            json!({"key": d.key, "timestamp": d.timestamp,
                   "head": d.head.as_ref().map(|(q, h)| format!("{q}:{h}")), "body": d.body})
        );
    }
    eprintln!(
        "receiver: {} requests, {} verified, {} refused, {} duplicates dropped, {} kept",
        s.requests,
        s.verified,
        s.refused.len(),
        s.duplicates,
        s.kept.len()
    );
}
