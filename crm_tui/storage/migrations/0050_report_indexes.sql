-- Covering indexes for the reports (storage/reports.py) and each customer's last done
-- follow-up, chosen by timing every report on 100k customers / 1M follow-ups.
-- `deleted` is a column of each index, not only its WHERE: SQLite 3.40 reads the table for
-- a column that only the partial-index predicate mentions, which costs a lookup per row.

-- Follow-ups done in a period, by kind, owner and customer.
CREATE INDEX ix_activity_done_report ON activity(done_at, kind, owner_id, customer_id, deleted)
    WHERE done_at IS NOT NULL AND deleted = 0;
-- Last follow-up done per customer (kept up to date below).
CREATE INDEX ix_activity_customer_done ON activity(customer_id, done_at)
    WHERE done_at IS NOT NULL AND deleted = 0;
-- Customers by owner, then status, city, industry, grade and when they were added.
CREATE INDEX ix_customer_report ON customer(owner_id, status, city, industry, grade, created_at,
    deleted) WHERE deleted = 0;
-- Customers added in a period, mine or the team's.
CREATE INDEX ix_customer_created_report ON customer(created_at, owner_id, deleted)
    WHERE deleted = 0;
-- Won amount per customer in customer order (ABC grading); funnel and forecast by stage.
CREATE INDEX ix_opportunity_stage_report ON opportunity(stage, customer_id, currency, amount,
    probability, expected_close, owner_id, deleted) WHERE deleted = 0;
-- Deals won and lost in a period: counts, amounts, reasons, sales cycle.
CREATE INDEX ix_opportunity_closed_report ON opportunity(closed_on, stage, currency, amount,
    owner_id, lost_reason, created_at, deleted) WHERE closed_on IS NOT NULL AND deleted = 0;
-- Claims in a period by status, category, customer and deal.
CREATE INDEX ix_expense_spent_report ON expense(spent_on, status, category, currency, amount,
    owner_id, customer_id, opportunity_id, deleted) WHERE deleted = 0;

-- Each customer's last done follow-up, with the customer's owner and whether it is live
-- (not deleted, not lost), so "going cold" is one index range, not a scan of every
-- follow-up and customer. Local derived data (like the search index): triggers keep it right
-- for every writer (repositories, sync pulls, imports, the demo generator).
CREATE TABLE customer_last_done (
    customer_id TEXT PRIMARY KEY,
    last_done_at TEXT NOT NULL,
    owner_id TEXT,
    live INTEGER NOT NULL DEFAULT 1
) WITHOUT ROWID;
CREATE INDEX ix_customer_last_done ON customer_last_done(live, last_done_at, owner_id);

INSERT INTO customer_last_done(customer_id, last_done_at, owner_id, live)
    SELECT a.customer_id, max(a.done_at), c.owner_id,
           coalesce(c.deleted = 0 AND c.status != 'lost', 1)
    FROM activity a LEFT JOIN customer c ON c.id = a.customer_id
    WHERE a.done_at IS NOT NULL AND a.deleted = 0
    GROUP BY a.customer_id;

CREATE TRIGGER tr_activity_last_done_insert AFTER INSERT ON activity
WHEN NEW.done_at IS NOT NULL AND NEW.deleted = 0
BEGIN
    INSERT INTO customer_last_done(customer_id, last_done_at, owner_id, live)
        VALUES (NEW.customer_id, NEW.done_at,
                (SELECT owner_id FROM customer WHERE id = NEW.customer_id),
                coalesce((SELECT deleted = 0 AND status != 'lost' FROM customer
                          WHERE id = NEW.customer_id), 1))
        ON CONFLICT(customer_id) DO UPDATE
        SET last_done_at = max(last_done_at, excluded.last_done_at);
END;

CREATE TRIGGER tr_activity_last_done_update AFTER UPDATE OF done_at, deleted, customer_id
ON activity
BEGIN
    DELETE FROM customer_last_done WHERE customer_id IN (OLD.customer_id, NEW.customer_id);
    INSERT INTO customer_last_done(customer_id, last_done_at, owner_id, live)
        SELECT a.customer_id, max(a.done_at),
               (SELECT owner_id FROM customer WHERE id = a.customer_id),
               coalesce((SELECT deleted = 0 AND status != 'lost' FROM customer
                         WHERE id = a.customer_id), 1)
        FROM activity a
        WHERE a.customer_id IN (OLD.customer_id, NEW.customer_id)
          AND a.done_at IS NOT NULL AND a.deleted = 0
        GROUP BY a.customer_id;
END;

CREATE TRIGGER tr_activity_last_done_delete AFTER DELETE ON activity
BEGIN
    DELETE FROM customer_last_done WHERE customer_id = OLD.customer_id;
    INSERT INTO customer_last_done(customer_id, last_done_at, owner_id, live)
        SELECT a.customer_id, max(a.done_at),
               (SELECT owner_id FROM customer WHERE id = a.customer_id),
               coalesce((SELECT deleted = 0 AND status != 'lost' FROM customer
                         WHERE id = a.customer_id), 1)
        FROM activity a
        WHERE a.customer_id = OLD.customer_id AND a.done_at IS NOT NULL AND a.deleted = 0
        GROUP BY a.customer_id;
END;

-- A customer's owner and liveness, copied (a pulled follow-up may arrive before its customer).
CREATE TRIGGER tr_customer_last_done_insert AFTER INSERT ON customer
BEGIN
    UPDATE customer_last_done
    SET owner_id = NEW.owner_id, live = (NEW.deleted = 0 AND NEW.status != 'lost')
    WHERE customer_id = NEW.id;
END;

CREATE TRIGGER tr_customer_last_done_update AFTER UPDATE OF owner_id, status, deleted
ON customer
BEGIN
    UPDATE customer_last_done
    SET owner_id = NEW.owner_id, live = (NEW.deleted = 0 AND NEW.status != 'lost')
    WHERE customer_id = NEW.id;
END;
