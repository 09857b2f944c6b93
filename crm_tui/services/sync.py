"""Provides the sync use cases: the status line's figures, sync now, sign in, and the
conflicts and parked rows a rep reviews.

`status` is called by the status line every 5 s: it reads counts and a few settings only,
never conflict rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crm_tui.storage import outbox, parking, sync_store
from crm_tui.storage.parking import ParkedRow
from crm_tui.sync.client import (
    AuthError,
    OfflineError,
    Progress,
    SeqConflictError,
    SyncError,
    SyncReport,
    VersionError,
)

if TYPE_CHECKING:
    from crm_tui.services.book import Book
    from crm_tui.sync.protocol import EnrolResponse

__all__ = [
    "AuthError",
    "OfflineError",
    "ParkedRow",
    "SeqConflictError",
    "SyncError",
    "SyncReport",
    "SyncStatus",
    "VersionError",
    "conflict_count",
    "conflicts",
    "dismiss_conflict",
    "is_signed_in",
    "login",
    "login_file",
    "parked",
    "parked_count",
    "pending_count",
    "restore_conflict",
    "status",
    "sync_now",
]


@dataclass(frozen=True)
class SyncStatus:
    """What the status line shows about sync."""

    pending: int  # changes waiting to be pushed
    conflicts: int  # open conflicts and refused changes to review
    parked: int  # pulled rows not applied yet (waiting for a parent, or unappliable)
    last_sync_at: str | None  # ISO time of the last successful sync
    last_error: str | None  # the last sync's failure, a sentence
    online: bool | None  # None: never tried
    signed_in: bool
    user_name: str | None
    server_url: str | None


def _count(book: Book, sql: str) -> int:
    with book.db.engine.connect() as conn:
        return int(conn.exec_driver_sql(sql).scalar() or 0)


def pending_count(book: Book) -> int:
    return outbox.pending_count(book.db.engine)


def conflict_count(book: Book) -> int:
    """Open conflicts (a count: the rows are not loaded; ix_conflict_open covers it)."""
    return _count(book, "SELECT count(*) FROM conflict WHERE resolved = 0")


def parked_count(book: Book) -> int:
    return parking.count(book.db.engine)


def status(book: Book) -> SyncStatus:
    """The status line's sync figures: four counts and a few settings, nothing more."""
    db = book.db
    with db.engine.connect() as conn:
        pending, conflicts_open, parked_rows = conn.exec_driver_sql(
            "SELECT (SELECT count(*) FROM outbox), "
            "(SELECT count(*) FROM conflict WHERE resolved = 0), "
            "(SELECT count(*) FROM pull_parked)"
        ).one()
        keys = (
            outbox.LAST_SYNC_AT_KEY,
            outbox.LAST_SYNC_ERROR_KEY,
            outbox.ONLINE_KEY,
            outbox.USER_NAME_KEY,
            outbox.SERVER_URL_KEY,
        )
        marks = ", ".join("?" for _ in keys)
        state = dict(
            conn.exec_driver_sql(
                f"SELECT key, value FROM sync_state WHERE key IN ({marks})", keys
            ).all()
        )
    online = state.get(outbox.ONLINE_KEY)
    return SyncStatus(
        pending=int(pending),
        conflicts=int(conflicts_open),
        parked=int(parked_rows),
        last_sync_at=state.get(outbox.LAST_SYNC_AT_KEY),
        last_error=state.get(outbox.LAST_SYNC_ERROR_KEY),
        online=None if online is None else online == "1",
        signed_in=bool(state.get(outbox.SERVER_URL_KEY)),
        user_name=state.get(outbox.USER_NAME_KEY),
        server_url=state.get(outbox.SERVER_URL_KEY),
    )


def is_signed_in(book: Book) -> bool:
    return bool(book.db.state(outbox.SERVER_URL_KEY))


def login_file(book: Book) -> Path:
    """Where this book's device token is kept (next to the book, readable by its owner)."""
    from crm_tui.sync.http import login_path

    return login_path(book.path)


def sync_now(book: Book, *, progress: Progress | None = None, retries: int = 2) -> SyncReport:
    """Push, then pull, with the login saved next to the book. Raises `SyncError` (or a
    subclass) with a sentence for the rep; `report.summary()` says what happened."""
    from crm_tui.sync.blobs import move_blobs
    from crm_tui.sync.client import SyncClient, sync_once

    with SyncClient.for_database(book.path, retries=retries) as client:
        report = sync_once(book.db, client, progress=progress)
        # File content (issue 17): uploads, pinned downloads, unused local copies removed.
        moved = move_blobs(book.db, client).summary()
        if moved:
            report.notes.append(moved)
        return report


def login(
    book: Book, url: str, *, user: str, code: str, device_name: str = "laptop"
) -> EnrolResponse:
    """Sign this book in to a team server with a one-time enrolment code."""
    from crm_tui.sync.client import login as do_login

    return do_login(book.db, url, user=user, code=code, device_name=device_name)


def conflicts(book: Book, *, include_resolved: bool = False) -> list[dict[str, Any]]:
    """Values that lost a conflict, were refused, or were edits of a row deleted on the
    server (kind 'conflict' | 'rejected' | 'deleted'), newest first."""
    return sync_store.conflicts(book.db, include_resolved=include_resolved)


def restore_conflict(book: Book, conflict_id: int) -> str:
    """Put the losing value back as a new change (for kind 'deleted': undelete the row with
    the kept edit, one transaction); returns a sentence for the status line."""
    return sync_store.restore_conflict(book.db, conflict_id)


def dismiss_conflict(book: Book, conflict_id: int) -> None:
    sync_store.dismiss_conflict(book.db, conflict_id)


def parked(book: Book, limit: int = 1000) -> list[ParkedRow]:
    """Pulled rows not applied: each with why (the error, or the parent it waits for).
    They are retried at every sync."""
    return parking.listing(book.db.engine, limit)
