"""Provides the demo book for `crm demo`: write one (or reuse today's) and say what is in it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from crm_tui.demo import demo_stamp, existing_stamp, generate, iter_summary
from crm_tui.domain.dates import Clock

__all__ = ["prepare"]


def prepare(
    path: Path, *, customers: int, seed: int, clock: Clock, fresh: bool = False
) -> Iterator[str]:
    """Write a demo book at `path` unless today's file of the same size and seed is there
    (or `fresh`); lines saying what was done. `OSError` when the file cannot be written."""
    # Today's file is reused, so the app opens at once and what the rep tried in it is
    # still there; dates are relative to the day it was made.
    if not fresh and existing_stamp(path) == demo_stamp(customers, seed, clock):
        yield "today's demo data (use --fresh for new data)"
        return
    yield from iter_summary(generate(path, customers=customers, seed=seed, clock=clock))
