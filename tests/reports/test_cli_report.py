"""`crm report NAME --format md|csv|html`: files written from the hand-worked book."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from crm_tui.cli import app

NOW = "2026-11-23T09:00:00+00:00"


def crm(db: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["--db", str(db), "--now", NOW, *args])
    return result.exit_code, result.stdout, result.stderr


def test_markdown_report_to_stdout(book_path: Path) -> None:
    code, out, _ = crm(book_path, "report", "opportunities", "--period", "2026-11")
    assert code == 0
    assert out.startswith("# Opportunity analysis\n\n2026-11 · mine · CNY")
    assert "| Win rate | 40.0% |" in out
    assert "| price | 2 | ¥13,000.00 | 66.7% |" in out


def test_csv_report_is_long_form_with_plain_numbers(book: Path, tmp_path: Path) -> None:
    target = tmp_path / "summary.csv"
    code, _, err = crm(book, "report", "summary", "-f", "csv", "-o", str(target))
    assert code == 0 and "wrote" in err
    rows = list(csv.DictReader(io.StringIO(target.read_text("utf-8"))))
    assert rows[0] == {
        "section": "summary",
        "row": "Follow-ups done",
        "column": "2026-11",
        "value": "4",
    }
    won = {r["column"]: r["value"] for r in rows if r["row"] == "Amount won"}
    assert won == {
        "2026-11": "130000.00",
        "2026-10": "20000.00",
        "Change": "110000.00",
        "Change %": "550.0",
    }


def test_html_report_is_self_contained_and_escaped(book: Path, tmp_path: Path) -> None:
    from crm_tui.storage.database import open_database

    db = open_database(book)
    db.repos.customers.create({"name": "Evil & Co", "city": "<script>alert(1)</script>"})
    db.close()
    target = tmp_path / "customers.html"
    # The format follows the file's extension when --format is not given.
    code, _, _ = crm(book, "report", "customers", "-o", str(target), "--cold-days", "60")
    assert code == 0
    page = target.read_text("utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.rstrip().endswith("</html>")
    assert "<script" not in page and "http" not in page and "<link" not in page
    assert "<style>" in page and "Going cold: no follow-up done in 60 days" in page
    assert "<td>&lt;script&gt;alert(1)&lt;/script&gt;</td>" in page
    assert '<td>北京</td>\n<td class="n">2</td>' in page


def test_team_report_needs_a_manager(book: Path) -> None:
    code, _, err = crm(book, "report", "summary", "--team")
    assert code == 1 and err == "error: --team: only a manager can see the team's figures\n"
    from crm_tui.storage.database import open_database

    db = open_database(book)
    db.set_state("role", "manager")
    db.close()
    code, out, _ = crm(book, "report", "summary", "--team", "-f", "md")
    assert code == 0 and "· team ·" in out
    assert "| Deals won | 3 | 1 | +2 | +200.0% |" in out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["report", "pipeline"], "no report 'pipeline'"),
        (["report", "summary", "--period", "Q9"], "--period: 'Q9' is not a period"),
        (["report", "summary", "--format", "pdf"], "--format: 'pdf' is not one of md, csv"),
    ],
)
def test_bad_arguments_fail_in_one_line(book_path: Path, args: list[str], message: str) -> None:
    code, _, err = crm(book_path, *args)
    assert code == 1 and err.startswith(f"error: {message}") and err.count("\n") == 1


def test_report_command_does_not_load_the_orm(book_path: Path) -> None:
    """`crm report` reads with plain sqlite3: SQLModel's import alone costs ~0.45 s."""
    code = (
        "import sys; from crm_tui.cli import app\n"
        f"try: app(['--db', {str(book_path)!r}, '--now', {NOW!r}, 'report', 'summary'])\n"
        "except SystemExit: pass\n"
        "print('ORM', sorted(m for m in ('sqlmodel', 'sqlalchemy') if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert "| Follow-ups done | 4 | 1 | +3 | +300.0% |" in out
    assert out.rstrip().endswith("ORM []")
