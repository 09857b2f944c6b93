"""Provides `crm why FOLLOW-UP` as text without Typer or SQLAlchemy (issue 20): the terms of
a follow-up's urgency as storage/urgency_sql.py's `explain` reads them (domain/urgency.py
makes them), printed as cli/query.py prints them. A customer's `why` (it adds the churn
risk) and anything else go to the full command. tests/speed/test_quick_why.py compares
both paths' output byte for byte."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from crm_tui.domain.dates import Clock
from crm_tui.services.quick import QuickUnavailable
from crm_tui.services.quick_list import plain_table
from crm_tui.storage import plain_records, quick_reads


def _aware(stored: str | None) -> datetime | None:
    if stored is None:
        return None
    moment = datetime.fromisoformat(stored)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def why_text(path: Path, clock: Clock, ref: str) -> str:
    """What `crm why REF` prints for a live follow-up."""
    try:
        conn = quick_reads.open_current(path)
    except quick_reads.NotQuick as exc:
        raise QuickUnavailable(str(exc)) from exc
    try:
        found = plain_records.find_any(conn, ref)
        if found is None or found[0] != "activity" or found[1]["deleted"]:
            raise QuickUnavailable("not a live follow-up")
        return _followup(conn, clock, found[1])
    except (sqlite3.Error, plain_records.Ambiguous, plain_records.Unreadable, ValueError) as exc:
        raise QuickUnavailable(str(exc)) from exc
    finally:
        conn.close()


def _followup(conn: sqlite3.Connection, clock: Clock, rec: dict) -> str:
    from crm_tui.domain import rules
    from crm_tui.domain.urgency import WEIGHTS_KEY, as_of, followup_terms, total
    from crm_tui.domain.urgency import weights_from_setting as weights

    weighted = None
    if rec["opportunity_id"]:
        deal = conn.execute(
            "SELECT stage, amount, probability FROM opportunity WHERE id = ? AND deleted = 0",
            (rec["opportunity_id"],),
        ).fetchone()
        if deal is not None and deal[0] in {s.value for s in rules.OPEN_STAGES}:
            weighted = rules.weighted_amount(deal[1], deal[2])
    grade = conn.execute("SELECT grade FROM customer WHERE id = ?", (rec["customer_id"],))
    customer = grade.fetchone()
    terms = followup_terms(
        now=as_of(clock),
        due_at=_aware(rec["due_at"]),
        done_at=_aware(rec["done_at"]),
        deal_weighted=weighted,
        grade=customer[0] if customer else None,
        weights=weights(quick_reads.state(conn, WEIGHTS_KEY)),
    )
    lines = [f"{rec['subject'] or rec['id']}  urgency {total(terms):.2f}\n"]
    if not terms:
        lines.append("  (done: not urgent)\n" if rec["done_at"] else "  (no terms)\n")
        return "".join(lines)
    rows = [
        {
            "term": t.name,
            "value": f"{t.value:.2f}",
            "weight": f"{t.weight:g}",
            "score": f"{t.score:.2f}",
            "why": t.detail,
        }
        for t in terms
    ]
    lines.append(plain_table(rows, ["term", "value", "weight", "score", "why"]))
    return "".join(lines)
