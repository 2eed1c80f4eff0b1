//! The two CRC-16s the serial RFID readers use.
//!
//! Chafon: reflected polynomial 0x8408, preset 0xFFFF, no final XOR, sent low
//! byte first. Mercury: polynomial 0x1021 and preset 0xFFFF, but computed the
//! way the modules compute it — the message bits are shifted *into* the
//! register (a nibble table in ThingMagic's and SparkFun's code), which is not
//! the catalogued CRC-16/CCITT-FALSE: for `00 03` the module sends 0x1D0C where
//! CCITT-FALSE gives 0x2D6C. Both are table-driven: they run on every frame of
//! an RFID sweep.

const fn chafon_table() -> [u16; 256] {
    let mut t = [0u16; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u16;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 {
                (c >> 1) ^ 0x8408
            } else {
                c >> 1
            };
            k += 1;
        }
        t[i] = c;
        i += 1;
    }
    t
}

static CHAFON: [u16; 256] = chafon_table();

/// Chafon / UHFReader18 CRC-16 over `data` (Len … last data byte).
#[inline]
pub fn chafon(data: &[u8]) -> u16 {
    let mut crc: u16 = 0xFFFF;
    for &b in data {
        crc = (crc >> 8) ^ CHAFON[((crc ^ b as u16) & 0xFF) as usize];
    }
    crc
}

/// The CCITT nibble table the Mercury modules use.
const fn mercury_nibbles() -> [u16; 16] {
    let mut t = [0u16; 16];
    let mut i = 0;
    while i < 16 {
        let mut c = (i as u16) << 12;
        let mut k = 0;
        while k < 4 {
            c = if c & 0x8000 != 0 {
                (c << 1) ^ 0x1021
            } else {
                c << 1
            };
            k += 1;
        }
        t[i] = c;
        i += 1;
    }
    t
}

static MERCURY: [u16; 16] = mercury_nibbles();

/// Mercury CRC over `data` (Len … last data byte, the 0xFF header excluded).
#[inline]
pub fn mercury(data: &[u8]) -> u16 {
    let mut crc: u16 = 0xFFFF;
    for &b in data {
        crc = ((crc << 4) | (b >> 4) as u16) ^ MERCURY[(crc >> 12) as usize];
        crc = ((crc << 4) | (b & 0x0F) as u16) ^ MERCURY[(crc >> 12) as usize];
    }
    crc
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chafon_known_frames() {
        // Inventory request `04 00 01 DB 4B`, low byte first.
        assert_eq!(chafon(&[0x04, 0x00, 0x01]), 0x4BDB);
        assert_eq!(chafon(&[0x04, 0xFF, 0x01]), 0xB41B);
        assert_eq!(chafon(&[0x04, 0x00, 0x21]), 0x6AD9);
        // The active-mode frame from the manual.
        let f = [
            0x11, 0x00, 0xEE, 0x00, 0x20, 0x00, 0x70, 0x8C, 0x2B, 0x38, 0x0B, 0x2D, 0x00, 0x00,
            0x00, 0x00, 0xE0, 0x56,
        ];
        assert_eq!(chafon(&f[..16]), 0x56E0);
        // Over a whole valid frame including its CRC, the CRC is 0.
        assert_eq!(chafon(&f), 0);
    }

    #[test]
    fn mercury_known_frames() {
        assert_eq!(mercury(&[0x00, 0x03]), 0x1D0C);
        assert_eq!(mercury(&[0x05, 0x22, 0x00, 0x00, 0x13, 0x01, 0xF4]), 0x2B19);
    }
}
