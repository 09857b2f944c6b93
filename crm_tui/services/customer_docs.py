"""Provides a customer's quotes and contracts for the customer page (issue 19): the latest
revision of each deal's quote (status, total) and each contract (number, amount, received,
next instalment due), read a page at a time as a `RecordTable` source.

Quotes and contracts hang off deals, not customers, so the generic list sources (which
filter on the record's own fields) cannot list them by customer; this one joins through
the customer's deals.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import text

if TYPE_CHECKING:
    from crm_tui.domain.filter import Filter
    from crm_tui.services.book import Book

PAGE_SIZE = 50

# Contracts first (the money), newest first; then each deal's latest quote, newest first.
_ROWS = """
WITH deal AS (SELECT id FROM opportunity WHERE customer_id = :customer AND deleted = 0),
docs AS (
    SELECT c.id, 'contract' AS kind, COALESCE(c.number, '') AS number,
           COALESCE(c.title, '') AS title, c.status, c.amount, c.currency,
           (SELECT COALESCE(SUM(p.amount), 0) FROM payment p
             WHERE p.contract_id = c.id AND p.deleted = 0) AS received,
           (SELECT MIN(pp.due_on) FROM payment_plan pp
             WHERE pp.contract_id = c.id AND pp.deleted = 0 AND pp.settled_on IS NULL)
               AS next_due,
           COALESCE(c.signed_on, c.created_at) AS at, 0 AS rank
    FROM contract c WHERE c.deleted = 0 AND c.opportunity_id IN (SELECT id FROM deal)
    UNION ALL
    SELECT q.id, 'quote', 'v' || q.revision, q.title, q.status, q.total, q.currency,
           NULL, q.valid_until, q.created_at, 1
    FROM quote q WHERE q.deleted = 0 AND q.opportunity_id IN (SELECT id FROM deal)
      AND q.revision = (SELECT MAX(q2.revision) FROM quote q2
                        WHERE q2.opportunity_id = q.opportunity_id AND q2.deleted = 0)
)
"""
_PAGE = _ROWS + "SELECT * FROM docs ORDER BY rank, at DESC, id LIMIT :limit OFFSET :offset"
_COUNT = _ROWS + "SELECT COUNT(*) FROM docs"


class CustomerDocs:
    """A `services.lists.ListPages` of one customer's quotes and contracts (no filter, one
    fixed order). Not thread-safe: one per widget."""

    entity = "contract"
    page_size = PAGE_SIZE

    def __init__(self, book: Book, customer_id: str) -> None:
        self.book = book
        self.customer_id = customer_id
        self.generation = 0

    def _read(self, sql: str, **params: Any) -> list[Any]:
        with self.book.db.reading() as s:
            found = s.connection().execute(text(sql), {"customer": self.customer_id} | params)
            return list(found.mappings())

    def count(self) -> int:
        return int(next(iter(self._read(_COUNT)[0].values())))

    def quick_count(self) -> tuple[int, bool]:
        return self.count(), True

    def count_exact(self, interrupt: Callable[[], bool] | None = None) -> int | None:
        return self.count()

    def rows(self, offset: int, limit: int) -> list[dict[str, Any]]:
        return [dict(r) for r in self._read(_PAGE, limit=limit, offset=offset)]

    def page(self, index: int) -> list[dict[str, Any]]:
        return self.rows(index * PAGE_SIZE, PAGE_SIZE)

    def set_filter(self, filter: Filter | None) -> None:  # noqa: A002
        """No query bar on this list: the customer is the filter."""

    def set_order(self, order: Sequence[str], *, descending: bool = False) -> None:
        """One order: contracts, then quotes, newest first."""

    def invalidate(self) -> None:
        self.generation += 1


def of_customer(book: Book, customer_id: str) -> CustomerDocs:
    """The customer's contracts and latest quotes, a page at a time."""
    return CustomerDocs(book, customer_id)
