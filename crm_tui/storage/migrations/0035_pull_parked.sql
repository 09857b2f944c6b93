-- Sync: a pulled row whose parent (its customer, contact, deal…) has not reached this laptop
-- yet waits here, invisible, until the parent is pulled. The server sends each row once, at
-- its latest version, so a customer edited after its contacts were added arrives after them.
CREATE TABLE pull_parked (
    row_id TEXT PRIMARY KEY,
    entity TEXT NOT NULL,
    seq INTEGER NOT NULL,
    change TEXT NOT NULL,
    waits_for TEXT NOT NULL
);
CREATE INDEX ix_pull_parked_waits ON pull_parked(waits_for);
