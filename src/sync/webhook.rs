//! The signed webhook upstream (`[upstream] kind = "webhook"`): every journal
//! event that is not training is POSTed to one URL as its `journal --json`
//! object, signed ([`super::webhook_sign`]), with the event's UUID as the
//! `Idempotency-Key` and the station's journal head beside it.
//!
//! * At least once, deduped by the receiver: an event whose attempt may have
//!   reached the receiver (a timeout, a reset, a 5xx, a crash while in
//!   flight) is simply sent again with the same key. Unlike Snipe-IT there is
//!   nothing to look up first: the key is the receiver's promise.
//! * The same rules as the Snipe-IT connector: 2xx is done; 5xx, 408,
//!   timeouts, resets and redirects retry with backoff; 429 waits for
//!   `Retry-After` (or a whole window); 401 and 403 stop syncing (the secret
//!   or the URL is wrong); any other 4xx parks with the receiver's words.
//! * reqwest with rustls, no redirects followed, connect and request
//!   timeouts. The secret never travels (only the MAC does), and errors
//!   never carry the URL (webhook URLs often hold a token in their path).
//!
//! [`classify`] is pure: status, `Retry-After` and body in, a verdict out.

use super::config::{Secret, UpstreamConfig};
use super::pace::{Clock, Pacer};
use super::snipeit::{answer, ClientError};
use super::webhook_sign as sign;
use crate::store::{EventRef, EventRow};
use reqwest::header::{HeaderValue, CONTENT_TYPE};
use reqwest::Url;
use std::time::Duration;

/// Why an event was not delivered. Messages never carry the secret or the URL.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WebhookError {
    /// Worth retrying with backoff (5xx, 408, timeouts, resets, redirects).
    #[error("{0}")]
    Transient(String),
    /// HTTP 429: send nothing for this long.
    #[error("the webhook receiver is throttling requests (HTTP 429); waiting {}s", wait.as_secs())]
    Throttled { wait: Duration },
    /// HTTP 401 or 403: the receiver does not accept our signature or this
    /// URL is not ours to post to; syncing stops.
    #[error(
        "the webhook receiver refused the request (HTTP {status}{}): the secret or the URL is \
         wrong — check [upstream] secret_file (or SCANSTATION_UPSTREAM_SECRET) against the \
         receiver's, [upstream] url, and this station's clock (receivers refuse timestamps more \
         than 300 s off)",
        if words.is_empty() { String::new() } else { format!(": {words}") }
    )]
    Refused { status: u16, words: String },
    /// Any other 4xx: this event needs a person (the receiver's words).
    #[error("the webhook receiver rejected the event (HTTP {status}): {words}")]
    Rejected { status: u16, words: String },
}

/// The body POSTed for an event: exactly its `scanstation journal --json`
/// line (the same `Serialize` of [`EventRow`]), without the newline.
pub fn body(event: &EventRow) -> Vec<u8> {
    // Serializing a struct of strings, numbers and a JSON value cannot fail.
    serde_json::to_vec(event).unwrap_or_default()
}

/// The verdict on one answer: its status, its `Retry-After` header and its
/// body. `secret` is scrubbed from the words quoted back.
pub fn classify(
    status: u16,
    retry_after: Option<&str>,
    body: &[u8],
    secret: &Secret,
) -> Result<(), WebhookError> {
    let words = || words(body, secret);
    match status {
        200..=299 => Ok(()),
        429 => {
            let ms = answer::limits(None, None, retry_after, None)
                .retry_after_ms
                .unwrap_or(super::pace::WINDOW_MS);
            Err(WebhookError::Throttled {
                wait: Duration::from_millis(u64::try_from(ms).unwrap_or(0)),
            })
        }
        401 | 403 => Err(WebhookError::Refused {
            status,
            words: words(),
        }),
        408 => Err(WebhookError::Transient(
            "the webhook receiver timed out reading the request (HTTP 408)".into(),
        )),
        300..=399 => Err(WebhookError::Transient(format!(
            "the webhook receiver answered HTTP {status}, a redirect (redirects are not \
             followed): check [upstream] url"
        ))),
        400..=499 => Err(WebhookError::Rejected {
            status,
            words: {
                let w = words();
                if w.is_empty() {
                    "no reason given".into()
                } else {
                    w
                }
            },
        }),
        _ => Err(WebhookError::Transient(format!(
            "the webhook receiver failed (HTTP {status}){}",
            match words() {
                w if w.is_empty() => String::new(),
                w => format!(": {w}"),
            }
        ))),
    }
}

/// What the receiver said, fit to quote: a JSON body's `error`, `message` or
/// `messages` when it has one, else its text; one line, at most 300
/// characters, the secret replaced by `[redacted]`.
pub fn words(body: &[u8], secret: &Secret) -> String {
    let json: Option<serde_json::Value> = serde_json::from_slice(body).ok();
    let picked = json.as_ref().and_then(|v| {
        ["error", "message", "messages", "detail"]
            .iter()
            .find_map(|k| v.get(*k))
            .map(|m| match m {
                serde_json::Value::String(s) => s.clone(),
                other => other.to_string(),
            })
    });
    let text = picked.unwrap_or_else(|| String::from_utf8_lossy(body).into_owned());
    let mut one_line: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let s = secret.expose();
    if !s.is_empty() {
        one_line = one_line.replace(s, "[redacted]");
    }
    match one_line.char_indices().nth(300) {
        Some((i, _)) => format!("{}…", &one_line[..i]),
        None => one_line,
    }
}

/// A webhook receiver.
pub struct Webhook {
    client: reqwest::Client,
    url: Url,
    secret: Secret,
    pacer: Pacer,
    clock: Clock,
}

impl Webhook {
    /// A client POSTing to `cfg.url` as it is.
    pub fn new(cfg: &UpstreamConfig, secret: Secret, clock: Clock) -> Result<Webhook, ClientError> {
        let raw = cfg.url.clone().unwrap_or_default();
        let url = Url::parse(&raw)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            // The URL may hold a token: never quote it.
            .ok_or_else(|| ClientError::BadUrl(redact_url(&raw)))?;
        let timeout = Duration::from_secs(cfg.timeout_secs.max(1));
        Self::build(url, secret, clock, timeout)
    }

    fn build(
        url: Url,
        secret: Secret,
        clock: Clock,
        timeout: Duration,
    ) -> Result<Webhook, ClientError> {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(timeout)
            .timeout(timeout)
            .user_agent(concat!("scanstation/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ClientError::Build(e.without_url().to_string()))?;
        Ok(Webhook {
            client,
            url,
            secret,
            pacer: Pacer::default(),
            clock,
        })
    }

    /// Another throttle window when a 429 has no `Retry-After` (tests; the
    /// default is a minute).
    pub fn with_window_ms(mut self, window_ms: i64) -> Webhook {
        self.pacer = Pacer::with_window(window_ms);
        self
    }

    /// POSTs one event, paced, signed at the moment it is sent, with the
    /// journal head `head`.
    pub async fn post(&mut self, event: &EventRow, head: &EventRef) -> Result<(), WebhookError> {
        self.clock
            .sleep_ms(self.pacer.wait_ms(self.clock.now_ms()))
            .await;
        let now = self.clock.now_ms();
        self.pacer.sent(now);
        let body = body(event);
        // The wall clock, not the worker's: a receiver compares it with its
        // own, and the worker's clock keeps the time it started with.
        let ts = unix_now_secs();
        let sig = sign::signature(self.secret.expose().as_bytes(), ts, &body);
        let key = HeaderValue::from_str(&event.uuid).map_err(|_| WebhookError::Rejected {
            status: 0,
            words: format!(
                "journal event #{} has a UUID a header cannot carry",
                event.seq
            ),
        })?;
        let head_value = HeaderValue::from_str(&sign::format_head(head.seq, &head.hash))
            .map_err(|_| WebhookError::Transient("the journal head cannot be sent".into()))?;
        let resp = self
            .client
            .post(self.url.clone())
            .header(CONTENT_TYPE, "application/json")
            .header(sign::IDEMPOTENCY_KEY, key)
            .header(sign::TIMESTAMP, ts.to_string())
            .header(sign::SIGNATURE, sig)
            .header(sign::JOURNAL_HEAD, head_value)
            .body(body)
            .send()
            .await
            .map_err(transport)?;
        let status = resp.status().as_u16();
        let h = resp.headers();
        let get = |n: &str| h.get(n).and_then(|v| v.to_str().ok());
        let lim = answer::limits(
            get("x-ratelimit-limit"),
            get("x-ratelimit-remaining"),
            get("retry-after"),
            get("x-ratelimit-reset"),
        );
        let retry_after = get("retry-after").map(str::to_string);
        let bytes = resp.bytes().await.map_err(transport)?;
        let now = self.clock.now_ms();
        self.pacer
            .answered(now, lim.limit, lim.remaining, lim.reset_ms);
        let verdict = classify(status, retry_after.as_deref(), &bytes, &self.secret);
        if let Err(WebhookError::Throttled { .. }) = &verdict {
            let wait = self.pacer.throttled(now, lim.retry_after_ms);
            return Err(WebhookError::Throttled {
                wait: Duration::from_millis(u64::try_from(wait).unwrap_or(0)),
            });
        }
        verdict
    }
}

/// Unix seconds by the system clock.
pub fn unix_now_secs() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// A transport error in words, without the URL.
fn transport(e: reqwest::Error) -> WebhookError {
    let what = if e.is_timeout() {
        "the webhook receiver did not answer in time (the event may have arrived; it is sent \
         again with the same Idempotency-Key)"
            .to_string()
    } else if e.is_connect() {
        format!(
            "cannot connect to the webhook receiver: {}",
            chain(&e.without_url())
        )
    } else {
        format!(
            "the connection to the webhook receiver failed: {}",
            chain(&e.without_url())
        )
    };
    WebhookError::Transient(what)
}

fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut s = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        s.push_str(": ");
        s.push_str(&c.to_string());
        cur = c.source();
    }
    s
}

/// A URL fit to quote in an error: scheme and host only.
fn redact_url(raw: &str) -> String {
    match Url::parse(raw) {
        Ok(u) => format!("{}://{}/…", u.scheme(), u.host_str().unwrap_or("")),
        Err(_) => "(unparsable)".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s() -> Secret {
        Secret::new("hush-42")
    }

    #[test]
    fn answers_map_to_the_retry_rules() {
        assert_eq!(classify(200, None, b"", &s()), Ok(()));
        assert_eq!(classify(204, None, b"", &s()), Ok(()));
        assert_eq!(
            classify(429, Some("7"), b"", &s()),
            Err(WebhookError::Throttled {
                wait: Duration::from_secs(7)
            })
        );
        assert_eq!(
            classify(429, None, b"", &s()),
            Err(WebhookError::Throttled {
                wait: Duration::from_secs(60)
            })
        );
        for st in [500, 502, 503, 408, 302] {
            assert!(
                matches!(
                    classify(st, None, b"x", &s()),
                    Err(WebhookError::Transient(_))
                ),
                "{st}"
            );
        }
        for st in [401, 403] {
            let e = classify(st, None, br#"{"error":"bad signature"}"#, &s()).unwrap_err();
            assert!(matches!(e, WebhookError::Refused { .. }), "{st}");
            let m = e.to_string();
            assert!(
                m.contains("bad signature") && m.contains("secret_file"),
                "{m}"
            );
        }
        let e = classify(422, None, br#"{"error":"unknown kind \"x\""}"#, &s()).unwrap_err();
        assert_eq!(
            e,
            WebhookError::Rejected {
                status: 422,
                words: "unknown kind \"x\"".into()
            }
        );
        let e = classify(400, None, b"", &s()).unwrap_err();
        assert!(e.to_string().contains("no reason given"));
    }

    #[test]
    fn the_receivers_words_are_one_line_short_and_never_the_secret() {
        let w = words(b"line one\r\nline\ttwo hush-42 \x1b[31m", &s());
        assert_eq!(w, "line one line two [redacted] [31m");
        assert_eq!(words(br#"{"message":"no"}"#, &s()), "no");
        assert_eq!(
            words(br#"{"messages":{"a":["b"]}}"#, &s()),
            r#"{"a":["b"]}"#
        );
        let long = "é".repeat(500);
        assert_eq!(words(long.as_bytes(), &s()).chars().count(), 301);
        assert_eq!(words(b"\xff\xfe", &s()), "\u{fffd}\u{fffd}");
        let e = classify(500, None, b"leaked hush-42", &s()).unwrap_err();
        assert!(!e.to_string().contains("hush-42"));
    }

    #[test]
    fn a_bad_url_is_refused_without_quoting_its_path() {
        let cfg = UpstreamConfig {
            url: Some("ftp://h.example/hooks/T0K3N".into()),
            ..Default::default()
        };
        let e = Webhook::new(&cfg, s(), Clock::new())
            .err()
            .unwrap()
            .to_string();
        assert!(!e.contains("T0K3N"), "{e}");
        assert!(e.contains("ftp://h.example"), "{e}");
    }
}
