//! LLRP (EPCglobal Low Level Reader Protocol) over TCP: the messages of a
//! minimal inventory session, both ways.
//!
//! Big-endian. A message is a 10-byte header — u16 (version << 10 | type),
//! u32 total length, u32 message id — and a body of parameters: TLV (u16
//! type, u16 length including its header, value) or TV (one byte 0x80 | type,
//! then a value whose size the type fixes). The station needs: the reader's
//! ConnectionAttemptEvent, DELETE/ADD/ENABLE_ROSPEC and their responses'
//! LLRPStatus, RO_ACCESS_REPORT's TagReportData (EPC-96 or EPCData, AntennaID,
//! PeakRSSI, TagSeenCount), KEEPALIVE/KEEPALIVE_ACK, ERROR_MESSAGE and
//! CLOSE_CONNECTION. The simulators use the encoders for the reader's side.
//!
//! TCP gives no frame boundaries to resynchronise on, so a length the framer
//! cannot believe is an error that ends the connection, not something to skip.

use super::TagRead;
use std::fmt;

pub const GET_READER_CAPABILITIES: u16 = 1;
pub const SET_READER_CONFIG: u16 = 3;
pub const SET_READER_CONFIG_RESPONSE: u16 = 13;
pub const ADD_ROSPEC: u16 = 20;
pub const DELETE_ROSPEC: u16 = 21;
pub const START_ROSPEC: u16 = 22;
pub const ENABLE_ROSPEC: u16 = 24;
pub const CLOSE_CONNECTION: u16 = 14;
pub const CLOSE_CONNECTION_RESPONSE: u16 = 4;
pub const ADD_ROSPEC_RESPONSE: u16 = 30;
pub const DELETE_ROSPEC_RESPONSE: u16 = 31;
pub const ENABLE_ROSPEC_RESPONSE: u16 = 34;
pub const RO_ACCESS_REPORT: u16 = 61;
pub const KEEPALIVE: u16 = 62;
pub const READER_EVENT_NOTIFICATION: u16 = 63;
pub const KEEPALIVE_ACK: u16 = 72;
pub const ERROR_MESSAGE: u16 = 100;

const P_UTC_TIMESTAMP: u16 = 128;
const P_ROSPEC: u16 = 177;
const P_RO_BOUNDARY_SPEC: u16 = 178;
const P_ROSPEC_START_TRIGGER: u16 = 179;
const P_ROSPEC_STOP_TRIGGER: u16 = 182;
const P_AISPEC: u16 = 183;
const P_AISPEC_STOP_TRIGGER: u16 = 184;
const P_INVENTORY_PARAMETER_SPEC: u16 = 186;
const P_RO_REPORT_SPEC: u16 = 237;
const P_KEEPALIVE_SPEC: u16 = 220;
const P_TAG_REPORT_CONTENT_SELECTOR: u16 = 238;
const P_TAG_REPORT_DATA: u16 = 240;
const P_EPC_DATA: u16 = 241;
const P_READER_EVENT_NOTIFICATION_DATA: u16 = 246;
const P_CONNECTION_ATTEMPT_EVENT: u16 = 256;
const P_CONNECTION_CLOSE_EVENT: u16 = 257;
const P_LLRP_STATUS: u16 = 287;

const TV_ANTENNA_ID: u8 = 1;
const TV_PEAK_RSSI: u8 = 6;
const TV_TAG_SEEN_COUNT: u8 = 8;
const TV_EPC_96: u8 = 13;

/// The largest message the framer accepts.
pub const MAX_MESSAGE: u32 = 1 << 20;
const HEADER: usize = 10;

/// Size of a TV parameter's value, by type (LLRP 1.1 §16.2.1); None for unknown types.
fn tv_size(t: u8) -> Option<usize> {
    Some(match t {
        1 | 7 | 8 | 10 | 11 | 12 | 14 | 15 | 17 | 19 | 20 => 2,
        2..=5 => 8,
        6 => 1,
        9 | 16 | 18 => 4,
        13 => 12,
        _ => return None,
    })
}

/// One message: its type, id and the parameter bytes after the header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub kind: u16,
    pub id: u32,
    pub body: Vec<u8>,
}

/// Why the byte stream cannot be framed any further.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FrameError {
    /// A length under the header size or over [`MAX_MESSAGE`].
    BadLength(u32),
    /// A protocol version other than 1 or 2.
    BadVersion(u8),
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FrameError::BadLength(n) => write!(f, "LLRP message length {n} is not plausible"),
            FrameError::BadVersion(v) => write!(f, "LLRP version {v} is not supported"),
        }
    }
}

impl std::error::Error for FrameError {}

/// Incremental framer for a TCP byte stream.
#[derive(Debug, Default)]
pub struct Framer {
    buf: Vec<u8>,
}

impl Framer {
    pub fn push(&mut self, data: &[u8]) {
        self.buf.extend_from_slice(data);
    }

    pub fn next_message(&mut self) -> Result<Option<Message>, FrameError> {
        if self.buf.len() < HEADER {
            return Ok(None);
        }
        let word = u16::from_be_bytes([self.buf[0], self.buf[1]]);
        let version = ((word >> 10) & 7) as u8;
        if !(1..=2).contains(&version) {
            return Err(FrameError::BadVersion(version));
        }
        let len = u32::from_be_bytes([self.buf[2], self.buf[3], self.buf[4], self.buf[5]]);
        if (len as usize) < HEADER || len > MAX_MESSAGE {
            return Err(FrameError::BadLength(len));
        }
        if self.buf.len() < len as usize {
            return Ok(None);
        }
        let id = u32::from_be_bytes([self.buf[6], self.buf[7], self.buf[8], self.buf[9]]);
        let body = self.buf[HEADER..len as usize].to_vec();
        self.buf.drain(..len as usize);
        Ok(Some(Message {
            kind: word & 0x3FF,
            id,
            body,
        }))
    }

    /// Bytes of an unfinished message.
    pub fn pending(&self) -> usize {
        self.buf.len()
    }
}

/// A whole message: header (version 1) and body.
pub fn encode(kind: u16, id: u32, body: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(HEADER + body.len());
    v.extend_from_slice(&((1u16 << 10) | (kind & 0x3FF)).to_be_bytes());
    v.extend_from_slice(&((HEADER + body.len()) as u32).to_be_bytes());
    v.extend_from_slice(&id.to_be_bytes());
    v.extend_from_slice(body);
    v
}

/// Appends a TLV parameter whose value `fill` writes.
fn tlv(out: &mut Vec<u8>, t: u16, fill: impl FnOnce(&mut Vec<u8>)) {
    let start = out.len();
    out.extend_from_slice(&t.to_be_bytes());
    out.extend_from_slice(&[0, 0]);
    fill(out);
    let len = (out.len() - start).min(u16::MAX as usize) as u16;
    out[start + 2..start + 4].copy_from_slice(&len.to_be_bytes());
}

fn rospec_id_body(rospec_id: u32) -> Vec<u8> {
    rospec_id.to_be_bytes().to_vec()
}

/// DELETE_ROSPEC; `rospec_id` 0 deletes all.
pub fn delete_rospec(id: u32, rospec_id: u32) -> Vec<u8> {
    encode(DELETE_ROSPEC, id, &rospec_id_body(rospec_id))
}

/// ENABLE_ROSPEC (with an immediate start trigger this starts it).
pub fn enable_rospec(id: u32, rospec_id: u32) -> Vec<u8> {
    encode(ENABLE_ROSPEC, id, &rospec_id_body(rospec_id))
}

/// ADD_ROSPEC: immediate start, no stop, all antennas, C1G2 inventory, a
/// report every `report_every` tags with antenna, peak RSSI, first-seen time and seen count.
pub fn add_rospec(id: u32, rospec_id: u32, report_every: u16) -> Vec<u8> {
    let mut b = Vec::new();
    tlv(&mut b, P_ROSPEC, |o| {
        o.extend_from_slice(&rospec_id.to_be_bytes());
        o.push(0); // priority
        o.push(0); // current state: disabled
        tlv(o, P_RO_BOUNDARY_SPEC, |o| {
            tlv(o, P_ROSPEC_START_TRIGGER, |o| o.push(1)); // immediate
            tlv(o, P_ROSPEC_STOP_TRIGGER, |o| {
                o.push(0); // null
                o.extend_from_slice(&0u32.to_be_bytes());
            });
        });
        tlv(o, P_AISPEC, |o| {
            o.extend_from_slice(&1u16.to_be_bytes()); // one antenna id
            o.extend_from_slice(&0u16.to_be_bytes()); // 0 = all antennas
            tlv(o, P_AISPEC_STOP_TRIGGER, |o| {
                o.push(0);
                o.extend_from_slice(&0u32.to_be_bytes());
            });
            tlv(o, P_INVENTORY_PARAMETER_SPEC, |o| {
                o.extend_from_slice(&1u16.to_be_bytes());
                o.push(1); // EPCglobal Class 1 Gen 2
            });
        });
        tlv(o, P_RO_REPORT_SPEC, |o| {
            o.push(1); // upon N tags or end of AISpec
            o.extend_from_slice(&report_every.to_be_bytes());
            tlv(o, P_TAG_REPORT_CONTENT_SELECTOR, |o| {
                // AntennaID, PeakRSSI, FirstSeenTimestamp, TagSeenCount.
                o.extend_from_slice(&0x1680u16.to_be_bytes());
            });
        });
    });
    encode(ADD_ROSPEC, id, &b)
}

/// SET_READER_CONFIG asking for a KEEPALIVE every `period_ms` (a periodic
/// KeepaliveSpec; 0 asks for none), without resetting the reader to its
/// factory defaults.
pub fn set_keepalive(id: u32, period_ms: u32) -> Vec<u8> {
    let mut b = vec![0]; // ResetToFactoryDefault 0, reserved
    tlv(&mut b, P_KEEPALIVE_SPEC, |o| {
        o.push(u8::from(period_ms > 0)); // 1 periodic, 0 null
        o.extend_from_slice(&period_ms.to_be_bytes());
    });
    encode(SET_READER_CONFIG, id, &b)
}

pub fn keepalive_ack(id: u32) -> Vec<u8> {
    encode(KEEPALIVE_ACK, id, &[])
}

pub fn close_connection(id: u32) -> Vec<u8> {
    encode(CLOSE_CONNECTION, id, &[])
}

// --- the reader's side (simulators, tests) ---

/// READER_EVENT_NOTIFICATION with a ConnectionAttemptEvent (`status` 0 = success).
pub fn reader_event_connection(id: u32, status: u16, utc_us: u64) -> Vec<u8> {
    let mut b = Vec::new();
    tlv(&mut b, P_READER_EVENT_NOTIFICATION_DATA, |o| {
        tlv(o, P_UTC_TIMESTAMP, |o| {
            o.extend_from_slice(&utc_us.to_be_bytes())
        });
        tlv(o, P_CONNECTION_ATTEMPT_EVENT, |o| {
            o.extend_from_slice(&status.to_be_bytes())
        });
    });
    encode(READER_EVENT_NOTIFICATION, id, &b)
}

/// READER_EVENT_NOTIFICATION with a ConnectionCloseEvent.
pub fn reader_event_close(id: u32, utc_us: u64) -> Vec<u8> {
    let mut b = Vec::new();
    tlv(&mut b, P_READER_EVENT_NOTIFICATION_DATA, |o| {
        tlv(o, P_UTC_TIMESTAMP, |o| {
            o.extend_from_slice(&utc_us.to_be_bytes())
        });
        tlv(o, P_CONNECTION_CLOSE_EVENT, |_| {});
    });
    encode(READER_EVENT_NOTIFICATION, id, &b)
}

/// A response (or ERROR_MESSAGE) carrying an LLRPStatus.
pub fn status_message(kind: u16, id: u32, code: u16, description: &str) -> Vec<u8> {
    let mut b = Vec::new();
    let d = &description.as_bytes()[..description.len().min(1000)];
    tlv(&mut b, P_LLRP_STATUS, |o| {
        o.extend_from_slice(&code.to_be_bytes());
        o.extend_from_slice(&(d.len() as u16).to_be_bytes());
        o.extend_from_slice(d);
    });
    encode(kind, id, &b)
}

pub fn keepalive(id: u32) -> Vec<u8> {
    encode(KEEPALIVE, id, &[])
}

/// One tag for [`ro_access_report`].
#[derive(Debug, Clone, Copy)]
pub struct TagOut<'a> {
    pub epc: &'a [u8],
    pub antenna: u16,
    pub rssi: i8,
    pub seen: u16,
}

/// RO_ACCESS_REPORT; 12-byte EPCs go out as EPC-96 (TV 13), others as EPCData (241).
pub fn ro_access_report(id: u32, tags: &[TagOut<'_>]) -> Vec<u8> {
    let mut b = Vec::new();
    for t in tags {
        tlv(&mut b, P_TAG_REPORT_DATA, |o| {
            if t.epc.len() == 12 {
                o.push(0x80 | TV_EPC_96);
                o.extend_from_slice(t.epc);
            } else {
                let e = &t.epc[..t.epc.len().min(4000)];
                tlv(o, P_EPC_DATA, |o| {
                    o.extend_from_slice(&((e.len() * 8) as u16).to_be_bytes());
                    o.extend_from_slice(e);
                });
            }
            o.push(0x80 | TV_ANTENNA_ID);
            o.extend_from_slice(&t.antenna.to_be_bytes());
            o.push(0x80 | TV_PEAK_RSSI);
            o.push(t.rssi as u8);
            o.push(0x80 | TV_TAG_SEEN_COUNT);
            o.extend_from_slice(&t.seen.to_be_bytes());
        });
    }
    encode(RO_ACCESS_REPORT, id, &b)
}

// --- parsing bodies ---

/// One parameter: (type, value, is_tv).
type Param<'a> = (u16, &'a [u8], bool);

/// The parameters of `b` in order; stops at (and reports) the first that does not parse.
fn params(mut b: &[u8]) -> impl Iterator<Item = Result<Param<'_>, ()>> {
    std::iter::from_fn(move || {
        let (&first, _) = b.split_first()?;
        if first & 0x80 != 0 {
            let t = first & 0x7F;
            let got = tv_size(t).and_then(|n| b.get(1..1 + n));
            match got {
                Some(v) => {
                    b = &b[1 + v.len()..];
                    Some(Ok((t as u16, v, true)))
                }
                None => {
                    b = &[];
                    Some(Err(()))
                }
            }
        } else {
            let hdr = b.get(..4).map(|h| {
                (
                    u16::from_be_bytes([h[0], h[1]]) & 0x3FF,
                    u16::from_be_bytes([h[2], h[3]]) as usize,
                )
            });
            match hdr {
                Some((t, len)) if len >= 4 && len <= b.len() => {
                    let v = &b[4..len];
                    b = &b[len..];
                    Some(Ok((t, v, false)))
                }
                _ => {
                    b = &[];
                    Some(Err(()))
                }
            }
        }
    })
}

fn find_tlv(b: &[u8], t: u16) -> Option<&[u8]> {
    params(b)
        .map_while(Result::ok)
        .find(|&(pt, _, tv)| !tv && pt == t)
        .map(|(_, v, _)| v)
}

/// What a READER_EVENT_NOTIFICATION says about the connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConnectionEvent {
    /// ConnectionAttemptEvent with its status (0 = success).
    Attempt(u16),
    /// ConnectionCloseEvent: the reader is closing the connection.
    Close,
}

pub fn connection_event(body: &[u8]) -> Option<ConnectionEvent> {
    let data = find_tlv(body, P_READER_EVENT_NOTIFICATION_DATA)?;
    if let Some(v) = find_tlv(data, P_CONNECTION_ATTEMPT_EVENT) {
        return Some(ConnectionEvent::Attempt(u16::from_be_bytes([
            *v.first()?,
            *v.get(1)?,
        ])));
    }
    find_tlv(data, P_CONNECTION_CLOSE_EVENT).map(|_| ConnectionEvent::Close)
}

/// What a SET_READER_CONFIG body asks of the keepalive: `Some(Some(ms))`
/// a periodic KEEPALIVE every `ms`, `Some(None)` none, `None` when the body
/// has no KeepaliveSpec (the reader's side: simulators, tests).
pub fn keepalive_spec(body: &[u8]) -> Option<Option<u32>> {
    let v = find_tlv(body.get(1..)?, P_KEEPALIVE_SPEC)?;
    let period = u32::from_be_bytes([*v.get(1)?, *v.get(2)?, *v.get(3)?, *v.get(4)?]);
    Some((*v.first()? == 1).then_some(period))
}

/// An LLRPStatus: code 0 is success.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Status {
    pub code: u16,
    pub description: String,
}

/// The LLRPStatus of a response or ERROR_MESSAGE body.
pub fn status(body: &[u8]) -> Option<Status> {
    let v = find_tlv(body, P_LLRP_STATUS)?;
    let code = u16::from_be_bytes([*v.first()?, *v.get(1)?]);
    let n = u16::from_be_bytes([*v.get(2)?, *v.get(3)?]) as usize;
    let d = v.get(4..4 + n).unwrap_or(&[]);
    Some(Status {
        code,
        description: String::from_utf8_lossy(d).into_owned(),
    })
}

/// Calls `f` for every TagReportData of an RO_ACCESS_REPORT body. Returns
/// how many TagReportData could not be parsed (they yield no read).
pub fn tag_reports(body: &[u8], mut f: impl FnMut(TagRead<'_>)) -> u64 {
    let mut bad = 0;
    for p in params(body) {
        match p {
            Ok((P_TAG_REPORT_DATA, v, false)) => match tag_report(v) {
                Some(t) => f(t),
                None => bad += 1,
            },
            Ok(_) => {}
            Err(()) => bad += 1,
        }
    }
    bad
}

fn tag_report(v: &[u8]) -> Option<TagRead<'_>> {
    let mut read = TagRead {
        epc: &[],
        antenna: None,
        rssi: None,
        seen: 1,
    };
    for p in params(v) {
        let (t, val, tv) = p.ok()?;
        match (t as u8, tv) {
            (TV_EPC_96, true) => read.epc = val,
            (TV_ANTENNA_ID, true) => read.antenna = Some(u16::from_be_bytes([val[0], val[1]])),
            (TV_PEAK_RSSI, true) => read.rssi = Some(val[0] as i8 as f32),
            (TV_TAG_SEEN_COUNT, true) => {
                read.seen = u16::from_be_bytes([val[0], val[1]]).max(1) as u32
            }
            _ if !tv && t == P_EPC_DATA => {
                let bits = u16::from_be_bytes([*val.first()?, *val.get(1)?]) as usize;
                read.epc = val.get(2..2 + bits.div_ceil(8))?;
            }
            _ => {}
        }
    }
    (!read.epc.is_empty()).then_some(read)
}

/// Frames `data` and parses every body every way; for fuzzing.
#[cfg(feature = "fuzzing")]
pub fn fuzz_one(data: &[u8]) {
    let mut fr = Framer::default();
    fr.push(data);
    while let Ok(Some(m)) = fr.next_message() {
        let _ = connection_event(&m.body);
        let _ = status(&m.body);
        let _ = keepalive_spec(&m.body);
        tag_reports(&m.body, |_| {});
    }
    let _ = connection_event(data);
    let _ = status(data);
    tag_reports(data, |_| {});
}

#[cfg(test)]
mod tests;
