-- A customer's visit check-ins (customer page `V`, newest first) without scanning every
-- check-in of the team.
CREATE INDEX IF NOT EXISTS ix_checkin_customer
    ON checkin(customer_id, checked_in_at DESC) WHERE deleted = 0;
