"""Provides the SQL behind the reports: every figure aggregated inside SQLite.

Nothing here loads every row: each query groups in SQL and returns a handful of numbers,
using the indexes of migration 0050 (timed on 100k customers / 1M follow-ups). Runs on a
plain sqlite3 connection (the light read path), so a report does not wait for the ORM.

Money is summed in one currency (the team's); records in other currencies still count but
add nothing to the amounts. "Mine" is `owner_id = user` (NULL before login); "team" is all.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from crm_tui.domain.dates import Clock, add_months
from crm_tui.domain.rules import OPEN_STAGES

# Claims that count as claimed: drafts are not sent yet, rejected ones were refused.
CLAIMED_STATUSES = ("submitted", "approved", "reimbursed")
_OPEN = tuple(s.value for s in OPEN_STAGES)


def _ts(day: date, clock: Clock) -> str:
    """A local day's start as stored: naive UTC 'YYYY-MM-DD HH:MM:SS.ffffff'."""
    return clock.day_start_utc(day).astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


@dataclass(frozen=True)
class Window:
    """Local dates [start, end) and the same range as stored UTC timestamps."""

    start: date
    end: date
    start_ts: str
    end_ts: str

    @classmethod
    def of(cls, start: date, end: date, clock: Clock) -> Window:
        return cls(start, end, _ts(start, clock), _ts(end, clock))


@dataclass(frozen=True)
class Scope:
    """Whose records: the rep's own (`owner_id IS owner`) or the whole team."""

    owner_id: str | None = None
    team: bool = False

    def clause(self, alias: str = "") -> str:
        return "" if self.team else f" AND {alias}owner_id IS :owner"


@dataclass
class SummaryFigures:
    followups_by_kind: dict[str, int] = field(default_factory=dict)
    customers_visited: int = 0
    new_customers: int = 0
    won_count: int = 0
    won_amount: int = 0
    lost_count: int = 0
    lost_amount: int = 0
    claims_count: int = 0
    claimed_amount: int = 0

    @property
    def followups_done(self) -> int:
        return sum(self.followups_by_kind.values())


@dataclass
class StageRow:
    stage: str
    count: int
    amount: int
    weighted: int


@dataclass
class GradeRow:
    customer_id: str
    name: str
    manual: str | None
    won_amount: int


@dataclass
class ColdRow:
    customer_id: str
    name: str
    city: str | None
    status: str
    last_done: date


class ReportQueries:
    """The figures of one scope and currency, read from an open sqlite3 connection."""

    def __init__(
        self, conn: sqlite3.Connection, *, scope: Scope, currency: str, clock: Clock
    ) -> None:
        self.conn = conn
        self.scope = scope
        self.currency = currency
        self.clock = clock

    def _rows(self, sql: str, **params: object) -> list[tuple]:
        params = {"owner": self.scope.owner_id, "cur": self.currency} | params
        return self.conn.execute(sql, params).fetchall()

    def _money(self, alias: str = "") -> str:
        return f"coalesce(sum(CASE WHEN {alias}currency = :cur THEN {alias}amount END), 0)"

    # --- work summary ----------------------------------------------------------------------
    def summary(self, w: Window) -> SummaryFigures:
        out = SummaryFigures()
        own = self.scope.clause()
        for kind, n in self._rows(
            "SELECT kind, count(*) FROM activity WHERE done_at IS NOT NULL AND deleted = 0 "
            f"AND done_at >= :s AND done_at < :e{own} GROUP BY kind",
            s=w.start_ts,
            e=w.end_ts,
        ):
            out.followups_by_kind[kind] = n
        out.customers_visited = self._rows(
            "SELECT count(DISTINCT customer_id) FROM activity WHERE done_at IS NOT NULL "
            f"AND deleted = 0 AND done_at >= :s AND done_at < :e AND kind = 'visit'{own}",
            s=w.start_ts,
            e=w.end_ts,
        )[0][0]
        out.new_customers = self._rows(
            "SELECT count(*) FROM customer WHERE deleted = 0 AND created_at >= :s "
            f"AND created_at < :e{own}",
            s=w.start_ts,
            e=w.end_ts,
        )[0][0]
        for stage, n, amount in self._closed_deals(w):
            if stage == "won":
                out.won_count, out.won_amount = n, amount
            else:
                out.lost_count, out.lost_amount = n, amount
        out.claims_count, out.claimed_amount = self._rows(
            f"SELECT count(*), {self._money()} FROM expense WHERE deleted = 0 "
            f"AND spent_on >= :s AND spent_on < :e AND status IN {CLAIMED_STATUSES}{own}",
            s=w.start.isoformat(),
            e=w.end.isoformat(),
        )[0]
        return out

    def _closed_deals(self, w: Window) -> list[tuple]:
        return self._rows(
            f"SELECT stage, count(*), {self._money()} FROM opportunity "
            "WHERE closed_on IS NOT NULL AND deleted = 0 AND closed_on >= :s AND closed_on < :e "
            f"AND stage IN ('won', 'lost'){self.scope.clause()} GROUP BY stage",
            s=w.start.isoformat(),
            e=w.end.isoformat(),
        )

    # --- customers -------------------------------------------------------------------------
    def customers_by(self, column: str) -> list[tuple[str | None, int]]:
        """Live customers counted by status, city or industry, biggest first."""
        if column not in ("status", "city", "industry", "grade"):
            raise ValueError(f"cannot group customers by {column}")
        return [
            (key, n)
            for key, n in self._rows(
                f"SELECT {column}, count(*) AS n FROM customer WHERE deleted = 0"
                f"{self.scope.clause()} GROUP BY {column} ORDER BY n DESC, {column}"
            )
        ]

    def new_customers_by_month(self, first: date, months: int) -> dict[str, int]:
        """'YYYY-MM' -> customers created that local month, for `months` months from `first`."""
        offset = self.clock.local_now().utcoffset() or timedelta(0)
        minutes = int(offset.total_seconds() // 60)
        last = add_months(first, months)
        found = dict(
            self._rows(
                f"SELECT substr(datetime(created_at, '{minutes:+d} minutes'), 1, 7) AS m, count(*) "
                f"FROM customer WHERE deleted = 0 AND created_at >= :s AND created_at < :e"
                f"{self.scope.clause()} GROUP BY m",
                s=_ts(first, self.clock),
                e=_ts(last, self.clock),
            )
        )
        keys = [add_months(first, i).strftime("%Y-%m") for i in range(months)]
        return {k: found.get(k, 0) for k in keys}

    def won_by_customer(self) -> list[GradeRow]:
        """Every customer in scope that has won deals, with its won amount and manual grade."""
        return [
            GradeRow(*row)
            for row in self._rows(
                f"SELECT o.customer_id, c.name, c.grade, {self._money('o.')} AS won "
                "FROM opportunity o JOIN customer c ON c.id = o.customer_id "
                "WHERE o.stage = 'won' AND o.deleted = 0 AND c.deleted = 0"
                f"{self.scope.clause('c.')} GROUP BY o.customer_id"
            )
        ]

    def cold_customers(self, days: int, limit: int = 20) -> tuple[int, list[ColdRow]]:
        """Customers (not lost) whose last done follow-up is `days` or more days old.

        Returns how many there are and the `limit` that went cold most recently.
        """
        cutoff = _ts(self.clock.today() - timedelta(days=days - 1), self.clock)
        base = (
            "FROM (SELECT customer_id, max(done_at) AS last FROM activity "
            "WHERE done_at IS NOT NULL AND deleted = 0 GROUP BY customer_id) AS a "
            "JOIN customer c ON c.id = a.customer_id "
            f"WHERE a.last < :cut AND c.deleted = 0 AND c.status != 'lost'{self.scope.clause('c.')}"
        )
        rows = self._rows(
            f"SELECT c.id, c.name, c.city, c.status, a.last, count(*) OVER () {base} "
            "ORDER BY a.last DESC LIMIT :n",
            cut=cutoff,
            n=limit,
        )
        if not rows:
            return 0, []
        out = [
            ColdRow(cid, name, city, status, self.clock.to_local(_parse_ts(last)).date())
            for cid, name, city, status, last, _ in rows
        ]
        return rows[0][5], out

    # --- opportunities ---------------------------------------------------------------------
    def open_pipeline(self) -> list[StageRow]:
        """Open deals by stage (now), in pipeline order."""
        found = {
            stage: StageRow(stage, n, amount, weighted)
            for stage, n, amount, weighted in self._rows(
                f"SELECT stage, count(*), {self._money()}, "
                "coalesce(sum(CASE WHEN currency = :cur THEN (amount * probability + 50) "
                "/ 100 END), 0) FROM opportunity "
                f"WHERE deleted = 0 AND stage IN {_OPEN}{self.scope.clause()} "
                "GROUP BY stage"
            )
        }
        return [found.get(s, StageRow(s, 0, 0, 0)) for s in _OPEN]

    def closed_in(self, w: Window) -> dict[str, tuple[int, int]]:
        """'won'/'lost' -> (count, amount) of deals closed in the window."""
        found = {stage: (n, amount) for stage, n, amount in self._closed_deals(w)}
        return {s: found.get(s, (0, 0)) for s in ("won", "lost")}

    def forecast(self, first: date, months: int) -> list[tuple[str, int, int, int]]:
        """Open deals by expected-close month: (label, count, amount, weighted).

        Months from `first`, then 'earlier' (expected before `first`, i.e. slipping), 'later'
        and 'no date'.
        """
        last = add_months(first, months)
        bucket = (
            "CASE WHEN expected_close IS NULL THEN 'no date' "
            "WHEN expected_close < :s THEN 'earlier' WHEN expected_close >= :e THEN 'later' "
            "ELSE substr(expected_close, 1, 7) END"
        )
        found = {
            b: (n, amount, weighted)
            for b, n, amount, weighted in self._rows(
                f"SELECT {bucket} AS b, count(*), {self._money()}, "
                "coalesce(sum(CASE WHEN currency = :cur THEN (amount * probability + 50) / 100 "
                f"END), 0) FROM opportunity WHERE deleted = 0 AND stage IN {_OPEN}"
                f"{self.scope.clause()} GROUP BY b",
                s=first.isoformat(),
                e=last.isoformat(),
            )
        }
        labels = ["earlier"] + [add_months(first, i).strftime("%Y-%m") for i in range(months)]
        labels += ["later", "no date"]
        return [(b, *found.get(b, (0, 0, 0))) for b in labels]

    def sales_cycle(self, w: Window) -> tuple[int, float | None]:
        """(won deals closed in the window, their average days from created to closed)."""
        n, avg = self._rows(
            "SELECT count(*), avg(julianday(closed_on) - julianday(substr(created_at, 1, 10))) "
            "FROM opportunity WHERE closed_on IS NOT NULL AND deleted = 0 "
            f"AND closed_on >= :s AND closed_on < :e AND stage = 'won'{self.scope.clause()}",
            s=w.start.isoformat(),
            e=w.end.isoformat(),
        )[0]
        return n, avg

    def lost_reasons(self, w: Window) -> list[tuple[str | None, int, int]]:
        """(reason, count, amount) of deals lost in the window, most common first."""
        return self._rows(
            f"SELECT lost_reason, count(*) AS n, {self._money()} AS amt FROM opportunity "
            "WHERE closed_on IS NOT NULL AND deleted = 0 AND closed_on >= :s AND closed_on < :e "
            f"AND stage = 'lost'{self.scope.clause()} GROUP BY lost_reason "
            "ORDER BY n DESC, amt DESC, lost_reason",
            s=w.start.isoformat(),
            e=w.end.isoformat(),
        )

    # --- expenses --------------------------------------------------------------------------
    def _expense_filter(self, w: Window, claimed: bool = True) -> str:
        status = f" AND status IN {CLAIMED_STATUSES}" if claimed else ""
        return f"deleted = 0 AND spent_on >= :s AND spent_on < :e{status}{self.scope.clause()}"

    def expenses_by(
        self, column: str, w: Window, claimed: bool = True
    ) -> list[tuple[str, int, int]]:
        """(category or status, count, amount) in the window, biggest amount first."""
        if column not in ("category", "status"):
            raise ValueError(f"cannot group expenses by {column}")
        return self._rows(
            f"SELECT {column}, count(*), {self._money()} AS amt FROM expense "
            f"WHERE {self._expense_filter(w, claimed)} GROUP BY {column} "
            f"ORDER BY amt DESC, {column}",
            s=w.start.isoformat(),
            e=w.end.isoformat(),
        )

    def expenses_by_month(self, first: date, months: int) -> dict[str, int]:
        """'YYYY-MM' -> amount claimed that month, for `months` months from `first`."""
        w = Window(first, add_months(first, months), "", "")
        found = dict(
            self._rows(
                f"SELECT substr(spent_on, 1, 7) AS m, {self._money()} FROM expense "
                f"WHERE {self._expense_filter(w)} GROUP BY m",
                s=w.start.isoformat(),
                e=w.end.isoformat(),
            )
        )
        keys = [add_months(first, i).strftime("%Y-%m") for i in range(months)]
        return {k: found.get(k, 0) for k in keys}

    def expenses_per(
        self, target: str, w: Window, limit: int = 10
    ) -> list[tuple[str | None, str | None, int, int]]:
        """(id, name, count, amount) claimed per customer or deal, biggest first."""
        table, column, title = {
            "customer": ("customer", "customer_id", "name"),
            "opportunity": ("opportunity", "opportunity_id", "title"),
        }[target]
        return self._rows(
            f"SELECT e.{column}, t.{title}, count(*), {self._money('e.')} AS amt "
            f"FROM (SELECT * FROM expense WHERE {self._expense_filter(w)}) AS e "
            f"LEFT JOIN {table} t ON t.id = e.{column} "
            f"GROUP BY e.{column} ORDER BY amt DESC, t.{title} LIMIT :n",
            n=limit,
            s=w.start.isoformat(),
            e=w.end.isoformat(),
        )


def _parse_ts(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)
