//! The webhook's signature scheme, both sides of it: the station signs, a
//! receiver verifies (the test receiver uses [`verify`]; docs/sync.md shows
//! the same check in a few lines of Python).
//!
//! ```text
//! X-Scanstation-Timestamp: <Unix seconds when sent>
//! X-Scanstation-Signature: sha256=<lowercase hex HMAC-SHA256(secret, "<timestamp>.<body>")>
//! Idempotency-Key:         <the event's UUID>
//! X-Scanstation-Journal-Head: <seq>:<hash>   (the station's journal head)
//! ```
//!
//! Why a timestamp under the MAC: a captured request replayed later is
//! refused once it is more than [`MAX_SKEW_SECS`] old, and a receiver needs
//! to remember Idempotency-Keys only for that long plus its own retention.
//! The secret itself never travels; only the MAC does.
//!
//! Pure and total: any bytes in the headers are taken without panicking
//! (fuzzed by `fuzz_one`).

use hmac::{Hmac, Mac};
use sha2::Sha256;

/// Receivers refuse a timestamp further than this from their clock.
pub const MAX_SKEW_SECS: i64 = 300;
/// The event's UUID: the same on every attempt, so receivers dedupe by it.
pub const IDEMPOTENCY_KEY: &str = "Idempotency-Key";
/// Unix seconds when the request was signed.
pub const TIMESTAMP: &str = "X-Scanstation-Timestamp";
/// `sha256=<hex>` over `"<timestamp>.<body>"`.
pub const SIGNATURE: &str = "X-Scanstation-Signature";
/// `<seq>:<hash>`, the station's journal head when the batch was claimed
/// (what `scanstation verify --head` takes).
pub const JOURNAL_HEAD: &str = "X-Scanstation-Journal-Head";

type HmacSha256 = Hmac<Sha256>;

fn mac(secret: &[u8], timestamp: &str, body: &[u8]) -> HmacSha256 {
    // HMAC takes a key of any length: `new_from_slice` cannot fail for it.
    let mut m =
        HmacSha256::new_from_slice(secret).unwrap_or_else(|_| HmacSha256::new(&Default::default()));
    m.update(timestamp.as_bytes());
    m.update(b".");
    m.update(body);
    m
}

/// The `X-Scanstation-Signature` value for `body` sent at `timestamp`.
pub fn signature(secret: &[u8], timestamp: i64, body: &[u8]) -> String {
    let tag = mac(secret, &timestamp.to_string(), body)
        .finalize()
        .into_bytes();
    format!("sha256={}", hex::encode(tag))
}

/// Why a receiver refuses a request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    #[error("no X-Scanstation-Timestamp header")]
    NoTimestamp,
    #[error("X-Scanstation-Timestamp is not Unix seconds")]
    BadTimestamp,
    #[error("no X-Scanstation-Signature header")]
    NoSignature,
    #[error("X-Scanstation-Signature is not sha256=<64 hex digits>")]
    BadSignature,
    #[error("the signature does not match: a different secret, or the body was changed")]
    Mismatch,
    #[error(
        "the timestamp is {skew} s from the receiver's clock (more than {MAX_SKEW_SECS} s): \
         check both clocks"
    )]
    Skewed { skew: i64 },
}

/// A receiver's check of one request: the raw header values (None when
/// absent), the body bytes exactly as received, and the receiver's clock.
/// The MAC is compared in constant time, before the clock, so a request
/// without the secret learns nothing about the receiver's clock. Returns the
/// timestamp.
pub fn verify(
    secret: &[u8],
    timestamp: Option<&[u8]>,
    signature: Option<&[u8]>,
    body: &[u8],
    now_secs: i64,
) -> Result<i64, Refusal> {
    let ts_text = std::str::from_utf8(timestamp.ok_or(Refusal::NoTimestamp)?)
        .map_err(|_| Refusal::BadTimestamp)?
        .trim();
    if ts_text.is_empty() || !ts_text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(Refusal::BadTimestamp);
    }
    let ts: i64 = ts_text.parse().map_err(|_| Refusal::BadTimestamp)?;
    let sig = signature.ok_or(Refusal::NoSignature)?;
    let sig = sig.trim_ascii();
    let hex_part = sig.strip_prefix(b"sha256=").ok_or(Refusal::BadSignature)?;
    if hex_part.len() != 64 {
        return Err(Refusal::BadSignature);
    }
    let tag = hex::decode(hex_part).map_err(|_| Refusal::BadSignature)?;
    mac(secret, ts_text, body)
        .verify_slice(&tag)
        .map_err(|_| Refusal::Mismatch)?;
    let skew = now_secs.saturating_sub(ts);
    if skew.saturating_abs() > MAX_SKEW_SECS {
        return Err(Refusal::Skewed { skew });
    }
    Ok(ts)
}

/// `<seq>:<hash>` for the journal-head header.
pub fn format_head(seq: i64, hash: &str) -> String {
    format!("{seq}:{hash}")
}

/// A journal-head header back into (seq, hash): a non-negative seq, a colon,
/// 64 lowercase hex digits. None for anything else.
pub fn parse_head(value: &[u8]) -> Option<(i64, String)> {
    let text = std::str::from_utf8(value.trim_ascii()).ok()?;
    let (seq, hash) = text.split_once(':')?;
    if seq.is_empty() || !seq.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let seq: i64 = seq.parse().ok()?;
    let hex_ok = hash.len() == 64
        && hash
            .bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    hex_ok.then(|| (seq, hash.to_string()))
}

/// The fuzz target's body: the input's first line is the timestamp header,
/// the second the signature header, the third the head header, the rest the
/// body. Nothing may panic.
#[cfg(any(test, feature = "fuzzing"))]
pub fn fuzz_one(data: &[u8]) {
    let mut parts = data.splitn(4, |b| *b == b'\n');
    let ts = parts.next();
    let sig = parts.next();
    let head = parts.next().unwrap_or_default();
    let body = parts.next().unwrap_or_default();
    let _ = parse_head(head);
    for now in [0, i64::MIN, i64::MAX, 1_800_000_000] {
        let _ = verify(b"fuzz-secret", ts, sig, body, now);
    }
    if let Some(t) = ts
        .and_then(|t| std::str::from_utf8(t).ok())
        .and_then(|t| t.trim().parse::<i64>().ok())
    {
        let s = signature(b"fuzz-secret", t, body);
        let ok = verify(
            b"fuzz-secret",
            Some(t.to_string().as_bytes()),
            Some(s.as_bytes()),
            body,
            t,
        );
        assert!(t < 0 || ok.is_ok(), "a fresh signature must verify");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A vector computed outside Rust:
    /// `printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac Jefe`.
    #[test]
    fn the_signature_matches_openssl() {
        assert_eq!(
            signature(b"Jefe", 1_700_000_000, br#"{"a":1}"#),
            "sha256=fa5f6481efc59da48b19c9dc10196c9953e5651f8304b3a318b6b87d70272e0a"
        );
    }

    #[test]
    fn a_receiver_accepts_the_stations_signature_and_nothing_else() {
        let body = br#"{"seq":1,"uuid":"u"}"#;
        let ts = 1_800_000_000;
        let sig = signature(b"s3cret", ts, body);
        let ts_h = ts.to_string();
        let ok = |secret: &[u8], b: &[u8], now| {
            verify(secret, Some(ts_h.as_bytes()), Some(sig.as_bytes()), b, now)
        };
        assert_eq!(ok(b"s3cret", body, ts), Ok(ts));
        assert_eq!(ok(b"s3cret", body, ts + 300), Ok(ts));
        assert_eq!(ok(b"s3cret", body, ts - 300), Ok(ts));
        assert_eq!(
            ok(b"s3cret", body, ts + 301),
            Err(Refusal::Skewed { skew: 301 })
        );
        assert_eq!(
            ok(b"s3cret", body, ts - 301),
            Err(Refusal::Skewed { skew: -301 })
        );
        assert_eq!(ok(b"other", body, ts), Err(Refusal::Mismatch));
        assert_eq!(
            ok(b"s3cret", br#"{"seq":2,"uuid":"u"}"#, ts),
            Err(Refusal::Mismatch)
        );
        // The timestamp is under the MAC: moving it breaks the signature.
        let later = (ts + 100).to_string();
        assert_eq!(
            verify(
                b"s3cret",
                Some(later.as_bytes()),
                Some(sig.as_bytes()),
                body,
                ts
            ),
            Err(Refusal::Mismatch)
        );
        let v = |t: Option<&[u8]>, s: Option<&[u8]>| verify(b"s3cret", t, s, body, ts);
        assert_eq!(v(None, Some(sig.as_bytes())), Err(Refusal::NoTimestamp));
        assert_eq!(
            v(Some(b"-5"), Some(sig.as_bytes())),
            Err(Refusal::BadTimestamp)
        );
        assert_eq!(
            v(Some(b"1e9"), Some(sig.as_bytes())),
            Err(Refusal::BadTimestamp)
        );
        assert_eq!(v(Some(ts_h.as_bytes()), None), Err(Refusal::NoSignature));
        assert_eq!(
            v(Some(ts_h.as_bytes()), Some(b"md5=00")),
            Err(Refusal::BadSignature)
        );
        assert_eq!(
            v(Some(ts_h.as_bytes()), Some(&sig.as_bytes()[..70])),
            Err(Refusal::BadSignature)
        );
        assert!(Refusal::Skewed { skew: 301 }.to_string().contains("300 s"));
    }

    #[test]
    fn heads_round_trip() {
        let h = "ab".repeat(32);
        assert_eq!(
            parse_head(format_head(42, &h).as_bytes()),
            Some((42, h.clone()))
        );
        assert_eq!(
            parse_head(format!(" 0:{h}\r").as_bytes()),
            Some((0, h.clone()))
        );
        assert_eq!(parse_head(format!("-1:{h}").as_bytes()), None);
        assert_eq!(
            parse_head(format!("1:{}", h.to_uppercase()).as_bytes()),
            None
        );
        assert_eq!(parse_head(b"1:abc"), None);
        assert_eq!(parse_head(b"99999999999999999999:x"), None);
        assert_eq!(parse_head(b"\xff"), None);
    }

    proptest::proptest! {
        #[test]
        fn nothing_panics(data in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..300)) {
            fuzz_one(&data);
        }
    }
}
