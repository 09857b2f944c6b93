"""`crm contract` and `crm pay` refuse what a new user gets wrong (issue 19 review, session
12): one `error:` line, exit 1, nothing written."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest


def _count(db_path: Path, table: str) -> int:
    with sqlite3.connect(db_path) as conn:
        return conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


@pytest.fixture
def deal(crm) -> str:
    crm("add", "customer", "上海机电")
    made = crm("add", "opportunity", "电机采购", "--customer", "上海机电", "--amount", "3万")
    assert made.exit_code == 0, made.stderr
    return made.stdout.strip()


def _refused(result, words: str) -> None:
    assert result.exit_code == 1, (result.stdout, result.stderr)
    assert result.stderr.startswith("error:") and result.stderr.count("\n") == 1, result.stderr
    assert words in result.stderr, result.stderr


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        (("--amount", "0"), "more than zero"),
        (("--amount", "5万", "--starts", "2027-01-01", "--ends", "2026-12-01"), "before it starts"),
    ],
)
def test_contract_refusals(crm, deal, db_path: Path, extra, words) -> None:
    _refused(crm("contract", "--deal", deal, *extra), words)
    assert _count(db_path, "contract") == 0


def test_pay_refusals(crm, deal, db_path: Path) -> None:
    made = crm("contract", "--deal", deal, "--amount", "3万", "--signed", "2026-11-20")
    number = made.stdout.split()[1]
    _refused(crm("pay", "nope", "5"), "no instalment or contract matches 'nope'")
    _refused(crm("pay", number, "5", "--on", "+3d"), "2026-11-26 is in the future")
    # Review s12: `crm pay ID -5` was Typer's "no option -5" (exit 2), not a refused amount.
    _refused(crm("pay", number, "-5"), "amount: '-5' is negative")
    assert _count(db_path, "payment") == 0
    paid = crm("pay", number, "5", "--on", "today")
    assert paid.exit_code == 0, paid.stderr
