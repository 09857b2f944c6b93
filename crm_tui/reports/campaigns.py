"""Provides the campaign report (return on spend, issue 16): per campaign starting in the
period — invited, registered, attended, attendance rate, new leads, deals created after it
for the customers of members who came (within 90 days of its end) or that name it as their
source, won amount, cost (the claims linked to it), cost per attendee and per lead, and
return on cost.

Figures are SQL on a plain sqlite3 connection, in the campaign's currency (claims and deals
in another currency are left out, as the other reports do). A claim counts as cost unless
it was rejected. Campaigns are team-wide; deals and claims are what this laptop may see.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from crm_tui.reports.model import Chart, Money, Pct, Report, Section
from crm_tui.reports.period import Period

TITLE = "Campaigns"
DEAL_WINDOW_DAYS = 90

_CAMPAIGNS_SQL = """
SELECT c.id, c.name, c.starts_on, COALESCE(c.ends_on, c.starts_on), c.currency, c.budget,
    (SELECT COUNT(*) FROM campaign_member m WHERE m.campaign_id = c.id AND m.deleted = 0),
    (SELECT COUNT(*) FROM campaign_member m WHERE m.campaign_id = c.id AND m.deleted = 0
        AND m.status IN ('registered', 'attended', 'no_show')),
    (SELECT COUNT(*) FROM campaign_member m WHERE m.campaign_id = c.id AND m.deleted = 0
        AND m.status = 'attended'),
    (SELECT COUNT(DISTINCT m.customer_id) FROM campaign_member m WHERE m.campaign_id = c.id
        AND m.deleted = 0 AND m.source = 'walk_in' AND m.customer_id IS NOT NULL),
    (SELECT COALESCE(SUM(e.amount), 0) FROM expense e WHERE e.campaign_id = c.id
        AND e.deleted = 0 AND e.status != 'rejected' AND e.currency = c.currency)
FROM campaign c
WHERE c.deleted = 0 AND c.starts_on >= :start AND c.starts_on < :end
ORDER BY c.starts_on, c.id
"""

# Deals that name the campaign, or were created for the customer of someone who came (an
# invitee who stayed away is not its doing) from its first day
# to DEAL_WINDOW_DAYS after its last (created_at is stored UTC: 'YYYY-MM-DD HH:MM:SS…').
_DEALS_SQL = """
SELECT o.stage, o.amount, o.currency FROM opportunity o
WHERE o.deleted = 0 AND (
    o.campaign_id = :cid
    OR (o.customer_id IN (SELECT m.customer_id FROM campaign_member m
                          WHERE m.campaign_id = :cid AND m.deleted = 0
                          AND m.status = 'attended' AND m.customer_id IS NOT NULL)
        AND substr(o.created_at, 1, 10) >= :first AND substr(o.created_at, 1, 10) <= :last))
"""


@dataclass
class CampaignFigures:
    id: str
    name: str
    starts_on: str
    currency: str
    budget: int = 0
    invited: int = 0  # everyone on the list
    registered: int = 0  # registered, attended or no-show
    attended: int = 0
    leads: int = 0  # walk-ins who became new customers
    deals: int = 0
    won: int = 0  # won amount, minor units
    cost: int = 0  # linked claims not rejected, minor units

    @property
    def attendance(self) -> float | None:
        return 100.0 * self.attended / self.registered if self.registered else None

    @property
    def per_attendee(self) -> int | None:
        return round(self.cost / self.attended) if self.attended and self.cost else None

    @property
    def per_lead(self) -> int | None:
        return round(self.cost / self.leads) if self.leads and self.cost else None

    @property
    def return_on_cost(self) -> float | None:
        """(won - cost) / cost, in percent."""
        return 100.0 * (self.won - self.cost) / self.cost if self.cost else None


def figures(conn: sqlite3.Connection, period: Period) -> list[CampaignFigures]:
    """One row per live campaign starting in `period`."""
    out: list[CampaignFigures] = []
    span = {"start": period.start.isoformat(), "end": period.end.isoformat()}
    for row in conn.execute(_CAMPAIGNS_SQL, span).fetchall():
        cid, name, starts, ends, currency, budget, *counts, leads, cost = row
        fig = CampaignFigures(cid, name, starts, currency, budget, *counts, leads, 0, 0, cost)
        last = date.fromisoformat(ends) + timedelta(days=DEAL_WINDOW_DAYS)
        params = {"cid": cid, "first": starts, "last": last.isoformat()}
        for stage, amount, deal_currency in conn.execute(_DEALS_SQL, params):
            fig.deals += 1
            if stage == "won" and deal_currency == currency:
                fig.won += amount or 0
        out.append(fig)
    return out


class CampaignReport(Report):
    """A Report whose title is its own (the built-in reports' titles are a table)."""

    @property
    def title(self) -> str:
        return TITLE


def _money(value: int | None) -> Money | None:
    return Money(value) if value is not None else None


def build(
    conn: sqlite3.Connection,
    period: Period,
    *,
    currency: str,
    generated_at: datetime,
    scope: str = "team",
) -> CampaignReport:
    """The report; `scope` only labels it (campaigns are the team's; deals and claims are
    what this laptop may see)."""
    rows = figures(conn, period)
    funnel = Section(
        "funnel",
        "Registrations and attendance",
        ["campaign", "start", "invited", "registered", "attended", "attendance", "new leads"],
        [
            [
                f.name,
                f.starts_on[5:],
                f.invited,
                f.registered,
                f.attended,
                Pct(f.attendance),
                f.leads,
            ]
            for f in rows
        ],
        chart=Chart("bar", 0, 4) if rows else None,
        note=None if rows else "no campaign starts in this period",
        row_ids=[f.id for f in rows],
    )
    spend = Section(
        "spend",
        "Spend",
        ["campaign", "budget", "cost", "cost / attendee", "cost / lead"],
        [
            [f.name, Money(f.budget), Money(f.cost), _money(f.per_attendee), _money(f.per_lead)]
            for f in rows
        ],
        chart=Chart("bar", 0, 2) if rows else None,
        note="cost: the claims linked to the campaign, not rejected",
        row_ids=[f.id for f in rows],
    )
    ret = Section(
        "return",
        "Return on spend",
        ["campaign", "deals", "won", "return on cost"],
        [[f.name, f.deals, Money(f.won), Pct(f.return_on_cost, signed=True)] for f in rows],
        chart=Chart("bar", 0, 2) if rows else None,
        note=(
            f"deals naming the campaign, or created for the customer of someone who came, "
            f"from its first day to {DEAL_WINDOW_DAYS} days after its last; "
            f"return = (won - cost) / cost"
        ),
        row_ids=[f.id for f in rows],
    )
    return CampaignReport(
        name="campaigns",
        period=period,
        scope=scope,
        currency=currency,
        generated_at=generated_at,
        sections=[funnel, spend, ret],
    )
