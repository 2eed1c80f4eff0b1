//! Which pass of the decoder's retry ladder reads each image of a generated
//! set, and how long each image takes: the data behind the order of the passes
//! in src/device/image.rs.
//!
//! ```text
//! cargo run --release --example imageset-passes -- DIR
//! ```
#![allow(clippy::unwrap_used, clippy::expect_used)] // a bench/test/tool: a panic is a failed run

use scanstation::device::image::{decode_luma, load, pass_names};
use std::collections::BTreeMap;
use std::path::Path;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args()
        .nth(1)
        .ok_or("usage: imageset-passes DIR")?;
    let dir = Path::new(&dir);
    let manifest = std::fs::read_to_string(dir.join("manifest.jsonl"))?;
    let mut by_pass: BTreeMap<String, (u32, u32)> = BTreeMap::new();
    let mut times = Vec::new();
    let mut wrong = 0;
    for line in manifest.lines() {
        let v: serde_json::Value = serde_json::from_str(line)?;
        let file = v["file"].as_str().ok_or("file")?;
        let expected: Vec<&str> = v["expected"]
            .as_array()
            .ok_or("expected")?
            .iter()
            .filter_map(|e| e.as_str())
            .collect();
        let img = load(&dir.join(file))?;
        let start = Instant::now();
        let d = decode_luma(&img.to_luma8(), None);
        let took = start.elapsed();
        times.push(took.as_secs_f64());
        let got: Vec<String> = d
            .codes
            .iter()
            .map(|c| String::from_utf8_lossy(&c.raw).into_owned())
            .collect();
        let ok = expected.iter().all(|e| got.iter().any(|g| g == e));
        let bogus = got
            .iter()
            .filter(|g| !expected.contains(&g.as_str()))
            .count();
        wrong += bogus;
        let pass = d.pass.unwrap_or("none").to_string();
        let entry = by_pass.entry(pass.clone()).or_default();
        entry.0 += 1;
        entry.1 += ok as u32;
        println!(
            "{file}\t{pass}\t{}\t{:.0} ms\t{}{}",
            d.passes,
            took.as_secs_f64() * 1000.0,
            if ok {
                "ok".to_string()
            } else {
                format!("MISS got {got:?}")
            },
            if bogus > 0 {
                format!("\tbogus {got:?}")
            } else {
                String::new()
            }
        );
    }
    println!("\npass\timages\tcorrect");
    for name in pass_names().chain(std::iter::once("none")) {
        if let Some((n, ok)) = by_pass.get(name) {
            println!("{name}\t{n}\t{ok}");
        }
    }
    times.sort_by(|a, b| a.total_cmp(b));
    if !times.is_empty() {
        println!(
            "\nper image: median {:.0} ms, p90 {:.0} ms, max {:.0} ms; codes not in the manifest: {wrong}",
            times[times.len() / 2] * 1000.0,
            times[times.len() * 9 / 10] * 1000.0,
            times[times.len() - 1] * 1000.0
        );
    }
    Ok(())
}
