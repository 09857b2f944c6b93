-- Full-text search (CJK as overlapping bigrams), pinyin sort keys, birthdays by day of
-- year, deal and claim timestamps, the team's lost reasons, saved-view keys and local undo.

ALTER TABLE customer ADD COLUMN sort_key TEXT NOT NULL DEFAULT '';
ALTER TABLE contact ADD COLUMN sort_key TEXT NOT NULL DEFAULT '';
CREATE INDEX ix_customer_sort ON customer(sort_key, id) WHERE deleted = 0;
CREATE INDEX ix_contact_sort ON contact(sort_key, id) WHERE deleted = 0;

-- 'MM-DD' of a birthday, so "birthdays this week" is an index range, not a year scan.
ALTER TABLE customer ADD COLUMN birthday_md TEXT GENERATED ALWAYS AS (substr(birthday, 6, 5)) VIRTUAL;
ALTER TABLE contact ADD COLUMN birthday_md TEXT GENERATED ALWAYS AS (substr(birthday, 6, 5)) VIRTUAL;
CREATE INDEX ix_customer_birthday ON customer(birthday_md) WHERE birthday IS NOT NULL AND deleted = 0;
CREATE INDEX ix_contact_birthday ON contact(birthday_md) WHERE birthday IS NOT NULL AND deleted = 0;

ALTER TABLE opportunity ADD COLUMN lost_note TEXT;
ALTER TABLE opportunity ADD COLUMN stage_changed_at TEXT;
ALTER TABLE expense ADD COLUMN submitted_at TEXT;
ALTER TABLE expense ADD COLUMN decided_at TEXT;
ALTER TABLE saved_query ADD COLUMN key TEXT;

CREATE TABLE lost_reason (
    id TEXT PRIMARY KEY, owner_id TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0, field_hlc TEXT NOT NULL DEFAULT '{}',
    server_version INTEGER NOT NULL DEFAULT 0, extra TEXT NOT NULL DEFAULT '{}',
    name TEXT NOT NULL
);

-- One document per searchable record; the FTS rowid is search_doc.docid.
CREATE TABLE search_doc (
    docid INTEGER PRIMARY KEY, entity TEXT NOT NULL, row_id TEXT NOT NULL UNIQUE
);
CREATE VIRTUAL TABLE search_fts USING fts5(body, tokenize = 'unicode61 remove_diacritics 2');

-- The rep's own changes, newest last, so `u` can undo them as new changes.
CREATE TABLE undo_log (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, entity TEXT NOT NULL, row_id TEXT NOT NULL,
    kind TEXT NOT NULL, before TEXT NOT NULL, at TEXT NOT NULL, undone INTEGER NOT NULL DEFAULT 0
);
