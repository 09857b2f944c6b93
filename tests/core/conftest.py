from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from crm_tui.cli import app


class CliResult:
    def __init__(self, exit_code: int, stdout: str, stderr: str) -> None:
        self.exit_code, self.stdout, self.stderr = exit_code, stdout, stderr


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "cli.db"


@pytest.fixture
def crm(db_path: Path) -> Callable[..., CliResult]:
    """Run `crm --db <tmp> --now <fixed> ARGS…` in-process, like a shell would."""
    runner = CliRunner()

    def run(*args: str, db: Path | None = None) -> CliResult:
        result = runner.invoke(
            app,
            ["--db", str(db or db_path), "--now", "2026-11-23T10:00:00+08:00", *args],
            catch_exceptions=False,
        )
        return CliResult(result.exit_code, result.stdout, result.stderr)

    return run
