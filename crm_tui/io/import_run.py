"""Provides `run_import`: rows of one entity imported in ONE transaction (a dry run, or a
strict import with a refused row, rolls it all back), for every file format."""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from crm_tui.io.records import RecordImporter
from crm_tui.io.results import ImportResult

if TYPE_CHECKING:
    from crm_tui.storage.database import Database


class _Rollback(Exception):
    def __init__(self, result: ImportResult) -> None:
        self.result = result


Rows = Iterable[tuple[int, dict[str, str] | None, list[str], str | None]]


def run_import(
    db: Database,
    entity: str,
    rows: Rows,
    *,
    on_duplicate: str = "skip",
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
    notes: Iterable[str] = (),
    strict: bool = False,
    expected_rows: int = 0,
) -> ImportResult:
    """Import rows in one transaction; a dry run does all the work and rolls it back.

    Rows are written a chunk at a time as they arrive (memory stays flat); `expected_rows`
    (about how many will come, 0 if unknown) lets a large import build indexes once.

    `strict`: all or nothing — one refused row and the whole import is rolled back.

    Each row is (line, values or None, original cells, reason it was refused or None).
    """
    # An import makes millions of small objects and almost no cycles: the cycle collector
    # would rescan the live ones (a chunk of records, the duplicate keys) again and again
    # for nothing, so it waits until the import is over.
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _run_import(
            db, entity, rows, on_duplicate, dry_run, progress, notes, strict, expected_rows
        )
    finally:
        if collecting:
            gc.enable()


def _run_import(
    db: Database,
    entity: str,
    rows: Rows,
    on_duplicate: str,
    dry_run: bool,
    progress: Callable[[int], None] | None,
    notes: Iterable[str],
    strict: bool,
    expected_rows: int = 0,
) -> ImportResult:
    try:
        with db.transaction() as session:
            importer = RecordImporter(db, session, entity, on_duplicate)
            importer.expect(expected_rows)
            for note in notes:
                importer.result.note(note)
            try:
                for count, (line, values, cells, refused) in enumerate(rows, 1):
                    if values is None:
                        importer.reject(line, refused or "unreadable row", cells)
                    else:
                        importer.add(line, values, cells)
                    if progress is not None and count % 1000 == 0:
                        progress(count)
                result = importer.finish()
            finally:
                importer.close()
            result.dry_run = dry_run
            result.aborted = strict and bool(result.rejected)
            if dry_run or result.aborted:
                raise _Rollback(result)
    except _Rollback as rollback:
        return rollback.result
    return result
