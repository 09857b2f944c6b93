-- Issue 19, quote to cash: products, quotes and their lines, contracts, payment plans
-- (instalments) and payments received. Money in integer minor units; rates in basis points.
-- List indexes are partial on live rows (`deleted = 0`), the form the repositories query.

CREATE TABLE product (
    id TEXT PRIMARY KEY, owner_id TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0, field_hlc TEXT NOT NULL DEFAULT '{}',
    server_version INTEGER NOT NULL DEFAULT 0, extra TEXT NOT NULL DEFAULT '{}',
    code TEXT, name TEXT NOT NULL, model TEXT, unit TEXT,
    list_price INTEGER NOT NULL DEFAULT 0, currency TEXT NOT NULL DEFAULT 'CNY',
    active INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX ix_product_live_name ON product(name, id) WHERE deleted = 0;
CREATE INDEX ix_product_code ON product(code) WHERE deleted = 0;

CREATE TABLE quote (
    id TEXT PRIMARY KEY, owner_id TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0, field_hlc TEXT NOT NULL DEFAULT '{}',
    server_version INTEGER NOT NULL DEFAULT 0, extra TEXT NOT NULL DEFAULT '{}',
    opportunity_id TEXT NOT NULL REFERENCES opportunity(id), title TEXT NOT NULL,
    revision INTEGER NOT NULL DEFAULT 1, status TEXT NOT NULL DEFAULT 'draft',
    valid_until TEXT, tax_rate_bp INTEGER NOT NULL DEFAULT 0,
    currency TEXT NOT NULL DEFAULT 'CNY', subtotal INTEGER NOT NULL DEFAULT 0,
    tax INTEGER NOT NULL DEFAULT 0, total INTEGER NOT NULL DEFAULT 0, notes TEXT,
    sent_at TEXT, decided_on TEXT
);
CREATE INDEX ix_quote_deal ON quote(opportunity_id, revision) WHERE deleted = 0;
CREATE INDEX ix_quote_live_status ON quote(status, valid_until) WHERE deleted = 0;

CREATE TABLE quote_line (
    id TEXT PRIMARY KEY, owner_id TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0, field_hlc TEXT NOT NULL DEFAULT '{}',
    server_version INTEGER NOT NULL DEFAULT 0, extra TEXT NOT NULL DEFAULT '{}',
    quote_id TEXT NOT NULL REFERENCES quote(id), product_id TEXT REFERENCES product(id),
    description TEXT NOT NULL, model TEXT, unit TEXT, quantity INTEGER NOT NULL DEFAULT 1,
    unit_price INTEGER NOT NULL DEFAULT 0, discount_bp INTEGER NOT NULL DEFAULT 0,
    position INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX ix_quote_line_quote ON quote_line(quote_id, position) WHERE deleted = 0;

CREATE TABLE contract (
    id TEXT PRIMARY KEY, owner_id TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0, field_hlc TEXT NOT NULL DEFAULT '{}',
    server_version INTEGER NOT NULL DEFAULT 0, extra TEXT NOT NULL DEFAULT '{}',
    opportunity_id TEXT NOT NULL REFERENCES opportunity(id), quote_id TEXT REFERENCES quote(id),
    number TEXT, title TEXT, signed_on TEXT, starts_on TEXT, ends_on TEXT,
    amount INTEGER NOT NULL, currency TEXT NOT NULL DEFAULT 'CNY', terms TEXT,
    attachment TEXT, status TEXT NOT NULL DEFAULT 'draft'
);
CREATE INDEX ix_contract_deal ON contract(opportunity_id) WHERE deleted = 0;
CREATE INDEX ix_contract_live_signed ON contract(signed_on, id) WHERE deleted = 0;

CREATE TABLE payment_plan (
    id TEXT PRIMARY KEY, owner_id TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0, field_hlc TEXT NOT NULL DEFAULT '{}',
    server_version INTEGER NOT NULL DEFAULT 0, extra TEXT NOT NULL DEFAULT '{}',
    contract_id TEXT NOT NULL REFERENCES contract(id), instalment INTEGER NOT NULL,
    label TEXT, due_on TEXT NOT NULL, amount INTEGER NOT NULL,
    currency TEXT NOT NULL DEFAULT 'CNY', method TEXT, paid INTEGER NOT NULL DEFAULT 0,
    settled_on TEXT, remind_days INTEGER NOT NULL DEFAULT 7
);
CREATE INDEX ix_payment_plan_contract ON payment_plan(contract_id, instalment) WHERE deleted = 0;
-- The desk's "payments due / overdue" and `due:overdue`: open instalments by due date.
CREATE INDEX ix_payment_plan_open_due ON payment_plan(due_on, id)
    WHERE deleted = 0 AND settled_on IS NULL;

CREATE TABLE payment (
    id TEXT PRIMARY KEY, owner_id TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0, field_hlc TEXT NOT NULL DEFAULT '{}',
    server_version INTEGER NOT NULL DEFAULT 0, extra TEXT NOT NULL DEFAULT '{}',
    contract_id TEXT NOT NULL REFERENCES contract(id),
    plan_id TEXT REFERENCES payment_plan(id), received_on TEXT NOT NULL,
    amount INTEGER NOT NULL, currency TEXT NOT NULL DEFAULT 'CNY', method TEXT,
    reference TEXT, status TEXT NOT NULL DEFAULT 'entered', confirmed_by TEXT,
    confirmed_at TEXT, notes TEXT
);
CREATE INDEX ix_payment_contract ON payment(contract_id, received_on) WHERE deleted = 0;
CREATE INDEX ix_payment_live_received ON payment(received_on, id) WHERE deleted = 0;
CREATE INDEX ix_payment_status ON payment(status) WHERE deleted = 0;
