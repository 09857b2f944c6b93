-- The desk's "Going to the pool" (issue 18, storage/pool_quick.py) walks a rep's customers
-- soonest-first and stops at the panel's few, so a rep owning 100,000 customers costs an
-- index walk of a few dozen rows, not a read of every customer.
--
-- pool_clock: per live, unlocked, owned customer, when its follow-up clock started — the
-- later of when its owner got it (claimed, else created) and its newest done follow-up
-- (customer_last_done, 0050). Local derived data kept by triggers for every writer
-- (repositories, sync pulls incl. the first sync's bulk path, imports, the demo).
CREATE TABLE pool_clock (
    customer_id TEXT PRIMARY KEY,
    owner_id TEXT NOT NULL,
    since TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX ix_pool_clock_owner ON pool_clock(owner_id, since);

INSERT INTO pool_clock(customer_id, owner_id, since)
    SELECT c.id, c.owner_id,
           max(coalesce(c.claimed_at, c.created_at), coalesce(l.last_done_at, ''))
    FROM customer c LEFT JOIN customer_last_done l ON l.customer_id = c.id
    WHERE c.deleted = 0 AND c.locked = 0 AND c.owner_id IS NOT NULL;

-- The customer's side: owner, claim, creation, tombstone, lock.
CREATE TRIGGER tr_pool_clock_customer_insert AFTER INSERT ON customer
WHEN NEW.deleted = 0 AND NEW.locked = 0 AND NEW.owner_id IS NOT NULL
BEGIN
    INSERT OR REPLACE INTO pool_clock(customer_id, owner_id, since)
        VALUES (NEW.id, NEW.owner_id,
                max(coalesce(NEW.claimed_at, NEW.created_at),
                    coalesce((SELECT last_done_at FROM customer_last_done
                              WHERE customer_id = NEW.id), '')));
END;

CREATE TRIGGER tr_pool_clock_customer_update
AFTER UPDATE OF id, owner_id, claimed_at, created_at, deleted, locked ON customer
BEGIN
    DELETE FROM pool_clock WHERE customer_id IN (OLD.id, NEW.id);
    INSERT INTO pool_clock(customer_id, owner_id, since)
        SELECT NEW.id, NEW.owner_id,
               max(coalesce(NEW.claimed_at, NEW.created_at),
                   coalesce((SELECT last_done_at FROM customer_last_done
                             WHERE customer_id = NEW.id), ''))
        WHERE NEW.deleted = 0 AND NEW.locked = 0 AND NEW.owner_id IS NOT NULL;
END;

CREATE TRIGGER tr_pool_clock_customer_delete AFTER DELETE ON customer
BEGIN
    DELETE FROM pool_clock WHERE customer_id = OLD.id;
END;

-- The follow-up side. A newer last follow-up only moves the clock later (max); one taken
-- away (deleted, moved, undone: 0050 deletes and re-inserts the row) starts it again from
-- the customer's own time and what is left.
CREATE TRIGGER tr_pool_clock_done_insert AFTER INSERT ON customer_last_done
BEGIN
    UPDATE pool_clock SET since = max(since, NEW.last_done_at)
    WHERE customer_id = NEW.customer_id;
END;

CREATE TRIGGER tr_pool_clock_done_later AFTER UPDATE OF last_done_at ON customer_last_done
WHEN NEW.last_done_at >= OLD.last_done_at
BEGIN
    UPDATE pool_clock SET since = max(since, NEW.last_done_at)
    WHERE customer_id = NEW.customer_id;
END;

CREATE TRIGGER tr_pool_clock_done_earlier AFTER UPDATE OF last_done_at ON customer_last_done
WHEN NEW.last_done_at < OLD.last_done_at
BEGIN
    UPDATE pool_clock
    SET since = (SELECT max(coalesce(c.claimed_at, c.created_at), NEW.last_done_at)
                 FROM customer c WHERE c.id = NEW.customer_id)
    WHERE customer_id = NEW.customer_id;
END;

CREATE TRIGGER tr_pool_clock_done_delete AFTER DELETE ON customer_last_done
BEGIN
    UPDATE pool_clock
    SET since = (SELECT coalesce(c.claimed_at, c.created_at) FROM customer c
                 WHERE c.id = OLD.customer_id)
    WHERE customer_id = OLD.customer_id;
END;

-- When a deal clock is on: the rep's customers by when the owner got them.
CREATE INDEX IF NOT EXISTS ix_customer_pool_owned
    ON customer(owner_id, coalesce(claimed_at, created_at))
    WHERE deleted = 0 AND locked = 0;
