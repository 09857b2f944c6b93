"""The benchmark harness runs end to end on the small size (its numbers are not checked)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow  # runs every case end to end (about a minute)
def test_bench_small_writes_results_and_table(tmp_path: Path) -> None:
    env = os.environ | {"CRM_BENCH_DATA": str(tmp_path / "data")}
    done = subprocess.run(
        [sys.executable, "-m", "bench", "--size", "small", "--out", str(tmp_path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    results = json.loads((tmp_path / "results.json").read_text())
    cases = results["sizes"]["small"]["cases"]
    assert set(cases) >= {"generate", "startup", "search", "desk", "lists", "cli", "memory"}
    for case in cases.values():
        for row in case["rows"]:
            assert row.get("median") is not None, row
    table = (tmp_path / "RESULTS.md").read_text()
    assert "| search |" in table and "## Size `small`" in table
