"""Provides enrolment (one-time code -> device token), device renewal and who-am-I."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from pydantic import BaseModel

from crm_tui.server.api.deps import CallerDep, StateDep, VersionChecked, client_address
from crm_tui.server.crud.accounts import AccountError, Enrolled, enrol, renew_device
from crm_tui.server.crud.signin import user_key
from crm_tui.sync.protocol import DeviceRenewRequest, EnrolRequest, EnrolResponse, Problem

router = APIRouter(prefix="/auth", tags=["auth"], dependencies=[VersionChecked])

_LIMITED = {401: {"model": Problem}, 429: {"model": Problem}}


def _answer(done: Enrolled, server_hlc: str) -> EnrolResponse:
    return EnrolResponse(
        token=done.token,
        device_id=done.device.id,
        user_id=done.account.id,
        user_name=done.account.name,
        role=done.account.role,
        server_hlc=server_hlc,
    )


@router.post("/enrol", responses=_LIMITED)
def enrol_device(body: EnrolRequest, request: Request, state: StateDep) -> EnrolResponse:
    keys = [client_address(request), user_key(body.user)]
    state.guard.check(keys)
    try:
        with state.db.write() as s:
            mark = state.clock.load(s)
            done = enrol(
                s,
                name=body.user,
                code=body.code,
                device_name=body.device_name,
                last_client_seq=body.last_client_seq,
            )
            answer = _answer(done, state.clock.tick())
            state.clock.save(s, mark)
    except AccountError as exc:
        state.guard.fail(keys, "bad enrolment code")  # 429 once past the limit
        raise HTTPException(401, detail=str(exc)) from None
    return answer


@router.post("/device/renew", responses=_LIMITED)
def renew(body: DeviceRenewRequest, caller: CallerDep, state: StateDep) -> EnrolResponse:
    """A laptop restored from a backup (its change numbers already used) becomes a new
    device of the same account with its still-valid token; the old token stops working."""
    try:
        with state.db.write() as s:
            mark = state.clock.load(s)
            done = renew_device(
                s, device=caller.device, account=caller.account, device_name=body.device_name
            )
            answer = _answer(done, state.clock.tick())
            state.clock.save(s, mark)
    except AccountError as exc:
        raise HTTPException(401, detail=str(exc)) from None
    return answer


class Me(BaseModel):
    user_id: str
    user_name: str
    role: str
    device_id: str


@router.get("/me", responses={401: {"model": Problem}})
def me(caller: CallerDep) -> Me:
    return Me(
        user_id=caller.account.id,
        user_name=caller.account.name,
        role=caller.account.role,
        device_id=caller.device.id,
    )
