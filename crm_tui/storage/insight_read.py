"""Provides what customer insight reads of the book, with plain sqlite3: per customer the
won deals, the last payment, the last contact, lost deals, satisfaction scores and service
orders (when that module's table exists), and the book's own figures (RFM cut points, the
usual interval between orders, the expected lifespan). storage/insight_store.py turns them
into the stored figures; the pure rules are domain/insight.py and domain/churn.py.
"""

from __future__ import annotations

import json
import sqlite3
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import TYPE_CHECKING

from crm_tui.domain import churn
from crm_tui.domain.insight import (
    Cuts,
    Order,
    book_cuts,
    book_interval,
    expected_lifespan_years,
    usual_interval,
)

if TYPE_CHECKING:
    from crm_tui.domain.dates import Clock

CLOSED_SERVICE = ("done", "closed", "rejected", "cancelled")
NEVER_DONE = ("rejected", "cancelled")  # a repair called off is no repeat repair


@dataclass(frozen=True)
class BookFigures:
    """What every customer's figures are measured against: the day, the RFM cut points,
    the book's usual interval between orders and a customer's expected lifespan."""

    day: str
    cuts: Cuts
    interval: float
    lifespan: float

    def to_json(self) -> str:
        return json.dumps(
            {
                "day": self.day,
                "cuts": self.cuts.to_json(),
                "interval": self.interval,
                "lifespan": self.lifespan,
            }
        )

    @classmethod
    def from_json(cls, text: str) -> BookFigures:
        d = json.loads(text)
        return cls(d["day"], Cuts.from_json(d["cuts"]), d["interval"], d["lifespan"])


@dataclass
class Raw:
    """One customer's inputs, gathered for a chunk of customers at once."""

    grade: str | None = None
    since: date | None = None
    orders: list[Order] = field(default_factory=list)
    last_payment: date | None = None
    last_contact: date | None = None
    lost: list[churn.LostDeal] = field(default_factory=list)
    scores: list[tuple[str, int]] = field(default_factory=list)  # (day, score)
    open_complaints: int = 0
    recent_repairs: int = 0

    def last_order(self) -> date | None:
        days = [o.day for o in self.orders]
        if self.last_payment:
            days.append(self.last_payment)
        return max(days) if days else None


def has_table(conn: sqlite3.Connection, name: str) -> bool:
    found = conn.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)
    ).fetchone()
    return found is not None


def _local_day(stored: str | None, clock: Clock) -> date | None:
    if not stored:
        return None
    moment = datetime.fromisoformat(stored)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(clock.zone).date()


def _day(stored: str | None) -> date | None:
    return date.fromisoformat(stored[:10]) if stored else None


_IDS = "(SELECT value FROM json_each(?))"


def gather(conn: sqlite3.Connection, ids: list[str], clock: Clock) -> dict[str, Raw]:
    """The inputs of these (live) customers; a deleted or unknown id is left out."""
    batch = json.dumps(ids)
    out: dict[str, Raw] = {}
    for cid, grade, created in conn.execute(
        f"SELECT id, grade, created_at FROM customer WHERE id IN {_IDS} AND deleted = 0", (batch,)
    ):
        out[cid] = Raw(grade=grade, since=_local_day(created, clock))
    for cid, stage, closed, amount, rival, reason in conn.execute(
        "SELECT o.customer_id, o.stage, o.closed_on, o.amount, c.name, o.lost_reason "
        "FROM opportunity o LEFT JOIN competitor c ON c.id = o.competitor_id "
        f"WHERE o.customer_id IN {_IDS} AND o.deleted = 0 AND o.stage IN ('won', 'lost') "
        "AND o.closed_on IS NOT NULL",
        (batch,),
    ):
        raw = out.get(cid)
        if raw is None:
            continue
        if stage == "won":
            raw.orders.append(Order(date.fromisoformat(closed), amount or 0))
        else:
            raw.lost.append(churn.LostDeal(date.fromisoformat(closed), rival, reason))
    for cid, last in conn.execute(
        "SELECT o.customer_id, max(p.received_on) FROM payment p "
        "JOIN contract k ON k.id = p.contract_id JOIN opportunity o ON o.id = k.opportunity_id "
        f"WHERE o.customer_id IN {_IDS} AND p.deleted = 0 GROUP BY o.customer_id",
        (batch,),
    ):
        if cid in out:
            out[cid].last_payment = _day(last)
    for cid, last in conn.execute(
        f"SELECT customer_id, max(done_at) FROM activity WHERE customer_id IN {_IDS} "
        "AND deleted = 0 AND done_at IS NOT NULL GROUP BY customer_id",
        (batch,),
    ):
        if cid in out:
            out[cid].last_contact = _local_day(last, clock)
    scores = (
        f"SELECT customer_id, taken_on, score, id FROM survey WHERE customer_id IN {_IDS} "
        "AND deleted = 0"
    )
    service = has_table(conn, "service")
    if service:
        scores += (
            " UNION ALL SELECT customer_id, substr(finished_at, 1, 10), rating, id FROM service "
            f"WHERE customer_id IN {_IDS} AND deleted = 0 AND rating IS NOT NULL "
            "AND finished_at IS NOT NULL AND id NOT IN (SELECT service_id FROM survey "
            "WHERE deleted = 0 AND service_id IS NOT NULL)"
        )
    for cid, day, score, _ in conn.execute(
        f"SELECT * FROM ({scores}) ORDER BY customer_id, 2, 4",
        (batch, batch) if service else (batch,),
    ):
        if cid in out and day:
            out[cid].scores.append((day, score))
    if service:
        since = (clock.today() - timedelta(days=churn.REPAIR_WINDOW_DAYS)).isoformat()
        closed = ", ".join(f"'{s}'" for s in CLOSED_SERVICE)
        off = ", ".join(f"'{s}'" for s in NEVER_DONE)
        for cid, complaints, repairs in conn.execute(
            "SELECT customer_id, "
            f"sum(kind = 'complaint' AND status NOT IN ({closed})), "
            f"sum(kind = 'repair' AND created_at >= ? AND status NOT IN ({off})) "
            f"FROM service WHERE customer_id IN {_IDS} AND deleted = 0 GROUP BY customer_id",
            (since, batch),
        ):
            if cid in out:
                out[cid].open_complaints = complaints or 0
                out[cid].recent_repairs = repairs or 0
    return out


def book_figures(conn: sqlite3.Connection, clock: Clock) -> BookFigures:
    """The book's cut points, usual interval and lifespan, from every live won deal."""
    days: dict[str, list[date]] = defaultdict(list)
    money: dict[str, int] = defaultdict(int)
    for cid, closed, amount in conn.execute(
        "SELECT o.customer_id, o.closed_on, o.amount FROM opportunity o "
        "JOIN customer c ON c.id = o.customer_id AND c.deleted = 0 "
        "WHERE o.deleted = 0 AND o.stage = 'won' AND o.closed_on IS NOT NULL"
    ):
        days[cid].append(date.fromisoformat(closed))
        money[cid] += amount or 0
    paid = dict(
        conn.execute(
            "SELECT o.customer_id, max(p.received_on) FROM payment p "
            "JOIN contract k ON k.id = p.contract_id "
            "JOIN opportunity o ON o.id = k.opportunity_id "
            "WHERE p.deleted = 0 GROUP BY o.customer_id"
        ).fetchall()
    )
    raw = []
    for cid, order_days in days.items():
        last = max(order_days)
        payment = _day(paid.get(cid))
        if payment and payment > last:
            last = payment
        raw.append((last, len(order_days), money[cid]))
    histories = list(days.values())
    return BookFigures(
        clock.today().isoformat(),
        book_cuts(raw),
        book_interval(usual_interval(h) for h in histories),
        expected_lifespan_years(histories),
    )


def all_ids(conn: sqlite3.Connection) -> Iterable[str]:
    return [r[0] for r in conn.execute("SELECT id FROM customer WHERE deleted = 0 ORDER BY rowid")]
