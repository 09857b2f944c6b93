-- Search as you type (issue 4). The full-text index gains prefix indexes for 1- and
-- 2-character prefixes: '13' or '海' then read one doclist instead of merging every term
-- that starts with them (tens of thousands of phone numbers, hundreds of bigrams). FTS5
-- cannot add them in place, so the table is rebuilt (about 16 s at 100k customers).
CREATE VIRTUAL TABLE search_fts_0021 USING fts5(
    body, tokenize = 'unicode61 remove_diacritics 2', prefix = '1 2'
);
INSERT INTO search_fts_0021(rowid, body) SELECT rowid, body FROM search_fts;
DROP TABLE search_fts;
ALTER TABLE search_fts_0021 RENAME TO search_fts;

-- A counter bumped by every change that can move a customer in the ranked search hits
-- (a new or removed search document, customer or contact; a new sort key; a contact moved
-- to another customer), so storage/search.py `CustomerHits` knows when its map is stale.
CREATE TABLE search_epoch (id INTEGER PRIMARY KEY CHECK (id = 1), n INTEGER NOT NULL);
INSERT INTO search_epoch VALUES (1, 0);

CREATE TRIGGER tr_search_epoch_doc_ins AFTER INSERT ON search_doc
BEGIN UPDATE search_epoch SET n = n + 1; END;
CREATE TRIGGER tr_search_epoch_doc_del AFTER DELETE ON search_doc
BEGIN UPDATE search_epoch SET n = n + 1; END;
CREATE TRIGGER tr_search_epoch_doc_upd AFTER UPDATE ON search_doc
BEGIN UPDATE search_epoch SET n = n + 1; END;
CREATE TRIGGER tr_search_epoch_customer_ins AFTER INSERT ON customer
BEGIN UPDATE search_epoch SET n = n + 1; END;
CREATE TRIGGER tr_search_epoch_customer_del AFTER DELETE ON customer
BEGIN UPDATE search_epoch SET n = n + 1; END;
CREATE TRIGGER tr_search_epoch_customer_upd AFTER UPDATE OF id, sort_key, deleted ON customer
BEGIN UPDATE search_epoch SET n = n + 1; END;
CREATE TRIGGER tr_search_epoch_contact_ins AFTER INSERT ON contact
BEGIN UPDATE search_epoch SET n = n + 1; END;
CREATE TRIGGER tr_search_epoch_contact_del AFTER DELETE ON contact
BEGIN UPDATE search_epoch SET n = n + 1; END;
CREATE TRIGGER tr_search_epoch_contact_upd AFTER UPDATE OF id, customer_id, deleted ON contact
BEGIN UPDATE search_epoch SET n = n + 1; END;
