"""Provides the server's hybrid clock, shared by request threads."""

from __future__ import annotations

import threading

from crm_tui.domain.hlc import HybridClock, clamp_future, wall_clock_ms

# A laptop clock further ahead than this is pulled back to the server's time on receipt, so
# an edit stamped minutes ahead cannot beat an honest later one (README "Server limits").
SERVER_MAX_AHEAD_MS = 60_000


class ServerClock:
    def __init__(self, max_ahead_ms: int = SERVER_MAX_AHEAD_MS) -> None:
        self._hlc = HybridClock("server")
        self._lock = threading.Lock()
        self.max_ahead_ms = max_ahead_ms

    def receive(self, stamp: str) -> str:
        """A laptop's clock as the server accepts it (clamped if far ahead), observed."""
        with self._lock:
            accepted = clamp_future(stamp, wall_clock_ms(), self.max_ahead_ms)
            self._hlc.observe(accepted)
            return accepted

    def tick(self) -> str:
        with self._lock:
            return self._hlc.tick().encode()

    def now(self) -> str:
        with self._lock:
            return self._hlc.now().encode()
