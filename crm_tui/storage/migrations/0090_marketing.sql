-- Issue 16, marketing (市场管理): campaigns, their members (invited -> registered ->
-- attended, declined, no-show) and partners; a claim and a deal may name a campaign (its
-- cost is the claims linked to it; deals that name it count towards its return).
-- List indexes are partial on live rows (`deleted = 0`), the form the repositories query.

CREATE TABLE campaign (
    id TEXT PRIMARY KEY, owner_id TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0, field_hlc TEXT NOT NULL DEFAULT '{}',
    server_version INTEGER NOT NULL DEFAULT 0, extra TEXT NOT NULL DEFAULT '{}',
    name TEXT NOT NULL, kind TEXT NOT NULL DEFAULT 'seminar',
    status TEXT NOT NULL DEFAULT 'planned', starts_on TEXT, ends_on TEXT, place TEXT,
    budget INTEGER NOT NULL DEFAULT 0, currency TEXT NOT NULL DEFAULT 'CNY',
    partner_ids TEXT, notes TEXT
);
CREATE INDEX ix_campaign_live_start ON campaign(starts_on, id) WHERE deleted = 0;
CREATE INDEX ix_campaign_live_status ON campaign(status, starts_on) WHERE deleted = 0;

CREATE TABLE campaign_member (
    id TEXT PRIMARY KEY, owner_id TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0, field_hlc TEXT NOT NULL DEFAULT '{}',
    server_version INTEGER NOT NULL DEFAULT 0, extra TEXT NOT NULL DEFAULT '{}',
    campaign_id TEXT NOT NULL REFERENCES campaign(id), contact_id TEXT REFERENCES contact(id),
    customer_id TEXT REFERENCES customer(id), name TEXT NOT NULL, company TEXT, phone TEXT,
    email TEXT, status TEXT NOT NULL DEFAULT 'invited', source TEXT NOT NULL DEFAULT 'invitation',
    invited_at TEXT, registered_at TEXT, attended_at TEXT, attended_by TEXT, declined_at TEXT,
    status_by TEXT, notes TEXT, sort_key TEXT NOT NULL DEFAULT ''
);
CREATE INDEX ix_campaign_member_campaign ON campaign_member(campaign_id, status, sort_key)
    WHERE deleted = 0;
CREATE INDEX ix_campaign_member_contact ON campaign_member(contact_id) WHERE deleted = 0;
CREATE INDEX ix_campaign_member_customer ON campaign_member(customer_id) WHERE deleted = 0;

CREATE TABLE partner (
    id TEXT PRIMARY KEY, owner_id TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0, field_hlc TEXT NOT NULL DEFAULT '{}',
    server_version INTEGER NOT NULL DEFAULT 0, extra TEXT NOT NULL DEFAULT '{}',
    name TEXT NOT NULL, kind TEXT, contact_person TEXT, phone TEXT, email TEXT, notes TEXT
);
CREATE INDEX ix_partner_live_name ON partner(name, id) WHERE deleted = 0;

ALTER TABLE expense ADD COLUMN campaign_id TEXT REFERENCES campaign(id);
CREATE INDEX ix_expense_campaign ON expense(campaign_id) WHERE deleted = 0;
ALTER TABLE opportunity ADD COLUMN campaign_id TEXT REFERENCES campaign(id);
CREATE INDEX ix_opportunity_campaign ON opportunity(campaign_id) WHERE deleted = 0;
