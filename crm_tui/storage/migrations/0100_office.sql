-- Issue 17, office and communication (helper O1): work reports (日报/周报/月报) with their
-- comments and read receipts, the team's due rule, and the contact log (联系记录).
-- A comment's and a read receipt's `audience` (the report's author and recipients) are
-- the members the server shows them to besides their owner (permissions.READER_FIELDS).
-- List indexes are partial on live rows (`deleted = 0`), the form the repositories query.

CREATE TABLE work_report (
    id TEXT PRIMARY KEY, owner_id TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0, field_hlc TEXT NOT NULL DEFAULT '{}',
    server_version INTEGER NOT NULL DEFAULT 0, extra TEXT NOT NULL DEFAULT '{}',
    kind TEXT NOT NULL, period TEXT NOT NULL, period_start TEXT NOT NULL,
    period_end TEXT NOT NULL, done TEXT, plan TEXT, problems TEXT, recipients TEXT,
    figures TEXT, status TEXT NOT NULL DEFAULT 'draft', submitted_at TEXT
);
-- One author's report of a kind and period; the team view's (kind, period) rows.
CREATE INDEX ix_work_report_owner ON work_report(owner_id, kind, period) WHERE deleted = 0;
CREATE INDEX ix_work_report_period ON work_report(kind, period_start) WHERE deleted = 0;

CREATE TABLE report_comment (
    id TEXT PRIMARY KEY, owner_id TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0, field_hlc TEXT NOT NULL DEFAULT '{}',
    server_version INTEGER NOT NULL DEFAULT 0, extra TEXT NOT NULL DEFAULT '{}',
    report_id TEXT NOT NULL REFERENCES work_report(id),
    reply_to TEXT REFERENCES report_comment(id), body TEXT NOT NULL, audience TEXT
);
CREATE INDEX ix_report_comment_report ON report_comment(report_id, created_at) WHERE deleted = 0;

CREATE TABLE report_read (
    id TEXT PRIMARY KEY, owner_id TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0, field_hlc TEXT NOT NULL DEFAULT '{}',
    server_version INTEGER NOT NULL DEFAULT 0, extra TEXT NOT NULL DEFAULT '{}',
    report_id TEXT NOT NULL REFERENCES work_report(id), read_at TEXT NOT NULL, audience TEXT
);
CREATE INDEX ix_report_read_report ON report_read(report_id, owner_id) WHERE deleted = 0;

CREATE TABLE report_rule (
    id TEXT PRIMARY KEY, owner_id TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0, field_hlc TEXT NOT NULL DEFAULT '{}',
    server_version INTEGER NOT NULL DEFAULT 0, extra TEXT NOT NULL DEFAULT '{}',
    kind TEXT NOT NULL, weekdays TEXT NOT NULL, due_by TEXT NOT NULL
);

CREATE TABLE contact_log (
    id TEXT PRIMARY KEY, owner_id TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0, field_hlc TEXT NOT NULL DEFAULT '{}',
    server_version INTEGER NOT NULL DEFAULT 0, extra TEXT NOT NULL DEFAULT '{}',
    customer_id TEXT NOT NULL REFERENCES customer(id), contact_id TEXT REFERENCES contact(id),
    channel TEXT NOT NULL, direction TEXT NOT NULL DEFAULT 'out', at TEXT NOT NULL,
    minutes INTEGER, summary TEXT, activity_id TEXT REFERENCES activity(id)
);
CREATE INDEX ix_contact_log_customer ON contact_log(customer_id, at) WHERE deleted = 0;
CREATE INDEX ix_contact_log_live_at ON contact_log(at, id) WHERE deleted = 0;
CREATE INDEX ix_contact_log_activity ON contact_log(activity_id) WHERE deleted = 0;
