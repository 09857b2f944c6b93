"""A large import (its indexes deferred and built once at the end) leaves the derived tables
the customer table's insert triggers keep exactly as a row-by-row import does, on a book
that already has customers, follow-ups and a follow-up whose customer arrives only with the
import."""

from __future__ import annotations

import sqlite3
import uuid
from pathlib import Path

import pytest

from crm_tui.storage import bulk, outbox
from crm_tui.storage.database import open_database

DERIVED = {
    "search_epoch": "SELECT n FROM search_epoch",
    "customer_last_done": "SELECT * FROM customer_last_done ORDER BY customer_id",
    "insight_dirty": "SELECT * FROM insight_dirty ORDER BY customer_id",
    "pool_clock": "SELECT * FROM pool_clock ORDER BY customer_id",
    "triggers": "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' ORDER BY name",
}
IDS = [str(uuid.UUID(int=n + 1, version=4)) for n in range(5200)]


def _book(path: Path, clock) -> object:
    db = open_database(path, clock)
    db.set_state(outbox.USER_ID_KEY, "rep-1")  # signed in: imported rows have an owner
    for n, name in enumerate(["北京华信", "上海远航", "广州物流"]):
        db.repos.customers.create({"name": name, "phone": f"010-{n}"}, row_id=IDS[5100 + n])
    call = db.repos.activities.create(
        {"customer_id": IDS[5100], "subject": "回访", "due_at": "-2d"}, row_id=IDS[5150]
    )
    db.repos.activities.done(call.id, outcome="ok")
    # A follow-up pulled before its customer: its last-done row waits for the customer.
    with sqlite3.connect(path) as conn:
        conn.executemany(
            "INSERT INTO customer_last_done VALUES (?, '2026-11-01 09:00:00.000000', NULL, 0)",
            [(IDS[6],), (IDS[7],)],  # the customer of line 8 is lost, of line 9 not
        )
    return db


def _csv(path: Path) -> Path:
    lines = ["id,name,phone,status,notes,email,locked"]
    for n in range(5100):
        status = ("lost", "contacted", "potential")[n % 3]
        locked = "yes" if n % 50 == 0 else ""  # kept out of the pool: no pool clock
        lines.append(f"{IDS[n]},客户{n},138{n:08d},{status},第{n}行,,{locked}")
    # Rows without ids naming earlier ones (a written chunk, the pending one, the book's
    # own customer): skipped or merged into them (an update of a row the import made).
    for n in (*range(0, 40), *range(5060, 5070)):
        lines.append(f",客户{n},138{n:08d},,,c{n}@example.cn,")
    lines.append(",北京华信,010-0,lost,,bj@example.cn,")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _derived(path: Path) -> dict:
    with sqlite3.connect(path) as conn:
        return {name: conn.execute(sql).fetchall() for name, sql in DERIVED.items()}


@pytest.mark.parametrize("policy", ["skip", "merge"])
def test_a_large_import_leaves_the_derived_tables_the_triggers_make(
    tmp_path: Path, clock, monkeypatch: pytest.MonkeyPatch, policy: str
) -> None:
    from crm_tui.io.csv_import import import_csv

    source = _csv(tmp_path / "c.csv")
    books = {}
    for way in ("row by row", "deferred"):
        path = tmp_path / f"{way}.db"
        db = _book(path, clock)
        if way == "row by row":  # indexes, and so the triggers, kept row by row
            monkeypatch.setattr(bulk, "DEFER_INDEXES_FROM", 10**9)
        result, _plan = import_csv(db, source, "customer", on_duplicate=policy)
        monkeypatch.undo()
        assert result.created == 5100 and not result.rejected, result.rejected
        assert result.merged == (51 if policy == "merge" else 0)
        db.close()
        books[way] = _derived(path)
    row_by_row, deferred = books["row by row"], books["deferred"]
    assert deferred == row_by_row
    # Not vacuous: every table holds the imported rows' marks.
    assert row_by_row["search_epoch"][0][0] >= 5100 * 2
    assert len(row_by_row["insight_dirty"]) >= 5100
    pooled = {r[0] for r in row_by_row["pool_clock"]}
    assert set(IDS[1:50]) <= pooled and IDS[0] not in pooled and IDS[50] not in pooled
    waiting = {r[0]: r for r in row_by_row["customer_last_done"]}
    assert waiting[IDS[7]][2:] == ("rep-1", 1)  # owner and live set by the import
    assert waiting[IDS[6]][2:] == ("rep-1", 0)  # a lost customer is not live
    assert dict(row_by_row["triggers"])["tr_pool_clock_customer_insert"]
