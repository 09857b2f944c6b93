"""The pty typing harness types into the real app and reports echo and settle per key (its
numbers are not checked: no timed assertions)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CRM = str(Path(sys.executable).with_name("crm"))


def _harness():
    """bench/pty_typing.py by path: here `bench` names this tests folder's package."""
    spec = importlib.util.spec_from_file_location("pty_typing", ROOT / "bench" / "pty_typing.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["pty_typing"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_harness_reports_echo_and_settle_per_key(tmp_path: Path) -> None:
    book = tmp_path / "book.db"
    subprocess.run(
        [CRM, "--db", str(book), "demo", "--no-open", "--customers", "200"],
        check=True,
        capture_output=True,
        timeout=60,
    )
    harness = _harness()
    plan = harness.Plan(words=["ac", "北"], read_pause=0.3, clear_pause=0.2)
    session = harness.crm_session(book, plan, now=None, crm=CRM)

    assert [k.label for k in session.keys] == ["ac[1]", "ac[2]", "ac<bs2>", "ac<bs1>"] + [
        "北[1]",
        "北<bs1>",
    ]
    assert [k.value for k in session.keys] == ["a", "ac", "a", "", "北", ""]
    for key in session.keys:
        assert key.echo_ms is not None, key
        assert key.settle_ms is not None, key
    summary = session.summary()
    assert summary["keys"] == 6 and summary["no_echo"] == 0
    assert summary["echo_ms"]["p50"] is not None  # type: ignore[index]
    text = harness.report(
        {
            "bytecode": {"compiled": False},
            "load_average_start": [0.0],
            "load_average_end": [0.0],
            "crm": summary,
        }
    )
    assert "echo_ms" in text and "settle_ms" in text and "bytecode compiled first: NO" in text
