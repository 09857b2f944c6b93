"""A far jump (storage/list_jumps.py) lands on the rows a plain ORDER BY/OFFSET read gives,
when many rows share the first sort key, when later keys are NULL, ascending or descending,
filtered or not; and the count made by stepping the index equals count(*)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from crm_tui.domain.dates import Clock
from crm_tui.domain.filter import Compare, Filter, OneOf, Range
from crm_tui.storage import list_memo
from crm_tui.storage.database import open_database
from crm_tui.storage.engine import connect
from crm_tui.storage.list_memo import ListMemo
from crm_tui.storage.listing import ListSource
from tests.storage.plain_order import reference

NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
STAMP = "2026-11-01 00:00:00.000000"
DUES = [
    None,
    "2026-11-02 09:00:00.000000",
    "2026-11-02 10:00:00.000000",
    "2026-11-03 08:00:00.000000",
]


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    path = tmp_path_factory.mktemp("jumps") / "jumps.db"
    database = open_database(path, Clock(fixed=NOW))
    conn = connect(path)
    conn.execute("BEGIN")
    # Three sort keys for 300 customers, a few deleted: long runs of equal first keys.
    conn.executemany(
        "INSERT INTO customer(id, created_at, updated_at, name, sort_key, city, deleted) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            (
                f"c{(i * 7919) % 1000:04d}",
                STAMP,
                STAMP,
                f"C {i}",
                f"k{i % 3}",
                "北京" if i % 4 else "上海",
                int(i % 23 == 0),
            )
            for i in range(300)
        ],
    )
    # Four due times (one NULL) for 400 follow-ups; subject ties too.
    conn.executemany(
        "INSERT INTO activity(id, created_at, updated_at, customer_id, subject, due_at) "
        "VALUES (?, ?, ?, ?, ?, ?)",
        [
            (f"a{(i * 613) % 1000:04d}", STAMP, STAMP, "c0000", f"S{i % 5}", DUES[i % 4])
            for i in range(400)
        ],
    )
    conn.execute("COMMIT")
    conn.close()
    yield database
    database.close()


CASES = [
    ("customer", None, {}, "", "sort_key, id"),
    (
        "customer",
        Filter("customer", (Compare("city", "=", "北京"),)),
        {},
        "AND city = '北京'",
        "sort_key, id",
    ),
    (  # an IN list: its SQL is made per execution (SQLAlchemy runs those steps)
        "customer",
        Filter("customer", (OneOf("city", ("北京", "上海")),)),
        {},
        "AND city IN ('北京', '上海')",
        "sort_key, id",
    ),
    ("activity", None, {}, "", "due_at, id"),
    (  # a moment in the filter, bound through the column's type on the driver
        "activity",
        Filter("activity", (Range("due_at", start=datetime(2026, 11, 2, 9, 30, tzinfo=UTC)),)),
        {},
        "AND due_at >= '2026-11-02 09:30:00.000000'",
        "due_at, id",
    ),
    ("activity", None, {"order": ["subject", "due_at"]}, "", "subject, due_at, id"),
    ("activity", None, {"order": ["due_at"], "descending": True}, "", "due_at DESC, id DESC"),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[0]} by {c[4]} {c[3]}".strip())
def test_every_cold_jump_reads_the_rows_of_a_plain_offset(db, monkeypatch, case):
    entity, filter_, options, where, order = case
    monkeypatch.setattr(list_memo, "SPARSE_STEP", 16)  # many steps, each from an anchor
    expected = reference(db, entity, where, order)
    memo = ListMemo.of(db)
    for index in range(0, len(expected) // 7 + 1, 3):
        memo.forget()  # no anchor, no count: the first jump after a write
        source = ListSource(db, entity, filter_, page_size=7, **options)
        assert [r["id"] for r in source.page(index)] == expected[index * 7 : index * 7 + 7]
    memo.forget()
    assert ListSource(db, entity, filter_, page_size=7, **options).count() == len(expected)
    # A second jump from the anchors the first left (and the count's) reads the same rows.
    source = ListSource(db, entity, filter_, page_size=7, **options)
    source.count()
    for index in (len(expected) // 14, len(expected) // 7 - 1, 5):
        assert [r["id"] for r in source.page(index)] == expected[index * 7 : index * 7 + 7]


def test_a_jumps_steps_run_on_the_driver_and_a_new_list_reuses_their_sql(db, monkeypatch):
    """The steps of a far jump skip SQLAlchemy's execute (only the page read goes through
    it), and the next list of the same shape, as after a write, compiles nothing again."""
    from sqlalchemy import event

    from crm_tui.storage import list_jumps

    monkeypatch.setattr(list_memo, "SPARSE_STEP", 16)
    monkeypatch.setattr(list_jumps, "_COMPILED", {})  # earlier tests' lists of this shape
    expected = reference(db, "activity", "", "due_at, id")
    through_sqlalchemy: list[str] = []

    def seen(_conn, _cursor, statement, *_args) -> None:  # noqa: ANN001
        through_sqlalchemy.append(statement)

    compiled = []
    monkeypatch.setattr(
        list_jumps.SparseJumps, "_jump", _counting(list_jumps.SparseJumps._jump, compiled)
    )
    event.listen(db.engine, "before_cursor_execute", seen)
    try:
        for _ in range(2):
            ListMemo.of(db).forget()
            source = ListSource(db, "activity", None, page_size=7)
            assert [r["id"] for r in source.page(40)] == expected[280:287]
    finally:
        event.remove(db.engine, "before_cursor_execute", seen)
    keys_only = "SELECT activity.due_at, activity.id"
    steps = [
        s for s in through_sqlalchemy if "count(" in s or s.split("FROM")[0].strip() == keys_only
    ]
    assert steps == []  # 17 steps and their ties counts ran, none through SQLAlchemy
    assert sum("activity.id) > (?, ?)" in s for s in through_sqlalchemy) == 2  # page reads
    assert sorted(compiled) == ["from", "start", "ties"]  # once, for both lists


def _counting(jump, made: list[str]):
    def counted(self, kind: str):  # noqa: ANN001, ANN202
        if kind not in self.__dict__.get("_jumps", {}):
            made.append(kind)
        return jump(self, kind)

    return counted
