"""search_doc_owner (migration 0141) names the customer of every search document, kept by
triggers whatever writes the documents; free text on customers reads it on both paths (the
quick CLI's plain SQL and the full path's SQLAlchemy), so the hits and counts stay exactly
what they were: a live contact's hit counts for its customer, deleted rows do not."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from crm_tui.domain.dates import Clock
from crm_tui.services import lists
from crm_tui.storage import plain_rows
from crm_tui.storage.bulk import index_records, rebuild_search_index
from crm_tui.storage.database import open_database
from crm_tui.storage.migrate import all_migrations, migrate
from crm_tui.storage.search import CustomerHits

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
CLOCK = Clock(fixed=NOW, zone=ZoneInfo("Asia/Shanghai"))

# What the table must hold: the migration's own fill, computed from scratch.
EXPECTED = (
    "SELECT docid, row_id FROM search_doc WHERE entity = 'customer' UNION ALL "
    "SELECT d.docid, c.customer_id FROM search_doc d JOIN contact c ON c.id = d.row_id "
    "WHERE d.entity = 'contact' AND c.deleted = 0 AND c.customer_id IS NOT NULL"
)


def _owners(path) -> tuple[list, list]:
    conn = sqlite3.connect(path)
    try:
        held = conn.execute("SELECT docid, customer_id FROM search_doc_owner ORDER BY 1")
        want = conn.execute(f"SELECT * FROM ({EXPECTED}) ORDER BY 1")
        return held.fetchall(), want.fetchall()
    finally:
        conn.close()


def _names(db, query: str) -> tuple[list[str], list[str], int]:
    """(names on the full path, names on the quick path, the quick path's count)."""
    filter_ = lists.compile(db, "customer", query)
    repo = db.repos.customers
    full = [r.name for r in repo.page(where=lists._where("customer", filter_), limit=1000)]
    conn = sqlite3.connect(db.path)
    try:
        rows = [r["name"] for b in plain_rows.select_rows(conn, filter_, limit=1000) for r in b]
        counted = plain_rows.count(conn, filter_)
    finally:
        conn.close()
    return full, rows, counted


@pytest.fixture
def db(tmp_path):
    database = open_database(tmp_path / "crm.db", CLOCK)
    database.set_state("user_id", "u-me")
    yield database
    database.close()


def test_a_contacts_hit_finds_its_customer_until_deleted_moved_or_restored(db):
    r = db.repos
    acme = r.customers.create({"name": "Acme 北京钢管", "city": "北京"})
    zeta = r.customers.create({"name": "Zeta Trading", "city": "上海"})
    wei = r.contacts.create({"customer_id": zeta.id, "name": "张伟", "mobile": "13800138000"})
    assert _names(db, "张伟") == (["Zeta Trading"], ["Zeta Trading"], 1)
    assert _names(db, "北京") == (["Acme 北京钢管"], ["Acme 北京钢管"], 1)

    r.contacts.update(wei.id, {"customer_id": acme.id})  # moved to another company
    assert _names(db, "张伟") == (["Acme 北京钢管"], ["Acme 北京钢管"], 1)

    r.contacts.delete(wei.id)
    assert _names(db, "张伟") == ([], [], 0)
    r.contacts.restore(wei.id)
    assert _names(db, "张伟") == (["Acme 北京钢管"], ["Acme 北京钢管"], 1)

    r.customers.delete(acme.id)  # takes its contacts with it
    assert _names(db, "张伟") == ([], [], 0)
    assert _names(db, "北京") == ([], [], 0)
    r.customers.restore(acme.id)
    assert _names(db, "张伟") == (["Acme 北京钢管"], ["Acme 北京钢管"], 1)
    held, want = _owners(db.path)
    assert held == want and len(held) == 3


def test_a_customer_renamed_keeps_one_owner_per_document(db):
    r = db.repos
    nova = r.customers.create({"name": "Nova 科技"})
    r.contacts.create({"customer_id": nova.id, "name": "Li Pipe"})
    r.customers.update(nova.id, {"name": "Nova 软件"})  # its documents are rewritten
    assert _names(db, "科技") == ([], [], 0)
    assert _names(db, "软件") == (["Nova 软件"], ["Nova 软件"], 1)
    held, want = _owners(db.path)
    assert held == want and len(held) == 2


def test_bulk_documents_and_a_contact_written_after_its_document(db):
    """The import's and the demo's writers put documents in with plain SQL; a contact row
    that arrives after its document (any writer's order) is mapped too."""
    r = db.repos
    kai = r.customers.create({"name": "Kai 贸易"})
    conn = sqlite3.connect(db.path, isolation_level=None)
    try:
        conn.execute("BEGIN")
        # a document first, for a contact not written yet
        index_records(conn, "contact", [{"id": "c-late", "name": "王芳", "customer_id": kai.id}])
        conn.execute(
            "INSERT INTO contact (id, customer_id, name, created_at, updated_at, sort_key) "
            "VALUES ('c-late', ?, '王芳', '2026-11-23', '2026-11-23', 'wang fang')",
            (kai.id,),
        )
        conn.execute("COMMIT")
        assert _owners(db.path)[0] == _owners(db.path)[1]
        assert _names(db, "王芳") == (["Kai 贸易"], ["Kai 贸易"], 1)
        conn.execute("DELETE FROM contact WHERE id = 'c-late'")  # purged outright
        assert _names(db, "王芳") == ([], [], 0)
        conn.execute("BEGIN")
        rebuild_search_index(conn)  # what a restore runs
        conn.execute("COMMIT")
    finally:
        conn.close()
    held, want = _owners(db.path)
    assert held == want and len(held) == 1


def test_the_migration_fills_the_table_of_an_existing_book(tmp_path):
    path = tmp_path / "old.db"
    before = max(m.version for m in all_migrations() if m.version < 141)
    conn = sqlite3.connect(path, isolation_level=None)
    migrate(conn, upto=before)
    conn.close()
    db = open_database(path, CLOCK)  # migrates the rest
    try:
        r = db.repos
        zeta = r.customers.create({"name": "Zeta Trading"})
        r.contacts.create({"customer_id": zeta.id, "name": "张伟"})
        gone = r.contacts.create({"customer_id": zeta.id, "name": "张伟伟"})
        r.contacts.delete(gone.id)
    finally:
        db.close()
    conn = sqlite3.connect(path, isolation_level=None)
    triggers = conn.execute(
        "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'tr_search_owner%'"
    ).fetchall()
    assert len(triggers) == 6
    # back to a book as 0140 left it, with its rows; then 0141 runs on them
    conn.executescript(
        "".join(f"DROP TRIGGER {name};" for (name,) in triggers)
        + "DROP TABLE search_doc_owner; DELETE FROM schema_migrations WHERE version = 141;"
    )
    conn.close()
    db = open_database(path, CLOCK)
    try:
        held, want = _owners(path)
        assert held == want and len(held) == 2
        assert _names(db, "张伟") == (["Zeta Trading"], ["Zeta Trading"], 1)
    finally:
        db.close()


# The text term as it was before migration 0141 (every hit's document, contact and
# customer read by id): the reference the new term must equal.
OLD_TERM = (
    "(id IN (SELECT d.row_id FROM search_fts JOIN search_doc d ON d.docid = search_fts.rowid "
    "WHERE search_fts MATCH :e AND d.entity = 'customer') OR id IN (SELECT c.customer_id "
    "FROM contact c WHERE c.deleted = 0 AND c.id IN (SELECT d.row_id FROM search_fts JOIN "
    "search_doc d ON d.docid = search_fts.rowid WHERE search_fts MATCH :e "
    "AND d.entity = 'contact')))"
)


def test_a_demo_books_hits_are_the_ones_the_old_term_found(tmp_path):
    from crm_tui.demo import generate
    from crm_tui.domain.search_text import match_expression

    path = tmp_path / "demo.db"
    generate(path, customers=120, clock=CLOCK)
    db = open_database(path, CLOCK)
    try:
        contacts = db.repos.contacts.page(limit=30)
        for contact in contacts[::3]:  # some contacts gone, so their hits must not count
            db.repos.contacts.delete(contact.id)
        customers = db.repos.customers.page(limit=10)
        db.repos.customers.delete(customers[0].id)
        words = ["科技", "北京", "张", "有限", "Ltd", "138", *(c.name for c in contacts[:6])]
        conn = sqlite3.connect(path)
        found = 0
        try:
            for word in words:
                expression = match_expression(word)
                old = conn.execute(
                    f"SELECT id FROM customer WHERE deleted = 0 AND {OLD_TERM} ORDER BY id",
                    {"e": expression},
                ).fetchall()
                filter_ = lists.compile(db, "customer", word)
                rows = plain_rows.select_rows(conn, filter_, limit=10_000)
                new = sorted((r["id"],) for batch in rows for r in batch)
                assert new == old, word
                assert plain_rows.count(conn, filter_) == len(old), word
                hits = CustomerHits(str(path))  # the list's in-memory map (search as you type)
                assert hits.ready(wait=True)
                mapped = hits.hits(expression)
                assert mapped is not None
                assert sorted((i,) for i in mapped.ids(mapped.ranks)) == old, word
                found += len(old)
            assert found > 10  # the words do hit
        finally:
            conn.close()
        held, want = _owners(path)
        assert held == want
    finally:
        db.close()


def test_a_words_only_count_reads_the_live_id_index_and_counts_the_same(db):
    """`crm list customers 科技`'s footer: each hit's customer is checked live from the
    partial index of live ids (migration 0142), not its row; other filters as before."""
    r = db.repos
    nova = r.customers.create({"name": "Nova 科技", "grade": "A"})
    r.customers.create({"name": "Sun 科技", "grade": "B"})
    gone = r.customers.create({"name": "Old 科技"})
    r.customers.delete(gone.id)
    r.contacts.create({"customer_id": nova.id, "name": "科技 buyer"})
    seen: list[str] = []
    conn = sqlite3.connect(db.path)
    conn.set_trace_callback(seen.append)
    try:
        words = plain_rows.count(conn, lists.compile(db, "customer", "科技"))
        graded = plain_rows.count(conn, lists.compile(db, "customer", "grade:A 科技"))
    finally:
        conn.close()
    assert (words, graded) == (2, 1)
    assert ["ix_customer_live_id" in s for s in seen if "count(*)" in s] == [True, False]
