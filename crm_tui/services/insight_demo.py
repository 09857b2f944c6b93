"""Provides demo data for customer insight (issue 22): two years of won deals with believable
rhythms on some of the demo's customers — regular monthly and quarterly buyers, yearly
ones, drifting ones (a monthly buyer silent for months, a falling last order, a low score)
and lost ones (a deal lost to a competitor, nothing bought since) — and satisfaction
scores, mostly content, so the desk's "Valuable customers at risk" and the segments and
churn reports show something worth acting on. Called by the demo (services/demo.py).
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from crm_tui.services import insight
from crm_tui.services.demo_times import backdate

if TYPE_CHECKING:
    from crm_tui.services.book import Book

# rhythm -> (share of the chosen customers, days between orders, days since the last)
RHYTHMS: dict[str, tuple[float, tuple[int, int], tuple[int, int]]] = {
    "regular": (0.35, (25, 35), (0, 25)),
    "quarterly": (0.15, (80, 100), (10, 70)),
    "yearly": (0.1, (350, 380), (30, 300)),
    "drifting": (0.25, (25, 40), (80, 160)),
    "lost": (0.15, (30, 60), (240, 400)),
}
COMMENTS = {
    1: ("交货一拖再拖", "售后电话没人接", "Nobody came back to us"),
    2: ("价格比别家高", "安装质量一般", "Slow to answer"),
    3: ("还行", "OK, nothing special"),
    4: ("服务不错", "Good delivery", "满意"),
    5: ("非常满意", "Excellent support", "下次还找你们"),
}


def add_insight(book: Book, *, seed: int = 22, customers: int = 60) -> dict[str, int]:
    """Won and lost deals over two years and surveys on up to `customers` customers, in one
    transaction; then the stored figures are made. Returns counts."""
    rng = random.Random(seed)
    db = book.db
    today = book.clock.today()
    pool = db.repos.customers.page(limit=customers * 5)  # by name: spread the picks
    chosen = rng.sample(pool, min(customers, len(pool)))
    rivals = [c.id for c in db.repos.competitors.page(limit=20)]
    counts = {"won_orders": 0, "lost_deals": 0, "surveys": 0}
    kinds = list(RHYTHMS)
    weights = [RHYTHMS[k][0] for k in kinds]
    with db.transaction():
        for cust in chosen:
            rhythm = rng.choices(kinds, weights)[0]
            _, gap, since = RHYTHMS[rhythm]
            size = rng.choice((8_000, 20_000, 50_000, 120_000, 300_000)) * 100
            day = today - timedelta(days=rng.randint(*since))
            days = []
            while day > today - timedelta(days=730) and len(days) < 24:
                days.append(day)
                day -= timedelta(days=rng.randint(*gap))
            for n, when in enumerate(sorted(days)):
                amount = size * rng.uniform(0.7, 1.3)
                if rhythm == "drifting" and n == len(days) - 1:
                    amount *= 0.4  # the last order shrank
                _deal(db, cust.id, f"订单 {when:%Y-%m}", when, round(amount))
                counts["won_orders"] += 1
            if rhythm in ("lost", "drifting") and rng.random() < 0.7:
                lost_on = today - timedelta(days=rng.randint(5, 60))
                _deal(
                    db,
                    cust.id,
                    f"续约 {lost_on:%Y-%m}",
                    lost_on,
                    size,
                    lost=rng.choice(("price", "competitor", "no budget")),
                    competitor=rng.choice(rivals) if rivals else None,
                )
                counts["lost_deals"] += 1
            low = rhythm in ("drifting", "lost") and rng.random() < 0.5
            for k in range(rng.randint(0, 3)):
                score = rng.choice((1, 2, 3)) if low and k == 0 else rng.choice((3, 4, 4, 5, 5))
                taken = today - timedelta(days=rng.randint(1, 300))
                db.repos.surveys.create(
                    {
                        "customer_id": cust.id,
                        "score": str(score),
                        "comment": rng.choice(COMMENTS[score]),
                        "source": rng.choice(("call", "visit", "deal")),
                        "taken_on": taken.isoformat(),
                    }
                )
                counts["surveys"] += 1
    backdate(book)  # the stored figures read creation times: make them believable first
    insight.refresh(book, full=True)
    return counts


def _deal(
    db: Any,
    customer_id: str,
    title: str,
    day: date,
    amount: int,
    *,
    lost: str | None = None,
    competitor: str | None = None,
) -> None:
    values: dict[str, Any] = {
        "customer_id": customer_id,
        "title": title,
        "stage": "lost" if lost else "won",
        "amount": str(amount / 100),
        "closed_on": day.isoformat(),
        "probability": "0" if lost else "100",
    }
    if lost:
        values["lost_reason"] = lost
        if competitor:
            values["competitor_id"] = competitor
    db.repos.opportunities.create(values)
