//! `scanstation parse` on box labels, as a user runs it: ISO/IEC 15434
//! messages (kind `iso15434`, envelopes, warnings) and vendor conventions;
//! `iso15434` and `warnings` present on every parse object.

use crate::support::Sandbox;
use serde_json::Value;

fn parse(sb: &Sandbox, inputs: &[&str]) -> (Option<i32>, Vec<Value>) {
    let out = sb.cmd().arg("parse").args(inputs).output().unwrap();
    let v = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    (out.status.code(), v)
}

#[test]
fn box_labels_through_the_parse_command() {
    let sb = Sandbox::new();
    let (code, v) = parse(
        &sb,
        &[
            // Ctrl lost in the wedge: ^ for RS, ] for GS, D for EOT.
            "[)>^06]1P20TBS1D000]SPE07FEA4]Q1^D",
            // Control Pictures and a K only: a purchase order.
            "[)>␞06␝KPO-100234␝4LUS␞␄",
            // Lenovo's plain 1S convention.
            "1S20TBS1D000PE07FEA4",
            // Format 05 fills gs1 too; {GS} stands for the GS byte.
            "[)>{RS}05{GS}0109506000134352{GS}21ABC{RS}{EOT}",
            // A GS1 scan keeps its contract shape, with the two new keys.
            "]C10109506000134352{GS}21ABC",
        ],
    );
    assert_eq!(code, Some(0), "{v:#?}");
    assert_eq!(v[0]["kind"], "iso15434");
    assert_eq!(v[0]["iso15434"][0]["format"], "06");
    assert_eq!(v[0]["iso15434"][0]["fields"][0]["di"], "1P");
    assert_eq!(
        v[0]["iso15434"][0]["fields"][0]["title"],
        "Supplier part number"
    );
    assert_eq!(v[0]["identity"]["type"], "part_serial");
    assert_eq!(v[0]["identity"]["value"], "(1P)20TBS1D000(S)PE07FEA4");
    let w: Vec<&str> = v[0]["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap())
        .collect();
    assert!(w.contains(&"separators substituted"), "{w:?}");
    assert_eq!(v[1]["identity"]["type"], "purchase_order");
    assert_eq!(v[1]["identity"]["value"], "PO-100234");
    assert_eq!(v[2]["kind"], "text");
    assert_eq!(v[2]["identity"]["type"], "part_serial");
    assert!(v[2]["iso15434"].is_null());
    assert_eq!(v[3]["gs1"][1]["value"], "ABC");
    assert_eq!(v[3]["identity"]["type"], "gtin_serial");
    assert_eq!(
        v[3]["digital_link"],
        "https://id.gs1.org/01/09506000134352/21/ABC"
    );
    for o in &v {
        assert!(
            o.get("iso15434").is_some() && o["warnings"].is_array(),
            "{o}"
        );
    }
    assert_eq!(v[4]["warnings"], serde_json::json!([]));
}

#[test]
fn a_message_with_nothing_to_split_is_an_error() {
    let sb = Sandbox::new();
    let (code, v) = parse(&sb, &["[)>", "[)>{RS}06{GS}2TX{RS}{EOT}"]);
    assert_eq!(code, Some(1));
    assert!(v[0]["error"].as_str().unwrap().contains("no field"));
    assert_eq!(v[0]["identity"]["value"], "[)>");
    // An unknown DI is a warning, not an error.
    assert!(v[1]["error"].is_null());
    assert_eq!(v[1]["warnings"][1], "unknown data identifier 2T");
}
