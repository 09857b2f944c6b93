-- Issue 17, files: attachments (metadata that syncs; content stored once by SHA-256 in
-- the book's data folder), team library folders, and the local state of each blob.

CREATE TABLE folder (
    id TEXT PRIMARY KEY, owner_id TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0, field_hlc TEXT NOT NULL DEFAULT '{}',
    server_version INTEGER NOT NULL DEFAULT 0, extra TEXT NOT NULL DEFAULT '{}',
    name TEXT NOT NULL, parent_id TEXT REFERENCES folder(id)
);
CREATE INDEX ix_folder_parent ON folder(parent_id, name) WHERE deleted = 0;

CREATE TABLE attachment (
    id TEXT PRIMARY KEY, owner_id TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0, field_hlc TEXT NOT NULL DEFAULT '{}',
    server_version INTEGER NOT NULL DEFAULT 0, extra TEXT NOT NULL DEFAULT '{}',
    name TEXT NOT NULL, record_entity TEXT, record_id TEXT,
    folder_id TEXT REFERENCES folder(id), sha256 TEXT NOT NULL,
    size INTEGER NOT NULL DEFAULT 0, mime TEXT, note TEXT
);
CREATE INDEX ix_attachment_record ON attachment(record_id, name) WHERE deleted = 0;
CREATE INDEX ix_attachment_folder ON attachment(folder_id, name) WHERE deleted = 0;
-- Garbage collection asks "does any live attachment still use this blob?".
CREATE INDEX ix_attachment_sha ON attachment(sha256) WHERE deleted = 0;

-- Local only (never synced): which blobs this laptop holds, has uploaded or keeps offline.
CREATE TABLE blob_local (
    sha256 TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    uploaded INTEGER NOT NULL DEFAULT 0,
    pinned INTEGER NOT NULL DEFAULT 0,
    added_at TEXT NOT NULL
);
CREATE INDEX ix_blob_local_pending ON blob_local(uploaded) WHERE uploaded = 0;
