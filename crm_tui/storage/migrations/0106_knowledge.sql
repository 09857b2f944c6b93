-- Issue 17, knowledge Q&A: articles (Markdown), questions, answers (one accepted by the
-- asker) and votes on answers. Team-wide; searched through search_doc / search_fts.

CREATE TABLE kb_article (
    id TEXT PRIMARY KEY, owner_id TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0, field_hlc TEXT NOT NULL DEFAULT '{}',
    server_version INTEGER NOT NULL DEFAULT 0, extra TEXT NOT NULL DEFAULT '{}',
    title TEXT NOT NULL, body TEXT, category TEXT, tags TEXT
);
CREATE INDEX ix_kb_article_live_title ON kb_article(title, id) WHERE deleted = 0;
CREATE INDEX ix_kb_article_category ON kb_article(category, title) WHERE deleted = 0;

CREATE TABLE kb_question (
    id TEXT PRIMARY KEY, owner_id TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0, field_hlc TEXT NOT NULL DEFAULT '{}',
    server_version INTEGER NOT NULL DEFAULT 0, extra TEXT NOT NULL DEFAULT '{}',
    title TEXT NOT NULL, body TEXT, tags TEXT, accepted_id TEXT REFERENCES kb_answer(id)
);
CREATE INDEX ix_kb_question_live_created ON kb_question(created_at, id) WHERE deleted = 0;

CREATE TABLE kb_answer (
    id TEXT PRIMARY KEY, owner_id TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0, field_hlc TEXT NOT NULL DEFAULT '{}',
    server_version INTEGER NOT NULL DEFAULT 0, extra TEXT NOT NULL DEFAULT '{}',
    question_id TEXT NOT NULL REFERENCES kb_question(id), body TEXT NOT NULL
);
CREATE INDEX ix_kb_answer_question ON kb_answer(question_id, created_at) WHERE deleted = 0;

CREATE TABLE kb_vote (
    id TEXT PRIMARY KEY, owner_id TEXT, created_at TEXT NOT NULL, updated_at TEXT NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0, field_hlc TEXT NOT NULL DEFAULT '{}',
    server_version INTEGER NOT NULL DEFAULT 0, extra TEXT NOT NULL DEFAULT '{}',
    answer_id TEXT NOT NULL REFERENCES kb_answer(id)
);
CREATE INDEX ix_kb_vote_answer ON kb_vote(answer_id, owner_id) WHERE deleted = 0;
