"""Provides the generic record use cases: read, resolve, write, delete, restore and undo.

Any entity of `crm_tui.domain.fields.ENTITIES` by its name ("customer", "activity", ...).
Screens and the CLI catch `NotFound` and `ValidationErrors` from here, never from storage.
Records come back detached (domain models), safe to read after the call returns.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from sqlmodel import col

from crm_tui.domain.fields import ENTITIES, FieldError, ValidationErrors
from crm_tui.services.words import screen_words, word_for
from crm_tui.storage.repository import NotFound

if TYPE_CHECKING:
    from crm_tui.services.book import Book
    from crm_tui.storage.repository import Repository

__all__ = [
    "FieldError",
    "NotFound",
    "ValidationErrors",
    "create",
    "delete",
    "find_any",
    "get",
    "lost_reasons",
    "member_id",
    "member_name",
    "names_of",
    "resolve_link",
    "require",
    "resolve",
    "restore",
    "screen_words",
    "word_for",
    "team_members",
    "title_of",
    "undo_last",
    "update",
]


def _repo(book: Book, entity: str) -> Repository[Any]:
    try:
        return book.db.repos.by_entity[entity]
    except KeyError:
        raise NotFound(f"no such kind of record: '{entity}'") from None


# --- reads ---------------------------------------------------------------------------------
def get(book: Book, entity: str, row_id: str, *, include_deleted: bool = False) -> Any | None:
    """The record with this exact id, or None (also None when deleted, unless asked)."""
    return _repo(book, entity).get(row_id, include_deleted=include_deleted)


def require(book: Book, entity: str, row_id: str, *, include_deleted: bool = False) -> Any:
    """The record with this exact id; `NotFound` otherwise."""
    return _repo(book, entity).require(row_id, include_deleted=include_deleted)


def resolve(book: Book, entity: str, ref: str, *, include_deleted: bool = False) -> Any:
    """A record by full id, unique id prefix (>= 4 characters) or exact title; `NotFound`
    (with a message fit for the user) when nothing or more than one record matches."""
    return _repo(book, entity).resolve(ref, include_deleted=include_deleted)


def find_any(book: Book, ref: str) -> tuple[str, Any]:
    """(entity, record) for an id or unique id prefix of any type: for `crm show ID`."""
    return book.db.repos.find_any(ref)


def title_of(book: Book, entity: str, row_id: str | None) -> str | None:
    """The record's title (a customer's name, a deal's title ...), deleted ones included."""
    if not row_id:
        return None
    rec = get(book, entity, row_id, include_deleted=True)
    return None if rec is None else getattr(rec, ENTITIES[entity].title_field, None)


def names_of(book: Book, entity: str, ids: Iterable[str | None]) -> dict[str, str]:
    """Titles of several records by id (deleted ones too): one query for a page of rows."""
    wanted = {i for i in ids if i}
    if not wanted:
        return {}
    repo = _repo(book, entity)
    title = repo.spec.title_field
    found = repo.page(
        where=[col(repo.model.id).in_(wanted)], limit=len(wanted), include_deleted=True
    )
    return {rec.id: getattr(rec, title) for rec in found}


def resolve_link(book: Book, entity: str, ref: str) -> str:
    """The id of the record a rep means when linking one (`--customer 华为`): an id, id
    prefix or exact title, else for customers and contacts a search with one answer.
    `NotFound` says which, or lists the candidates when several match."""
    repo = _repo(book, entity)
    try:
        return repo.resolve(ref).id
    except NotFound as exc:
        if "more than one" in str(exc) or entity not in ("customer", "contact"):
            raise
    found = repo.search(ref, limit=6)  # type: ignore[attr-defined]
    if len(found) == 1:
        return found[0].id
    if not found:
        raise NotFound(f"no {entity} matches '{ref}'")
    from crm_tui.services.short_ids import short_ids

    shorts = short_ids(book, (r.id for r in found[:5]))
    names = ", ".join(f"{r.name} ({shorts[r.id]})" for r in found[:5])
    raise NotFound(f"'{ref}' matches several: {names}; give the id")


# --- writes (each one transaction, with its outbox row and undo entry) -----------------------
def create(book: Book, entity: str, values: Mapping[str, Any], *, row_id: str | None = None) -> Any:
    """A new record from user values (strings are parsed as a form or the CLI gives them);
    `ValidationErrors` lists every field that is wrong."""
    return _repo(book, entity).create(values, row_id=row_id)


def update(book: Book, entity: str, row_id: str, changes: Mapping[str, Any]) -> Any:
    """Change some fields of a live record; returns the record as saved. `ValidationErrors`
    when the rule book refuses the kind of record to this member (a rep editing a target,
    a role, an announcement), here rather than at the next sync."""
    if book.user_id:
        from crm_tui.domain.permissions import why_not_write

        # exists=False: only the checks by kind of record (whose row it is, the server
        # judges; a report shared with a rep is edited by its readers too).
        reason = why_not_write(book.actor, entity, "patch", None, exists=False)
        if reason:
            raise ValidationErrors([FieldError(entity, reason)])
    return _repo(book, entity).update(row_id, changes)


def delete(book: Book, entity: str, row_id: str) -> Any:
    """Tombstone a record (a customer takes its contacts with it); undo restores it.
    `ValidationErrors` when the rule book refuses it (a rep deleting a teammate's customer),
    here rather than at the next sync; a laptop never signed in owns everything."""
    repo = _repo(book, entity)
    if book.user_id:
        from crm_tui.domain.permissions import why_not_write

        rec = repo.get(row_id)
        if rec is not None:
            owner = getattr(rec, "owner_id", None)
            reason = why_not_write(book.actor, entity, "delete", owner, exists=True)
            if reason:
                raise ValidationErrors([FieldError("owner", reason)])
    return repo.delete(row_id)


def restore(book: Book, entity: str, row_id: str) -> Any:
    """Bring a deleted record back (a no-op for a live one)."""
    return _repo(book, entity).restore(row_id)


def undo_last(book: Book, entity: str | None = None) -> str | None:
    """Undo the newest change (optionally of one entity) as a new, synced change.

    Returns a sentence saying what was undone, or None when there is nothing to undo;
    `ValidationErrors` when the newest change is a claim step (those are withdrawn instead).
    """
    said = book.db.repos.undo_last(entity)
    return None if said is None else screen_words(said)


# --- small lookups forms and commands share --------------------------------------------------
def team_members(book: Book) -> dict[str, str]:
    """The team on this laptop, name -> id, sorted by name."""
    return book.db.repos.users.members()


def member_id(book: Book, ref: str) -> str | None:
    """The id of the one live team member whose id or name is `ref`, else None."""
    return book.db.repos.users.member_id(ref)


def member_name(book: Book, user_id: str | None) -> str | None:
    """A team member's name by id (None for no id or an unknown one)."""
    return title_of(book, "user", user_id)


def lost_reasons(book: Book) -> list[str]:
    """The team's reasons for a lost deal (the built-in list until one is added)."""
    return book.db.repos.lost_reasons.names()
