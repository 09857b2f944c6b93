"""Provides `run`: serve the sync API with one or several uvicorn worker processes.

With `workers > 1` uvicorn's own multi-process mode is used: the parent binds the port and
starts N processes that accept on it, each building its app with `main.app_from_env` (the
database URL travels in CRM_SERVER_DATABASE_URL). The schema is migrated once, in the
parent, before any worker starts. Everything the workers must agree on lives in the
database (the change counter, the clock's high-water mark, sign-in failures), so the same
command can run on several hosts behind a load balancer against one PostgreSQL. On SQLite the
workers share the file with one writer at a time (BEGIN IMMEDIATE; a writer that waits past
the busy timeout gets 503 + Retry-After and the laptop retries).

`python -m crm_tui.server.serve --workers 4 --port 8765 --database-url URL` does the same as
`crm server --workers 4 …` without the CLI.
"""

from __future__ import annotations

import argparse
import os
import socket
from collections.abc import Callable
from typing import Any

from crm_tui.server.core.config import DATABASE_URL_ENV, get_settings


def run(
    database_url: str | None,
    host: str,
    port: int,
    *,
    workers: int = 1,
    announce: Callable[[str], None] | None = None,
    log_level: str = "warning",
) -> None:
    """Serve until stopped; `announce(url)` once the schema is ready. Raises whatever opening
    the database raises (an unreachable PostgreSQL, a bad URL) before serving."""
    import uvicorn

    from crm_tui.server.main import create_app

    settings = get_settings(database_url)
    if workers <= 1:
        app = create_app(settings)
        if announce is not None:
            announce(settings.database_url)
        uvicorn.run(app, host=host, port=port, log_level=log_level)
        return
    from crm_tui.server.core.db import ServerDB

    db = ServerDB(settings.database_url)
    try:
        db.init()  # once, here: the workers then find the schema at head
    finally:
        db.close()
    os.environ[DATABASE_URL_ENV] = settings.database_url
    if announce is not None:
        announce(settings.database_url)
    uvicorn.run(
        "crm_tui.server.main:app_from_env",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=log_level,
        http=NoDelayHTTP,
    )


try:  # uvicorn's own choice for http="auto"
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol as _HTTP
except ImportError:
    from uvicorn.protocols.http.h11_impl import H11Protocol as _HTTP  # type: ignore[assignment]


class NoDelayHTTP(_HTTP):
    """uvicorn's HTTP protocol with TCP_NODELAY set on each connection.

    With several workers uvicorn binds the listening socket itself as `socket(AF_INET)`
    (proto 0), and asyncio sets TCP_NODELAY only on accepted sockets whose proto says TCP,
    so every answer waited ~40 ms for the client's delayed ACK (Nagle): 48 ms a pull
    instead of 3 ms (measured, SQLite, one laptop). One worker is unaffected.
    """

    def connection_made(self, transport: Any) -> None:
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            try:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except OSError:
                pass
        super().connection_made(transport)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m crm_tui.server.serve", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--database-url", default=None)
    args = parser.parse_args(argv)
    run(args.database_url, args.host, args.port, workers=args.workers)


if __name__ == "__main__":
    main()
