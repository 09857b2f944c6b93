"""Provides saved views, query history and completion values: what the query bar and the
views sidebar ask for.

Saved views are named queries per screen, pinned to the desk or bound to a key.

Views are `saved_query` records, so they sync like any other record. A handful of useful
defaults are added the first time views are read on a laptop (recorded in `sync_state`);
their ids are derived from the user and the name, so two laptops of one rep seed the same
records rather than duplicates.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from crm_tui.domain.fields import ENTITIES
from crm_tui.domain.insight import SEGMENT_VIEWS
from crm_tui.query.parser import OPERATORS
from crm_tui.query.vocabulary import DATE_WORDS, Vocabulary, vocabulary
from crm_tui.storage import values as _values

SEEDED_KEY = "saved_views.seeded"
BINDABLE_KEYS = tuple(f"f{n}" for n in range(2, 13))
__all__ = [
    "BINDABLE_KEYS",
    "DATE_WORDS",
    "DEFAULT_VIEWS",
    "OPERATORS",
    "SECTION_OF_SCREEN",
    "PinnedView",
    "QueryHistory",
    "SavedViewStore",
    "SavedViews",
    "Vocabulary",
    "distinct_values",
    "ensure_default_views",
    "history",
    "pinned_views",
    "vocabulary",
]
_NAMESPACE = uuid.UUID("6b1f2a9e-3c1d-4f55-9a0b-2f6d3c8e7a10")


@dataclass(frozen=True)
class DefaultView:
    screen: str
    name: str
    query: str
    pinned: bool = False


DEFAULT_VIEWS = (
    DefaultView("activity", "Overdue", "due:overdue"),
    DefaultView("activity", "Due today", "due:today status:open"),
    DefaultView("opportunity", "Closing this month", "stage:open close<=eom", pinned=True),
    DefaultView("opportunity", "Deals over 50k", "stage:open amount>50k"),
    DefaultView(
        "customer", "A customers not contacted in 30 days", "grade:A contacted<-30d", pinned=True
    ),
    DefaultView("expense", "Submitted claims", "status:submitted"),
    # After-sales service (issue 15): screens/service.py
    DefaultView("service", "My orders", "is:mine is:open", pinned=True),
    DefaultView("service", "Waiting for approval", "is:waiting"),
    DefaultView("service", "Late visits", "is:open planned<today"),
    # Marketing (issue 16): screens/campaigns.py
    DefaultView("campaign", "Open for registration", "status:open", pinned=True),
    DefaultView("campaign", "Starting in 30 days", "start:+0d..+30d"),
    # Customer insight (issue 22): a view per RFM group, and the valuable ones at risk.
    *(DefaultView("customer", name, query) for name, query in SEGMENT_VIEWS),
)


def _default_id(user: str | None, view: DefaultView) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"{user or 'local'}:{view.screen}:{view.name}"))


def ensure_default_views(book: Any) -> int:
    """Add the default views once per laptop; returns how many were added."""
    db = _db(book)
    if db.state(SEEDED_KEY):
        return 0
    repo = db.repos.saved_queries
    added = 0
    with db.transaction():
        for view in DEFAULT_VIEWS:
            row_id = _default_id(db.user_id, view)
            if repo.get(row_id, include_deleted=True) is None:
                repo.create(
                    {
                        "name": view.name,
                        "screen": view.screen,
                        "query": view.query,
                        "pinned": view.pinned,
                    },
                    row_id=row_id,
                    record_undo=False,
                )
                added += 1
        db.set_state(SEEDED_KEY, "1")
    return added


class SavedViews:
    """What the views sidebar and the desk ask about saved views.

    The default views are shown without being stored (opening the sidebar writes nothing
    and queues nothing to sync); a default is stored, under its derived id, the first time
    the rep pins, binds, renames over or deletes it.
    """

    def __init__(self, book: Any) -> None:
        self.db = _db(book)
        self.repo = self.db.repos.saved_queries

    def _model(self) -> Any:
        return self.repo.model

    def _defaults(self, screen: str | None = None) -> dict[str, DefaultView]:
        """Default views (of one screen) by their derived id, for this user."""
        return {
            _default_id(self.db.user_id, view): view
            for view in DEFAULT_VIEWS
            if screen is None or view.screen == screen
        }

    def _unstored(self, screen: str | None, stored: list[Any]) -> list[Any]:
        """Defaults not stored: none on a laptop seeded the old way (SEEDED_KEY), nor where
        a stored view of that screen has the name (e.g. stored before signing in)."""
        if self.db.state(SEEDED_KEY):
            return []
        have = {v.id for v in stored}
        names = {(v.screen, v.name) for v in stored}
        out = []
        for row_id, view in self._defaults(screen).items():
            if row_id in have or (view.screen, view.name) in names:
                continue
            if self.repo.get(row_id, include_deleted=True) is not None:
                continue
            out.append(
                self._model()(
                    id=row_id,
                    name=view.name,
                    screen=view.screen,
                    query=view.query,
                    pinned=view.pinned,
                    key=None,
                )
            )
        return out

    def _stored(self, row_id: str) -> Any:
        """The stored view, storing a shown default first."""
        rec = self.repo.get(row_id)
        if rec is not None:
            return rec
        view = self._defaults().get(row_id)
        if view is None or self.repo.get(row_id, include_deleted=True) is not None:
            return self.repo.require(row_id)  # raises the repository's not-found error
        values = {"name": view.name, "screen": view.screen, "query": view.query}
        return self.repo.create({**values, "pinned": view.pinned}, row_id=row_id, record_undo=False)

    def list(self, screen: str, seed: bool = True) -> list[Any]:
        """The views of a screen, the defaults among them unless `seed` is False."""
        m = self._model()
        stored = self.repo.page(where=[m.screen == screen], order_by=[m.name, m.id], limit=500)
        if not seed:
            return stored
        return sorted([*stored, *self._unstored(screen, stored)], key=lambda v: (v.name, v.id))

    def pinned(self) -> list[Any]:
        m = self._model()
        stored = self.repo.page(where=[m.pinned.is_(True)], order_by=[m.screen, m.name], limit=100)
        everything = self.repo.page(order_by=[m.screen, m.name], limit=1000)
        shown = [v for v in self._unstored(None, everything) if v.pinned]
        return sorted([*stored, *shown], key=lambda v: (v.screen, v.name))

    def save(self, screen: str, name: str, query: str) -> Any:
        """Save `query` under `name` on `screen`; an existing view of that name is replaced."""
        name = name.strip()
        m = self._model()
        existing = self.repo.page(where=[m.screen == screen, m.name == name], limit=1)
        if not existing:
            existing = [v for v in self._unstored(screen, []) if v.name == name]
        if existing:
            self._stored(existing[0].id)
            return self.repo.update(existing[0].id, {"query": query})
        return self.repo.create({"name": name, "screen": screen, "query": query})

    def toggle_pin(self, row_id: str) -> bool:
        rec = self._stored(row_id)
        return self.repo.update(row_id, {"pinned": not rec.pinned}).pinned

    def bind_key(self, row_id: str, key: str | None) -> None:
        """Bind a key (f2-f12) to a view; the key leaves any other view of that screen."""
        key = (key or "").strip().lower() or None
        if key is not None and key not in BINDABLE_KEYS:
            raise ValueError(f"'{key}' cannot be bound; use one of f2-f12")
        with self.db.transaction():
            rec = self._stored(row_id)
            m = self._model()
            if key is not None:
                for other in self.repo.page(where=[m.screen == rec.screen, m.key == key]):
                    if other.id != row_id:
                        self.repo.update(other.id, {"key": ""})
            self.repo.update(row_id, {"key": key or ""})

    def delete(self, row_id: str) -> None:
        """Delete a view; a shown default is stored as deleted, so it stays away (and syncs)."""
        with self.db.transaction():
            self._stored(row_id)
            self.repo.delete(row_id)


# Which app section shows each screen's views (the desk opens a pinned view there).
SECTION_OF_SCREEN = {
    "customer": "customers",
    "activity": "followups",
    "opportunity": "opportunities",
    "expense": "expenses",
}


@dataclass(frozen=True)
class PinnedView:
    id: str
    name: str
    screen: str
    query: str


def pinned_views(path: Any) -> list[PinnedView]:  # a path: the desk reads before the ORM loads
    """Pinned views read with plain sqlite3, so the desk can show them before the ORM loads."""
    from crm_tui.storage.engine import connect

    conn = connect(path, readonly=True)
    try:
        state = dict(
            conn.execute(
                "SELECT key, value FROM sync_state WHERE key IN ('user_id', ?)", (SEEDED_KEY,)
            ).fetchall()
        )
        stored = conn.execute("SELECT id, screen, name, deleted FROM saved_query").fetchall()
        rows = conn.execute(
            "SELECT id, name, screen, coalesce(query, '') FROM saved_query "
            "WHERE pinned = 1 AND deleted = 0 ORDER BY screen, name LIMIT 50"
        ).fetchall()
    finally:
        conn.close()
    # Pinned defaults not stored yet (see SavedViews): shown all the same.
    known = {r[0] for r in stored} | {(r[1], r[2]) for r in stored if not r[3]}
    for view in DEFAULT_VIEWS if not state.get(SEEDED_KEY) else ():
        row_id = _default_id(state.get("user_id"), view)
        if view.pinned and row_id not in known and (view.screen, view.name) not in known:
            rows.append((row_id, view.name, view.screen, view.query))
    rows.sort(key=lambda row: (row[2], row[1]))
    return [PinnedView(*row) for row in rows if row[2] in SECTION_OF_SCREEN]


SavedViewStore = SavedViews  # the name the views sidebar and its tests know
QueryHistory = _values.QueryHistory


def _db(book: Any) -> Any:
    return getattr(book, "db", book)  # a Book, or a storage Database while callers move over


def history(book: Any, limit: int = 50) -> QueryHistory:
    """The queries a rep ran on each screen (this laptop only)."""
    return QueryHistory(_db(book), limit)


_LISTED_KINDS = ("text", "enum", "tags", "currency", "ref")


def distinct_values(
    book: Any, entity_name: str, field: str, prefix: str = "", limit: int = 20
) -> list[str]:
    """Values of `field` already in use (cities, tags, industries...) starting with `prefix`.

    `field` may be an alias the query language knows ('customer' on follow-ups lists
    customer names); fields that are not lists of words (dates, money) give [].
    """
    vocab = vocabulary(ENTITIES[entity_name].name)
    name = vocab.resolve(field.lower())
    if name is None or name not in vocab.fields:
        return []
    fspec = vocab.fields[name]
    if fspec.kind not in _LISTED_KINDS:
        return []
    table, column = entity_name, name
    if fspec.kind == "ref":
        if name == "owner_id":
            table, column = "user", "name"
        else:
            table = fspec.ref or ""
            column = ENTITIES[table].title_field
    return _values.column_values(_db(book), table, column, prefix, limit, tags=fspec.kind == "tags")
