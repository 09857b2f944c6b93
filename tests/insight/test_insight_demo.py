"""On generated demo data (customers, deals, payments, and the insight demo's rhythms): every
stored segment, lifetime value and order-overdue reason equals a plain Python computation
over the same rows, and the demo has regular, drifting and lost customers to show."""

from __future__ import annotations

import math
import sqlite3
from datetime import date
from pathlib import Path
from statistics import median

import pytest

from crm_tui.domain.dates import Clock
from crm_tui.services import insight
from crm_tui.services.book import Book
from crm_tui.services.insight_demo import add_insight
from crm_tui.services.sales_demo import add_sales_docs

GROUPS = {  # (R high, F high, M high) -> key, written out plainly
    (1, 1, 1): "important-value",
    (1, 0, 1): "important-develop",
    (0, 1, 1): "important-keep",
    (0, 0, 1): "important-retain",
    (1, 1, 0): "general-value",
    (1, 0, 0): "general-develop",
    (0, 1, 0): "general-keep",
    (0, 0, 0): "general-retain",
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from zoneinfo import ZoneInfo

    from crm_tui.demo import generate
    from tests.conftest import NOW

    path = tmp_path_factory.mktemp("demo") / "demo.db"
    clock = Clock(fixed=NOW, zone=ZoneInfo("Asia/Shanghai"))
    generate(path, customers=150, seed=7, clock=clock)
    book = Book.open(path, clock)
    add_sales_docs(book)
    add_insight(book, customers=60)
    book.close()
    return path


def plain_score(value: float, values: list[float]) -> int:
    """Quintile by nearest rank, equal cut points counting half — spelled out."""
    ordered = sorted(values)
    n = len(ordered)
    cuts = [ordered[max(0, math.ceil(k * n / 5) - 1)] for k in (1, 2, 3, 4)]
    below = sum(1 for c in cuts if c < value)
    equal = sum(1 for c in cuts if c == value)
    return 1 + (2 * below + equal) // 2


def test_stored_figures_equal_a_plain_computation_on_the_demo(demo: Path) -> None:
    conn = sqlite3.connect(demo)
    won = conn.execute(
        "SELECT o.customer_id, o.closed_on, o.amount FROM opportunity o "
        "JOIN customer c ON c.id = o.customer_id AND c.deleted = 0 "
        "WHERE o.deleted = 0 AND o.stage = 'won' AND o.closed_on IS NOT NULL"
    ).fetchall()
    paid = dict(
        conn.execute(
            "SELECT o.customer_id, max(p.received_on) FROM payment p JOIN contract k "
            "ON k.id = p.contract_id JOIN opportunity o ON o.id = k.opportunity_id "
            "WHERE p.deleted = 0 GROUP BY o.customer_id"
        ).fetchall()
    )
    stored = {
        cid: (seg, clv)
        for cid, seg, clv in conn.execute("SELECT id, segment, clv FROM customer WHERE deleted = 0")
    }
    conn.close()
    orders: dict[str, list[tuple[date, int]]] = {}
    for cid, day, amount in won:
        orders.setdefault(cid, []).append((date.fromisoformat(day), amount))
    last = {}
    for cid, rows in orders.items():
        day = max(d for d, _ in rows)
        if paid.get(cid) and date.fromisoformat(paid[cid]) > day:
            day = date.fromisoformat(paid[cid])
        last[cid] = day.toordinal()
    freq = {cid: len(rows) for cid, rows in orders.items()}
    money = {cid: sum(a for _, a in rows) for cid, rows in orders.items()}
    spans = []
    for rows in orders.values():
        days = sorted({d for d, _ in rows})
        if len(days) > 1:
            gap = max(7, median([(b - a).days for a, b in zip(days, days[1:], strict=False)]))
            spans.append(((days[-1] - days[0]).days + gap) / 365)
    lifespan = min(10, max(1, sum(spans) / len(spans)))
    today = date(2026, 11, 23)
    assert len(orders) > 60
    for cid, (segment, clv) in stored.items():
        if cid not in orders:
            assert (segment, clv) == (None, 0)
            continue
        r = plain_score(last[cid], list(last.values()))
        f = plain_score(freq[cid], list(freq.values()))
        m = plain_score(money[cid], list(money.values()))
        assert segment == GROUPS[(r >= 4, f >= 4, m >= 4)], cid
        first = min(d for d, _ in orders[cid])
        years = max(365, (today - first).days) / 365
        assert clv == round(money[cid] / years * lifespan), cid


def test_the_demo_has_regular_drifting_and_lost_customers(demo: Path) -> None:
    from tests.conftest import NOW

    book = Book.open(demo, Clock(fixed=NOW, zone=NOW.tzinfo))  # type: ignore[arg-type]
    try:
        rows, total = insight.at_risk(demo, limit=50)
        assert total >= 5
        values = [r.value_at_risk for r in rows]
        assert values == sorted(values, reverse=True)  # by value at risk, not by recency
        groups = {r.segment for r in insight.segments(book)}
        assert {"important-value", "important-retain", "general-develop"} <= groups
        found = [insight.why(book, r.customer_id) for r in rows[:10]]
        reasons = {t.name for f in found if f for t in f.terms}
        assert "order_overdue" in reasons
        # Each stored risk is the combination of the reasons `why` shows.
        for r, f in zip(rows, found, strict=False):
            assert f is not None and f.risk == r.risk
            if "order_overdue" in {t.name for t in f.terms}:
                term = next(t for t in f.terms if t.name == "order_overdue")
                assert term.value == plain_overdue(demo, r.customer_id), r.name
    finally:
        book.close()


def plain_overdue(path: Path, customer_id: str) -> float:
    """The order-overdue value from the customer's rows: days since the last order (or
    payment) over the median gap between buying days (the book's with one order)."""
    conn = sqlite3.connect(path)
    days = sorted(
        {
            date.fromisoformat(d)
            for (d,) in conn.execute(
                "SELECT closed_on FROM opportunity WHERE customer_id = ? AND deleted = 0 "
                "AND stage = 'won' AND closed_on IS NOT NULL",
                (customer_id,),
            )
        }
    )
    (paid,) = conn.execute(
        "SELECT max(p.received_on) FROM payment p JOIN contract k ON k.id = p.contract_id "
        "JOIN opportunity o ON o.id = k.opportunity_id WHERE o.customer_id = ? "
        "AND p.deleted = 0",
        (customer_id,),
    ).fetchone()
    basis = conn.execute("SELECT value FROM sync_state WHERE key = 'insight.basis'").fetchone()
    conn.close()
    last = max([days[-1]] + ([date.fromisoformat(paid)] if paid else []))
    if len(days) > 1:
        interval = max(7, median([(b - a).days for a, b in zip(days, days[1:], strict=False)]))
    else:
        import json

        interval = json.loads(basis[0])["interval"]
    since = (date(2026, 11, 23) - last).days
    return round(min(1.0, max(0.0, (since / interval - 1) / 2)), 3)
