"""ListSource pages must equal a plain ORDER BY/OFFSET read, whatever order they are asked in."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from crm_tui.domain.dates import Clock
from crm_tui.domain.filter import Compare, Filter, IsEmpty
from crm_tui.storage.database import open_database
from crm_tui.storage.engine import connect
from crm_tui.storage.listing import ListSource
from tests.storage.plain_order import reference

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
STAMP = "2026-11-01 00:00:00.000000"


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("listing") / "list.db"
    database = open_database(path, Clock(fixed=NOW))
    rnd = random.Random(7)
    conn = connect(path)
    conn.execute("BEGIN")
    customers = [
        (
            f"c{i:04d}",
            STAMP,
            STAMP,
            f"Cust {rnd.randrange(100)}",
            f"cust {rnd.randrange(100):02d}",
            rnd.choice(["北京", "上海", "Paris"]),
            int(i % 17 == 0),
        )
        for i in range(537)
    ]
    conn.executemany(
        "INSERT INTO customer(id, created_at, updated_at, name, sort_key, city, "
        "deleted) VALUES (?, ?, ?, ?, ?, ?, ?)",
        customers,
    )
    activities = []
    for i in range(611):
        due = (
            None
            if i % 13 == 0
            else (datetime(2026, 11, 1) + timedelta(hours=rnd.randrange(24 * 60))).strftime(
                "%Y-%m-%d %H:%M:%S.%f"
            )
        )
        done = due if due and i % 3 == 0 else None
        activities.append(
            (f"a{i:04d}", STAMP, STAMP, customers[i % 500][0], f"Call {i}", due, done)
        )
    conn.executemany(
        "INSERT INTO activity(id, created_at, updated_at, customer_id, subject, "
        "due_at, done_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        activities,
    )
    conn.execute("COMMIT")
    conn.close()
    yield database
    database.close()


def read_all_shuffled(source: ListSource, seed: int) -> list[str]:
    total = source.count()
    pages = list(range((total + source.page_size - 1) // source.page_size))
    random.Random(seed).shuffle(pages)
    found: dict[int, list[str]] = {i: [r["id"] for r in source.page(i)] for i in pages}
    return [row for i in sorted(found) for row in found[i]]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_customer_pages_in_any_order_match_offset_listing(db, seed):
    source = ListSource(db, "customer", page_size=20)
    expected = reference(db, "customer", "", "sort_key, id")
    assert source.count() == len(expected)
    assert read_all_shuffled(source, seed) == expected


def test_rows_span_page_boundaries(db):
    source = ListSource(db, "customer", page_size=20)
    expected = reference(db, "customer", "", "sort_key, id")
    assert [r["id"] for r in source.rows(15, 30)] == expected[15:45]
    assert [r["id"] for r in source.rows(len(expected) - 5, 50)] == expected[-5:]
    assert source.rows(len(expected) + 10, 5) == []


def test_nullable_sort_column_keeps_every_row(db):
    source = ListSource(db, "activity", page_size=16)
    expected = reference(db, "activity", "", "due_at, id")
    assert read_all_shuffled(source, 5) == expected


def test_descending_with_filter(db):
    source = ListSource(
        db,
        "activity",
        filter=Filter("activity", (IsEmpty("done_at", empty=False),)),
        order=["done_at"],
        descending=True,
        page_size=9,
    )
    expected = reference(db, "activity", "AND done_at IS NOT NULL", "done_at DESC, id DESC")
    assert source.count() == len(expected)
    assert read_all_shuffled(source, 9) == expected


def test_descending_nullable_keeps_nulls_last(db):
    source = ListSource(db, "activity", order=["due_at"], descending=True, page_size=25)
    expected = reference(db, "activity", "", "due_at DESC, id DESC")
    assert [r["id"] for r in source.rows(0, 1000)] == expected


def test_set_filter_recounts_and_follow_ups_carry_customer_name(db):
    source = ListSource(db, "activity", page_size=10)
    total = source.count()
    source.set_filter(Filter("activity", (IsEmpty("done_at"),)))
    assert source.count() < total
    row = source.page(0)[0]
    assert row["customer_name"].startswith("Cust ")
    assert row["done_at"] is None


def test_customer_filter_clause(db):
    source = ListSource(
        db, "customer", Filter("customer", (Compare("city", "=", "北京"),)), page_size=7
    )
    expected = reference(db, "customer", "AND city = '北京'", "sort_key, id")
    assert read_all_shuffled(source, 3) == expected


def test_descending_without_nulls_matches_and_counts_unfiltered(db):
    source = ListSource(
        db,
        "activity",
        filter=Filter("activity", (IsEmpty("done_at", empty=False),)),
        order=["done_at"],
        descending=True,
        nulls=False,
        page_size=6,
    )
    expected = reference(db, "activity", "AND done_at IS NOT NULL", "done_at DESC, id DESC")
    assert read_all_shuffled(source, 4) == expected
    assert ListSource(db, "activity").count() == len(reference(db, "activity", "", "id"))


def test_jumps_remember_sparse_anchors_and_read_the_same_rows(db, monkeypatch):
    """A far jump steps through the sort index, leaving the key of every SPARSE_STEP-th row
    for the next jump (by any list of the same shape); pages stay those of a plain read."""
    from crm_tui.storage import list_memo

    monkeypatch.setattr(list_memo, "SPARSE_STEP", 40)
    expected = reference(db, "activity", "", "due_at, id")
    skipped: list[int] = []
    real_skip = ListSource._skip

    def counting_skip(self, conn, anchor, position, skip):
        skipped.append(skip)
        return real_skip(self, conn, anchor, position, skip)

    monkeypatch.setattr(ListSource, "_skip", counting_skip)
    for order in (["due_at"], ["subject"]):
        want = expected if order == ["due_at"] else reference(db, "activity", "", "subject, id")
        first = ListSource(db, "activity", order=order, page_size=7)
        assert [r["id"] for r in first.page(60)] == want[420:427]
        assert max(skipped) < 40  # stepped, never one long scan
        skipped.clear()
        again = ListSource(db, "activity", order=order, page_size=7)  # a new list, same shape
        assert [r["id"] for r in again.page(59)] == want[413:420]
        assert sum(skipped) < 40  # from the remembered anchor at row 399
        skipped.clear()
        assert [r["id"] for r in again.page(30)] == want[210:217]
        skipped.clear()


def test_the_unfiltered_count_is_kept_across_filters_until_a_write(tmp_path, monkeypatch):
    database = open_database(tmp_path / "memo.db", Clock(fixed=NOW))
    try:
        for i in range(5):
            database.repos.customers.create({"name": f"Cust {i}", "city": "北京" if i else "上海"})
        counts: list[str] = []
        real_scalar = ListSource._scalar

        def counting(self, query, interrupt):
            counts.append(str(query))
            return real_scalar(self, query, interrupt)

        real_steps = ListSource._count_by_steps

        def counting_steps(self, conn, interrupt=None):
            counts.append("steps")
            return real_steps(self, conn, interrupt)

        monkeypatch.setattr(ListSource, "_scalar", counting)
        monkeypatch.setattr(ListSource, "_count_by_steps", counting_steps)
        source = ListSource(database, "customer")
        assert source.quick_count() == (5, True)
        source.set_filter(Filter("customer", (Compare("city", "=", "北京"),)))
        assert source.count() == 4
        source.set_filter(None)  # the bar cleared
        assert source.count() == 5
        assert ListSource(database, "customer").count() == 5
        assert len(counts) == 2  # the unfiltered count once, the filtered one once
        database.repos.customers.create({"name": "Cust 5"})
        source.invalidate()
        assert source.count() == 6  # a write forgets it
        assert len(counts) == 3
        other = connect(database.path)  # a commit by another connection too
        other.execute("UPDATE customer SET deleted = 1 WHERE name = 'Cust 5'")
        other.close()
        source.invalidate()
        assert source.count() == 5
    finally:
        database.close()


def test_the_unfiltered_count_steps_leave_anchors_for_a_first_jump(db, monkeypatch):
    from crm_tui.storage import list_memo

    monkeypatch.setattr(list_memo, "SPARSE_STEP", 40)
    expected = reference(db, "customer", "", "sort_key, id")
    source = ListSource(db, "customer", page_size=7)
    assert source.count() == len(expected)
    skipped: list[int] = []
    real_skip = ListSource._skip

    def counting_skip(self, conn, anchor, position, skip):
        skipped.append(skip)
        return real_skip(self, conn, anchor, position, skip)

    monkeypatch.setattr(ListSource, "_skip", counting_skip)
    jump = ListSource(db, "customer", page_size=7)
    jump.count()  # remembered: no count, no scan
    assert [r["id"] for r in jump.page(40)] == expected[280:287]
    assert sum(skipped) < 40  # from the anchor at row 279 the counting left
