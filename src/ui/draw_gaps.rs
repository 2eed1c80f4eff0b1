//! The gap between the UI loop's draws, measured when
//! `SCANSTATION_DRAW_GAPS=FILE` is set: the loop notes each draw and each
//! change not yet drawn, and on the way out writes one JSON line to FILE —
//! `{"draws", "p50_ms", "p99_ms", "max_ms", "stale_p50_ms", "stale_p99_ms",
//! "stale_max_ms"}` — so that a sweep's effect on the frame rate can be
//! measured on the real terminal (BENCHMARKS.md). The loop draws only when
//! something changed, so a gap between draws is also the time nothing did;
//! `stale` is the time from the first change not yet drawn to the end of the
//! draw that shows it: what a walker waits to see a read. Unset, nothing is
//! kept.

use std::path::PathBuf;
use std::time::{Duration, Instant};

/// The environment variable naming the file the summary goes to.
pub const ENV: &str = "SCANSTATION_DRAW_GAPS";

#[derive(Debug, Default)]
pub struct DrawGaps {
    path: Option<PathBuf>,
    last: Option<Instant>,
    gaps: Vec<Duration>,
    /// The first change since the last draw.
    pending: Option<Instant>,
    stale: Vec<Duration>,
}

/// Gap statistics, in milliseconds.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Summary {
    pub draws: usize,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub stale_p50_ms: f64,
    pub stale_p99_ms: f64,
    pub stale_max_ms: f64,
}

/// (p50, p99, max) of `d`, in milliseconds; None when empty.
fn quantiles(d: &[Duration]) -> Option<(f64, f64, f64)> {
    let mut g: Vec<f64> = d.iter().map(|d| d.as_secs_f64() * 1e3).collect();
    if g.is_empty() {
        return None;
    }
    g.sort_by(f64::total_cmp);
    let at = |q: f64| g[((g.len() - 1) as f64 * q).round() as usize];
    Some((at(0.50), at(0.99), at(1.0)))
}

impl DrawGaps {
    /// Measuring when [`ENV`] names a file.
    pub fn from_env() -> DrawGaps {
        DrawGaps {
            path: std::env::var_os(ENV).map(PathBuf::from),
            ..DrawGaps::default()
        }
    }

    /// Measuring into nothing (tests).
    #[cfg(test)]
    pub fn measuring() -> DrawGaps {
        DrawGaps {
            path: Some(PathBuf::new()),
            ..DrawGaps::default()
        }
    }

    /// Something changed at `at` that the screen does not show yet.
    pub fn changed(&mut self, at: Instant) {
        if self.path.is_some() && self.pending.is_none() {
            self.pending = Some(at);
        }
    }

    /// A draw ended at `at`.
    pub fn drew(&mut self, at: Instant) {
        if self.path.is_none() {
            return;
        }
        if let Some(last) = self.last {
            self.gaps.push(at.saturating_duration_since(last));
        }
        if let Some(since) = self.pending.take() {
            self.stale.push(at.saturating_duration_since(since));
        }
        self.last = Some(at);
    }

    /// The gaps so far, or None when there were none.
    pub fn summary(&self) -> Option<Summary> {
        let (p50_ms, p99_ms, max_ms) = quantiles(&self.gaps)?;
        let (stale_p50_ms, stale_p99_ms, stale_max_ms) =
            quantiles(&self.stale).unwrap_or((0.0, 0.0, 0.0));
        Some(Summary {
            draws: self.gaps.len() + 1,
            p50_ms,
            p99_ms,
            max_ms,
            stale_p50_ms,
            stale_p99_ms,
            stale_max_ms,
        })
    }

    /// Writes the summary to the file named, if any.
    pub fn write(&self) -> std::io::Result<()> {
        let (Some(path), Some(s)) = (self.path.as_ref(), self.summary()) else {
            return Ok(());
        };
        if path.as_os_str().is_empty() {
            return Ok(());
        }
        let line = serde_json::to_string(&s).map_err(std::io::Error::other)?;
        std::fs::write(path, line + "\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_of_the_gaps() {
        let mut d = DrawGaps::measuring();
        let t = Instant::now();
        assert_eq!(d.summary(), None);
        for i in 0..=100u64 {
            // 99 gaps of 33 ms, one of 200 ms; a change 10 ms before each.
            let extra = if i == 100 { 167 } else { 0 };
            let at = t + Duration::from_millis(33 * i + extra + 10);
            d.changed(at - Duration::from_millis(10));
            d.changed(at - Duration::from_millis(5));
            d.drew(at);
        }
        let s = d.summary().unwrap();
        assert_eq!(s.draws, 101);
        assert_eq!(s.p50_ms, 33.0);
        assert_eq!(s.p99_ms, 33.0);
        assert_eq!(s.max_ms, 200.0);
        assert_eq!(s.stale_p99_ms, 10.0);
        let mut off = DrawGaps::default();
        off.drew(t);
        off.drew(t + Duration::from_secs(1));
        assert_eq!(off.summary(), None);
    }
}
