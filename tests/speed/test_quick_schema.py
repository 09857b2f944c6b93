"""The quick read commands know the record registry (types, titles, fields and kinds) from a
file kept beside the domain package's bytecode instead of importing domain/fields.py (a
third of a quick `crm show`): the same facts, read again when a domain file changes, and
nothing written when bytecode is not."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from crm_tui.storage import quick_schema


def _facts(specs) -> list:
    return [
        (
            name,
            spec.title_field,
            list(spec.field_names),
            [spec.by_name[f].kind for f in spec.field_names],
        )
        for name, spec in specs.items()
    ]


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "__pycache__" / "quick_schema.json"
    monkeypatch.setattr(quick_schema, "_CACHE", str(path))
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    quick_schema.registry.cache_clear()
    yield path
    quick_schema.registry.cache_clear()


def test_the_kept_registry_is_the_registry(cache: Path) -> None:
    from crm_tui.domain.fields import ENTITIES

    first = quick_schema.registry()
    assert cache.is_file()
    quick_schema.registry.cache_clear()
    kept = quick_schema.registry()  # read from the file this time
    assert _facts(first) == _facts(kept) == _facts(ENTITIES)


def test_a_changed_domain_file_reads_the_registry_again(cache: Path) -> None:
    quick_schema.registry()
    data = json.loads(cache.read_text("utf-8"))
    data["stamp"][0][1] -= 1  # as if a domain file had changed since
    data["entities"] = {"customer": ["name", []]}
    cache.write_text(json.dumps(data), "utf-8")
    quick_schema.registry.cache_clear()
    assert len(quick_schema.registry()) > 30
    assert json.loads(cache.read_text("utf-8"))["entities"] != {"customer": ["name", []]}


def test_a_broken_file_is_replaced(cache: Path) -> None:
    cache.parent.mkdir(parents=True)
    cache.write_text("{not json", "utf-8")
    assert "customer" in quick_schema.registry()
    assert "customer" in json.loads(cache.read_text("utf-8"))["entities"]


def test_nothing_is_written_without_bytecode(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", True)
    assert "activity" in quick_schema.registry()
    assert not cache.exists()


def test_a_quick_show_does_not_load_the_registry(crm_demo_book: Path) -> None:
    import sqlite3

    conn = sqlite3.connect(crm_demo_book)
    ref = conn.execute("SELECT id FROM activity ORDER BY rowid LIMIT 1").fetchone()[0]
    conn.close()
    code = (
        "import sys; from crm_tui import launch; sys.argv = ['crm', *sys.argv[1:]]; "
        "launch.main(); print('crm_tui.domain.fields' in sys.modules, file=sys.stderr)"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    argv = [sys.executable, "-c", code, "--db", str(crm_demo_book), "show", ref]
    subprocess.run(argv, capture_output=True, text=True, env=env, check=True)  # keeps it
    out = subprocess.run(argv, capture_output=True, text=True, env=env, check=True)
    assert out.stdout.startswith("follow-up ")
    assert out.stderr.strip() == "False"
