use super::super::DecodeStats;
use super::*;

const MANUAL_ACTIVE: [u8; 18] = [
    0x11, 0x00, 0xEE, 0x00, 0x20, 0x00, 0x70, 0x8C, 0x2B, 0x38, 0x0B, 0x2D, 0x00, 0x00, 0x00, 0x00,
    0xE0, 0x56,
];
const EPC: [u8; 12] = [
    0x20, 0x00, 0x70, 0x8C, 0x2B, 0x38, 0x0B, 0x2D, 0x00, 0x00, 0x00, 0x00,
];

type Decoded = Vec<(u8, Option<u8>, Vec<u8>)>;

fn frames(bytes: &[u8]) -> (Decoded, DecodeStats) {
    let mut d = Decoder::new(Direction::FromReader);
    d.push(bytes);
    let mut out = Vec::new();
    while let Some(f) = d.next_frame() {
        out.push((f.cmd, f.status, f.data.to_vec()));
    }
    (out, d.stats())
}

#[test]
fn encodes_the_manual_frames() {
    assert_eq!(inventory_request(0), [0x04, 0x00, 0x01, 0xDB, 0x4B]);
    assert_eq!(inventory_request(BROADCAST), [0x04, 0xFF, 0x01, 0x1B, 0xB4]);
    let mut v = Vec::new();
    write_active_frame(&mut v, 0, &EPC);
    assert_eq!(v, MANUAL_ACTIVE);
}

#[test]
fn decodes_an_active_frame_split_anywhere() {
    for cut in 0..MANUAL_ACTIVE.len() {
        let mut d = Decoder::new(Direction::FromReader);
        d.push(&MANUAL_ACTIVE[..cut]);
        let early = d.next_frame().map(|f| f.data.to_vec());
        assert_eq!(early, None, "cut {cut}");
        d.push(&MANUAL_ACTIVE[cut..]);
        let f = d.next_frame().unwrap();
        assert_eq!(reply(&f), Reply::Active(&EPC));
        assert_eq!(d.stats().frames, 1);
        assert_eq!(d.stats().garbage_bytes, 0);
    }
}

#[test]
fn inventory_answer_lists_tags_across_frames() {
    let epcs: Vec<Vec<u8>> = (0..40u8)
        .map(|i| vec![0x30, i, 1, 2, 3, 4, 5, 6, 7, 8, 9, i])
        .collect();
    let refs: Vec<&[u8]> = epcs.iter().map(|e| e.as_slice()).collect();
    let bytes = encode_inventory_response(0, STATUS_DONE, &refs);
    let mut d = Decoder::new(Direction::FromReader);
    d.push(&bytes);
    let mut got = Vec::new();
    let mut lasts = Vec::new();
    while let Some(f) = d.next_frame() {
        match reply(&f) {
            Reply::Inventory { tags, last } => {
                lasts.push(last);
                for t in tags {
                    got.push(t.unwrap().to_vec());
                }
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(got, epcs);
    assert!(lasts.len() > 1);
    assert_eq!(lasts.last(), Some(&true));
    assert!(lasts[..lasts.len() - 1].iter().all(|l| !l));
}

#[test]
fn no_tag_and_refused() {
    let (f, _) = frames(&encode_inventory_response(0, STATUS_DONE, &[]));
    assert_eq!(f, vec![(CMD_INVENTORY, Some(STATUS_NO_TAG), vec![])]);
    let mut v = Vec::new();
    write_response(&mut v, 0, RE_ILLEGAL, STATUS_ILLEGAL, &[]);
    let mut d = Decoder::new(Direction::FromReader);
    d.push(&v);
    assert_eq!(reply(&d.next_frame().unwrap()), Reply::Refused);
}

#[test]
fn inconsistent_inventory_data_is_an_error_not_a_tag() {
    let mut v = Vec::new();
    // Num says 2 but only one tag follows, then a length running past the end.
    write_response(
        &mut v,
        0,
        CMD_INVENTORY,
        STATUS_DONE,
        &[2, 2, 0xAA, 0xBB, 9, 1],
    );
    let mut d = Decoder::new(Direction::FromReader);
    d.push(&v);
    let f = d.next_frame().unwrap();
    let Reply::Inventory { tags, .. } = reply(&f) else {
        panic!()
    };
    let items: Vec<_> = tags.collect();
    assert_eq!(items, vec![Ok(&[0xAA, 0xBB][..]), Err(())]);
}

#[test]
fn garbage_before_and_between_frames_is_counted() {
    let mut bytes = vec![0x00, 0x01, 0x02, 0x03];
    bytes.extend_from_slice(&MANUAL_ACTIVE);
    bytes.extend_from_slice(&[0x02, 0x02]);
    bytes.extend_from_slice(&MANUAL_ACTIVE);
    let (f, s) = frames(&bytes);
    assert_eq!(f.len(), 2);
    assert_eq!(s.garbage_bytes, 6);
    assert_eq!(s.crc, 0);
    assert_eq!(s.truncated, 0);
}

#[test]
fn crc_error_is_one_error_and_the_next_frame_survives() {
    let mut bad = MANUAL_ACTIVE;
    bad[7] ^= 0x40;
    let mut bytes = MANUAL_ACTIVE.to_vec();
    bytes.extend_from_slice(&bad);
    bytes.extend_from_slice(&MANUAL_ACTIVE);
    let (f, s) = frames(&bytes);
    assert_eq!(f.len(), 2, "the corrupted frame is never delivered");
    assert!(f.iter().all(|(_, _, d)| d == &EPC));
    assert_eq!(s.crc, 1);
    assert_eq!(s.garbage_bytes, 0);
    assert_eq!(s.truncated, 0);
}

#[test]
fn truncated_frame_followed_by_a_good_one() {
    let mut bytes = MANUAL_ACTIVE.to_vec();
    bytes.extend_from_slice(&MANUAL_ACTIVE[..9]);
    bytes.extend_from_slice(&MANUAL_ACTIVE);
    bytes.extend_from_slice(&MANUAL_ACTIVE);
    let (f, s) = frames(&bytes);
    assert_eq!(f.len(), 3);
    assert_eq!(s.truncated, 1);
    assert_eq!(s.crc, 0);
}

#[test]
fn a_quiet_line_drops_a_partial_frame() {
    let mut d = Decoder::new(Direction::FromReader);
    d.push(&MANUAL_ACTIVE);
    assert!(d.next_frame().is_some());
    d.push(&MANUAL_ACTIVE[..10]);
    assert!(d.next_frame().is_none());
    d.idle();
    assert_eq!(d.stats().truncated, 1);
    d.push(&MANUAL_ACTIVE);
    assert!(d.next_frame().is_some());
}

#[test]
fn a_stray_long_length_does_not_stall_good_frames() {
    let mut bytes = vec![0xF0];
    for _ in 0..3 {
        bytes.extend_from_slice(&MANUAL_ACTIVE);
    }
    let (f, s) = frames(&bytes);
    assert_eq!(f.len(), 3);
    assert_eq!(s.garbage_bytes, 1);
}

#[test]
fn commands_decode_on_the_reader_side() {
    let mut d = Decoder::new(Direction::ToReader);
    d.push(&[0x55]);
    d.push(&inventory_request(0));
    d.push(&encode_command(0, CMD_SCAN_TIME, &[0x0A]));
    let f = d.next_frame().unwrap();
    assert_eq!((f.cmd, f.status, f.data), (CMD_INVENTORY, None, &[][..]));
    let f = d.next_frame().unwrap();
    assert_eq!((f.cmd, f.data), (CMD_SCAN_TIME, &[0x0A][..]));
    assert_eq!(d.stats().garbage_bytes, 1);
}

#[test]
fn random_noise_never_yields_a_tag_claim_without_a_valid_crc() {
    // Deterministic pseudo-random noise: every frame it yields has a valid CRC by construction.
    let mut x: u32 = 12345;
    let noise: Vec<u8> = (0..20_000)
        .map(|_| {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
            (x >> 16) as u8
        })
        .collect();
    fuzz_one(&noise);
    let mut d = Decoder::new(Direction::FromReader);
    d.push(&noise);
    let mut n = 0;
    while d.next_frame().is_some() {
        n += 1;
    }
    d.idle();
    assert!(n < 3, "{n} frames from noise");
    assert!(d.stats().garbage_bytes > 19_000, "{:?}", d.stats());
}
