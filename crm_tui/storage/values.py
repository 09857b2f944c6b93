"""Provides what the query bar offers while a rep types: distinct column values and past queries.

Both are small, indexed reads; the history lives in the local `sync_state` table (never
synced), one JSON list per screen.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from crm_tui.domain.fields import split_tags

if TYPE_CHECKING:
    from crm_tui.storage.database import Database


def _escape_like(value: str) -> str:
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def column_values(
    db: Database, table: str, column: str, prefix: str = "", limit: int = 20, *, tags: bool = False
) -> list[str]:
    """Distinct values of one column of live rows starting with `prefix`, sorted; with
    `tags`, the column holds comma-separated tags and each tag counts on its own."""
    from sqlalchemy import text  # here: the desk imports this module before the ORM loads

    like = _escape_like(prefix) + "%"
    with db.reading() as s:
        conn = s.connection()
        if tags:
            rows = conn.execute(
                text(
                    f'SELECT DISTINCT "{column}" FROM "{table}" WHERE deleted = 0 AND '
                    f'"{column}" IS NOT NULL LIMIT 2000'
                )
            ).scalars()
            found: dict[str, str] = {}
            for raw in rows:
                for tag in split_tags(raw):
                    if tag.lower().startswith(prefix.lower()):
                        found.setdefault(tag.lower(), tag)
            return sorted(found.values(), key=str.lower)[:limit]
        rows = conn.execute(
            text(
                f'SELECT DISTINCT "{column}" FROM "{table}" WHERE deleted = 0 AND "{column}" '
                f"LIKE :p ESCAPE '\\' ORDER BY \"{column}\" LIMIT :n"
            ),
            {"p": like, "n": limit},
        ).scalars()
        return [r for r in rows if r]


class QueryHistory:
    """The queries a rep ran on each screen, newest last, kept on this laptop only."""

    def __init__(self, db: Database, limit: int = 50) -> None:
        self.db = db
        self.limit = limit

    def _key(self, screen: str) -> str:
        return f"query_history.{screen}"

    def load(self, screen: str) -> list[str]:
        raw = self.db.state(self._key(screen))
        try:
            items = json.loads(raw) if raw else []
        except ValueError:
            return []
        return [str(i) for i in items if isinstance(i, str)]

    def add(self, screen: str, query: str) -> None:
        query = query.strip()
        if not query:
            return
        items = [q for q in self.load(screen) if q != query] + [query]
        self.db.set_state(self._key(screen), json.dumps(items[-self.limit :], ensure_ascii=False))
