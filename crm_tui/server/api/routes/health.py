"""Provides GET /health: no sign-in, for load balancers and `crm login` to probe."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

from crm_tui.server.api.deps import StateDep
from crm_tui.sync.protocol import PROTOCOL_VERSION, SCHEMA_VERSION

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str
    protocol: int
    schema_version: int
    last_seq: int


@router.get("/health")
def health(state: StateDep) -> Health:
    return Health(
        status="ok",
        protocol=PROTOCOL_VERSION,
        schema_version=SCHEMA_VERSION,
        last_seq=state.db.last_seq(),
    )
