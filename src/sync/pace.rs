//! When to try again: retry backoff and rate-limit pacing, as plain functions
//! of a clock value in milliseconds (the worker's clock follows tokio's, so
//! tests can run it paused).
//!
//! * **Backoff**: capped exponential with "equal jitter" — half the delay is
//!   fixed, half random — so a fleet of stations that failed together does not
//!   retry together, and no retry comes sooner than half its step.
//! * **Pacing**: Snipe-IT throttles per user in fixed one-minute windows and
//!   sends `X-RateLimit-Limit`/`X-RateLimit-Remaining` on successful answers,
//!   but its JSON 429 carries no `Retry-After`. So: no pacing while the
//!   headers are absent (until a 429); once fewer than half the window's
//!   requests remain, the rest are spread over a window; at 0 remaining, or on
//!   a 429, nothing is sent until a whole window (or `Retry-After` /
//!   `X-RateLimit-Reset`, when the server gives one) has passed.

/// The worker's clock: wall-clock milliseconds at start, advanced by tokio's
/// clock (paused in tests), so stored due times and sleeps agree.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    base_ms: i64,
    base: tokio::time::Instant,
}

impl Clock {
    /// Starts at the system time now.
    pub fn new() -> Clock {
        let base_ms = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
            .unwrap_or(0);
        Clock {
            base_ms,
            base: tokio::time::Instant::now(),
        }
    }

    /// Milliseconds since the Unix epoch, by this clock.
    pub fn now_ms(&self) -> i64 {
        let el = i64::try_from(self.base.elapsed().as_millis()).unwrap_or(i64::MAX);
        self.base_ms.saturating_add(el)
    }

    /// Sleeps `ms` milliseconds of tokio time (nothing for 0 or less).
    pub async fn sleep_ms(&self, ms: i64) {
        if let Ok(ms) = u64::try_from(ms) {
            if ms > 0 {
                tokio::time::sleep(std::time::Duration::from_millis(ms)).await;
            }
        }
    }
}

impl Default for Clock {
    fn default() -> Self {
        Clock::new()
    }
}

/// The length of Snipe-IT's throttle window.
pub const WINDOW_MS: i64 = 60_000;

/// The delay before retry number `attempts` (1 = the first retry):
/// `min(cap, base·2^(attempts-1))`, of which half is fixed and half scaled by
/// `jitter` in [0, 1].
pub fn backoff_ms(attempts: u32, base_ms: u64, cap_ms: u64, jitter: f64) -> u64 {
    let exp = attempts.saturating_sub(1).min(40);
    let step = base_ms.saturating_mul(1u64 << exp).min(cap_ms);
    let half = step / 2;
    let j = if jitter.is_finite() {
        jitter.clamp(0.0, 1.0)
    } else {
        0.0
    };
    half + ((step - half) as f64 * j) as u64
}

/// Rate-limit state from the answers seen so far.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Pacer {
    /// The throttle window (0 means [`WINDOW_MS`]).
    window_ms: i64,
    /// No request before this time.
    blocked_until_ms: i64,
    /// At least this long between requests (0: none).
    gap_ms: i64,
    last_request_ms: Option<i64>,
}

impl Pacer {
    /// A pacer for a server whose throttle window is `window_ms` long
    /// (Snipe-IT's is a minute: [`Pacer::default`]).
    pub fn with_window(window_ms: i64) -> Pacer {
        Pacer {
            window_ms: window_ms.max(1),
            ..Pacer::default()
        }
    }

    fn window(&self) -> i64 {
        if self.window_ms > 0 {
            self.window_ms
        } else {
            WINDOW_MS
        }
    }

    /// How long to wait at `now_ms` before the next request.
    pub fn wait_ms(&self, now_ms: i64) -> i64 {
        let by_gap = self
            .last_request_ms
            .map_or(0, |last| last + self.gap_ms - now_ms);
        (self.blocked_until_ms - now_ms).max(by_gap).max(0)
    }

    /// A request goes out at `now_ms`.
    pub fn sent(&mut self, now_ms: i64) {
        self.last_request_ms = Some(now_ms);
    }

    /// An answer carried these rate-limit headers (None when absent);
    /// `reset_ms` is an absolute `X-RateLimit-Reset` time when given.
    pub fn answered(
        &mut self,
        now_ms: i64,
        limit: Option<u32>,
        remaining: Option<u32>,
        reset_ms: Option<i64>,
    ) {
        let (Some(limit), Some(remaining)) = (limit, remaining) else {
            return;
        };
        if remaining == 0 {
            self.blocked_until_ms = self
                .blocked_until_ms
                .max(reset_ms.unwrap_or(now_ms + self.window()));
            self.gap_ms = 0;
        } else if remaining.saturating_mul(2) < limit {
            self.gap_ms = self.window() / (i64::from(remaining) + 1);
        } else {
            self.gap_ms = 0;
        }
    }

    /// A 429: nothing until `Retry-After` has passed, or a whole window.
    /// Returns the wait from `now_ms`.
    pub fn throttled(&mut self, now_ms: i64, retry_after_ms: Option<i64>) -> i64 {
        let wait = retry_after_ms.filter(|w| *w >= 0).unwrap_or(self.window());
        self.blocked_until_ms = self.blocked_until_ms.max(now_ms + wait);
        wait
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_to_its_cap_with_half_of_it_random() {
        assert_eq!(backoff_ms(1, 1000, 300_000, 0.0), 500);
        assert_eq!(backoff_ms(1, 1000, 300_000, 1.0), 1000);
        assert_eq!(backoff_ms(3, 1000, 300_000, 0.0), 2000);
        assert_eq!(backoff_ms(4, 1000, 300_000, 0.5), 6000);
        assert_eq!(backoff_ms(30, 1000, 300_000, 1.0), 300_000);
        assert_eq!(backoff_ms(u32::MAX, u64::MAX, 300_000, f64::NAN), 150_000);
        assert_eq!(backoff_ms(0, 1000, 300_000, 0.0), 500);
    }

    #[test]
    fn no_pacing_without_headers_until_a_429() {
        let mut p = Pacer::default();
        p.sent(0);
        p.answered(0, None, None, None);
        assert_eq!(p.wait_ms(0), 0);
        assert_eq!(p.throttled(1_000, None), WINDOW_MS);
        assert_eq!(p.wait_ms(1_000), WINDOW_MS);
        assert_eq!(p.wait_ms(61_000), 0);
        let mut p = Pacer::default();
        assert_eq!(p.throttled(0, Some(5_000)), 5_000);
        assert_eq!(p.wait_ms(1_000), 4_000);
    }

    #[test]
    fn pacing_follows_the_remaining_count() {
        let mut p = Pacer::default();
        p.sent(0);
        p.answered(0, Some(120), Some(100), None);
        assert_eq!(p.wait_ms(1), 0, "plenty left: full speed");
        p.answered(0, Some(120), Some(29), None);
        assert_eq!(p.wait_ms(0), 2_000, "29 left: spread over a window");
        p.sent(10_000);
        assert_eq!(p.wait_ms(11_000), 1_000);
        p.answered(12_000, Some(120), Some(0), None);
        assert_eq!(p.wait_ms(12_000), WINDOW_MS);
        p.answered(13_000, Some(120), Some(120), None);
        assert_eq!(p.wait_ms(13_000), 59_000, "a block stands until it ends");
        let mut p = Pacer::with_window(1_000);
        assert_eq!(p.throttled(0, None), 1_000);
        let mut p = Pacer::default();
        p.answered(0, Some(10), Some(0), Some(7_000));
        assert_eq!(p.wait_ms(0), 7_000, "X-RateLimit-Reset when given");
    }
}
