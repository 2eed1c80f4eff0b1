-- 0007: sync state. The journal is the outbox: the sync worker derives its
-- operations from journal events after a cursor, so wave 1's `outbox` (rows
-- that every writer would have had to remember to enqueue) goes unused and is
-- dropped.
DROP INDEX outbox_due;
DROP TABLE outbox;

-- How far the planner has read the journal, per upstream (a config name such
-- as 'snipeit').
CREATE TABLE sync_cursors (
    upstream TEXT PRIMARY KEY,
    seq      INTEGER NOT NULL CHECK (seq >= 0)
);

-- One row per upstream operation planned from a journal event (src/sync/plan.rs).
-- state: pending (waiting, maybe behind a backoff), in_flight (committed before
-- its request is sent: after a crash it may or may not have taken effect),
-- done, parked (needs a person; `reason` says why).
-- `uncertain` = 1 when an earlier attempt may have reached the server (a
-- timeout, a reset, a crash while in flight): the next attempt checks first.
-- Times are Unix milliseconds (the worker's clock).
CREATE TABLE sync_ops (
    id              INTEGER PRIMARY KEY,
    upstream        TEXT NOT NULL,
    seq             INTEGER NOT NULL REFERENCES journal(seq),
    idx             INTEGER NOT NULL,
    asset_id        INTEGER,
    op              TEXT NOT NULL,
    args            TEXT NOT NULL,
    state           TEXT NOT NULL DEFAULT 'pending'
                    CHECK (state IN ('pending', 'in_flight', 'done', 'parked')),
    uncertain       INTEGER NOT NULL DEFAULT 0 CHECK (uncertain IN (0, 1)),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_ms INTEGER,
    last_error      TEXT,
    reason          TEXT,
    UNIQUE (upstream, seq, idx)
);
-- The work list: what is not done yet, in order.
CREATE INDEX sync_ops_open ON sync_ops(upstream, id) WHERE state <> 'done';
-- An asset's earlier unfinished operations hold back its later ones.
CREATE INDEX sync_ops_asset_open ON sync_ops(upstream, asset_id, id) WHERE state <> 'done';

-- What the upstream calls things: its ids for our rows (kind asset, model,
-- manufacturer, category, supplier, location) and its reference data with no
-- local row (status labels, companies: local_id NULL). `name` is the upstream's
-- name (HTML entities decoded), `extra` a JSON object (a status label's type).
CREATE TABLE upstream_refs (
    upstream  TEXT NOT NULL,
    kind      TEXT NOT NULL,
    remote_id INTEGER NOT NULL,
    name      TEXT NOT NULL COLLATE NOCASE,
    local_id  INTEGER,
    extra     TEXT NOT NULL DEFAULT '{}',
    PRIMARY KEY (upstream, kind, remote_id)
);
CREATE INDEX upstream_refs_local ON upstream_refs(upstream, kind, local_id) WHERE local_id IS NOT NULL;
CREATE INDEX upstream_refs_name ON upstream_refs(upstream, kind, name);
