//! The fake Snipe-IT's routes: what each endpoint does to the state and how it
//! answers, in Snipe-IT's shapes (transformers on reads: HTML-escaped names,
//! date objects, formatted costs; raw objects on create).

use super::fake::{error, escape_html, success, Activity, Asset, State, LISTS};
use serde_json::{json, Map, Value};
use std::collections::BTreeMap;

/// Snipe-IT's cap on `limit` (a missing or 0 limit means the cap).
const MAX_RESULTS: usize = 500;

pub(super) fn route(
    s: &mut State,
    method: &str,
    path: &[String],
    q: &BTreeMap<String, String>,
    body: &Value,
) -> (u16, Value) {
    let p: Vec<&str> = path.iter().map(String::as_str).collect();
    let id = |x: &str| x.parse::<i64>().ok();
    match (method, p.as_slice()) {
        ("GET", ["hardware", "bytag", tag]) => match s.asset_by_tag(tag) {
            Some((id, a)) => (200, asset_json(s, id, a)),
            None => (200, error(json!("Asset does not exist."))),
        },
        ("GET", ["hardware"]) => {
            let status = q.get("status_id").and_then(|v| v.parse::<i64>().ok());
            let archived = |sid: Option<i64>| {
                sid.and_then(|sid| s.lists.get("statuslabels").and_then(|l| l.get(&sid)))
                    .and_then(|o| o.fields.get("type"))
                    .and_then(Value::as_str)
                    == Some("archived")
            };
            let rows: Vec<Value> = s
                .assets
                .iter()
                .filter(|(_, a)| {
                    let sid = a.fields.get("status_id").and_then(Value::as_i64);
                    match status {
                        Some(want) => sid == Some(want),
                        None => !archived(sid),
                    }
                })
                .map(|(id, a)| asset_json(s, *id, a))
                .collect();
            (200, page(rows, q))
        }
        ("GET", ["hardware", n]) => match id(n).and_then(|i| s.assets.get(&i).map(|a| (i, a))) {
            Some((i, a)) => (200, asset_json(s, i, a)),
            None => (200, error(json!("Asset does not exist."))),
        },
        ("POST", ["hardware"]) => create_asset(s, body),
        ("GET", ["maintenances"]) => {
            let asset = q.get("asset_id").and_then(|v| v.parse::<i64>().ok());
            let rows: Vec<Value> = s
                .maintenances
                .iter()
                .filter(|(_, m)| asset.is_none() || m.get("asset_id").and_then(Value::as_i64) == asset)
                .map(|(id, m)| {
                    let text = |k: &str| m.get(k).and_then(Value::as_str).map(escape_html);
                    json!({
                        "id": id, "asset": {"id": m.get("asset_id")}, "title": text("title"),
                        "asset_maintenance_type": text("asset_maintenance_type"),
                        "start_date": m.get("start_date").map(|d| json!({"date": d, "formatted": d})),
                        "completion_date": m.get("completion_date").map(|d| json!({"date": d, "formatted": d})),
                        "notes": text("notes"),
                    })
                })
                .collect();
            (200, page(rows, q))
        }
        ("POST", ["maintenances"]) => {
            let Some(b) = body.as_object() else {
                return (422, error(json!("Invalid JSON")));
            };
            let mut problems = Map::new();
            for (field, what) in [
                ("title", "title"),
                ("asset_maintenance_type", "asset maintenance type"),
                ("start_date", "start date"),
            ] {
                if b.get(field)
                    .and_then(Value::as_str)
                    .is_none_or(|v| v.trim().is_empty())
                {
                    problems.insert(
                        field.into(),
                        json!([format!("The {what} field is required.")]),
                    );
                }
            }
            let Some(aid) = b.get("asset_id").and_then(Value::as_i64) else {
                problems.insert(
                    "asset_id".into(),
                    json!(["The asset id field is required."]),
                );
                return (200, error(Value::Object(problems)));
            };
            if !problems.is_empty() {
                return (200, error(Value::Object(problems)));
            }
            let id = s.new_id();
            s.maintenances.insert(id, b.clone());
            // The fake counts maintenances with the other effects.
            s.activity.push(Activity {
                item_id: aid,
                action: "maintenance",
                note: b
                    .get("notes")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .to_string(),
            });
            let mut raw = b.clone();
            raw.insert("id".into(), json!(id));
            (200, success("Maintenance created.", Value::Object(raw)))
        }
        ("PATCH" | "PUT", ["hardware", n]) => {
            let Some(aid) = id(n).filter(|i| s.assets.contains_key(i)) else {
                return (200, error(json!("Asset not found")));
            };
            let mut changed = Vec::new();
            if let (Some(a), Some(b)) = (s.assets.get_mut(&aid), body.as_object()) {
                for (k, v) in b {
                    if a.fields.get(k) != Some(v) {
                        a.fields.insert(k.clone(), v.clone());
                        changed.push(k.clone());
                    }
                }
            }
            s.activity.push(Activity {
                item_id: aid,
                action: "update",
                note: changed.join(","),
            });
            (
                200,
                success("Asset updated successfully.", json!({"id": aid})),
            )
        }
        ("POST", ["hardware", n, "audit"]) => {
            let Some(aid) = id(n).filter(|i| s.assets.contains_key(i)) else {
                return (200, error(json!("Asset does not exist.")));
            };
            let note = body
                .get("note")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            let loc = body.get("location_id").cloned();
            let update = matches!(body.get("update_location"), Some(v) if v == &json!(1) || v == &json!(true) || v == &json!("1"));
            if let (Some(a), Some(l), true) = (s.assets.get_mut(&aid), loc, update) {
                a.fields.insert("location_id".into(), l);
            }
            s.activity.push(Activity {
                item_id: aid,
                action: "audit",
                note: note.clone(),
            });
            (
                200,
                success(
                    "Asset audited successfully.",
                    json!({"asset_tag": s.assets.get(&aid).map(|a| a.tag.clone()), "note": note}),
                ),
            )
        }
        ("POST", ["hardware", n, "checkin"]) => {
            let Some(aid) = id(n).filter(|i| s.assets.contains_key(i)) else {
                return (200, error(json!("Asset does not exist.")));
            };
            let note = body
                .get("note")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string();
            let Some(a) = s.assets.get_mut(&aid) else {
                return (200, error(json!("Asset does not exist.")));
            };
            if !a.checked_out {
                return (200, error(json!("That asset is already checked in.")));
            }
            a.checked_out = false;
            if let Some(st) = body.get("status_id") {
                a.fields.insert("status_id".into(), st.clone());
            }
            s.activity.push(Activity {
                item_id: aid,
                action: "checkin",
                note,
            });
            (
                200,
                success("Asset checked in successfully.", json!({"id": aid})),
            )
        }
        ("GET", ["reports", "activity"]) => {
            let item = q.get("item_id").and_then(|v| v.parse::<i64>().ok());
            let rows: Vec<Value> = s
                .activity
                .iter()
                .rev()
                .filter(|a| Some(a.item_id) == item)
                .map(|a| json!({"action_type": a.action, "note": escape_html(&a.note), "item": {"id": a.item_id, "type": "asset"}}))
                .collect();
            (200, page(rows, q))
        }
        ("GET", [list]) if LISTS.contains(list) => {
            let search = q.get("search").map(|v| v.to_lowercase());
            let rows: Vec<Value> = s
                .lists
                .get(list)
                .into_iter()
                .flatten()
                .filter(|(_, o)| {
                    search
                        .as_ref()
                        .is_none_or(|t| o.name.to_lowercase().contains(t))
                })
                .map(|(id, o)| {
                    let mut m = o.fields.clone();
                    // The model transformer nests its category and manufacturer.
                    for (key, list) in [
                        ("category", "categories"),
                        ("manufacturer", "manufacturers"),
                    ] {
                        let nested = m
                            .get(&format!("{key}_id"))
                            .and_then(Value::as_i64)
                            .and_then(|i| {
                                s.lists.get(list).and_then(|l| l.get(&i)).map(|x| (i, x))
                            });
                        if let Some((i, x)) = nested {
                            m.insert(key.into(), json!({"id": i, "name": escape_html(&x.name)}));
                        }
                    }
                    m.insert("id".into(), json!(id));
                    m.insert("name".into(), json!(escape_html(&o.name)));
                    Value::Object(m)
                })
                .collect();
            (200, page(rows, q))
        }
        ("POST", [list]) if LISTS.contains(list) => {
            let Some(name) = body
                .get("name")
                .and_then(Value::as_str)
                .filter(|n| !n.trim().is_empty())
            else {
                return (200, error(json!({"name": ["The name field is required."]})));
            };
            if *list == "models" && body.get("category_id").and_then(Value::as_i64).is_none() {
                return (
                    200,
                    error(json!({"category_id": ["The category id field is required."]})),
                );
            }
            let list: &'static str = LISTS
                .iter()
                .find(|l| *l == list)
                .copied()
                .unwrap_or("models");
            let mut fields = body.as_object().cloned().unwrap_or_default();
            fields.remove("name");
            let id = s.add(list, name, Value::Object(fields));
            (200, success("created", json!({"id": id, "name": name})))
        }
        ("GET", _) => (404, json!({"message": "404 endpoint not found."})),
        _ => (405, json!({"message": "Method not allowed"})),
    }
}

fn create_asset(s: &mut State, body: &Value) -> (u16, Value) {
    let Some(b) = body.as_object() else {
        return (422, error(json!("Invalid JSON")));
    };
    let mut problems = Map::new();
    let tag = b
        .get("asset_tag")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    if tag.is_empty() {
        problems.insert(
            "asset_tag".into(),
            json!(["The asset tag field is required."]),
        );
    } else if s.asset_by_tag(&tag).is_some() {
        problems.insert("asset_tag".into(), json!(["The asset tag must be unique."]));
    }
    for (field, list) in [("model_id", "models"), ("status_id", "statuslabels")] {
        let ok = b
            .get(field)
            .and_then(Value::as_i64)
            .is_some_and(|id| s.lists.get(list).is_some_and(|l| l.contains_key(&id)));
        if !ok {
            problems.insert(
                field.into(),
                json!([format!("The selected {field} is invalid.")]),
            );
        }
    }
    if !problems.is_empty() {
        return (200, error(Value::Object(problems)));
    }
    let id = s.new_id();
    let mut fields = b.clone();
    fields.remove("asset_tag");
    let note = fields
        .get("notes")
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_string();
    s.assets.insert(
        id,
        Asset {
            tag: tag.clone(),
            fields: fields.clone(),
            checked_out: false,
        },
    );
    s.activity.push(Activity {
        item_id: id,
        action: "create",
        note,
    });
    let mut raw = fields;
    raw.insert("id".into(), json!(id));
    raw.insert("asset_tag".into(), json!(tag));
    raw.insert("created_at".into(), json!("2026-05-24T10:00:00.000000Z"));
    (
        200,
        success("Asset created successfully. :)", Value::Object(raw)),
    )
}

/// An asset through Snipe-IT's transformer.
fn asset_json(s: &State, id: i64, a: &Asset) -> Value {
    let f = |k: &str| a.fields.get(k).cloned().unwrap_or(Value::Null);
    let named = |list: &str, k: &str| {
        f(k).as_i64()
            .and_then(|i| {
                s.lists
                    .get(list)
                    .and_then(|l| l.get(&i))
                    .map(|o| json!({"id": i, "name": escape_html(&o.name)}))
            })
            .unwrap_or(Value::Null)
    };
    let cost = f("purchase_cost").as_str().map(format_cost);
    let date = f("purchase_date")
        .as_str()
        .map(|d| json!({"date": d, "formatted": d}));
    json!({
        "id": id,
        "asset_tag": escape_html(&a.tag),
        "serial": f("serial").as_str().map(escape_html),
        "model": named("models", "model_id"),
        "status_label": named("statuslabels", "status_id"),
        "location": named("locations", "location_id"),
        "supplier": named("suppliers", "supplier_id"),
        "order_number": f("order_number").as_str().map(escape_html),
        "purchase_date": date,
        "purchase_cost": cost,
        "warranty_months": f("warranty_months"),
        "assigned_to": if a.checked_out { json!({"id": 1, "type": "user"}) } else { Value::Null },
        "notes": f("notes").as_str().map(escape_html),
    })
}

/// `1299.5` → `1,299.50`, as Snipe-IT's Helper::formatCurrencyOutput.
fn format_cost(raw: &str) -> String {
    let Ok(v) = raw.parse::<f64>() else {
        return raw.to_string();
    };
    let text = format!("{v:.2}");
    let (int, frac) = text.split_once('.').unwrap_or((&text, "00"));
    let (sign, digits) = int.strip_prefix('-').map_or(("", int), |d| ("-", d));
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{sign}{grouped}.{frac}")
}

/// `{total, rows}` with Snipe-IT's offset/limit (limit capped at 500).
fn page(rows: Vec<Value>, q: &BTreeMap<String, String>) -> Value {
    let total = rows.len();
    let offset = q
        .get("offset")
        .and_then(|v| v.parse::<usize>().ok())
        .unwrap_or(0);
    let limit = q
        .get("limit")
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|l| *l > 0)
        .map_or(MAX_RESULTS, |l| l.min(MAX_RESULTS));
    let rows: Vec<Value> = rows.into_iter().skip(offset).take(limit).collect();
    json!({"total": total, "rows": rows})
}

#[cfg(test)]
mod tests {
    #[test]
    fn costs_are_formatted_as_snipe_it_does() {
        assert_eq!(super::format_cost("1299.5"), "1,299.50");
        assert_eq!(super::format_cost("1234567"), "1,234,567.00");
        assert_eq!(super::format_cost("12"), "12.00");
        assert_eq!(super::format_cost("-1000.1"), "-1,000.10");
    }
}
