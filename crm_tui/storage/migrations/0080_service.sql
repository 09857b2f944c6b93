-- Issue 15, after-sales service: service orders (派遣单) and service plans (服务计划).
-- Money in integer minor units; time spent in minutes. List indexes are partial on live
-- rows (`deleted = 0`), the form the repositories query.

CREATE TABLE service (
    id TEXT PRIMARY KEY, owner_id TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0, field_hlc TEXT NOT NULL DEFAULT '{}',
    server_version INTEGER NOT NULL DEFAULT 0, extra TEXT NOT NULL DEFAULT '{}',
    number TEXT, customer_id TEXT NOT NULL REFERENCES customer(id),
    contact_id TEXT REFERENCES contact(id), opportunity_id TEXT REFERENCES opportunity(id),
    plan_id TEXT REFERENCES service_plan(id),
    kind TEXT NOT NULL DEFAULT 'repair', priority TEXT NOT NULL DEFAULT 'normal',
    subject TEXT NOT NULL, description TEXT, planned_start TEXT, planned_end TEXT,
    engineer_id TEXT, status TEXT NOT NULL DEFAULT 'new', requested_at TEXT,
    approver_id TEXT, approved_at TEXT, dispatched_to TEXT, decision_note TEXT, started_at TEXT,
    finished_at TEXT, closed_at TEXT, minutes INTEGER,
    parts_cost INTEGER NOT NULL DEFAULT 0, travel_cost INTEGER NOT NULL DEFAULT 0,
    other_cost INTEGER NOT NULL DEFAULT 0, currency TEXT NOT NULL DEFAULT 'CNY',
    rating INTEGER, feedback TEXT
);
CREATE INDEX ix_service_live_planned ON service(planned_start, id) WHERE deleted = 0;
CREATE INDEX ix_service_customer ON service(customer_id, planned_start) WHERE deleted = 0;
CREATE INDEX ix_service_status ON service(status, planned_start) WHERE deleted = 0;
CREATE INDEX ix_service_engineer ON service(engineer_id, planned_start) WHERE deleted = 0;
CREATE INDEX ix_service_plan ON service(plan_id) WHERE deleted = 0;

CREATE TABLE service_plan (
    id TEXT PRIMARY KEY, owner_id TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0, field_hlc TEXT NOT NULL DEFAULT '{}',
    server_version INTEGER NOT NULL DEFAULT 0, extra TEXT NOT NULL DEFAULT '{}',
    customer_id TEXT NOT NULL REFERENCES customer(id),
    opportunity_id TEXT REFERENCES opportunity(id), contact_id TEXT REFERENCES contact(id),
    kind TEXT NOT NULL DEFAULT 'maintenance', priority TEXT NOT NULL DEFAULT 'normal',
    subject TEXT NOT NULL, every TEXT NOT NULL, starts_on TEXT NOT NULL, ends_on TEXT,
    engineer_id TEXT, lead_days INTEGER NOT NULL DEFAULT 14,
    active INTEGER NOT NULL DEFAULT 1, notes TEXT
);
CREATE INDEX ix_service_plan_customer ON service_plan(customer_id) WHERE deleted = 0;
CREATE INDEX ix_service_plan_live_start ON service_plan(starts_on, id) WHERE deleted = 0;
