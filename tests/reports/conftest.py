"""Fixtures: the hand-worked book of business (book.py) in a temporary file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from .book import build_book


@pytest.fixture(scope="session")
def book_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("book") / "book.db"
    db, _ = build_book(path)
    db.close()
    return path


@pytest.fixture
def book(book_path: Path, tmp_path: Path) -> Path:
    """A private copy of the book, so a test may change it."""
    copy = tmp_path / "book.db"
    shutil.copy(book_path, copy)
    return copy
