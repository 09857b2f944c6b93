"""`crm why FOLLOW-UP` skips Typer and SQLAlchemy (launch.py over services/quick_why.py,
issue 20) and prints byte for byte what the full command prints; a customer (its churn
part), another record, no match or a missing book go to the full command."""

from __future__ import annotations

import contextlib
import io
import sqlite3
from pathlib import Path

import pytest

from crm_tui import launch
from tests.speed.test_quick_list import _argv, _full
from tests.speed.test_quick_list import demo_book as demo_book  # the module's fixture


def _quick(db: Path, *extra: str) -> tuple[bool, str]:
    options = launch.quick_why_options(_argv(db, *extra))
    assert options is not None, extra
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        answered = launch.quick_why(options)
    return answered, out.getvalue()


def _ids(db: Path, sql: str) -> list[str]:
    conn = sqlite3.connect(db)
    try:
        return [r[0] for r in conn.execute(sql)]
    finally:
        conn.close()


def test_quick_and_full_explain_follow_ups_the_same(demo_book: Path) -> None:
    refs = _ids(
        demo_book,
        "SELECT id FROM (SELECT id FROM activity WHERE done_at IS NULL ORDER BY rowid LIMIT 4) "
        "UNION ALL SELECT id FROM (SELECT id FROM activity WHERE done_at IS NULL AND "
        "opportunity_id IS NOT NULL ORDER BY rowid LIMIT 4) "
        "UNION ALL SELECT id FROM (SELECT id FROM activity WHERE done_at IS NOT NULL LIMIT 1) "
        "UNION ALL SELECT substr(id, 1, 13) FROM (SELECT id FROM activity LIMIT 1 OFFSET 9)",
    )
    seen = ""
    for ref in refs:
        answered, quick_out = _quick(demo_book, "why", ref)
        code, full_out, full_err = _full(demo_book, "why", ref)
        assert answered and code == 0 and full_err == "", ref
        assert quick_out == full_out, ref
        seen += quick_out
    for word in ("overdue", "linked deal weighted", "grade", "(done: not urgent)"):
        assert word in seen, word


def test_quick_and_full_explain_customers_and_their_churn_the_same(crm_demo_book: Path) -> None:
    refs = _ids(
        crm_demo_book,
        "SELECT id FROM (SELECT id FROM customer WHERE deleted = 0 ORDER BY rowid LIMIT 12) "
        "UNION ALL SELECT id FROM (SELECT id FROM customer WHERE deleted = 0 "
        "ORDER BY risk DESC LIMIT 3) UNION ALL SELECT substr(id, 1, 13) FROM "
        "(SELECT customer_id AS id FROM opportunity WHERE stage = 'proposal' LIMIT 1)",
    )
    seen = ""
    for ref in refs:
        answered, quick_out = _quick(crm_demo_book, "why", ref)
        code, full_out, full_err = _full(crm_demo_book, "why", ref)
        assert answered and code == 0 and full_err == "", ref
        assert quick_out == full_out, ref
        seen += quick_out
    for word in ("since_contact", "pipeline", "churn risk", " × "):
        assert word in seen, word


def test_another_record_or_no_match_goes_to_the_full_command(demo_book: Path) -> None:
    deal = _ids(demo_book, "SELECT id FROM opportunity LIMIT 1")[0]
    for ref in (deal, "no-such-thing"):
        assert _quick(demo_book, "why", ref) == (False, ""), ref


@pytest.mark.parametrize(
    "argv",
    [["why"], ["why", "--help"], ["why", "a", "b"], ["why", "a", "--json"], ["why", " "]],
)
def test_anything_else_is_for_the_full_cli(argv: list[str]) -> None:
    assert launch.quick_why_options(argv) is None
