"""Provides the moving of file content between a laptop and the team server (issue 17):
uploads in chunks that resume where the server says the last attempt stopped, downloads
checked against their SHA-256, and the sync step `move_blobs` (upload what is pending,
fetch what is pinned, drop what no live attachment uses any more).

Metadata (attachment rows) syncs through push and pull like any record; only content moves
here. The server's routes are server/api/routes/blobs.py.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from crm_tui.domain.file_specs import CHUNK_BYTES
from crm_tui.storage import repos_files
from crm_tui.storage.blobs import BlobError, BlobStore, blob_root
from crm_tui.sync.http import AuthError, OfflineError, SyncClient, SyncError

if TYPE_CHECKING:
    from crm_tui.storage.database import Database

_OCTETS = {"Content-Type": "application/octet-stream"}


@dataclass
class BlobReport:
    uploaded: int = 0
    downloaded: int = 0
    removed: int = 0
    failed: list[str] | None = None

    def summary(self) -> str:
        parts = [
            f"{n} file{'s' if n != 1 else ''} {what}"
            for n, what in (
                (self.uploaded, "uploaded"),
                (self.downloaded, "downloaded"),
                (self.removed, "cleaned up"),
            )
            if n
        ]
        parts += [f"a file could not be moved: {why}" for why in self.failed or []]
        return ", ".join(parts)


def status(client: SyncClient, sha: str) -> dict[str, Any]:
    """What the server holds of this content for this user: received bytes, complete."""
    return client._request("GET", f"/blobs/{sha}/status").json()


def upload(
    client: SyncClient, blobs: BlobStore, sha: str, size: int, chunk: int = CHUNK_BYTES
) -> int:
    """Send one blob in chunks, from where the server's copy stops; returns bytes sent."""
    state = status(client, sha)
    if state.get("complete"):
        return 0
    offset = int(state.get("received") or 0)
    sent = 0
    if size == 0:  # an empty file: one empty request completes it
        client._request(
            "PUT", f"/blobs/{sha}", params={"offset": 0, "size": 0}, content=b"", headers=_OCTETS
        )
    while offset < size:
        part = blobs.read_range(sha, offset, chunk)
        if not part:
            raise SyncError(f"the local copy of {sha[:12]}… is shorter than {size} bytes")
        answer = client._request(
            "PUT",
            f"/blobs/{sha}",
            params={"offset": offset, "size": size},
            content=part,
            headers=_OCTETS,
        ).json()
        sent += len(part)
        offset = int(answer["received"])
    return sent


def download(client: SyncClient, blobs: BlobStore, sha: str) -> int:
    """Fetch one blob (checked against its hash before it is kept); returns its size."""
    with client.http.stream("GET", f"/blobs/{sha}") as response:
        if response.status_code >= 400:
            response.read()
            from crm_tui.sync.http import _error_for

            raise _error_for(response)
        try:
            return blobs.put_chunks(sha, response.iter_bytes(CHUNK_BYTES))
        except BlobError as exc:
            raise SyncError(str(exc)) from None


def move_blobs(db: Database, client: SyncClient) -> BlobReport:
    """The sync step for content: upload every pending blob, fetch pinned ones this laptop
    lacks, and remove local content no live attachment uses (after the push, so a deleted
    attachment is gone on the server too; undo before then keeps the file)."""
    blobs = BlobStore(blob_root(db.path))
    report = BlobReport(failed=[])
    for sha, size in repos_files.pending_uploads(db):
        if not blobs.has(sha):
            continue  # nothing to send (the file was lost here): the server may have it
        try:
            upload(client, blobs, sha, size)
        except SyncError as exc:
            if isinstance(exc, (OfflineError, AuthError)):
                raise
            report.failed.append(f"{sha[:12]}…: {exc}")  # type: ignore[union-attr]
            continue
        repos_files.mark_uploaded(db, sha)
        report.uploaded += 1
    for sha in repos_files.pinned(db):
        if blobs.has(sha):
            continue
        try:
            download(client, blobs, sha)
        except SyncError as exc:
            report.failed.append(f"{sha[:12]}…: {exc}")  # type: ignore[union-attr]
            continue
        report.downloaded += 1
    for sha in repos_files.unreferenced(db, list(blobs.shas())):
        blobs.remove(sha)
        repos_files.forget_blob(db, sha)
        report.removed += 1
    return report
