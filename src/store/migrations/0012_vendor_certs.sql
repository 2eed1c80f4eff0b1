-- 0011: a disposal vendor may hold several certifications (R2v3,
-- e-Stewards, NAID AAA ...), each with its own expiry. The one
-- certification 0001 kept on the vendor row is copied here; from this
-- version on, vendors.certification and vendors.cert_expires are neither
-- read nor written (a shipped migration is never edited, so they stay).

CREATE TABLE vendor_certifications (
    vendor_id     INTEGER NOT NULL REFERENCES vendors(id),
    certification TEXT NOT NULL COLLATE NOCASE CHECK (length(certification) > 0),
    -- YYYY-MM-DD; NULL when the certificate names no expiry.
    expires       TEXT CHECK (expires IS NULL OR expires GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    PRIMARY KEY (vendor_id, certification)
) WITHOUT ROWID;

INSERT INTO vendor_certifications (vendor_id, certification, expires)
    SELECT id, certification, cert_expires FROM vendors
    WHERE certification IS NOT NULL AND length(certification) > 0;
