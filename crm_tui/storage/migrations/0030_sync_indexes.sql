-- Sync: pulled pages look up pending outbox rows by record; the conflicts view lists the
-- unresolved ones newest first.
CREATE INDEX IF NOT EXISTS ix_outbox_row ON outbox(row_id);
CREATE INDEX IF NOT EXISTS ix_conflict_open ON conflict(resolved, id);
