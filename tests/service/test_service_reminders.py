"""A dispatched visit coming due reminds its engineer: in the app's reminders and in `crm
remind`, whose quick path (plain sqlite3) prints exactly what the full command prints."""

from __future__ import annotations

import contextlib
import io
import uuid
from datetime import datetime
from pathlib import Path

from typer.testing import CliRunner

from crm_tui import launch
from crm_tui.cli import app
from crm_tui.services import reminders, service_orders
from crm_tui.services.book import Book
from crm_tui.storage.database import open_database
from tests.conftest import ZONE

NOW = "2026-11-23T10:00:00+08:00"


def _user(db, name: str, role: str) -> str:
    row_id = str(uuid.uuid4())
    with db.transaction() as s:
        db.repos.users.apply_remote(s, row_id, {"fields": {"name": name, "role": role}}, version=1)
    return row_id


def _as(db, user_id: str, role: str = "rep") -> None:
    db.set_state("user_id", user_id)
    db.set_state("role", role)


def _book(path: Path, clock) -> tuple[Book, str, str]:
    db = open_database(path, clock)
    eng, boss, rep = (
        _user(db, "王工", "rep"),
        _user(db, "李经理", "manager"),
        _user(db, "张敏", "rep"),
    )
    _as(db, rep)
    book = Book(db)
    acme = db.repos.customers.create({"name": "温州阀门厂"})
    ids = []
    for subject, planned in (("阀门更换", "2026-11-23 10:30"), ("年度巡检", "2026-11-24 10:30")):
        rec = service_orders.create(
            book,
            {
                "customer_id": acme.id,
                "subject": subject,
                "planned_start": planned,
                "engineer_id": eng,
            },
        )
        service_orders.step(book, rec.id, "request")
        ids.append(rec.id)
    _as(db, boss, "manager")
    for row_id in ids:
        service_orders.step(book, row_id, "approve")
    _as(db, eng)
    return book, ids[0], ids[1]


def test_a_visit_within_the_hour_reminds_the_engineer(tmp_path: Path, clock) -> None:
    book, soon, tomorrow = _book(tmp_path / "crm.db", clock)
    due = [r for r in reminders.due_now(book) if r.kind == "service"]
    assert [r.row_id for r in due] == [soon] and "阀门更换" in due[0].line()
    later = datetime(2026, 11, 24, 10, 0, tzinfo=ZONE)
    assert [r.row_id for r in reminders.due_now(book, later) if r.kind == "service"] == [
        soon,  # still not started: late
        tomorrow,
    ]
    service_orders.step(book, soon, "start")  # started: no longer reminded
    assert not [r for r in reminders.due_now(book) if r.kind == "service"]
    book.close()


def test_crm_remind_quick_and_full_paths_agree(tmp_path: Path, clock) -> None:
    path = tmp_path / "crm.db"
    book, _, _ = _book(path, clock)
    book.close()
    argv = ["--db", str(path), "--now", NOW, "remind"]
    full = CliRunner().invoke(app, argv, catch_exceptions=False)
    assert full.exit_code == 0 and "service" in full.stdout and "阀门更换" in full.stdout
    options = launch.quick_remind_options(argv)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        answered = launch.quick_remind(options)
    assert answered and out.getvalue() == full.stdout
