use super::*;

fn one(bytes: &[u8]) -> Message {
    let mut f = Framer::default();
    f.push(bytes);
    f.next_message().unwrap().unwrap()
}

#[test]
fn header_layout() {
    let k = keepalive_ack(0x01020304);
    assert_eq!(k, [0x04, 0x48, 0, 0, 0, 10, 1, 2, 3, 4]);
    let m = one(&k);
    assert_eq!((m.kind, m.id, m.body.len()), (KEEPALIVE_ACK, 0x01020304, 0));
    assert_eq!(delete_rospec(7, 0)[..2], [0x04, 21]);
}

#[test]
fn framer_waits_for_whole_messages_and_rejects_bad_lengths() {
    let mut all = reader_event_connection(1, 0, 42);
    all.extend(keepalive(2));
    let mut f = Framer::default();
    for b in &all[..all.len() - 1] {
        f.push(&[*b]);
    }
    let m = f.next_message().unwrap().unwrap();
    assert_eq!(connection_event(&m.body), Some(ConnectionEvent::Attempt(0)));
    assert_eq!(f.next_message(), Ok(None));
    f.push(&all[all.len() - 1..]);
    assert_eq!(f.next_message().unwrap().unwrap().kind, KEEPALIVE);

    let mut f = Framer::default();
    f.push(&[0x04, 0x3D, 0, 0, 0, 3, 0, 0, 0, 0]);
    assert_eq!(f.next_message(), Err(FrameError::BadLength(3)));
    let mut f = Framer::default();
    f.push(&[0x1C, 0x3D, 0, 0, 0, 10, 0, 0, 0, 0]);
    assert_eq!(f.next_message(), Err(FrameError::BadVersion(7)));
}

#[test]
fn add_rospec_has_an_immediate_start_trigger() {
    let m = one(&add_rospec(5, 1234, 1));
    assert_eq!(m.kind, ADD_ROSPEC);
    let rospec = find_tlv(&m.body, P_ROSPEC).unwrap();
    assert_eq!(&rospec[..4], &1234u32.to_be_bytes());
    let boundary = find_tlv(&rospec[6..], P_RO_BOUNDARY_SPEC).unwrap();
    assert_eq!(find_tlv(boundary, P_ROSPEC_START_TRIGGER), Some(&[1u8][..]));
    let ai = find_tlv(&rospec[6..], P_AISPEC).unwrap();
    assert_eq!(&ai[..4], &[0, 1, 0, 0]);
    let ips = find_tlv(&ai[4..], P_INVENTORY_PARAMETER_SPEC).unwrap();
    assert_eq!(ips, &[0, 1, 1]);
}

#[test]
fn status_round_trip() {
    let m = one(&status_message(ADD_ROSPEC_RESPONSE, 9, 100, "bad ROSpec"));
    assert_eq!(
        status(&m.body),
        Some(Status {
            code: 100,
            description: "bad ROSpec".into()
        })
    );
    let m = one(&reader_event_close(3, 0));
    assert_eq!(connection_event(&m.body), Some(ConnectionEvent::Close));
}

#[test]
fn tag_reports_with_epc96_and_epcdata() {
    let e96 = [0x34, 0x74, 0x25, 0x7B, 0xF4, 0, 0, 0, 0, 0, 0x16, 0x2E];
    let long = [0xE2u8; 16];
    let m = one(&ro_access_report(
        1,
        &[
            TagOut {
                epc: &e96,
                antenna: 2,
                rssi: -61,
                seen: 3,
            },
            TagOut {
                epc: &long,
                antenna: 1,
                rssi: -40,
                seen: 0,
            },
        ],
    ));
    let mut got = Vec::new();
    let bad = tag_reports(&m.body, |t| {
        got.push((t.epc.to_vec(), t.antenna, t.rssi, t.seen))
    });
    assert_eq!(bad, 0);
    assert_eq!(
        got,
        vec![
            (e96.to_vec(), Some(2), Some(-61.0), 3),
            (long.to_vec(), Some(1), Some(-40.0), 1)
        ]
    );
}

#[test]
fn broken_tag_report_is_counted_not_read() {
    // TagReportData holding an unknown TV type: cannot be walked.
    let mut body = Vec::new();
    tlv(&mut body, P_TAG_REPORT_DATA, |o| {
        o.extend_from_slice(&[0xFF, 1, 2, 3])
    });
    tlv(&mut body, P_TAG_REPORT_DATA, |o| {
        o.extend_from_slice(&[0x81, 0, 1])
    });
    body.extend_from_slice(&[0, 240, 0, 99]);
    let mut n = 0;
    assert_eq!(tag_reports(&body, |_| n += 1), 3);
    assert_eq!(n, 0);
}

#[test]
fn keepalive_spec_round_trip() {
    let m = one(&set_keepalive(9, 5000));
    assert_eq!((m.kind, m.id), (SET_READER_CONFIG, 9));
    // ResetToFactoryDefault byte, then KeepaliveSpec: type 220, length 9, periodic, 5000 ms.
    assert_eq!(m.body, [0, 0, 220, 0, 9, 1, 0, 0, 0x13, 0x88]);
    assert_eq!(keepalive_spec(&m.body), Some(Some(5000)));
    let mut null = m.body.clone();
    null[5] = 0;
    assert_eq!(keepalive_spec(&null), Some(None));
    assert_eq!(keepalive_spec(&one(&set_keepalive(1, 0)).body), Some(None));
    assert_eq!(keepalive_spec(&m.body[..8]), None);
    assert_eq!(keepalive_spec(&[]), None);
    assert_eq!(keepalive_spec(&delete_rospec(1, 0)[10..]), None);
}
