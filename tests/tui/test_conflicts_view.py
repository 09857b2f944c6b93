"""Pilot tests for the conflicts view's issue 14 rows: an edit that reached a customer deleted
on the server (restored with the edit by `r`), and pulled rows parked on this laptop."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import text
from textual.widgets import DataTable, Static

from crm_tui.screens.conflicts import ConflictsScreen
from crm_tui.services.book import Book

from .pilot import settle
from .support_b import Host, make_db

pytestmark = pytest.mark.anyio


def _deleted_upstream(db, name: str) -> str:  # noqa: ANN001
    """A customer deleted on the server whose city the rep had edited here."""
    row_id = db.repos.customers.create({"name": name}).id
    db.repos.customers.delete(row_id)
    with db.transaction() as s:
        conn = s.connection()
        conn.execute(text("DELETE FROM outbox"))
        conn.execute(
            text(
                "INSERT INTO conflict(entity, row_id, field, kind, losing_value, winning_value, "
                "losing_hlc, winning_hlc, who, reason, at) VALUES ('customer', :r, 'city', "
                "'deleted', :v, NULL, NULL, NULL, 'alice', 'deleted on the server', "
                "'2026-11-23T09:00:00+00:00')"
            ),
            {"r": row_id, "v": json.dumps("Harbin")},
        )
        conn.execute(
            text(
                "INSERT INTO pull_parked(row_id, entity, seq, change, waits_for, reason) "
                "VALUES ('c-bad-0001', 'contact', 7, '{}', NULL, 'OverflowError: too big')"
            )
        )
    return row_id


def _cells(screen) -> list[list[str]]:  # noqa: ANN001
    table = screen.query_one("#conflicts-table", DataTable)
    return [[str(c) for c in table.get_row_at(i)] for i in range(table.row_count)]


async def test_an_edit_of_a_record_deleted_upstream_is_restored_with_the_edit(tmp_path):
    db = make_db(tmp_path)
    row_id = _deleted_upstream(db, "Gone Ltd")
    app = Host(db, lambda d: ConflictsScreen(Book(d)))
    async with app.run_test(size=(120, 30)) as pilot:
        await settle(pilot)
        screen = app.screen
        [row] = _cells(screen)
        assert row[0].startswith("customer: Gone Ltd") and row[1] == "city"
        assert row[2] == "Harbin" and row[6] == "deleted on the server"
        summary = str(screen.query_one("#conflicts-summary", Static).render())
        assert "1 edit(s) of deleted records" in summary
        parked = str(screen.query_one("#conflicts-parked", Static).render())
        assert "1 pulled row(s) not applied yet" in parked
        assert "contact c-bad-00: OverflowError: too big" in parked
        await pilot.press("r")
        await settle(pilot)
        assert _cells(screen) == []
    back = db.repos.customers.get(row_id)
    assert back is not None and back.city == "Harbin"
    with db.engine.connect() as conn:
        kinds = [k for (k,) in conn.execute(text("SELECT kind FROM outbox ORDER BY client_seq"))]
    assert kinds[0] == "restore" and len(kinds) == 2


async def test_no_parked_rows_no_parked_line(tmp_path):
    db = make_db(tmp_path)
    app = Host(db, lambda d: ConflictsScreen(Book(d)))
    async with app.run_test(size=(100, 24)) as pilot:
        await settle(pilot)
        assert app.screen.query_one("#conflicts-parked", Static).display is False
        assert _cells(app.screen) == []


async def test_the_log_is_read_off_the_ui_thread(tmp_path, monkeypatch):
    import threading

    from crm_tui.services import sync

    db = make_db(tmp_path)
    _deleted_upstream(db, "Gone Ltd")
    threads: list[str] = []
    real = sync.conflicts

    def spy(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        threads.append(threading.current_thread().name)
        return real(*args, **kwargs)

    monkeypatch.setattr(sync, "conflicts", spy)
    app = Host(db, lambda d: ConflictsScreen(Book(d)))
    async with app.run_test(size=(100, 24)) as pilot:
        await settle(pilot)
        assert len(_cells(app.screen)) == 1
        assert threads and threading.current_thread().name not in threads
