"""The customers search map of a big index is built by a child process (storage/search.py
`CustomerHits._build_in_process`), so its Python loops never hold the app's GIL: the map is
the one an inline build makes, a cancelled build installs nothing, and when no child can run
the thread builds it in slices as before."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest

from crm_tui.domain.dates import Clock
from crm_tui.storage import search
from crm_tui.storage.database import open_database
from crm_tui.storage.engine import connect
from crm_tui.storage.search import CustomerHits


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    db = open_database(
        tmp_path_factory.mktemp("map") / "crm.db", Clock(fixed=datetime(2026, 11, 23, tzinfo=UTC))
    )
    for i in range(40):
        customer = db.repos.customers.create({"name": f"北京科技 {i}" if i % 3 else f"Acme {i}"})
        if i % 4 == 0:
            db.repos.contacts.create({"customer_id": customer.id, "name": f"张伟 {i}"})
    db.repos.customers.delete(db.repos.customers.page(limit=1)[0].id)
    yield db
    db.close()


def _inline(book) -> tuple:
    conn = connect(str(book.path), readonly=True)
    try:
        return CustomerHits._build(conn)
    finally:
        conn.close()


def test_the_child_process_maps_what_the_inline_build_does(book, monkeypatch):
    inline = _inline(book)
    monkeypatch.setattr(CustomerHits, "INLINE_DOCS", 0)  # a "big" index: the thread path

    def no_slices(conn, cancel=None, *, slice_rows=1 << 30):  # noqa: ANN001
        raise AssertionError("built in this process, in slices")

    hits = CustomerHits(str(book.path))
    monkeypatch.setattr(CustomerHits, "_build", staticmethod(no_slices))
    assert hits.ready(wait=True)
    assert (hits._epoch, hits._ids, hits._place) == inline
    found = hits.hits('"北京" "科技"')
    assert found is not None and len(found) == 26
    assert all(hits._ids[r] for r in found.ranks)


def test_without_a_child_process_the_thread_builds_in_slices(book, monkeypatch):
    inline = _inline(book)
    monkeypatch.setattr(CustomerHits, "INLINE_DOCS", 0)
    monkeypatch.setattr(CustomerHits, "SLICE_ROWS", 7)
    monkeypatch.setattr(search, "CHILD_BUILD", "raise SystemExit(3)")  # the child fails
    hits = CustomerHits(str(book.path))
    assert hits.ready(wait=True)
    assert (hits._epoch, hits._ids, hits._place) == inline


def test_a_cancelled_child_build_installs_nothing(book, monkeypatch):
    monkeypatch.setattr(search, "CHILD_BUILD", "import time; time.sleep(30)")
    hits = CustomerHits(str(book.path))
    stop = threading.Event()
    stop.set()
    assert hits._build_in_process(stop) is None
    assert hits._epoch is None and hits._ids == []
