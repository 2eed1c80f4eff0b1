//! Issuing an asset's certificate of sanitization, or rendering again the
//! one already issued.
//!
//! An asset is certified when every one of its media has a sanitization
//! record and each medium's latest record passed. The first time, the
//! fields are gathered, given the next number and the journal head, frozen
//! in `documents`, and the PDF's SHA-256 journaled (`certificate.issued`),
//! all in one transaction. Asked again while the asset's records are the
//! same, the certificate is rendered from its frozen fields and checked
//! against the SHA-256 recorded at issue; after a new record, a new
//! certificate (new number) is issued.

use super::certificate::{self, Fields, MediumBlock, Person};
use crate::store::documents::{self, NewDocument};
use crate::store::journal::{self, NewEvent};
use crate::store::{assets, media, operators, sanitizations, Store, StoreError};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::time::SystemTime;

/// The organisation printed in the person blocks (`[organisation]`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Organisation {
    pub name: String,
    pub location: String,
    pub phone: String,
}

/// Why no certificate.
#[derive(Debug, thiserror::Error)]
pub enum CertifyError {
    #[error("no asset tagged {0}")]
    NoAsset(String),
    #[error("no pallet with SSCC {0}")]
    NoBatch(String),
    #[error("pallet {0} holds no asset: nothing to certify")]
    EmptyBatch(String),
    #[error("asset {0} has no media recorded: nothing to certify")]
    NoMedia(String),
    #[error("asset {tag}: medium {medium} has no sanitization record")]
    Unsanitized { tag: String, medium: String },
    #[error("asset {tag}: the latest sanitization of medium {medium} failed: a failed or aborted wipe cannot be certified")]
    NotPassed { tag: String, medium: String },
    #[error("certificate {number} no longer renders to the bytes issued (sha256 {issued}, now {now}): the renderer changed; it was not reissued")]
    Drifted {
        number: String,
        issued: String,
        now: String,
    },
    #[error("certificate {0}: its stored fields cannot be read")]
    BadFields(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A certificate, issued now or before.
#[derive(Debug, Clone)]
pub struct Certificate {
    pub number: String,
    pub sha256: String,
    pub bytes: Vec<u8>,
    /// Issued by this call (false: rendered again).
    pub issued: bool,
    pub fields: Fields,
}

/// Who asks, for the journal.
#[derive(Debug, Clone, Copy)]
pub struct Issuer<'a> {
    pub station: &'a str,
    pub operator: Option<&'a str>,
    pub training: bool,
}

pub(crate) fn medium_name(m: &media::MediumRow) -> String {
    m.serial
        .clone()
        .unwrap_or_else(|| format!("#{} (no serial)", m.id))
}

pub(crate) fn title(s: Option<&str>) -> String {
    let s = s.unwrap_or("");
    let mut c = s.chars();
    match c.next() {
        Some(f) => f
            .to_uppercase()
            .chain(c)
            .collect::<String>()
            .replace('_', " "),
        None => String::new(),
    }
}

/// The person block of badge `badge` (its operator's name and role when
/// known).
pub(crate) fn person(
    c: &rusqlite::Connection,
    badge: Option<String>,
    org: &Organisation,
) -> Result<Person, StoreError> {
    let op = match &badge {
        Some(b) => operators::by_badge(c, b)?,
        None => None,
    };
    Ok(Person {
        name: op
            .as_ref()
            .map(|o| o.name.clone())
            .or(badge)
            .unwrap_or_default(),
        title: op.map(|o| title(Some(&o.role))).unwrap_or_default(),
        organisation: org.name.clone(),
        location: org.location.clone(),
        phone: org.phone.clone(),
    })
}

/// The next certificate number of this station (`CS-<station>-<n>`).
/// The fields frozen in an issued certificate.
pub(crate) fn frozen_fields(prev: &documents::CertificateRow) -> Result<Fields, CertifyError> {
    serde_json::from_str(&prev.fields).map_err(|_| CertifyError::BadFields(prev.number.clone()))
}

/// An issued certificate rendered again from its frozen fields: the same
/// bytes, or [`CertifyError::Drifted`] when the renderer no longer gives them.
pub(crate) fn reissue(
    prev: documents::CertificateRow,
    fields: Fields,
) -> Result<Certificate, CertifyError> {
    let bytes = certificate::render(&fields);
    let sha = hex::encode(Sha256::digest(&bytes));
    if sha != prev.sha256 {
        return Err(CertifyError::Drifted {
            number: prev.number,
            issued: prev.sha256,
            now: sha,
        });
    }
    Ok(Certificate {
        number: prev.number,
        sha256: sha,
        bytes,
        issued: false,
        fields,
    })
}

pub(crate) fn next_number(c: &rusqlite::Connection, station: &str) -> Result<String, StoreError> {
    let mut n = documents::certificate_count(c)? + 1;
    let mut number = format!("CS-{station}-{n:06}");
    while documents::number_taken(c, &number)? {
        n += 1;
        number = format!("CS-{station}-{n:06}");
    }
    Ok(number)
}

/// An asset's media blocks, the records they print, and the first
/// technician and validator named on them.
pub(crate) struct Media {
    pub blocks: Vec<MediumBlock>,
    pub ids: Vec<i64>,
    pub performer: Option<String>,
    pub validator: Option<String>,
}

/// The blocks of asset `asset_id` (tagged `tag`): every medium's latest
/// record must have passed with a NIST category. No media: no blocks.
pub(crate) fn media_blocks(
    c: &rusqlite::Connection,
    asset_id: i64,
    tag: &str,
) -> Result<Media, CertifyError> {
    let mut blocks = Vec::new();
    let mut ids = Vec::new();
    let mut performer: Option<String> = None;
    let mut validator: Option<String> = None;
    let meds = media::for_asset(c, asset_id)?;
    for m in &meds {
        let r = sanitizations::latest_for_medium(c, m.id)?.ok_or_else(|| {
            CertifyError::Unsanitized {
                tag: tag.into(),
                medium: medium_name(m),
            }
        })?;
        if r.result != "passed" || r.method.is_none() {
            return Err(CertifyError::NotPassed {
                tag: tag.into(),
                medium: medium_name(m),
            });
        }
        ids.push(r.id);
        performer = performer.or(r.operator.clone());
        validator = validator.or(r.validator.clone());
        let details = match (&r.tool_method_label, &r.tool_method) {
            (Some(l), Some(n)) => format!("{l} (-m {n})"),
            (Some(l), None) => l.clone(),
            _ => String::new(),
        };
        let mut notes = format!("record #{} ({})", r.id, r.source);
        if r.method.as_deref() == Some("destroy") {
            if let Some(t) = &r.tool {
                notes.push_str(&format!(", destroyed by {t}"));
            }
        }
        blocks.push(MediumBlock {
            make: m.make.clone().unwrap_or_default(),
            model: m.model.clone().unwrap_or_default(),
            serial: m.serial.clone().unwrap_or_default(),
            property_number: tag.into(),
            media_type: m.media_type.to_uppercase(),
            source: tag.into(),
            classification: String::new(),
            data_backed_up: "Unknown".into(),
            backup_location: String::new(),
            method_type: title(r.method.as_deref()),
            method_used: title(r.technique.as_deref()),
            method_details: details,
            tool: r.tool.clone().unwrap_or_default(),
            verification: title(Some(&r.verification)),
            post_classification: String::new(),
            result: title(Some(&r.result)),
            started: r.started.clone().unwrap_or_default(),
            ended: r.ended.clone().unwrap_or_default(),
            log_sha256: r.log_sha256.clone().unwrap_or_default(),
            notes,
            destination: title(m.destination.as_deref()),
        });
    }
    Ok(Media {
        blocks,
        ids,
        performer,
        validator,
    })
}

/// Issues (or renders again) the certificate of the asset tagged `tag`.
pub fn certify(
    store: &mut Store,
    tag: &str,
    who: Issuer<'_>,
    org: &Organisation,
    now: SystemTime,
) -> Result<Certificate, CertifyError> {
    let mut tx = store.write()?;
    let c = tx.conn();
    let asset_id = assets::by_tag(c, tag)?.ok_or_else(|| CertifyError::NoAsset(tag.into()))?;
    let media = media_blocks(c, asset_id, tag)?;
    if media.blocks.is_empty() {
        return Err(CertifyError::NoMedia(tag.into()));
    }
    let Media {
        blocks,
        mut ids,
        performer,
        validator,
    } = media;
    ids.sort_unstable();

    if let Some(prev) = documents::latest_certificate(c, asset_id)? {
        let fields = frozen_fields(&prev)?;
        if fields.sanitization_ids == ids {
            return reissue(prev, fields);
        }
    }

    let person = |badge: Option<String>| person(c, badge, org);
    let number = next_number(c, who.station)?;
    let head = journal::head(c)?;
    let fields = Fields {
        number: number.clone(),
        issued_at: crate::timefmt::rfc3339_millis(now),
        station: who.station.into(),
        asset: tag.into(),
        person: person(performer.or(who.operator.map(String::from)))?,
        media: blocks,
        validation: match validator {
            Some(v) => person(Some(v))?,
            None => Person::default(),
        },
        journal_seq: head.seq,
        journal_hash: head.hash,
        sanitization_ids: ids,
        ..Fields::default()
    };
    let bytes = certificate::render(&fields);
    let sha = hex::encode(Sha256::digest(&bytes));
    let frozen =
        serde_json::to_string(&fields).map_err(|_| CertifyError::BadFields(number.clone()))?;
    let name = format!("{number}.pdf");
    let document_id = documents::create_certificate(
        c,
        &NewDocument {
            kind: "certificate",
            sha256: &sha,
            name: &name,
            size: bytes.len() as u64,
            created_at: &fields.issued_at,
        },
        &number,
        asset_id,
        &frozen,
    )?;
    tx.append_event(&NewEvent {
        at: now,
        station: who.station,
        operator: who.operator,
        kind: "certificate.issued",
        training: who.training,
        payload: json!({
            "asset_id": asset_id, "document_id": document_id, "number": number,
            "sha256": sha, "size": bytes.len(), "journal_seq": fields.journal_seq,
            "journal_hash": fields.journal_hash, "sanitization_ids": fields.sanitization_ids,
        }),
    })?;
    tx.commit()?;
    Ok(Certificate {
        number,
        sha256: sha,
        bytes,
        issued: true,
        fields,
    })
}
