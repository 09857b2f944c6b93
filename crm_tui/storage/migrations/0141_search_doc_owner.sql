-- Whose customer each search document is (issue 20): a customer's own document, or a live
-- contact's document mapped to the contact's customer. `crm query customers '北京'` then
-- reads one small table per full-text hit (docid is its rowid) instead of the document,
-- the contact and the customer by their text ids: 26,000 hits of 科技 at 100k customers
-- 67 → 29 ms. Kept by triggers, so every writer (repositories, bulk import, demo, restore's
-- rebuild) stays as it is. The name starts with search_doc, so backups leave it out as
-- derived data (io/backup.py). Filling it at 100k customers (270k documents) takes ~0.6 s.
CREATE TABLE search_doc_owner (
    docid INTEGER PRIMARY KEY, customer_id TEXT NOT NULL
);
INSERT INTO search_doc_owner(docid, customer_id)
    SELECT docid, row_id FROM search_doc WHERE entity = 'customer'
    UNION ALL
    SELECT d.docid, c.customer_id FROM search_doc d JOIN contact c ON c.id = d.row_id
    WHERE d.entity = 'contact' AND c.deleted = 0 AND c.customer_id IS NOT NULL;

-- Upserts, not OR REPLACE: a trigger's conflict clause gives way to the outer statement's
-- (sync's pull upserts), see migration 0120's dirty-set triggers.
-- A new document: its owner, if it is a customer's or a live contact's (a contact written
-- after its document is caught by the contact triggers below).
CREATE TRIGGER tr_search_owner_doc_ins AFTER INSERT ON search_doc
BEGIN
    INSERT INTO search_doc_owner(docid, customer_id)
        SELECT new.docid, new.row_id WHERE new.entity = 'customer'
        ON CONFLICT(docid) DO UPDATE SET customer_id = excluded.customer_id;
    INSERT INTO search_doc_owner(docid, customer_id)
        SELECT new.docid, c.customer_id FROM contact c
        WHERE new.entity = 'contact' AND c.id = new.row_id AND c.deleted = 0
        AND c.customer_id IS NOT NULL
        ON CONFLICT(docid) DO UPDATE SET customer_id = excluded.customer_id;
END;
CREATE TRIGGER tr_search_owner_doc_del AFTER DELETE ON search_doc
BEGIN
    DELETE FROM search_doc_owner WHERE docid = old.docid;
END;
CREATE TRIGGER tr_search_owner_doc_upd AFTER UPDATE ON search_doc
BEGIN
    DELETE FROM search_doc_owner WHERE docid = old.docid;
    INSERT INTO search_doc_owner(docid, customer_id)
        SELECT new.docid, new.row_id WHERE new.entity = 'customer'
        ON CONFLICT(docid) DO UPDATE SET customer_id = excluded.customer_id;
    INSERT INTO search_doc_owner(docid, customer_id)
        SELECT new.docid, c.customer_id FROM contact c
        WHERE new.entity = 'contact' AND c.id = new.row_id AND c.deleted = 0
        AND c.customer_id IS NOT NULL
        ON CONFLICT(docid) DO UPDATE SET customer_id = excluded.customer_id;
END;

-- A contact created, moved to another customer, deleted or restored: its document's owner
-- follows (only live contacts count for their customer).
CREATE TRIGGER tr_search_owner_contact_ins AFTER INSERT ON contact
BEGIN
    INSERT INTO search_doc_owner(docid, customer_id)
        SELECT d.docid, new.customer_id FROM search_doc d
        WHERE d.row_id = new.id AND d.entity = 'contact' AND new.deleted = 0
        AND new.customer_id IS NOT NULL
        ON CONFLICT(docid) DO UPDATE SET customer_id = excluded.customer_id;
END;
CREATE TRIGGER tr_search_owner_contact_upd AFTER UPDATE OF id, customer_id, deleted ON contact
BEGIN
    DELETE FROM search_doc_owner WHERE docid IN (
        SELECT d.docid FROM search_doc d WHERE d.row_id IN (old.id, new.id)
        AND d.entity = 'contact'
    );
    INSERT INTO search_doc_owner(docid, customer_id)
        SELECT d.docid, new.customer_id FROM search_doc d
        WHERE d.row_id = new.id AND d.entity = 'contact' AND new.deleted = 0
        AND new.customer_id IS NOT NULL
        ON CONFLICT(docid) DO UPDATE SET customer_id = excluded.customer_id;
END;
CREATE TRIGGER tr_search_owner_contact_del AFTER DELETE ON contact
BEGIN
    DELETE FROM search_doc_owner WHERE docid IN (
        SELECT d.docid FROM search_doc d WHERE d.row_id = old.id AND d.entity = 'contact'
    );
END;
