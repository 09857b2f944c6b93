-- Issue 18: a customer's coordinates ('31.2304,121.4737'), so a visit check-in made more
-- than the set distance away is flagged.
ALTER TABLE customer ADD COLUMN coordinates TEXT;
