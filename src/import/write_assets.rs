//! Writing asset rows inside the import's write transaction: the locations,
//! models (with their GTINs and whether they hold media) and suppliers the rows
//! name, each resolved once however many rows name it; then each row created
//! (`asset.created`) or, with `--update`, updated (`asset.updated` with each
//! changed field's `from` and `to`; a row that changes nothing writes nothing).
//!
//! A cell left empty in an update keeps the asset's value: an import fills
//! and corrects, it never blanks a field.

use super::apply::{note, Parsed, Writer};
use super::assets::{AssetRow, LocationRef};
use super::fields::format_date;
use super::ImportReport;
use crate::store::{self, assets::NewAsset, StoreError};
use serde_json::{json, Map, Value};
use std::collections::HashMap;

type Key = (String, Option<String>, Option<String>);

/// Caches of what the rows name, resolved (created when missing) once each.
#[derive(Default)]
struct Resolved {
    locations: HashMap<(String, Option<String>, bool), i64>,
    models: HashMap<Key, i64>,
    suppliers: HashMap<String, i64>,
    /// model id -> (GTINs the rows give, Holds Media), in first-seen order.
    details: Vec<(i64, Vec<String>, Option<bool>)>,
}

pub(super) fn write(
    j: &mut Writer<'_, '_>,
    p: &Parsed,
    rows: &[(usize, AssetRow)],
    targets: &[Option<i64>],
    report: &mut ImportReport,
) -> Result<(), StoreError> {
    let mut res = Resolved::default();
    for ((f, r), target) in rows.iter().zip(targets) {
        let location_id = match &r.location {
            Some(loc) => Some(location(j, &mut res, loc, report)?),
            None => None,
        };
        let model_id = match &r.model {
            Some(m) => Some(model(j, &mut res, m, r, report)?),
            None => None,
        };
        let supplier_id = match &r.supplier {
            Some(s) => Some(supplier(j, &mut res, s, report)?),
            None => None,
        };
        let file = &p.files[*f].0;
        match target {
            None => create(j, r, file, model_id, location_id, supplier_id)?,
            Some(id) => {
                report.updated += 1;
                if update(j, *id, r, file, model_id, location_id, supplier_id)? {
                    report.changed += 1;
                }
            }
        }
    }
    for (id, gtins, holds_media) in std::mem::take(&mut res.details) {
        let Some(m) = store::catalog::get_model(j.conn(), id)? else {
            continue;
        };
        let mut all = m.gtins.clone();
        all.extend(gtins.into_iter().filter(|g| !m.gtins.contains(g)));
        let media = holds_media.unwrap_or(m.holds_media);
        if all != m.gtins || media != m.holds_media {
            store::catalog::set_model_details(j.conn(), id, &all, media)?;
            j.append(
                "model.updated",
                json!({"model_id": id, "name": m.name, "gtins": all, "holds_media": media, "via": "import"}),
            )?;
        }
    }
    report.rows = rows.len();
    Ok(())
}

fn create(
    j: &mut Writer<'_, '_>,
    r: &AssetRow,
    file: &str,
    model_id: Option<i64>,
    location_id: Option<i64>,
    supplier_id: Option<i64>,
) -> Result<(), StoreError> {
    let mut extra: Vec<(&str, &str)> = Vec::new();
    for (kind, v) in [("serial", &r.serial), ("epc", &r.epc), ("giai", &r.giai)] {
        if let Some(v) = v {
            extra.push((kind, v.as_str()));
        }
    }
    let new = NewAsset {
        tag: r.tag.clone(),
        status: r.status.clone(),
        model_id,
        location_id,
        supplier_id,
        order_number: r.order_number.clone(),
        cost_minor: r.cost.as_ref().map(|c| c.0),
        currency: r.cost.as_ref().map(|c| c.1.clone()),
        purchase_date: r.purchase_date.map(format_date),
        warranty_end: r.warranty_end.map(format_date),
        ..Default::default()
    };
    let id = store::assets::insert(j.conn(), &new, &extra)?;
    j.append(
        "asset.created",
        store::assets::created_payload(
            id,
            &new,
            &extra,
            "import",
            json!({"file": file, "line": r.line}),
        ),
    )?;
    Ok(())
}

/// Updates asset `id` with the cells the row fills; journals what changed.
/// Returns whether anything did.
fn update(
    j: &mut Writer<'_, '_>,
    id: i64,
    r: &AssetRow,
    file: &str,
    model_id: Option<i64>,
    location_id: Option<i64>,
    supplier_id: Option<i64>,
) -> Result<bool, StoreError> {
    let cur = store::assets::get(j.conn(), id)?.ok_or_else(|| StoreError::NotFound {
        what: "asset",
        value: r.tag.clone(),
    })?;
    let mut changes = Map::new();
    let mut change = |field: &str, from: Value, to: Value| {
        if from != to {
            changes.insert(field.into(), json!({"from": from, "to": to}));
        }
    };
    let mut new = NewAsset {
        tag: r.tag.clone(),
        status: cur.status.clone(),
        model_id: cur.model_id,
        location_id: cur.location_id,
        supplier_id: cur.supplier_id,
        order_number: cur.order_number.clone(),
        cost_minor: cur.cost_minor,
        currency: cur.currency.clone(),
        purchase_date: cur.purchase_date.clone(),
        warranty_end: cur.warranty_end.clone(),
        ..Default::default()
    };
    if r.status_given {
        change("status", json!(cur.status), json!(r.status));
        new.status = r.status.clone();
    }
    if model_id.is_some() && model_id != cur.model_id {
        change("model", json!(cur.model), json!(r.model));
        new.model_id = model_id;
    }
    if location_id.is_some() && location_id != cur.location_id {
        let to = match location_id {
            Some(l) => store::locations::get(j.conn(), l)?.map(|l| l.code),
            None => None,
        };
        change("location", json!(cur.location_code), json!(to));
        new.location_id = location_id;
    }
    if supplier_id.is_some() && supplier_id != cur.supplier_id {
        change("supplier", json!(cur.supplier), json!(r.supplier));
        new.supplier_id = supplier_id;
    }
    if let Some(o) = &r.order_number {
        change("order_number", json!(cur.order_number), json!(o));
        new.order_number = Some(o.clone());
    }
    if let Some((minor, currency)) = &r.cost {
        change("cost_minor", json!(cur.cost_minor), json!(minor));
        change("currency", json!(cur.currency), json!(currency));
        new.cost_minor = Some(*minor);
        new.currency = Some(currency.clone());
    }
    if let Some(d) = r.purchase_date.map(format_date) {
        change("purchase_date", json!(cur.purchase_date), json!(d));
        new.purchase_date = Some(d);
    }
    if let Some(d) = r.warranty_end.map(format_date) {
        change("warranty_end", json!(cur.warranty_end), json!(d));
        new.warranty_end = Some(d);
    }
    let columns_changed = !changes.is_empty();
    if columns_changed {
        store::assets::update_columns(j.conn(), id, &new)?;
    }
    for (kind, v) in [("serial", &r.serial), ("epc", &r.epc), ("giai", &r.giai)] {
        if let Some(v) = v {
            let old = store::identifiers::set_first_of_kind(j.conn(), id, kind, v)?;
            if old.as_deref() != Some(v.as_str()) {
                changes.insert(kind.into(), json!({"from": old, "to": v}));
            }
        }
    }
    if changes.is_empty() {
        return Ok(false);
    }
    j.append(
        "asset.updated",
        json!({"asset_id": id, "tag": r.tag, "via": "import", "file": file, "line": r.line, "changes": changes}),
    )?;
    Ok(true)
}

/// The location an asset row names. With a Location Code: that code, else
/// created. With only a name: the location of that name, else one created
/// under the derived code (`-2`, `-3` … appended when another location
/// already has it). Each one created is journaled as `location.created`.
fn location(
    j: &mut Writer<'_, '_>,
    res: &mut Resolved,
    loc: &LocationRef,
    report: &mut ImportReport,
) -> Result<i64, StoreError> {
    let key = (loc.code.clone(), loc.name.clone(), loc.derived);
    if let Some(id) = res.locations.get(&key) {
        return Ok(*id);
    }
    let id = resolve_location(j, loc, report)?;
    res.locations.insert(key, id);
    Ok(id)
}

fn resolve_location(
    j: &mut Writer<'_, '_>,
    loc: &LocationRef,
    report: &mut ImportReport,
) -> Result<i64, StoreError> {
    let mut code = loc.code.clone();
    if loc.derived {
        if let Some(name) = &loc.name {
            if let Some(l) = store::locations::by_name_nocase(j.conn(), name)? {
                return Ok(l.id);
            }
        }
        let mut n = 1;
        while store::locations::by_code(j.conn(), &code)?.is_some() {
            n += 1;
            code = format!("{}-{n}", loc.code);
        }
    } else if let Some(l) = store::locations::by_code(j.conn(), &code)? {
        return Ok(l.id);
    }
    let name = loc.name.as_deref().unwrap_or(&code);
    let id = store::locations::create(j.conn(), &code, name, None, None)?;
    j.append(
        "location.created",
        json!({"location_id": id, "code": code, "name": name, "via": "import"}),
    )?;
    note(report, "locations", &code);
    Ok(id)
}

fn model(
    j: &mut Writer<'_, '_>,
    res: &mut Resolved,
    name: &str,
    r: &AssetRow,
    report: &mut ImportReport,
) -> Result<i64, StoreError> {
    let key = (name.to_string(), r.manufacturer.clone(), r.category.clone());
    let id = match res.models.get(&key) {
        Some(id) => *id,
        None => {
            let (id, created) = store::catalog::get_or_create_model(
                j.conn(),
                name,
                r.manufacturer.as_deref(),
                r.category.as_deref(),
            )?;
            for c in created {
                // "manufacturer Dell" -> ("manufacturers", "Dell")
                let (what, n) = c.split_once(' ').unwrap_or(("entities", c.as_str()));
                let what = match what {
                    "category" => "categories".to_string(),
                    w => format!("{w}s"),
                };
                note(report, &what, n);
            }
            res.models.insert(key, id);
            id
        }
    };
    if !r.gtins.is_empty() || r.holds_media.is_some() {
        match res.details.iter_mut().find(|d| d.0 == id) {
            Some(d) => {
                d.1.extend(
                    r.gtins
                        .iter()
                        .filter(|g| !d.1.contains(g))
                        .cloned()
                        .collect::<Vec<_>>(),
                );
                d.2 = d.2.or(r.holds_media);
            }
            None => res.details.push((id, r.gtins.clone(), r.holds_media)),
        }
    }
    Ok(id)
}

fn supplier(
    j: &mut Writer<'_, '_>,
    res: &mut Resolved,
    name: &str,
    report: &mut ImportReport,
) -> Result<i64, StoreError> {
    if let Some(id) = res.suppliers.get(name) {
        return Ok(*id);
    }
    let (id, created) = store::vendors::get_or_create_supplier(j.conn(), name)?;
    if created {
        note(report, "suppliers", name);
    }
    res.suppliers.insert(name.to_string(), id);
    Ok(id)
}
