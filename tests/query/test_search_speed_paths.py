"""The fast paths of search as you type return exactly what the plain SQL path returns.

A customers list filtered by free text is answered from the full-text hits mapped to list
places (`CustomerHits`); other filters get a capped count first. Each is compared with the
plain SQL path and with a Python substring filter, for more hits than the cap, fewer and
none, CJK one and two characters, mixed words, other terms beside the words, and after
writes (the map must notice it is stale).
"""

from __future__ import annotations

import random
import threading

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from crm_tui.services import lists
from crm_tui.storage import listing, search
from crm_tui.storage.database import open_database
from crm_tui.storage.listing import ListSource
from crm_tui.storage.search import CustomerHits

FIRST = ["张", "王", "李", "赵", "Acme", "North", "Nova"]
SECOND = ["伟", "芳", "钢管", "科技", "Steel", "Trading", "华信"]
CITIES = ["北京", "上海", "深圳", "Shenzhen", None]


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from crm_tui.domain.dates import Clock

    clock = Clock(fixed=datetime(2026, 11, 23, 2, 0, tzinfo=UTC), zone=ZoneInfo("Asia/Shanghai"))
    db = open_database(tmp_path_factory.mktemp("speed") / "crm.db", clock)
    rnd = random.Random(7)
    for i in range(160):
        values = {"name": f"{_name(rnd)} {i}", "grade": "AB"[i % 2]}
        if city := rnd.choice(CITIES):
            values["city"] = city
        customer = db.repos.customers.create(values)
        for j in range(rnd.randint(0, 2)):
            db.repos.contacts.create({"customer_id": customer.id, "name": f"{_name(rnd)}{j}"})
    yield db
    db.close()


def _name(rnd: random.Random) -> str:
    # Latin run straight into Chinese ('Acme钢管') is one token to the index: keep them apart.
    first, second = rnd.choice(FIRST), rnd.choice(SECOND)
    return first + ("" if first.isascii() == second.isascii() else " ") + second


def _python(db, words: str, grade: str | None = None) -> list[str]:
    """Live customers whose name/city (or a live contact's name) has every word, in list
    order — the same semantics as the index: Latin words are prefixes of words, CJK runs are
    substrings."""
    customers = db.repos.customers.page(limit=100_000)
    contacts = db.repos.contacts.page(limit=100_000)

    def hit(texts: list[str | None], word: str) -> bool:
        if word.isascii():
            tokens = search.index_text(texts).lower().split()
            return any(t.startswith(word.lower()) for t in tokens)
        return any(word in (t or "") for t in texts)

    out = []
    for c in customers:
        if grade and c.grade != grade:
            continue
        own = [c.name, c.city]
        theirs = [[k.name, c.name] for k in contacts if k.customer_id == c.id]
        docs = [own, *theirs]  # every word in one document: the customer's or a contact's
        if any(all(hit(doc, w) for w in words.split()) for doc in docs):
            out.append(c)
    out.sort(key=lambda c: (c.sort_key, c.id))
    return [c.id for c in out]


def _all_rows(source: ListSource) -> list[str]:
    ids, index = [], 0
    while page := source.page(index):
        ids += [r["id"] for r in page]
        index += 1
    return ids


def _listed(db, query: str, *, fast: bool, cap: int = 20, page_size: int = 7):
    source = ListSource(db, "customer", page_size=page_size, count_cap=cap)
    source.set_filter(lists.compile(db, "customer", query))
    if not fast:
        source._hits_tried = True  # the plain SQL path, as before the map existed
    quick = source.quick_count()
    first = source.page(0)
    return quick, first, _all_rows(source), source.count()


WORDS = ["张", "张伟", "钢管", "钢", "北", "北京", "华信", "科技", "acme", "nor", "st", "zzz", "无"]


@pytest.mark.parametrize("query", [*WORDS, "张 acme", "北京 科技", "nova 钢管", "伟 st"])
def test_free_text_fast_path_is_the_plain_sql_and_python_answer(book, query):
    assert CustomerHits.of(book).ready()
    want = _python(book, query)
    (count, exact), first, rows, total = _listed(book, query, fast=True)
    (slow_count, slow_exact), slow_first, slow_rows, slow_total = _listed(book, query, fast=False)
    assert (len(rows), len(slow_rows), len(want)) and rows == slow_rows == want, (
        query,
        len(rows),
        len(slow_rows),
        len(want),
    )
    assert total == slow_total == len(want)
    assert [r["id"] for r in first] == want[:7] == [r["id"] for r in slow_first]
    assert exact and count == len(want)  # the hits give the exact total at once
    # The plain path caps its first count: "20+" when more than 20 match.
    assert (slow_count, slow_exact) == ((len(want), True) if len(want) <= 20 else (20, False))


@pytest.mark.parametrize("query", ["张 grade:A", "grade:B 北京", "钢 -city:北京", "acme grade:A"])
def test_free_text_with_other_terms_is_checked_in_sql(book, query):
    want_grade = "A" if "grade:A" in query else "B" if "grade:B" in query else None
    words = " ".join(w for w in query.split() if ":" not in w)
    want = _python(book, words, want_grade)
    if "-city:" in query:
        by_id = {c.id: c for c in book.repos.customers.page(limit=100_000)}
        want = [i for i in want if "北京" not in (by_id[i].city or "")]
    (_, exact), _, rows, total = _listed(book, query, fast=True)
    assert rows == want and total == len(want) and exact


def test_more_hits_than_the_sql_check_takes_go_the_plain_way(book, monkeypatch):
    monkeypatch.setattr(listing, "HITS_CHECKED_IN_SQL", 3)
    want = _python(book, "张", "A")
    assert len(want) > 3
    (count, exact), _, rows, total = _listed(book, "张 grade:A", fast=True, cap=5)
    assert rows == want and total == len(want)
    assert (count, exact) == (5, False)  # capped: "5+" until counted


def test_the_map_notices_writes(book):
    hits = CustomerHits.of(book)
    assert hits.ready()
    before = _listed(book, "钢管", fast=True)[2]
    new = book.repos.customers.create({"name": "阿钢管厂"})  # sorts first (pinyin a…)
    assert not hits.ready() or hits.hits(search.match_expression("钢管")) is not None
    after = _listed(book, "钢管", fast=True)[2]
    assert after == [new.id, *before] == _python(book, "钢管")
    book.repos.customers.delete(new.id)
    assert _listed(book, "钢管", fast=True)[2] == before
    contact = book.repos.contacts.create({"customer_id": before[-1], "name": "Quokka"})
    assert _listed(book, "quokka", fast=True)[2] == [before[-1]]
    book.repos.contacts.delete(contact.id)
    assert _listed(book, "quokka", fast=True)[2] == []


def test_only_a_plain_customer_list_takes_the_fast_path(book):
    words = lists.compile(book, "customer", "钢管")
    assert words.text is not None and words.text.expression
    by_name = ListSource(book, "customer", words, order=("name",))
    assert by_name._ranked() is None  # another order: plain SQL
    down = ListSource(book, "customer", words, descending=True)
    assert down._ranked() is None
    negated = ListSource(book, "customer", lists.compile(book, "customer", "-钢管"))
    assert negated._ranked() is None
    plain = ListSource(book, "customer", words)
    assert plain._ranked() is not None
    assert [r["id"] for r in by_name.rows(0, 500)] == sorted(
        _python(book, "钢管"), key=lambda i: (book.repos.customers.get(i).name, i)
    )


def test_count_exact_can_be_interrupted(book, monkeypatch):
    monkeypatch.setattr(listing, "INTERRUPT_STEPS", 10)
    source = ListSource(book, "customer", count_cap=3)
    source.set_filter(lists.compile(book, "customer", "grade:A"))
    assert source.quick_count() == (3, False)
    assert source.count_exact(interrupt=lambda: True) is None
    assert source.count_exact() == len(
        [c for c in book.repos.customers.page(limit=999) if c.grade == "A"]
    )


def test_capped_count_pages_without_a_total(book):
    """With only "N+" known, pages still come by keyset, and jumps skip along the index."""
    grade_b = lists.compile(book, "customer", "grade:B")
    want = [r["id"] for r in ListSource(book, "customer", grade_b).rows(0, 1000)]
    source = ListSource(book, "customer", grade_b, page_size=5, count_cap=4)
    assert source.quick_count() == (4, False)
    assert [r["id"] for r in source.page(6)] == want[30:35]  # a jump, no total known
    assert [r["id"] for r in source.page(0)] == want[:5]
    assert [r["id"] for r in source.page(1)] == want[5:10]
    assert source.page(len(want) // 5 + 1) == []


@settings(max_examples=40, deadline=None)
@given(
    words=st.lists(
        st.sampled_from(WORDS + ["伟", "芳", "Tra", "shen", "深", "上海", "李芳"]),
        min_size=1,
        max_size=3,
    ),
    cap=st.sampled_from([1, 5, 1000]),
)
def test_any_words_match_python_whatever_the_cap(book, words, cap):
    query = " ".join(words)
    want = _python(book, query)
    (count, exact), first, rows, total = _listed(book, query, fast=True, cap=cap)
    assert rows == want and total == len(want) and exact and count == len(want)
    (slow_count, slow_exact), _, slow_rows, _ = _listed(book, query, fast=False, cap=cap)
    assert slow_rows == want
    assert slow_exact == (len(want) <= cap) and slow_count == min(len(want), cap)


def test_the_threaded_build_in_slices_maps_what_the_inline_one_does(book, monkeypatch):
    """A big index is mapped in a thread, a few rows per slice (the GIL handed back between
    slices); the map is the same. A cancelled build installs nothing; the next ready()
    builds again."""
    from crm_tui.storage.engine import connect

    conn = connect(str(book.path), readonly=True)
    try:
        inline = CustomerHits._build(conn)
    finally:
        conn.close()
    monkeypatch.setattr(CustomerHits, "INLINE_DOCS", 0)  # take the thread path
    monkeypatch.setattr(CustomerHits, "SLICE_ROWS", 7)
    hits = CustomerHits(str(book.path))
    hits.cancel()  # nothing under way: harmless
    assert hits.ready(wait=True)
    assert (hits._epoch, hits._ids, hits._place) == inline

    cancelled = CustomerHits(str(book.path))
    stop = threading.Event()
    stop.set()
    conn = connect(str(book.path), readonly=True)
    try:
        assert CustomerHits._build(conn, stop, slice_rows=7) is None
    finally:
        conn.close()
    assert cancelled._epoch is None
    assert cancelled.ready(wait=True)
    assert cancelled._ids == inline[1]
