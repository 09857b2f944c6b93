"""Provides `settle`: let an app's workers finish and their results paint (Pilot tests)."""

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


def row_at(table: Any, index: int) -> dict[str, Any] | None:
    """A table's row read from its source (tests only: the table itself reads pages in a
    worker and paints from its cache)."""
    source = table.source
    with table._lock:
        page = source.page(index // source.page_size)
    offset = index % source.page_size
    return page[offset] if offset < len(page) else None
