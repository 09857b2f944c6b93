"""'today's daily report not written': after the team's rule's time, `crm remind` prints
it on both paths (quick sqlite3 and full Typer) until the report is submitted; a rule a
manager sets moves the time; before the time, nothing."""

from __future__ import annotations

import contextlib
import io
from pathlib import Path

from crm_tui import launch
from crm_tui.services import reminders, work_reports
from crm_tui.services.book import Book

EVENING = "2026-11-23T19:00:00+08:00"  # Monday, after the default 18:00
LINE = "today's daily report not written (2026-11-23) — crm report write"


def _quick(db_path: Path, now: str) -> tuple[bool, str]:
    options = launch.quick_remind_options(["--db", str(db_path), "--now", now, "remind"])
    assert options is not None
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        answered = launch.quick_remind(options)
    return answered, out.getvalue()


def test_remind_says_the_report_is_not_written_on_both_paths(crm, db_path, editor) -> None:
    crm("add", "customer", "北京钢管")  # makes the book
    morning = crm("remind")
    assert "report" not in morning.stdout
    full = crm("--now", EVENING, "remind")
    assert full.exit_code == 0 and full.stdout.splitlines() == [f"report     -  {LINE}"]
    answered, quick = _quick(db_path, EVENING)
    assert answered and quick == full.stdout
    # A draft is not enough: the reminder names it; submitted, it is gone.
    editor("[done]\n拜访\n")
    rid = crm("--now", EVENING, "report", "write").stdout.split()[-1]
    draft = crm("--now", EVENING, "remind").stdout
    assert rid[:6] in draft and "not written" in draft
    assert _quick(db_path, EVENING)[1] == draft
    crm("--now", EVENING, "report", "submit", rid)
    assert crm("--now", EVENING, "remind").stdout == ""
    assert _quick(db_path, EVENING) == (True, "")


def test_the_teams_rule_sets_the_time(db, clock) -> None:
    db.set_state("user_id", "rep-1")
    db.set_state("role", "manager")
    book = Book(db)
    work_reports.set_rule(book, "daily", "mon-fri", "09:30")
    assert [r.title for r in reminders.reports_due(book)] == [
        "today's daily report not written (2026-11-23)"
    ]
    work_reports.set_rule(book, "daily", "sat", "09:30")
    assert reminders.reports_due(book) == []
