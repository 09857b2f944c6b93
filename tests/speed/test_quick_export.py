"""`crm list` / `crm query` as JSON or CSV skip Typer and SQLAlchemy (issue 20: 0.9-1.3 s
on the full path at 100k) and print byte for byte what the full command prints: every
field, ISO dates, UTC times, the customer's name, a header once, `[]` when nothing matches."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.speed.test_quick_list import NOW, _argv, _quick


@pytest.fixture(scope="module")
def demo_book(crm_demo_book: Path) -> Path:
    return crm_demo_book  # conftest.py: `crm demo`'s book (contracts, instalments, ...)


COMMANDS = [
    ("list", "customers", "-f", "json"),
    ("list", "customers", "科技", "--format", "csv"),
    ("list", "customers", "北京", "-n", "5", "-f", "json"),
    ("list", "followups", "--format", "csv"),  # more than one batch of 500
    ("list", "followups", "-f", "json", "--limit", "700"),
    ("query", "followups", "due<today", "-n", "20", "-f", "csv"),
    ("query", "deals", "stage:open", "--sort=-amount", "-f", "json"),
    ("list", "contacts", "张", "-f", "json"),
    ("list", "expenses", "-f", "csv"),
    ("list", "contracts", "-f", "json"),
    ("list", "payments", "-f", "csv"),
    ("list", "products", "-f", "json"),
    ("list", "customers", "no-such-word-anywhere", "-f", "json"),  # []
    ("list", "customers", "no-such-word-anywhere", "-f", "csv"),  # the header alone
]


def _full(db: Path, *extra: str) -> tuple[int, str, str]:
    """The full command's stdout as written (Click's `result.stdout` turns CSV's \\r\\n
    into \\n)."""
    from typer.testing import CliRunner

    from crm_tui.cli import app

    result = CliRunner().invoke(app, _argv(db, *extra), catch_exceptions=False)
    return result.exit_code, result.stdout_bytes.decode("utf-8"), result.stderr


@pytest.mark.parametrize("extra", COMMANDS, ids=" ".join)
def test_quick_and_full_print_the_same(demo_book: Path, extra: tuple[str, ...]) -> None:
    answered, quick_out, quick_err = _quick(demo_book, *extra)
    code, full_out, full_err = _full(demo_book, *extra)
    assert answered and code == 0, extra
    assert quick_out == full_out
    assert quick_err == full_err == ""


def test_json_lists_every_field_of_every_match(demo_book: Path) -> None:
    rows = json.loads(_quick(demo_book, "list", "followups", "-f", "json")[1])
    assert len(rows) > 500  # a pipe or a file gets every match, not a screen's
    assert {"id", "subject", "due_at", "customer", "created_at"} <= set(rows[0])
    assert rows[0]["due_at"].endswith("Z")


def test_the_quick_export_loads_neither_typer_nor_sqlalchemy(demo_book: Path) -> None:
    code = (
        "import sys; from crm_tui import launch; sys.argv = ['crm', *sys.argv[1:]]; "
        "launch.main(); "
        "print(sorted(m for m in ('typer', 'click', 'pydantic', 'sqlalchemy', 'sqlmodel', "
        "'httpx', 'textual') if m in sys.modules), file=sys.stderr)"
    )
    argv = ["--db", str(demo_book), "--now", NOW, "list", "customers", "-f", "csv"]
    out = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True)
    assert out.returncode == 0
    assert out.stderr.strip() == "[]"
    assert out.stdout.startswith("id,name,")


@pytest.mark.parametrize(
    "extra",
    [
        ("list", "customers", "科技", "--limit", "7"),
        ("list", "customers", "公司", "-n", "20", "-f", "csv"),
        ("list", "contacts", "张", "-n", "5"),
        ("query", "customers", "grade:A 公司", "-n", "9"),
    ],
    ids=" ".join,
)
def test_a_common_word_walks_the_list_order_and_finds_the_same(
    demo_book: Path, monkeypatch: pytest.MonkeyPatch, extra: tuple[str, ...]
) -> None:
    """A word with many hits reads the list's order index (storage/plain_rows.py): the same
    rows in the same order as the full command."""
    from crm_tui.storage import plain_rows

    monkeypatch.setattr(plain_rows, "MANY_HITS", 0)
    answered, quick_out, _ = _quick(demo_book, *extra)
    code, full_out, _ = _full(demo_book, *extra)
    assert answered and code == 0
    assert quick_out == full_out and quick_out.count("\n") > 2


@pytest.mark.parametrize(
    "kind", ["customers", "followups", "deals", "expenses", "quotes", "contracts", "payments"]
)
def test_a_csv_export_has_one_header_whatever_matched(demo_book: Path, kind: str) -> None:
    """A daily export appended to one file: the header of an empty result is the header of
    a full one (the empty one printed the table's 8 columns, a full one 29: review s15 W2)."""
    _, everything, _ = _full(demo_book, "list", kind, "-n", "3", "-f", "csv")
    _, nothing, _ = _full(demo_book, "list", kind, "no-such-word-anywhere", "-f", "csv")
    header = everything.splitlines()[0]
    assert len(everything.splitlines()) == 4  # the demo has rows of this kind
    assert nothing.splitlines() == [header]
    assert header.startswith("id,") and "owner_id" in header
    answered, quick_nothing, _ = _quick(
        demo_book, "list", kind, "no-such-word-anywhere", "-f", "csv"
    )
    assert quick_nothing.splitlines() == ([header] if answered else [])
