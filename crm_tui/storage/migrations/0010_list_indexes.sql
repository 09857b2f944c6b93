-- Sort indexes for the TUI's lazy lists (storage/listing.py): each list reads a page by
-- keyset on (sort column, id), so the index must hold both and match the list's filter.
CREATE INDEX ix_activity_list_due ON activity(due_at, id) WHERE deleted = 0;
CREATE INDEX ix_activity_list_open ON activity(due_at, id) WHERE done_at IS NULL AND deleted = 0;
CREATE INDEX ix_activity_list_done ON activity(done_at, id) WHERE done_at IS NOT NULL AND deleted = 0;
CREATE INDEX ix_opportunity_list_close ON opportunity(expected_close, id) WHERE deleted = 0;
CREATE INDEX ix_expense_list_spent ON expense(spent_on, id) WHERE deleted = 0;
