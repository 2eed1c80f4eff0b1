//! `sync pull`: the upstream's reference data and assets into the store, so
//! lookups and stock-takes work offline, and every upstream id is mapped to
//! a local row (`upstream_refs`).
//!
//! Fetching does I/O (paginated at Snipe-IT's 500, archived assets fetched
//! per archived status label since `GET hardware` hides them); applying is
//! one write transaction with no network in it. What the store lacks is
//! created as a journaled import: `location.created` and `asset.created`
//! with `via: "pull"` (which the plan never sends back), and one
//! `import.pull` event with the counts. Rows the station already has (same
//! name, same tag) are mapped, not changed: the station's own observations
//! are not overwritten by a pull.

use super::config::UpstreamConfig;
use super::snipeit::answer::unescape_html;
use super::snipeit::SnipeIt;
use super::UpstreamError;
use crate::store::sync_state as state;
use crate::store::{self, NewEvent, Store, StoreError};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::time::SystemTime;

/// The reference lists pulled, in the order they are applied.
pub const LISTS: [&str; 7] = [
    "statuslabels",
    "companies",
    "categories",
    "manufacturers",
    "suppliers",
    "locations",
    "models",
];

/// What was fetched.
#[derive(Debug, Clone, Default)]
pub struct PullData {
    pub lists: BTreeMap<&'static str, Vec<Value>>,
    pub assets: Vec<Value>,
}

/// Fetches every list and every asset, archived ones included.
pub async fn fetch(s: &mut SnipeIt) -> Result<PullData, UpstreamError> {
    let mut d = PullData::default();
    for l in LISTS {
        d.lists.insert(l, s.list_all(l, &[]).await?);
    }
    let mut seen = BTreeSet::new();
    let mut assets = s.list_all("hardware", &[]).await?;
    let archived: Vec<i64> = d.lists["statuslabels"]
        .iter()
        .filter(|l| l.get("type").and_then(Value::as_str) == Some("archived"))
        .filter_map(|l| l.get("id").and_then(Value::as_i64))
        .collect();
    for id in archived {
        assets.extend(
            s.list_all("hardware", &[("status_id", id.to_string())])
                .await?,
        );
    }
    assets.retain(|a| {
        a.get("id")
            .and_then(Value::as_i64)
            .is_some_and(|i| seen.insert(i))
    });
    d.assets = assets;
    Ok(d)
}

/// Counts per kind: fetched, and created in the store.
pub type PullReport = BTreeMap<String, (u64, u64)>;

fn name(v: &Value) -> Option<String> {
    v.get("name")
        .and_then(Value::as_str)
        .map(unescape_html)
        .filter(|n| !n.trim().is_empty())
}

fn nested_id(v: &Value, key: &str) -> Option<i64> {
    v.get(key).and_then(|x| x.get("id")).and_then(Value::as_i64)
}

/// Writes what was fetched into the store (one transaction).
pub fn apply(
    store: &mut Store,
    upstream: &str,
    cfg: &UpstreamConfig,
    station: &str,
    d: &PullData,
) -> Result<PullReport, StoreError> {
    let mut report = PullReport::new();
    let tx = store.write()?;
    let c = tx.conn();
    let mut events: Vec<(&str, Value)> = Vec::new();
    for (list, rows) in &d.lists {
        let mut created = 0;
        for r in rows {
            let (Some(id), Some(n)) = (r.get("id").and_then(Value::as_i64), name(r)) else {
                continue;
            };
            let (kind, local) = match *list {
                "statuslabels" => {
                    let extra = json!({"type": r.get("type")}).to_string();
                    state::put_ref(c, upstream, "status_label", id, &n, None, &extra)?;
                    continue;
                }
                "companies" => ("company", None),
                "categories" => {
                    let (l, new) = store::catalog::get_or_create_category(c, &n)?;
                    created += u64::from(new);
                    ("category", Some(l))
                }
                "manufacturers" => {
                    let (l, new) = store::catalog::get_or_create_manufacturer(c, &n)?;
                    created += u64::from(new);
                    ("manufacturer", Some(l))
                }
                "suppliers" => {
                    let (l, new) = store::vendors::get_or_create_supplier(c, &n)?;
                    created += u64::from(new);
                    ("supplier", Some(l))
                }
                "locations" => {
                    let l = match store::locations::by_name(c, &n)? {
                        Some(l) => l.id,
                        None => {
                            let code = match store::locations::by_code(c, &n)? {
                                None => n.clone(),
                                Some(_) => format!("{n} #{id}"),
                            };
                            let l = store::locations::create(c, &code, &n, None, None)?;
                            events.push((
                                "location.created",
                                json!({"location_id": l, "code": code, "name": n, "via": "pull"}),
                            ));
                            created += 1;
                            l
                        }
                    };
                    ("location", Some(l))
                }
                _ => {
                    let man = nested_id(r, "manufacturer").and_then(|m| {
                        d.lists["manufacturers"]
                            .iter()
                            .find(|x| x.get("id").and_then(Value::as_i64) == Some(m))
                            .and_then(name)
                    });
                    let cat = r.get("category").and_then(name);
                    let (l, new) =
                        store::catalog::get_or_create_model(c, &n, man.as_deref(), cat.as_deref())?;
                    created += new.len() as u64;
                    ("model", Some(l))
                }
            };
            state::put_ref(c, upstream, kind, id, &n, local, "{}")?;
        }
        report.insert((*list).to_string(), (rows.len() as u64, created));
    }
    let mut created = 0;
    for a in &d.assets {
        let (Some(id), Some(tag)) = (
            a.get("id").and_then(Value::as_i64),
            a.get("asset_tag")
                .and_then(Value::as_str)
                .map(unescape_html),
        ) else {
            continue;
        };
        let local = match store::assets::by_tag(c, &tag)? {
            Some(l) => l,
            None => {
                let local_of = |kind: &str, key: &str| -> Result<Option<i64>, StoreError> {
                    match nested_id(a, key) {
                        Some(r) => state::local_id(c, upstream, kind, r),
                        None => Ok(None),
                    }
                };
                let new = store::assets::NewAsset {
                    tag: tag.clone(),
                    status: station_status(cfg, a),
                    model_id: local_of("model", "model")?,
                    location_id: local_of("location", "location")?,
                    supplier_id: local_of("supplier", "supplier")?,
                    order_number: a
                        .get("order_number")
                        .and_then(Value::as_str)
                        .map(unescape_html),
                    purchase_date: a
                        .get("purchase_date")
                        .and_then(|p| p.get("date"))
                        .and_then(Value::as_str)
                        .filter(|d| d.len() == 10)
                        .map(str::to_string),
                    upstream_id: Some(id.to_string()),
                    ..Default::default()
                };
                let l = store::assets::create(c, &new)?;
                let mut ids = vec![json!({"kind": "asset_tag", "value": tag})];
                if let Some(s) = a
                    .get("serial")
                    .and_then(Value::as_str)
                    .map(unescape_html)
                    .filter(|s| !s.is_empty())
                {
                    // A serial another asset holds stays with it.
                    if store::identifiers::add(c, l, "serial", &s).is_ok() {
                        ids.push(json!({"kind": "serial", "value": s}));
                    }
                }
                events.push((
                    "asset.created",
                    json!({
                        "asset_id": l, "tag": tag, "status": new.status, "via": "pull",
                        "identifiers": ids, "upstream_id": id,
                        "model_id": new.model_id, "location_id": new.location_id,
                    }),
                ));
                created += 1;
                l
            }
        };
        // The status label it has there now: a later status change at the
        // station that finds another one there is a conflict (snipeit.rs).
        let seen = match nested_id(a, "status_label") {
            Some(st) => json!({ "status_id": st }).to_string(),
            None => "{}".to_string(),
        };
        state::put_ref(c, upstream, "asset", id, &tag, Some(local), &seen)?;
    }
    report.insert("assets".into(), (d.assets.len() as u64, created));
    events.push(("import.pull", json!({"upstream": upstream, "counts": report.iter().map(|(k, (f, n))| (k.clone(), json!({"fetched": f, "created": n}))).collect::<serde_json::Map<_, _>>()})));
    let mut tx = tx;
    for (kind, payload) in events {
        tx.append_event(&NewEvent {
            at: SystemTime::now(),
            station,
            operator: None,
            kind,
            training: false,
            payload,
        })?;
    }
    tx.commit()?;
    Ok(report)
}

/// The station status for an upstream asset: checked out is `deployed`;
/// else the first station status whose mapped label is the asset's; else by
/// the label's type.
fn station_status(cfg: &UpstreamConfig, a: &Value) -> String {
    if a.get("assigned_to").is_some_and(|v| !v.is_null()) {
        return "deployed".into();
    }
    let label = a.get("status_label").and_then(name);
    if let Some(label) = &label {
        for s in ["in_stock", "on_order", "in_repair", "disposed", "lost"] {
            if cfg
                .status_label(s)
                .is_some_and(|l| l.eq_ignore_ascii_case(label))
            {
                return s.into();
            }
        }
    }
    let ty = a
        .get("status_label")
        .and_then(|s| s.get("status_meta").or_else(|| s.get("status_type")))
        .and_then(Value::as_str)
        .unwrap_or("");
    match ty {
        "archived" => "disposed",
        "undeployable" => "in_repair",
        "pending" => "on_order",
        _ => "in_stock",
    }
    .into()
}
