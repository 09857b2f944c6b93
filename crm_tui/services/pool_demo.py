"""Provides demo data for issue 18: the team's pool rules (30 days, A customers 45 and a
cap of 300), some customers in the pool released by teammates (the Pool screen and
`crm pool` show them), this month's team targets (the desk's "This month" panel shows the
figures against them), and check-ins on some of the visits done this week (`crm visits`).
Called by the demo (services/demo.py) after the customers and follow-ups are written.
"""

from __future__ import annotations

import random
import uuid
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from crm_tui.domain.fields import to_wire
from crm_tui.domain.models import Activity, Customer

if TYPE_CHECKING:
    from crm_tui.services.book import Book

_NS = uuid.UUID("5b0f0a52-3c1e-4b8e-9a55-18a2c1e0d118")
TEAMMATES = ("王芳", "李强", "陈静")
REASONS = ("没有预算", "联系不上", "已选竞争对手", "需求暂停")


def _member(book: Book, name: str) -> str:
    users = book.db.repos.users
    found = users.member_id(name)
    if found:
        return found
    row_id = str(uuid.uuid5(_NS, name))
    with book.db.transaction() as s:
        users.apply_remote(s, row_id, {"fields": {"name": name, "role": "rep"}}, version=0)
    return row_id


def _release(book: Book, cust: Customer, owner: str, days_ago: int) -> None:
    """A customer a teammate released, as the server's pull would bring it (no owner)."""
    fields = {
        name: to_wire(getattr(cust, name))
        for name in book.db.repos.customers.spec.field_names
        if hasattr(cust, name)
    }
    fields |= {
        "pool_since": to_wire(book.clock.now() - timedelta(days=days_ago)),
        "previous_owner_id": owner,
    }
    with book.db.transaction() as s:
        book.db.repos.customers.apply_remote(
            s, cust.id, {"fields": fields, "owner_id": None}, version=0
        )


def add_pool(book: Book, *, seed: int = 18, pooled: int = 40, checkins: int = 12) -> dict[str, int]:
    """Write the demo's pool, rules, targets and check-ins; returns counts."""
    rng = random.Random(seed)
    db = book.db
    rules = db.repos.pool.rules
    rules.create(
        {"grade": "*", "followup_days": 30, "warn_days": 7, "cap": 300, "reclaim_days": 15}
    )
    rules.create({"grade": "A", "followup_days": 45, "deal_days": 90, "warn_days": 10})
    mates = [_member(book, name) for name in TEAMMATES]
    chosen = db.repos.customers.page(
        where=[Customer.grade != "A"], order_by=[Customer.id], offset=7, limit=pooled
    )
    for n, cust in enumerate(chosen):
        _release(book, cust, mates[n % len(mates)], rng.randint(1, 75))
    today = book.clock.today()
    db.repos.pool.targets.create(
        {
            "month": f"{today:%Y-%m}",
            "won": 300_000_000,
            "new_customers": 40,
            "visits": 60,
            "payments": 200_000_000,
        }
    )
    visits = db.repos.activities.page(
        where=[Activity.kind == "visit", Activity.done_at.is_not(None)],  # type: ignore[union-attr]
        order_by=[Activity.done_at.desc()],  # type: ignore[union-attr]
        limit=checkins,
    )
    made = 0
    for act in visits:
        came = act.done_at - timedelta(minutes=rng.randint(20, 90))
        values: dict[str, Any] = {
            "activity_id": act.id,
            "customer_id": act.customer_id,
            "checked_in_at": came,
            "checked_out_at": act.done_at,
            "place": "客户现场",
            "flagged": rng.random() < 0.15,
        }
        db.repos.pool.checkins.create(values)
        made += 1
    return {"pooled": len(chosen), "checkins": made}
