"""Provides the four reports, built from storage/reports.py figures into report documents.

`build_report(name, source)` is the one entry point for the screen and the CLI. Figures are
computed in SQL; here they are only compared, ranked, graded and laid out.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from crm_tui.domain.dates import Clock, add_months
from crm_tui.domain.grading import abc_grades
from crm_tui.domain.rules import ActivityKind, CustomerStatus, Grade
from crm_tui.reports.model import (
    REPORT_NAMES,
    Chart,
    Days,
    Delta,
    Money,
    Pct,
    Report,
    Section,
)
from crm_tui.reports.period import Period
from crm_tui.storage.reports import ReportQueries, Scope, SummaryFigures, Window

NOT_SET = "(not set)"
OTHER = "other"


@dataclass
class ReportSource:
    """What a report is built from: the queries (scope and currency inside) and the period."""

    queries: ReportQueries
    period: Period
    clock: Clock
    scope: str = "mine"
    cold_days: int = 30
    top: int = 8

    @classmethod
    def open(
        cls,
        conn: sqlite3.Connection,
        *,
        period: Period,
        clock: Clock,
        currency: str,
        owner_id: str | None,
        team: bool = False,
        cold_days: int = 30,
    ) -> ReportSource:
        queries = ReportQueries(conn, scope=Scope(owner_id, team), currency=currency, clock=clock)
        return cls(queries, period, clock, "team" if team else "mine", cold_days)

    def window(self, period: Period | None = None) -> Window:
        p = period or self.period
        return Window.of(p.start, p.end, self.clock)


def pct(part: float, whole: float) -> Pct:
    return Pct(None if not whole else 100.0 * part / whole)


def change(now: int, before: int) -> Pct:
    return Pct(None if not before else 100.0 * (now - before) / before, signed=True)


def top_n(rows: list[tuple[str | None, int]], n: int) -> list[tuple[str, int]]:
    """The `n` biggest groups, then one 'other' row for the rest (if any)."""
    named = [(key or NOT_SET, count) for key, count in rows]
    head, tail = named[:n], named[n:]
    if tail:
        head.append((OTHER, sum(count for _, count in tail)))
    return head


# --- work summary ----------------------------------------------------------------------------
def summary_report(src: ReportSource) -> Report:
    prev = src.period.previous()
    now_w, before_w = src.window(), src.window(prev)
    title = f"{src.period.label} against {prev.label}"
    today = src.clock.today()
    if src.period.start <= today < src.period.end:
        # The period so far against the same days of the one before (as the desk does), not
        # a few days against a whole month; cut at its end (31 March: all February).
        days = (today - src.period.start).days + 1
        before_end = min(prev.start + timedelta(days=days), prev.end)
        now_w = Window.of(src.period.start, today + timedelta(days=1), src.clock)
        before_w = Window.of(prev.start, before_end, src.clock)
        # The columns keep the period labels (CSV exports key on them); the title says the cut.
        last = before_end - timedelta(days=1)
        title = (
            f"{src.period.label} to {today:%m-%d} against the same days of {prev.label}"
            f" (to {last:%m-%d})"
        )
    now_f = src.queries.summary(now_w)
    before_f = src.queries.summary(before_w)

    def line(label: str, get: Callable[[SummaryFigures], int], money: bool = False) -> list:
        a, b = get(now_f), get(before_f)
        if money:
            return [label, Money(a), Money(b), Money(a - b, signed=True), change(a, b)]
        return [label, a, b, Delta(a - b), change(a, b)]

    rows = [line("Follow-ups done", lambda f: f.followups_done)]
    for kind in ActivityKind:
        rows.append(line(f"  {kind.value}", lambda f, k=kind.value: f.followups_by_kind.get(k, 0)))
    rows += [
        line("Customers visited", lambda f: f.customers_visited),
        line("New customers", lambda f: f.new_customers),
        line("Deals won", lambda f: f.won_count),
        line("Amount won", lambda f: f.won_amount, money=True),
        line("Deals lost", lambda f: f.lost_count),
        line("Amount lost", lambda f: f.lost_amount, money=True),
        line("Claims", lambda f: f.claims_count),
        line("Amount claimed", lambda f: f.claimed_amount, money=True),
    ]
    kinds = [[kind.value, now_f.followups_by_kind.get(kind.value, 0)] for kind in ActivityKind]
    return Report(
        "summary",
        src.period,
        src.scope,
        src.queries.currency,
        src.clock.now(),
        [
            Section(
                "summary",
                title,
                ["Figure", src.period.label, prev.label, "Change", "Change %"],
                rows,
                note="Claims are submitted, approved or reimbursed, by the day spent.",
            ),
            Section("by_kind", "Follow-ups done by kind", ["Kind", "Done"], kinds, Chart("bar")),
        ],
    )


# --- customers -------------------------------------------------------------------------------
def _grouped(title: str, key: str, column: str, rows: list[tuple[str, int]]) -> Section:
    total = sum(n for _, n in rows)
    return Section(
        key,
        title,
        [column, "Customers", "Share"],
        [[label, n, pct(n, total)] for label, n in rows],
        Chart("bar"),
    )


def customers_report(src: ReportSource) -> Report:
    q = src.queries
    counts = q.customer_counts()
    by_status = dict(counts["status"])
    status_rows = [(s.value, by_status.get(s.value, 0)) for s in CustomerStatus]
    total = sum(by_status.values())
    first = add_months(src.period.end, -12)
    per_month = q.new_customers_by_month(first, 12)

    won = q.won_by_customer()  # biggest first
    suggested = abc_grades((r.customer_id, r.won_amount) for r in won)
    value_total = sum(r.won_amount for r in won)
    members = dict.fromkeys(Grade, 0)
    amounts = dict.fromkeys(Grade, 0)
    differ = 0  # graded by hand otherwise than suggested
    for r in won:
        grade = suggested[r.customer_id]
        members[grade] += 1
        amounts[grade] += r.won_amount
        differ += bool(r.manual) and r.manual != grade.value
    manual = dict(counts["grade"])
    # Customers with nothing won are suggested C: those graded A or B by hand differ too.
    members[Grade.C] += total - len(won)
    differ += manual.get("A", 0) + manual.get("B", 0)
    differ -= sum(1 for r in won if r.manual in ("A", "B"))
    grade_rows = [
        [
            g.value,
            members[g],
            Money(amounts[g]),
            pct(amounts[g], value_total),
            manual.get(g.value, 0),
        ]
        for g in Grade
    ]
    leaders = won[: src.top]

    cold_count, cold = q.cold_customers(src.cold_days)
    today = src.clock.today()
    return Report(
        "customers",
        src.period,
        src.scope,
        q.currency,
        src.clock.now(),
        [
            Section(
                "by_status",
                "Customers by status",
                ["Status", "Customers", "Share"],
                [[s, n, pct(n, total)] for s, n in status_rows],
                Chart("bar"),
                note=f"{total:,} customers in all.",
            ),
            _grouped("By city", "by_city", "City", top_n(counts["city"], src.top)),
            _grouped("By industry", "by_industry", "Industry", top_n(counts["industry"], src.top)),
            Section(
                "new_per_month",
                "New customers per month",
                ["Month", "New"],
                [[m, n] for m, n in per_month.items()],
                Chart("spark"),
            ),
            Section(
                "grades",
                "ABC grading by won amount",
                ["Grade", "Suggested", "Won amount", "Share of value", "Graded by hand"],
                grade_rows,
                note=(
                    f"A = top 70% of won value, B = next 20%, C = the rest. Graded "
                    f"otherwise by hand: {differ:,}."
                ),
            ),
            Section(
                "top_won",
                "Top customers by won amount",
                ["Customer", "Won amount", "Grade", "Suggested"],
                [
                    [r.name, Money(r.won_amount), r.manual or "–", suggested[r.customer_id].value]
                    for r in leaders
                ],
                Chart("bar"),
                row_ids=[r.customer_id for r in leaders],
            ),
            Section(
                "cold",
                f"Going cold: no follow-up done in {src.cold_days} days",
                ["Customer", "City", "Status", "Last follow-up", "Days"],
                [
                    [
                        c.name,
                        c.city or "",
                        c.status,
                        c.last_done.isoformat(),
                        (today - c.last_done).days,
                    ]
                    for c in cold
                ],
                note=f"Going cold: {cold_count:,}; the {len(cold)} most recent shown.",
                row_ids=[c.customer_id for c in cold],
            ),
        ],
    )


# --- opportunities ---------------------------------------------------------------------------
def opportunities_report(src: ReportSource) -> Report:
    q = src.queries
    w = src.window()
    pipeline = q.open_pipeline()
    closed = q.closed_in(w)
    funnel = [[s.stage, s.count, Money(s.amount), Money(s.weighted)] for s in pipeline]
    for stage in ("won", "lost"):
        n, amount = closed[stage]
        funnel.append([stage, n, Money(amount), Money(amount if stage == "won" else 0)])
    (won_n, won_amt), (lost_n, _) = closed["won"], closed["lost"]
    cycle_n, cycle_avg = q.sales_cycle(w)
    open_n = sum(s.count for s in pipeline)
    figures = [
        ["Win rate", pct(won_n, won_n + lost_n)],
        ["Deals won", won_n],
        ["Deals lost", lost_n],
        ["Amount won", Money(won_amt)],
        ["Average sales cycle (days)", Days(cycle_avg)],
        ["Open deals", open_n],
        ["Open pipeline", Money(sum(s.amount for s in pipeline))],
        ["Weighted pipeline", Money(sum(s.weighted for s in pipeline))],
    ]
    forecast = q.forecast(src.period.start, 6)
    reasons = q.lost_reasons(w)
    return Report(
        "opportunities",
        src.period,
        src.scope,
        q.currency,
        src.clock.now(),
        [
            Section(
                "funnel",
                "Funnel by stage",
                ["Stage", "Deals", "Amount", "Weighted"],
                funnel,
                Chart("funnel"),
                note=f"Open stages as of today; won and lost closed in {src.period.label}.",
            ),
            Section(
                "figures",
                f"Deals closed in {src.period.label}",
                ["Figure", "Value"],
                figures,
                note=f"Sales cycle: created to closed, over {cycle_n:,} won deals.",
            ),
            Section(
                "forecast",
                "Weighted forecast by expected close",
                ["Month", "Deals", "Amount", "Weighted"],
                [
                    [label, n, Money(amount), Money(weighted)]
                    for label, n, amount, weighted in forecast
                ],
                Chart("bar", value=3),
                note="Open deals; 'earlier' expected to close before the period: slipping.",
            ),
            Section(
                "lost_reasons",
                "Lost reasons",
                ["Reason", "Deals", "Amount", "Share"],
                [[r or NOT_SET, n, Money(a), pct(n, lost_n)] for r, n, a in reasons],
                Chart("bar"),
            ),
        ],
    )


# --- expenses --------------------------------------------------------------------------------
def expenses_report(src: ReportSource) -> Report:
    q = src.queries
    w = src.window()
    cats = q.expenses_by("category", w)
    claimed = sum(a for _, _, a in cats)
    claims = sum(n for _, n, _ in cats)
    months = q.expenses_by_month(add_months(src.period.end, -12), 12)
    statuses = q.expenses_by("status", w, claimed=False)
    won_amount = q.closed_in(w)["won"][1]

    def per(target: str, title: str, column: str) -> Section:
        rows = q.expenses_per(target, w, src.top)
        return Section(
            f"per_{target}",
            title,
            [column, "Claims", "Amount"],
            [[name or NOT_SET, n, Money(a)] for _, name, n, a in rows],
            Chart("bar", value=2),
            row_ids=[rid for rid, *_ in rows],
        )

    return Report(
        "expenses",
        src.period,
        src.scope,
        q.currency,
        src.clock.now(),
        [
            Section(
                "by_category",
                "Claimed by category",
                ["Category", "Claims", "Amount", "Share"],
                [[c, n, Money(a), pct(a, claimed)] for c, n, a in cats],
                Chart("bar", value=2),
                note="Claimed = submitted, approved or reimbursed, by the day spent.",
            ),
            Section(
                "by_month",
                "Claimed per month",
                ["Month", "Amount"],
                [[m, Money(a)] for m, a in months.items()],
                Chart("spark"),
            ),
            Section(
                "by_status",
                "All claims by status",
                ["Status", "Claims", "Amount"],
                [[s, n, Money(a)] for s, n, a in statuses],
                Chart("bar", value=2),
            ),
            per("customer", "Claimed per customer", "Customer"),
            per("opportunity", "Claimed per deal", "Deal"),
            Section(
                "ratio",
                "Expenses against amount won",
                ["Figure", "Value"],
                [
                    ["Claims", claims],
                    ["Amount claimed", Money(claimed)],
                    ["Amount won", Money(won_amount)],
                    ["Expenses / won", pct(claimed, won_amount)],
                ],
            ),
        ],
    )


BUILDERS: dict[str, Callable[[ReportSource], Report]] = {
    "summary": summary_report,
    "customers": customers_report,
    "opportunities": opportunities_report,
    "expenses": expenses_report,
}
assert tuple(BUILDERS) == REPORT_NAMES


def build_report(name: str, src: ReportSource) -> Report:
    return BUILDERS[name](src)
