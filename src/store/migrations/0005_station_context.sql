-- 0005: the workflow foundation.
--
-- Each station's context: its mode, what each mode has open (ids only, one
-- JSON object per mode), and the question it asked. Written in the same
-- transaction as the events that change it and re-read inside each, so a
-- restart, a crash or a second process resumes where the bench was.
CREATE TABLE station_context (
    station    TEXT PRIMARY KEY,
    mode       TEXT NOT NULL,
    context    TEXT NOT NULL DEFAULT '{}',
    question   TEXT,
    updated_at TEXT NOT NULL
) WITHOUT ROWID;

-- The status an asset had when a stock-take marked it missing: it goes back
-- to it when it is found.
ALTER TABLE assets ADD COLUMN status_before_missing TEXT;

-- Named counters (generated asset tags, SSCC serials, certificate numbers):
-- read and bumped inside the write transaction that uses the value.
CREATE TABLE counters (
    name  TEXT PRIMARY KEY,
    value INTEGER NOT NULL
) WITHOUT ROWID;
