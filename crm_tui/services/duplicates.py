"""Provides the duplicate-claim use cases: the clashes the server flagged, and a manager's
two answers, merging one customer into another and reassigning a record to a teammate.

Both answers are server-checked commands queued for the next sync; the rule book
(domain/permissions.py) decides who may give them, before anything is written.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from crm_tui.domain import permissions
from crm_tui.domain.fields import FieldError, ValidationErrors
from crm_tui.domain.fields import entity as entity_spec
from crm_tui.storage import duplicates as store
from crm_tui.storage.duplicates import Clash
from crm_tui.storage.repository import NotFound

if TYPE_CHECKING:
    from crm_tui.services.book import Book

__all__ = [
    "NOT_MANAGER",
    "Clash",
    "NotFound",
    "ValidationErrors",
    "clashes",
    "may_settle",
    "merge",
    "merge_by_id",
    "reassign",
    "reassign_by_id",
]

NOT_MANAGER = permissions.NOT_MANAGER_MERGE


def _refuse(field: str, message: str) -> ValidationErrors:
    return ValidationErrors([FieldError(field, message)])


def may_settle(book: Book) -> bool:
    """Whether this user may merge and reassign (managers and admins)."""
    return permissions.why_not_merge(book.actor) is None


def clashes(book: Book) -> list[Clash]:
    """Pairs of customers flagged as one company, with owners and what matched."""
    return store.clashes(book.db)


def merge_by_id(book: Book, loser_id: str, survivor_id: str) -> str:
    """Queue the merge of customer `loser_id` into `survivor_id`; a sentence saying so.
    `ValidationErrors` when not a manager, the same customer, or not yet synced."""
    problem = permissions.why_not_merge(book.actor)
    if problem:
        raise _refuse("customer", problem)
    return store.merge_customers(book.db, loser_id, survivor_id)


def merge(book: Book, loser: str, into: str) -> str:
    """`merge_by_id` for references a rep types (id, id prefix or name); `NotFound` when one
    names nothing or more than one customer."""
    problem = permissions.why_not_merge(book.actor)
    if problem:
        raise _refuse("customer", problem)
    repo = book.db.repos.customers
    return merge_by_id(book, repo.resolve(loser).id, repo.resolve(into).id)


def reassign(book: Book, entity: str, ref: str, to: str) -> str:
    """Queue handing the record `ref` (id, prefix or title) of `entity` to the team member
    `to` (name or id); a sentence saying so. `ValidationErrors` / `NotFound` otherwise."""
    problem = permissions.why_not_reassign(book.actor)
    if problem:
        raise _refuse("owner_id", problem)
    try:
        spec = entity_spec(entity)
    except KeyError as exc:
        raise _refuse("entity", str(exc.args[0])) from None
    member = book.db.repos.users.member_id(to)
    if member is None:
        raise _refuse("to", f"no team member '{to}' on this laptop (sync first, or give their id)")
    rec = book.db.repos.by_entity[spec.name].resolve(ref)
    reassign_by_id(book, spec.name, rec.id, member)
    from crm_tui.services.short_ids import short_id
    from crm_tui.services.words import word_for

    return (
        f"Reassign queued: {word_for(spec.name)} {short_id(book, rec.id)} goes to {to} "
        "with the next sync."
    )


def reassign_by_id(book: Book, entity: str, row_id: str, owner_id: str) -> None:
    """Queue handing record `row_id` to the member `owner_id` (ids a screen already holds)."""
    problem = permissions.why_not_reassign(book.actor)
    if problem:
        raise _refuse("owner_id", problem)
    store.reassign(book.db, entity, row_id, owner_id)
