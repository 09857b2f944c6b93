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
