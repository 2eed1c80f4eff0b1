//! Upstream sync against the fake Snipe-IT on 127.0.0.1: convergence, exactly
//! once under faults, parking and its per-asset hold, throttling, 401, and the
//! token kept out of everything the station writes.

use scanstation::store::assets::NewAsset;
use scanstation::store::assets::{created_payload, insert as insert_asset};
use scanstation::store::{sync_state, NewEvent, Store};
use scanstation::sync::config::{Secret, UpstreamConfig};
use scanstation::sync::fake::{FakeSnipeIt, Fault};
use scanstation::sync::pace::Clock;
use scanstation::sync::snipeit::SnipeIt;
use scanstation::sync::worker::{Retry, Worker};
use serde_json::{json, Value};
use std::time::{Duration, SystemTime};

pub(crate) const TOKEN: &str = "tok-3f9a-very-secret";

pub(crate) fn event(store: &mut Store, kind: &str, training: bool, payload: Value) -> i64 {
    let mut tx = store.write().unwrap();
    let r = tx
        .append_event(&NewEvent {
            at: SystemTime::now(),
            station: "bench-1",
            operator: None,
            kind,
            training,
            payload,
        })
        .unwrap();
    tx.commit().unwrap();
    r.seq
}

/// `n` assets A-0000… with model, location, supplier and cost, each with its
/// `asset.created` event. Returns their local ids.
pub(crate) fn seed(store: &mut Store, n: usize, training: bool) -> Vec<i64> {
    let mut ids = Vec::new();
    for i in 0..n {
        let tx = store.write().unwrap();
        let c = tx.conn();
        let (model, _) = scanstation::store::catalog::get_or_create_model(
            c,
            "Latitude 7440",
            Some("Dell & Sons"),
            Some("Laptops"),
        )
        .unwrap();
        let loc = match scanstation::store::locations::by_code(c, "R1").unwrap() {
            Some(l) => l.id,
            None => scanstation::store::locations::create(c, "R1", "Room <1>", None, None).unwrap(),
        };
        let (sup, _) = scanstation::store::vendors::get_or_create_supplier(c, "Northwind").unwrap();
        let new = NewAsset {
            tag: format!("A-{i:04}"),
            status: "in_stock".into(),
            model_id: Some(model),
            location_id: Some(loc),
            supplier_id: Some(sup),
            order_number: Some("PO-1".into()),
            cost_minor: Some(129_950),
            currency: Some("USD".into()),
            purchase_date: Some("2026-01-02".into()),
            warranty_end: Some("2029-01-02".into()),
            ..Default::default()
        };
        let serial = format!("SN{i:04}");
        let extra = [("serial", serial.as_str())];
        let id = insert_asset(c, &new, &extra).unwrap();
        let payload = created_payload(id, &new, &extra, "import", json!({}));
        let mut tx = tx;
        tx.append_event(&NewEvent {
            at: SystemTime::now(),
            station: "bench-1",
            operator: None,
            kind: "asset.created",
            training,
            payload,
        })
        .unwrap();
        tx.commit().unwrap();
        ids.push(id);
    }
    ids
}

pub(crate) fn cfg(url: &str) -> UpstreamConfig {
    UpstreamConfig {
        url: Some(url.to_string()),
        timeout_secs: 1,
        ..Default::default()
    }
}

pub(crate) fn worker(store: Store, _fake: &FakeSnipeIt, cfg: UpstreamConfig) -> Worker<SnipeIt> {
    let client = SnipeIt::new(&cfg, Secret::new(TOKEN), Clock::new())
        .unwrap()
        .with_window_ms(50);
    Worker::new(store, client, "snipeit", cfg, Clock::new()).with_retry(
        Retry {
            base_ms: 2,
            cap_ms: 20,
        },
        7,
    )
}

pub(crate) fn store() -> (tempfile::TempDir, Store) {
    let dir = tempfile::tempdir().unwrap();
    let s = Store::open(&dir.path().join("station.db")).unwrap();
    (dir, s)
}

#[tokio::test]
async fn assets_converge_with_every_field_and_training_stays_home() {
    let fake = FakeSnipeIt::start(TOKEN, 0, 1).await.unwrap();
    let (_d, mut st) = store();
    seed(&mut st, 3, false);
    event(
        &mut st,
        "asset.created",
        true,
        json!({"asset_id": 999, "tag": "TRAIN", "status": "in_stock"}),
    );
    event(
        &mut st,
        "scan",
        false,
        json!({"asset_id": 1, "text": "A-0000", "source": "wedge"}),
    );
    let mut w = worker(st, &fake, cfg(&fake.url()));
    let pass = w.run_once().await.unwrap();
    assert_eq!((pass.done, pass.parked), (3, 0));
    {
        let s = fake.state();
        assert_eq!(s.assets.len(), 3);
        assert_eq!(s.applied("create"), 3);
        let (_, a) = s.asset_by_tag("A-0001").unwrap();
        assert_eq!(a.fields["serial"], "SN0001");
        assert_eq!(a.fields["purchase_cost"], "1299.50");
        assert_eq!(a.fields["purchase_date"], "2026-01-02");
        assert_eq!(a.fields["warranty_months"], 36);
        assert_eq!(a.fields["order_number"], "PO-1");
        let model = a.fields["model_id"].as_i64().unwrap();
        assert_eq!(s.lists["models"][&model].name, "Latitude 7440");
        assert_eq!(
            s.lists["models"].len(),
            1,
            "one model, found by name after the first"
        );
        assert_eq!(
            s.lists["manufacturers"].values().next().unwrap().name,
            "Dell & Sons"
        );
        assert_eq!(
            s.lists["locations"].values().next().unwrap().name,
            "Room <1>"
        );
        assert!(s.asset_by_tag("TRAIN").is_none());
    }
    // The upstream ids are mapped locally; nothing is left to do.
    let c = w.store().conn();
    assert_eq!(sync_state::ref_count(c, "snipeit", "asset").unwrap(), 3);
    assert_eq!(sync_state::counts(c, "snipeit").unwrap().done, 3);
    assert_eq!(w.run_once().await.unwrap().done, 0);
}

#[tokio::test]
async fn a_create_whose_answer_was_lost_is_not_created_twice() {
    let fake = FakeSnipeIt::start(TOKEN, 0, 2).await.unwrap();
    fake.state().hang = Duration::from_secs(5);
    let (dir, mut st) = store();
    seed(&mut st, 1, false);
    let mut w = worker(st, &fake, cfg(&fake.url()));
    // Six look-ups (category, manufacturer, model, status, supplier,
    // location), then the POST: applied, and the connection dropped.
    // The asset's POST is applied, and the connection dropped.
    fake.state()
        .faults
        .on
        .push_back(("POST /hardware".into(), Fault::DropAfterApply));
    let p = w.run_once().await.unwrap();
    assert_eq!((p.done, p.retried, p.parked), (1, 1, 0));
    // A second asset: its POST is applied and then the server says nothing.
    let mut other = Store::open(&dir.path().join("station.db")).unwrap();
    let tx = other.write().unwrap();
    let new = NewAsset {
        tag: "B-1".into(),
        status: "in_stock".into(),
        ..Default::default()
    };
    let id = insert_asset(tx.conn(), &new, &[]).unwrap();
    tx.commit().unwrap();
    event(
        &mut other,
        "asset.created",
        false,
        created_payload(id, &new, &[], "enrol", json!({})),
    );
    // B-1 has no model: it goes up as the default model, created on the way.
    fake.state()
        .faults
        .on
        .push_back(("POST /hardware".into(), Fault::TimeoutAfterApply));
    let p = w.run_once().await.unwrap();
    assert_eq!((p.done, p.retried, p.parked), (1, 1, 0));
    let s = fake.state();
    assert_eq!(s.assets.len(), 2);
    assert_eq!(s.applied("create"), 2, "each asset created exactly once");
    let bytag = s
        .log
        .iter()
        .filter(|l| l.starts_with("GET /hardware/bytag/"))
        .count();
    assert_eq!(bytag, 2, "each uncertain create looked first: {:?}", s.log);
}

#[tokio::test]
async fn a_parked_op_holds_back_its_asset_only_and_retry_unparks_it() {
    let fake = FakeSnipeIt::start(TOKEN, 0, 3).await.unwrap();
    let (_d, mut st) = store();
    let ids = seed(&mut st, 2, false);
    event(
        &mut st,
        "asset.moved",
        false,
        json!({"asset_id": ids[0], "from": "R1", "to": "R2"}),
    );
    event(
        &mut st,
        "asset.moved",
        false,
        json!({"asset_id": ids[1], "from": "R1", "to": "R2"}),
    );
    // The first request of the run (asset 0's first lookup) answers 200 + status:error.
    fake.state().faults.script = [Some(Fault::ErrorBody)].into_iter().collect();
    let mut w = worker(st, &fake, cfg(&fake.url()));
    let p = w.run_once().await.unwrap();
    assert_eq!(p.parked, 1);
    let c = w.store().conn();
    let counts = sync_state::counts(c, "snipeit").unwrap();
    assert_eq!((counts.done, counts.parked, counts.pending), (2, 1, 1));
    let parked = sync_state::parked(c, "snipeit").unwrap();
    assert_eq!(parked[0].asset_id, Some(ids[0]));
    assert!(parked[0]
        .reason
        .as_deref()
        .unwrap()
        .contains("A fault the test asked for"));
    assert!(fake.state().asset_by_tag("A-0000").is_none());
    assert!(fake.state().asset_by_tag("A-0001").is_some());
    // Unpark: the create and then the move go through, in order.
    let tx = w.store().conn();
    assert_eq!(sync_state::unpark(tx, "snipeit", None).unwrap(), 1);
    let p = w.run_once().await.unwrap();
    assert_eq!((p.done, p.parked), (2, 0));
    let s = fake.state();
    let (_, a) = s.asset_by_tag("A-0000").unwrap();
    let r2 = s.id_of("locations", "R2").unwrap();
    assert_eq!(a.fields["location_id"], r2);
}

#[tokio::test]
async fn status_changes_check_in_and_audits_apply_once_with_the_event_uuid() {
    let fake = FakeSnipeIt::start(TOKEN, 0, 4).await.unwrap();
    let (_d, mut st) = store();
    let ids = seed(&mut st, 1, false);
    let mut w = worker(st, &fake, cfg(&fake.url()));
    w.run_once().await.unwrap();
    let remote = fake.state().asset_by_tag("A-0000").unwrap().0;
    fake.state().assets.get_mut(&remote).unwrap().checked_out = true;
    // New events through a second connection, as the station would write them.
    let db = w.store().path().to_path_buf();
    let mut other = Store::open(&db).unwrap();
    let checkin = event(
        &mut other,
        "asset.status_changed",
        false,
        json!({"asset_id": ids[0], "from": "deployed", "to": "in_repair", "reason": "broken"}),
    );
    let audit = event(
        &mut other,
        "asset.audited",
        false,
        json!({"asset_id": ids[0], "location": "R1"}),
    );
    event(
        &mut other,
        "asset.status_changed",
        false,
        json!({"asset_id": ids[0], "from": "in_repair", "to": "in_stock", "reason": null}),
    );
    // The check-in's and the audit's answers are lost after they were applied.
    {
        let mut s = fake.state();
        for what in ["checkin", "audit"] {
            let line = format!("POST /hardware/{remote}/{what}");
            s.faults.on.push_back((line, Fault::DropAfterApply));
        }
    }
    let p = w.run_once().await.unwrap();
    assert_eq!(p.parked, 0);
    assert_eq!(p.retried, 2);
    let s = fake.state();
    assert_eq!(
        s.applied("checkin"),
        1,
        "checked in once, though its answer was lost"
    );
    assert_eq!(s.applied("audit"), 1);
    let uuid = |seq: i64| {
        scanstation::store::journal::get(other.conn(), seq)
            .unwrap()
            .unwrap()
            .uuid
    };
    let notes: Vec<&str> = s.activity.iter().map(|a| a.note.as_str()).collect();
    assert!(
        notes.iter().any(|n| n.contains(&uuid(checkin))),
        "{notes:?}"
    );
    assert!(notes.iter().any(|n| n.contains(&uuid(audit))), "{notes:?}");
    let ready = s.id_of("statuslabels", "Ready to Deploy").unwrap();
    assert_eq!(s.assets[&remote].fields["status_id"], ready);
}

#[tokio::test]
async fn throttled_and_failing_servers_are_waited_out() {
    let fake = FakeSnipeIt::start(TOKEN, 0, 5).await.unwrap();
    let (_d, mut st) = store();
    seed(&mut st, 3, false);
    fake.state().faults.script = [
        Fault::Throttle,
        Fault::ServerError,
        Fault::Html,
        Fault::ServerError,
    ]
    .into_iter()
    .map(Some)
    .collect();
    let mut w = worker(st, &fake, cfg(&fake.url()));
    let p = w.run_once().await.unwrap();
    assert_eq!((p.done, p.parked), (3, 0));
    assert!(p.retried >= 2);
    assert_eq!(fake.state().applied("create"), 3);
}

#[tokio::test]
async fn a_wrong_token_stops_syncing_and_is_never_written_anywhere() {
    let fake = FakeSnipeIt::start("the-right-one", 0, 6).await.unwrap();
    let (_d, mut st) = store();
    seed(&mut st, 2, false);
    let mut w = worker(st, &fake, cfg(&fake.url()));
    let e = w.run_once().await.unwrap_err().to_string();
    assert!(e.contains("401"), "{e}");
    assert!(!e.contains(TOKEN));
    let c = w.store().conn();
    let k = sync_state::counts(c, "snipeit").unwrap();
    assert_eq!(
        (k.pending, k.in_flight, k.parked),
        (2, 0, 0),
        "nothing lost"
    );
    // Nowhere in the store: not in the journal, not in an error.
    for suffix in ["", "-wal"] {
        let mut p = w.store().path().as_os_str().to_owned();
        p.push(suffix);
        let bytes = std::fs::read(&p).unwrap_or_default();
        assert!(!String::from_utf8_lossy(&bytes).contains(TOKEN));
    }
    // It was sent, as a Bearer token.
    assert!(fake.state().headers_seen[0].contains(&format!("Bearer {TOKEN}")));
}

#[tokio::test]
async fn missing_names_park_when_creation_is_off() {
    let fake = FakeSnipeIt::start(TOKEN, 0, 7).await.unwrap();
    let (_d, mut st) = store();
    seed(&mut st, 1, false);
    let mut c = cfg(&fake.url());
    c.create_missing = false;
    let mut w = worker(st, &fake, c);
    let p = w.run_once().await.unwrap();
    assert_eq!(p.parked, 1);
    let parked = sync_state::parked(w.store().conn(), "snipeit").unwrap();
    assert!(
        parked[0]
            .reason
            .as_deref()
            .unwrap()
            .contains("create_missing = false"),
        "{parked:?}"
    );
    assert!(
        fake.state().lists["categories"].is_empty(),
        "nothing created"
    );
}

#[tokio::test]
async fn pull_maps_and_creates_reference_data_and_assets() {
    let fake = FakeSnipeIt::start(TOKEN, 0, 8).await.unwrap();
    {
        let mut s = fake.state();
        let cat = s.add("categories", "Laptops", json!({"category_type": "asset"}));
        let man = s.add("manufacturers", "Smith & Co", json!({}));
        let model = s.add("models", "T14", json!({"category": {"id": cat, "name": "Laptops"}, "manufacturer": {"id": man, "name": "Smith &amp; Co"}}));
        let loc = s.add("locations", "Store", json!({}));
        let archived = s.id_of("statuslabels", "Archived").unwrap();
        let ready = s.id_of("statuslabels", "Ready to Deploy").unwrap();
        for i in 0..1203 {
            let id = s.add_asset(&format!("P-{i}"), json!({"model_id": model, "location_id": loc, "status_id": if i == 0 { archived } else { ready }, "serial": format!("S{i}")}));
            let _ = id;
        }
    }
    let (_d, mut st) = store();
    let mut client = SnipeIt::new(&cfg(&fake.url()), Secret::new(TOKEN), Clock::new()).unwrap();
    let data = scanstation::sync::pull::fetch(&mut client).await.unwrap();
    assert_eq!(data.assets.len(), 1203, "paginated, archived included");
    let report = scanstation::sync::pull::apply(
        &mut st,
        "snipeit",
        &UpstreamConfig::default(),
        "bench-1",
        &data,
    )
    .unwrap();
    assert_eq!(report["assets"], (1203, 1203));
    let c = st.conn();
    let a = scanstation::store::assets::by_tag(c, "P-0")
        .unwrap()
        .unwrap();
    let row = scanstation::store::assets::get(c, a).unwrap().unwrap();
    assert_eq!(row.status, "disposed");
    assert_eq!(row.model.as_deref(), Some("T14"));
    assert_eq!(row.manufacturer.as_deref(), Some("Smith & Co"));
    assert_eq!(row.serial.as_deref(), Some("S0"));
    assert_eq!(row.location_code.as_deref(), Some("Store"));
    // Pulled assets are not sent back.
    let mut w = worker(st, &fake, cfg(&fake.url()));
    let before = fake.state().requests;
    assert_eq!(w.run_once().await.unwrap().done, 0);
    assert_eq!(fake.state().requests, before);
    // Pulling again creates nothing new.
    let mut st2 = Store::open(w.store().path()).unwrap();
    let again = scanstation::sync::pull::apply(
        &mut st2,
        "snipeit",
        &UpstreamConfig::default(),
        "bench-1",
        &data,
    )
    .unwrap();
    assert_eq!(again["assets"], (1203, 0));
}

#[tokio::test]
async fn under_random_faults_it_converges_and_applies_nothing_twice() {
    let fake = FakeSnipeIt::start(TOKEN, 0, 9).await.unwrap();
    let (_d, mut st) = store();
    let ids = seed(&mut st, 40, false);
    for (i, id) in ids.iter().enumerate() {
        let to = if i % 2 == 0 { "R2" } else { "R3" };
        event(
            &mut st,
            "asset.moved",
            false,
            json!({"asset_id": id, "from": "R1", "to": to}),
        );
        event(
            &mut st,
            "asset.audited",
            false,
            json!({"asset_id": id, "location": to}),
        );
    }
    {
        let mut s = fake.state();
        s.faults.p_server_error = 0.3;
        s.faults.p_drop = 0.1;
        s.faults.p_error_body = 0.05;
    }
    let mut w = worker(st, &fake, cfg(&fake.url()));
    let first = w.run_once().await.unwrap();
    assert!(first.retried > 0 && first.parked > 0, "{first:?}");
    // Faults off; unpark what the injected 200-with-error answers parked.
    fake.state().faults = Default::default();
    sync_state::unpark(w.store().conn(), "snipeit", None).unwrap();
    let second = w.run_once().await.unwrap();
    assert_eq!(second.parked, 0);
    let c = w.store().conn();
    let k = sync_state::counts(c, "snipeit").unwrap();
    assert_eq!((k.done, k.pending, k.in_flight, k.parked), (120, 0, 0, 0));
    let s = fake.state();
    assert_eq!(s.assets.len(), 40, "nothing lost, nothing doubled");
    assert_eq!(s.applied("create"), 40);
    assert_eq!(s.applied("audit"), 40);
    for (i, id) in ids.iter().enumerate() {
        let tag = format!("A-{i:04}");
        let (remote, a) = s.asset_by_tag(&tag).unwrap();
        let want = s
            .id_of("locations", if i % 2 == 0 { "R2" } else { "R3" })
            .unwrap();
        assert_eq!(a.fields["location_id"], want, "{tag}");
        assert_eq!(
            sync_state::remote_id(c, "snipeit", "asset", *id).unwrap(),
            Some(remote)
        );
    }
    for list in ["models", "manufacturers", "categories", "suppliers"] {
        assert_eq!(s.lists[list].len(), 1, "{list} created once");
    }
}

/// The binary: `sync --once`, `sync status --json`, `sync retry --all`, and
/// a token file that others can read.
#[test]
fn the_sync_commands() {
    use std::os::unix::fs::PermissionsExt;
    let rt = tokio::runtime::Runtime::new().unwrap();
    let fake = rt.block_on(FakeSnipeIt::start(TOKEN, 0, 10)).unwrap();
    let sb = crate::support::Sandbox::new();
    {
        let mut st = Store::open(&sb.db()).unwrap();
        seed(&mut st, 2, false);
    }
    let token = sb.path().join("token");
    std::fs::write(&token, TOKEN).unwrap();
    std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o644)).unwrap();
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
    let out = sb.cmd().args(["sync", "--once"]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("chmod 600") && err.contains("token"), "{err}");
    std::fs::set_permissions(&token, std::fs::Permissions::from_mode(0o600)).unwrap();
    // The first asset's create is refused (a validation error): it parks, exit 1.
    fake.state()
        .faults
        .on
        .push_back(("POST /hardware".into(), Fault::ErrorBody));
    let out = sb.cmd().args(["-v", "sync", "--once"]).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(!err.contains(TOKEN));
    let out = sb
        .cmd()
        .args(["sync", "status", "--json"])
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["upstream"], "snipeit");
    assert_eq!(
        (
            v["done"].as_u64(),
            v["parked"].as_u64(),
            v["pending"].as_u64()
        ),
        (Some(1), Some(1), Some(0))
    );
    let p = &v["parked_ops"][0];
    assert_eq!(
        (p["op"].as_str(), p["asset"].as_str(), p["seq"].as_i64()),
        (Some("create_asset"), Some("A-0000"), Some(1))
    );
    assert!(p["reason"]
        .as_str()
        .unwrap()
        .contains("A fault the test asked for"));
    let id = p["id"].as_i64().unwrap().to_string();
    let out = sb.cmd().args(["sync", "retry", &id]).output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        r#"{"unparked":1,"upstream":"snipeit"}"#
    );
    let out = sb.cmd().args(["sync", "--once"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(fake.state().applied("create"), 2);
    // The token is in no log, nor in the store.
    let mut leaked = Vec::new();
    for entry in walk(sb.path()) {
        if entry.ends_with("token") {
            continue;
        }
        if String::from_utf8_lossy(&std::fs::read(&entry).unwrap_or_default()).contains(TOKEN) {
            leaked.push(entry);
        }
    }
    assert!(leaked.is_empty(), "{leaked:?}");
    drop(fake);
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for e in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let p = e.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}
