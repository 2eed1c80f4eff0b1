//! Replays every fuzz corpus (fuzz/corpus/<target>/) through the target's library
//! function — the same body the fuzzer runs — so an input that once crashed a
//! parser stays fixed. A corpus directory without a registered target fails.

use std::path::Path;

type Target = fn(&[u8]);

fn target(name: &str) -> Option<Target> {
    use scanstation::codec;
    Some(match name {
        "gs1_scanner" => codec::gs1::fuzz_one,
        "gs1_digital_link" => codec::gs1::fuzz_digital_link,
        "epc" => codec::epc::fuzz_one,
        "hid_keyboard" => codec::hid::fuzz_keyboard,
        "hid_pos" => codec::hid::fuzz_pos,
        "spec" => scanstation::device::spec::fuzz_one,
        "snipeit_answer" => scanstation::sync::snipeit::answer::fuzz_one,
        "webhook_sign" => scanstation::sync::webhook_sign::fuzz_one,
        "identify" => scanstation::identify::fuzz_one,
        "image" => scanstation::device::image::fuzz_one,
        "import_csv" => scanstation::import::fuzz_one,
        "iso15434" => codec::iso15434::fuzz_one,
        "nwipe" => codec::nwipe::fuzz_one,
        "rfid_chafon" => codec::rfid::chafon::fuzz_one,
        "rfid_lines" => codec::rfid::lines::fuzz_one,
        "rfid_llrp" => codec::rfid::llrp::fuzz_one,
        "rfid_mercury" => codec::rfid::mercury::fuzz_one,
        "rfid_tsl" => codec::rfid::tsl::fuzz_one,
        "term_keys" => scanstation::ui::term_keys::fuzz_one,
        "feed_line" => scanstation::feed::fuzz_one,
        _ => return None,
    })
}

#[test]
fn every_corpus_replays_without_a_panic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
    let mut replayed = 0;
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .expect("fuzz/corpus exists")
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .collect();
    dirs.sort_by_key(|e| e.file_name());
    for dir in dirs {
        let name = dir.file_name().to_string_lossy().into_owned();
        let run = target(&name)
            .unwrap_or_else(|| panic!("fuzz/corpus/{name} has no target registered here"));
        for file in std::fs::read_dir(dir.path()).expect("corpus dir").flatten() {
            let data = std::fs::read(file.path()).expect("corpus file");
            run(&data);
            replayed += 1;
        }
    }
    assert!(
        replayed > 0,
        "no corpus files found under {}",
        root.display()
    );
}
