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
use std::hash::{Hash, Hasher};

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

/// The key of an EPC of 1 to 12 bytes (every 96-bit scheme) as two words:
/// the EPC zero-padded to 12 bytes, then its length, an antenna flag and the
/// antenna. Built with word loads, never staged byte by byte through memory
/// (a wide load over narrow stores stalls), and hashed as two `u64`s, which
/// SipHash takes on its integer fast path where a 16-byte `write` (or
/// `write_u128`) goes through the general byte loop at about twice the cost.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ShortKey(u64, u64);

impl Hash for ShortKey {
    #[inline]
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.0);
        state.write_u64(self.1)
    }
}

impl ShortKey {
    /// None when `epc` is empty or longer than 12 bytes.
    #[inline]
    fn new(epc: &[u8], antenna: Option<u16>) -> Option<ShortKey> {
        let (hi, lo) = match <&[u8; 12]>::try_from(epc) {
            Ok(e) => words(e),
            Err(_) if !epc.is_empty() && epc.len() < 12 => {
                let mut b = [0u8; 12];
                b[..epc.len()].copy_from_slice(epc);
                words(&b)
            }
            Err(_) => return None,
        };
        let tail = match antenna {
            Some(a) => (1 << 16) | u64::from(a),
            None => 0,
        };
        Some(ShortKey(hi, lo | (epc.len() as u64) << 24 | tail))
    }
}

/// Twelve bytes as two big-endian words, the second in its high half.
#[inline]
fn words(e: &[u8; 12]) -> (u64, u64) {
    let hi = u64::from_be_bytes([e[0], e[1], e[2], e[3], e[4], e[5], e[6], e[7]]);
    let lo = u32::from_be_bytes([e[8], e[9], e[10], e[11]]);
    (hi, u64::from(lo) << 32)
}

/// The key of a longer EPC (up to 496 bits), still held inline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
struct LongKey {
    epc: Epc,
    antenna: Option<u16>,
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
    short: HashMap<ShortKey, Entry>,
    long: HashMap<LongKey, Entry>,
    counters: DedupeCounters,
}

impl DedupeWindow {
    pub fn new(cfg: DedupeConfig) -> DedupeWindow {
        DedupeWindow {
            cfg,
            short: HashMap::new(),
            long: HashMap::new(),
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
        let antenna = if self.cfg.per_antenna {
            read.antenna
        } else {
            None
        };
        let window = self.cfg.window_ms;
        // The hot path (every 96-bit EPC) stays small enough to inline into
        // the reader's loop; longer EPCs and the reports themselves are
        // built out of line.
        let count = match ShortKey::new(read.epc, antenna) {
            Some(k) => {
                let (entry, new) = slot(&mut self.short, k, now_ms, window);
                step(entry, new, now_ms, window, seen, &mut self.counters)?
            }
            None if read.epc.is_empty() => return None,
            None => self.offer_long(read.epc, antenna, now_ms, seen)?,
        };
        self.report(read, count)
    }

    #[cold]
    #[inline(never)]
    fn offer_long(
        &mut self,
        epc: &[u8],
        antenna: Option<u16>,
        now_ms: u64,
        seen: u32,
    ) -> Option<u32> {
        let k = LongKey {
            epc: Epc::from_slice(epc)?,
            antenna,
        };
        let window = self.cfg.window_ms;
        let (entry, new) = slot(&mut self.long, k, now_ms, window);
        step(entry, new, now_ms, window, seen, &mut self.counters)
    }

    #[inline(never)]
    fn report(&mut self, read: &TagRead<'_>, count: u32) -> Option<Report> {
        let epc = Epc::from_slice(read.epc)?;
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
        let p = |e: &Entry| e.pending as u64;
        self.short.values().map(p).sum::<u64>() + self.long.values().map(p).sum::<u64>()
    }

    pub fn counters(&self) -> DedupeCounters {
        self.counters
    }
}

/// Applies one read of `seen` sightings to its key's entry: the count to
/// report now, or None while the key's window is still open.
#[inline]
fn step(
    entry: &mut Entry,
    new: bool,
    now_ms: u64,
    window: u64,
    seen: u32,
    counters: &mut DedupeCounters,
) -> Option<u32> {
    if new {
        counters.unique += 1;
        *entry = Entry {
            window_start: now_ms,
            pending: 0,
        };
        Some(seen)
    } else if now_ms.saturating_sub(entry.window_start) < window {
        entry.pending = entry.pending.saturating_add(seen);
        None
    } else {
        let count = entry.pending.saturating_add(seen);
        *entry = Entry {
            window_start: now_ms,
            pending: 0,
        };
        Some(count)
    }
}

/// The entry for `k`, and whether it is new. When the map is full, keys
/// whose window ended with nothing suppressed are forgotten first (memory bound).
#[inline]
fn slot<K: Hash + Eq>(
    map: &mut HashMap<K, Entry>,
    k: K,
    now_ms: u64,
    window: u64,
) -> (&mut Entry, bool) {
    if map.len() >= MAX_KEYS && !map.contains_key(&k) {
        map.retain(|_, e| e.pending > 0 || now_ms.saturating_sub(e.window_start) < window);
    }
    let mut new = false;
    let e = map.entry(k).or_insert_with(|| {
        new = true;
        Entry {
            window_start: now_ms,
            pending: 0,
        }
    });
    (e, new)
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
    fn keys_tell_lengths_and_antennas_apart() {
        // Zero padding must not merge EPCs of different lengths, on either
        // side of the 12-byte short-key limit.
        let mut d = DedupeWindow::new(DedupeConfig {
            per_antenna: true,
            ..DedupeConfig::default()
        });
        let twelve = [7u8; 12];
        let mut thirteen = [0u8; 13];
        thirteen[..12].copy_from_slice(&twelve);
        let mut eleven_padded = [0u8; 12];
        eleven_padded[..11].copy_from_slice(&twelve[..11]);
        for e in [
            &[1u8, 2][..],
            &[1, 2, 0],
            &twelve,
            &thirteen,
            &twelve[..11],
            &eleven_padded,
        ] {
            assert!(d.offer(&read(e, 1, None), 0).is_some(), "{e:?}");
            assert!(d.offer(&read(e, 1, None), 1).is_none(), "{e:?}");
        }
        let mut no_antenna = read(&twelve, 1, None);
        no_antenna.antenna = None;
        assert!(d.offer(&no_antenna, 2).is_some());
        assert!(d.offer(&read(&twelve, 0, None), 2).is_some());
        assert!(d.offer(&read(&twelve, 0x0100, None), 2).is_some());
        assert_eq!(d.counters().unique, 9);
    }

    #[test]
    fn empty_or_oversized_epcs_are_ignored() {
        let mut d = DedupeWindow::new(DedupeConfig::default());
        assert!(d.offer(&read(&[], 1, None), 0).is_none());
        assert!(d.offer(&read(&[0u8; 63], 1, None), 0).is_none());
    }
}
