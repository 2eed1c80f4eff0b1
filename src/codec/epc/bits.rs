//! Big-endian bit cursors over EPC memory. EPC fields are not byte aligned
//! (3-bit filter, 3-bit partition, 37-bit company prefixes...), so decoding and
//! encoding both walk the bits MSB first. The reader never indexes past the end:
//! missing bits read as zero (the caller checks the length first anyway).

/// Reads fields of up to 64 bits, most significant bit first. The first 32
/// bytes are loaded into two 128-bit words once, so each field is a shift and
/// a mask rather than a loop over bytes.
pub(super) struct BitReader {
    words: [u128; 2],
    pos: u32,
}

impl BitReader {
    pub(super) fn new(bytes: &[u8]) -> Self {
        let mut buf = [0u8; 32];
        let n = bytes.len().min(32);
        buf[..n].copy_from_slice(&bytes[..n]);
        let mut hi = [0u8; 16];
        let mut lo = [0u8; 16];
        hi.copy_from_slice(&buf[..16]);
        lo.copy_from_slice(&buf[16..]);
        Self {
            words: [u128::from_be_bytes(hi), u128::from_be_bytes(lo)],
            pos: 0,
        }
    }

    /// The next `n` bits (n ≤ 64) as an unsigned integer; zero past 256 bits.
    pub(super) fn read(&mut self, n: u32) -> u64 {
        debug_assert!(n <= 64);
        if n == 0 {
            return 0;
        }
        let pos = self.pos;
        self.pos = self.pos.saturating_add(n);
        let window = |word: u128, at: u32, len: u32| -> u128 {
            // `len` bits of `word` starting `at` bits from its top (at + len ≤ 128).
            (word << at) >> (128 - len)
        };
        let value = if pos + n <= 128 {
            window(self.words[0], pos, n)
        } else if pos >= 128 {
            if pos + n > 256 {
                return 0;
            }
            window(self.words[1], pos - 128, n)
        } else {
            let high_len = 128 - pos;
            let low_len = n - high_len;
            (window(self.words[0], pos, high_len) << low_len) | window(self.words[1], 0, low_len)
        };
        value as u64
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
    fn reads_across_the_128_bit_boundary() {
        let mut bytes = [0u8; 32];
        bytes[15] = 0x0F;
        bytes[16] = 0xF0;
        bytes[31] = 0x01;
        let mut r = BitReader::new(&bytes);
        assert_eq!(r.read(60), 0);
        assert_eq!(r.read(60), 0);
        assert_eq!(r.read(4), 0);
        assert_eq!(r.read(8), 0xFF);
        assert_eq!(r.read(64), 0);
        assert_eq!(r.read(59), 0);
        assert_eq!(r.read(1), 1);
        assert_eq!(r.read(1), 0, "past 256 bits");
    }

    #[test]
    fn reads_a_full_64_bit_field() {
        let bytes = [0xFF; 9];
        let mut r = BitReader::new(&bytes);
        assert_eq!(r.read(4), 0xF);
        assert_eq!(r.read(64), u64::MAX);
    }
}
