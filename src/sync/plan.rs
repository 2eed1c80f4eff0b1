//! The plan: which upstream operations a journal event asks for.
//!
//! The journal is the outbox (design.md, "Upstream"): nothing is enqueued in
//! the scan path; the sync worker reads events after its cursor and asks this
//! module what each one means upstream. It is a pure function of the event's
//! kind, payload and training flag, so the same journal always gives the same
//! operations, whichever station or process wrote it, and a table of cases
//! tests it.
//!
//! | event kind              | operations                                   |
//! |-------------------------|----------------------------------------------|
//! | `asset.created`         | `create_asset` (not when `via` is `pull`: it came from upstream) |
//! | `asset.moved`           | `set_location` to `to` (a location code)     |
//! | `asset.status_changed`  | `checkin` when it leaves `deployed` or leaves the building (`in_transit`, `disposed`: a disposed asset must not stay checked out to someone), else `set_status` |
//! | `asset.updated`         | `set_status` / `set_location` for a changed status / location, `update_asset` for changed serial, order number, cost, purchase date, warranty end (an import's `--update`) |
//! | `asset.audited`         | `audit` at `location` (Stock-take's first sighting of the asset in that stock-take: one per asset per stock-take) |
//! | `sanitization.recorded` | `maintenance`: a maintenance record on the asset, the NIST 800-88 facts in its notes (a drive no asset claims plans nothing) |
//! | `batch.*`, `delivery.*`, `stocktake.*`, `verification.recorded`, `medium.*` | nothing themselves: the status changes, creates and audits they cause are journaled beside them as `asset.*` events and planned from those |
//! | anything else           | nothing (scans, RFID reads, imports' summaries, sign-ins, mode changes, catalog rows — those are created upstream by name when an operation needs them) |
//!
//! A training event plans nothing, whatever its kind. A later issue that adds
//! an event kind that must reach upstream adds its row here.
//!
//! Operations carry the event's facts, not the asset's current state: the
//! worker resolves local ids to names when it runs them.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One upstream operation. Serialized (internally tagged by `op`) into the
/// `args` column of `sync_ops`; the tag is also its `op` column.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Op {
    /// Create the asset upstream with what the station knew when it was created.
    CreateAsset(Box<CreateAsset>),
    /// Move the asset to a location (its code).
    SetLocation { asset_id: i64, location: String },
    /// Set the asset's status (a station status, mapped at run time).
    SetStatus { asset_id: i64, status: String },
    /// Check the asset in (it leaves `deployed`), with its new status.
    Checkin { asset_id: i64, status: String },
    /// Audit the asset, at a location when one is known. The note carries the
    /// event's UUID and time (Snipe-IT stamps its own clock).
    Audit {
        asset_id: i64,
        location: Option<String>,
    },
    /// Update the asset's purchase facts (absolute values: safe to repeat).
    UpdateAsset(Box<UpdateAsset>),
    /// A maintenance record (a sanitization): its notes carry the event's
    /// UUID so a retry can find an earlier attempt.
    Maintenance(Box<Maintenance>),
}

/// Changed purchase facts of an `asset.updated` event (`None`: unchanged).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UpdateAsset {
    pub asset_id: i64,
    pub serial: Option<String>,
    pub order_number: Option<String>,
    pub cost_minor: Option<i64>,
    pub currency: Option<String>,
    pub purchase_date: Option<String>,
    pub warranty_end: Option<String>,
}

/// The facts of a `sanitization.recorded` event that go into a maintenance
/// record.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Maintenance {
    pub asset_id: i64,
    pub sanitization_id: Option<i64>,
    /// The medium's serial.
    pub serial: Option<String>,
    /// NIST 800-88 method (`clear`, `purge`, `destroy`) and technique.
    pub method: Option<String>,
    pub technique: Option<String>,
    pub verification: Option<String>,
    pub result: Option<String>,
    pub started: Option<String>,
    pub ended: Option<String>,
    pub operator: Option<String>,
    pub validator: Option<String>,
    /// `manual` or `nwipe`.
    pub source: Option<String>,
}

/// The facts of an `asset.created` event that Snipe-IT's `POST hardware` takes.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreateAsset {
    pub asset_id: i64,
    pub tag: String,
    pub status: String,
    pub serial: Option<String>,
    pub model_id: Option<i64>,
    pub location_id: Option<i64>,
    pub supplier_id: Option<i64>,
    pub order_number: Option<String>,
    pub cost_minor: Option<i64>,
    pub currency: Option<String>,
    pub purchase_date: Option<String>,
    pub warranty_end: Option<String>,
}

impl Op {
    /// The `op` column: the serde tag.
    pub fn name(&self) -> &'static str {
        match self {
            Op::CreateAsset(_) => "create_asset",
            Op::SetLocation { .. } => "set_location",
            Op::SetStatus { .. } => "set_status",
            Op::Checkin { .. } => "checkin",
            Op::Audit { .. } => "audit",
            Op::UpdateAsset(_) => "update_asset",
            Op::Maintenance(_) => "maintenance",
        }
    }

    /// The local asset the operation is about: operations of one asset apply
    /// in order.
    pub fn asset_id(&self) -> Option<i64> {
        match self {
            Op::CreateAsset(c) => Some(c.asset_id),
            Op::UpdateAsset(u) => Some(u.asset_id),
            Op::Maintenance(m) => Some(m.asset_id),
            Op::SetLocation { asset_id, .. }
            | Op::SetStatus { asset_id, .. }
            | Op::Checkin { asset_id, .. }
            | Op::Audit { asset_id, .. } => Some(*asset_id),
        }
    }
}

/// The operations event `kind` with `payload` asks for, in the order they
/// must apply. Training events and unknown kinds plan nothing; so does a
/// payload missing what its kind needs (it cannot be sent, and parking it
/// would hold the asset back forever).
pub fn plan(kind: &str, payload: &Value, training: bool) -> Vec<Op> {
    if training {
        return Vec::new();
    }
    let s = |k: &str| payload.get(k).and_then(Value::as_str).map(str::to_string);
    let i = |k: &str| payload.get(k).and_then(Value::as_i64);
    let Some(asset_id) = i("asset_id") else {
        return Vec::new();
    };
    match kind {
        "asset.created" => {
            if s("via").as_deref() == Some("pull") {
                return Vec::new();
            }
            let (Some(tag), Some(status)) = (s("tag"), s("status")) else {
                return Vec::new();
            };
            let serial = payload
                .get("identifiers")
                .and_then(Value::as_array)
                .and_then(|ids| {
                    ids.iter()
                        .find(|x| x.get("kind").and_then(Value::as_str) == Some("serial"))
                })
                .and_then(|x| x.get("value").and_then(Value::as_str))
                .map(str::to_string);
            vec![Op::CreateAsset(Box::new(CreateAsset {
                asset_id,
                tag,
                status,
                serial,
                model_id: i("model_id"),
                location_id: i("location_id"),
                supplier_id: i("supplier_id"),
                order_number: s("order_number"),
                cost_minor: i("cost_minor"),
                currency: s("currency"),
                purchase_date: s("purchase_date"),
                warranty_end: s("warranty_end"),
            }))]
        }
        "asset.moved" => match s("to") {
            Some(location) => vec![Op::SetLocation { asset_id, location }],
            None => Vec::new(),
        },
        "asset.status_changed" => match s("to") {
            Some(to) => vec![status_op(asset_id, s("from").as_deref(), to)],
            None => Vec::new(),
        },
        "asset.updated" => updated(asset_id, payload),
        "sanitization.recorded" => vec![Op::Maintenance(Box::new(Maintenance {
            asset_id,
            sanitization_id: i("sanitization_id"),
            serial: s("serial"),
            method: s("method"),
            technique: s("technique"),
            verification: s("verification"),
            result: s("result"),
            started: s("started"),
            ended: s("ended"),
            operator: s("operator"),
            validator: s("validator"),
            source: s("source"),
        }))],
        "asset.audited" => vec![Op::Audit {
            asset_id,
            location: s("location"),
        }],
        _ => Vec::new(),
    }
}

/// Statuses an asset has once it has left the building for good: it must not
/// stay checked out to anyone upstream.
const GONE: [&str; 2] = ["in_transit", "disposed"];

/// A status change: a check-in (with the new status) when the asset leaves
/// `deployed` or leaves the building, else a plain status update.
fn status_op(asset_id: i64, from: Option<&str>, to: String) -> Op {
    let leaves_deployed = from == Some("deployed") && to != "deployed";
    if leaves_deployed || GONE.contains(&to.as_str()) {
        Op::Checkin {
            asset_id,
            status: to,
        }
    } else {
        Op::SetStatus {
            asset_id,
            status: to,
        }
    }
}

/// `asset.updated` (`changes: {field: {from, to}}`): status and location as
/// their own operations, the purchase facts as one update.
fn updated(asset_id: i64, payload: &Value) -> Vec<Op> {
    let Some(changes) = payload.get("changes").and_then(Value::as_object) else {
        return Vec::new();
    };
    let to = |k: &str| changes.get(k).and_then(|c| c.get("to"));
    let text = |k: &str| to(k).and_then(Value::as_str).map(str::to_string);
    let mut ops = Vec::new();
    if let Some(status) = text("status") {
        let from = changes
            .get("status")
            .and_then(|c| c.get("from"))
            .and_then(Value::as_str);
        ops.push(status_op(asset_id, from, status));
    }
    if let Some(location) = text("location") {
        ops.push(Op::SetLocation { asset_id, location });
    }
    let u = UpdateAsset {
        asset_id,
        serial: text("serial"),
        order_number: text("order_number"),
        cost_minor: to("cost_minor").and_then(Value::as_i64),
        currency: text("currency"),
        purchase_date: text("purchase_date"),
        warranty_end: text("warranty_end"),
    };
    if u != (UpdateAsset {
        asset_id,
        ..UpdateAsset::default()
    }) {
        ops.push(Op::UpdateAsset(Box::new(u)));
    }
    ops
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn created() -> Value {
        json!({
            "asset_id": 7, "tag": "A-1001", "status": "in_stock", "via": "import", "line": 2,
            "identifiers": [{"kind": "asset_tag", "value": "A-1001"}, {"kind": "serial", "value": "SN1"}],
            "model_id": 3, "location_id": 4, "supplier_id": 5, "order_number": "PO-1",
            "cost_minor": 129950, "currency": "USD", "purchase_date": "2026-01-02",
            "warranty_end": "2029-01-02"
        })
    }

    #[test]
    fn the_plan_table() {
        let full = CreateAsset {
            asset_id: 7,
            tag: "A-1001".into(),
            status: "in_stock".into(),
            serial: Some("SN1".into()),
            model_id: Some(3),
            location_id: Some(4),
            supplier_id: Some(5),
            order_number: Some("PO-1".into()),
            cost_minor: Some(129950),
            currency: Some("USD".into()),
            purchase_date: Some("2026-01-02".into()),
            warranty_end: Some("2029-01-02".into()),
        };
        let cases: Vec<(&str, Value, bool, Vec<Op>)> = vec![
            (
                "asset.created",
                created(),
                false,
                vec![Op::CreateAsset(Box::new(full))],
            ),
            ("asset.created", created(), true, vec![]),
            (
                "asset.created",
                json!({"asset_id": 8, "tag": "B", "status": "in_stock", "via": "enrol",
                       "identifiers": [{"kind": "asset_tag", "value": "B"}]}),
                false,
                vec![Op::CreateAsset(Box::new(CreateAsset {
                    asset_id: 8,
                    tag: "B".into(),
                    status: "in_stock".into(),
                    ..Default::default()
                }))],
            ),
            (
                "asset.created",
                json!({"asset_id": 8, "tag": "B", "status": "in_stock", "via": "pull"}),
                false,
                vec![],
            ),
            ("asset.created", json!({"asset_id": 8}), false, vec![]),
            (
                "asset.moved",
                json!({"asset_id": 7, "from": "R1", "to": "R2"}),
                false,
                vec![Op::SetLocation {
                    asset_id: 7,
                    location: "R2".into(),
                }],
            ),
            (
                "asset.moved",
                json!({"asset_id": 7, "from": "R1", "to": "R2"}),
                true,
                vec![],
            ),
            (
                "asset.status_changed",
                json!({"asset_id": 7, "from": "in_stock", "to": "deployed", "reason": null}),
                false,
                vec![Op::SetStatus {
                    asset_id: 7,
                    status: "deployed".into(),
                }],
            ),
            (
                "asset.status_changed",
                json!({"asset_id": 7, "from": "deployed", "to": "in_repair", "reason": "broken"}),
                false,
                vec![Op::Checkin {
                    asset_id: 7,
                    status: "in_repair".into(),
                }],
            ),
            (
                "asset.status_changed",
                json!({"asset_id": 7, "from": "deployed", "to": "in_repair"}),
                true,
                vec![],
            ),
            (
                "asset.audited",
                json!({"asset_id": 7, "location": "R2", "stocktake_id": 1}),
                false,
                vec![Op::Audit {
                    asset_id: 7,
                    location: Some("R2".into()),
                }],
            ),
            (
                "asset.created",
                json!({"asset_id": 9, "tag": "R-1", "status": "in_stock", "via": "receive",
                       "po": "PO-9", "line": 1, "delivery_id": 2,
                       "identifiers": [{"kind": "asset_tag", "value": "R-1"}, {"kind": "serial", "value": "S9"}],
                       "model_id": 3, "location_id": 4, "supplier_id": 5, "order_number": "PO-9",
                       "cost_minor": 50000, "currency": "EUR", "purchase_date": "2026-03-01",
                       "warranty_end": "2028-03-01"}),
                false,
                vec![Op::CreateAsset(Box::new(CreateAsset {
                    asset_id: 9,
                    tag: "R-1".into(),
                    status: "in_stock".into(),
                    serial: Some("S9".into()),
                    model_id: Some(3),
                    location_id: Some(4),
                    supplier_id: Some(5),
                    order_number: Some("PO-9".into()),
                    cost_minor: Some(50000),
                    currency: Some("EUR".into()),
                    purchase_date: Some("2026-03-01".into()),
                    warranty_end: Some("2028-03-01".into()),
                }))],
            ),
            (
                "asset.status_changed",
                json!({"asset_id": 7, "from": "sanitized", "to": "awaiting_pickup", "reason": "disposal"}),
                false,
                vec![Op::SetStatus {
                    asset_id: 7,
                    status: "awaiting_pickup".into(),
                }],
            ),
            (
                "asset.status_changed",
                json!({"asset_id": 7, "from": "awaiting_pickup", "to": "in_transit", "reason": "disposal"}),
                false,
                vec![Op::Checkin {
                    asset_id: 7,
                    status: "in_transit".into(),
                }],
            ),
            (
                "asset.status_changed",
                json!({"asset_id": 7, "from": "in_transit", "to": "disposed", "reason": "disposal"}),
                false,
                vec![Op::Checkin {
                    asset_id: 7,
                    status: "disposed".into(),
                }],
            ),
            (
                "asset.updated",
                json!({"asset_id": 7, "tag": "A", "via": "import", "changes": {
                    "status": {"from": "in_stock", "to": "in_repair"},
                    "location": {"from": "R1", "to": "R2"},
                    "order_number": {"from": null, "to": "PO-2"},
                    "cost_minor": {"from": 1, "to": 2}, "currency": {"from": "USD", "to": "USD"},
                    "serial": {"from": "S1", "to": "S2"},
                    "model": {"from": "X", "to": "Y"}}}),
                false,
                vec![
                    Op::SetStatus {
                        asset_id: 7,
                        status: "in_repair".into(),
                    },
                    Op::SetLocation {
                        asset_id: 7,
                        location: "R2".into(),
                    },
                    Op::UpdateAsset(Box::new(UpdateAsset {
                        asset_id: 7,
                        serial: Some("S2".into()),
                        order_number: Some("PO-2".into()),
                        cost_minor: Some(2),
                        currency: Some("USD".into()),
                        ..Default::default()
                    })),
                ],
            ),
            (
                "asset.updated",
                json!({"asset_id": 7, "changes": {"model": {"from": "X", "to": "Y"}}}),
                false,
                vec![],
            ),
            (
                "sanitization.recorded",
                json!({"sanitization_id": 4, "medium_id": 2, "asset_id": 7, "source": "manual",
                       "serial": "D1", "method": "purge", "technique": "crypto_erase",
                       "verification": "full", "result": "passed", "operator": "B1",
                       "validator": "B2", "started": "2026-01-01T10:00:00Z", "ended": "2026-01-01T11:00:00Z"}),
                false,
                vec![Op::Maintenance(Box::new(Maintenance {
                    asset_id: 7,
                    sanitization_id: Some(4),
                    serial: Some("D1".into()),
                    method: Some("purge".into()),
                    technique: Some("crypto_erase".into()),
                    verification: Some("full".into()),
                    result: Some("passed".into()),
                    started: Some("2026-01-01T10:00:00Z".into()),
                    ended: Some("2026-01-01T11:00:00Z".into()),
                    operator: Some("B1".into()),
                    validator: Some("B2".into()),
                    source: Some("manual".into()),
                }))],
            ),
            (
                "sanitization.recorded",
                json!({"sanitization_id": 4, "medium_id": 2, "asset_id": 7, "source": "manual"}),
                true,
                vec![],
            ),
            (
                "sanitization.recorded",
                json!({"sanitization_id": 5, "medium_id": 3, "source": "nwipe", "serial": "D2"}),
                false,
                vec![],
            ),
            (
                "verification.recorded",
                json!({"sanitization_id": 6, "medium_id": 3, "asset_id": 7}),
                false,
                vec![],
            ),
            (
                "batch.handed_over",
                json!({"batch_id": 1, "sscc": "0", "asset_ids": [7], "asset_id": 7}),
                false,
                vec![],
            ),
            (
                "batch.confirmed",
                json!({"batch_id": 1, "asset_ids": [7]}),
                false,
                vec![],
            ),
            (
                "batch.item_added",
                json!({"batch_id": 1, "asset_id": 7, "tag": "A"}),
                false,
                vec![],
            ),
            (
                "delivery.item_received",
                json!({"delivery_id": 1, "asset_id": 9, "quantity": 1}),
                false,
                vec![],
            ),
            (
                "stocktake.action",
                json!({"stocktake_id": 1, "action": "move_misplaced", "assets": [7]}),
                false,
                vec![],
            ),
            (
                "asset.audited",
                json!({"asset_id": 7, "location": "R2", "stocktake_id": 1}),
                true,
                vec![],
            ),
            (
                "scan",
                json!({"asset_id": 7, "text": "A-1001", "source": "wedge"}),
                false,
                vec![],
            ),
            (
                "rfid.read",
                json!({"asset_id": 7, "epc": "30"}),
                false,
                vec![],
            ),
            (
                "import.assets",
                json!({"file": "a.csv", "rows": 3}),
                false,
                vec![],
            ),
            ("operator.signed_in", json!({"badge": "B1"}), false, vec![]),
            (
                "station.mode_changed",
                json!({"from": "lookup", "to": "receive"}),
                false,
                vec![],
            ),
            (
                "location.created",
                json!({"location_id": 1, "code": "R1"}),
                false,
                vec![],
            ),
            (
                "no.such.kind",
                json!({"asset_id": 7, "to": "R2"}),
                false,
                vec![],
            ),
        ];
        for (kind, payload, training, want) in cases {
            assert_eq!(
                plan(kind, &payload, training),
                want,
                "{kind} {payload} training={training}"
            );
        }
    }

    #[test]
    fn ops_round_trip_through_their_args_column() {
        for op in plan("asset.created", &created(), false).into_iter().chain([
            Op::SetLocation {
                asset_id: 1,
                location: "R".into(),
            },
            Op::Audit {
                asset_id: 1,
                location: None,
            },
        ]) {
            let text = serde_json::to_string(&op).unwrap();
            let v: Value = serde_json::from_str(&text).unwrap();
            assert_eq!(v["op"], op.name());
            assert_eq!(serde_json::from_str::<Op>(&text).unwrap(), op);
        }
    }

    proptest::proptest! {
        #[test]
        fn training_never_plans_and_nothing_panics(kind in "[a-z._]{0,20}", id in proptest::prelude::any::<i64>(), to in ".{0,8}") {
            let p = json!({"asset_id": id, "to": to, "from": "deployed", "tag": to, "status": to});
            proptest::prop_assert!(plan(&kind, &p, true).is_empty());
            let _ = plan(&kind, &p, false);
        }
    }
}
