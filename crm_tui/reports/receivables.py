"""Provides the receivables report (应收账款, issue 19): collected this period vs planned,
what waits for a manager's confirmation, aging buckets (0-30, 31-60, 61-90, 90+ days
overdue) by customer and by rep, and DSO.

Figures are SQL on a plain sqlite3 connection. Only confirmed payments count as collected;
they pay a contract's instalments earliest-due first (FIFO, as receivables are aged), so
an instalment's outstanding part is what the confirmed total leaves of it.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import date, timedelta

from crm_tui.domain.sales_docs import AGING_BUCKETS, dso
from crm_tui.reports.model import Chart, Days, Money, Pct, Report, Section
from crm_tui.reports.period import Period

TITLE = "Receivables"
DSO_DAYS = 90  # DSO's period: the 90 days up to the as-of date (a rolling quarter)

# One row per live instalment of a live, non-cancelled contract, with its outstanding part.
_OPEN_SQL = """
WITH paid AS (
    SELECT contract_id, SUM(amount) AS total FROM payment
    WHERE deleted = 0 AND status = 'confirmed' AND received_on <= :as_of AND currency = :cur
    GROUP BY contract_id
), plan AS (
    SELECT p.id, p.contract_id, p.due_on, p.amount,
           SUM(p.amount) OVER (PARTITION BY p.contract_id ORDER BY p.due_on, p.id) AS upto
    FROM payment_plan p JOIN contract c ON c.id = p.contract_id
    WHERE p.deleted = 0 AND c.deleted = 0 AND c.status != 'cancelled' AND p.currency = :cur
)
SELECT plan.id, plan.contract_id, plan.due_on,
       plan.amount - MAX(0, MIN(plan.amount, COALESCE(paid.total, 0) - (plan.upto - plan.amount)))
           AS outstanding,
       COALESCE(cu.name, '(no customer)') AS customer,
       COALESCE(u.name, c.owner_id, '(nobody)') AS rep
FROM plan
JOIN contract c ON c.id = plan.contract_id
LEFT JOIN paid ON paid.contract_id = plan.contract_id
LEFT JOIN opportunity o ON o.id = c.opportunity_id
LEFT JOIN customer cu ON cu.id = o.customer_id
LEFT JOIN user u ON u.id = c.owner_id
WHERE {scope}
"""


@dataclass
class Figures:
    planned: int = 0  # instalments due in the period
    collected: int = 0  # confirmed payments received in the period
    unconfirmed: int = 0  # payments entered in the period, not yet confirmed
    overdue: int = 0  # outstanding and past due at the as-of date
    receivable: int = 0  # outstanding, due or not
    signed: int = 0  # contracts signed in the DSO window (the credit sales)
    unpaid: int = 0  # what contracts signed by the as-of date still await (confirmed basis)
    by_customer: dict[str, dict[str, int]] = field(default_factory=dict)
    by_rep: dict[str, dict[str, int]] = field(default_factory=dict)


class ReceivablesReport(Report):
    """A Report whose title is its own (the four built-in reports' titles are a table)."""

    @property
    def title(self) -> str:
        return TITLE


def _scope(owner_id: str | None, team: bool, alias: str) -> tuple[str, dict[str, str | None]]:
    # Unowned records (a never-signed-in book writes them) are "mine", as in the other
    # reports; a never-signed-in book (owner_id None) sees exactly those.
    if team:
        return "1 = 1", {}
    return f"({alias}.owner_id IS :me OR {alias}.owner_id IS NULL)", {"me": owner_id}


def figures(
    conn: sqlite3.Connection,
    period: Period,
    *,
    as_of: date,
    currency: str,
    owner_id: str | None,
    team: bool,
) -> Figures:
    """The report's figures, in `currency`'s minor units."""
    out = Figures()
    where, params = _scope(owner_id, team, "c")
    base = {"cur": currency, "as_of": as_of.isoformat()} | params
    span = {"start": period.start.isoformat(), "end": period.end.isoformat()}
    out.planned = conn.execute(
        "SELECT COALESCE(SUM(p.amount), 0) FROM payment_plan p JOIN contract c "
        "ON c.id = p.contract_id WHERE p.deleted = 0 AND c.deleted = 0 "
        "AND c.status != 'cancelled' AND p.currency = :cur AND p.due_on >= :start "
        f"AND p.due_on < :end AND {where}",
        base | span,
    ).fetchone()[0]
    pay_sql = (
        "SELECT COALESCE(SUM(y.amount), 0) FROM payment y JOIN contract c "
        "ON c.id = y.contract_id WHERE y.deleted = 0 AND c.deleted = 0 AND y.currency = :cur "
        f"AND y.received_on >= :start AND y.received_on < :end AND y.status = :st AND {where}"
    )
    out.collected = conn.execute(pay_sql, base | span | {"st": "confirmed"}).fetchone()[0]
    out.unconfirmed = conn.execute(pay_sql, base | span | {"st": "entered"}).fetchone()[0]
    window = {
        "from": (as_of - timedelta(days=DSO_DAYS - 1)).isoformat(),
        "to": as_of.isoformat(),
    }
    out.signed = conn.execute(
        "SELECT COALESCE(SUM(c.amount), 0) FROM contract c WHERE c.deleted = 0 "
        "AND c.status != 'cancelled' AND c.currency = :cur AND c.signed_on >= :from "
        f"AND c.signed_on <= :to AND {where}",
        base | window,
    ).fetchone()[0]
    # DSO's receivable on the same basis as its sales (signed contracts, whenever signed),
    # so both sides count one set: a contract's amount less its confirmed payments.
    out.unpaid = conn.execute(
        "SELECT COALESCE(SUM(MAX(0, c.amount - COALESCE((SELECT SUM(y.amount) FROM payment y "
        "WHERE y.contract_id = c.id AND y.deleted = 0 AND y.status = 'confirmed' "
        "AND y.received_on <= :to), 0))), 0) FROM contract c WHERE c.deleted = 0 "
        "AND c.status != 'cancelled' AND c.currency = :cur AND c.signed_on <= :to "
        f"AND {where}",
        base | window,
    ).fetchone()[0]
    for _id, _cid, due_on, outstanding, customer, rep in conn.execute(
        _OPEN_SQL.format(scope=where), base
    ):
        if outstanding <= 0:
            continue
        out.receivable += outstanding
        days = (as_of - date.fromisoformat(due_on)).days
        if days <= 0:
            continue
        out.overdue += outstanding
        bucket = next(
            name
            for name, low, high in AGING_BUCKETS
            if days >= max(low, 1) and (high is None or days <= high)
        )
        for table, key in ((out.by_customer, customer), (out.by_rep, rep)):
            row = table.setdefault(key, dict.fromkeys([b[0] for b in AGING_BUCKETS], 0))
            row[bucket] += outstanding
    return out


def _aging(key: str, title: str, column: str, table: dict[str, dict[str, int]]) -> Section:
    names = [b[0] for b in AGING_BUCKETS]
    ordered = sorted(table.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))
    rows: list[list] = [
        [who, *(Money(buckets[n]) for n in names), Money(sum(buckets.values()))]
        for who, buckets in ordered
    ]
    if rows:
        rows.append(
            [
                "total",
                *(Money(sum(b[n] for b in table.values())) for n in names),
                Money(sum(sum(b.values()) for b in table.values())),
            ]
        )
    return Section(
        key,
        title,
        [column, *(f"{n} days" for n in names), "overdue"],
        rows,
        chart=Chart("bar", 0, len(names) + 1) if rows else None,
        note=None if rows else "nothing overdue",
    )


def build(
    conn: sqlite3.Connection,
    period: Period,
    *,
    as_of: date,
    currency: str,
    owner_id: str | None,
    team: bool,
    generated_at: object,
) -> ReceivablesReport:
    f = figures(conn, period, as_of=as_of, currency=currency, owner_id=owner_id, team=team)
    days = dso(f.unpaid, f.signed, DSO_DAYS)
    summary = Section(
        "collection",
        "Collected vs planned",
        ["figure", "value"],
        [
            ["planned (instalments due)", Money(f.planned)],
            ["collected (confirmed)", Money(f.collected)],
            ["collected / planned", Pct(100.0 * f.collected / f.planned if f.planned else None)],
            ["entered, not yet confirmed", Money(f.unconfirmed)],
            ["receivable: open instalments", Money(f.receivable)],
            ["of which overdue", Money(f.overdue)],
            ["unpaid on signed contracts", Money(f.unpaid)],
            [f"signed in the last {DSO_DAYS} days", Money(f.signed)],
            [f"DSO = unpaid ÷ signed × {DSO_DAYS}", Days(days)],
        ],
        note=(
            f"as of {as_of.isoformat()}; DSO: what signed contracts still await ÷ the amount "
            f"signed in the last {DSO_DAYS} days × {DSO_DAYS}"
        ),
    )
    return ReceivablesReport(
        name="receivables",
        period=period,
        scope="team" if team else "mine",
        currency=currency,
        generated_at=generated_at,  # type: ignore[arg-type]
        sections=[
            summary,
            _aging("by_customer", "Overdue by customer", "customer", f.by_customer),
            _aging("by_rep", "Overdue by rep", "rep", f.by_rep),
        ],
    )


@dataclass(frozen=True)
class DueRow:
    """An open instalment for the desk's "Payments due / overdue" panel."""

    plan_id: str
    contract_id: str
    contract_number: str
    customer: str
    label: str
    due_on: date
    outstanding: int
    currency: str
    days_overdue: int


def due_rows(
    conn: sqlite3.Connection, today: date, *, within_days: int = 7, limit: int = 8
) -> list[DueRow]:
    """Open instalments overdue or due within `within_days`, earliest first (the partial
    index ix_payment_plan_open_due of migration 0070 serves it)."""
    until = (today + timedelta(days=within_days + 1)).isoformat()
    rows = conn.execute(
        "SELECT p.id, p.contract_id, COALESCE(c.number, ''), COALESCE(cu.name, ''), "
        "COALESCE(p.label, CAST(p.instalment AS TEXT)), p.due_on, p.amount - p.paid, p.currency "
        "FROM payment_plan p JOIN contract c ON c.id = p.contract_id AND c.deleted = 0 "
        "LEFT JOIN opportunity o ON o.id = c.opportunity_id "
        "LEFT JOIN customer cu ON cu.id = o.customer_id "
        "WHERE p.deleted = 0 AND p.settled_on IS NULL AND p.due_on < ? "
        "AND c.status != 'cancelled' ORDER BY p.due_on, p.id LIMIT ?",
        (until, limit),
    ).fetchall()
    out = []
    for plan_id, cid, number, customer, label, due, outstanding, currency in rows:
        due_on = date.fromisoformat(due[:10])
        out.append(
            DueRow(
                plan_id,
                cid,
                number,
                customer,
                label,
                due_on,
                outstanding,
                currency,
                max(0, (today - due_on).days),
            )
        )
    return out
