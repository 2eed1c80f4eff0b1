//! The store: opening, migrations, refusing files it must not touch, file
//! modes, and the aggregates.

use crate::support::Sandbox;
use rusqlite::Connection;
use scanstation::store::{
    assets, catalog, identifiers, locations, migrations, operators, vendors, Store, StoreError,
};
use std::os::unix::fs::PermissionsExt;
use std::path::Path;

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).expect("metadata").permissions().mode() & 0o777
}

fn sidecar(p: &Path, suffix: &str) -> std::path::PathBuf {
    let mut s = p.as_os_str().to_owned();
    s.push(suffix);
    s.into()
}

/// The schema as SQLite records it, for comparing two stores.
fn schema(conn: &Connection) -> Vec<(String, String, String, Option<String>)> {
    let mut st = conn
        .prepare("SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY type, name")
        .unwrap();
    st.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn open_creates_dir_and_files_0600_with_pragmas() {
    let sb = Sandbox::new();
    let db = sb.path().join("nested/dir/station.db");
    let store = Store::open(&db).unwrap();
    assert_eq!(mode(&db), 0o600);
    assert_eq!(mode(&sidecar(&db, "-wal")), 0o600);
    assert_eq!(mode(&sidecar(&db, "-shm")), 0o600);
    let c = store.conn();
    let jm: String = c
        .query_row("PRAGMA journal_mode", [], |r| r.get(0))
        .unwrap();
    let sync: i64 = c.query_row("PRAGMA synchronous", [], |r| r.get(0)).unwrap();
    let fk: i64 = c
        .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
        .unwrap();
    let bt: i64 = c
        .query_row("PRAGMA busy_timeout", [], |r| r.get(0))
        .unwrap();
    let uv: u32 = c
        .query_row("PRAGMA user_version", [], |r| r.get(0))
        .unwrap();
    assert_eq!(
        (jm.as_str(), sync, fk, bt, uv),
        ("wal", 2, 1, 5000, migrations::LATEST)
    );
}

#[test]
fn reopening_is_idempotent() {
    let sb = Sandbox::new();
    let db = sb.db();
    let before = schema(Store::open(&db).unwrap().conn());
    let store = Store::open(&db).unwrap();
    assert_eq!(schema(store.conn()), before);
}

#[test]
fn migrated_step_by_step_equals_fresh() {
    const { assert!(migrations::LATEST >= 2, "ship at least two migrations") };
    let sb = Sandbox::new();
    let fresh = Store::open(&sb.path().join("fresh.db")).unwrap();
    // One store taken through every version, reopened between steps.
    let stepped = sb.path().join("stepped.db");
    for v in 1..migrations::LATEST {
        let mut c = Connection::open(&stepped).unwrap();
        migrations::apply(&mut c, v).unwrap();
        let got: u32 = c
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(got, v);
    }
    let stepped = Store::open(&stepped).unwrap();
    let fresh_schema = schema(fresh.conn());
    assert!(fresh_schema.iter().any(|(_, n, _, _)| n == "journal"));
    assert_eq!(schema(stepped.conn()), fresh_schema);
}

#[test]
fn newer_schema_is_refused_and_left_untouched() {
    let sb = Sandbox::new();
    let db = sb.db();
    {
        // A rollback-journal file from "the future": switching it to WAL would
        // rewrite its header, so the check must come first.
        let c = Connection::open(&db).unwrap();
        c.execute_batch("CREATE TABLE future (x); INSERT INTO future VALUES (1);")
            .unwrap();
        c.pragma_update(None, "user_version", migrations::LATEST + 1)
            .unwrap();
    }
    let before = std::fs::read(&db).unwrap();
    let err = Store::open(&db).err().expect("refused");
    match &err {
        StoreError::TooNew {
            found, supported, ..
        } => assert_eq!(
            (*found, *supported),
            (migrations::LATEST + 1, migrations::LATEST)
        ),
        other => panic!("expected TooNew, got {other:?}"),
    }
    assert!(err.to_string().contains("upgrade scanstation"), "{err}");
    assert!(matches!(
        Store::open_readonly(&db),
        Err(StoreError::TooNew { .. })
    ));
    assert_eq!(std::fs::read(&db).unwrap(), before, "the file was modified");
    assert!(!sidecar(&db, "-wal").exists(), "a WAL file was created");
    // The commands say so and exit 2.
    let out = sb.cmd().arg("verify").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("newer"));
    assert_eq!(std::fs::read(&db).unwrap(), before);
}

#[test]
fn a_file_that_is_not_sqlite_is_refused_and_left_untouched() {
    let sb = Sandbox::new();
    let db = sb.db();
    let text = b"asset tag,serial\nA-1,S1\n".repeat(300);
    std::fs::write(&db, &text).unwrap();
    let err = Store::open(&db).err().expect("refused");
    assert!(matches!(err, StoreError::NotSqlite { .. }), "{err:?}");
    assert!(err.to_string().contains("not a SQLite database"), "{err}");
    assert!(matches!(
        Store::open_readonly(&db),
        Err(StoreError::NotSqlite { .. })
    ));
    assert_eq!(std::fs::read(&db).unwrap(), text);
    let out = sb.cmd().arg("journal").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(std::fs::read(&db).unwrap(), text);
}

#[test]
fn a_corrupt_store_is_refused_and_left_untouched() {
    let sb = Sandbox::new();
    let db = sb.db();
    {
        let mut s = Store::open(&db).unwrap();
        let tx = s.write().unwrap();
        locations::create(tx.conn(), "L1", "Shelf", None, None).unwrap();
        tx.commit().unwrap();
        // Fold the WAL into the main file so the damage below is what SQLite reads.
        s.conn()
            .execute_batch("PRAGMA wal_checkpoint(TRUNCATE);")
            .unwrap();
    }
    let mut bytes = std::fs::read(&db).unwrap();
    // Keep the 100-byte header, smash the schema page's b-tree.
    for b in &mut bytes[100..1024] {
        *b = 0xA5;
    }
    std::fs::write(&db, &bytes).unwrap();
    let _ = std::fs::remove_file(sidecar(&db, "-wal"));
    let _ = std::fs::remove_file(sidecar(&db, "-shm"));
    let err = Store::open(&db).err().expect("refused");
    assert!(
        matches!(
            err,
            StoreError::Corrupt { .. } | StoreError::NotSqlite { .. }
        ),
        "{err:?}"
    );
    assert!(err.to_string().contains("untouched"), "{err}");
    assert_eq!(std::fs::read(&db).unwrap(), bytes);
}

#[test]
fn open_readonly_never_creates_a_store() {
    let sb = Sandbox::new();
    let db = sb.db();
    assert!(matches!(
        Store::open_readonly(&db),
        Err(StoreError::Missing { .. })
    ));
    assert!(!db.exists());
    for args in [&["journal"][..], &["verify"], &["journal", "--json"]] {
        let out = sb.cmd().args(args).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(String::from_utf8_lossy(&out.stderr).contains("no store"));
        assert!(!db.exists(), "{args:?} created the store");
    }
}

#[test]
fn open_readonly_refuses_writes() {
    let sb = Sandbox::new();
    let db = sb.db();
    drop(Store::open(&db).unwrap());
    let ro = Store::open_readonly(&db).unwrap();
    assert!(locations::create(ro.conn(), "L1", "Shelf", None, None).is_err());
    assert_eq!(assets::count(ro.conn()).unwrap(), 0);
}

#[test]
fn assets_with_identifiers_catalog_and_locations() {
    let sb = Sandbox::new();
    let mut store = Store::open(&sb.db()).unwrap();
    let tx = store.write().unwrap();
    let c = tx.conn();
    let site = locations::create(c, "S1", "HQ", None, Some("0614141000012")).unwrap();
    let bldg = locations::create(c, "B1", "Building 1", Some(site), None).unwrap();
    let room = locations::create(c, "R101", "Room 101", Some(bldg), None).unwrap();
    assert_eq!(
        locations::path(c, room).unwrap(),
        "HQ > Building 1 > Room 101"
    );
    assert_eq!(locations::by_code(c, "B1").unwrap().unwrap().id, bldg);
    assert!(matches!(
        locations::create(c, "B1", "Again", None, None),
        Err(StoreError::Duplicate { .. })
    ));

    let (model, created) =
        catalog::get_or_create_model(c, "Latitude 7440", Some("Dell"), Some("Laptops")).unwrap();
    assert_eq!(
        created,
        [
            "manufacturer Dell",
            "category Laptops",
            "model Latitude 7440"
        ]
    );
    let (again, created) =
        catalog::get_or_create_model(c, "latitude 7440", Some("DELL"), Some("Laptops")).unwrap();
    assert_eq!((again, created.len()), (model, 0));
    let (supplier, new) = vendors::get_or_create_supplier(c, "CDW").unwrap();
    assert!(new);
    vendors::create(
        c,
        "GreenCycle",
        "disposal",
        Some("R2v3"),
        Some("2036-06-30"),
    )
    .unwrap();
    assert_eq!(
        vendors::by_name(c, "greencycle").unwrap().unwrap().kind,
        "disposal"
    );

    let id = assets::create(
        c,
        &assets::NewAsset {
            tag: "A-0001".into(),
            status: "in_stock".into(),
            model_id: Some(model),
            location_id: Some(room),
            supplier_id: Some(supplier),
            order_number: Some("PO-7".into()),
            cost_minor: Some(129_950),
            currency: Some("EUR".into()),
            purchase_date: Some("2026-01-15".into()),
            warranty_end: Some("2029-01-15".into()),
            ..Default::default()
        },
    )
    .unwrap();
    identifiers::add(c, id, "serial", "SN123").unwrap();
    identifiers::add(c, id, "serial", "SN123").unwrap(); // same asset: no-op
    let row = assets::get(c, id).unwrap().unwrap();
    assert_eq!(row.tag.as_deref(), Some("A-0001"));
    assert_eq!(row.serial.as_deref(), Some("SN123"));
    assert_eq!(row.model.as_deref(), Some("Latitude 7440"));
    assert_eq!(row.manufacturer.as_deref(), Some("Dell"));
    assert_eq!(row.category.as_deref(), Some("Laptops"));
    assert_eq!(row.location_code.as_deref(), Some("R101"));
    assert_eq!(row.supplier.as_deref(), Some("CDW"));
    assert_eq!(
        (row.cost_minor, row.currency.as_deref()),
        (Some(129_950), Some("EUR"))
    );
    assert_eq!(
        identifiers::for_asset(c, id).unwrap(),
        [
            ("asset_tag".to_string(), "A-0001".to_string()),
            ("serial".to_string(), "SN123".to_string())
        ]
    );
    assert_eq!(
        assets::find_by_identifier(c, "SN123", None).unwrap(),
        Some(id)
    );
    assert_eq!(
        assets::find_by_identifier(c, "SN123", Some("serial")).unwrap(),
        Some(id)
    );
    assert_eq!(
        assets::find_by_identifier(c, "SN123", Some("asset_tag")).unwrap(),
        None
    );
    assert_eq!(assets::find_by_identifier(c, "sn123", None).unwrap(), None);

    // A second asset may not take the first one's identifiers.
    let other = assets::create(
        c,
        &assets::NewAsset {
            tag: "A-0002".into(),
            ..Default::default()
        },
    )
    .unwrap();
    let err = identifiers::add(c, other, "serial", "SN123").unwrap_err();
    let msg = err.to_string();
    assert!(
        msg.contains("serial") && msg.contains("SN123") && msg.contains("A-0001"),
        "{msg}"
    );
    let err = assets::create(
        c,
        &assets::NewAsset {
            tag: "A-0001".into(),
            ..Default::default()
        },
    )
    .unwrap_err();
    assert!(matches!(err, StoreError::IdentifierTaken { .. }), "{err:?}");
    // But the same value under another kind is fine.
    identifiers::add(c, other, "mac", "SN123").unwrap();

    assets::set_status(c, id, "deployed").unwrap();
    assert!(assets::set_status(c, id, "teleported").is_err());
    assets::move_to(c, id, bldg).unwrap();
    let row = assets::get(c, id).unwrap().unwrap();
    assert_eq!(
        (row.status.as_str(), row.location_id),
        ("deployed", Some(bldg))
    );
    assert!(matches!(
        assets::set_status(c, 999, "deployed"),
        Err(StoreError::NotFound { .. })
    ));
    let list = assets::list(c).unwrap();
    assert_eq!(
        list.iter().map(|a| a.tag.as_deref()).collect::<Vec<_>>(),
        [Some("A-0001"), Some("A-0002")]
    );
    assert_eq!(assets::count(c).unwrap(), 2);

    let op = operators::create(c, "B0042", "Ada", "supervisor").unwrap();
    assert!(operators::create(c, "B0043", "Bob", "boss").is_err());
    let o = operators::by_badge(c, "B0042").unwrap().unwrap();
    assert_eq!((o.id, o.role.as_str(), o.active), (op, "supervisor", true));
    tx.commit().unwrap();

    // Committed: visible on the store's own connection and to a new one.
    assert_eq!(assets::count(store.conn()).unwrap(), 2);
    let ro = Store::open_readonly(&sb.db()).unwrap();
    assert_eq!(assets::by_tag(ro.conn(), "A-0002").unwrap(), Some(other));
}

#[test]
fn a_dropped_transaction_rolls_back() {
    let sb = Sandbox::new();
    let mut store = Store::open(&sb.db()).unwrap();
    {
        let mut tx = store.write().unwrap();
        locations::create(tx.conn(), "L1", "Shelf", None, None).unwrap();
        tx.append_event(&crate::journal::scan("X")).unwrap();
    }
    assert!(locations::by_code(store.conn(), "L1").unwrap().is_none());
    assert_eq!(scanstation::store::journal::count(store.conn()).unwrap(), 0);
}

#[test]
fn upgrading_keeps_data_and_the_chain() {
    let sb = Sandbox::new();
    let db = sb.db();
    let head = {
        // A version-1 store with an asset and a journal row, written the way
        // that version did.
        let mut c = Connection::open(&db).unwrap();
        migrations::apply(&mut c, 1).unwrap();
        c.execute_batch(
            "INSERT INTO assets (id, status, created_at, updated_at) \
             VALUES (1, 'in_stock', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z'); \
             INSERT INTO identifiers (asset_id, kind, value) VALUES (1, 'asset_tag', 'OLD-1');",
        )
        .unwrap();
        let payload = r#"{"asset_id":1,"source":"typed","text":"OLD-1"}"#;
        let hash = scanstation::store::journal::event_hash(
            scanstation::store::journal::GENESIS_HASH,
            1,
            "00000000-0000-4000-8000-000000000001",
            "2026-01-01T00:00:00.000Z",
            "bench-1",
            None,
            "scan",
            false,
            payload,
        );
        c.execute(
            "INSERT INTO journal VALUES (1, '00000000-0000-4000-8000-000000000001', \
             '2026-01-01T00:00:00.000Z', 'bench-1', NULL, 'scan', 0, ?1, ?2, ?3)",
            rusqlite::params![payload, scanstation::store::journal::GENESIS_HASH, hash],
        )
        .unwrap();
        hash
    };
    let mut store = Store::open(&db).unwrap();
    assert_eq!(assets::by_tag(store.conn(), "OLD-1").unwrap(), Some(1));
    let mut tx = store.write().unwrap();
    let r = tx.append_event(&crate::journal::scan("NEW-1")).unwrap();
    tx.commit().unwrap();
    let rows = scanstation::store::journal::read_since(store.conn(), 0, 10).unwrap();
    assert_eq!((r.seq, rows[1].prev_hash.as_str()), (2, head.as_str()));
    assert!(matches!(
        scanstation::store::journal::verify(store.conn(), None).unwrap(),
        scanstation::store::VerifyReport::Ok { events: 2, .. }
    ));
}

#[test]
fn the_last_session_event_is_found_by_its_index() {
    let sb = Sandbox::new();
    let store = Store::open(&sb.db()).unwrap();
    let plan: Vec<String> = store
        .conn()
        .prepare(
            "EXPLAIN QUERY PLAN SELECT seq FROM journal WHERE station = ?1 \
             AND kind IN ('operator.signed_in', 'operator.signed_out') \
             ORDER BY seq DESC LIMIT 1",
        )
        .unwrap()
        .query_map(["bench-1"], |r| r.get::<_, String>(3))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert!(
        plan.iter().any(|p| p.contains("journal_sessions")),
        "{plan:?}"
    );
    assert_eq!(
        scanstation::store::journal::last_session_event(store.conn(), "bench-1").unwrap(),
        None
    );
}

fn sha256(p: &Path) -> String {
    use sha2::Digest as _;
    hex::encode(sha2::Sha256::digest(std::fs::read(p).unwrap()))
}

/// Another application's SQLite file (as Python's sqlite3 makes them): every
/// command refuses it with exit 2 and leaves it byte-identical, with no -wal.
#[test]
fn another_applications_database_is_refused_by_every_command_and_left_untouched() {
    let cases = [
        (
            "version 0 with tables",
            "CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT); INSERT INTO notes (body) VALUES ('hello');",
        ),
        (
            "its own user_version",
            "CREATE TABLE settings (k, v); PRAGMA user_version = 2;",
        ),
        ("another application id", "PRAGMA application_id = 1196444237;"),
    ];
    for (what, sql) in cases {
        let sb = Sandbox::new();
        let db = sb.db();
        Connection::open(&db).unwrap().execute_batch(sql).unwrap();
        let before = sha256(&db);
        let err = Store::open(&db).err().expect(what);
        assert!(
            matches!(err, StoreError::NotAStore { .. }),
            "{what}: {err:?}"
        );
        assert!(err.to_string().contains("another application"), "{err}");
        assert!(matches!(
            Store::open_readonly(&db),
            Err(StoreError::NotAStore { .. })
        ));
        assert_eq!(sha256(&db), before, "{what}: Store::open modified it");
        let csv = sb.path().join("a.csv");
        std::fs::write(&csv, "Asset Tag\nA-1\n").unwrap();
        let commands: [&[&str]; 6] = [
            &[],
            &["import", "assets", csv.to_str().unwrap()],
            &["export", "assets"],
            &["journal"],
            &["verify"],
            &["stress-scan", "--count", "1"],
        ];
        for args in commands {
            let out = sb.cmd().args(args).output().unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{what}: {args:?}: {stderr}");
            assert!(stderr.contains("another application"), "{args:?}: {stderr}");
            assert_eq!(sha256(&db), before, "{what}: {args:?} modified it");
            assert!(
                !sidecar(&db, "-wal").exists(),
                "{what}: {args:?} made a WAL"
            );
        }
    }
}

/// An empty (0-byte) file and a new path become stores.
#[test]
fn an_empty_file_becomes_a_store() {
    let sb = Sandbox::new();
    let db = sb.db();
    std::fs::write(&db, b"").unwrap();
    let s = Store::open(&db).unwrap();
    let (uv, app): (u32, i32) = s
        .conn()
        .query_row(
            "SELECT * FROM pragma_user_version, pragma_application_id",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!(
        (uv, app),
        (migrations::LATEST, scanstation::store::APPLICATION_ID)
    );
    drop(s);
    Store::open(&db).unwrap();
}

/// A store that this user cannot write (the file, or its directory where SQLite
/// keeps -wal and -shm) is refused at start with its path and what to do, by
/// the run path and by import. Run as `nobody` when the tests run as root
/// (root writes through permission bits).
#[test]
fn a_store_that_cannot_be_written_is_refused_at_start() {
    use std::os::unix::fs::MetadataExt as _;
    use std::os::unix::process::CommandExt as _;
    // Who we are: the owner of a file we create.
    let probe = Sandbox::new();
    let root = std::fs::metadata(probe.path()).unwrap().uid() == 0;
    let chmod =
        |p: &Path, m: u32| std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).unwrap();
    for case in ["file", "directory"] {
        let sb = Sandbox::new();
        let dir = sb.path().to_path_buf();
        let db = sb.db();
        drop(Store::open(&db).unwrap());
        let _ = std::fs::remove_file(sidecar(&db, "-wal"));
        let _ = std::fs::remove_file(sidecar(&db, "-shm"));
        let state = sb.path().join("state");
        std::fs::create_dir_all(&state).unwrap();
        chmod(&state, 0o777);
        match case {
            "file" => {
                chmod(&dir, 0o777);
                chmod(&db, if root { 0o644 } else { 0o444 });
            }
            _ => chmod(&db, 0o666),
        }
        let before = std::fs::read(&db).unwrap();
        if !root {
            let err = Store::open(&db).err().expect("refused");
            assert!(
                matches!(err, StoreError::ReadOnly { .. }),
                "{case}: {err:?}"
            );
        }
        let csv = sb.path().join("a.csv");
        std::fs::write(&csv, "Asset Tag\nA-1\n").unwrap();
        chmod(&csv, 0o644);
        if case == "directory" {
            chmod(&dir, 0o555);
        }
        for args in [&[][..], &["import", "assets", csv.to_str().unwrap()]] {
            let mut cmd = sb.cmd();
            cmd.args(args);
            if root {
                cmd.uid(65534).gid(65534);
            }
            let out = cmd.output().unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{case} {args:?}: {stderr}");
            assert!(
                stderr.contains(&format!("the store {} cannot be written", db.display()))
                    && stderr.contains("make it writable"),
                "{case} {args:?}: {stderr}"
            );
            if case == "directory" {
                assert!(stderr.contains("its directory"), "{stderr}");
            }
        }
        assert_eq!(std::fs::read(&db).unwrap(), before);
        chmod(&dir, 0o755);
    }
}
