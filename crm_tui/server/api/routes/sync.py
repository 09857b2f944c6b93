"""Provides POST /sync/push and GET /sync/pull."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Response

from crm_tui.server.api.deps import CallerDep, StateDep, VersionChecked
from crm_tui.server.crud.errors import PushConflict
from crm_tui.server.crud.pull import read_changes
from crm_tui.server.crud.push import apply_push
from crm_tui.sync.protocol import MAX_PAGE, Problem, PullResponse, PushRequest, PushResponse

router = APIRouter(prefix="/sync", tags=["sync"], dependencies=[VersionChecked])


@router.post("/push", responses={401: {"model": Problem}, 409: {"model": Problem}})
def push(body: PushRequest, caller: CallerDep, state: StateDep) -> PushResponse:
    """Apply a batch of outbox rows; every mutation gets its own result."""
    try:
        with state.db.write() as s:
            return apply_push(
                s, account=caller.account, device=caller.device, batch=body, clock=state.clock
            )
    except PushConflict as exc:
        raise HTTPException(
            409,
            detail={"message": exc.message, "expected_seq": exc.expected, "code": exc.code},
        ) from None


@router.get("/pull", response_model=PullResponse, responses={401: {"model": Problem}})
def pull(
    caller: CallerDep,
    state: StateDep,
    after: Annotated[int, Query(ge=0, le=2**62)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 500,
) -> Response:
    """The changes this user may see after `after`, oldest first (a `PullResponse`; the body
    is written straight from the stored snapshots, not re-validated row by row)."""
    with state.db.read() as s:
        body = read_changes(
            s, account=caller.account, after=after, limit=limit, server_hlc=state.clock.now()
        )
    return Response(content=body, media_type="application/json")
