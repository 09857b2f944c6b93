"""Provides who owns a customer for the pool (issue 18), from the server's own `pool_log`:
since when (the release clock), the ownership period a release is logged once for, and
whether a manager locked it. Shared by the pool commands, the standings kept on every
commit (pool_standings.py) and the release pass; imports nothing that writes records.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import bindparam, text
from sqlmodel import Session

from crm_tui.domain.fields import to_wire

CHUNK = 500  # ids per IN (...) list
_ALL = "SELECT customer_id, event, max(at) FROM pool_log GROUP BY customer_id, event"
_OF = text(
    "SELECT customer_id, event, max(at) FROM pool_log WHERE customer_id IN :ids "
    "GROUP BY customer_id, event"
).bindparams(bindparam("ids", expanding=True))


def at_utc(value: Any) -> datetime | None:
    """A stored time as read back (SQLite gives text, PostgreSQL a datetime), in UTC."""
    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def log_events(session: Session, customer_id: str | None = None) -> dict[str, dict[str, datetime]]:
    """customer id -> {event: its newest time} from the server's own pool_log (one
    customer, or every one). The pool's facts come from here, not from the row's fields,
    which a laptop could patch."""
    if customer_id is not None:
        return events_of(session, [customer_id])
    return _events(session, text(_ALL), {})


def events_of(session: Session, ids: Iterable[str]) -> dict[str, dict[str, datetime]]:
    """`log_events` of these customers only (by the log's customer index)."""
    ids = list(ids)
    out: dict[str, dict[str, datetime]] = {}
    for start in range(0, len(ids), CHUNK):
        out.update(_events(session, _OF, {"ids": ids[start : start + CHUNK]}))
    return out


def _events(session: Session, sql: Any, params: dict[str, Any]) -> dict[str, dict[str, datetime]]:
    out: dict[str, dict[str, datetime]] = {}
    for cid, event, at in session.execute(sql, params):
        moment = at_utc(at)
        if moment is not None:
            out.setdefault(cid, {})[event] = moment
    return out


@dataclass(frozen=True)
class Ownership:
    since: datetime  # when its owner got it, for the release clock
    period: str  # one ownership period: a release is logged once per period
    locked: bool


def ownership(rec: Any, values: dict[str, Any], events: dict[str, datetime]) -> Ownership:
    """The customer's ownership from the log (claim / assign / lock), else its creation. A
    `claimed_at` the laptop sent counts only when earlier (an import with its history).
    `rec` is a stored record or a batch row (owner_id, created_at)."""
    got = [t for t in (events.get("claim"), events.get("assign")) if t is not None]
    truth = max(got) if got else at_utc(rec.created_at)
    assert truth is not None
    given = at_utc(values.get("claimed_at")) if values.get("claimed_at") else None
    since = min(truth, given) if given is not None else truth
    lock, unlock = events.get("lock"), events.get("unlock")
    locked = lock is not None and (unlock is None or lock > unlock)
    return Ownership(since, f"{rec.owner_id}@{to_wire(truth)}", locked)
