"""Provides the file repositories (issue 17): attachments (metadata of a file hung on a
record or kept in the team library), library folders, and the laptop's own record of its
blobs (`blob_local`: held here, uploaded yet, pinned for offline), plus `FileRepositories`.

An attachment's content never changes: a new version of a file is a new attachment. A blob
is removed from this laptop only when no live attachment uses it (`unreferenced`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlmodel import Session

from crm_tui.domain.fields import FieldError, ValidationErrors
from crm_tui.domain.file_specs import NOT_ATTACHABLE, too_large
from crm_tui.domain.models import MODELS, Attachment, Folder
from crm_tui.storage.repository import Repository

if TYPE_CHECKING:
    from crm_tui.storage.store import Store

_FIXED = ("sha256", "size", "record_entity", "record_id")


def _refuse(field_name: str, message: str) -> ValidationErrors:
    return ValidationErrors([FieldError(field_name, message)])


class FolderRepo(Repository[Folder]):
    """Folders of the team library (shared by the team)."""

    entity = "folder"
    default_order = ("name", "id")

    def children(self, parent_id: str | None) -> list[Folder]:
        where = [Folder.parent_id == parent_id] if parent_id else [Folder.parent_id.is_(None)]  # type: ignore[union-attr]
        return self.page(where=where, limit=1000)


class AttachmentRepo(Repository[Attachment]):
    """Files on records and in the library; the blob's local state written alongside."""

    entity = "attachment"
    default_order = ("name", "id")

    def before_create(self, s: Session, rec: Attachment, values: dict[str, Any]) -> None:
        if (rec.record_entity is None) != (rec.record_id is None):
            raise _refuse("record_id", "name both the record's kind and its id, or neither")
        if rec.record_entity is not None:
            if rec.record_entity in NOT_ATTACHABLE or rec.record_entity not in MODELS:
                raise _refuse("record_entity", f"files cannot hang on a {rec.record_entity}")
            target = s.get(MODELS[rec.record_entity], rec.record_id)
            if target is None or target.deleted:
                raise _refuse("record_id", f"no {rec.record_entity} with id {rec.record_id}")
        problem = too_large(rec.name, rec.size or 0)
        if problem:
            raise _refuse("size", problem)
        # Marked for upload even when this laptop holds the content already (downloaded):
        # the server lets a file be fetched only through a copy its owner uploaded, and
        # asks nothing more of a user who has (the upload then sends no bytes).
        s.connection().exec_driver_sql(
            "INSERT INTO blob_local(sha256, size, uploaded, pinned, added_at) "
            "VALUES (?, ?, 0, 0, ?) ON CONFLICT(sha256) DO UPDATE SET uploaded = 0",
            (rec.sha256, rec.size, self.db.clock.now().isoformat()),
        )

    def before_update(self, s: Session, rec: Attachment, changes: dict[str, Any]) -> None:
        for name in _FIXED:
            if name in changes and changes[name] != getattr(rec, name):
                raise _refuse(name, "a file's content and record are fixed; attach a new one")

    def of_record(self, record_id: str) -> list[Attachment]:
        return self.page(where=[Attachment.record_id == record_id], limit=1000)

    def in_folder(self, folder_id: str | None, limit: int = 500) -> list[Attachment]:
        where: list[Any] = [Attachment.record_id.is_(None)]  # type: ignore[union-attr]
        where.append(
            Attachment.folder_id == folder_id if folder_id else Attachment.folder_id.is_(None)  # type: ignore[union-attr]
        )
        return self.page(where=where, limit=limit)

    def users_of(self, sha: str) -> int:
        """Live attachments using this content."""
        return self.count(where=[Attachment.sha256 == sha])

    def used_bytes(self) -> int:
        """The team's stored content as this laptop knows it (each blob counted once)."""
        with self.db.reading() as s:
            row = s.connection().exec_driver_sql(
                "SELECT COALESCE(SUM(size), 0) FROM (SELECT sha256, MAX(size) AS size "
                "FROM attachment WHERE deleted = 0 GROUP BY sha256)"
            )
            return int(row.scalar() or 0)


# --- the laptop's own blobs (never synced) ---------------------------------------------
def note_blob(db: Store, sha: str, size: int, *, uploaded: bool) -> None:
    """Record that this laptop now holds a blob (downloaded ones are uploaded already)."""
    with db.transaction() as s:
        s.connection().exec_driver_sql(
            "INSERT INTO blob_local(sha256, size, uploaded, pinned, added_at) "
            "VALUES (?, ?, ?, 0, ?) ON CONFLICT(sha256) DO UPDATE SET "
            "uploaded = MAX(uploaded, excluded.uploaded)",
            (sha, size, int(uploaded), db.clock.now().isoformat()),
        )


def pending_uploads(db: Store) -> list[tuple[str, int]]:
    """Blobs made here and not yet on the server that a live attachment still uses."""
    with db.reading() as s:
        rows = s.connection().exec_driver_sql(
            "SELECT b.sha256, b.size FROM blob_local b WHERE b.uploaded = 0 AND EXISTS "
            "(SELECT 1 FROM attachment a WHERE a.sha256 = b.sha256 AND a.deleted = 0) "
            "ORDER BY b.added_at"
        )
        return [(sha, int(size)) for sha, size in rows]


def mark_uploaded(db: Store, sha: str) -> None:
    with db.transaction() as s:
        s.connection().exec_driver_sql(
            "UPDATE blob_local SET uploaded = 1 WHERE sha256 = ?", (sha,)
        )


def set_pinned(db: Store, sha: str, size: int, pinned: bool) -> None:
    with db.transaction() as s:
        s.connection().exec_driver_sql(
            "INSERT INTO blob_local(sha256, size, uploaded, pinned, added_at) "
            "VALUES (?, ?, 1, ?, ?) ON CONFLICT(sha256) DO UPDATE SET pinned = excluded.pinned",
            (sha, size, int(pinned), db.clock.now().isoformat()),
        )


def pinned(db: Store) -> dict[str, int]:
    """Pinned blobs (sha -> size): kept on this laptop for offline use."""
    with db.reading() as s:
        rows = s.connection().exec_driver_sql(
            "SELECT sha256, size FROM blob_local WHERE pinned = 1"
        )
        return {sha: int(size) for sha, size in rows}


def is_pinned(db: Store, sha: str) -> bool:
    return sha in pinned(db)


def unreferenced(db: Store, shas: list[str]) -> list[str]:
    """Of `shas`, those no live attachment uses (their content may go)."""
    if not shas:
        return []
    with db.reading() as s:
        used = {
            row[0]
            for row in s.connection().exec_driver_sql(
                "SELECT DISTINCT sha256 FROM attachment WHERE deleted = 0"
            )
        }
    return [sha for sha in shas if sha not in used]


def forget_blob(db: Store, sha: str) -> None:
    with db.transaction() as s:
        s.connection().exec_driver_sql("DELETE FROM blob_local WHERE sha256 = ?", (sha,))


class FileRepositories:
    """The file repositories of one database, by role and by entity name."""

    def __init__(self, db: Store, repos: Any = None) -> None:
        self.folders = FolderRepo(db, repos)
        self.attachments = AttachmentRepo(db, repos)
        self.by_entity: dict[str, Repository[Any]] = {
            repo.entity: repo for repo in (self.folders, self.attachments)
        }
