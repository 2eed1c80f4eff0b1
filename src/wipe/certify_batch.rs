//! `certificate --batch SSCC`: one certificate of sanitization for a whole
//! pallet, listing every asset on it and every medium of each.
//!
//! The rules are an asset's certificate's ([`super::certify`]), for each
//! asset on the pallet: every medium's latest record passed with a NIST
//! category. An asset with no medium recorded is listed as holding none only
//! when it holds none (its model says so, or its category is not in `[wipe]
//! media_categories`); otherwise the pallet is refused naming it. Issued
//! once: the fields (with the pallet's SSCC, its vendor and the list of
//! assets) are frozen in `documents` beside the pallet, the PDF's SHA-256
//! journaled (`certificate.issued` with `batch_id` and `sscc`); asked again
//! while the records are the same, it is rendered from the frozen fields and
//! must give the bytes issued.

use super::certificate::{self, BatchAsset, Fields, Person};
use super::certify::{
    frozen_fields, media_blocks, next_number, person, reissue, Certificate, CertifyError, Issuer,
    Organisation,
};
use crate::store::documents::{self, NewDocument};
use crate::store::journal::{self, NewEvent};
use crate::store::{batches, identifiers, lifecycle, vendors, Store};
use serde_json::json;
use sha2::{Digest, Sha256};
use std::time::SystemTime;

/// Issues (or renders again) the certificate of the pallet `sscc`.
/// `media_categories` is `[wipe] media_categories`.
pub fn certify_batch(
    store: &mut Store,
    sscc: &str,
    who: Issuer<'_>,
    org: &Organisation,
    media_categories: &[String],
    now: SystemTime,
) -> Result<Certificate, CertifyError> {
    let mut tx = store.write()?;
    let c = tx.conn();
    let b = batches::by_sscc(c, sscc)?.ok_or_else(|| CertifyError::NoBatch(sscc.into()))?;
    let items = batches::items(c, b.id)?;
    if items.is_empty() {
        return Err(CertifyError::EmptyBatch(sscc.into()));
    }
    let mut blocks = Vec::new();
    let mut ids = Vec::new();
    let mut listed = Vec::new();
    let mut performer = None;
    let mut validator = None;
    for asset_id in items {
        let tag = identifiers::first_of_kind(c, asset_id, "asset_tag")?
            .unwrap_or_else(|| format!("#{asset_id}"));
        let m = media_blocks(c, asset_id, &tag)?;
        if m.blocks.is_empty() && lifecycle::holds_media(c, asset_id, media_categories)? {
            return Err(CertifyError::NoMedia(tag));
        }
        let serial = identifiers::first_of_kind(c, asset_id, "serial")?.unwrap_or_default();
        listed.push(BatchAsset {
            tag,
            serial,
            media: u32::try_from(m.blocks.len()).unwrap_or(u32::MAX),
        });
        performer = performer.or(m.performer);
        validator = validator.or(m.validator);
        ids.extend(m.ids);
        blocks.extend(m.blocks);
    }
    ids.sort_unstable();

    if let Some(prev) = documents::latest_batch_certificate(c, b.id)? {
        let fields = frozen_fields(&prev)?;
        if fields.sanitization_ids == ids && fields.batch_assets == listed {
            return reissue(prev, fields);
        }
    }

    let vendor = match b.vendor_id {
        Some(v) => vendors::get(c, v)?.map(|v| v.name).unwrap_or_default(),
        None => String::new(),
    };
    let number = next_number(c, who.station)?;
    let head = journal::head(c)?;
    let fields = Fields {
        number: number.clone(),
        issued_at: crate::timefmt::rfc3339_millis(now),
        station: who.station.into(),
        asset: String::new(),
        person: person(c, performer.or(who.operator.map(String::from)), org)?,
        media: blocks,
        validation: match validator {
            Some(v) => person(c, Some(v), org)?,
            None => Person::default(),
        },
        journal_seq: head.seq,
        journal_hash: head.hash,
        sanitization_ids: ids,
        batch: b.sscc.clone(),
        batch_vendor: vendor,
        batch_assets: listed,
    };
    let bytes = certificate::render(&fields);
    let sha = hex::encode(Sha256::digest(&bytes));
    let frozen =
        serde_json::to_string(&fields).map_err(|_| CertifyError::BadFields(number.clone()))?;
    let name = format!("{number}.pdf");
    let document_id = documents::create_batch_certificate(
        c,
        &NewDocument {
            kind: "certificate",
            sha256: &sha,
            name: &name,
            size: bytes.len() as u64,
            created_at: &fields.issued_at,
        },
        &number,
        b.id,
        &frozen,
    )?;
    tx.append_event(&NewEvent {
        at: now,
        station: who.station,
        operator: who.operator,
        kind: "certificate.issued",
        training: who.training,
        payload: json!({
            "batch_id": b.id, "sscc": b.sscc, "document_id": document_id,
            "number": number, "sha256": sha, "size": bytes.len(),
            "journal_seq": fields.journal_seq, "journal_hash": fields.journal_hash,
            "sanitization_ids": fields.sanitization_ids,
            "assets": fields.batch_assets.iter().map(|a| &a.tag).collect::<Vec<_>>(),
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
