"""Provides the benchmark cases: one module per case, each with `run(ds, log)`."""

from __future__ import annotations

import sys
from pathlib import Path


def crm_exe() -> str:
    """The `crm` script of this environment (no `uv run` in the measured time)."""
    return str(Path(sys.executable).with_name("crm"))
