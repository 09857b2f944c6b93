"""Provides `deliver`: a thread worker's read shown on the UI thread only if no newer read of
the same kind started meanwhile.

Screens re-read after every change in an `exclusive` worker (a new read cancels the older).
On a busy laptop the older read can finish last; shown as is, its figures would paint over
the newer ones and stay until the next reload. The check runs on the UI thread, where newer
reads start, so a superseded read is never shown (a check in the worker's thread leaves a
window between the check and the paint).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.app import App
from textual.worker import get_current_worker


def deliver(app: App[Any], show: Callable[..., object], *args: Any, **kwargs: Any) -> None:
    """From a thread worker: `show(*args, **kwargs)` on the UI thread (waited for), unless
    the worker was cancelled by then."""
    worker = get_current_worker()

    def if_current() -> None:
        if not worker.is_cancelled:
            show(*args, **kwargs)

    app.call_from_thread(if_current)
