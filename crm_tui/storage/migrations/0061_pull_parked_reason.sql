-- Sync (issue 14): a pulled row this laptop cannot apply (a value out of range, a bad date…)
-- is parked with the reason instead of stopping sync; `waits_for` is NULL for those (they
-- are retried at the next sync, not when a parent arrives). Rebuilt: waits_for was NOT NULL.
CREATE TABLE pull_parked_new (
    row_id TEXT PRIMARY KEY,
    entity TEXT NOT NULL,
    seq INTEGER NOT NULL,
    change TEXT NOT NULL,
    waits_for TEXT,
    reason TEXT
);
INSERT INTO pull_parked_new(row_id, entity, seq, change, waits_for)
    SELECT row_id, entity, seq, change, waits_for FROM pull_parked;
DROP TABLE pull_parked;
ALTER TABLE pull_parked_new RENAME TO pull_parked;
CREATE INDEX ix_pull_parked_waits ON pull_parked(waits_for);
