"""Every quick read command (issue 20 item 2) answers without loading what it does not use:
no Typer/Click, SQLAlchemy/SQLModel, pydantic, httpx or Textual — checked in a fresh
process's sys.modules after the command ran; platformdirs only for the default book."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

HEAVY = ("typer", "click", "pydantic", "sqlalchemy", "sqlmodel", "httpx", "textual")
NOW = "2026-11-23T10:00:00+08:00"
CODE = (
    "import sys; from crm_tui import launch; sys.argv = ['crm', *sys.argv[1:]]\n"
    "try:\n    launch.main()\nexcept SystemExit:\n    pass\n"
    f"print(sorted(m for m in {HEAVY + ('platformdirs',)!r} if m in sys.modules), "
    "file=sys.stderr)"
)


def _ids(book: Path) -> tuple[str, str]:
    conn = sqlite3.connect(book)
    try:
        customer = conn.execute("SELECT id FROM customer ORDER BY rowid LIMIT 1").fetchone()[0]
        followup = conn.execute("SELECT id FROM activity ORDER BY rowid LIMIT 1").fetchone()[0]
    finally:
        conn.close()
    return customer, followup


COMMANDS = [
    ["remind"],
    ["remind", "--deal-days", "0", "--birthday-days", "0"],
    ["report", "summary"],
    ["list", "customers", "科技", "--limit", "5"],
    ["list", "followups", "-f", "csv", "-n", "3"],
    ["query", "followups", "due<today", "-n", "3", "-f", "json"],
    ["query", "customers", "grade:A", "--count"],
    ["show", "{customer}"],
    ["show", "{customer}", "-f", "json"],
    ["show", "{followup}"],
    ["agenda"],
    ["agenda", "--days", "30"],
    ["why", "{followup}"],
    ["sync"],  # not signed in: refused
]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_quick_command_loads_nothing_heavy(crm_demo_book: Path, command: list[str]) -> None:
    customer, followup = _ids(crm_demo_book)
    argv = [a.format(customer=customer, followup=followup) for a in command]
    out = subprocess.run(
        [sys.executable, "-c", CODE, "--db", str(crm_demo_book), "--now", NOW, *argv],
        capture_output=True,
        text=True,
    )
    loaded = out.stderr.strip().splitlines()[-1]
    assert loaded == "[]", (argv, out.stderr)


@pytest.mark.parametrize(
    "command",
    [["query", "customers", "grade:A 北京", "--count"], ["list", "customers", "科技", "-n", "5"]],
    ids=" ".join,
)
def test_a_query_spelt_right_does_not_load_the_suggestions(
    crm_demo_book: Path, command: list[str]
) -> None:
    """difflib (~3 ms to import) is for a misspelt word's "did you mean", not every query."""
    code = CODE.replace(repr(HEAVY + ("platformdirs",)), repr(("difflib",)))
    out = subprocess.run(
        [sys.executable, "-c", code, "--db", str(crm_demo_book), "--now", NOW, *command],
        capture_output=True,
        text=True,
    )
    assert out.stderr.strip().splitlines()[-1] == "[]", out.stderr
    misspelt = [sys.executable, "-c", code, "--db", str(crm_demo_book), "query", "customers"]
    out = subprocess.run([*misspelt, "grde:A"], capture_output=True, text=True)
    assert "did you mean grade" in out.stderr, out.stderr
