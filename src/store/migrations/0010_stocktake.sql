-- 0010: stock-takes. A stock-take counts a scope of locations (and their
-- sub-locations) against what was expected there when counting started.

CREATE TABLE stocktakes (
    id         INTEGER PRIMARY KEY,
    -- So that counts from several stations can be merged later.
    uuid       TEXT NOT NULL UNIQUE,
    name       TEXT NOT NULL,
    owner      TEXT,
    status     TEXT NOT NULL CHECK (status IN ('open', 'counting', 'reconciling', 'closed')),
    started_at TEXT NOT NULL,
    closed_at  TEXT
);

-- The scope: every location counted, sub-locations expanded when it started.
CREATE TABLE stocktake_scope (
    stocktake_id INTEGER NOT NULL REFERENCES stocktakes(id),
    location_id  INTEGER NOT NULL REFERENCES locations(id),
    -- When its label was first scanned in this stock-take (NULL: not yet).
    counted_at   TEXT,
    PRIMARY KEY (stocktake_id, location_id)
) WITHOUT ROWID;

-- What was expected where, snapshotted when counting started.
CREATE TABLE stocktake_expected (
    stocktake_id INTEGER NOT NULL REFERENCES stocktakes(id),
    asset_id     INTEGER NOT NULL REFERENCES assets(id),
    location_id  INTEGER NOT NULL REFERENCES locations(id),
    PRIMARY KEY (stocktake_id, asset_id)
) WITHOUT ROWID;

-- One row per identity read per location: an asset (asset_id) or a code
-- that matches none (asset_id NULL). location_id NULL: read before any
-- location was scanned, held until one is (or discarded).
CREATE TABLE stocktake_reads (
    id           INTEGER PRIMARY KEY,
    stocktake_id INTEGER NOT NULL REFERENCES stocktakes(id),
    location_id  INTEGER REFERENCES locations(id),
    asset_id     INTEGER REFERENCES assets(id),
    -- The code read: the scanned value or the EPC in upper-case hex.
    code         TEXT NOT NULL,
    -- 'scan' places exactly; 'rfid' is placed by signal.
    via          TEXT NOT NULL CHECK (via IN ('scan', 'rfid')),
    -- 1 when the code belongs to more than one asset (a shared EPC).
    shared       INTEGER NOT NULL DEFAULT 0 CHECK (shared IN (0, 1)),
    first_seen   TEXT NOT NULL,
    last_seen    TEXT NOT NULL,
    read_count   INTEGER NOT NULL CHECK (read_count >= 1),
    best_rssi    REAL,
    -- read_count >= 2: the best RSSI is trusted for placement.
    repeated     INTEGER GENERATED ALWAYS AS (read_count >= 2) VIRTUAL
);
CREATE INDEX stocktake_reads_identity ON stocktake_reads(stocktake_id, location_id, code, via);
CREATE INDEX stocktake_reads_asset ON stocktake_reads(stocktake_id, asset_id);
