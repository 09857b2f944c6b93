-- Sync (issue 14): an edit that reached a row deleted on the server is kept as a conflict of
-- kind 'deleted' (restorable: undelete with the edit). SQLite cannot alter a CHECK, so the
-- table is rebuilt with its rows and ids.
CREATE TABLE conflict_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    entity TEXT NOT NULL, row_id TEXT NOT NULL, field TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT 'conflict' CHECK (kind IN ('conflict', 'rejected', 'deleted')),
    losing_value TEXT, winning_value TEXT, losing_hlc TEXT, winning_hlc TEXT,
    who TEXT, reason TEXT, at TEXT NOT NULL, resolved INTEGER NOT NULL DEFAULT 0
);
INSERT INTO conflict_new SELECT id, entity, row_id, field, kind, losing_value, winning_value,
    losing_hlc, winning_hlc, who, reason, at, resolved FROM conflict;
DROP TABLE conflict;
ALTER TABLE conflict_new RENAME TO conflict;
CREATE INDEX IF NOT EXISTS ix_conflict_open ON conflict(resolved, id);
