"""Provides the file content endpoints (issue 17):

- `GET /blobs/{sha256}/status`: how much of this content the caller has uploaded;
- `PUT /blobs/{sha256}?offset=N&size=TOTAL`: the next chunk (raw bytes), resumable; 413
  with the reason over the per-file limit or the team quota, 409 at a wrong offset, 422
  when the whole does not match its hash;
- `GET /blobs/{sha256}`: the content, to a caller who may see a live attachment of it
  (one 404 for "absent" and "not yours").
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import StreamingResponse
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from crm_tui.domain.file_specs import MAX_FILE_BYTES
from crm_tui.server.api.deps import CallerDep, StateDep, VersionChecked
from crm_tui.server.crud import blobs
from crm_tui.server.models import BlobChunk
from crm_tui.sync.protocol import Problem

router = APIRouter(prefix="/blobs", tags=["files"], dependencies=[VersionChecked])

Sha = Annotated[str, Path(pattern=r"^[0-9a-f]{64}$")]
_ERRORS = {
    401: {"model": Problem},
    404: {"model": Problem},
    409: {"model": Problem},
    413: {"model": Problem},
}


@router.get("/{sha256}/status", responses=_ERRORS)
def upload_status(sha256: Sha, caller: CallerDep, state: StateDep) -> dict:
    """How far the caller's upload of this content got (`received` bytes, `complete`)."""
    with state.db.read() as s:
        return blobs.state_of(s, caller.account, sha256).as_json()


@router.put("/{sha256}", responses=_ERRORS)
async def put_chunk(
    sha256: Sha,
    request: Request,
    caller: CallerDep,
    state: StateDep,
    offset: Annotated[int, Query(ge=0, le=MAX_FILE_BYTES)],
    size: Annotated[int, Query(ge=0, le=2**40)],
) -> dict:
    """Store the next chunk of the caller's upload; the last one completes it."""
    # The limits are checked before the body is read (a client that says its size honestly
    # never sends a byte of a file that is too large).
    problem = blobs.too_large("the file", size)
    if problem:
        raise HTTPException(413, detail=problem)
    data = await request.body()

    def write() -> dict:
        try:
            with state.db.write() as s:
                answer = blobs.put_chunk(
                    s, caller.account, sha256, offset=offset, size=size, data=data
                )
                if answer.complete:
                    blobs.collect_garbage(s)  # unused content older than a day goes
                return answer.as_json()
        except blobs.BlobProblem as exc:
            raise HTTPException(exc.status, detail=exc.message) from None

    return await run_in_threadpool(write)


@router.get("/{sha256}", responses=_ERRORS)
def download(sha256: Sha, caller: CallerDep, state: StateDep) -> StreamingResponse:
    """The content, chunk by chunk (each read in its own short session)."""
    with state.db.read() as s:
        try:
            size, _ = blobs.read_blob(s, caller.account, sha256)
        except blobs.BlobProblem as exc:
            raise HTTPException(exc.status, detail=exc.message) from None
        holder = blobs.holder_of(s, sha256)
        offsets = list(
            s.execute(
                select(BlobChunk.offset)
                .where(BlobChunk.sha256 == sha256, BlobChunk.user_id == holder)
                .order_by(BlobChunk.offset)  # type: ignore[arg-type]
            ).scalars()
        )

    def body() -> Iterator[bytes]:
        for at in offsets:
            with state.db.read() as s:
                chunk = s.get(BlobChunk, (sha256, holder, at))
                if chunk is not None:
                    yield chunk.data

    return StreamingResponse(
        body(),
        media_type="application/octet-stream",
        headers={"Content-Length": str(size)},
    )
