"""Provides the sign-in rate limit: failed enrolments and unknown tokens are counted per
address and per user name in the database (`sign_in_failure`, shared by every worker); a
key past its limit gets 429 with Retry-After until its window ends, and each block is logged.

A blocked key is also remembered in memory, so a blocked address is turned away before its
token is even looked up; a worker that has not seen the block yet learns it from the
database at that address's next failure.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from datetime import datetime, timedelta

from crm_tui.domain.dates import utc
from crm_tui.server.core.config import Settings
from crm_tui.server.core.db import ServerDB
from crm_tui.server.crud.errors import RateLimited
from crm_tui.server.crud.records import utcnow
from crm_tui.server.models import SignInFailure

log = logging.getLogger("crm_tui.server.signin")


def address_key(host: str | None) -> str:
    return f"addr:{host or 'unknown'}"


def user_key(name: str) -> str:
    return f"user:{name.strip().lower()[:100]}"


class SignInGuard:
    def __init__(self, db: ServerDB, settings: Settings) -> None:
        self.db = db
        self.window = timedelta(seconds=settings.signin_window_s)
        self.limits = {"addr": settings.signin_per_address, "user": settings.signin_per_user}
        self._blocked: dict[str, datetime] = {}
        self._lock = threading.Lock()

    def check(self, keys: Iterable[str]) -> None:
        """429 (RateLimited) when any key is blocked now (memory only: no query)."""
        now = utcnow()
        with self._lock:
            until = max((self._blocked.get(k, now) for k in keys), default=now)
        if until > now:
            raise RateLimited(_message(until, now), _seconds(until, now))

    def fail(self, keys: Iterable[str], what: str) -> None:
        """Count one failure on every key; raises RateLimited when one is now blocked."""
        keys = list(keys)
        now = utcnow()
        blocked: dict[str, datetime] = {}
        with self.db.write() as s:
            for key in keys:
                row = s.get(SignInFailure, key, with_for_update=True)
                if row is None:
                    row = SignInFailure(key=key, window_start=now, failures=0)
                elif utc(row.window_start) + self.window <= now and not _blocked(row, now):
                    row.window_start, row.failures, row.blocked_until = now, 0, None
                row.failures += 1
                if row.failures >= self.limits[key.split(":", 1)[0]] and not _blocked(row, now):
                    row.blocked_until = now + self.window
                    log.warning(
                        "sign-in blocked for %s after %d failures (%s)", key, row.failures, what
                    )
                if _blocked(row, now):
                    blocked[key] = utc(row.blocked_until)  # type: ignore[assignment]
                s.add(row)
        log.info("failed sign-in (%s) for %s", what, ", ".join(keys))
        if blocked:
            with self._lock:
                self._blocked.update(blocked)
            until = max(blocked.values())
            raise RateLimited(_message(until, now), _seconds(until, now))


def _blocked(row: SignInFailure, now: datetime) -> bool:
    return row.blocked_until is not None and utc(row.blocked_until) > now  # type: ignore[operator]


def _seconds(until: datetime, now: datetime) -> int:
    return max(1, int((until - now).total_seconds() + 0.999))


def _message(until: datetime, now: datetime) -> str:
    return f"too many failed sign-ins; try again in {_seconds(until, now)} s"
