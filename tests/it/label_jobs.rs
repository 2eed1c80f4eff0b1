//! The label queue end to end: a delivery through `feed` queues one label
//! per new asset in the receipt's transaction and writes them as files
//! (with the EPC its RFID label writes, recorded as the asset's `epc`); a
//! network printer that accepts late and a device that appears late keep
//! the jobs queued until they print; the worker's backoff under tokio's
//! paused clock; a disposal pallet's SSCC label (ZPL against its expected
//! file, PNG decoded back to the (00) SSCC).

use crate::support::Sandbox;
use scanstation::input::{Input, Scan, Source};
use scanstation::label::pallet::{self, PalletLabel};
use scanstation::label::printer::{PrintError, Printer};
use scanstation::label::worker::{backoff, Retry, Step, Worker};
use scanstation::label::LabelsConfig;
use scanstation::station::seed::seed_demo;
use scanstation::station::{Level, Station, StationSettings};
use scanstation::store::label_jobs::{self, JobKind, NewJob};
use scanstation::store::{assets, batches, identifiers, Store};
use serde_json::Value;
use std::io::Read;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime};

const ORDERS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/csv/orders.csv");
const COMPLETE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/fixtures/receiving/po-1001-complete.feed"
);

/// A seeded store with the orders of fixtures/csv/orders.csv, and `config`
/// as the station's config file.
fn setup(sb: &Sandbox, config: &str) {
    let conf = sb.path().join("config/scanstation");
    std::fs::create_dir_all(&conf).unwrap();
    std::fs::write(conf.join("scanstation.toml"), config).unwrap();
    let mut store = Store::open(&sb.db()).unwrap();
    seed_demo(&mut store, "seed").unwrap();
    drop(store);
    let out = sb
        .cmd()
        .args(["import", "orders", ORDERS])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `feed --mode receive FILE`: (exit code, answers, stderr).
fn feed(sb: &Sandbox, file: &Path) -> (Option<i32>, Vec<Value>, String) {
    let out = sb
        .cmd()
        .args(["feed", "--operator", "B0003", "--mode", "receive"])
        .arg(file)
        .output()
        .unwrap();
    let lines = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (
        out.status.code(),
        lines,
        String::from_utf8(out.stderr).unwrap(),
    )
}

/// `label --queue`: the waiting and failed jobs.
fn queue(sb: &Sandbox) -> Vec<Value> {
    let out = sb.cmd().args(["label", "--queue"]).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// The first `units` units of PO-1001's complete delivery (PO scan, then a
/// label and a tag per unit).
fn first_units(sb: &Sandbox, units: usize) -> PathBuf {
    let text = std::fs::read_to_string(COMPLETE).unwrap();
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .take(1 + 2 * units)
        .collect();
    let p = sb.path().join("part.feed");
    std::fs::write(&p, lines.join("\n") + "\n").unwrap();
    p
}

#[test]
fn a_delivery_through_feed_writes_one_rfid_label_per_received_asset() {
    let sb = Sandbox::new();
    let spool = sb.path().join("spool");
    setup(
        &sb,
        &format!(
            "[organisation]\nname = \"Example Org\"\ngs1_company_prefix = \"0614141\"\n\
             [labels]\nprinter = \"file:{}\"\nrfid = true\n",
            spool.display()
        ),
    );
    let (code, lines, stderr) = feed(&sb, Path::new(COMPLETE));
    assert_eq!(code, Some(0), "{lines:?}");
    assert!(lines.iter().all(|l| l["level"] == "ok"), "{lines:?}");
    assert!(
        stderr.contains(&format!("labels: 41 printed to file:{}", spool.display())),
        "{stderr}"
    );
    let mut files: Vec<String> = std::fs::read_dir(&spool)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    files.sort();
    let expected: Vec<String> = (1..=41).map(|n| format!("RX-{n:05}.zpl")).collect();
    assert_eq!(files, expected);
    let store = Store::open(&sb.db()).unwrap();
    let c = store.conn();
    for name in &files {
        let tag = name.trim_end_matches(".zpl");
        let z = std::fs::read_to_string(spool.join(name)).unwrap();
        assert!(z.starts_with("^XA\n") && z.ends_with("^XZ\n"), "{z}");
        assert_eq!(z.matches("^XA").count(), 1);
        assert!(z.contains(&format!("^FH^FD{tag}^FS")), "{z}");
        // The EPC the label writes is the asset's `epc`: GIAI-96, filter 0,
        // the company prefix and the asset's id.
        let id = assets::by_tag(c, tag).unwrap().unwrap();
        let epc = identifiers::first_of_kind(c, id, "epc").unwrap().unwrap();
        assert!(z.contains(&format!("^RFW,H^FD{epc}^FS")), "{z}");
        let decoded = scanstation::codec::epc::decode_hex(&epc).unwrap();
        assert_eq!(
            decoded.tag_uri(),
            format!("urn:epc:tag:giai-96:0.0614141.{id}")
        );
        let jobs = label_jobs::for_asset(c, id).unwrap();
        assert_eq!(jobs.len(), 1);
        assert_eq!(jobs[0].state, "printed");
        assert_eq!(jobs[0].zpl, z.as_bytes());
        assert_eq!(jobs[0].station, "station-1-feed");
    }
    // Each EPC is journaled with its asset, and the chain holds.
    let added = scanstation::store::journal::read_since(c, 0, 100_000)
        .unwrap()
        .into_iter()
        .filter(|e| e.kind == "asset.identifier_added" && e.payload["kind"] == "epc")
        .count();
    assert_eq!(added, 41);
    assert!(queue(&sb).is_empty());
    assert!(sb.cmd().arg("verify").status().unwrap().success());
}

#[test]
fn a_label_that_cannot_be_made_never_refuses_the_receipt() {
    let sb = Sandbox::new();
    let spool = sb.path().join("spool");
    // An RFID label needs the company prefix; there is none.
    setup(
        &sb,
        &format!(
            "[labels]\nprinter = \"file:{}\"\nrfid = true\n",
            spool.display()
        ),
    );
    let (code, lines, stderr) = feed(&sb, &first_units(&sb, 2));
    assert_eq!(code, Some(0), "{lines:?}");
    let received: Vec<&Value> = lines
        .iter()
        .filter(|l| l["asset"]["tag"].is_string())
        .collect();
    assert_eq!(received.len(), 2, "{lines:?}");
    for l in received {
        assert_eq!(l["level"], "warn");
        let m = l["message"].as_str().unwrap();
        assert!(m.starts_with("Received RX-0000"), "{m}");
        assert!(
            m.contains("no label: an RFID label needs [organisation] gs1_company_prefix"),
            "{m}"
        );
    }
    assert!(stderr.contains("2 failed"), "{stderr}");
    let q = queue(&sb);
    assert_eq!(q.len(), 2, "{q:?}");
    assert_eq!(q[0]["state"], "failed");
    assert_eq!(q[0]["tag"], "RX-00001");
    assert!(q[0]["last_error"]
        .as_str()
        .unwrap()
        .contains("gs1_company_prefix"));
    assert!(!spool.join("RX-00001.zpl").exists());
}

#[test]
fn a_network_printer_that_accepts_late_gets_the_queued_labels() {
    let sb = Sandbox::new();
    // A port nobody listens on yet.
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    setup(
        &sb,
        &format!("[labels]\nprinter = \"tcp:127.0.0.1:{port}\"\n"),
    );
    let (code, lines, stderr) = feed(&sb, &first_units(&sb, 3));
    assert_eq!(code, Some(0), "{lines:?}");
    assert!(
        stderr.contains("labels: 0 printed to tcp:127.0.0.1:")
            && stderr.contains("3 still queued")
            && stderr.contains("is not available"),
        "{stderr}"
    );
    // The receipts are recorded; the jobs wait, the first one tried once.
    let q = queue(&sb);
    let tags: Vec<&str> = q.iter().map(|j| j["tag"].as_str().unwrap()).collect();
    assert_eq!(tags, ["RX-00001", "RX-00002", "RX-00003"]);
    assert!(q.iter().all(|j| j["state"] == "queued"));
    assert_eq!(q[0]["attempts"], 1);
    assert!(q[0]["last_error"]
        .as_str()
        .unwrap()
        .contains("stays queued"));

    // The printer comes up: each job arrives whole, in order.
    let listener = TcpListener::bind(("127.0.0.1", port)).unwrap();
    let server = std::thread::spawn(move || {
        let mut got = Vec::new();
        for _ in 0..3 {
            let (mut s, _) = listener.accept().unwrap();
            let mut job = String::new();
            s.read_to_string(&mut job).unwrap();
            got.push(job);
        }
        got
    });
    let out = sb.cmd().args(["label", "--print-queued"]).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(report["printed"], 3);
    assert_eq!(report["queued"], 0);
    let got = server.join().unwrap();
    for (job, tag) in got.iter().zip(["RX-00001", "RX-00002", "RX-00003"]) {
        assert!(job.starts_with("^XA\n") && job.ends_with("^XZ\n"), "{job}");
        assert!(job.contains(&format!("^FD{tag}^FS")), "{job}");
    }
    assert!(queue(&sb).is_empty());
}

#[test]
fn a_printer_device_that_appears_late_gets_the_queued_label() {
    use nix::pty::openpty;
    let sb = Sandbox::new();
    // `lp:` names a device path that is not there yet (the printer is unplugged).
    let dev = sb.path().join("lp0");
    setup(
        &sb,
        &format!("[labels]\nprinter = \"lp:{}\"\n", dev.display()),
    );
    let (code, lines, stderr) = feed(&sb, &first_units(&sb, 1));
    assert_eq!(code, Some(0), "{lines:?}");
    assert!(stderr.contains("1 still queued"), "{stderr}");
    // Plugged in: the device appears (a pty standing in for /dev/usb/lp0).
    let pty = openpty(None, None).unwrap();
    let path = nix::unistd::ttyname(&pty.slave).unwrap();
    // Raw mode, so that the bytes arrive as sent.
    let mut t = nix::sys::termios::tcgetattr(&pty.slave).unwrap();
    nix::sys::termios::cfmakeraw(&mut t);
    nix::sys::termios::tcsetattr(&pty.slave, nix::sys::termios::SetArg::TCSANOW, &t).unwrap();
    std::os::unix::fs::symlink(&path, &dev).unwrap();
    let out = sb.cmd().args(["label", "--print-queued"]).output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let store = Store::open(&sb.db()).unwrap();
    let id = assets::by_tag(store.conn(), "RX-00001").unwrap().unwrap();
    let job = label_jobs::for_asset(store.conn(), id).unwrap().remove(0);
    assert_eq!(job.state, "printed");
    let mut master = std::fs::File::from(pty.master);
    let mut got = vec![0u8; job.zpl.len()];
    master.read_exact(&mut got).unwrap();
    assert_eq!(got, job.zpl);
}

/// A printer that is absent for its first `absent` sends; records when
/// (tokio time) each send came.
struct FlakyPrinter {
    absent: usize,
    sends: Arc<Mutex<Vec<(tokio::time::Instant, String)>>>,
    refuse: &'static str,
}

impl Printer for FlakyPrinter {
    fn send(&mut self, name: &str, _data: &[u8]) -> Result<(), PrintError> {
        let mut s = self.sends.lock().unwrap();
        s.push((tokio::time::Instant::now(), name.to_string()));
        if name == self.refuse {
            return Err(PrintError::Refused {
                printer: self.describe(),
                detail: "a directory is in the way".into(),
            });
        }
        if s.len() <= self.absent {
            return Err(PrintError::Unavailable {
                printer: self.describe(),
                source: std::io::Error::from(std::io::ErrorKind::ConnectionRefused),
            });
        }
        Ok(())
    }
    fn describe(&self) -> String {
        "fake:flaky".into()
    }
}

fn queue_pallet_jobs(db: &Path, names: &[&str]) {
    let mut store = Store::open(db).unwrap();
    let tx = store.write().unwrap();
    let batch = batches::open(tx.conn(), "006141410000000011", "b1", "t", None).unwrap();
    for name in names {
        label_jobs::insert(
            tx.conn(),
            &NewJob {
                kind: JobKind::Pallet(batch),
                name,
                zpl: b"^XA^XZ",
                station: "b1",
                created_at: "2026-12-01T10:00:00.000Z",
                failed: None,
            },
        )
        .unwrap();
    }
    tx.commit().unwrap();
}

#[tokio::test(start_paused = true)]
async fn an_absent_printer_is_retried_with_a_capped_backoff() {
    let sb = Sandbox::new();
    queue_pallet_jobs(&sb.db(), &["a.zpl", "bad.zpl", "c.zpl"]);
    let sends = Arc::new(Mutex::new(Vec::new()));
    let retry = Retry {
        base: Duration::from_secs(1),
        cap: Duration::from_secs(8),
    };
    let mut w = Worker::new(
        Store::open(&sb.db()).unwrap(),
        Box::new(FlakyPrinter {
            absent: 6,
            sends: sends.clone(),
            refuse: "bad.zpl",
        }),
        "b1",
    )
    .with_retry(retry);
    let statuses = Arc::new(Mutex::new(Vec::new()));
    let seen = statuses.clone();
    let start = tokio::time::Instant::now();
    let stop = tokio::time::sleep(Duration::from_secs(120));
    w.run(Duration::from_secs(5), stop, |c| {
        seen.lock().unwrap().push((c.queued, c.failed))
    })
    .await;
    let sends = sends.lock().unwrap();
    let at: Vec<u64> = sends.iter().map(|(t, _)| (*t - start).as_secs()).collect();
    // Absent six times: waits of 1, 2, 4, 8, 8, 8 s (capped at 8) before
    // the seventh attempt prints `a`; `bad` is refused for good at once and
    // `c` follows straight after.
    assert_eq!(at, [0, 1, 3, 7, 15, 23, 31, 31, 31], "{sends:?}");
    let names: Vec<&str> = sends.iter().map(|(_, n)| n.as_str()).collect();
    assert_eq!(names[6..], ["a.zpl", "bad.zpl", "c.zpl"]);
    assert_eq!(backoff(6, retry), Duration::from_secs(8));
    // The header saw 3 queued, then the failed one, then none waiting.
    let statuses = statuses.lock().unwrap();
    assert_eq!(statuses.first(), Some(&(3, 0)));
    assert_eq!(statuses.last(), Some(&(0, 1)));
    let store = Store::open(&sb.db()).unwrap();
    let failed = label_jobs::list(store.conn(), Some("b1"), &["failed"]).unwrap();
    assert_eq!(failed.len(), 1);
    assert_eq!(failed[0].name, "bad.zpl");
    assert!(failed[0]
        .last_error
        .as_deref()
        .unwrap()
        .contains("in the way"));
    let a = label_jobs::list(store.conn(), Some("b1"), &["printed"]).unwrap();
    assert_eq!(a[0].attempts, 7);
    assert!(a[0].last_error.is_none());
    // Nothing left: a step is idle.
    assert_eq!(w.step().unwrap(), Step::Idle);
}

/// The expected file; `SCANSTATION_BLESS=1` writes `got` as the new expectation.
fn expected(name: &str, got: &str) -> String {
    let p = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/labels")
        .join(name);
    if std::env::var_os("SCANSTATION_BLESS").is_some() {
        std::fs::write(&p, got).unwrap();
    }
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn a_pallet() -> PalletLabel {
    PalletLabel {
        sscc: scanstation::station::modes::disposal::sscc("0614141", 0, 123_456_789).unwrap(),
        prefix_len: Some(7),
        organisation: "Example Org".into(),
        station: "bench-4".into(),
        date: "2026-12-01".into(),
    }
}

#[test]
fn a_pallet_label_matches_its_expected_file_and_decodes_back() {
    for (dpi, file) in [(203, "pallet-203.zpl"), (300, "pallet-300.zpl")] {
        let cfg = LabelsConfig {
            dpi,
            width_mm: 100.0,
            height_mm: 50.0,
            ..Default::default()
        };
        let got = pallet::render_zpl(&a_pallet(), &cfg).unwrap();
        assert_eq!(got, expected(file, &got), "{file}");
    }
    // On every stock and resolution, the PNG reads back as GS1-128 (]C1)
    // carrying (00) and the SSCC.
    for dpi in [203, 300, 600] {
        for (w, h) in [(50.0, 25.0), (100.0, 50.0)] {
            let cfg = LabelsConfig {
                dpi,
                width_mm: w,
                height_mm: h,
                ..Default::default()
            };
            let p = a_pallet();
            let img = pallet::image(&p, &cfg).unwrap();
            let codes = scanstation::device::image::decode_luma(&img, None).codes;
            let raws: Vec<String> = codes
                .iter()
                .map(|c| String::from_utf8_lossy(&c.raw).into_owned())
                .collect();
            assert!(
                raws.iter().any(|r| *r == format!("]C100{}", p.sscc)),
                "{w}x{h} mm at {dpi} dpi: {raws:?}"
            );
        }
    }
    let png = pallet::render_png(&a_pallet(), &LabelsConfig::default()).unwrap();
    assert!(png.starts_with(b"\x89PNG"));
}

#[test]
fn opening_a_pallet_queues_its_sscc_label() {
    let sb = Sandbox::new();
    let mut store = Store::open(&sb.db()).unwrap();
    seed_demo(&mut store, "seed").unwrap();
    drop(store);
    let settings = StationSettings {
        station_id: "bench-4".into(),
        company_prefix: Some("0614141".into()),
        organisation: "Example Org".into(),
        ..StationSettings::default()
    };
    let labels = settings.labels.clone();
    let mut st = Station::new(Store::open(&sb.db()).unwrap(), settings).unwrap();
    let scan = |s: &str| Input::Scan(Scan::new(Source::Typed, s.as_bytes(), SystemTime::now()));
    for input in ["B0003", "CMD:MODE:DISPOSAL", "CMD:NEWBATCH"] {
        let o = st.handle(scan(input));
        assert_eq!(o.level, Level::Ok, "{input}: {}", o.message);
    }
    let c = st.store().conn();
    let b = batches::open_at_station(c, "bench-4").unwrap().unwrap();
    let jobs = label_jobs::list(c, Some("bench-4"), &["queued"]).unwrap();
    assert_eq!(jobs.len(), 1);
    assert_eq!(jobs[0].kind, "pallet");
    assert_eq!(jobs[0].batch_id, Some(b.id));
    assert_eq!(jobs[0].name, format!("{}.zpl", b.sscc));
    let want = pallet::render_zpl(
        &PalletLabel {
            sscc: b.sscc.clone(),
            prefix_len: Some(7),
            organisation: "Example Org".into(),
            station: "bench-4".into(),
            date: jobs[0].created_at[..10].to_string(),
        },
        &labels,
    )
    .unwrap();
    assert_eq!(jobs[0].zpl, want.as_bytes());
    assert!(want.contains(&format!("^FD>;>800{}^FS", b.sscc)));
}
