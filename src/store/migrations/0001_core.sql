-- 0001: the core tables. A shipped migration is never edited: add a new file.
--
-- Names of things people type or import (models, manufacturers, categories,
-- vendors) compare case-insensitively, as Snipe-IT's importer does. Codes that
-- are scanned (identifiers, location codes, badges) compare exactly.

CREATE TABLE categories (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE
);

CREATE TABLE manufacturers (
    id   INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE
);

CREATE TABLE models (
    id              INTEGER PRIMARY KEY,
    name            TEXT NOT NULL COLLATE NOCASE,
    manufacturer_id INTEGER REFERENCES manufacturers(id),
    category_id     INTEGER REFERENCES categories(id),
    -- JSON array of GTIN-14 strings.
    gtins           TEXT NOT NULL DEFAULT '[]',
    -- 1 when assets of this model carry storage media to sanitize.
    holds_media     INTEGER NOT NULL DEFAULT 0 CHECK (holds_media IN (0, 1))
);
-- One model per (name, manufacturer); a model without a manufacturer counts as manufacturer 0.
CREATE UNIQUE INDEX models_name_manufacturer ON models(name, ifnull(manufacturer_id, 0));

CREATE TABLE locations (
    id        INTEGER PRIMARY KEY,
    code      TEXT NOT NULL UNIQUE,
    name      TEXT NOT NULL,
    parent_id INTEGER REFERENCES locations(id),
    gln       TEXT UNIQUE CHECK (gln IS NULL OR (length(gln) = 13 AND gln NOT GLOB '*[^0-9]*'))
);
CREATE INDEX locations_parent ON locations(parent_id);

CREATE TABLE operators (
    id     INTEGER PRIMARY KEY,
    badge  TEXT NOT NULL UNIQUE,
    name   TEXT NOT NULL,
    role   TEXT NOT NULL DEFAULT 'operator' CHECK (role IN ('operator', 'supervisor')),
    active INTEGER NOT NULL DEFAULT 1 CHECK (active IN (0, 1))
);

CREATE TABLE vendors (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE COLLATE NOCASE,
    kind          TEXT NOT NULL CHECK (kind IN ('supplier', 'disposal')),
    -- R2v3, e-Stewards, NAID AAA ...
    certification TEXT,
    cert_expires  TEXT CHECK (cert_expires IS NULL OR cert_expires GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]')
);

CREATE TABLE assets (
    id            INTEGER PRIMARY KEY,
    status        TEXT NOT NULL CHECK (status IN (
                      'on_order', 'in_stock', 'deployed', 'in_repair',
                      'decommissioning', 'sanitized', 'awaiting_pickup', 'in_transit', 'disposed',
                      'missing', 'lost')),
    model_id      INTEGER REFERENCES models(id),
    location_id   INTEGER REFERENCES locations(id),
    supplier_id   INTEGER REFERENCES vendors(id),
    order_number  TEXT,
    -- Money as integer minor units (cents) and an ISO 4217 code; never floating point.
    cost_minor    INTEGER,
    currency      TEXT CHECK (currency IS NULL OR (length(currency) = 3 AND currency NOT GLOB '*[^A-Z]*')),
    purchase_date TEXT CHECK (purchase_date IS NULL OR purchase_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    warranty_end  TEXT CHECK (warranty_end IS NULL OR warranty_end GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    received_at   TEXT,
    received_by   INTEGER REFERENCES operators(id),
    upstream_id   TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    CHECK (cost_minor IS NULL OR currency IS NOT NULL)
);
CREATE INDEX assets_location ON assets(location_id);
CREATE INDEX assets_model ON assets(model_id);

-- Every way an asset can be scanned: asset_tag, serial, gtin_serial, giai, epc, mac, imei ...
-- The asset tag lives here too (kind 'asset_tag'), so one lookup serves every scan.
CREATE TABLE identifiers (
    id       INTEGER PRIMARY KEY,
    asset_id INTEGER NOT NULL REFERENCES assets(id),
    kind     TEXT NOT NULL,
    value    TEXT NOT NULL,
    UNIQUE (kind, value)
);
CREATE INDEX identifiers_value ON identifiers(value);
CREATE INDEX identifiers_asset ON identifiers(asset_id);

-- The append-only, hash-chained journal. See src/store/journal.rs for the hash.
CREATE TABLE journal (
    seq       INTEGER PRIMARY KEY,
    uuid      TEXT NOT NULL UNIQUE,
    at        TEXT NOT NULL,
    station   TEXT NOT NULL,
    operator  TEXT,
    kind      TEXT NOT NULL,
    training  INTEGER NOT NULL CHECK (training IN (0, 1)),
    payload   TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);
