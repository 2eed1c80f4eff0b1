//! Duplicate filtering for RFID sweeps.
//!
//! A reader reports the same tag many times a second; the station wants one
//! event per tag per window. As in sllurp's deduplicator, the first sighting of
//! a key (the EPC, or the EPC and antenna) is reported at once, and later
//! sightings inside the window are suppressed without extending it. Their
//! number is not lost: it is merged into the key's next report (`count`), and
//! [`DedupeWindow::pending`] tells how many are waiting. Reads under the RSSI
//! floor are dropped before any of this; reads without RSSI pass.
//!
//! Time is a value the caller passes in (milliseconds on any monotonic clock),
//! so the window is a pure function of its inputs. Keys are [`Epc`]s held
//! inline, so a read costs one hash lookup and no allocation.

use super::{Epc, TagRead};
use std::collections::HashMap;

/// Default window, as in sllurp.
pub const DEFAULT_WINDOW_MS: u64 = 1000;

/// How many keys are remembered before expired ones are forgotten.
const MAX_KEYS: usize = 200_000;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DedupeConfig {
    pub window_ms: u64,
    /// Reads weaker than this (dBm) are dropped; reads without RSSI pass.
    pub rssi_min: Option<f32>,
    /// One report per (EPC, antenna) instead of per EPC.
    pub per_antenna: bool,
}

impl Default for DedupeConfig {
    fn default() -> DedupeConfig {
        DedupeConfig {
            window_ms: DEFAULT_WINDOW_MS,
            rssi_min: None,
            per_antenna: false,
        }
    }
}

/// One deduplicated tag sighting.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Report {
    pub epc: Epc,
    pub antenna: Option<u16>,
    pub rssi: Option<f32>,
    /// Raw reads merged into this report: this one plus those suppressed since
    /// the key's previous report.
    pub count: u32,
}

/// Counters for the UI.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DedupeCounters {
    /// Every read offered (the reader's raw rate), including its TagSeenCount.
    pub raw: u64,
    /// Reads dropped under the RSSI floor.
    pub below_floor: u64,
    /// Reports emitted.
    pub reported: u64,
    /// Distinct keys seen.
    pub unique: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct Key {
    epc: Epc,
    antenna: u32,
}

#[derive(Debug, Clone, Copy)]
struct Entry {
    window_start: u64,
    pending: u32,
}

/// The dedupe stage of one reader.
#[derive(Debug)]
pub struct DedupeWindow {
    cfg: DedupeConfig,
    seen: HashMap<Key, Entry>,
    counters: DedupeCounters,
}

impl DedupeWindow {
    pub fn new(cfg: DedupeConfig) -> DedupeWindow {
        DedupeWindow {
            cfg,
            seen: HashMap::new(),
            counters: DedupeCounters::default(),
        }
    }

    pub fn config(&self) -> DedupeConfig {
        self.cfg
    }

    /// Offers one raw read at `now_ms`; returns the report to emit, if any.
    /// EPCs that are empty or longer than [`super::MAX_EPC_BYTES`] are ignored.
    #[inline]
    pub fn offer(&mut self, read: &TagRead<'_>, now_ms: u64) -> Option<Report> {
        let seen = read.seen.max(1);
        self.counters.raw += seen as u64;
        if let (Some(floor), Some(rssi)) = (self.cfg.rssi_min, read.rssi) {
            if rssi < floor {
                self.counters.below_floor += seen as u64;
                return None;
            }
        }
        let epc = Epc::from_slice(read.epc)?;
        let antenna = match (self.cfg.per_antenna, read.antenna) {
            (true, Some(a)) => a as u32,
            _ => u32::MAX,
        };
        let key = Key { epc, antenna };
        let count = match self.seen.get_mut(&key) {
            Some(e) if now_ms.saturating_sub(e.window_start) < self.cfg.window_ms => {
                e.pending = e.pending.saturating_add(seen);
                return None;
            }
            Some(e) => {
                let count = e.pending.saturating_add(seen);
                *e = Entry {
                    window_start: now_ms,
                    pending: 0,
                };
                count
            }
            None => {
                if self.seen.len() >= MAX_KEYS {
                    self.forget_expired(now_ms);
                }
                self.seen.insert(
                    key,
                    Entry {
                        window_start: now_ms,
                        pending: 0,
                    },
                );
                self.counters.unique += 1;
                seen
            }
        };
        self.counters.reported += 1;
        Some(Report {
            epc,
            antenna: read.antenna,
            rssi: read.rssi,
            count,
        })
    }

    /// Suppressed reads waiting to be merged into their keys' next reports.
    pub fn pending(&self) -> u64 {
        self.seen.values().map(|e| e.pending as u64).sum()
    }

    pub fn counters(&self) -> DedupeCounters {
        self.counters
    }

    /// Forgets keys whose window ended with nothing suppressed (memory bound).
    fn forget_expired(&mut self, now_ms: u64) {
        let w = self.cfg.window_ms;
        self.seen
            .retain(|_, e| e.pending > 0 || now_ms.saturating_sub(e.window_start) < w);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(epc: &[u8], antenna: u16, rssi: Option<f32>) -> TagRead<'_> {
        TagRead {
            epc,
            antenna: Some(antenna),
            rssi,
            seen: 1,
        }
    }

    #[test]
    fn first_sighting_at_once_then_suppressed_without_extending() {
        let mut d = DedupeWindow::new(DedupeConfig::default());
        let r = read(&[1, 2, 3], 1, Some(-50.0));
        assert_eq!(d.offer(&r, 0).map(|x| x.count), Some(1));
        // Suppressed all through the window, even though reads keep coming.
        for t in [100, 500, 900, 999] {
            assert_eq!(d.offer(&r, t), None, "at {t}");
        }
        assert_eq!(d.pending(), 4);
        // The window started at 0 and was not extended: 1000 reports again,
        // with the four suppressed reads merged.
        let rep = d.offer(&r, 1000).unwrap();
        assert_eq!(rep.count, 5);
        assert_eq!(rep.epc.as_bytes(), &[1, 2, 3]);
        assert_eq!(d.pending(), 0);
        assert_eq!(d.offer(&r, 1999), None);
        assert_eq!(d.offer(&r, 2000).map(|x| x.count), Some(2));
        let c = d.counters();
        assert_eq!((c.raw, c.reported, c.unique), (8, 3, 1));
    }

    #[test]
    fn per_epc_or_per_antenna() {
        let mut d = DedupeWindow::new(DedupeConfig::default());
        assert!(d.offer(&read(&[9], 1, None), 0).is_some());
        assert!(d.offer(&read(&[9], 2, None), 10).is_none());
        assert!(d.offer(&read(&[8], 2, None), 10).is_some());
        let mut d = DedupeWindow::new(DedupeConfig {
            per_antenna: true,
            ..DedupeConfig::default()
        });
        assert!(d.offer(&read(&[9], 1, None), 0).is_some());
        let r = d.offer(&read(&[9], 2, None), 10).unwrap();
        assert_eq!(r.antenna, Some(2));
        assert!(d.offer(&read(&[9], 2, None), 20).is_none());
        assert_eq!(d.counters().unique, 2);
    }

    #[test]
    fn rssi_floor_drops_weak_reads_but_not_reads_without_rssi() {
        let mut d = DedupeWindow::new(DedupeConfig {
            rssi_min: Some(-60.0),
            ..DedupeConfig::default()
        });
        assert!(d.offer(&read(&[1], 1, Some(-70.0)), 0).is_none());
        assert!(d.offer(&read(&[2], 1, None), 0).is_some());
        let r = d.offer(&read(&[1], 1, Some(-60.0)), 1).unwrap();
        assert_eq!((r.count, r.rssi), (1, Some(-60.0)));
        assert_eq!(d.counters().below_floor, 1);
    }

    #[test]
    fn reader_side_counts_are_merged() {
        let mut d = DedupeWindow::new(DedupeConfig::default());
        let mut r = read(&[5], 1, None);
        r.seen = 7;
        assert_eq!(d.offer(&r, 0).unwrap().count, 7);
        assert!(d.offer(&r, 5).is_none());
        assert_eq!(d.offer(&r, 1000).unwrap().count, 14);
        assert_eq!(d.counters().raw, 21);
    }

    #[test]
    fn empty_or_oversized_epcs_are_ignored() {
        let mut d = DedupeWindow::new(DedupeConfig::default());
        assert!(d.offer(&read(&[], 1, None), 0).is_none());
        assert!(d.offer(&read(&[0u8; 63], 1, None), 0).is_none());
    }
}
