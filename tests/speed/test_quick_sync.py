"""`crm sync` on a book that is not signed in refuses without loading httpx, Typer or
SQLAlchemy (crm_tui/quick_commands.py, issue 20: a no-op sync ≤ 250 ms), with the full
command's message and exit code; a signed-in book, a missing one or other options go to the
full command."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from crm_tui import quick_commands
from tests.speed.test_quick_list import demo_book as demo_book  # the module's fixture

CODE = (
    "import sys; from crm_tui import launch; sys.argv = ['crm', *sys.argv[1:]]\n"
    "try:\n    launch.main()\nfinally:\n"
    "    print(sorted(m for m in ('typer', 'httpx', 'sqlalchemy', 'sqlmodel') "
    "if m in sys.modules), file=sys.stdout)"
)


def _run(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", CODE, *argv], capture_output=True, text=True)


def test_not_signed_in_refuses_as_the_full_command_does(demo_book: Path) -> None:
    from typer.testing import CliRunner

    from crm_tui.cli import app

    quick = _run("--db", str(demo_book), "sync", "-q")
    full = CliRunner().invoke(app, ["--db", str(demo_book), "sync", "-q"])
    assert quick.returncode == full.exit_code == 1
    assert quick.stderr == full.stderr
    assert "is not signed in: run crm login URL --user NAME" in quick.stderr
    assert quick.stdout.strip() == "[]"  # nothing heavy loaded


def test_a_signed_in_book_goes_to_the_full_command(demo_book: Path) -> None:
    login = demo_book.with_name(demo_book.name + ".login")
    login.write_text("{}")
    try:
        options = quick_commands.quick_sync_options(["--db", str(demo_book), "sync"])
        assert options is not None
        assert quick_commands.quick_sync(options) is False
    finally:
        login.unlink()


def test_a_missing_book_goes_to_the_full_command(tmp_path: Path) -> None:
    options = quick_commands.quick_sync_options(["--db", str(tmp_path / "new.db"), "sync"])
    assert options is not None and quick_commands.quick_sync(options) is False
    assert not (tmp_path / "new.db").exists()


@pytest.mark.parametrize(
    "argv", [["sync", "--help"], ["sync", "--full"], ["sync", "-q", "x"], ["conflicts", "sync"]]
)
def test_anything_else_is_for_the_full_cli(argv: list[str]) -> None:
    assert quick_commands.quick_sync_options(argv) is None
