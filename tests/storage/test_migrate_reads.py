"""The start-up check of the book's schema (storage/migrate.py): a current book reads none of
the migration files (their names say which versions exist); an older one reads and
applies only the ones it lacks, in version order."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from crm_tui.storage import migrate as migrations
from crm_tui.storage.migrate import all_migrations, migrate_file


@pytest.fixture
def reads(monkeypatch) -> list[str]:
    """The names of the migration files read."""
    seen: list[str] = []
    real = Path.read_text

    def read_text(self: Path, *args, **kwargs) -> str:
        if self.suffix == ".sql":
            seen.append(self.name)
        return real(self, *args, **kwargs)

    monkeypatch.setattr(Path, "read_text", read_text)
    return seen


def test_a_current_book_reads_no_migration_file(tmp_path: Path, reads: list[str]) -> None:
    path = tmp_path / "book.db"
    versions = [m.version for m in all_migrations()]
    reads.clear()
    assert migrate_file(path) == versions  # a new book: every one, in order
    assert len(reads) == len(versions)
    reads.clear()
    assert migrate_file(path) == []
    assert reads == []


def test_an_older_book_reads_only_what_it_lacks(tmp_path: Path, reads: list[str]) -> None:
    path = tmp_path / "old.db"
    versions = [m.version for m in all_migrations()]
    migrate_file(path, upto=versions[-3])
    reads.clear()
    assert migrate_file(path) == versions[-2:]
    assert [int(name[:4]) for name in reads] == versions[-2:]
    stored = sqlite3.connect(path).execute("SELECT version FROM schema_migrations").fetchall()
    assert sorted(v for (v,) in stored) == versions


def test_the_names_found_are_the_migrations(tmp_path: Path) -> None:
    found = sorted((version, name) for version, name, _ in migrations._files())
    assert found == [(m.version, m.name) for m in all_migrations()]
    assert len(found) >= 30
