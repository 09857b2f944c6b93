"""services/reports.py: a report for an open Book or a path, and who sees the team's figures."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from crm_tui.services import reports
from crm_tui.services.book import Book

from .book import NOW

NOVEMBER = reports.parse_period("2026-11", date(2026, 11, 23))


def _set_role(path: Path, role: str | None) -> None:
    book = Book.open(path)
    book.db.set_state("role", role)
    book.close()


def test_build_on_a_book_matches_build_at_the_path(book: Path) -> None:
    opened = Book.open(book, _clock())
    try:
        from_book = reports.build(opened, "summary", NOVEMBER)
    finally:
        opened.close()
    from_path = reports.build_at(book, "summary", NOVEMBER, clock=opened.clock)
    assert reports.render(from_book, "md") == reports.render(from_path, "md")


@pytest.mark.parametrize("role", ["manager", "admin"])
def test_managers_and_admins_see_the_team(book: Path, role: str) -> None:
    _set_role(book, role)
    team = reports.build_at(book, "summary", NOVEMBER, clock=_clock(), team=True)
    assert "· team ·" in reports.render(team, "md")


def test_a_rep_is_refused_the_team_and_an_unknown_report_is_an_error(book: Path) -> None:
    with pytest.raises(reports.ReportRefused, match="only a manager"):
        reports.build_at(book, "summary", NOVEMBER, clock=_clock(), team=True)
    with pytest.raises(ValueError, match="no report 'sales'"):
        reports.build_at(book, "sales", NOVEMBER, clock=_clock())


def test_an_unreadable_file_is_cannot_open(tmp_path: Path) -> None:
    bad = tmp_path / "not-a-db.db"
    bad.write_bytes(b"this is not SQLite" * 100)
    with pytest.raises(reports.CannotOpen):
        reports.build_at(bad, "summary", NOVEMBER, clock=_clock())


def _clock():  # noqa: ANN202 - the book's fixed clock and zone
    from datetime import UTC

    from crm_tui.domain.dates import Clock

    return Clock(fixed=NOW, zone=UTC)
