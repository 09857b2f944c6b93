"""Provides the server side of files (issue 17): chunked, resumable uploads checked
against their SHA-256, the per-file limit and the team quota, who may download a blob, the
partition an attachment row lives in (its record's: whoever may see the record sees its
files), and garbage collection of blobs no live attachment uses.

Each user uploads content themselves before a download through their attachment is
allowed: claiming a hash one never held gets nothing (the check of `may_download`).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session

from crm_tui.domain.file_specs import (
    CHUNK_BYTES,
    NOT_ATTACHABLE,
    over_quota,
    too_large,
)
from crm_tui.domain.permissions import partition_for
from crm_tui.server.crud.errors import Refused
from crm_tui.server.crud.records import Row, can_read, can_read_row, utcnow
from crm_tui.server.models import Account, Blob, BlobChunk, BlobUpload, Record

# Content no live attachment uses is kept this long: an upload whose row is still on its
# way (another device of the user, a retried push) or a delete soon undone finds it there.
GRACE = timedelta(days=1)


class BlobProblem(Exception):
    """An upload or download refused: `status` is the HTTP status, `str()` the reason."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class UploadState:
    sha256: str
    size: int | None
    received: int
    complete: bool

    def as_json(self) -> dict[str, Any]:
        return self.__dict__.copy()


def state_of(session: Session, account: Account, sha: str) -> UploadState:
    """How far this user's upload of `sha` got (another user's copy is not theirs)."""
    up = session.get(BlobUpload, (sha, account.id))
    if up is None:
        return UploadState(sha, None, 0, False)
    return UploadState(sha, up.size, up.received, up.complete)


def used_bytes(session: Session) -> int:
    """The team's stored content: whole blobs plus uploads still under way."""
    whole = session.execute(select(func.coalesce(func.sum(Blob.size), 0))).scalar_one()
    pending = session.execute(
        select(func.coalesce(func.sum(BlobUpload.size), 0)).where(
            BlobUpload.complete == False,  # noqa: E712
            BlobUpload.sha256.notin_(select(Blob.sha256)),  # type: ignore[attr-defined]
        )
    ).scalar_one()
    return int(whole) + int(pending)


def put_chunk(
    session: Session,
    account: Account,
    sha: str,
    *,
    offset: int,
    size: int,
    data: bytes,
    quota: int | None = None,
    max_file: int | None = None,
) -> UploadState:
    """Store one chunk of this user's upload at `offset` (the bytes received so far);
    the last one completes the upload after its hash is checked."""
    problem = too_large("the file", size, max_file)
    if problem:
        raise BlobProblem(413, problem)
    if len(data) > CHUNK_BYTES:
        raise BlobProblem(413, f"a chunk is at most {CHUNK_BYTES} bytes")
    up = session.get(BlobUpload, (sha, account.id), with_for_update=True)
    if up is None:
        if session.get(Blob, sha) is None:
            problem = over_quota(size, used_bytes(session), quota)
            if problem:
                raise BlobProblem(413, problem)
        up = BlobUpload(sha256=sha, user_id=account.id, size=size, started_at=utcnow())
        session.add(up)
    if up.complete:
        return UploadState(sha, up.size, up.received, True)
    if up.size != size:
        raise BlobProblem(409, f"this upload was started with size {up.size}, not {size}")
    if offset != up.received:
        raise BlobProblem(409, f"the upload continues at byte {up.received}, not {offset}")
    if (not data and size) or offset + len(data) > size:
        raise BlobProblem(400, "the chunk is empty or runs past the file's size")
    if data:  # an empty file has no chunk: its one request completes it
        session.add(BlobChunk(sha256=sha, user_id=account.id, offset=offset, data=data))
    up.received = offset + len(data)
    if up.received == size:
        _complete(session, account, up)
    session.add(up)
    session.flush()
    return UploadState(sha, up.size, up.received, up.complete)


def _chunks(session: Session, sha: str, user_id: str) -> Any:
    rows = session.execute(
        select(BlobChunk.data)
        .where(BlobChunk.sha256 == sha, BlobChunk.user_id == user_id)
        .order_by(BlobChunk.offset)  # type: ignore[arg-type]
    )
    for (data,) in rows:
        yield data


def _complete(session: Session, account: Account, up: BlobUpload) -> None:
    digest = hashlib.sha256()
    session.flush()
    for data in _chunks(session, up.sha256, account.id):
        digest.update(data)
    mine = (BlobChunk.sha256 == up.sha256) & (BlobChunk.user_id == account.id)
    if digest.hexdigest() != up.sha256:
        session.execute(delete(BlobChunk).where(mine))
        session.delete(up)
        session.flush()
        raise BlobProblem(422, "the uploaded content does not match its SHA-256; send it again")
    up.complete = True
    if session.get(Blob, up.sha256) is not None:
        session.execute(delete(BlobChunk).where(mine))  # stored once: this copy goes
        return
    # Two users finishing the same content at once (PostgreSQL workers): one row wins, the
    # other's chunks stay until the blob is collected.
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(
        insert(Blob.__table__)
        .values(sha256=up.sha256, size=up.size, holder=account.id, created_at=utcnow())
        .on_conflict_do_nothing(index_elements=["sha256"])
    )


def _attachments_of(session: Session, sha: str) -> list[Record]:
    """Live attachment rows naming `sha` (a team's attachments: a short scan)."""
    if session.get_bind().dialect.name == "postgresql":
        where = "(data::json ->> 'sha256') = :sha"
    else:
        where = "json_extract(data, '$.sha256') = :sha"
    ids = session.execute(
        text(f"SELECT id FROM record WHERE entity = 'attachment' AND {where}"), {"sha": sha}
    ).scalars()
    found = [session.get(Record, i) for i in ids]
    return [r for r in found if r is not None and not r.deleted]


def may_download(session: Session, account: Account, sha: str) -> bool:
    """Whoever may see a live attachment of this content, made by someone who uploaded it."""
    uploaders = set(
        session.execute(
            select(BlobUpload.user_id).where(
                BlobUpload.sha256 == sha,
                BlobUpload.complete == True,  # noqa: E712
            )
        ).scalars()
    )
    return any(
        rec.owner_id in uploaders and can_read_row(account, rec)
        for rec in _attachments_of(session, sha)
    )


def holder_of(session: Session, sha: str) -> str:
    blob = session.get(Blob, sha)
    if blob is None:
        raise BlobProblem(404, "no such file on the server (or it is not yours to see)")
    return blob.holder


def read_blob(session: Session, account: Account, sha: str) -> tuple[int, Any]:
    """(size, chunks) of a blob the caller may read; one 404 for 'absent' and 'not yours'."""
    blob = session.get(Blob, sha)
    if blob is None or not may_download(session, account, sha):
        raise BlobProblem(404, "no such file on the server (or it is not yours to see)")
    return blob.size, _chunks(session, sha, blob.holder)


def _used_shas(session: Session) -> set[str]:
    """Every hash a live attachment names (one pass over the team's attachment rows)."""
    if session.get_bind().dialect.name == "postgresql":
        value = "(data::json ->> 'sha256')"
    else:
        value = "json_extract(data, '$.sha256')"
    rows = session.execute(
        text(f"SELECT {value} FROM record WHERE entity = 'attachment' AND deleted = :no"),
        {"no": False},
    ).scalars()
    return {sha for sha in rows if sha}


def collect_garbage(
    session: Session, *, now: datetime | None = None, grace: timedelta = GRACE
) -> int:
    """Remove blobs no live attachment uses, uploaded more than `grace` ago, and uploads
    abandoned for twice as long; returns how many blobs went. Run after each completed
    upload (routes/blobs.py)."""
    cutoff = (now or utcnow()) - grace
    old = list(session.execute(select(Blob).where(Blob.created_at < cutoff)).scalars())
    used = _used_shas(session) if old else set()
    removed = 0
    for blob in old:
        if blob.sha256 in used:
            continue
        session.execute(delete(BlobChunk).where(BlobChunk.sha256 == blob.sha256))
        session.execute(delete(BlobUpload).where(BlobUpload.sha256 == blob.sha256))
        session.delete(blob)
        removed += 1
    stale = select(BlobUpload).where(
        BlobUpload.complete == False,  # noqa: E712
        BlobUpload.started_at < cutoff - grace,
    )
    for up in list(session.execute(stale).scalars()):
        session.execute(
            delete(BlobChunk).where(BlobChunk.sha256 == up.sha256, BlobChunk.user_id == up.user_id)
        )
        session.delete(up)
    session.flush()
    return removed


# --- the attachment row's place (called from crud/write.py) ------------------------------
def place_attachment(
    account: Account, values: dict[str, Any], lookup: Callable[[str], Row | Record | None]
) -> tuple[str, dict[str, Any]]:
    """Where a new attachment row lives, and its values: whoever may see its record sees
    its files. A library file is the team's. A file on a record lives in the record's
    partition and is also seen by the record's readers (`seen_by`, the rule book's
    READER_FIELDS: an assigned engineer); one attached by such a reader lives in the
    reader's own partition and is seen by the record's owner and other readers. Refused
    when the caller cannot see the record."""
    entity, record_id = values.get("record_entity"), values.get("record_id")
    if entity is None and record_id is None:
        return "team", values
    if entity is None or record_id is None or entity in NOT_ATTACHABLE:
        raise Refused("record_id: name both the record's kind and its id")
    target = lookup(record_id)
    if target is None or target.entity != entity or target.deleted:
        raise Refused(f"record_id: no {entity} {record_id} on the server")
    if not can_read_row(account, target):
        raise Refused(f"record_id: no {entity} {record_id} on the server")
    readers = [p.removeprefix("read:") for p in (target.readers or "").split()]
    if can_read(account, target.partition):
        partition = target.partition
    else:  # a reader of the record (not its owner's partition): the file starts in theirs
        partition = partition_for("attachment", account.id)
        readers = [target.owner_id or "", *readers]
    seen_by = " ".join(r for r in dict.fromkeys(readers) if r and r != account.id)
    return partition, values | ({"seen_by": seen_by} if seen_by else {})


_FIXED = ("record_entity", "record_id", "sha256", "size", "seen_by")


def check_attachment_patch(payload: dict[str, Any], stored: dict[str, Any]) -> None:
    """A file's content and record never change (attach a new file instead)."""
    for name in _FIXED:
        if name in payload and payload[name] != stored.get(name):
            raise Refused(f"{name}: a file's content and record are fixed; attach a new one")


def dumps_state(state: UploadState) -> str:
    return json.dumps(state.as_json())
