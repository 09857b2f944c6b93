"""Provides the customer page: the customer, and their contacts, follow-ups, deals and
claims, each as a list a record table pages through, and adding records to the page.
Reading and editing one record is services.records' (the same for every kind).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from crm_tui.domain.filter import Compare, Filter
from crm_tui.services import lists, records

if TYPE_CHECKING:
    from crm_tui.domain.models import Customer
    from crm_tui.services.book import Book
    from crm_tui.services.lists import ListPages

# The kinds of record a customer page lists, with the order each list is read in.
PAGE_ENTITIES: dict[str, tuple[tuple[str, ...] | None, bool]] = {
    "contact": (None, False),
    "activity": (("due_at",), True),
    "opportunity": (None, False),
    "expense": (("spent_on",), True),
}


def get(book: Book, customer_id: str) -> Customer | None:
    return records.get(book, "customer", customer_id)


def update(book: Book, customer_id: str, changes: dict[str, Any]) -> Customer:
    """Save the fields a rep changed; raises ValidationErrors or NotFound."""
    return records.update(book, "customer", customer_id, changes)


def records_of(book: Book, customer_id: str, entity: str) -> ListPages:
    """The customer's records of `entity` (one of PAGE_ENTITIES), a page at a time."""
    order, descending = PAGE_ENTITIES[entity]
    mine = Filter(entity, (Compare("customer_id", "=", customer_id),))
    return lists.source(book, entity, mine, order=order, descending=descending)


def new_record_defaults(book: Book, customer_id: str, entity: str) -> dict[str, Any]:
    """What a new record on the customer's page starts with (today, for dates)."""
    initial: dict[str, Any] = {"customer_id": customer_id}
    today = book.clock.today()
    if entity == "activity":
        initial |= {"due_at": book.clock.day_start_utc(today), "all_day": True}
    elif entity == "expense":
        initial["spent_on"] = today
    return initial


def add_record(book: Book, customer_id: str, entity: str, values: dict[str, Any]) -> Any:
    """A new record of `entity` for the customer; raises ValidationErrors."""
    return records.create(book, entity, {**values, "customer_id": customer_id})
