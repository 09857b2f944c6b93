"""Provides the server's hybrid clock, shared by request threads and, through the database,
by every worker process and host.

Each worker keeps its own `HybridClock`, but a write transaction first reads the shared
high-water mark (`server_clock`, one row) and observes it, and writes its own clock back
before it commits when it has moved past the mark. So a stamp a worker issues is above every
stamp another worker issued or accepted in a transaction that committed before this one
began; a server stamp written on a row is also ticked past that row's own clocks (`tick`'s
`after`), which covers a transaction that committed while this one waited for the row.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable

from sqlalchemy import text
from sqlmodel import Session

from crm_tui.domain.hlc import HybridClock, clamp_future, wall_clock_ms

# A laptop clock further ahead than this is pulled back to the server's time on receipt, so
# an edit stamped minutes ahead cannot beat an honest later one (README "Server limits").
SERVER_MAX_AHEAD_MS = 60_000

_READ = text("SELECT hlc FROM server_clock WHERE id = 1")
_WRITE = text("UPDATE server_clock SET hlc = :h WHERE id = 1 AND hlc < :h")


class ServerClock:
    def __init__(self, max_ahead_ms: int = SERVER_MAX_AHEAD_MS) -> None:
        self._hlc = HybridClock("server")
        self._lock = threading.Lock()
        self.max_ahead_ms = max_ahead_ms

    def receive(self, stamp: str) -> str:
        """A laptop's clock as the server accepts it (clamped if far ahead), observed."""
        with self._lock:
            # The common case without decoding: a stamp not far ahead, at or below ours.
            if int(stamp[:16]) <= wall_clock_ms() + self.max_ahead_ms:
                last = self._hlc.last
                if (int(stamp[:16]), int(stamp[17:23])) > (last.wall_ms, last.counter):
                    self._hlc.observe(stamp)
                return stamp
            accepted = clamp_future(stamp, wall_clock_ms(), self.max_ahead_ms)
            self._hlc.observe(accepted)
            return accepted

    def tick(self, after: Iterable[str] = ()) -> str:
        """A new server stamp, above every stamp in `after` (the clocks of the row it goes on)."""
        with self._lock:
            for stamp in after:
                if stamp:
                    self._hlc.observe(stamp)
            return self._hlc.tick().encode()

    def now(self) -> str:
        with self._lock:
            return self._hlc.now().encode()

    def load(self, session: Session) -> str:
        """Observe the shared high-water mark (at the start of a transaction); returns it."""
        mark = session.connection().execute(_READ).scalar() or ""
        if mark:
            with self._lock:
                self._hlc.observe(mark)
        return mark

    def save(self, session: Session, loaded: str) -> None:
        """Raise the shared mark to this worker's clock (last in a write transaction), when
        it moved past the mark read by `load`: a transaction that issued or accepted no newer
        stamp does not touch (or wait for) the row."""
        now = self.now()
        if now > loaded:
            session.connection().execute(_WRITE, {"h": now})
