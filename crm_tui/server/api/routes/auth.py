"""Provides enrolment (one-time code -> device token) and who-am-I."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel

from crm_tui.server.api.deps import CallerDep, StateDep, VersionChecked
from crm_tui.server.crud.accounts import AccountError, enrol
from crm_tui.sync.protocol import EnrolRequest, EnrolResponse, Problem

router = APIRouter(prefix="/auth", tags=["auth"], dependencies=[VersionChecked])


@router.post("/enrol", responses={401: {"model": Problem}})
def enrol_device(body: EnrolRequest, state: StateDep) -> EnrolResponse:
    try:
        with state.db.write() as s:
            done = enrol(
                s,
                name=body.user,
                code=body.code,
                device_name=body.device_name,
                last_client_seq=body.last_client_seq,
            )
            answer = EnrolResponse(
                token=done.token,
                device_id=done.device.id,
                user_id=done.account.id,
                user_name=done.account.name,
                role=done.account.role,
                server_hlc=state.clock.tick(),
            )
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
