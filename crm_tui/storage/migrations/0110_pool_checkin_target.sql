-- Issue 18: the customer pool (公海), visit check-ins (拜访签到) and monthly targets.
-- A pooled customer has no owner; `pool_since` / `previous_owner_id` are the server's.
-- Pool rules are a synced team setting, one row per grade ('*' for any grade).

ALTER TABLE customer ADD COLUMN pool_since TEXT;
ALTER TABLE customer ADD COLUMN previous_owner_id TEXT;
ALTER TABLE customer ADD COLUMN locked INTEGER NOT NULL DEFAULT 0;
ALTER TABLE customer ADD COLUMN claimed_at TEXT;
-- The pool list: live customers without an owner, newest in the pool first.
CREATE INDEX ix_customer_pool ON customer(pool_since, id) WHERE deleted = 0 AND owner_id IS NULL;

CREATE TABLE pool_rule (
    id TEXT PRIMARY KEY, owner_id TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0, field_hlc TEXT NOT NULL DEFAULT '{}',
    server_version INTEGER NOT NULL DEFAULT 0, extra TEXT NOT NULL DEFAULT '{}',
    grade TEXT NOT NULL, followup_days INTEGER, deal_days INTEGER, exempt_won INTEGER,
    exempt_open_deal INTEGER, warn_days INTEGER, cap INTEGER, reclaim_days INTEGER
);

CREATE TABLE checkin (
    id TEXT PRIMARY KEY, owner_id TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0, field_hlc TEXT NOT NULL DEFAULT '{}',
    server_version INTEGER NOT NULL DEFAULT 0, extra TEXT NOT NULL DEFAULT '{}',
    activity_id TEXT NOT NULL REFERENCES activity(id), customer_id TEXT REFERENCES customer(id),
    checked_in_at TEXT NOT NULL, checked_out_at TEXT, place TEXT, at TEXT,
    distance_m INTEGER, flagged INTEGER NOT NULL DEFAULT 0, notes TEXT
);
CREATE INDEX ix_checkin_activity ON checkin(activity_id) WHERE deleted = 0;
CREATE INDEX ix_checkin_day ON checkin(checked_in_at, owner_id) WHERE deleted = 0;

CREATE TABLE target (
    id TEXT PRIMARY KEY, owner_id TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0, field_hlc TEXT NOT NULL DEFAULT '{}',
    server_version INTEGER NOT NULL DEFAULT 0, extra TEXT NOT NULL DEFAULT '{}',
    user_id TEXT, month TEXT NOT NULL, won INTEGER, new_customers INTEGER, visits INTEGER,
    payments INTEGER
);
CREATE INDEX ix_target_month ON target(month, user_id) WHERE deleted = 0;
