"""Provides hybrid logical clocks (wall ms, counter, device) that order edits across laptops.

Encoded as fixed-width text so that string order is clock order: '0001763900000000-000000-dev'.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Timestamp:
    wall_ms: int
    counter: int
    node: str

    def encode(self) -> str:
        return f"{self.wall_ms:016d}-{self.counter:06d}-{self.node}"

    @classmethod
    def decode(cls, text: str) -> Timestamp:
        wall, counter, node = text.split("-", 2)
        return cls(int(wall), int(counter), node)

    def __str__(self) -> str:
        return self.encode()


MAX_COUNTER = 999_999


def wall_clock_ms() -> int:
    return time.time_ns() // 1_000_000


class HybridClock:
    """Issues timestamps that never go backwards, even when the wall clock does."""

    def __init__(
        self, node: str, last: str | None = None, wall: Callable[[], int] = wall_clock_ms
    ) -> None:
        self.node = node
        self.wall = wall
        self.last = Timestamp.decode(last) if last else Timestamp(0, 0, node)

    def tick(self) -> Timestamp:
        """A timestamp for a local event (an edit)."""
        now = self.wall()
        if now > self.last.wall_ms:
            self.last = Timestamp(now, 0, self.node)
        elif self.last.counter < MAX_COUNTER:
            self.last = Timestamp(self.last.wall_ms, self.last.counter + 1, self.node)
        else:
            # The counter has six digits: a seventh would sort wrongly as text and fail the
            # protocol's pattern. A frozen or lagging wall clock moves on a millisecond.
            self.last = Timestamp(self.last.wall_ms + 1, 0, self.node)
        return self.last

    def now(self) -> Timestamp:
        """The latest timestamp issued or seen (what a server returns as its own clock)."""
        return self.last

    def observe(self, remote: str | Timestamp) -> None:
        """Ratchet past a clock seen from elsewhere, so later edits here order after it."""
        other = Timestamp.decode(remote) if isinstance(remote, str) else remote
        if (other.wall_ms, other.counter) > (self.last.wall_ms, self.last.counter):
            self.last = Timestamp(other.wall_ms, other.counter, self.node)


MAX_FUTURE_MS = 5 * 60 * 1000


def clamp_future(stamp: str, now_ms: int, max_ahead_ms: int = MAX_FUTURE_MS) -> str:
    """A clock from a laptop whose wall clock runs more than `max_ahead_ms` fast is pulled
    back to `now_ms` (keeping its counter and device), so it cannot win every future edit."""
    ts = Timestamp.decode(stamp)
    if ts.wall_ms <= now_ms + max_ahead_ms:
        return stamp
    return Timestamp(now_ms, ts.counter, ts.node).encode()
