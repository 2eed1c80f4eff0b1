//! Labels: every PNG decodes back to its tag with the station's own image
//! decoder; the ZPL of each template equals its expected file in
//! fixtures/labels/; printers behind the trait, with a fake network printer
//! on 127.0.0.1 that is absent at first and accepts later.

use crate::support::Sandbox;
use scanstation::label::printer::{PrintError, Printer, PrinterSpec, TcpPrinter};
use scanstation::label::{png, zpl, EpcScheme, LabelData, LabelsConfig, Symbology};
use std::io::Read;
use std::net::TcpListener;
use std::path::PathBuf;
use std::time::Duration;

fn data(tag: &str) -> LabelData {
    LabelData {
        tag: tag.into(),
        model: Some("Latitude 7440".into()),
        date: Some("2026-11-20".into()),
        epc_hex: None,
    }
}

#[test]
fn every_png_decodes_back_to_its_tag() {
    let tags = ["A-1001", "IT-0000123456", "LOC-R1-S2", "ABCD-99999"];
    for symbology in [Symbology::Code128, Symbology::Datamatrix, Symbology::Qr] {
        for dpi in [203, 300, 600] {
            let cfg = LabelsConfig {
                dpi,
                symbology,
                ..Default::default()
            };
            for tag in tags {
                let img = png::image(&data(tag), &cfg).unwrap();
                let (w, h) = cfg.size_dots();
                assert_eq!(img.dimensions(), (w, h));
                let found = scanstation::device::image::decode_luma(&img, None).codes;
                let raws: Vec<String> = found
                    .iter()
                    .map(|c| {
                        let (_, d) = scanstation::codec::aim::split(&c.raw);
                        String::from_utf8_lossy(d).into_owned()
                    })
                    .collect();
                assert!(
                    raws.iter().any(|r| r == tag),
                    "{tag} as {} at {dpi} dpi decoded as {raws:?}",
                    symbology.as_str()
                );
            }
        }
    }
    // The PNG bytes are a PNG that loads.
    let bytes = png::render(&data("A-1001"), &LabelsConfig::default()).unwrap();
    assert!(bytes.starts_with(b"\x89PNG"));
    assert!(scanstation::device::image::load_bytes(&bytes).is_ok());
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

#[test]
fn zpl_of_each_template_matches_its_expected_file() {
    for (symbology, dpi, file) in [
        (Symbology::Code128, 203, "A-1001-code128-203.zpl"),
        (Symbology::Datamatrix, 300, "A-1001-datamatrix-300.zpl"),
        (Symbology::Qr, 600, "A-1001-qr-600.zpl"),
    ] {
        let cfg = LabelsConfig {
            dpi,
            symbology,
            ..Default::default()
        };
        let got = zpl::render(&data("A-1001"), &cfg).unwrap();
        assert_eq!(got, expected(file, &got), "{file}");
    }
    let cfg = LabelsConfig {
        rfid: true,
        ..Default::default()
    };
    let mut d = data("A-1001");
    d.epc_hex =
        Some(scanstation::label::epc_for(EpcScheme::Giai96, "0614141", 42, "A-1001").unwrap());
    let got = zpl::render(&d, &cfg).unwrap();
    assert_eq!(got, expected("A-1001-rfid-203.zpl", &got));
}

#[test]
fn a_network_printer_absent_then_accepting_late() {
    // A port nobody listens on: the job is refused as "not available".
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let addr = format!("127.0.0.1:{port}");
    let mut p = TcpPrinter {
        addr: addr.clone(),
        timeout: Duration::from_secs(5),
    };
    let job = zpl::render(&data("A-1001"), &LabelsConfig::default()).unwrap();
    assert!(matches!(
        p.send("A-1001.zpl", job.as_bytes()),
        Err(PrintError::Unavailable { .. })
    ));
    // The printer comes up on that port: the same job goes through whole.
    let listener = TcpListener::bind(&addr).unwrap();
    let server = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        let mut got = Vec::new();
        s.read_to_end(&mut got).unwrap();
        got
    });
    p.send("A-1001.zpl", job.as_bytes()).unwrap();
    assert_eq!(server.join().unwrap(), job.as_bytes());
    // The spec form reaches the same printer kind.
    assert_eq!(
        PrinterSpec::parse(&format!("tcp:{addr}"))
            .unwrap()
            .printer()
            .describe(),
        format!("tcp:{addr}")
    );
}

#[test]
fn a_printer_device_on_a_pty_gets_the_bytes() {
    use nix::pty::openpty;
    let pty = openpty(None, None).unwrap();
    let path = nix::unistd::ttyname(&pty.slave).unwrap();
    let mut p = PrinterSpec::parse(&format!("lp:{}", path.display()))
        .unwrap()
        .printer();
    let job = b"^XA^FDhello^FS^XZ";
    p.send("x.zpl", job).unwrap();
    let mut master = std::fs::File::from(pty.master);
    let mut got = vec![0u8; job.len()];
    master.read_exact(&mut got).unwrap();
    assert_eq!(&got, job);
}

#[test]
fn label_command_writes_files_and_stdout() {
    let sb = Sandbox::new();
    let one = sb.cmd().args(["label", "A-1001"]).output().unwrap();
    assert_eq!(one.status.code(), Some(0));
    let z = String::from_utf8(one.stdout).unwrap();
    assert!(z.starts_with("^XA\n") && z.ends_with("^XZ\n"), "{z}");
    assert!(z.contains("^FH^FDA-1001^FS"));

    // A tag the store knows gets its model.
    let csv = sb.path().join("a.csv");
    std::fs::write(
        &csv,
        "Asset Tag,Serial,Model,Manufacturer\nA-2001,SN1,Latitude 7440,Dell\n",
    )
    .unwrap();
    let imp = sb
        .cmd()
        .args(["import", "assets"])
        .arg(&csv)
        .output()
        .unwrap();
    assert_eq!(
        imp.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&imp.stderr)
    );
    let out = sb.path().join("labels");
    let r = sb
        .cmd()
        .args(["label", "A-2001", "B-1", "--format", "png", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(
        r.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&r.stderr)
    );
    let lines: Vec<serde_json::Value> = String::from_utf8(r.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["tag"], "A-2001");
    let codes =
        scanstation::device::image::decode_file_within(&out.join("A-2001.png"), None).unwrap();
    assert!(codes.iter().any(|c| c.raw.ends_with(b"A-2001")));
    let zr = sb
        .cmd()
        .args(["label", "A-2001", "--out"])
        .arg(&out)
        .output()
        .unwrap();
    assert_eq!(zr.status.code(), Some(0));
    let z = std::fs::read_to_string(out.join("A-2001.zpl")).unwrap();
    assert!(z.contains("^FDLatitude 7440^FS"), "{z}");
}
