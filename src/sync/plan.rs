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
//! | `asset.status_changed`  | `checkin` when it leaves `deployed`, else `set_status` |
//! | `asset.audited`         | `audit` at `location` (stock-take's first sighting) |
//! | anything else           | nothing (scans, RFID reads, imports' summaries, sign-ins, mode changes, catalog rows — those are created upstream by name when an operation needs them) |
//!
//! A training event plans nothing, whatever its kind. A later issue that adds
//! an event kind (receiving, sanitization, disposal) adds its row here.
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
        }
    }

    /// The local asset the operation is about: operations of one asset apply
    /// in order.
    pub fn asset_id(&self) -> Option<i64> {
        match self {
            Op::CreateAsset(c) => Some(c.asset_id),
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
            Some(to) if s("from").as_deref() == Some("deployed") && to != "deployed" => {
                vec![Op::Checkin {
                    asset_id,
                    status: to,
                }]
            }
            Some(status) => vec![Op::SetStatus { asset_id, status }],
            None => Vec::new(),
        },
        "asset.audited" => vec![Op::Audit {
            asset_id,
            location: s("location"),
        }],
        _ => Vec::new(),
    }
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
