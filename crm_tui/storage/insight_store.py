"""Provides the stored customer insight: `refresh` keeps each customer's RFM group, churn risk,
lifetime value and yearly value at risk (columns of `customer`, local, never synced) current.

Triggers (migration 0120, and the service module's installed here when its table exists)
put a customer in `insight_dirty` whenever a deal, a done follow-up, a payment, a survey, a
service order or the customer itself changes: repositories, undo, sync pulls and imports
alike. `refresh` then makes only those customers again, against the book's figures of the
day (cut points, usual interval, lifespan, kept in `sync_state` under `insight.basis`). On
a new day, or with no basis yet, it makes every customer again, a chunk per transaction so
a rep's edits never wait long. Each chunk reads, writes and empties its part of the dirty
set in one transaction, so a change made meanwhile is never lost. It runs in a worker (the
desk's), never on the UI thread.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from crm_tui.domain import churn
from crm_tui.domain.insight import Rfm, lifetime_value, score, usual_interval, yearly_value
from crm_tui.domain.urgency import Term
from crm_tui.storage.insight_queries import keep_snapshot
from crm_tui.storage.insight_read import BookFigures, Raw, all_ids, book_figures, gather, has_table

if TYPE_CHECKING:
    from crm_tui.domain.dates import Clock

BASIS_KEY = "insight.basis"
CHUNK = 2_000  # customers made again per transaction
SERVICE_TRIGGERS = {
    "tr_insight_service_insert": "AFTER INSERT ON service BEGIN INSERT INTO "
    "insight_dirty VALUES (NEW.customer_id) ON CONFLICT DO NOTHING; END",
    "tr_insight_service_update": "AFTER UPDATE OF status, rating, kind, finished_at, "
    "customer_id, deleted ON service BEGIN INSERT INTO insight_dirty VALUES "
    "(OLD.customer_id) ON CONFLICT DO NOTHING; INSERT INTO insight_dirty VALUES "
    "(NEW.customer_id) ON CONFLICT DO NOTHING; END",
}


@dataclass(frozen=True)
class Insight:
    """One customer's figures and the reasons behind its risk (what `why` prints)."""

    customer_id: str
    rfm: Rfm | None
    terms: list[Term]
    risk: float
    clv: int
    value_at_risk: int
    scores: list[tuple[str, int]]

    @property
    def segment(self) -> str | None:
        return self.rfm.segment.key if self.rfm else None


@dataclass(frozen=True)
class Refreshed:
    kind: str  # "full", "dirty", "fresh" or "cancelled"
    customers: int
    seconds: float


def compute(cid: str, raw: Raw, book: BookFigures, today: date) -> Insight:
    """One customer's figures from its inputs and the book's figures (pure arithmetic)."""
    last = raw.last_order()
    rfm = None
    if raw.orders and last is not None:
        rfm = score(last, len(raw.orders), sum(o.amount for o in raw.orders), book.cuts)
    history = churn.History(
        orders=raw.orders,
        interval=usual_interval([o.day for o in raw.orders]),
        book_interval=book.interval,
        last_payment=raw.last_payment,
        last_contact=raw.last_contact,
        since=raw.since,
        grade=raw.grade,
        lost=raw.lost,
        scores=[s for _, s in raw.scores],
        open_complaints=raw.open_complaints,
        recent_repairs=raw.recent_repairs,
    )
    terms = churn.terms(history, today)
    risk = churn.risk(terms)
    clv = lifetime_value(raw.orders, today, book.lifespan)
    at_risk = round(yearly_value(raw.orders, today) * risk)
    return Insight(cid, rfm, terms, risk, clv, at_risk, list(raw.scores))


def stored_basis(conn: sqlite3.Connection) -> BookFigures | None:
    row = conn.execute("SELECT value FROM sync_state WHERE key = ?", (BASIS_KEY,)).fetchone()
    return BookFigures.from_json(row[0]) if row and row[0] else None


def explain(conn: sqlite3.Connection, clock: Clock, customer_id: str) -> Insight | None:
    """The figures of one customer as the stored ones are made (today's basis, or the book's
    figures computed now when there is none yet). None for an unknown customer."""
    book = stored_basis(conn)
    if book is None or book.day != clock.today().isoformat():
        book = book_figures(conn, clock)
    raw = gather(conn, [customer_id], clock).get(customer_id)
    return None if raw is None else compute(customer_id, raw, book, clock.today())


def dirty_count(conn: sqlite3.Connection) -> int:
    return conn.execute("SELECT count(*) FROM insight_dirty").fetchone()[0]


def is_fresh(conn: sqlite3.Connection, clock: Clock) -> bool:
    book = stored_basis(conn)
    return book is not None and book.day == clock.today().isoformat() and not dirty_count(conn)


def refresh(
    conn: sqlite3.Connection,
    clock: Clock,
    *,
    full: bool = False,
    chunk: int = CHUNK,
    cancelled: Callable[[], bool] | None = None,
) -> Refreshed:
    """Bring the stored figures up to date: every customer on a new day (or `full`), else
    the dirty ones. Commits a chunk at a time; safe to run again after a cancel."""
    started = time.perf_counter()
    _install_service_triggers(conn)
    book = stored_basis(conn)
    today = clock.today().isoformat()
    if full or book is None or book.day != today:
        book = book_figures(conn, clock)
        ids = list(all_ids(conn))
        done = _write_chunks(conn, clock, book, ids, chunk, cancelled, clear_all=True)
        if cancelled is not None and cancelled():
            return Refreshed("cancelled", done, time.perf_counter() - started)
        with _writing(conn):
            conn.execute(
                "INSERT INTO sync_state(key, value) VALUES (?, ?) "
                "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                (BASIS_KEY, book.to_json()),
            )
            keep_snapshot(conn, clock.today())
        return Refreshed("full", done, time.perf_counter() - started)
    total = 0
    while True:
        if cancelled is not None and cancelled():
            return Refreshed("cancelled", total, time.perf_counter() - started)
        with _writing(conn):
            ids = [
                r[0]
                for r in conn.execute("SELECT customer_id FROM insight_dirty LIMIT ?", (chunk,))
            ]
            if not ids:
                break
            _write(conn, clock, book, ids)
            conn.execute(
                "DELETE FROM insight_dirty WHERE customer_id IN (SELECT value FROM json_each(?))",
                (json.dumps(ids),),
            )
        total += len(ids)
    return Refreshed("dirty" if total else "fresh", total, time.perf_counter() - started)


def _write_chunks(
    conn: sqlite3.Connection,
    clock: Clock,
    book: BookFigures,
    ids: list[str],
    chunk: int,
    cancelled: Callable[[], bool] | None,
    *,
    clear_all: bool,
) -> int:
    done = 0
    for first in range(0, len(ids), chunk):
        if cancelled is not None and cancelled():
            break
        part = ids[first : first + chunk]
        with _writing(conn):
            _write(conn, clock, book, part)
            conn.execute(
                "DELETE FROM insight_dirty WHERE customer_id IN (SELECT value FROM json_each(?))",
                (json.dumps(part),),
            )
        done += len(part)
    if clear_all and not (cancelled is not None and cancelled()):
        with _writing(conn):  # deleted customers' entries (their figures no longer show)
            conn.execute(
                "DELETE FROM insight_dirty WHERE customer_id NOT IN "
                "(SELECT id FROM customer WHERE deleted = 0)"
            )
    return done


def _write(conn: sqlite3.Connection, clock: Clock, book: BookFigures, ids: list[str]) -> None:
    raws = gather(conn, ids, clock)
    today = clock.today()
    rows = []
    for cid, raw in raws.items():
        found = compute(cid, raw, book, today)
        rows.append((found.segment, found.risk, found.clv, found.value_at_risk, cid))
    # Only rows whose figures moved are written (a full refresh on a quiet day writes few).
    conn.executemany(
        "UPDATE customer SET segment = ?1, risk = ?2, clv = ?3, value_at_risk = ?4 "
        "WHERE id = ?5 AND (segment IS NOT ?1 OR risk != ?2 OR clv != ?3 "
        "OR value_at_risk != ?4)",
        rows,
    )


def _install_service_triggers(conn: sqlite3.Connection) -> None:
    if not has_table(conn, "service"):
        return
    names = {
        r[0]
        for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'tr_insight_s%'"
        )
    }
    missing = [name for name in SERVICE_TRIGGERS if name not in names]
    if missing:
        with _writing(conn):
            for name in missing:
                conn.execute(f"CREATE TRIGGER IF NOT EXISTS {name} {SERVICE_TRIGGERS[name]}")


@contextmanager
def _writing(conn: sqlite3.Connection) -> Iterator[None]:
    """One write transaction, or a part of the caller's when one is open."""
    if conn.in_transaction:
        yield
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
