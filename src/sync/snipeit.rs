//! The Snipe-IT connector: a faithful, defensive client of its REST API
//! (facts in `shared/snipeit-api.md`).
//!
//! * reqwest with rustls (no system OpenSSL), redirects never followed (a 302
//!   is Snipe-IT sending us to its login page), `Accept: application/json`
//!   on every request (without it errors come back as HTML), a Bearer token
//!   marked sensitive, connect and request timeouts.
//! * Answers are judged by [`answer::classify`]: HTTP 200 with
//!   `"status":"error"` is an error; "already checked in" is success.
//! * **Exactly once without idempotency keys**: a job whose earlier attempt
//!   may have reached the server checks first — a create looks the tag up, an
//!   audit or check-in looks for the event's UUID in the asset's activity
//!   log; updates set absolute values and are safe to repeat. A create refused
//!   because the tag exists adopts the existing asset (the tag is the asset).
//! * Names the station uses (model, manufacturer, category, supplier,
//!   location) are looked up upstream and created when missing, unless
//!   `create_missing = false`; status labels are never created.

pub mod answer;

use super::config::{Secret, UpstreamConfig};
use super::pace::{Clock, Pacer};
use super::{Action, AssetRef, Job, Learned, ModelSpec, Named, NewRemoteAsset};
use super::{Upstream, UpstreamError};
use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, AUTHORIZATION, CONTENT_TYPE};
use reqwest::{Method, Url};
use serde_json::{json, Map, Value};
use std::time::Duration;

/// The largest page Snipe-IT serves.
pub const PAGE: usize = 500;

/// A Snipe-IT server.
pub struct SnipeIt {
    client: reqwest::Client,
    base: Url,
    token: Secret,
    create_missing: bool,
    pacer: Pacer,
    clock: Clock,
    learned: Vec<Learned>,
}

/// The configuration cannot make a client.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    #[error("[upstream] url {0:?} is not an http(s) URL")]
    BadUrl(String),
    #[error("the HTTP client cannot start: {0}")]
    Build(String),
}

impl SnipeIt {
    /// A client for the Snipe-IT at `cfg.url` (its `/api/v1` is added).
    pub fn new(cfg: &UpstreamConfig, token: Secret, clock: Clock) -> Result<SnipeIt, ClientError> {
        let url = cfg.url.clone().unwrap_or_default();
        let mut base = Url::parse(url.trim_end_matches('/'))
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .ok_or_else(|| ClientError::BadUrl(url.clone()))?;
        base.path_segments_mut()
            .map_err(|_| ClientError::BadUrl(url.clone()))?
            .pop_if_empty()
            .extend(["api", "v1"]);
        let client = build_client(Duration::from_secs(cfg.timeout_secs.max(1)))?;
        Ok(SnipeIt {
            client,
            base,
            token,
            create_missing: cfg.create_missing,
            pacer: Pacer::default(),
            clock,
            learned: Vec::new(),
        })
    }

    /// Another throttle window (tests; Snipe-IT's is a minute).
    /// A shorter request timeout than `[upstream] timeout_secs` allows (the
    /// tests' timeouts after apply).
    pub fn with_timeout(mut self, timeout: Duration) -> Result<SnipeIt, ClientError> {
        self.client = build_client(timeout)?;
        Ok(self)
    }

    pub fn with_window_ms(mut self, window_ms: i64) -> SnipeIt {
        self.pacer = Pacer::with_window(window_ms);
        self
    }

    fn url(&self, segments: &[&str]) -> Url {
        let mut u = self.base.clone();
        if let Ok(mut p) = u.path_segments_mut() {
            p.extend(segments);
        }
        u
    }

    /// One request, paced; the answer judged.
    async fn call(
        &mut self,
        method: Method,
        segments: &[&str],
        query: &[(&str, String)],
        body: Option<&Value>,
    ) -> Result<Value, UpstreamError> {
        self.clock
            .sleep_ms(self.pacer.wait_ms(self.clock.now_ms()))
            .await;
        self.pacer.sent(self.clock.now_ms());
        let mutating = method != Method::GET;
        let mut auth =
            HeaderValue::from_str(&format!("Bearer {}", self.token.expose())).map_err(|_| {
                UpstreamError::Rejected("the API token has characters a header cannot carry".into())
            })?;
        auth.set_sensitive(true);
        let mut req = self
            .client
            .request(method, self.url(segments))
            .header(AUTHORIZATION, auth);
        if !query.is_empty() {
            req = req.query(query);
        }
        if let Some(b) = body {
            req = req
                .header(CONTENT_TYPE, "application/json")
                .body(b.to_string());
        }
        let transport = |e: reqwest::Error| UpstreamError::Transient {
            detail: describe(&e),
            // A request that never connected cannot have been applied.
            maybe_applied: mutating && !e.is_connect(),
        };
        let resp = req.send().await.map_err(transport)?;
        let status = resp.status().as_u16();
        let h = resp.headers();
        let get = |n: &str| h.get(n).and_then(|v| v.to_str().ok());
        let lim = answer::limits(
            get("x-ratelimit-limit"),
            get("x-ratelimit-remaining"),
            get("retry-after"),
            get("x-ratelimit-reset"),
        );
        let bytes = resp.bytes().await.map_err(transport)?;
        let now = self.clock.now_ms();
        self.pacer
            .answered(now, lim.limit, lim.remaining, lim.reset_ms);
        if status == 429 {
            let wait = self.pacer.throttled(now, lim.retry_after_ms);
            return Err(UpstreamError::Throttled {
                wait: Duration::from_millis(u64::try_from(wait).unwrap_or(0)),
            });
        }
        answer::classify(status, &bytes, mutating, &lim)
    }

    /// Every row of a list, `PAGE` at a time.
    pub async fn list_all(
        &mut self,
        what: &str,
        extra: &[(&str, String)],
    ) -> Result<Vec<Value>, UpstreamError> {
        let mut out = Vec::new();
        loop {
            let mut q: Vec<(&str, String)> = extra.to_vec();
            q.push(("limit", PAGE.to_string()));
            q.push(("offset", out.len().to_string()));
            let v = self.call(Method::GET, &[what], &q, None).await?;
            let rows = v
                .get("rows")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default();
            let total = v.get("total").and_then(Value::as_u64).unwrap_or(0);
            let got = rows.len();
            out.extend(rows);
            if got == 0 || out.len() as u64 >= total {
                return Ok(out);
            }
        }
    }

    /// The asset with `tag`, if Snipe-IT has one.
    pub async fn asset_by_tag(&mut self, tag: &str) -> Result<Option<i64>, UpstreamError> {
        match self
            .call(Method::GET, &["hardware", "bytag", tag], &[], None)
            .await
        {
            Ok(v) => Ok(v.get("id").and_then(Value::as_i64)),
            Err(UpstreamError::Rejected(m)) if not_found(&m) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Finds `named` in the list `what` by name (case-insensitive, entities
    /// decoded), creating it with `body` when missing and allowed.
    async fn find_or_create(
        &mut self,
        what: &str,
        kind: &'static str,
        named: &Named,
        create: Option<Map<String, Value>>,
    ) -> Result<i64, UpstreamError> {
        if let Some(id) = named.remote_id {
            return Ok(id);
        }
        let rows = self
            .call(
                Method::GET,
                &[what],
                &[("search", named.name.clone()), ("limit", PAGE.to_string())],
                None,
            )
            .await?;
        let found = rows
            .get("rows")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|r| {
                r.get("name")
                    .and_then(Value::as_str)
                    .is_some_and(|n| answer::unescape_html(n).eq_ignore_ascii_case(&named.name))
            })
            .filter_map(|r| r.get("id").and_then(Value::as_i64))
            .min();
        let id = match (found, create) {
            (Some(id), _) => id,
            (None, Some(mut body)) if self.create_missing => {
                body.insert("name".into(), Value::from(named.name.clone()));
                let v = self
                    .call(Method::POST, &[what], &[], Some(&Value::Object(body)))
                    .await?;
                answer::created_id(&v).ok_or_else(|| UpstreamError::Transient {
                    detail: format!("Snipe-IT created {kind} {:?} but gave no id", named.name),
                    maybe_applied: true,
                })?
            }
            (None, Some(_)) => {
                return Err(UpstreamError::Missing(format!(
                    "{kind} {:?} is not in Snipe-IT and [upstream] create_missing = false: \
                     create it there or map it in [upstream]",
                    named.name
                )))
            }
            (None, None) => {
                return Err(UpstreamError::Missing(format!(
                    "{kind} {:?} is not in Snipe-IT: create it there or map the status in \
                     [upstream.statuses]",
                    named.name
                )))
            }
        };
        self.learned.push(Learned {
            kind,
            local_id: named.local_id,
            name: named.name.clone(),
            remote_id: id,
            status: None,
        });
        Ok(id)
    }

    async fn model_id(&mut self, m: &ModelSpec) -> Result<i64, UpstreamError> {
        if let Some(id) = m.model.remote_id {
            return Ok(id);
        }
        let cat = self
            .find_or_create(
                "categories",
                "category",
                &m.category,
                Some(obj(json!({"category_type": "asset"}))),
            )
            .await?;
        let mut body = obj(json!({ "category_id": cat }));
        if let Some(man) = &m.manufacturer {
            let id = self
                .find_or_create("manufacturers", "manufacturer", man, Some(Map::new()))
                .await?;
            body.insert("manufacturer_id".into(), Value::from(id));
        }
        self.find_or_create("models", "model", &m.model, Some(body))
            .await
    }

    async fn asset_id(&mut self, a: &AssetRef) -> Result<i64, UpstreamError> {
        if let Some(id) = a.remote_id {
            return Ok(id);
        }
        let id = self.asset_by_tag(&a.tag).await?.ok_or_else(|| {
            UpstreamError::Rejected(format!("asset {} is not in Snipe-IT", a.tag))
        })?;
        self.learned.push(asset_learned(a, id));
        Ok(id)
    }

    /// Whether the asset's activity log has a note naming `uuid`.
    async fn logged(&mut self, asset: i64, uuid: &str) -> Result<bool, UpstreamError> {
        let v = self
            .call(
                Method::GET,
                &["reports", "activity"],
                &[
                    ("item_type", "asset".into()),
                    ("item_id", asset.to_string()),
                    ("limit", PAGE.to_string()),
                ],
                None,
            )
            .await?;
        Ok(v.get("rows")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .any(|r| {
                r.get("note")
                    .and_then(Value::as_str)
                    .is_some_and(|n| n.contains(uuid))
            }))
    }

    /// Whether a maintenance record of the asset carries the event's UUID in
    /// its notes (Snipe-IT's API does not check the asset: ask by its id).
    async fn maintained(&mut self, asset: i64, uuid: &str) -> Result<bool, UpstreamError> {
        let rows = self
            .list_all("maintenances", &[("asset_id", asset.to_string())])
            .await?;
        Ok(rows.iter().any(|r| {
            r.get("notes")
                .and_then(Value::as_str)
                .is_some_and(|n| answer::unescape_html(n).contains(uuid))
        }))
    }

    /// A status conflict: the station knows which status label the asset had
    /// upstream (a pull, or its own last change) and the upstream now shows
    /// another one, and not the one we are about to set. Someone changed it
    /// there since: a person settles it. The status seen now is learned, so
    /// `sync retry` sends the station's status (unless it changes again).
    async fn no_status_conflict(
        &mut self,
        asset: &AssetRef,
        id: i64,
        target: i64,
        target_name: &str,
    ) -> Result<(), UpstreamError> {
        let Some(known) = asset.known_status else {
            return Ok(());
        };
        let v = self
            .call(Method::GET, &["hardware", &id.to_string()], &[], None)
            .await?;
        let label = v.get("status_label");
        let Some(now) = label.and_then(|l| l.get("id")).and_then(Value::as_i64) else {
            return Ok(());
        };
        if now == known || now == target {
            return Ok(());
        }
        let shown = label
            .and_then(|l| l.get("name"))
            .and_then(Value::as_str)
            .map(answer::unescape_html)
            .unwrap_or_else(|| format!("#{now}"));
        self.learned.push(Learned {
            status: Some(now),
            ..asset_learned(asset, id)
        });
        Err(UpstreamError::Rejected(format!(
            "status conflict: asset {} was changed in Snipe-IT since the station last saw it \
             (now {shown:?}); the station says {target_name:?}. Settle it: `scanstation sync \
             retry` this operation to send the station's status, or set the status at the \
             station to match and retry",
            asset.tag
        )))
    }

    /// `PATCH` the status and remember it as the one the station set.
    async fn patch_status(
        &mut self,
        asset: &AssetRef,
        id: i64,
        st: i64,
    ) -> Result<(), UpstreamError> {
        let body = json!({ "status_id": st });
        self.call(
            Method::PATCH,
            &["hardware", &id.to_string()],
            &[],
            Some(&body),
        )
        .await?;
        self.learned.push(Learned {
            status: Some(st),
            ..asset_learned(asset, id)
        });
        Ok(())
    }

    async fn create(&mut self, job: &Job, n: &NewRemoteAsset) -> Result<(), UpstreamError> {
        if job.uncertain {
            if let Some(id) = self.asset_by_tag(&n.asset.tag).await? {
                self.learned.push(asset_learned(&n.asset, id));
                return Ok(());
            }
        }
        let model = self.model_id(&n.model).await?;
        let status = self
            .find_or_create("statuslabels", "status_label", &n.status, None)
            .await?;
        let mut body = obj(json!({
            "asset_tag": n.asset.tag, "model_id": model, "status_id": status, "notes": job.note(),
        }));
        if let Some(s) = &n.supplier {
            let id = self
                .find_or_create("suppliers", "supplier", s, Some(Map::new()))
                .await?;
            body.insert("supplier_id".into(), id.into());
        }
        if let Some(l) = &n.location {
            let id = self
                .find_or_create("locations", "location", l, Some(Map::new()))
                .await?;
            body.insert("location_id".into(), id.into());
            body.insert("rtd_location_id".into(), id.into());
        }
        for (k, v) in [
            ("serial", n.serial.clone()),
            ("order_number", n.order_number.clone()),
            ("purchase_date", n.purchase_date.clone()),
            ("purchase_cost", n.purchase_cost.clone()),
        ] {
            if let Some(v) = v {
                body.insert(k.into(), v.into());
            }
        }
        if let Some(m) = n.warranty_months {
            body.insert("warranty_months".into(), m.into());
        }
        let id = match self
            .call(Method::POST, &["hardware"], &[], Some(&Value::Object(body)))
            .await
        {
            Ok(v) => answer::created_id(&v).ok_or_else(|| UpstreamError::Transient {
                detail: "Snipe-IT created the asset but gave no id".into(),
                maybe_applied: true,
            })?,
            Err(UpstreamError::Rejected(m)) if m.contains("asset_tag") => {
                // The tag is taken: that asset is this one (an earlier attempt
                // of ours, or it was there before the station).
                match self.asset_by_tag(&n.asset.tag).await? {
                    Some(id) => id,
                    None => return Err(UpstreamError::Rejected(m)),
                }
            }
            Err(e) => return Err(e),
        };
        self.learned.push(Learned {
            status: Some(status),
            ..asset_learned(&n.asset, id)
        });
        Ok(())
    }
}

impl Upstream for SnipeIt {
    fn take_learned(&mut self) -> Vec<Learned> {
        std::mem::take(&mut self.learned)
    }

    async fn apply(&mut self, job: &Job) -> Result<(), UpstreamError> {
        match &job.action {
            Action::CreateAsset(n) => return self.create(job, n).await,
            Action::SetLocation { asset, location } => {
                let id = self.asset_id(asset).await?;
                let loc = self
                    .find_or_create("locations", "location", location, Some(Map::new()))
                    .await?;
                let body = json!({ "location_id": loc });
                self.call(
                    Method::PATCH,
                    &["hardware", &id.to_string()],
                    &[],
                    Some(&body),
                )
                .await?;
            }
            Action::SetStatus { asset, status } => {
                let id = self.asset_id(asset).await?;
                let st = self
                    .find_or_create("statuslabels", "status_label", status, None)
                    .await?;
                self.no_status_conflict(asset, id, st, &status.name).await?;
                self.patch_status(asset, id, st).await?;
            }
            Action::Checkin { asset, status } => {
                let id = self.asset_id(asset).await?;
                let st = self
                    .find_or_create("statuslabels", "status_label", status, None)
                    .await?;
                if job.uncertain && self.logged(id, &job.event_uuid).await? {
                    // Our own change: not someone else's for the next one.
                    self.learned.push(Learned {
                        status: Some(st),
                        ..asset_learned(asset, id)
                    });
                    return Ok(());
                }
                self.no_status_conflict(asset, id, st, &status.name).await?;
                let body = json!({ "status_id": st, "note": job.note() });
                let path = ["hardware", &id.to_string(), "checkin"];
                match self.call(Method::POST, &path, &[], Some(&body)).await {
                    Ok(_) => self.learned.push(Learned {
                        status: Some(st),
                        ..asset_learned(asset, id)
                    }),
                    // Not checked out there: the check-in sets no status,
                    // so set it as an update (absolute: safe to repeat).
                    Err(UpstreamError::Rejected(m)) if m.contains("already checked in") => {
                        self.patch_status(asset, id, st).await?;
                    }
                    Err(e) => return Err(e),
                }
            }
            Action::Update { asset, fields } => {
                let id = self.asset_id(asset).await?;
                if !fields.is_empty() {
                    let body = Value::Object(fields.clone());
                    self.call(
                        Method::PATCH,
                        &["hardware", &id.to_string()],
                        &[],
                        Some(&body),
                    )
                    .await?;
                }
            }
            Action::Maintenance {
                asset,
                title,
                start_date,
                completion_date,
                notes,
            } => {
                let id = self.asset_id(asset).await?;
                if job.uncertain && self.maintained(id, &job.event_uuid).await? {
                    return Ok(());
                }
                let mut body = obj(json!({
                    "asset_id": id, "title": title, "asset_maintenance_type": "Maintenance",
                    "start_date": start_date, "notes": format!("{notes}\n{}", job.note()),
                }));
                if let Some(d) = completion_date {
                    body.insert("completion_date".into(), d.clone().into());
                }
                self.call(
                    Method::POST,
                    &["maintenances"],
                    &[],
                    Some(&Value::Object(body)),
                )
                .await?;
            }
            Action::Audit { asset, location } => {
                let id = self.asset_id(asset).await?;
                if job.uncertain && self.logged(id, &job.event_uuid).await? {
                    return Ok(());
                }
                let mut body = obj(json!({ "note": job.note() }));
                if let Some(l) = location {
                    let loc = self
                        .find_or_create("locations", "location", l, Some(Map::new()))
                        .await?;
                    body.insert("location_id".into(), loc.into());
                    body.insert("update_location".into(), 1.into());
                }
                let path = ["hardware", &id.to_string(), "audit"];
                self.call(Method::POST, &path, &[], Some(&Value::Object(body)))
                    .await?;
            }
        }
        Ok(())
    }
}

/// The HTTP client: JSON only, no redirects followed, timeouts.
fn build_client(timeout: Duration) -> Result<reqwest::Client, ClientError> {
    let mut headers = HeaderMap::new();
    headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .default_headers(headers)
        .connect_timeout(timeout)
        .timeout(timeout)
        .user_agent(concat!("scanstation/", env!("CARGO_PKG_VERSION")))
        .build()
        .map_err(|e| ClientError::Build(e.to_string()))
}

fn asset_learned(a: &AssetRef, id: i64) -> Learned {
    Learned {
        kind: "asset",
        local_id: Some(a.local_id),
        name: a.tag.clone(),
        remote_id: id,
        status: None,
    }
}

fn obj(v: Value) -> Map<String, Value> {
    match v {
        Value::Object(m) => m,
        _ => Map::new(),
    }
}

fn not_found(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    m.contains("does not exist") || m.contains("not found")
}

/// A transport error in words, without the token (reqwest never puts headers
/// in its errors; the URL has no secret).
fn describe(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "the upstream did not answer in time (the request may have been applied)".into()
    } else if e.is_connect() {
        format!("cannot connect to the upstream: {}", source_chain(e))
    } else {
        format!("the connection to the upstream failed: {}", source_chain(e))
    }
}

fn source_chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cur = c.source();
    }
    s
}
