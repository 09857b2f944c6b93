"""Provides `settle` (let an app's workers finish and their results paint) and `until` /
`wait_for` (wait for a condition) for Pilot tests, `palette_search`, and `row_at`."""

from __future__ import annotations

import contextlib
from typing import Any

from textual.worker import WorkerCancelled


async def settle(pilot: Any) -> None:
    """Wait for workers (desk, table, totals loads) and let the screen repaint.

    A load superseded by a newer one (exclusive workers) is cancelled, which is not a failure.
    """
    await pilot.pause()
    for _ in range(3):
        with contextlib.suppress(WorkerCancelled):
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def until(pilot: Any, check: Any, seconds: float = 10.0) -> bool:
    """Whether `check()` holds within `seconds`, polled between short pauses (a loaded
    machine may take a while: wait on the condition, never a fixed sleep)."""
    for _ in range(int(seconds / 0.05)):
        if check():
            return True
        await pilot.pause(0.05)
    return check()


async def wait_for(pilot: Any, ready: Any, rounds: int = 100) -> None:
    """Settle until `ready()` holds (workers done, never a fixed sleep); fail the test if it
    never does."""
    for _ in range(rounds):
        await settle(pilot)
        if ready():
            return
    raise AssertionError("the screen never got there")


async def palette_search(pilot: Any, text: str, expect: str) -> None:
    """Type `text` into the open command palette and wait until it offers `expect` and its
    search is done: the palette gathers hits in a worker, one search per key, so a fixed
    pause could press enter on a half-done list on a loaded machine."""
    from textual.command import CommandList

    def offered() -> bool:
        found = pilot.app.screen.query(CommandList)
        if not found:
            return False
        hits = found.first()
        return any(
            expect in str(hits.get_option_at_index(i).prompt) for i in range(hits.option_count)
        )

    await pilot.press(*text)
    assert await until(pilot, offered), f"the palette never offered {expect!r}"
    await settle(pilot)


def row_at(table: Any, index: int) -> dict[str, Any] | None:
    """A table's row read from its source (tests only: the table itself reads pages in a
    worker and paints from its cache)."""
    source = table.source
    with table._lock:
        page = source.page(index // source.page_size)
    offset = index % source.page_size
    return page[offset] if offset < len(page) else None
