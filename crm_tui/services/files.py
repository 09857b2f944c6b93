"""Provides files (issue 17, 文件管理) for screens and the CLI: attach a file to any record
or put it in the team library (with folders), list a record's files, open one with the
system viewer (downloading it first when this laptop does not hold it), save a copy, pin
it for offline use, delete it.

Content is stored once by SHA-256 next to the book (storage/blobs.py); the limits are
domain/file_specs.py's and are checked here before anything is copied or uploaded.
"""

from __future__ import annotations

import mimetypes
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from crm_tui.domain.fields import FieldError, ValidationErrors
from crm_tui.domain.file_specs import (
    MAX_FILE_BYTES,
    NOT_ATTACHABLE,
    TEAM_QUOTA_BYTES,
    human_size,
    over_quota,
    too_large,
)
from crm_tui.services.sales_repos import db_of
from crm_tui.storage import repos_files
from crm_tui.storage.blobs import BlobStore, blob_root
from crm_tui.storage.repository import NotFound

if TYPE_CHECKING:
    from crm_tui.domain.models import Attachment, Folder
    from crm_tui.services.book import Book
    from crm_tui.storage.repos_files import FileRepositories

__all__ = [
    "MAX_FILE_BYTES",
    "NotFound",
    "ValidationErrors",
    "TEAM_QUOTA_BYTES",
    "FileNotHere",
    "attach",
    "attach_receipt",
    "attach_to",
    "check_file",
    "delete_file",
    "files_of",
    "find_file",
    "find_folder",
    "find_record",
    "human_size",
    "is_here",
    "is_pinned",
    "used_text",
    "library",
    "new_folder",
    "open_path",
    "pin",
    "receipts_of",
    "save_copy",
    "show_in_viewer",
]


class FileNotHere(LookupError):
    """The file's content is not on this laptop and cannot be fetched now; `str()` says why."""


def _error(field_name: str, message: str) -> ValidationErrors:
    return ValidationErrors([FieldError(field_name, message)])


def repos(book: Book) -> FileRepositories:
    return db_of(book).repos.files


def store(book: Book) -> BlobStore:
    return BlobStore(blob_root(db_of(book).path))


def check_file(book: Book, path: str | Path, *, field_name: str = "file") -> int:
    """The size of the file at `path`, after the per-file limit and the team quota: a
    refusal (ValidationErrors on `field_name`) comes before anything is copied or uploaded."""
    source = Path(path).expanduser()
    if not source.is_file():
        raise _error(field_name, f"no file at {path}")
    size = source.stat().st_size
    used = repos(book).attachments.used_bytes()
    problem = too_large(source.name, size) or over_quota(size, used)
    if problem:
        raise _error(field_name, problem)
    return size


def attach_receipt(book: Book, expense_id: str, path: str | Path) -> Attachment:
    """A claim's receipt scan as a file on the claim, so it syncs and opens on the
    manager's laptop (the claim's `receipt` text keeps the file's name; a value from before
    files existed is a local path, still shown as it was)."""
    check_file(book, path, field_name="receipt")
    return attach(book, "expense", expense_id, path, note="receipt")


def receipts_of(book: Book, expense_id: str) -> list[Attachment]:
    return [a for a in files_of(book, "expense", expense_id) if a.note == "receipt"]


def attach(
    book: Book,
    entity: str | None,
    record_id: str | None,
    path: str | Path,
    *,
    name: str | None = None,
    folder_id: str | None = None,
    note: str | None = None,
) -> Attachment:
    """Hang the file at `path` on a record (`entity` + `record_id`), or with both None put
    it in the team library (optionally in `folder_id`); content is copied in once."""
    source = Path(path).expanduser()
    check_file(book, source)
    if entity is not None and entity in NOT_ATTACHABLE:
        raise _error("record_entity", f"files cannot hang on a {entity}")
    sha, size = store(book).put_file(source)
    file_name = name or source.name
    here = (
        files_of(book, entity, record_id)
        if record_id
        else repos(book).attachments.in_folder(folder_id)
    )
    for twin in here:  # the same content under the same name: listed twice, to no end
        if twin.sha256 == sha and twin.name == file_name:
            raise _error("name", f"{file_name} is already attached here ({twin.id[:13]})")
    values = {
        "name": file_name,
        "record_entity": entity,
        "record_id": record_id,
        "folder_id": folder_id,
        "sha256": sha,
        "size": size,
        "mime": mimetypes.guess_type(file_name)[0],
        "note": note,
    }
    return repos(book).attachments.create({k: v for k, v in values.items() if v is not None})


def attach_to(book: Book, record_ref: str, path: str | Path, **kwargs: object) -> Attachment:
    """`attach` to the record an id (or unique id prefix) names, whatever its kind."""
    entity, rec = find_record(book, record_ref)
    return attach(book, entity, rec.id, path, **kwargs)  # type: ignore[arg-type]


def files_of(book: Book, entity: str | None, record_id: str) -> list[Attachment]:
    """A record's files, by name (`entity` is accepted for symmetry; ids are unique)."""
    found = repos(book).attachments.of_record(record_id)
    return [a for a in found if entity is None or a.record_entity == entity]


def find_file(book: Book, ref: str) -> Attachment:
    return repos(book).attachments.resolve(ref)


def find_folder(book: Book, ref: str) -> Folder:
    """A library folder by id, id prefix or name; several of one name are listed with the
    ids that tell them apart."""
    try:
        return repos(book).folders.resolve(ref)
    except NotFound as exc:
        if "more than one" not in str(exc):
            raise
    from crm_tui.services.short_ids import short_ids

    same = [f for f in repos(book).folders.page(limit=1000) if f.name == ref.strip()]
    shorts = short_ids(book, (f.id for f in same))
    listed = ", ".join(f"{f.name}/ ({shorts[f.id]})" for f in same[:5])
    raise NotFound(f"'{ref}' names more than one folder: {listed}; give the id")


def find_record(book: Book, ref: str) -> tuple[str, object]:
    """(entity, record) of any live record an id or unique id prefix names."""
    entity, rec = db_of(book).repos.find_any(ref)
    if getattr(rec, "deleted", False):
        raise _error("record_id", f"{entity} '{ref}' is deleted")
    return entity, rec


def library(book: Book, folder_id: str | None = None) -> tuple[list[Folder], list[Attachment]]:
    """The team library at one folder (None: the top): its folders, then its files."""
    r = repos(book)
    return r.folders.children(folder_id), r.attachments.in_folder(folder_id)


def new_folder(book: Book, name: str, parent_id: str | None = None) -> Folder:
    """A new library folder; refused when its parent already has one of that name (two of
    one name could not be told apart by `--folder NAME` or on screen)."""
    wanted = name.strip()
    for sibling in repos(book).folders.children(parent_id):
        if sibling.name.strip().casefold() == wanted.casefold():
            raise _error("name", f"the folder '{sibling.name}' is already there; use it")
    values = {"name": wanted} | ({"parent_id": parent_id} if parent_id else {})
    return repos(book).folders.create(values)


def is_here(book: Book, attachment: Attachment) -> bool:
    return store(book).has(attachment.sha256)


def open_path(book: Book, attachment_id: str, *, fetch: bool = True) -> Path:
    """The path of a file's content on this laptop, downloaded from the team server first
    when it is not here (raises FileNotHere when it cannot be)."""
    rec = repos(book).attachments.require(attachment_id)
    blobs = store(book)
    if blobs.has(rec.sha256):
        return blobs.path(rec.sha256)
    if not fetch:
        raise FileNotHere(f"{rec.name} is not on this laptop yet")
    fetch_blob(book, rec.sha256, rec.size)
    return blobs.path(rec.sha256)


def fetch_blob(book: Book, sha: str, size: int) -> None:
    """Download one blob from the team server (first open, or pinned)."""
    from crm_tui.sync.blobs import download
    from crm_tui.sync.client import SyncClient, SyncError

    db = db_of(book)
    try:
        with SyncClient.for_database(db.path, retries=1) as client:
            download(client, store(book), sha)
    except SyncError as exc:
        raise FileNotHere(
            f"the file is not on this laptop and could not be fetched: {exc}"
        ) from None
    repos_files.note_blob(db, sha, size, uploaded=True)


def save_copy(book: Book, attachment_id: str, dest: str | Path) -> Path:
    """Copy a file out: into `dest` when it is a folder (under the file's name), else to
    `dest` itself; never over an existing file."""
    rec = repos(book).attachments.require(attachment_id)
    source = open_path(book, rec.id)
    target = Path(dest).expanduser()
    if target.is_dir():
        target = target / Path(rec.name).name
    if target.exists():
        raise _error("dest", f"{target} exists already; choose another name")
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    return target


def viewer_command() -> str | None:
    """The system viewer: `open` on macOS, `xdg-open` elsewhere (None if missing)."""
    name = "open" if sys.platform == "darwin" else "xdg-open"
    return shutil.which(name)


def show_in_viewer(book: Book, attachment_id: str) -> Path:
    """Open a file with the system viewer (a copy under its own name, so the viewer knows
    its type); returns the path opened."""
    rec = repos(book).attachments.require(attachment_id)
    source = open_path(book, rec.id)
    command = viewer_command()
    if command is None:
        raise FileNotHere("no system viewer found (xdg-open or open); save a copy instead")
    view_dir = store(book).root / "view" / rec.id
    view_dir.mkdir(parents=True, exist_ok=True)
    target = view_dir / Path(rec.name).name
    if not target.exists():
        shutil.copyfile(source, target)
    subprocess.Popen(
        [command, str(target)],
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        env=os.environ.copy(),
    )
    return target


def pin(book: Book, attachment_id: str, on: bool = True) -> bool:
    """Keep a file on this laptop for offline use (fetched at the next sync if missing)."""
    rec = repos(book).attachments.require(attachment_id)
    repos_files.set_pinned(db_of(book), rec.sha256, rec.size, on)
    return on


def is_pinned(book: Book, attachment: Attachment) -> bool:
    return repos_files.is_pinned(db_of(book), attachment.sha256)


def delete_file(book: Book, attachment_id: str) -> Attachment:
    """Delete an attachment; its content stays while another attachment uses it and until
    the next sync (so undo brings it back), then goes (`sync/blobs.py`)."""
    from crm_tui.domain.permissions import why_not_write

    rec = repos(book).attachments.require(attachment_id)
    # As the server rules: a file is deleted by whoever attached it, or a manager.
    if why_not_write(book.actor, "attachment", "delete", rec.owner_id, exists=True):
        raise _error("file", "only whoever attached this file (or a manager) can delete it")
    return repos(book).attachments.delete(rec.id)


def used_text(book: Book) -> str:
    used = repos(book).attachments.used_bytes()
    return f"{human_size(used)} of {human_size(TEAM_QUOTA_BYTES)}"
