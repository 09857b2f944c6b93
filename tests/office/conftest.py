"""Fixtures of the office tests: a fake $EDITOR and small scripts."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest


def script(path: Path, body: str) -> Path:
    path.write_text("#!/bin/sh\n" + body, encoding="utf-8")
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return path


@pytest.fixture
def editor(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """$EDITOR is a script that appends the given lines to the file it is handed and keeps
    a copy of what it was shown."""

    def use(lines: str) -> Path:
        shown = tmp_path / "shown.txt"
        text = tmp_path / "append.txt"
        text.write_text(lines, encoding="utf-8")
        made = script(tmp_path / "ed.sh", f'cp "$1" {shown}\ncat {text} >> "$1"\n')
        monkeypatch.delenv("VISUAL", raising=False)
        monkeypatch.setenv("EDITOR", str(made))
        return shown

    return use
