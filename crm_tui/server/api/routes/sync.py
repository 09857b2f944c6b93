"""Provides POST /sync/push and GET /sync/pull."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, Response

from crm_tui.server.api.deps import CallerDep, StateDep, VersionChecked
from crm_tui.server.crud.errors import PushConflict
from crm_tui.server.crud.pull import read_changes
from crm_tui.server.crud.push import apply_push
from crm_tui.sync.protocol import (
    CLOCKS_COMPACT,
    ECHO_VERSION,
    MAX_PAGE,
    PULL_CLOCKS_PARAM,
    PULL_ECHO_PARAM,
    PULL_NOTICES_PARAM,
    Problem,
    PullResponse,
    PushRequest,
    PushResponse,
)

router = APIRouter(prefix="/sync", tags=["sync"], dependencies=[VersionChecked])


@router.post("/push", responses={401: {"model": Problem}, 409: {"model": Problem}})
def push(body: PushRequest, caller: CallerDep, state: StateDep) -> PushResponse:
    """Apply a batch of outbox rows; every mutation gets its own result."""
    try:
        with state.db.write() as s:
            mark = state.clock.load(s)
            answer = apply_push(
                s, account=caller.account, device=caller.device, batch=body, clock=state.clock
            )
            state.clock.save(s, mark)
            return answer
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
    echo: Annotated[Literal["full", "version"], Query(alias=PULL_ECHO_PARAM)] = "full",
    notices: Annotated[bool, Query(alias=PULL_NOTICES_PARAM)] = False,
    clocks: Annotated[Literal["full", "compact"], Query(alias=PULL_CLOCKS_PARAM)] = "full",
) -> Response:
    """The changes this user may see after `after`, oldest first (a `PullResponse`; the body
    is written straight from the stored snapshots, not re-validated row by row). With
    `echo=version`, this device's own unchanged writes come as version-only changes."""
    with state.db.read() as s:
        state.clock.load(s)
        body = read_changes(
            s,
            account=caller.account,
            after=after,
            limit=limit,
            server_hlc=state.clock.now(),
            echo_device=caller.device.id if echo == ECHO_VERSION else None,
            notices=notices,
            compact_clocks=clocks == CLOCKS_COMPACT,
        )
    return Response(content=body, media_type="application/json")
