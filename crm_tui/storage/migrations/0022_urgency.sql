-- Urgency kept as a column (crm_tui/storage/urgency_store.py), so a list sorts by it with a
-- keyset read like any other column. Local derived data, never synced: the score depends on
-- this laptop's day and weights. `urgency_store.refresh` fills it and installs the triggers
-- that keep it right on every write (their SQL is made from the one expression in
-- crm_tui/query/urgency.py, with the day and the weights of the last refresh).
ALTER TABLE activity ADD COLUMN urgency REAL NOT NULL DEFAULT 0;
ALTER TABLE customer ADD COLUMN urgency REAL NOT NULL DEFAULT 0;
-- Most urgent first: read backwards. Done follow-ups score 0, so one index serves every view.
CREATE INDEX ix_activity_urgency ON activity(urgency, id) WHERE deleted = 0;
CREATE INDEX ix_customer_urgency ON customer(urgency, id) WHERE deleted = 0;
-- A deal's follow-ups, found when the deal's value or stage changes.
CREATE INDEX ix_activity_opportunity ON activity(opportunity_id) WHERE opportunity_id IS NOT NULL;
