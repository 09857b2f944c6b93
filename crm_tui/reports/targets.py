"""Provides monthly targets against what was done (issue 18): won amount, new customers,
visits and payments received per rep (or the team) in a month, each with its target, a
progress bar and the pace needed per remaining day. Plain sqlite3, read-only.
"""

from __future__ import annotations

import math
import re
import sqlite3
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from crm_tui.domain.dates import Clock, add_months

MONTH_RE = re.compile(r"^(\d{4})-(\d{2})$")
# target column -> label; money figures are in minor units of the book's currency
FIGURES: tuple[tuple[str, str, bool], ...] = (
    ("won", "Amount won", True),
    ("new_customers", "New customers", False),
    ("visits", "Visits", False),
    # Confirmed payments only, as the receivables report counts collected (issue 19 §6):
    # an entered payment may still be a typo a manager rejects.
    ("payments", "Payments collected", True),
)


def parse_month(text: str) -> date:
    """'2026-12' -> date(2026, 12, 1); anything else is a ValueError the rep reads."""
    m = MONTH_RE.match((text or "").strip())
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise ValueError(f"'{text}' is not a month (try 2026-12)")
    return date(int(m.group(1)), int(m.group(2)), 1)


@dataclass(frozen=True)
class Line:
    key: str
    label: str
    money: bool
    actual: int
    target: int | None
    days_left: int  # in the month, today included (0 once it is over)

    @property
    def share(self) -> float | None:
        if not self.target:
            return None
        return self.actual / self.target

    @property
    def pace(self) -> int | None:
        """What is needed per remaining day to reach the target (None: reached or over)."""
        if not self.target or self.actual >= self.target or self.days_left <= 0:
            return None
        return math.ceil((self.target - self.actual) / self.days_left)


def bar(share: float | None, width: int = 10) -> str:
    if share is None:
        return ""
    filled = min(width, round(share * width))
    return "█" * filled + "░" * (width - filled)


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def actuals(
    conn: sqlite3.Connection, clock: Clock, month: date, owner_id: str | None, currency: str
) -> dict[str, int]:
    """What `owner_id` (None: the whole team) did in `month`."""
    end = add_months(month, 1)
    lo, hi = (_stamp(clock.day_start_utc(d)) for d in (month, end))
    who, args = ("", ()) if owner_id is None else (" AND owner_id = ?", (owner_id,))
    won = conn.execute(
        "SELECT coalesce(sum(amount), 0) FROM opportunity WHERE stage = 'won' AND deleted = 0 "
        f"AND currency = ? AND closed_on >= ? AND closed_on < ?{who}",
        (currency, month.isoformat(), end.isoformat(), *args),
    ).fetchone()[0]
    new = conn.execute(
        "SELECT count(*) FROM customer WHERE deleted = 0 AND created_at >= ? "
        f"AND created_at < ?{who}",
        (lo, hi, *args),
    ).fetchone()[0]
    visits = conn.execute(
        "SELECT count(*) FROM activity WHERE kind = 'visit' AND deleted = 0 AND done_at >= ? "
        f"AND done_at < ?{who}",
        (lo, hi, *args),
    ).fetchone()[0]
    paid = conn.execute(
        "SELECT coalesce(sum(amount), 0) FROM payment WHERE deleted = 0 AND currency = ? "
        f"AND status = 'confirmed' AND received_on >= ? AND received_on < ?{who}",
        (currency, month.isoformat(), end.isoformat(), *args),
    ).fetchone()[0]
    return {"won": won, "new_customers": new, "visits": visits, "payments": paid}


def target_row(conn: sqlite3.Connection, month: date, user_id: str | None) -> dict[str, int | None]:
    who = "user_id IS NULL" if user_id is None else "user_id = ?"
    row = conn.execute(
        "SELECT won, new_customers, visits, payments FROM target WHERE deleted = 0 "
        f"AND month = ? AND {who} ORDER BY updated_at DESC LIMIT 1",
        (f"{month:%Y-%m}", *(() if user_id is None else (user_id,))),
    ).fetchone()
    keys = [k for k, _, _ in FIGURES]
    return dict(zip(keys, row, strict=True)) if row else dict.fromkeys(keys)


def lines(
    conn: sqlite3.Connection,
    clock: Clock,
    month: date,
    user_id: str | None,
    currency: str,
) -> list[Line]:
    """Each figure of `user_id` (None: the team) in `month` against its target."""
    today = clock.today()
    end = add_months(month, 1)
    if today < month:
        left = (end - month).days
    elif today >= end:
        left = 0
    else:
        left = (end - today).days
    done = actuals(conn, clock, month, user_id, currency)
    wanted = target_row(conn, month, user_id)
    return [
        Line(key, label, money, int(done[key] or 0), wanted.get(key), left)
        for key, label, money in FIGURES
    ]


def month_of(today: date) -> date:
    return today.replace(day=1)


def last_day(month: date) -> date:
    return add_months(month, 1) - timedelta(days=1)
