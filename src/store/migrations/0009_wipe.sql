-- 0009: the wipe bench and disposal. A shipped migration is never edited: add a new file.
--
-- media        the drives (and other storage) of an asset, or a drive an nwipe
--              log brought that no asset claims yet (asset_id NULL, listed for
--              the technician to attach)
-- sanitizations NIST SP 800-88 records per medium, append-only; a verification
--              that wrote nothing (nwipe's verify_zero / verify_one) is kept as
--              kind 'verification' and never counts as a sanitization
-- documents    files the station imported or issued, by SHA-256: nwipe logs,
--              certificates of sanitization (fields frozen at issue), vendors'
--              certificates of recycling or destruction
-- batches, batch_items, custody
--              disposal pallets (SSCC-18), the assets on them, and each hand-off

CREATE TABLE media (
    id          INTEGER PRIMARY KEY,
    asset_id    INTEGER REFERENCES assets(id),
    -- NULL when the drive gave none, garbage, or an anonymised one.
    serial      TEXT CHECK (serial IS NULL OR length(serial) > 0),
    media_type  TEXT NOT NULL DEFAULT 'other' CHECK (media_type IN (
                    'hdd', 'ssd', 'nvme', 'usb', 'sd', 'phone', 'tape', 'other')),
    make        TEXT,
    model       TEXT,
    destination TEXT CHECK (destination IS NULL OR destination IN (
                    'internal_reuse', 'external_reuse', 'recycle', 'manufacturer', 'other')),
    created_at  TEXT NOT NULL
);
-- A serial typed or imported twice is one medium.
CREATE UNIQUE INDEX media_serial ON media(serial) WHERE serial IS NOT NULL;
CREATE INDEX media_asset ON media(asset_id);

CREATE TABLE documents (
    id         INTEGER PRIMARY KEY,
    kind       TEXT NOT NULL CHECK (kind IN (
                   'nwipe_log', 'certificate', 'vendor_certificate')),
    sha256     TEXT NOT NULL UNIQUE CHECK (length(sha256) = 64 AND sha256 NOT GLOB '*[^0-9a-f]*'),
    -- The file's name as given (an imported log), or the certificate's file name.
    name       TEXT NOT NULL,
    size       INTEGER NOT NULL CHECK (size >= 0),
    -- A certificate's number (unique among certificates).
    number     TEXT UNIQUE,
    asset_id   INTEGER REFERENCES assets(id),
    batch_id   INTEGER REFERENCES batches(id),
    -- A certificate's fields as issued (JSON): rendering again reads these.
    fields     TEXT,
    created_at TEXT NOT NULL
);

CREATE TABLE sanitizations (
    id                INTEGER PRIMARY KEY,
    medium_id         INTEGER NOT NULL REFERENCES media(id),
    kind              TEXT NOT NULL CHECK (kind IN ('sanitization', 'verification')),
    -- NIST SP 800-88 category; NULL for a verification, or for a tool's method
    -- the station does not know (kept raw in tool_method_label, never guessed).
    method            TEXT CHECK (method IS NULL OR method IN ('clear', 'purge', 'destroy')),
    technique         TEXT CHECK (technique IS NULL OR technique IN (
                          'overwrite', 'block_erase', 'crypto_erase', 'sanitize',
                          'degauss', 'shred', 'disintegrate', 'other')),
    -- "nwipe 0.33"; for Destroy, the destruction vendor or device.
    tool              TEXT,
    -- The tool's own method name (nwipe's -m name) and words (the log's label).
    tool_method       TEXT,
    tool_method_label TEXT,
    verification      TEXT NOT NULL CHECK (verification IN ('full', 'sample', 'none')),
    result            TEXT NOT NULL CHECK (result IN ('passed', 'failed')),
    -- What the tool said: nwipe's erased / failed / aborted.
    tool_status       TEXT CHECK (tool_status IS NULL OR tool_status IN ('erased', 'failed', 'aborted')),
    started           TEXT,
    ended             TEXT,
    -- Badges (or names) of who did it and who validated it.
    operator          TEXT,
    validator         TEXT,
    source            TEXT NOT NULL CHECK (source IN ('nwipe', 'manual')),
    document_id       INTEGER REFERENCES documents(id),
    -- One record per drive and run: nwipe's "<serial or device>@<run start>".
    run_key           TEXT,
    -- The rest as JSON (device, rounds, blanking, PRNG, error counts, bytes …).
    detail            TEXT NOT NULL DEFAULT '{}',
    recorded_at       TEXT NOT NULL,
    CHECK (kind = 'sanitization' OR method IS NULL)
);
CREATE INDEX sanitizations_medium ON sanitizations(medium_id);
CREATE UNIQUE INDEX sanitizations_run ON sanitizations(source, run_key) WHERE run_key IS NOT NULL;

-- A record is a fact of the past: a correction is a new record.
CREATE TRIGGER sanitizations_no_update BEFORE UPDATE ON sanitizations
BEGIN
    SELECT RAISE(ABORT, 'sanitization records are append-only: record a new one');
END;
CREATE TRIGGER sanitizations_no_delete BEFORE DELETE ON sanitizations
BEGIN
    SELECT RAISE(ABORT, 'sanitization records are append-only: they cannot be deleted');
END;

CREATE TABLE batches (
    id                 INTEGER PRIMARY KEY,
    sscc               TEXT NOT NULL UNIQUE CHECK (length(sscc) = 18 AND sscc NOT GLOB '*[^0-9]*'),
    status             TEXT NOT NULL DEFAULT 'open' CHECK (status IN (
                           'open', 'closed', 'in_transit', 'confirmed')),
    station            TEXT NOT NULL,
    opened_at          TEXT NOT NULL,
    opened_by          TEXT,
    closed_at          TEXT,
    vendor_id          INTEGER REFERENCES vendors(id),
    handed_over_at     TEXT,
    -- Drivers are not operators: a name or id as typed or scanned.
    driver             TEXT,
    -- The vendor's certificate of recycling or destruction.
    certificate_number TEXT,
    confirmed_at       TEXT
);

CREATE TABLE batch_items (
    batch_id INTEGER NOT NULL REFERENCES batches(id),
    -- An asset is on one pallet at a time.
    asset_id INTEGER NOT NULL UNIQUE REFERENCES assets(id),
    added_at TEXT NOT NULL,
    added_by TEXT,
    PRIMARY KEY (batch_id, asset_id)
) WITHOUT ROWID;

CREATE TABLE custody (
    id         INTEGER PRIMARY KEY,
    batch_id   INTEGER NOT NULL REFERENCES batches(id),
    at         TEXT NOT NULL,
    event      TEXT NOT NULL CHECK (event IN ('handed_over', 'confirmed')),
    from_party TEXT NOT NULL,
    to_party   TEXT NOT NULL,
    vendor_id  INTEGER REFERENCES vendors(id),
    driver     TEXT,
    operator   TEXT,
    note       TEXT
);
CREATE INDEX custody_batch ON custody(batch_id);
