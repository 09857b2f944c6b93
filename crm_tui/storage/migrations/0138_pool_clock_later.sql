-- pool_clock (0137): a customer_last_done update that leaves the newest done follow-up
-- where it was (0050 rewrites it as max(old, new) for every done follow-up written, so half
-- of a pull's follow-ups, arriving out of order) no longer rewrites the customer's clock.
DROP TRIGGER tr_pool_clock_done_later;
CREATE TRIGGER tr_pool_clock_done_later AFTER UPDATE OF last_done_at ON customer_last_done
WHEN NEW.last_done_at > OLD.last_done_at
BEGIN
    UPDATE pool_clock SET since = NEW.last_done_at
    WHERE customer_id = NEW.customer_id AND since < NEW.last_done_at;
END;
