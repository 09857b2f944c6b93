"""`crm list` / `crm query` as a table skip Typer and SQLAlchemy (launch.py over
services/quick_list.py, issue 20) and print byte for byte what the full command prints, on a
demo book with Chinese names; anything the quick path does not cover goes to the full
command, which says what is wrong."""

from __future__ import annotations

import contextlib
import io
import subprocess
import sys
from pathlib import Path

import pytest

from crm_tui import launch, quick_commands

NOW = "2026-11-23T10:00:00+08:00"


def _argv(db: Path, *extra: str) -> list[str]:
    return ["--db", str(db), "--now", NOW, *extra]


def _quick(db: Path, *extra: str) -> tuple[bool, str, str]:
    options = launch.quick_list_options(_argv(db, *extra))
    assert options is not None, extra
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        answered = launch.quick_list(options)
    return answered, out.getvalue(), err.getvalue()


def _full(db: Path, *extra: str) -> tuple[int, str, str]:
    from typer.testing import CliRunner

    from crm_tui.cli import app

    result = CliRunner().invoke(app, _argv(db, *extra), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def demo_book(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from crm_tui.demo import generate
    from crm_tui.domain.dates import Clock

    path = tmp_path_factory.mktemp("quick-list") / "demo.db"
    moment = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    generate(path, customers=60, clock=Clock(fixed=moment, zone=moment.tzinfo))
    return path


COMMANDS = [
    ("list", "customers"),
    ("list", "customers", "科技"),
    ("list", "customers", "北京", "-n", "5"),
    ("list", "customers", "grade:A 公司", "--limit=7"),
    ("list", "customer", "张"),
    ("list", "followups"),  # ~600 rows: aligned per batch of 500, as the full command
    ("query", "followups", "due<today", "-n", "20"),
    ("query", "followups", "status:open customer.city:上海", "--format", "table"),
    ("list", "deals", "stage:open"),
    ("query", "deals", "amount>10k weighted>=1000", "-f", "table"),
    ("list", "contacts", "张"),
    ("list", "contacts"),
    ("list", "expenses"),
    ("list", "claims", "status:draft"),
    ("list", "competitors"),
    ("list", "announcements"),
    ("list", "products"),
    ("list", "contracts"),
    ("list", "payments"),
    ("list", "customers", "zzzz-nothing"),
    ("query", "customers", "grade:A", "--count"),
    ("query", "followups", "--count", "北京"),
    ("list", "customers", "has:overdue -city:北京"),
    ("list", "customers", "--sort", "name"),
    ("list", "customers", "公司", "--sort=-city", "-n", "30"),
    ("query", "deals", "stage:open", "-s", "amount"),
    ("query", "followups", "-n", "40", "--sort=-due"),
    ("list", "expenses", "--sort", "amount"),
]


@pytest.mark.parametrize("extra", COMMANDS, ids=" ".join)
def test_quick_and_full_print_the_same(demo_book: Path, extra: tuple[str, ...]) -> None:
    answered, quick_out, quick_err = _quick(demo_book, *extra)
    code, full_out, full_err = _full(demo_book, *extra)
    assert answered and code == 0
    assert quick_out and quick_out == full_out
    assert quick_err == full_err == ""


def test_a_terminal_gets_fifty_rows_and_the_same_footer(demo_book: Path, monkeypatch) -> None:
    from crm_tui.cli import output

    monkeypatch.setattr(quick_commands, "_terminal", lambda: True)
    monkeypatch.setattr(output, "stdout_is_terminal", lambda: True)
    answered, quick_out, quick_err = _quick(demo_book, "list", "followups")
    code, full_out, full_err = _full(demo_book, "list", "followups")
    assert answered and code == 0
    assert quick_out == full_out and len(quick_out.splitlines()) == 51
    assert quick_err == full_err and quick_err.startswith("50 of ")


@pytest.mark.parametrize(
    "extra",
    [
        ("list", "customers", "due<"),  # a query error: the full command words it
        ("query", "customers", "frob:1"),
        ("list", "nonsense"),
        ("list", "views"),  # a record type the quick path does not list
        ("list", "quotes"),
        ("list", "followups", "--sort", "urgency"),  # the stored scores may need a refresh
        ("list", "customers", "--sort", "nonsense"),  # the full command words the error
    ],
)
def test_what_the_quick_path_cannot_answer_goes_to_the_full_command(
    demo_book: Path, extra: tuple[str, ...]
) -> None:
    answered, quick_out, quick_err = _quick(demo_book, *extra)
    assert (answered, quick_out, quick_err) == (False, "", "")


def test_a_missing_book_goes_to_the_full_command(tmp_path: Path) -> None:
    assert _quick(tmp_path / "missing.db", "list", "customers") == (False, "", "")
    assert not (tmp_path / "missing.db").exists()


@pytest.mark.parametrize(
    "argv",
    [
        ["list"],
        ["list", "customers", "a", "b"],
        ["list", "customers", "--format", "html"],
        ["query", "customers", "--count", "-f", "json"],  # a count is a table's
        ["list", "customers", "-s", "name"],  # list has no -s
        ["query", "customers", "-s", "-name"],
        ["list", "customers", "-n", "0"],
        ["list", "customers", "-n=5"],
        ["list", "customers", "--limit", "x"],
        ["list", "customers", "--count"],  # list has no --count: the full CLI refuses
        ["list", "customers", "-city:北京"],  # Typer reads it as an option
        ["list", "customers", "--help"],
        ["--db", "list", "customers"],
        ["sync", "list"],
    ],
)
def test_anything_else_is_for_the_full_cli(argv: list[str]) -> None:
    assert launch.quick_list_options(argv) is None


def test_the_quick_list_loads_neither_typer_nor_sqlalchemy(demo_book: Path) -> None:
    code = (
        "import sys; from crm_tui import launch; sys.argv = ['crm', *sys.argv[1:]]; "
        "launch.main(); "
        "print(sorted(m for m in ('typer', 'click', 'pydantic', 'sqlalchemy', 'sqlmodel', "
        "'httpx', 'textual') if m in sys.modules), file=sys.stderr)"
    )
    argv = _argv(demo_book, "list", "customers", "科技")
    out = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True)
    assert out.returncode == 0
    assert out.stderr.strip() == "[]"
    assert "科技" in out.stdout


_UUID = r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"


@pytest.mark.parametrize(
    ("plural", "column", "names"),
    [
        ("payments", "contract", "SELECT number FROM contract"),
        ("members", "campaign", "SELECT name FROM campaign"),
        ("checkins", "customer", "SELECT name FROM customer"),
        ("opportunity_lines", "opportunity", "SELECT title FROM opportunity"),
    ],
)
def test_a_table_names_what_a_reference_points_at(
    crm_demo_book: Path, plural: str, column: str, names: str
) -> None:
    """A rep reads `crm list payments` on 80 columns: the contract's number, not its
    36-character id (JSON keeps the id); where the quick path answers, it prints the same."""
    import re
    import sqlite3

    answered, quick_out, _ = _quick(crm_demo_book, "list", plural, "-n", "30")
    code, full_out, _ = _full(crm_demo_book, "list", plural, "-n", "30")
    assert code == 0 and (quick_out == full_out or not answered)
    lines = full_out.splitlines()
    assert len(lines) > 1, plural
    assert column in lines[0].split()
    assert not re.search(_UUID, full_out), lines[:3]
    with sqlite3.connect(crm_demo_book) as conn:
        titles = {t for (t,) in conn.execute(names) if t}
    assert any(title in line for line in lines[1:] for title in titles)
    code, as_json, _ = _full(crm_demo_book, "list", plural, "-n", "3", "--format", "json")
    assert code == 0 and re.search(rf'"{column}_id": "{_UUID}"', as_json)


def _plurals() -> list[str]:
    from crm_tui.domain.fields import ENTITIES
    from crm_tui.storage.plain_rows import DEFAULT_ORDER

    return [ENTITIES[name].plural for name in DEFAULT_ORDER]


@pytest.mark.parametrize("plural", _plurals())
def test_every_quick_record_type_lists_as_the_full_command(crm_demo_book: Path, plural) -> None:
    answered, quick_out, quick_err = _quick(crm_demo_book, "list", plural, "-n", "600")
    code, full_out, full_err = _full(crm_demo_book, "list", plural, "-n", "600")
    assert answered and code == 0
    assert quick_out == full_out and quick_err == full_err == ""
