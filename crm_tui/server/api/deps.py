"""Provides typed dependencies: the server state, the version check and the signed-in device."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, HTTPException, Request

from crm_tui.server.core.clock import ServerClock
from crm_tui.server.core.config import Settings
from crm_tui.server.core.db import ServerDB
from crm_tui.server.crud.accounts import device_for_token
from crm_tui.server.crud.signin import SignInGuard, address_key
from crm_tui.server.models import Account, Device
from crm_tui.sync.protocol import SCHEMA_VERSION, SUPPORTED_PROTOCOLS


@dataclass
class ServerState:
    settings: Settings
    db: ServerDB
    clock: ServerClock
    guard: SignInGuard


def get_state(request: Request) -> ServerState:
    return request.app.state.server


StateDep = Annotated[ServerState, Depends(get_state)]


def check_versions(
    x_crm_protocol: Annotated[str | None, Header()] = None,
    x_crm_schema: Annotated[str | None, Header()] = None,
) -> None:
    """426 with a sentence to act on when this client and server cannot talk."""
    server = ", ".join(str(v) for v in sorted(SUPPORTED_PROTOCOLS))
    try:
        protocol = int(x_crm_protocol or "")
        schema = int(x_crm_schema or "")
    except ValueError:
        raise HTTPException(
            426,
            detail=(
                "missing or invalid X-CRM-Protocol / X-CRM-Schema headers; "
                f"this server speaks sync protocol {server}"
            ),
        ) from None
    if protocol not in SUPPORTED_PROTOCOLS:
        side = "crm_tui on this laptop" if protocol < min(SUPPORTED_PROTOCOLS) else "the server"
        raise HTTPException(
            426,
            detail=(
                f"this laptop speaks sync protocol {protocol}, the server speaks {server}: "
                f"upgrade {side}"
            ),
        )
    if schema > SCHEMA_VERSION or schema < SCHEMA_VERSION - 1:
        side = "the server" if schema > SCHEMA_VERSION else "crm_tui on this laptop"
        raise HTTPException(
            426,
            detail=(
                f"this laptop's data schema is {schema}, the server's is {SCHEMA_VERSION}: "
                f"upgrade {side}"
            ),
        )


VersionChecked = Depends(check_versions)


@dataclass
class Caller:
    device: Device
    account: Account


def client_address(request: Request) -> str:
    return address_key(request.client.host if request.client else None)


def current_caller(
    request: Request, state: StateDep, authorization: Annotated[str | None, Header()] = None
) -> Caller:
    address = client_address(request)
    # A blocked address is turned away before its token is looked up (429, RateLimited).
    state.guard.check([address])
    scheme, _, token = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise HTTPException(
            401,
            detail="sign in first: crm login URL --user NAME",
            headers={"WWW-Authenticate": "Bearer"},
        )
    with state.db.read() as s:
        found = device_for_token(s, token.strip())
    if found is None:
        state.guard.fail([address], "unknown device token")
        raise HTTPException(
            401,
            detail="unknown device token: log in again (crm login)",
            headers={"WWW-Authenticate": "Bearer"},
        )
    device, account = found
    if device.revoked or account.revoked:
        raise HTTPException(
            401,
            detail=(
                "this device's access was revoked: ask your admin for a new enrolment code, "
                "then run crm login again"
            ),
            headers={"WWW-Authenticate": "Bearer"},
        )
    return Caller(device, account)


CallerDep = Annotated[Caller, Depends(current_caller)]
