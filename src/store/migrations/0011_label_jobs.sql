-- 0011: the label queue. One row per label to print: an asset's label
-- (written in the receipt's own transaction) or a disposal pallet's SSCC
-- label. The ZPL is rendered when the job is made, so a job prints what the
-- station decided then, whatever the config says later. The label worker of
-- the station that made it sends it to `[labels] printer`.

CREATE TABLE label_jobs (
    id          INTEGER PRIMARY KEY,
    kind        TEXT NOT NULL CHECK (kind IN ('asset', 'pallet')),
    asset_id    INTEGER REFERENCES assets(id),
    batch_id    INTEGER REFERENCES batches(id),
    -- The job's name at the printer (`A-1001.zpl`; a file: printer's file name).
    name        TEXT NOT NULL,
    -- The rendered ZPL; empty when it could not be rendered (state failed).
    zpl         BLOB NOT NULL,
    -- The station whose worker prints it.
    station     TEXT NOT NULL,
    state       TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'printed', 'failed')),
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT,
    created_at  TEXT NOT NULL,
    printed_at  TEXT,
    CHECK ((kind = 'asset' AND asset_id IS NOT NULL AND batch_id IS NULL)
        OR (kind = 'pallet' AND batch_id IS NOT NULL AND asset_id IS NULL))
);

-- The worker's question: this station's queued jobs, oldest first.
CREATE INDEX label_jobs_waiting ON label_jobs (station, state, id);
CREATE INDEX label_jobs_asset ON label_jobs (asset_id) WHERE asset_id IS NOT NULL;
