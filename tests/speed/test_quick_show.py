"""`crm show REF` skips Typer and SQLAlchemy (launch.py over services/quick_show.py, issue
20) and prints what the full command prints: a customer's briefing, any other record's
fields, on a demo book with Chinese names; no match, several matches, a name search or a
missing book go to the full command, which words them.

One allowance: the full command lists a record's fields not in the registry (created_at,
updated_at, urgency ...) in the order SQLAlchemy happened to fill the instance, which is
the model's order on most runs but not all; the quick path always uses the model's order,
so those lines are compared as a set and the quick path's order is checked on its own."""

from __future__ import annotations

import contextlib
import io
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from crm_tui import launch
from tests.speed.test_quick_list import NOW, _argv, _full


@pytest.fixture(scope="module")
def demo_book(crm_demo_book: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of `crm demo`'s book (conftest.py): this module deletes a customer in it."""
    import shutil

    copy = tmp_path_factory.mktemp("quick-show") / "demo.db"
    shutil.copyfile(crm_demo_book, copy)
    return copy


def _quick(db: Path, *extra: str) -> tuple[bool, str]:
    options = launch.quick_show_options(_argv(db, *extra))
    assert options is not None, extra
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        answered = launch.quick_show(options)
    return answered, out.getvalue()


def _refs(db: Path) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        one = "SELECT {col} FROM {table} WHERE deleted = 0 ORDER BY rowid LIMIT 1 OFFSET {n}"
        picks = [
            ("id", "customer", 0),
            ("id", "customer", 7),
            ("name", "customer", 3),  # an exact title
            ("substr(id, 1, 13)", "activity", 5),  # a prefix
            ("id", "opportunity", 2),
            ("id", "expense", 0),
            ("id", "contact", 4),
            ("id", "contract", 0),
            ("id", "payment_plan", 0),
            ("id", "service", 0),
            ("id", "campaign", 0),
            ("id", "kb_article", 0),
        ]
        refs = []
        for col, table, n in picks:
            row = conn.execute(one.format(col=col, table=table, n=n)).fetchone()
            if row:
                refs.append(row[0])
        deleted = "SELECT id FROM customer ORDER BY rowid DESC LIMIT 1"
        conn.execute(f"UPDATE customer SET deleted = 1 WHERE id = ({deleted})")
        conn.commit()
        refs.append(conn.execute(deleted).fetchone()[0])
        return refs
    finally:
        conn.close()


def _blocks(text: str) -> tuple[list[str], list[str]]:
    """(the record's header and field lines, the rest): the field lines are the indented
    ones before the first blank line, after the first line (and a customer's summary)."""
    lines = text.splitlines()
    head = lines.index("") if "" in lines else len(lines)
    return lines[:head], lines[head:]


def test_quick_and_full_show_the_same(demo_book: Path) -> None:
    refs = _refs(demo_book)
    assert len(refs) >= 12  # contracts, instalments, service orders, articles too
    for ref in refs:
        answered, quick_out = _quick(demo_book, "show", ref)
        code, full_out, full_err = _full(demo_book, "show", ref)
        assert answered and code == 0 and full_err == "", ref
        if quick_out == full_out:
            continue
        quick_head, quick_rest = _blocks(quick_out)
        full_head, full_rest = _blocks(full_out)
        assert quick_rest == full_rest, ref
        assert quick_head[0] == full_head[0] and sorted(quick_head) == sorted(full_head), ref
    assert "[deleted]" in _quick(demo_book, "show", refs[-1])[1]
    briefing = _quick(demo_book, "show", refs[0])[1]
    assert briefing.startswith("customer ") and "\nOpen follow-ups (" in briefing


def test_quick_and_full_show_the_same_json(demo_book: Path) -> None:
    """JSON too (issue 20: 1.3 s on the full path at 100k): a customer's briefing with its
    sections as lists of records, any other record's fields, byte for byte."""
    import json

    refs = _refs(demo_book)
    for ref in refs:
        answered, quick_out = _quick(demo_book, "show", ref, "--format", "json")
        code, full_out, full_err = _full(demo_book, "show", ref, "-f", "json")
        assert answered and code == 0 and full_err == "", ref
        assert quick_out == full_out, ref
    briefing = json.loads(_quick(demo_book, "show", refs[0], "-f", "json")[1])[0]
    assert briefing["entity"] == "customer" and isinstance(briefing["open_followups"], list)


def test_fields_beyond_the_registry_follow_the_model(demo_book: Path) -> None:
    from crm_tui.domain.models import MODELS

    conn = sqlite3.connect(demo_book)
    deal = conn.execute("SELECT id FROM opportunity ORDER BY rowid LIMIT 1").fetchone()[0]
    conn.close()
    text = _quick(demo_book, "show", deal)[1]
    keys = [line.split()[0] for line in text.splitlines()[1:] if line.startswith("  ")]
    model = [k for k in MODELS["opportunity"].model_fields if k in keys]
    tail = [k for k in keys if k in ("created_at", "updated_at", "owner_id")]
    assert tail and [k for k in model if k in tail] == tail


def test_the_quick_show_reads_the_model_columns_as_sqlmodel_has_them() -> None:
    from crm_tui.domain.models import MODELS
    from crm_tui.storage.plain_records import model_columns

    columns = model_columns()
    assert set(columns) == set(MODELS)
    for name, model in MODELS.items():
        assert [f for f, _ in columns[name]] == list(model.model_fields), name


@pytest.mark.parametrize("ref", ["no-such-thing", "019", "科技"])
def test_no_match_several_or_a_search_go_to_the_full_command(demo_book: Path, ref: str) -> None:
    assert _quick(demo_book, "show", ref) == (False, "")


def test_a_missing_book_goes_to_the_full_command(tmp_path: Path) -> None:
    assert _quick(tmp_path / "missing.db", "show", "abc") == (False, "")


@pytest.mark.parametrize(
    "argv",
    [
        ["show"],
        ["show", "a", "b"],
        ["show", "a", "--format", "csv"],
        ["show", "a", "-f=table"],
        ["show", "a", "--help"],
        ["show", " "],
    ],
)
def test_anything_else_is_for_the_full_cli(argv: list[str]) -> None:
    assert launch.quick_show_options(argv) is None


def test_the_quick_show_loads_neither_typer_nor_sqlalchemy(demo_book: Path) -> None:
    conn = sqlite3.connect(demo_book)
    ref = conn.execute("SELECT id FROM customer ORDER BY rowid LIMIT 1").fetchone()[0]
    conn.close()
    code = (
        "import sys; from crm_tui import launch; sys.argv = ['crm', *sys.argv[1:]]; "
        "launch.main(); "
        "print(sorted(m for m in ('typer', 'click', 'pydantic', 'sqlalchemy', 'sqlmodel', "
        "'httpx', 'textual') if m in sys.modules), file=sys.stderr)"
    )
    argv = ["--db", str(demo_book), "--now", NOW, "show", ref]
    out = subprocess.run([sys.executable, "-c", code, *argv], capture_output=True, text=True)
    assert out.returncode == 0
    assert out.stderr.strip() == "[]"
    assert out.stdout.startswith("customer ")
