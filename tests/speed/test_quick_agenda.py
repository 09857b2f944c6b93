"""`crm agenda` skips Typer and SQLAlchemy (launch.py over services/quick_agenda.py, issue
20) and prints byte for byte what the full command prints: follow-ups (overdue ones under
today), deals closing, birthdays and instalments, on a demo book with Chinese names."""

from __future__ import annotations

import contextlib
import io
import subprocess
import sys
from pathlib import Path

import pytest

from crm_tui import launch


@pytest.fixture
def demo_book(crm_demo_book: Path) -> Path:
    return crm_demo_book  # conftest.py: `crm demo`'s book (contracts, instalments)


def _argv(db: Path, now: str, *extra: str) -> list[str]:
    return ["--db", str(db), "--now", now, "agenda", *extra]


def _quick(db: Path, now: str, *extra: str) -> tuple[bool, str]:
    options = launch.quick_agenda_options(_argv(db, now, *extra))
    assert options is not None, extra
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        answered = launch.quick_agenda(options)
    return answered, out.getvalue()


def _full(db: Path, now: str, *extra: str) -> tuple[int, str, str]:
    from typer.testing import CliRunner

    from crm_tui.cli import app

    result = CliRunner().invoke(app, _argv(db, now, *extra), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize(
    ("now", "extra"),
    [
        ("2026-11-23T10:00:00+08:00", ()),
        ("2026-11-23T23:30:00+08:00", ("--days", "30")),
        ("2026-12-20T08:00:00+08:00", ("-d", "3")),
        ("2027-02-01T09:00:00+08:00", ("--days=14", "-f", "table")),
        ("2000-01-01T10:00:00+08:00", ("-d", "1")),
        ("2000-06-15T10:00:00+08:00", ("-d", "1")),
        ("2026-11-23T10:00:00+08:00", ("--format", "json")),
        ("2026-12-20T08:00:00+08:00", ("-f", "json", "--days", "30")),
        ("2000-01-01T10:00:00+08:00", ("-d", "1", "--format=json")),  # nothing: []
    ],
)
def test_quick_and_full_print_the_same_agenda(demo_book: Path, now: str, extra) -> None:
    answered, quick_out = _quick(demo_book, now, *extra)
    code, full_out, full_err = _full(demo_book, now, *extra)
    assert answered and code == 0 and full_err == ""
    assert quick_out and quick_out == full_out


def test_the_demo_agenda_has_every_kind_of_item(demo_book: Path) -> None:
    text = _quick(demo_book, "2026-11-23T10:00:00+08:00", "--days", "60")[1]
    for word in ("overdue since", "closes", "birthday", "instalment", "Today", "Tomorrow"):
        assert word in text, word


@pytest.mark.parametrize(
    "argv",
    [
        ["agenda", "-f", "csv"],
        ["agenda", "--days", "0"],
        ["agenda", "-d=3"],
        ["agenda", "--help"],
        ["agenda", "tomorrow"],
    ],
)
def test_anything_else_is_for_the_full_cli(argv: list[str]) -> None:
    assert launch.quick_agenda_options(argv) is None


def test_a_missing_book_goes_to_the_full_command(tmp_path: Path) -> None:
    assert _quick(tmp_path / "missing.db", "2026-11-23T10:00:00+08:00") == (False, "")


def test_the_quick_agenda_loads_neither_typer_nor_sqlalchemy(demo_book: Path) -> None:
    code = (
        "import sys; from crm_tui import launch; sys.argv = ['crm', *sys.argv[1:]]; "
        "launch.main(); "
        "print(sorted(m for m in ('typer', 'click', 'pydantic', 'sqlalchemy', 'sqlmodel', "
        "'httpx', 'textual') if m in sys.modules), file=sys.stderr)"
    )
    argv = _argv(demo_book, "2026-11-23T10:00:00+08:00")
    out = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True)
    assert out.returncode == 0
    assert out.stderr.strip() == "[]"
    assert "Today" in out.stdout
