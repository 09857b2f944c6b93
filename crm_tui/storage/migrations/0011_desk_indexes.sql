-- Indexes for today's desk (storage/desk.py): recent contacts and this month's amount won.
CREATE INDEX ix_contact_created ON contact(created_at) WHERE deleted = 0;
CREATE INDEX ix_opportunity_won ON opportunity(closed_on) WHERE stage = 'won' AND deleted = 0;
