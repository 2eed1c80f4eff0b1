//! Big-endian bit cursors over EPC memory. EPC fields are not byte aligned
//! (3-bit filter, 3-bit partition, 37-bit company prefixes...), so decoding and
//! encoding both walk the bits MSB first. The reader never indexes past the end:
//! missing bits read as zero (the caller checks the length first anyway).

/// Reads fields of up to 64 bits, most significant bit first.
pub(super) struct BitReader<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl<'a> BitReader<'a> {
    pub(super) fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, pos: 0 }
    }

    /// The next `n` bits (n ≤ 64) as an unsigned integer.
    pub(super) fn read(&mut self, mut n: u32) -> u64 {
        debug_assert!(n <= 64);
        let mut value = 0u64;
        while n > 0 {
            let byte = self.bytes.get(self.pos / 8).copied().unwrap_or(0);
            let offset = (self.pos % 8) as u32;
            let available = 8 - offset;
            let take = available.min(n);
            let bits = (u64::from(byte) >> (available - take)) & ((1u64 << take) - 1);
            value = if take == 64 {
                bits
            } else {
                (value << take) | bits
            };
            self.pos += take as usize;
            n -= take;
        }
        value
    }
}

/// Writes fields of up to 64 bits, most significant bit first, into a fixed
/// buffer large enough for every supported scheme (208 bits).
pub(super) struct BitWriter {
    buf: [u8; 32],
    pos: usize,
}

impl BitWriter {
    pub(super) fn new() -> Self {
        Self {
            buf: [0; 32],
            pos: 0,
        }
    }

    /// Appends the low `n` bits of `value` (n ≤ 64). Callers check that the value fits.
    pub(super) fn write(&mut self, value: u64, mut n: u32) {
        debug_assert!(n <= 64);
        while n > 0 {
            let offset = (self.pos % 8) as u32;
            let available = 8 - offset;
            let take = available.min(n);
            let bits = ((value >> (n - take)) & ((1u64 << take) - 1)) as u8;
            if let Some(byte) = self.buf.get_mut(self.pos / 8) {
                *byte |= bits << (available - take);
            }
            self.pos += take as usize;
            n -= take;
        }
    }

    /// The first `len` bytes written (the rest of the buffer is zero padding).
    pub(super) fn bytes(&self, len: usize) -> &[u8] {
        &self.buf[..len.min(self.buf.len())]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_unaligned_fields() {
        let mut w = BitWriter::new();
        w.write(0x34, 8);
        w.write(3, 3);
        w.write(5, 3);
        w.write(614141, 24);
        w.write(u64::MAX >> 2, 62);
        let bytes = w.bytes(13).to_vec();
        let mut r = BitReader::new(&bytes);
        assert_eq!(r.read(8), 0x34);
        assert_eq!(r.read(3), 3);
        assert_eq!(r.read(5 - 2), 5);
        assert_eq!(r.read(24), 614141);
        assert_eq!(r.read(62), u64::MAX >> 2);
        assert_eq!(r.read(8), 0, "bits past the end read as zero");
    }

    #[test]
    fn reads_a_full_64_bit_field() {
        let bytes = [0xFF; 9];
        let mut r = BitReader::new(&bytes);
        assert_eq!(r.read(4), 0xF);
        assert_eq!(r.read(64), u64::MAX);
    }
}
