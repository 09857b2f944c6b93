"""Provides `backdate`: give the demo's history believable creation times.

The module demos (quotes, campaigns, service orders, reports, two years of won deals ...)
write through the services, which stamp `created_at` with the moment the demo was built.
A deal closed last year would then be "created today": today's daily report would count a
thousand new deals and a history would list "created" above events months old. So, once
the rows are in, every row whose own event times are in the past is stamped (created and
updated, UTC text as the generator writes it) a little before its earliest event; a row
already older than that is left alone. A few UPDATEs, one transaction: the build stays fast.
"""

from __future__ import annotations

from datetime import datetime, time
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from crm_tui.services.book import Book

__all__ = ["backdate"]


def _day(col: str, hour: int) -> str:
    """A local date column as the UTC time text of `hour` o'clock on that day."""
    return f"datetime({col}, (:off + {hour * 3600}) || ' seconds')"


def _first(table: str, col: str, key: str, parent: str = "id") -> str:
    """The earliest `col` of the rows of `table` whose `key` is this row's `parent`."""
    return f"(SELECT min({col}) FROM {table} WHERE {key} = t.{parent} AND deleted = 0)"


# The contract on a quote's deal: every revision of the quote came before it.
_SIGNED = _first("contract", "created_at", "opportunity_id", "opportunity_id")
# Quotes on a deal that was signed were sent and decided before the signing.
_QUOTES_BEFORE_SIGNING = (
    "UPDATE quote AS t SET sent_at = datetime(t.created_at, '+2 hours') || '.000000', "
    "decided_on = CASE WHEN t.decided_on IS NOT NULL THEN min(t.decided_on, "
    "(SELECT min(signed_on) FROM contract WHERE opportunity_id = t.opportunity_id)) END "
    f"WHERE {_SIGNED} IS NOT NULL AND t.sent_at > datetime(t.created_at, '+2 hours')"
)

# table -> (its events as SQL over alias t, hours before the earliest event it was made).
# Parents come after their children where a parent's time follows from them (a campaign is
# made before its first invitation), and before them where children follow the parent.
_EVENTS: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("campaign_member", ("t.invited_at", "t.registered_at", "t.attended_at", "t.declined_at"), "0"),
    (
        "campaign",
        (_day("t.starts_on", 9), _first("campaign_member", "created_at", "campaign_id")),
        "24 * (7 + t.rowid % 21)",
    ),
    ("contract", (_day("t.signed_on", 10), _day("t.starts_on", 9)), "2 + t.rowid % 6"),
    (
        "quote",
        ("t.sent_at", _day("t.decided_on", 9), _SIGNED),
        "24 * max(1, 8 - 3 * t.revision)",  # an earlier revision was made earlier
    ),
    ("quote_line", (_first("quote", "created_at", "id", "quote_id"),), "0"),
    ("payment_plan", (_first("contract", "created_at", "id", "contract_id"),), "0"),
    ("payment", (_day("t.received_on", 10), "t.confirmed_at"), "1 + t.rowid % 6"),
    (
        "opportunity",
        (
            _day("t.closed_on", 9),
            _day("t.expected_close", 9),
            _first("quote", "created_at", "opportunity_id"),
        ),
        "24 * (14 + t.rowid % 60)",
    ),
    (
        "service",
        ("t.requested_at", "t.approved_at", "t.started_at", "t.finished_at", "t.closed_at"),
        "0",
    ),
    ("service_plan", (_day("t.starts_on", 9),), "24 * (3 + t.rowid % 10)"),
    ("work_report", (_day("t.period_start", 17), "t.submitted_at"), "0"),
    ("expense", (_day("t.spent_on", 8), "t.submitted_at", "t.decided_at"), "0"),
    ("contact_log", ("t.at",), "0"),
    ("checkin", ("t.checked_in_at",), "0"),
    ("survey", (_day("t.taken_on", 12),), "0"),
    ("customer", ("t.pool_since", "t.claimed_at"), "24 * (30 + t.rowid % 200)"),
)


def _statement(table: str, events: tuple[str, ...], lead_hours: str) -> str:
    # A missing event counts as now, so no row is stamped in the future.
    earliest = "min(" + ", ".join(f"coalesce({e}, :now)" for e in events) + ", :now)"
    stamp = f"datetime({earliest}, '-' || ({lead_hours}) || ' hours') || '.000000'"
    return (
        f"UPDATE {table} AS t SET created_at = s.stamp, updated_at = s.stamp FROM "
        f"(SELECT t.id AS id, {stamp} AS stamp FROM {table} AS t) AS s "
        "WHERE s.id = t.id AND t.created_at > s.stamp"
    )


def backdate(book: Book) -> None:
    """Stamp every demo row of the past no later than its own events (see module doc)."""
    from sqlalchemy import text

    clock = book.clock
    today = clock.today()
    midnight = clock.day_start_utc(today).replace(tzinfo=None)
    params = {
        "off": int((midnight - datetime.combine(today, time(0))).total_seconds()),
        "now": clock.now().replace(tzinfo=None).isoformat(" ", "microseconds"),
    }
    with book.db.transaction() as s:
        conn = s.connection()
        tables = {r[0] for r in conn.execute(text("SELECT name FROM sqlite_master"))}
        for table, events, lead in _EVENTS:
            if table in tables:
                conn.execute(text(_statement(table, events, lead)), params)
        if "quote" in tables:
            conn.execute(text(_QUOTES_BEFORE_SIGNING))
