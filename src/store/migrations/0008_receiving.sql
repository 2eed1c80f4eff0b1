-- 0008: receiving. Purchase orders and their lines (imported from CSV), and,
-- for Receive mode, the deliveries received against them, each unit received,
-- and the discrepancies found (the shape `scanstation report receiving`
-- prints). A shipped migration is never edited: add a new file.

CREATE TABLE purchase_orders (
    id            INTEGER PRIMARY KEY,
    -- The PO number as printed and scanned; compared exactly.
    number        TEXT NOT NULL UNIQUE,
    vendor_id     INTEGER NOT NULL REFERENCES vendors(id),
    order_date    TEXT CHECK (order_date IS NULL OR order_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    expected_date TEXT CHECK (expected_date IS NULL OR expected_date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    -- Set by CMD:CLOSE; open/partial/received are derived from the lines.
    closed_at     TEXT,
    created_at    TEXT NOT NULL
);
CREATE INDEX purchase_orders_vendor ON purchase_orders(vendor_id);

CREATE TABLE po_lines (
    id              INTEGER PRIMARY KEY,
    po_id           INTEGER NOT NULL REFERENCES purchase_orders(id),
    line            INTEGER NOT NULL CHECK (line >= 1),
    model_id        INTEGER REFERENCES models(id),
    gtin            TEXT CHECK (gtin IS NULL OR (length(gtin) = 14 AND gtin NOT GLOB '*[^0-9]*')),
    -- The manufacturer's part number (DI 1P on its labels).
    part_number     TEXT,
    quantity        INTEGER NOT NULL CHECK (quantity >= 1),
    unit_cost_minor INTEGER,
    currency        TEXT CHECK (currency IS NULL OR (length(currency) = 3 AND currency NOT GLOB '*[^A-Z]*')),
    warranty_months INTEGER CHECK (warranty_months IS NULL OR warranty_months >= 0),
    -- 1: each unit becomes an asset with a serial and a tag; 0: counted only.
    tracked         INTEGER NOT NULL DEFAULT 1 CHECK (tracked IN (0, 1)),
    UNIQUE (po_id, line),
    CHECK (unit_cost_minor IS NULL OR currency IS NOT NULL)
);
CREATE INDEX po_lines_gtin ON po_lines(gtin) WHERE gtin IS NOT NULL;
CREATE INDEX po_lines_part ON po_lines(part_number) WHERE part_number IS NOT NULL;

-- A delivery: one visit of a PO to a receiving station, open until CMD:CLOSE.
CREATE TABLE deliveries (
    id          INTEGER PRIMARY KEY,
    po_id       INTEGER NOT NULL REFERENCES purchase_orders(id),
    station     TEXT NOT NULL,
    opened_at   TEXT NOT NULL,
    opened_by   INTEGER REFERENCES operators(id),
    closed_at   TEXT,
    location_id INTEGER REFERENCES locations(id)
);
CREATE INDEX deliveries_po ON deliveries(po_id);
-- A station has at most one open delivery.
CREATE UNIQUE INDEX deliveries_open_per_station ON deliveries(station) WHERE closed_at IS NULL;

-- What was received: a tracked unit (one row, its asset) or a count of an
-- untracked line. po_line_id is NULL for a unit that fits no line.
CREATE TABLE delivery_items (
    id          INTEGER PRIMARY KEY,
    delivery_id INTEGER NOT NULL REFERENCES deliveries(id),
    po_line_id  INTEGER REFERENCES po_lines(id),
    asset_id    INTEGER REFERENCES assets(id),
    serial      TEXT,
    quantity    INTEGER NOT NULL DEFAULT 1 CHECK (quantity >= 1),
    damaged     INTEGER NOT NULL DEFAULT 0 CHECK (damaged IN (0, 1)),
    -- 1 when received over the line's quantity after a CONFIRM.
    over        INTEGER NOT NULL DEFAULT 0 CHECK (over IN (0, 1)),
    received_at TEXT NOT NULL,
    seq         INTEGER
);
CREATE INDEX delivery_items_delivery ON delivery_items(delivery_id);
CREATE INDEX delivery_items_line ON delivery_items(po_line_id);

CREATE TABLE discrepancies (
    id          INTEGER PRIMARY KEY,
    po_id       INTEGER NOT NULL REFERENCES purchase_orders(id),
    delivery_id INTEGER REFERENCES deliveries(id),
    po_line_id  INTEGER REFERENCES po_lines(id),
    kind        TEXT NOT NULL CHECK (kind IN ('over', 'short', 'not_on_order', 'duplicate_serial', 'damaged', 'unreadable')),
    serial      TEXT,
    detail      TEXT NOT NULL,
    -- The label as read, for `unreadable`.
    raw         TEXT,
    at          TEXT NOT NULL,
    seq         INTEGER
);
CREATE INDEX discrepancies_po ON discrepancies(po_id);
