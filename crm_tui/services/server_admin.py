"""Provides the team server's administration for `crm server …`: open (and migrate) its
database, add, list and revoke members, and serve the sync API.

The server package stays independent of the laptop's layers; this module is the one seam
the CLI uses to reach it, so the CLI imports only services.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from crm_tui.server.core.db import ServerDB

__all__ = ["AccountError", "ServerAdmin", "ServerUnavailable", "open_server", "serve"]


class ServerUnavailable(Exception):
    """The server database cannot be opened (unreachable PostgreSQL, bad URL, unwritable)."""

    def __init__(self, url: str, cause: Exception) -> None:
        super().__init__(f"cannot open the server database {url}: {cause}")
        self.url = url


class AccountError(ValueError):
    """A member cannot be added or revoked (the reason is the message)."""


def _database_url(database_url: str | None) -> str:
    from crm_tui.server.core.config import get_settings

    return get_settings(database_url).database_url


class ServerAdmin:
    """An open, up-to-date server database and the member commands on it."""

    def __init__(self, db: ServerDB) -> None:
        self._db = db

    @property
    def url(self) -> str:
        return str(self._db.url)

    def close(self) -> None:
        """Stop the database's checkpoint thread and close its connections (a command run
        in-process, as tests and embedders do, would otherwise leave one thread per call)."""
        self._db.close()

    def add_user(
        self, name: str, role: str = "rep", email: str | None = None
    ) -> tuple[str, str, str]:
        """Add (or re-enrol) a member: (name, role, one-time enrolment code)."""
        from crm_tui.server.crud import accounts

        try:
            with self._db.write() as s:
                account, code = accounts.add_user(s, name=name, role=role, email=email)
                return account.name, account.role, code
        except accounts.AccountError as exc:
            raise AccountError(str(exc)) from None

    def users(self) -> list[dict[str, Any]]:
        """Members with role, e-mail, active devices and whether revoked."""
        from crm_tui.server.crud.accounts import list_users

        with self._db.read() as s:
            return list_users(s)

    def conflicts(self, limit: int = 100) -> list[dict[str, Any]]:
        """Edits the server kept after they lost (e.g. to a delete), newest first: at, user,
        entity, row_id, field, lost_value, reason."""
        from crm_tui.server.crud.conflicts import recent_conflicts

        with self._db.read() as s:
            return recent_conflicts(s, limit)

    def revoke(self, name: str) -> int:
        """Sign out every device of a member; how many were signed out."""
        from crm_tui.server.crud import accounts

        try:
            with self._db.write() as s:
                return accounts.revoke_user(s, name=name)
        except accounts.AccountError as exc:
            raise AccountError(str(exc)) from None


def open_server(database_url: str | None = None) -> ServerAdmin:
    """The server database at `database_url` (default: the settings'), created or migrated."""
    from crm_tui.server.core.db import ServerDB

    url = _database_url(database_url)
    try:
        db = ServerDB(url)
        db.init()
    except Exception as exc:  # unreachable PostgreSQL, unwritable file, bad URL
        raise ServerUnavailable(url, exc) from exc
    return ServerAdmin(db)


def serve(
    database_url: str | None,
    host: str,
    port: int,
    announce: Callable[[str], None] | None = None,
    *,
    workers: int = 1,
) -> None:
    """Serve the sync API on host:port with `workers` processes until stopped (the schema is
    migrated once first); `announce(url)` once it is ready to."""
    from crm_tui.server.serve import run

    try:
        run(database_url, host, port, workers=workers, announce=announce)
    except Exception as exc:  # opening fails before serving: unreachable PostgreSQL, bad URL
        raise ServerUnavailable(_database_url(database_url), exc) from exc
