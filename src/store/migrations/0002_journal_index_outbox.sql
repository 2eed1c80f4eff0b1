-- 0002: guards and indexes on the journal, and the outbox for sync.

-- The journal is append-only. These triggers stop honest mistakes; `verify`
-- still detects tampering done with them dropped.
CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal
BEGIN
    SELECT RAISE(ABORT, 'the journal is append-only: rows cannot be updated');
END;
CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal
BEGIN
    SELECT RAISE(ABORT, 'the journal is append-only: rows cannot be deleted');
END;

-- Which events name which asset (from the payload's asset_id / asset_ids), so an
-- asset's history is one index range. Derived data, outside the hash chain.
CREATE TABLE journal_assets (
    asset_id INTEGER NOT NULL,
    seq      INTEGER NOT NULL REFERENCES journal(seq),
    PRIMARY KEY (asset_id, seq)
) WITHOUT ROWID;

-- Work for the sync worker: one row per journal event and upstream to tell.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    seq             INTEGER NOT NULL REFERENCES journal(seq),
    upstream        TEXT NOT NULL,
    op              TEXT NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'done', 'failed', 'skipped')),
    last_error      TEXT,
    UNIQUE (seq, upstream, op)
);
CREATE INDEX outbox_due ON outbox(status, next_attempt_at);
