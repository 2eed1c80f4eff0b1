//! Upstream sync, the issue's harder cases against the fake Snipe-IT:
//! convergence under the issue's fault mix (30% 5xx, 10% timeouts after the
//! server applied the change, 5% connection resets, 5% 200-with-error) with
//! nothing applied twice; sanitizations as maintenance records exactly once;
//! status conflicts parked for a person while the station's physical
//! observations (location, audit) win.

use super::sync::{cfg, event, seed, store, TOKEN};
use scanstation::store::{sync_state, Store};
use scanstation::sync::config::{Secret, UpstreamConfig};
use scanstation::sync::fake::{FakeSnipeIt, Fault};
use scanstation::sync::pace::Clock;
use scanstation::sync::snipeit::SnipeIt;
use scanstation::sync::worker::{Retry, Worker};
use serde_json::json;
use std::time::Duration;

/// A worker whose requests time out after 150 ms (the fake hangs 400 ms on
/// a timeout fault), so the tests' timeouts cost little.
fn quick_worker(store: Store, cfg: UpstreamConfig) -> Worker<SnipeIt> {
    let client = SnipeIt::new(&cfg, Secret::new(TOKEN), Clock::new())
        .unwrap()
        .with_timeout(Duration::from_millis(150))
        .unwrap()
        .with_window_ms(50);
    Worker::new(store, client, "snipeit", cfg, Clock::new()).with_retry(
        Retry {
            base_ms: 2,
            cap_ms: 20,
        },
        11,
    )
}

/// `assets` assets, five events each (created; moved, audited, checked in to
/// repair, a sanitization), synced under the fault mix, then with the faults
/// off and everything unparked: the fake's state equals the station's.
async fn converge_under_faults(assets: usize, seed_no: u64) {
    let fake = FakeSnipeIt::start(TOKEN, 0, seed_no).await.unwrap();
    fake.state().hang = Duration::from_millis(400);
    let (_d, mut st) = store();
    let ids = seed(&mut st, assets, false);
    let faults = |fake: &FakeSnipeIt| {
        let mut s = fake.state();
        s.faults.p_server_error = 0.30;
        s.faults.p_timeout = 0.10;
        s.faults.p_drop = 0.05;
        s.faults.p_error_body = 0.05;
    };
    faults(&fake);
    let mut w = quick_worker(st, cfg(&fake.url()));
    let first = w.run_once().await.unwrap();
    // Every asset was handed out (to a person) upstream meanwhile.
    fake.state().faults = Default::default();
    sync_state::unpark(w.store().conn(), "snipeit", None).unwrap();
    w.run_once().await.unwrap();
    assert_eq!(fake.state().assets.len(), assets, "created once each");
    for a in fake.state().assets.values_mut() {
        a.checked_out = true;
    }
    let db = w.store().path().to_path_buf();
    let mut other = Store::open(&db).unwrap();
    for (i, id) in ids.iter().enumerate() {
        let to = if i % 2 == 0 { "R2" } else { "R3" };
        event(
            &mut other,
            "asset.moved",
            false,
            json!({"asset_id": id, "from": "R1", "to": to}),
        );
        event(
            &mut other,
            "asset.audited",
            false,
            json!({"asset_id": id, "location": to, "stocktake_id": 1}),
        );
        event(
            &mut other,
            "asset.status_changed",
            false,
            json!({"asset_id": id, "from": "deployed", "to": "in_repair", "reason": "broken"}),
        );
        event(
            &mut other,
            "sanitization.recorded",
            false,
            json!({"asset_id": id, "sanitization_id": i, "medium_id": i, "source": "manual",
                   "serial": format!("D{i}"), "method": "purge", "result": "passed",
                   "started": "2026-01-02T10:00:00Z", "ended": "2026-01-02T11:00:00Z"}),
        );
    }
    faults(&fake);
    let second = w.run_once().await.unwrap();
    let runs = [first, second];
    assert!(
        runs.iter().map(|p| p.retried).sum::<usize>() > 0
            && runs.iter().map(|p| p.parked).sum::<usize>() > 0,
        "the faults happened: {runs:?}"
    );
    fake.state().faults = Default::default();
    sync_state::unpark(w.store().conn(), "snipeit", None).unwrap();
    let last = w.run_once().await.unwrap();
    assert_eq!(last.parked, 0, "{last:?}");
    let c = w.store().conn();
    let k = sync_state::counts(c, "snipeit").unwrap();
    assert_eq!(
        (k.done, k.pending, k.in_flight, k.parked),
        (5 * assets as u64, 0, 0, 0)
    );
    let s = fake.state();
    assert_eq!(s.assets.len(), assets, "nothing lost, nothing doubled");
    for effect in ["create", "audit", "checkin", "maintenance"] {
        assert_eq!(s.applied(effect), assets, "{effect} applied once each");
    }
    assert_eq!(s.maintenances.len(), assets);
    let repair = s.id_of("statuslabels", "Out for Repair").unwrap();
    for (i, id) in ids.iter().enumerate() {
        let tag = format!("A-{i:04}");
        let (remote, a) = s.asset_by_tag(&tag).unwrap();
        let want = s
            .id_of("locations", if i % 2 == 0 { "R2" } else { "R3" })
            .unwrap();
        assert_eq!(a.fields["location_id"], want, "{tag}");
        assert_eq!(a.fields["status_id"], repair, "{tag}");
        assert!(!a.checked_out, "{tag}");
        assert_eq!(
            sync_state::remote_id(c, "snipeit", "asset", *id).unwrap(),
            Some(remote)
        );
        let uuids: Vec<String> = s
            .activity
            .iter()
            .filter(|x| x.item_id == remote && x.action != "update")
            .map(|x| x.note.clone())
            .collect();
        assert_eq!(uuids.len(), 4, "{tag}: {uuids:?}");
    }
    for list in ["models", "manufacturers", "categories", "suppliers"] {
        assert_eq!(s.lists[list].len(), 1, "{list} created once");
    }
}

#[tokio::test]
async fn under_the_issue_fault_mix_it_converges_and_applies_nothing_twice() {
    converge_under_faults(40, 21).await;
}

/// The issue's figure: 10,000 station events (2,000 assets × 5). Slow in a
/// debug build; see TESTING.md.
#[tokio::test]
#[ignore]
async fn ten_thousand_events_under_faults_converge() {
    converge_under_faults(2_000, 22).await;
}

#[tokio::test]
async fn a_sanitization_is_one_maintenance_record_though_its_answer_was_lost() {
    let fake = FakeSnipeIt::start(TOKEN, 0, 23).await.unwrap();
    let (_d, mut st) = store();
    let ids = seed(&mut st, 1, false);
    let seq = event(
        &mut st,
        "sanitization.recorded",
        false,
        json!({"asset_id": ids[0], "sanitization_id": 9, "medium_id": 3, "source": "manual",
               "serial": "WD-1 & co", "method": "purge", "technique": "crypto_erase",
               "verification": "full", "result": "passed", "operator": "B1", "validator": "B2",
               "started": "2026-02-03T09:00:00Z", "ended": "2026-02-03T09:40:00Z"}),
    );
    fake.state()
        .faults
        .on
        .push_back(("POST /maintenances".into(), Fault::DropAfterApply));
    let mut w = super::sync::worker(st, &fake, cfg(&fake.url()));
    let p = w.run_once().await.unwrap();
    assert_eq!((p.done, p.retried, p.parked), (2, 1, 0));
    let uuid = scanstation::store::journal::get(w.store().conn(), seq)
        .unwrap()
        .unwrap()
        .uuid;
    let s = fake.state();
    assert_eq!(s.maintenances.len(), 1, "once, though its answer was lost");
    let m = s.maintenances.values().next().unwrap();
    let (remote, _) = s.asset_by_tag("A-0000").unwrap();
    assert_eq!(m["asset_id"], remote);
    assert_eq!(m["start_date"], "2026-02-03");
    assert_eq!(m["completion_date"], "2026-02-03");
    assert_eq!(
        m["title"],
        "Data sanitization: purge passed (medium WD-1 & co)"
    );
    let notes = m["notes"].as_str().unwrap();
    for want in [
        "technique: crypto_erase",
        "validator: B2",
        "record: #9",
        &uuid,
    ] {
        assert!(notes.contains(want), "{want} in {notes}");
    }
}

#[tokio::test]
async fn a_status_changed_upstream_since_the_pull_is_parked_and_the_stations_location_wins() {
    let fake = FakeSnipeIt::start(TOKEN, 0, 24).await.unwrap();
    let (r1, r9, repair, lost) = {
        let mut s = fake.state();
        let r1 = s.add("locations", "Room 1", json!({}));
        let r9 = s.add("locations", "Room 9", json!({}));
        let ready = s.id_of("statuslabels", "Ready to Deploy").unwrap();
        let repair = s.id_of("statuslabels", "Out for Repair").unwrap();
        let lost = s.id_of("statuslabels", "Lost/Stolen").unwrap();
        let m = s.add("models", "X1", json!({}));
        for tag in ["C-1", "C-2"] {
            s.add_asset(
                tag,
                json!({"model_id": m, "status_id": ready, "location_id": r1}),
            );
        }
        (r1, r9, repair, lost)
    };
    let (_d, st) = store();
    let cfg = cfg(&fake.url());
    let mut client = SnipeIt::new(&cfg, Secret::new(TOKEN), Clock::new()).unwrap();
    let data = scanstation::sync::pull::fetch(&mut client).await.unwrap();
    let mut st = st;
    scanstation::sync::pull::apply(&mut st, "snipeit", &cfg, "bench-1", &data).unwrap();
    let local = |st: &Store, tag: &str| {
        scanstation::store::identifiers::owner(st.conn(), "asset_tag", tag)
            .unwrap()
            .unwrap()
    };
    let (c1, c2) = (local(&st, "C-1"), local(&st, "C-2"));
    scanstation::store::locations::create(st.conn(), "R9", "Room 9", None, None).unwrap();
    // Someone changes both assets in Snipe-IT after the pull: C-1 is marked
    // lost and moved, C-2 only moved.
    {
        let mut s = fake.state();
        let (id1, _) = s.asset_by_tag("C-1").unwrap();
        let (id2, _) = s.asset_by_tag("C-2").unwrap();
        let a = s.assets.get_mut(&id1).unwrap();
        a.fields.insert("status_id".into(), json!(lost));
        a.fields.insert("location_id".into(), json!(r1 + 1000));
        s.assets
            .get_mut(&id2)
            .unwrap()
            .fields
            .insert("location_id".into(), json!(r1 + 1000));
    }
    // The station sees both in Room 9 and sends C-1 and C-2 to repair.
    for id in [c1, c2] {
        event(
            &mut st,
            "asset.moved",
            false,
            json!({"asset_id": id, "from": "R1", "to": "R9"}),
        );
        event(
            &mut st,
            "asset.audited",
            false,
            json!({"asset_id": id, "location": "R9", "stocktake_id": 1}),
        );
        event(
            &mut st,
            "asset.status_changed",
            false,
            json!({"asset_id": id, "from": "in_stock", "to": "in_repair"}),
        );
    }
    let mut w = super::sync::worker(st, &fake, cfg.clone());
    let p = w.run_once().await.unwrap();
    assert_eq!((p.done, p.parked), (5, 1), "{p:?}");
    {
        let s = fake.state();
        let (_, a1) = s.asset_by_tag("C-1").unwrap();
        let (_, a2) = s.asset_by_tag("C-2").unwrap();
        assert_eq!(a1.fields["location_id"], r9, "the station's sighting wins");
        assert_eq!(a2.fields["location_id"], r9);
        assert_eq!(a1.fields["status_id"], lost, "a person settles the status");
        assert_eq!(a2.fields["status_id"], repair, "no conflict on C-2");
        assert_eq!(s.applied("audit"), 2);
    }
    let parked = sync_state::parked(w.store().conn(), "snipeit").unwrap();
    assert_eq!(parked.len(), 1);
    assert_eq!(parked[0].asset_id, Some(c1));
    let reason = parked[0].reason.clone().unwrap_or_default();
    assert!(
        reason.contains("status conflict")
            && reason.contains("C-1")
            && reason.contains("Lost/Stolen"),
        "{reason}"
    );
    // The person sends the station's status.
    sync_state::unpark(w.store().conn(), "snipeit", Some(&[parked[0].id])).unwrap();
    let p = w.run_once().await.unwrap();
    assert_eq!((p.done, p.parked), (1, 0));
    let s = fake.state();
    assert_eq!(s.asset_by_tag("C-1").unwrap().1.fields["status_id"], repair);
}
