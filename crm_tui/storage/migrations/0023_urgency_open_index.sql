-- Open follow-ups most urgent first (the default follow-ups view and the overdue, today and
-- upcoming ones): an index with the list's own filter, so SQLite reads the first page from it
-- rather than sorting every open follow-up (0022's index serves the "all" view).
CREATE INDEX ix_activity_urgency_open ON activity(urgency, id) WHERE deleted = 0 AND done_at IS NULL;
