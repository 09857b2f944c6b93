"""Provides `create_app`: the FastAPI app over one server database (made ready on start)."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError

from crm_tui.server.api.deps import ServerState
from crm_tui.server.api.main import api_router
from crm_tui.server.body_limit import BodyLimit
from crm_tui.server.core.clock import ServerClock
from crm_tui.server.core.config import Settings, get_settings
from crm_tui.server.core.db import ServerDB
from crm_tui.server.crud.errors import RateLimited
from crm_tui.server.crud.signin import SignInGuard
from crm_tui.server.pool_release import start_schedule
from crm_tui.sync.protocol import PROTOCOL_VERSION


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    db = ServerDB(settings.database_url)
    db.init()
    app = FastAPI(title="crm_tui sync server", version=f"protocol {PROTOCOL_VERSION}")
    app.state.server = ServerState(
        settings, db, ServerClock(settings.max_clock_ahead_ms), SignInGuard(db, settings)
    )
    # The customer pool's release pass, on a schedule in this process (issue 18).
    app.state.pool_release = start_schedule(db, app.state.server.clock)
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    app.include_router(api_router)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(_request: Request, exc: RequestValidationError) -> JSONResponse:
        # FastAPI's own answer echoes the input, which may hold NaN or a lone surrogate and
        # then fails to encode (a 500): say where and what, never echo the value.
        detail = [
            {
                "loc": [_safe(part) for part in error.get("loc", ())],
                "msg": _safe(error.get("msg", "")),
                "type": _safe(error.get("type", "")),
            }
            for error in exc.errors()
        ]
        return JSONResponse(status_code=422, content={"detail": detail})

    @app.exception_handler(RateLimited)
    async def rate_limited(_request: Request, exc: RateLimited) -> JSONResponse:
        return JSONResponse(
            status_code=429,
            content={"detail": exc.message},
            headers={"Retry-After": str(exc.retry_after)},
        )

    @app.exception_handler(OperationalError)
    async def database_busy(_request: Request, _exc: OperationalError) -> JSONResponse:
        # A locked SQLite file or a lost PostgreSQL connection: the laptop retries later.
        return JSONResponse(
            status_code=503,
            content={"detail": "the server database is busy or unreachable; retry shortly"},
            headers={"Retry-After": "2"},
        )

    return app


def _safe(value: object) -> object:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    return str(value)[:200].encode("utf-8", "backslashreplace").decode("utf-8")


def app_from_env() -> FastAPI:
    """For `uvicorn --factory crm_tui.server.main:app_from_env` (reads CRM_SERVER_DATABASE_URL)."""
    return create_app()
