"""Provides name look-ups for reference fields: search by name, show a name for an id.

Forms use these to let a rep type "acme" and store the customer's id; screens never build
queries themselves.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlmodel import col

from crm_tui.domain.fields import ENTITIES
from crm_tui.storage.repository import NotFound

if TYPE_CHECKING:
    from crm_tui.storage.database import Database


def ref_candidates(db: Database, entity: str, text: str, limit: int = 8) -> list[tuple[str, str]]:
    """(id, name) of records of `entity` whose name matches what the rep typed."""
    text = text.strip()
    if not text:
        return []
    repo = db.repos.by_entity[entity]
    title = ENTITIES[entity].title_field
    if entity in ("customer", "contact"):
        found = repo.search(text, limit=limit)  # type: ignore[attr-defined]
    else:
        column = col(getattr(repo.model, title))
        found = repo.page(where=[column.contains(text)], order_by=[column], limit=limit)
    return [(rec.id, getattr(rec, title)) for rec in found]


def ref_label(db: Database, entity: str, row_id: str | None) -> str:
    """The name of the record `row_id` names, or the id itself when it is gone."""
    if not row_id:
        return ""
    rec = db.repos.by_entity[entity].get(row_id, include_deleted=True)
    return str(getattr(rec, ENTITIES[entity].title_field)) if rec is not None else row_id


def resolve_ref(db: Database, entity: str, text: str) -> str:
    """The id a typed name (or id prefix) stands for; raises NotFound with a clear message."""
    try:
        return db.repos.by_entity[entity].resolve(text).id
    except NotFound as exc:
        raise NotFound(str(exc).replace("matches", "is named")) from None
