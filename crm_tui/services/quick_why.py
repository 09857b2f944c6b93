"""Provides `crm why ID` as text without Typer or SQLAlchemy (issue 20): the terms of a
follow-up's or customer's urgency as storage/urgency_sql.py's `explain` reads them
(domain/urgency.py makes them), a customer's churn risk as cli/insight.py prints it
(storage/insight_store.py's `explain`), printed as cli/query.py prints them. Anything else
goes to the full command. tests/speed/test_quick_why.py compares both paths' output byte
for byte."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from crm_tui.domain.dates import Clock
from crm_tui.services.quick import QuickUnavailable
from crm_tui.services.quick_book import quick_book
from crm_tui.services.quick_table import plain_table
from crm_tui.storage import plain_records, quick_reads


def _aware(stored: str | None) -> datetime | None:
    if stored is None:
        return None
    moment = datetime.fromisoformat(stored)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def why_text(path: Path, clock: Clock, ref: str) -> str:
    """What `crm why REF` prints for a live follow-up."""
    errors = (sqlite3.Error, plain_records.Ambiguous, plain_records.Unreadable, ValueError)
    with quick_book(path, errors) as conn:
        found = plain_records.find_any(conn, ref)
        if found is None or found[0] not in ("activity", "customer") or found[1]["deleted"]:
            raise QuickUnavailable("not a live follow-up or customer")
        if found[0] == "customer":
            return _customer(conn, clock, found[1])
        return _followup(conn, clock, found[1])


def _followup(conn: sqlite3.Connection, clock: Clock, rec: dict) -> str:
    from crm_tui.domain import rules
    from crm_tui.domain.urgency import WEIGHTS_KEY, as_of, followup_terms
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
    return _terms_text(rec["subject"] or rec["id"], terms, bool(rec["done_at"]))


def _customer(conn: sqlite3.Connection, clock: Clock, rec: dict) -> str:
    """urgency_sql.explain's customer terms, then cli/insight.py's churn part."""
    from crm_tui.domain import rules
    from crm_tui.domain.urgency import WEIGHTS_KEY, as_of, customer_terms
    from crm_tui.domain.urgency import weights_from_setting as weights

    last = conn.execute(
        "SELECT max(done_at) FROM activity WHERE customer_id = ? AND deleted = 0 "
        "AND done_at IS NOT NULL",
        (rec["id"],),
    ).fetchone()[0]
    stages = [s.value for s in rules.OPEN_STAGES]
    marks = ", ".join("?" for _ in stages)
    deals = conn.execute(
        "SELECT amount, probability, stage_changed_at FROM opportunity WHERE customer_id = ? "
        f"AND deleted = 0 AND stage IN ({marks})",
        [rec["id"], *stages],
    ).fetchall()
    changes = [_aware(d[2]) for d in deals if d[2] is not None]
    terms = customer_terms(
        now=as_of(clock),
        last_contact=_aware(last) if last is not None else _aware(rec["created_at"]),
        grade=rec["grade"],
        pipeline=sum(rules.weighted_amount(d[0], d[1]) for d in deals),
        oldest_stage_change=min(changes, default=None),  # type: ignore[type-var]
        weights=weights(quick_reads.state(conn, WEIGHTS_KEY)),
    )
    text = _terms_text(rec["name"], terms, False)
    return text + _churn(conn, clock, rec["id"]) if terms else text  # as cli/query.py


def _churn(conn: sqlite3.Connection, clock: Clock, customer_id: str) -> str:
    from crm_tui.domain.money import DEFAULT_CURRENCY, format_money
    from crm_tui.services.insight import segment_label
    from crm_tui.storage import insight_store

    found = insight_store.explain(conn, clock, customer_id)
    if found is None:
        return ""
    currency = quick_reads.state(conn, "currency") or DEFAULT_CURRENCY
    segment = segment_label(found.segment) or "(no purchases)"
    lines = [
        "",
        f"churn risk {found.risk:.2f}  segment {segment}  lifetime value "
        f"{format_money(found.clv, currency)}  at risk / yr "
        f"{format_money(found.value_at_risk, currency)}",
    ]
    if not found.terms:
        lines.append("  (no signs of drifting away)")
    lines += [f"  {t.name:<14} {t.value:.2f} × {t.weight:g}  {t.detail}" for t in found.terms]
    return "".join(line + "\n" for line in lines)


def _terms_text(title: str, terms: list, done: bool) -> str:
    """cli/query.py's `why`: the title and total, then the terms as a table."""
    from crm_tui.domain.urgency import total

    lines = [f"{title}  urgency {total(terms):.2f}\n"]
    if not terms:
        lines.append("  (done: not urgent)\n" if done else "  (no terms)\n")
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
