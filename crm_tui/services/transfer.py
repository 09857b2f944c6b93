"""Provides the import, export, backup and restore use cases for the CLI and the import screen.

Thin wrappers over crm_tui/io that take a `Book`: a CSV or vCard import (with a dry-run
preview), exports as CSV, vCard or a ledger journal, and whole-file backup and restore
(these two work on a path: a restore replaces the file, so no `Book` may hold it open).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from crm_tui.io import backup as _backup
from crm_tui.io import csv_export, csv_import, ledger, vcard
from crm_tui.io.backup import BackupError
from crm_tui.io.csv_import import CsvPlan, estimate_rows
from crm_tui.io.records import IMPORTABLE
from crm_tui.io.results import ImportFailed, ImportResult, write_report

if TYPE_CHECKING:
    from crm_tui.services.book import Book

__all__ = [
    "IMPORTABLE",
    "BackupError",
    "CsvPlan",
    "ImportDone",
    "ImportFailed",
    "ImportPreview",
    "ImportResult",
    "backup",
    "calendar",
    "estimate_rows",
    "export_csv",
    "export_ledger",
    "export_vcard",
    "import_csv",
    "import_file",
    "import_vcard",
    "is_vcard",
    "merged",
    "plan_csv",
    "preview_file",
    "restore",
    "write_report",
]

PREVIEW_ROWS = 20


# --- imports -------------------------------------------------------------------------------
def plan_csv(
    path: Path,
    entity: str,
    explicit: Mapping[str, str] | None = None,
    encoding: str | None = None,
    delimiter: str | None = None,
) -> CsvPlan:
    """Read a CSV file and decide its encoding, delimiter, header row and column mapping."""
    return csv_import.plan_csv(path, entity, explicit, encoding, delimiter)


def import_csv(
    book: Book,
    plan: CsvPlan,
    entity: str,
    *,
    on_duplicate: str = "skip",
    dry_run: bool = False,
    progress: Callable[[int], None] | None = None,
    strict: bool = False,
) -> ImportResult:
    """Import the planned CSV rows (`ImportFailed` when the file itself is unusable)."""
    return csv_import.import_plan(
        book.db,
        plan,
        entity,
        on_duplicate=on_duplicate,
        dry_run=dry_run,
        progress=progress,
        strict=strict,
    )


def import_vcard(
    book: Book,
    path: Path,
    *,
    on_duplicate: str = "skip",
    dry_run: bool = False,
    strict: bool = False,
) -> tuple[ImportResult, ImportResult]:
    """Import a .vcf file: (customers, contacts) results."""
    return vcard.import_vcard(
        book.db, path, on_duplicate=on_duplicate, dry_run=dry_run, strict=strict
    )


def is_vcard(path: Path) -> bool:
    return path.suffix.lower() in (".vcf", ".vcard")


def merged(results: list[ImportResult]) -> ImportResult:
    """One result holding every refused and duplicate row of several (for one report)."""
    out = ImportResult(results[0].entity)
    for result in results:
        out.rejected += result.rejected
        out.duplicates += result.duplicates
    return out


@dataclass
class ImportPreview:
    """What importing a file would do, without changing anything."""

    path: Path
    notes: str
    headers: list[str]
    rows: list[Any]  # (line, values | None, refused reason) for the first rows
    results: list[ImportResult] = field(default_factory=list)


@dataclass
class ImportDone:
    """What an import did; `report` is where the refused rows went (or why it could not)."""

    results: list[ImportResult]
    report: str | None


def preview_file(
    book: Book, path: Path, entity: str, policy: str, *, rows: int = PREVIEW_ROWS
) -> ImportPreview:
    """A dry run of importing `path` (CSV as `entity`, or a vCard file) with a duplicate
    policy; the first rows as they would be read."""
    if is_vcard(path):
        results = list(import_vcard(book, path, on_duplicate=policy, dry_run=True))
        notes = "vCard file: cards with an ORG become contacts, the others customers"
        return ImportPreview(path, notes, [], [], results)
    plan = plan_csv(path, entity)
    first = plan.preview(rows)
    result = import_csv(book, plan, entity, on_duplicate=policy, dry_run=True)
    fields = list(dict.fromkeys(plan.mapping[i] for i in sorted(plan.mapping)))
    return ImportPreview(path, "\n".join(plan.notes()), fields, first, [result])


def import_file(book: Book, path: Path, entity: str, policy: str) -> ImportDone:
    """Import `path` for real; refused and duplicate rows go to FILE.rejected.csv."""
    if is_vcard(path):
        results = list(import_vcard(book, path, on_duplicate=policy))
        headers = ["card"]
    else:
        plan = plan_csv(path, entity)
        results = [import_csv(book, plan, entity, on_duplicate=policy)]
        headers = plan.headers
    problems = merged(results)
    report: str | None = None
    if problems.rejected or problems.duplicates:
        target = path.with_name(path.stem + ".rejected.csv")
        try:  # the import is already saved: a report that cannot be written is a note
            write_report(target, problems, headers)
            report = str(target)
        except OSError as exc:
            report = f"(could not be written to {target}: {exc.strerror or exc})"
    return ImportDone(results, report)


# --- exports (a bad query raises ValueError naming the token) --------------------------------
def export_csv(book: Book, entity: str, out: IO[str], query: str | None = None) -> int:
    """Write one record type as CSV that `import_csv` reads back; returns the row count."""
    return csv_export.export_csv(book.db, entity, out, query)


def export_vcard(book: Book, out: IO[str], query: str | None = None, version: str = "3.0") -> int:
    """Write customers and contacts as vCards; returns the card count."""
    return vcard.export_vcard(book.db, out, query, version)


def export_ledger(book: Book, out: IO[str], query: str | None = None) -> int:
    """Write expense claims as an hledger/ledger journal; returns the claim count."""
    return ledger.export_ledger(book.db, out, query)


def calendar(
    book: Book, query: str = "", *, days: int = 30, include_done: bool = False
) -> tuple[bytes, int]:
    """Follow-ups due within `days` days (overdue included) that `query` selects, as an
    iCalendar file with an alarm at each reminder time; (bytes, event count).
    Raises the query language's QueryError for a bad query."""
    from crm_tui.domain.filter import IsEmpty, Range
    from crm_tui.io.ical import FollowUpEvent, to_ics
    from crm_tui.services import lists
    from crm_tui.services.records import names_of
    from crm_tui.storage import filter_sql

    clock = book.clock
    end = clock.day_start_utc(clock.today() + timedelta(days=days))
    wanted = lists.compile(book, "activity", query).and_(
        IsEmpty("due_at", empty=False), Range("due_at", end=end)
    )
    if not include_done:
        wanted = wanted.and_(IsEmpty("done_at"))
    records = book.db.repos.activities.page(where=filter_sql.where(wanted), limit=100_000)
    names = names_of(book, "customer", (r.customer_id for r in records))
    events = [
        FollowUpEvent(
            r.id,
            r.subject,
            r.kind,
            r.due_at,
            r.all_day,
            r.remind_at,
            r.updated_at,
            r.created_at,
            names.get(r.customer_id),
            r.notes,
        )
        for r in records
    ]
    return to_ics(events, clock), len(events)


# --- whole-file backup and restore (`BackupError` says what is wrong) ------------------------
def backup(db_path: Path | str, out: Path | str) -> dict[str, int]:
    """Write a verified JSON snapshot of the file at `db_path`; rows per table."""
    return _backup.write_backup(db_path, out)


def restore(source: Path | str, db_path: Path | str, *, force: bool = False) -> dict[str, int]:
    """Replace the file at `db_path` with a backup (all or nothing); rows per table."""
    return _backup.restore_backup(source, db_path, force=force)


def backup_files(db_path: Path | str, out: Path | str) -> int:
    """Copy the book's attached files (receipts, scans, photos) beside the backup, in
    `<out>.files` laid out as the book keeps them: a book that never synced has them
    nowhere else. Returns how many."""
    from crm_tui.storage.blobs import BlobStore, blob_root

    source = BlobStore(blob_root(Path(db_path)))
    target = BlobStore(blob_root(Path(out)))
    copied = 0
    for sha in source.shas():
        if not target.has(sha):
            source.copy_out(sha, target.path(sha))
        copied += 1
    return copied


def restore_files(source: Path | str, db_path: Path | str) -> int:
    """Bring back the attached files `backup_files` kept beside the backup `source` (each
    checked against its hash on the way in: a damaged copy is not taken)."""
    from crm_tui.storage.blobs import BlobStore, blob_root

    kept = BlobStore(blob_root(Path(source)))
    book = BlobStore(blob_root(Path(db_path)))
    restored = 0
    for sha in kept.shas():
        if book.has(sha):
            restored += 1
            continue
        got, _ = book.put_file(kept.path(sha))
        if got == sha:
            restored += 1
        else:  # damaged: stored under what it hashes to, which nothing names
            book.remove(got)
    return restored
