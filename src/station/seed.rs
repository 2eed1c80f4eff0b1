//! Demo data: a small plausible site, written through the same journaled path
//! as everything else, and the codes the demo's simulated scanner scans.
//!
//! Headquarters > Building 1 > three rooms > shelves; seven models of laptops,
//! monitors and docks; 40 assets (`A-1001`…`A-1040`) with serials, some with
//! GS1 GTIN+serial and GIAI-96 EPC identifiers; three operators with badges; a
//! supplier and a certified disposal vendor. Deterministic: the same store
//! every time.

use crate::codec::epc::{self, EpcError};
use crate::store::{self, journal::NewEvent, Store, StoreError, Tx};
use serde_json::{json, Value};
use std::time::SystemTime;

/// Codes the demo can scan or read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoCodes {
    /// What the simulated scanner scans, in turn: a badge, tags, serials, a
    /// location label, a GS1 label and an unknown code.
    pub scan_codes: Vec<String>,
    /// EPCs (upper-case hex) of tagged assets, for a simulated RFID reader.
    pub epcs: Vec<String>,
    pub tags: Vec<String>,
    pub serials: Vec<String>,
    /// A badge that signs in (a supervisor).
    pub badge: String,
    pub location: String,
    /// A code the store does not know.
    pub unknown: String,
}

/// The GS1 company prefix and GTIN the demo's labels use (GS1's own examples).
pub const DEMO_COMPANY_PREFIX: &str = "0614141";
pub const DEMO_GTIN: &str = "09506000134352";

/// A GIAI-96 EPC (filter 0, "all others") of the demo's company prefix for
/// `asset_ref`, as upper-case hex; encoded by `codec::epc`.
pub fn giai96_hex(asset_ref: u32) -> Result<String, EpcError> {
    let bytes = epc::encode_giai96(0, DEMO_COMPANY_PREFIX, &asset_ref.to_string())?;
    Ok(hex::encode_upper(bytes))
}

struct Seeder<'s> {
    tx: Tx<'s>,
    station: &'s str,
    at: SystemTime,
}

impl Seeder<'_> {
    fn event(&mut self, kind: &str, payload: Value) -> Result<(), StoreError> {
        self.tx.append_event(&NewEvent {
            at: self.at,
            station: self.station,
            operator: None,
            kind,
            training: false,
            payload,
        })?;
        Ok(())
    }
}

/// Seeds an empty store; refuses one that already has assets.
pub fn seed_demo(store: &mut Store, station_id: &str) -> Result<DemoCodes, StoreError> {
    let tx = store.write()?;
    if store::assets::count(tx.conn())? > 0 {
        return Err(StoreError::Invalid {
            what: "demo store",
            detail: "it already has assets; the demo seeds an empty store".into(),
        });
    }
    let mut s = Seeder {
        tx,
        station: station_id,
        at: SystemTime::now(),
    };
    s.event("seed.demo", json!({"assets": 40}))?;

    // Locations: (code, name, parent).
    let locations: &[(&str, &str, Option<&str>)] = &[
        ("LOC-HQ", "Headquarters", None),
        ("LOC-HQ-B1", "Building 1", Some("LOC-HQ")),
        ("LOC-R101", "Store Room 101", Some("LOC-HQ-B1")),
        ("LOC-R102", "IT Workshop 102", Some("LOC-HQ-B1")),
        ("LOC-R201", "Open Office 201", Some("LOC-HQ-B1")),
        ("LOC-R101-S1", "Store Room 101, Shelf 1", Some("LOC-R101")),
        ("LOC-R101-S2", "Store Room 101, Shelf 2", Some("LOC-R101")),
        ("LOC-R101-S3", "Store Room 101, Shelf 3", Some("LOC-R101")),
        (
            "LOC-R102-S1",
            "IT Workshop 102, Bench shelf",
            Some("LOC-R102"),
        ),
    ];
    let mut loc_ids = std::collections::HashMap::new();
    for (code, name, parent) in locations {
        let parent_id = parent.and_then(|p| loc_ids.get(p).copied());
        let id = store::locations::create(s.tx.conn(), code, name, parent_id, None)?;
        loc_ids.insert(*code, id);
        s.event(
            "location.created",
            json!({"location_id": id, "code": code, "name": name, "parent": parent, "via": "seed"}),
        )?;
    }

    let operators = [
        ("B0001", "Ana Lopez", "supervisor"),
        ("B0002", "Sam Okafor", "operator"),
        ("B0003", "Lee Chen", "operator"),
    ];
    for (badge, name, role) in operators {
        let id = store::operators::create(s.tx.conn(), badge, name, role)?;
        s.event(
            "operator.created",
            json!({"operator_id": id, "badge": badge, "name": name, "role": role, "via": "seed"}),
        )?;
    }

    let supplier =
        store::vendors::create(s.tx.conn(), "Northwind IT Supply", "supplier", None, None)?;
    s.event("vendor.created", json!({"vendor_id": supplier, "name": "Northwind IT Supply", "kind": "supplier", "via": "seed"}))?;
    let disposal = store::vendors::create(
        s.tx.conn(),
        "GreenCycle Recovery",
        "disposal",
        Some("R2v3"),
        Some("2036-06-30"),
    )?;
    s.event("vendor.created", json!({"vendor_id": disposal, "name": "GreenCycle Recovery", "kind": "disposal", "certification": "R2v3", "certification_expires": "2036-06-30", "via": "seed"}))?;

    // Models: (name, manufacturer, category, serial prefix, unit cost in cents).
    let models: &[(&str, &str, &str, &str, i64)] = &[
        ("Latitude 7440", "Dell", "Laptops", "5CG", 129_950),
        ("ThinkPad T14 Gen 4", "Lenovo", "Laptops", "PF4", 118_900),
        ("EliteBook 840 G10", "HP", "Laptops", "8CC", 124_500),
        ("P2423D", "Dell", "Monitors", "CN0D", 27_999),
        ("27UP850", "LG", "Monitors", "LGM", 44_900),
        ("WD19S", "Dell", "Docks", "WD9", 21_450),
        (
            "ThinkPad Universal USB-C Dock",
            "Lenovo",
            "Docks",
            "LUD",
            24_900,
        ),
    ];
    let mut model_ids = Vec::new();
    for (name, manufacturer, category, _, _) in models {
        let (id, created) = store::catalog::get_or_create_model(
            s.tx.conn(),
            name,
            Some(manufacturer),
            Some(category),
        )?;
        s.event(
            "model.created",
            json!({"model_id": id, "name": name, "manufacturer": manufacturer, "category": category, "created": created, "via": "seed"}),
        )?;
        model_ids.push(id);
    }

    let shelves = [
        "LOC-R101-S1",
        "LOC-R101-S2",
        "LOC-R101-S3",
        "LOC-R102-S1",
        "LOC-R201",
    ];
    let statuses = [
        "in_stock",
        "in_stock",
        "in_stock",
        "deployed",
        "in_stock",
        "deployed",
        "in_repair",
    ];
    let mut codes = DemoCodes {
        scan_codes: Vec::new(),
        epcs: Vec::new(),
        tags: Vec::new(),
        serials: Vec::new(),
        badge: "B0001".into(),
        location: "LOC-R101-S2".into(),
        unknown: "ZX-UNKNOWN-42".into(),
    };
    for n in 0..40u32 {
        let number = 1001 + n;
        let tag = format!("A-{number}");
        let m = (n as usize * 3) % models.len();
        let (_, _, _, serial_prefix, cost) = models[m];
        let letter = (b'A' + (n % 26) as u8) as char;
        let serial = format!("{serial_prefix}{:05}{letter}", 31_000 + n * 17);
        let mut status = statuses[n as usize % statuses.len()];
        if n == 39 {
            status = "decommissioning";
        }
        let location = if status == "deployed" {
            "LOC-R201"
        } else if status == "in_repair" || status == "decommissioning" {
            "LOC-R102-S1"
        } else {
            shelves[n as usize % 3]
        };
        let month = 1 + n % 12;
        let purchase = format!("2024-{month:02}-15");
        let warranty = format!("2027-{month:02}-15");
        let mut ids: Vec<(String, String)> = vec![("serial".into(), serial.clone())];
        if m == 0 {
            ids.push(("gtin_serial".into(), format!("(01){DEMO_GTIN}(21){serial}")));
        }
        if n % 4 == 0 {
            let epc = giai96_hex(number).map_err(|e| StoreError::Invalid {
                what: "demo EPC",
                detail: e.to_string(),
            })?;
            ids.push(("epc".into(), epc.clone()));
            ids.push(("giai".into(), format!("{DEMO_COMPANY_PREFIX}{number}")));
            codes.epcs.push(epc);
        }
        let new = store::assets::NewAsset {
            tag: tag.clone(),
            status: status.into(),
            model_id: Some(model_ids[m]),
            location_id: loc_ids.get(location).copied(),
            supplier_id: Some(supplier),
            order_number: Some(format!("PO-{}", 4500 + n / 10)),
            cost_minor: Some(cost),
            currency: Some("USD".into()),
            purchase_date: Some(purchase),
            warranty_end: Some(warranty),
            ..Default::default()
        };
        let extra: Vec<(&str, &str)> = ids.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        let id = store::assets::insert(s.tx.conn(), &new, &extra)?;
        s.event(
            "asset.created",
            store::assets::created_payload(id, &new, &extra, "seed", json!({})),
        )?;
        codes.tags.push(tag);
        codes.serials.push(serial);
    }
    s.tx.commit()?;

    let gs1 = format!("]C101{DEMO_GTIN}21{}", codes.serials[0]);
    codes.scan_codes = vec![
        codes.badge.clone(),
        codes.tags[0].clone(),
        codes.tags[7].clone(),
        codes.serials[3].clone(),
        codes.location.clone(),
        gs1,
        codes.tags[12].clone(),
        codes.unknown.clone(),
        codes.serials[20].clone(),
        codes.tags[39].clone(),
        "LOC-R201".into(),
        codes.tags[25].clone(),
    ];
    Ok(codes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn giai96_is_the_contract_example_with_filter_0() {
        // contracts.md's example is urn:epc:tag:giai-96:3.0614141.5678; the
        // demo writes filter 0, as labels do (3 is reserved for GIAI).
        let hex = giai96_hex(5678).unwrap();
        assert_eq!(hex, "3414257BF40000000000162E");
        let tag = epc::decode_hex(&hex).unwrap();
        assert_eq!(tag.tag_uri(), "urn:epc:tag:giai-96:0.0614141.5678");
    }
}
