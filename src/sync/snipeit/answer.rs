//! Reading Snipe-IT's answers, which say "error" in more ways than HTTP codes:
//! HTTP 200 with `"status":"error"` (not found, validation, "already checked
//! in"), a 302 to the login page or an HTML page when a proxy or a missing
//! `Accept` header gets in the way, a JSON 429 without `Retry-After`. Pure:
//! status, a few headers and the body bytes in, a verdict out; any bytes are
//! taken without panicking (fuzzed).

use super::super::UpstreamError;
use serde_json::Value;

/// What the answer's headers said about pacing.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Limits {
    pub limit: Option<u32>,
    pub remaining: Option<u32>,
    /// `Retry-After` in milliseconds (seconds form only).
    pub retry_after_ms: Option<i64>,
    /// `X-RateLimit-Reset` as Unix milliseconds.
    pub reset_ms: Option<i64>,
}

/// Parses the rate-limit headers (values as text; unparsable = absent).
pub fn limits(
    limit: Option<&str>,
    remaining: Option<&str>,
    retry_after: Option<&str>,
    reset: Option<&str>,
) -> Limits {
    let num = |s: Option<&str>| s.and_then(|v| v.trim().parse::<i64>().ok());
    Limits {
        limit: num(limit).and_then(|n| u32::try_from(n).ok()),
        remaining: num(remaining).and_then(|n| u32::try_from(n).ok()),
        retry_after_ms: num(retry_after)
            .filter(|s| *s >= 0)
            .map(|s| s.saturating_mul(1000)),
        reset_ms: num(reset)
            .filter(|s| *s > 0)
            .map(|s| s.saturating_mul(1000)),
    }
}

/// The verdict on one answer. `mutating`: the request may change state (so a
/// 5xx may have applied it). `Ok` is the JSON body of a success.
pub fn classify(
    status: u16,
    body: &[u8],
    mutating: bool,
    l: &Limits,
) -> Result<Value, UpstreamError> {
    let json: Option<Value> = serde_json::from_slice(body).ok();
    match status {
        401 => Err(UpstreamError::Unauthorized),
        429 => Err(UpstreamError::Throttled {
            wait: std::time::Duration::from_millis(
                u64::try_from(l.retry_after_ms.unwrap_or(super::super::pace::WINDOW_MS))
                    .unwrap_or(60_000),
            ),
        }),
        300..=399 => Err(UpstreamError::Transient {
            detail: format!(
                "the upstream answered HTTP {status}, a redirect (a login page or a proxy?): \
                 check [upstream] url"
            ),
            maybe_applied: false,
        }),
        500..=599 => Err(UpstreamError::Transient {
            detail: format!(
                "the upstream failed (HTTP {status}){}",
                message_suffix(json.as_ref())
            ),
            maybe_applied: mutating,
        }),
        200..=299 => match json {
            Some(v) if is_error(&v) => Err(rejected(&v)),
            Some(v) if v.is_object() || v.is_array() => Ok(v),
            _ => Err(UpstreamError::Transient {
                detail: format!(
                    "the upstream answered HTTP {status} with {} instead of JSON \
                     (a proxy or login page?)",
                    what_body(body)
                ),
                maybe_applied: mutating,
            }),
        },
        _ => match json {
            Some(v) => Err(UpstreamError::Rejected(format!(
                "HTTP {status}: {}",
                messages(&v).unwrap_or_else(|| "no message".into())
            ))),
            None => Err(UpstreamError::Rejected(format!(
                "HTTP {status} with {} (is [upstream] url Snipe-IT's address?)",
                what_body(body)
            ))),
        },
    }
}

fn is_error(v: &Value) -> bool {
    v.get("status").and_then(Value::as_str) == Some("error")
}

fn rejected(v: &Value) -> UpstreamError {
    UpstreamError::Rejected(format!(
        "Snipe-IT: {}",
        messages(v).unwrap_or_else(|| "error without a message".into())
    ))
}

fn message_suffix(v: Option<&Value>) -> String {
    v.and_then(messages)
        .map(|m| format!(": {m}"))
        .unwrap_or_default()
}

/// Snipe-IT's words: `messages` as a string, or `{"field": ["msg", ...]}`
/// flattened to `field: msg; ...`; else `message` or `error`.
pub fn messages(v: &Value) -> Option<String> {
    let m = v
        .get("messages")
        .or_else(|| v.get("message"))
        .or_else(|| v.get("error"))?;
    let text = match m {
        Value::String(s) => s.clone(),
        Value::Object(fields) => fields
            .iter()
            .map(|(k, v)| {
                let msgs = match v {
                    Value::Array(a) => a
                        .iter()
                        .map(|x| {
                            x.as_str()
                                .map(str::to_string)
                                .unwrap_or_else(|| x.to_string())
                        })
                        .collect::<Vec<_>>()
                        .join(", "),
                    Value::String(s) => s.clone(),
                    other => other.to_string(),
                };
                format!("{k}: {msgs}")
            })
            .collect::<Vec<_>>()
            .join("; "),
        Value::Null => return None,
        other => other.to_string(),
    };
    Some(unescape_html(&text))
}

/// Whether a body looks like HTML, for the message.
fn what_body(body: &[u8]) -> &'static str {
    let head = String::from_utf8_lossy(&body[..body.len().min(512)]).to_ascii_lowercase();
    if head.contains("<html") || head.contains("<!doctype") {
        "an HTML page"
    } else if body.is_empty() {
        "an empty body"
    } else {
        "a body that is not JSON"
    }
}

/// Snipe-IT's transformers HTML-escape strings (`&` arrives as `&amp;`).
pub fn unescape_html(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#039;", "'")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&amp;", "&")
}

/// The `id` of a created object: `payload.id` (create answers) or `id`.
pub fn created_id(v: &Value) -> Option<i64> {
    v.get("payload")
        .and_then(|p| p.get("id"))
        .or_else(|| v.get("id"))
        .and_then(Value::as_i64)
}

/// The fuzz target's body: the first two bytes are the HTTP status, the rest
/// the body; every verdict path runs, none may panic.
pub fn fuzz_one(data: &[u8]) {
    let (status, body) = match data {
        [a, b, rest @ ..] => (u16::from_be_bytes([*a, *b]) % 1000, rest),
        _ => (200, data),
    };
    let text = String::from_utf8_lossy(body);
    let l = limits(Some(&text), Some(&text), Some(&text), Some(&text));
    let _ = classify(status, body, true, &l);
    let _ = unescape_html(&text);
    if let Ok(v) = serde_json::from_slice::<Value>(body) {
        let _ = messages(&v);
        let _ = created_id(&v);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(status: u16, body: &str) -> Result<Value, UpstreamError> {
        classify(status, body.as_bytes(), true, &Limits::default())
    }

    #[test]
    fn snipe_it_errors_in_all_their_forms() {
        assert!(c(200, r#"{"status":"success","payload":{"id":3}}"#).is_ok());
        assert_eq!(
            c(
                200,
                r#"{"status":"error","messages":{"asset_tag":["The asset tag must be unique."]},"payload":null}"#
            ),
            Err(UpstreamError::Rejected(
                "Snipe-IT: asset_tag: The asset tag must be unique.".into()
            ))
        );
        assert_eq!(
            c(
                200,
                r#"{"status":"error","messages":"That asset is already checked in.","payload":null}"#
            ),
            Err(UpstreamError::Rejected(
                "Snipe-IT: That asset is already checked in.".into()
            ))
        );
        assert_eq!(
            c(401, r#"{"error":"Unauthorized or unauthenticated."}"#),
            Err(UpstreamError::Unauthorized)
        );
        assert_eq!(
            c(
                429,
                r#"{"status":"error","messages":"Too many requests","payload":null}"#
            ),
            Err(UpstreamError::Throttled {
                wait: std::time::Duration::from_secs(60)
            })
        );
        let l = limits(None, None, Some("7"), None);
        assert_eq!(
            classify(429, b"", false, &l),
            Err(UpstreamError::Throttled {
                wait: std::time::Duration::from_secs(7)
            })
        );
        match c(200, "<!DOCTYPE html><html><body>Login</body></html>") {
            Err(UpstreamError::Transient {
                detail,
                maybe_applied: true,
            }) => {
                assert!(detail.contains("HTML page"), "{detail}")
            }
            other => panic!("{other:?}"),
        }
        match c(500, r#"{"message":"Server Error"}"#) {
            Err(UpstreamError::Transient {
                detail,
                maybe_applied: true,
            }) => {
                assert!(detail.contains("Server Error"), "{detail}")
            }
            other => panic!("{other:?}"),
        }
        assert!(matches!(
            c(302, ""),
            Err(UpstreamError::Transient {
                maybe_applied: false,
                ..
            })
        ));
        assert!(matches!(
            c(404, r#"{"message":"Not found"}"#),
            Err(UpstreamError::Rejected(_))
        ));
        assert!(matches!(
            c(200, "\"just a string\""),
            Err(UpstreamError::Transient { .. })
        ));
    }

    #[test]
    fn html_entities_and_ids() {
        assert_eq!(
            unescape_html("Smith &amp; Sons &lt;UK&gt; &#039;x&#039;"),
            "Smith & Sons <UK> 'x'"
        );
        assert_eq!(unescape_html("&amp;lt;"), "&lt;");
        assert_eq!(
            created_id(&serde_json::json!({"payload": {"id": 9}})),
            Some(9)
        );
        assert_eq!(created_id(&serde_json::json!({"id": 4})), Some(4));
        assert_eq!(
            limits(Some("120"), Some("-1"), Some("x"), None).limit,
            Some(120)
        );
        assert_eq!(
            limits(Some("120"), Some("-1"), Some("x"), None).remaining,
            None
        );
    }

    proptest::proptest! {
        #[test]
        fn any_answer_is_classified_without_panicking(status in 0u16..1000, body in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..200)) {
            let _ = classify(status, &body, true, &Limits::default());
        }
    }
}
