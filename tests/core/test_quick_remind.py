"""`crm remind`'s quick path (launch.py -> services/quick.py, plain sqlite3) prints exactly
what the full Typer command prints, and hands over to it for anything it cannot answer."""

from __future__ import annotations

import contextlib
import io
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from crm_tui import launch

NOW = "2026-11-23T10:00:00+08:00"


def _argv(db: Path, *extra: str, now: str = NOW) -> list[str]:
    return ["--db", str(db), "--now", now, "remind", *extra]


def _quick(db: Path, *extra: str, now: str = NOW) -> tuple[bool, str]:
    options = launch.quick_remind_options(_argv(db, *extra, now=now))
    assert options is not None
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        answered = launch.quick_remind(options)
    return answered, out.getvalue()


def _full(db: Path, *extra: str, now: str = NOW):
    from typer.testing import CliRunner

    from crm_tui.cli import app

    result = CliRunner().invoke(app, _argv(db, *extra, now=now), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def demo_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from crm_tui.demo import generate
    from crm_tui.domain.dates import Clock

    path = tmp_path_factory.mktemp("quick") / "demo.db"
    moment = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    generate(path, customers=60, clock=Clock(fixed=moment, zone=moment.tzinfo))
    return path


@pytest.mark.parametrize(
    "extra",
    [(), ("--deal-days", "30", "--birthday-days", "30"), ("--deal-days=0", "--birthday-days=0")],
)
def test_quick_and_full_print_the_same_reminders(demo_book: Path, extra) -> None:
    answered, quick_out = _quick(demo_book, *extra)
    code, full_out, _ = _full(demo_book, *extra)
    assert answered and code == 0
    assert quick_out.count("\n") > 3  # the demo has things due: follow-ups, birthdays, deals
    assert quick_out == full_out


def test_nothing_due_prints_nothing_on_both_paths(demo_book: Path) -> None:
    long_ago = "2000-01-01T08:00:00+08:00"
    extra = ("--deal-days", "0", "--birthday-days", "0")
    answered, quick_out = _quick(demo_book, *extra, now=long_ago)
    code, full_out, _ = _full(demo_book, *extra, now=long_ago)
    assert answered and code == 0
    assert quick_out == full_out == ""


def test_an_empty_book_prints_nothing(crm, tmp_path: Path) -> None:
    book = tmp_path / "empty.db"
    assert crm("list", "customers", db=book).exit_code == 0  # creates and migrates it
    answered, quick_out = _quick(book)
    assert answered and quick_out == ""
    assert _full(book)[:2] == (0, "")


def test_a_missing_book_goes_to_the_full_command(tmp_path: Path) -> None:
    missing = tmp_path / "missing.db"
    assert _quick(missing) == (False, "")
    assert not missing.exists()  # the quick path creates nothing
    assert _full(missing)[:2] == (0, "")  # the full command creates it, nothing due


def test_a_broken_file_goes_to_the_full_command_and_its_error(tmp_path: Path) -> None:
    broken = tmp_path / "broken.db"
    broken.write_bytes(b"not a database at all" * 100)
    assert _quick(broken) == (False, "")
    code, out, err = _full(broken)
    assert code == 1 and out == "" and err.startswith("error: cannot open database")


def test_a_write_locked_book_is_still_read(demo_book: Path) -> None:
    holder = sqlite3.connect(demo_book, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process is writing
    try:
        answered, quick_out = _quick(demo_book)
        code, full_out, _ = _full(demo_book)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert answered and code == 0 and quick_out == full_out


def test_an_unmigrated_book_goes_to_the_full_command(tmp_path: Path) -> None:
    from crm_tui.storage.migrate import migrate_file

    old = tmp_path / "old.db"
    migrate_file(old, upto=1)
    assert _quick(old) == (False, "")


@pytest.mark.parametrize(
    "argv",
    [
        ["remind", "--help"],
        ["remind", "--deal-days", "-1"],
        ["remind", "--deal-days"],
        ["remind", "--notify", "--notify"],
        ["remind", "extra"],
        ["list", "customers"],
        ["--db", "a.db", "--verbose", "remind"],
    ],
)
def test_anything_else_is_for_the_full_cli(argv: list[str]) -> None:
    assert launch.quick_remind_options(argv) is None


def test_book_options_may_follow_the_command_as_in_the_full_cli() -> None:
    assert launch.quick_remind_options(["remind", "--db", "a.db", "--notify"]) == {
        "--db": "a.db",
        "--notify": "1",
    }
    assert launch.quick_remind_options(["--db", "a.db", "remind", "--db", "b.db"]) is None


def test_the_quick_path_loads_neither_typer_nor_sqlalchemy(demo_book: Path) -> None:
    code = (
        "import sys; from crm_tui import launch; sys.argv = ['crm', *sys.argv[1:]]; "
        "launch.main(); "
        "print(sorted(m for m in ('typer', 'click', 'sqlalchemy', 'sqlmodel', 'textual') "
        "if m in sys.modules), file=sys.stderr)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, *_argv(demo_book)], capture_output=True, text=True
    )
    assert out.returncode == 0
    assert out.stderr.strip() == "[]"
    assert out.stdout.startswith("follow-up")
