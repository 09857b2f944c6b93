-- crm remind / the app's reminder check: open follow-ups whose reminder time has come
-- (G's request, issue 20: without it SQLite walked every open follow-up, 1-2 s at 1M).
CREATE INDEX IF NOT EXISTS ix_activity_remind ON activity(remind_at, id)
    WHERE done_at IS NULL AND deleted = 0 AND remind_at IS NOT NULL;
