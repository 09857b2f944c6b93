"""The dependency rules of STYLE.md, checked in a fresh interpreter."""

from __future__ import annotations

import subprocess
import sys

CORE = [
    "crm_tui.domain.fields",
    "crm_tui.domain.models",
    "crm_tui.storage.database",
    "crm_tui.storage.repositories",
    "crm_tui.demo",
    "crm_tui.cli",
]


def test_core_never_imports_textual() -> None:
    code = (
        f"import sys; import {', '.join(CORE)}; "
        "bad = [m for m in sys.modules if m.split('.')[0] == 'textual']; print(bad)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "[]"


def test_cli_start_does_not_load_the_orm() -> None:
    """`crm` must start fast: SQLModel is imported only by commands that need it."""
    code = (
        "import sys; import crm_tui.cli; "
        "print(sorted(m for m in ('sqlmodel', 'sqlalchemy', 'fastapi', 'httpx') "
        "if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert out == "[]"
