-- Issue 22, customer insight. The satisfaction record (synced like follow-ups), and per
-- customer the derived, local figures (never synced; storage/insight_store.py keeps them):
-- the RFM group, churn risk (0..1), lifetime value and yearly value at risk (minor units).
CREATE TABLE survey (
    id TEXT PRIMARY KEY, owner_id TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0, field_hlc TEXT NOT NULL DEFAULT '{}',
    server_version INTEGER NOT NULL DEFAULT 0, extra TEXT NOT NULL DEFAULT '{}',
    customer_id TEXT NOT NULL REFERENCES customer(id), contact_id TEXT REFERENCES contact(id),
    score INTEGER NOT NULL, comment TEXT, source TEXT NOT NULL DEFAULT 'call',
    taken_on TEXT, activity_id TEXT REFERENCES activity(id),
    opportunity_id TEXT REFERENCES opportunity(id), service_id TEXT
);
CREATE INDEX ix_survey_customer ON survey(customer_id, taken_on) WHERE deleted = 0;
CREATE INDEX ix_survey_live_taken ON survey(taken_on, id) WHERE deleted = 0;

ALTER TABLE customer ADD COLUMN segment TEXT;
ALTER TABLE customer ADD COLUMN risk REAL NOT NULL DEFAULT 0;
ALTER TABLE customer ADD COLUMN clv INTEGER NOT NULL DEFAULT 0;
ALTER TABLE customer ADD COLUMN value_at_risk INTEGER NOT NULL DEFAULT 0;
CREATE INDEX ix_customer_segment ON customer(segment, id) WHERE deleted = 0;
-- The desk's "valuable customers at risk": most value at risk first, read backwards.
CREATE INDEX ix_customer_value_at_risk ON customer(value_at_risk, id)
    WHERE deleted = 0 AND value_at_risk > 0;
-- Won deals of a customer by day (RFM, rhythm, lifetime value).
CREATE INDEX ix_opportunity_customer_closed ON opportunity(customer_id, stage, closed_on)
    WHERE deleted = 0;

-- Customers whose figures must be made again: filled by the triggers below (and by the
-- service module's, installed by insight_store when that table exists), emptied by a refresh.
-- Their inserts say ON CONFLICT DO NOTHING, not OR IGNORE: a trigger's OR IGNORE gives way
-- to the outer statement's conflict handling, and pull's upsert of a customer already
-- dirty then failed (and was parked).
CREATE TABLE insight_dirty (customer_id TEXT PRIMARY KEY) WITHOUT ROWID;

CREATE TRIGGER tr_insight_opportunity_insert AFTER INSERT ON opportunity
BEGIN INSERT INTO insight_dirty VALUES (NEW.customer_id) ON CONFLICT DO NOTHING; END;
CREATE TRIGGER tr_insight_opportunity_update AFTER UPDATE OF
    stage, amount, closed_on, customer_id, competitor_id, lost_reason, deleted ON opportunity
BEGIN
    INSERT INTO insight_dirty VALUES (OLD.customer_id) ON CONFLICT DO NOTHING;
    INSERT INTO insight_dirty VALUES (NEW.customer_id) ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER tr_insight_opportunity_delete AFTER DELETE ON opportunity
BEGIN INSERT INTO insight_dirty VALUES (OLD.customer_id) ON CONFLICT DO NOTHING; END;

CREATE TRIGGER tr_insight_activity_insert AFTER INSERT ON activity WHEN NEW.done_at IS NOT NULL
BEGIN INSERT INTO insight_dirty VALUES (NEW.customer_id) ON CONFLICT DO NOTHING; END;
CREATE TRIGGER tr_insight_activity_update AFTER UPDATE OF done_at, customer_id, deleted
    ON activity WHEN OLD.done_at IS NOT NULL OR NEW.done_at IS NOT NULL
BEGIN
    INSERT INTO insight_dirty VALUES (OLD.customer_id) ON CONFLICT DO NOTHING;
    INSERT INTO insight_dirty VALUES (NEW.customer_id) ON CONFLICT DO NOTHING;
END;

CREATE TRIGGER tr_insight_survey_insert AFTER INSERT ON survey
BEGIN INSERT INTO insight_dirty VALUES (NEW.customer_id) ON CONFLICT DO NOTHING; END;
CREATE TRIGGER tr_insight_survey_update AFTER UPDATE OF score, taken_on, customer_id, deleted
    ON survey
BEGIN
    INSERT INTO insight_dirty VALUES (OLD.customer_id) ON CONFLICT DO NOTHING;
    INSERT INTO insight_dirty VALUES (NEW.customer_id) ON CONFLICT DO NOTHING;
END;

-- A payment received counts for recency: its customer through contract -> deal.
CREATE TRIGGER tr_insight_payment_insert AFTER INSERT ON payment
BEGIN
    INSERT INTO insight_dirty SELECT o.customer_id FROM contract c
        JOIN opportunity o ON o.id = c.opportunity_id WHERE c.id = NEW.contract_id
        ON CONFLICT DO NOTHING;
END;
CREATE TRIGGER tr_insight_payment_update AFTER UPDATE OF received_on, amount, deleted
    ON payment
BEGIN
    INSERT INTO insight_dirty SELECT o.customer_id FROM contract c
        JOIN opportunity o ON o.id = c.opportunity_id WHERE c.id = NEW.contract_id
        ON CONFLICT DO NOTHING;
END;

CREATE TRIGGER tr_insight_customer_insert AFTER INSERT ON customer
BEGIN INSERT INTO insight_dirty VALUES (NEW.id) ON CONFLICT DO NOTHING; END;
CREATE TRIGGER tr_insight_customer_update AFTER UPDATE OF grade, created_at, deleted ON customer
BEGIN INSERT INTO insight_dirty VALUES (NEW.id) ON CONFLICT DO NOTHING; END;
