//! A SIGKILL of `scanstation sync --once` at random moments loses and
//! duplicates nothing: the real binary syncs against the fake Snipe-IT (in
//! this process), is killed mid-run, and started again; after the last run
//! every operation is done and the fake applied each create, audit and
//! maintenance exactly once. 3 kills here; 20 in the ignored test (TESTING.md).

use super::sync::{event, seed, TOKEN};
use crate::support::Sandbox;
use rand::Rng;
use scanstation::store::Store;
use scanstation::sync::fake::FakeSnipeIt;
use serde_json::{json, Value};
use std::time::Duration;

fn kill_sync_at_random(kills: usize, assets: usize) {
    use std::os::unix::fs::PermissionsExt;
    let rt = tokio::runtime::Runtime::new().unwrap();
    let fake = rt.block_on(FakeSnipeIt::start(TOKEN, 0, 31)).unwrap();
    let sb = Sandbox::new();
    {
        let mut st = Store::open(&sb.db()).unwrap();
        let ids = seed(&mut st, assets, false);
        for (i, id) in ids.iter().enumerate() {
            event(
                &mut st,
                "asset.moved",
                false,
                json!({"asset_id": id, "from": "R1", "to": "R2"}),
            );
            event(
                &mut st,
                "asset.audited",
                false,
                json!({"asset_id": id, "location": "R2", "stocktake_id": 1}),
            );
            event(
                &mut st,
                "sanitization.recorded",
                false,
                json!({"asset_id": id, "sanitization_id": i, "source": "manual",
                       "method": "clear", "result": "passed"}),
            );
        }
    }
    let token = sb.path().join("token");
    std::fs::write(&token, TOKEN).unwrap();
    std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o600)).unwrap();
    let conf = sb.path().join("config/scanstation");
    std::fs::create_dir_all(&conf).unwrap();
    std::fs::write(
        conf.join("scanstation.toml"),
        format!(
            "[upstream]\nurl = \"{}\"\ntoken_file = \"{}\"\ntimeout_secs = 2\n",
            fake.url(),
            token.display()
        ),
    )
    .unwrap();
    let mut rng = rand::rng();
    let mut killed_mid_run = 0;
    for _ in 0..kills {
        // Each kill lands a little later: early ones catch the planning and
        // the first creates, later ones the audits and maintenances.
        let requests_before = fake.state().requests;
        let mut child = sb
            .cmd()
            .args(["sync", "--once"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("spawn scanstation sync --once");
        std::thread::sleep(Duration::from_millis(rng.random_range(20..400)));
        let finished = child.try_wait().unwrap().is_some();
        child.kill().expect("SIGKILL");
        child.wait().expect("reap");
        if !finished && fake.state().requests > requests_before {
            killed_mid_run += 1;
        }
    }
    let out = sb.cmd().args(["sync", "--once"]).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = sb
        .cmd()
        .args(["sync", "status", "--json"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        (
            v["done"].as_u64(),
            v["pending"].as_u64(),
            v["in_flight"].as_u64(),
            v["parked"].as_u64()
        ),
        (Some(4 * assets as u64), Some(0), Some(0), Some(0)),
        "{v}"
    );
    let s = fake.state();
    assert_eq!(s.assets.len(), assets, "nothing lost, nothing doubled");
    for effect in ["create", "audit", "maintenance"] {
        assert_eq!(s.applied(effect), assets, "{effect} applied once each");
    }
    let r2 = s.id_of("locations", "R2");
    assert!(s
        .assets
        .values()
        .all(|a| a.fields.get("location_id") == r2.map(Value::from).as_ref()));
    eprintln!("{kills} kills, {killed_mid_run} while requests were going out");
    drop(s);
    drop(fake);
}

#[test]
fn sigkill_of_sync_loses_and_duplicates_nothing() {
    kill_sync_at_random(3, 25);
}

#[test]
#[ignore]
fn sigkill_of_sync_twenty_times() {
    kill_sync_at_random(20, 200);
}
