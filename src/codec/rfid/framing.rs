//! Resynchronising framer shared by the binary protocols (Chafon, Mercury).
//!
//! A serial line gives no guarantee that a read starts on a frame boundary: a
//! reader may be mid-frame when the port opens, noise may hit the line, a
//! frame may be cut short when the reader resets. The framer asks a
//! protocol's `probe` what lies at the current position — not a frame start,
//! a frame still arriving, a frame with a good or a bad checksum — and walks
//! forward one byte at a time until a frame checks out. What it skipped is
//! classified once the next good frame is found:
//!
//! * a frame with a bad checksum, and the next good one right after it: one CRC error;
//! * the next good frame starting *inside* the bad one: the bad one was cut short (truncated);
//! * anything else skipped: garbage bytes.
//!
//! While out of step it also looks ahead past a frame that is still arriving,
//! so that a stray length byte announcing a long frame cannot stall a stream of
//! good frames behind it.
//!
//! A protocol is only its [`FrameFormat`] — how to probe, and what a checked
//! frame says — and its decoder is a [`Decoder`] over that format.

use super::DecodeStats;
use std::ops::Range;

/// What a protocol sees at the start of a byte slice.
pub enum Probe {
    /// Not a frame start.
    Skip,
    /// Could be a frame; more bytes are needed to tell.
    Need,
    /// A whole frame of this many bytes with a good checksum.
    Valid(usize),
    /// A whole frame of this many bytes whose checksum does not match.
    Bad(usize),
}

/// The probe of a frame `total` bytes long at the start of `b`, whose
/// checksum `good` checks: more bytes needed until it is all there.
#[inline]
pub fn whole(b: &[u8], total: usize, good: impl FnOnce(&[u8]) -> bool) -> Probe {
    match b.get(..total) {
        None => Probe::Need,
        Some(f) if good(f) => Probe::Valid(total),
        Some(_) => Probe::Bad(total),
    }
}

/// A binary protocol's frames, for [`Decoder`].
pub trait FrameFormat {
    /// A checked frame as callers see it, borrowing the decoder's buffer.
    type Frame<'a>;
    /// What lies at the start of `b` (never empty).
    fn probe(&self, b: &[u8]) -> Probe;
    /// The frame `f`, exactly as long as [`FrameFormat::probe`] said and checked.
    fn frame<'a>(&self, f: &'a [u8]) -> Self::Frame<'a>;
}

/// Bytes kept in front of the read position before they are compacted away.
const COMPACT_AT: usize = 8 * 1024;

/// Incremental decoder of a binary protocol: push the bytes a transport
/// delivered, pull the frames whose checksum holds; what is skipped on the
/// way is counted in [`DecodeStats`].
#[derive(Debug)]
pub struct Decoder<F> {
    format: F,
    buf: Vec<u8>,
    pos: usize,
    /// True once a good frame was seen and nothing was skipped since.
    in_sync: bool,
    /// Bytes skipped since the last good frame.
    skipped: u64,
    /// Length of the bad-checksum frame that started the current skip, if any.
    suspect: Option<u64>,
    stats: DecodeStats,
}

impl<F: FrameFormat> Decoder<F> {
    pub fn with_format(format: F) -> Decoder<F> {
        Decoder {
            format,
            buf: Vec::new(),
            pos: 0,
            in_sync: false,
            skipped: 0,
            suspect: None,
            stats: DecodeStats::default(),
        }
    }

    pub fn push(&mut self, data: &[u8]) {
        if self.pos > 0 && (self.pos == self.buf.len() || self.pos >= COMPACT_AT) {
            self.buf.drain(..self.pos);
            self.pos = 0;
        }
        self.buf.extend_from_slice(data);
    }

    /// The next complete frame with a good checksum, skipping (and counting) what is not.
    #[inline]
    pub fn next_frame(&mut self) -> Option<F::Frame<'_>> {
        let r = self.next()?;
        Some(self.format.frame(&self.buf[r]))
    }

    /// Counts a frame whose checksum holds but whose content did not parse.
    pub fn count_malformed(&mut self) {
        self.stats.malformed += 1;
    }

    /// Counts an error answer from the reader.
    pub fn count_reader_error(&mut self) {
        self.stats.reader_errors += 1;
    }

    pub fn stats(&self) -> DecodeStats {
        self.stats
    }

    /// Bytes received but not yet consumed.
    fn pending(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// The range of the next good frame in the buffer, if one is complete.
    fn next(&mut self) -> Option<Range<usize>> {
        loop {
            let rest = &self.buf[self.pos..];
            if rest.is_empty() {
                return None;
            }
            match self.format.probe(rest) {
                Probe::Valid(n) => return Some(self.accept(n)),
                Probe::Need => {
                    if self.in_sync {
                        return None;
                    }
                    // Out of step: a good frame further on wins over a maybe-frame here.
                    let ahead = (1..rest.len()).find_map(|q| match self.format.probe(&rest[q..]) {
                        Probe::Valid(n) => Some((q, n)),
                        _ => None,
                    });
                    let (q, n) = ahead?;
                    self.pos += q;
                    self.skipped += q as u64;
                    return Some(self.accept(n));
                }
                Probe::Skip => {
                    self.in_sync = false;
                    self.pos += 1;
                    self.skipped += 1;
                }
                Probe::Bad(n) => {
                    if self.in_sync {
                        self.suspect = Some(n as u64);
                        self.in_sync = false;
                    }
                    self.pos += 1;
                    self.skipped += 1;
                }
            }
        }
    }

    fn accept(&mut self, n: usize) -> Range<usize> {
        self.settle();
        let r = self.pos..self.pos + n;
        self.pos += n;
        self.in_sync = true;
        self.stats.frames += 1;
        r
    }

    /// Classifies what was skipped since the last good frame.
    fn settle(&mut self) {
        match self.suspect.take() {
            Some(n) if self.skipped < n => self.stats.truncated += 1,
            Some(n) => {
                self.stats.crc += 1;
                self.stats.garbage_bytes += self.skipped - n;
            }
            None => self.stats.garbage_bytes += self.skipped,
        }
        self.skipped = 0;
    }

    /// The line went quiet: whatever is left can no longer become a frame
    /// (the protocols allow only short gaps inside a frame). A partial frame
    /// right after a good one counts as truncated, anything else as garbage.
    pub fn idle(&mut self) {
        let left = self.pending() as u64;
        if left == 0 && self.skipped == 0 && self.suspect.is_none() {
            return;
        }
        if self.in_sync && left > 0 {
            self.stats.truncated += 1;
        } else if let Some(n) = self.suspect.take() {
            // A bad frame and then silence: a CRC error, plus any bytes beyond it.
            self.stats.crc += 1;
            self.stats.garbage_bytes += (self.skipped + left).saturating_sub(n);
        } else {
            self.stats.garbage_bytes += self.skipped + left;
        }
        self.skipped = 0;
        self.suspect = None;
        self.buf.clear();
        self.pos = 0;
        self.in_sync = true;
    }
}
