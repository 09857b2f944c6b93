"""`crm report NAME` to the screen skips Typer (launch.py) and prints exactly what the full
command prints; anything it cannot answer goes to the full command and its message."""

from __future__ import annotations

import contextlib
import io
import subprocess
import sys
from pathlib import Path

import pytest

from crm_tui import launch

NOW = "2026-11-23T10:00:00+08:00"


def _argv(db: Path, *extra: str) -> list[str]:
    return ["--db", str(db), "--now", NOW, "report", *extra]


def _quick(db: Path, *extra: str) -> tuple[bool, str]:
    options = launch.quick_report_options(_argv(db, *extra))
    assert options is not None
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        answered = launch.quick_report(options)
    return answered, out.getvalue()


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

    path = tmp_path_factory.mktemp("quick") / "demo.db"
    moment = datetime(2026, 11, 23, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    generate(path, customers=60, clock=Clock(fixed=moment, zone=moment.tzinfo))
    return path


@pytest.mark.parametrize(
    "extra",
    [
        ("summary",),
        ("customers", "-p", "2026-11"),
        ("opportunities", "-f", "csv"),
        ("expenses", "--period=last-month", "--format", "html"),
        ("summary", "--cold-days", "10"),
    ],
)
def test_quick_and_full_print_the_same_report(demo_book: Path, extra) -> None:
    answered, quick_out = _quick(demo_book, *extra)
    code, full_out, _ = _full(demo_book, *extra)
    assert answered and code == 0
    assert quick_out and quick_out == full_out


@pytest.mark.parametrize("extra", [("summary", "--team"), ("summary", "-p", "nonsense")])
def test_refusals_go_to_the_full_command(demo_book: Path, extra) -> None:
    assert _quick(demo_book, *extra) == (False, "")
    code, out, err = _full(demo_book, *extra)
    assert code == 1 and out == "" and err.startswith("error:")


def test_a_missing_book_reports_as_the_full_command_does(tmp_path: Path) -> None:
    answered, quick_out = _quick(tmp_path / "a" / "missing.db", "summary")
    code, full_out, _ = _full(tmp_path / "b" / "missing.db", "summary")
    assert (answered, quick_out) == (code == 0, full_out)


@pytest.mark.parametrize(
    "argv",
    [
        ["report"],
        ["report", "receivables"],
        ["report", "summary", "-o", "x.md"],
        ["report", "summary", "-f", "pdf"],
        ["report", "summary", "--cold-days", "0"],
        ["report", "summary", "--help"],
        ["report", "--help"],
    ],
)
def test_anything_else_is_for_the_full_cli(argv: list[str]) -> None:
    assert launch.quick_report_options(argv) is None


def test_the_quick_report_loads_neither_typer_nor_sqlalchemy(demo_book: Path) -> None:
    code = (
        "import sys; from crm_tui import launch; sys.argv = ['crm', *sys.argv[1:]]; "
        "launch.main(); "
        "print(sorted(m for m in ('typer', 'click', 'sqlalchemy', 'sqlmodel', 'textual') "
        "if m in sys.modules), file=sys.stderr)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, *_argv(demo_book, "summary")], capture_output=True, text=True
    )
    assert out.returncode == 0
    assert out.stderr.strip() == "[]"
    assert out.stdout
