"""Provides `ReportQueries`: every report figure aggregated inside SQLite.

Nothing here loads every row: each query groups in SQL and returns a handful of numbers,
using the indexes of migration 0050 (timed on 100k customers / 1M follow-ups). Runs on a
plain sqlite3 connection (the light read path), so a report does not wait for the ORM.

Money is summed in one currency (the team's); records in other currencies still count but
add nothing to the amounts. "Mine" is `owner_id = user` (NULL before login); "team" is all.
"""

from __future__ import annotations

import sqlite3
from datetime import UTC, date, datetime, timedelta

from crm_tui.domain.dates import Clock, add_months
from crm_tui.domain.rules import OPEN_STAGES
from crm_tui.storage.report_rows import (
    ColdRow,
    GradeRow,
    Scope,
    StageRow,
    SummaryFigures,
    Window,
    day_start_text,
)

# Claims that count as claimed: drafts are not sent yet, rejected ones were refused.
CLAIMED_STATUSES = ("submitted", "approved", "reimbursed")
_OPEN = tuple(s.value for s in OPEN_STAGES)


class ReportQueries:
    """The figures of one scope and currency, read from an open sqlite3 connection."""

    def __init__(
        self, conn: sqlite3.Connection, *, scope: Scope, currency: str, clock: Clock
    ) -> None:
        self.conn = conn
        self.scope = scope
        self.currency = currency
        self.clock = clock
        # Queries over a range of dates filter the owner inside that range's index.
        self.own = scope.clause(indexed=False)

    def _rows(self, sql: str, **params: object) -> list[tuple]:
        params = {"owner": self.scope.owner_id, "cur": self.currency} | params
        return self.conn.execute(sql, params).fetchall()

    def _money(self, alias: str = "") -> str:
        return f"coalesce(sum(CASE WHEN {alias}currency = :cur THEN {alias}amount END), 0)"

    # --- work summary ----------------------------------------------------------------------
    def summary(self, w: Window) -> SummaryFigures:
        out = SummaryFigures()
        own = self.own
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
        out.new_customers = self._new_customers(w)
        for stage, n, amount in self._closed_deals(w):
            if stage == "won":
                out.won_count, out.won_amount = n, amount
            else:
                out.lost_count, out.lost_amount = n, amount
        out.claims_count, out.claimed_amount = self._rows(
            f"SELECT count(*), {self._money()} FROM expense WHERE deleted = 0 "
            f"AND spent_on >= :s AND spent_on < :e AND +status IN {CLAIMED_STATUSES}{own}",
            s=w.start.isoformat(),
            e=w.end.isoformat(),
        )[0]
        return out

    def _closed_deals(self, w: Window) -> list[tuple]:
        return self._rows(
            f"SELECT stage, count(*), {self._money()} FROM opportunity "
            "WHERE closed_on IS NOT NULL AND deleted = 0 AND closed_on >= :s AND closed_on < :e "
            f"AND +stage IN ('won', 'lost'){self.own} GROUP BY stage",
            s=w.start.isoformat(),
            e=w.end.isoformat(),
        )

    # --- customers -------------------------------------------------------------------------
    def customer_counts(self) -> dict[str, list[tuple[str | None, int]]]:
        """Live customers counted by status, city, industry and grade, biggest first.

        One pass over a covering index: the four breakdowns come from one GROUP BY.
        """
        columns = ("status", "city", "industry", "grade")
        counts: dict[str, dict[str | None, int]] = {c: {} for c in columns}
        # Grouping by the index's own column order (owner first) needs no sort.
        for _owner, *keys, n in self._rows(
            "SELECT owner_id, status, city, industry, grade, count(*) FROM customer "
            f"WHERE deleted = 0{self.scope.clause()} "
            "GROUP BY owner_id, status, city, industry, grade"
        ):
            for column, key in zip(columns, keys, strict=True):
                counts[column][key] = counts[column].get(key, 0) + n
        return {
            column: sorted(found.items(), key=lambda kv: (-kv[1], kv[0] is not None, kv[0] or ""))
            for column, found in counts.items()
        }

    def new_customers_by_month(self, first: date, months: int) -> dict[str, int]:
        """'YYYY-MM' -> customers created that local month, for `months` months from `first`.

        One index range count per month: local month edges are UTC instants that differ
        month to month (summer time), so they are computed here, not in SQL.
        """
        out: dict[str, int] = {}
        for i in range(months):
            start = add_months(first, i)
            out[start.strftime("%Y-%m")] = self._new_customers(
                Window.of(start, add_months(start, 1), self.clock)
            )
        return out

    def _new_customers(self, w: Window) -> int:
        return self._rows(
            "SELECT count(*) FROM customer WHERE deleted = 0 AND created_at >= :s "
            f"AND created_at < :e{self.own}",
            s=w.start_ts,
            e=w.end_ts,
        )[0][0]

    def won_by_customer(self) -> list[GradeRow]:
        """Customers in scope that have won deals, biggest won amount first, with the grade
        given by hand."""
        return [
            GradeRow(*row)
            for row in self._rows(
                "SELECT w.customer_id, c.name, c.grade, w.won FROM ("
                f"SELECT customer_id, {self._money()} AS won FROM opportunity "
                "WHERE stage = 'won' AND deleted = 0 GROUP BY customer_id) AS w "
                "JOIN customer c ON c.id = w.customer_id "
                f"WHERE c.deleted = 0{self.scope.clause('c.')} "
                "ORDER BY w.won DESC, c.name, w.customer_id"
            )
        ]

    def cold_customers(self, days: int, limit: int = 20) -> tuple[int, list[ColdRow]]:
        """Customers (not lost) whose last done follow-up is `days` or more days old.

        Returns how many there are and the `limit` that went cold most recently. Reads the
        trigger-kept `customer_last_done` table (migration 0050): an index range, not a scan
        of every follow-up.
        """
        cutoff = day_start_text(self.clock.today() - timedelta(days=days - 1), self.clock)
        cold = (
            f"FROM customer_last_done WHERE live = 1 AND last_done_at < :cut{self.scope.clause()}"
        )
        count = self._rows(f"SELECT count(*) {cold}", cut=cutoff)[0][0]
        rows = self._rows(
            "SELECT c.id, c.name, c.city, c.status, l.last_done_at FROM ("
            f"SELECT customer_id, last_done_at {cold} ORDER BY last_done_at DESC LIMIT :n) AS l "
            "JOIN customer c ON c.id = l.customer_id ORDER BY l.last_done_at DESC, c.name",
            cut=cutoff,
            n=limit,
        )
        return count, [
            ColdRow(cid, name, city, status, self.clock.to_local(_parse_ts(last)).date())
            for cid, name, city, status, last in rows
        ]

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
            f"AND closed_on >= :s AND closed_on < :e AND +stage = 'won'{self.own}",
            s=w.start.isoformat(),
            e=w.end.isoformat(),
        )[0]
        return n, avg

    def lost_reasons(self, w: Window) -> list[tuple[str | None, int, int]]:
        """(reason, count, amount) of deals lost in the window, most common first."""
        return self._rows(
            f"SELECT lost_reason, count(*) AS n, {self._money()} AS amt FROM opportunity "
            "WHERE closed_on IS NOT NULL AND deleted = 0 AND closed_on >= :s AND closed_on < :e "
            f"AND +stage = 'lost'{self.own} GROUP BY lost_reason "
            "ORDER BY n DESC, amt DESC, lost_reason",
            s=w.start.isoformat(),
            e=w.end.isoformat(),
        )

    # --- expenses --------------------------------------------------------------------------
    def _expense_filter(self, w: Window, claimed: bool = True) -> str:
        # +status: keep SQLite on the covering spent_on index, not the (status, spent_on) one.
        status = f" AND +status IN {CLAIMED_STATUSES}" if claimed else ""
        return f"deleted = 0 AND spent_on >= :s AND spent_on < :e{status}{self.own}"

    def expenses_by(
        self, column: str, w: Window, claimed: bool = True
    ) -> list[tuple[str, int, int]]:
        """(category or status, count, amount) in the window, biggest amount first."""
        if column not in ("category", "status"):
            raise ValueError(f"cannot group expenses by {column}")
        return self._rows(
            f"SELECT {column}, count(*), {self._money()} AS amt FROM expense "
            # +column: group with a sort over the covering index, not by a (status) index.
            f"WHERE {self._expense_filter(w, claimed)} GROUP BY +{column} "
            f"ORDER BY amt DESC, {column}",
            s=w.start.isoformat(),
            e=w.end.isoformat(),
        )

    def expenses_by_month(self, first: date, months: int) -> dict[str, int]:
        """'YYYY-MM' -> amount claimed that month, for `months` months from `first`."""
        w = Window(first, add_months(first, months), "", "")
        found: dict[str, int] = {}
        # Grouped by day, the covering index's own order (no sort), then folded into months.
        for day, amount in self._rows(
            f"SELECT spent_on, {self._money()} FROM expense "
            f"WHERE {self._expense_filter(w)} GROUP BY spent_on",
            s=w.start.isoformat(),
            e=w.end.isoformat(),
        ):
            found[day[:7]] = found.get(day[:7], 0) + amount
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
            f"SELECT e.{column}, t.{title}, e.n, e.amt FROM ("
            f"SELECT {column}, count(*) AS n, {self._money()} AS amt FROM expense "
            f"WHERE {self._expense_filter(w)} GROUP BY {column} "
            f"ORDER BY amt DESC, {column} LIMIT :n) AS e "  # names looked up for the top only
            f"LEFT JOIN {table} t ON t.id = e.{column} "
            f"ORDER BY e.amt DESC, t.{title}",
            n=limit,
            s=w.start.isoformat(),
            e=w.end.isoformat(),
        )


def _parse_ts(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)
