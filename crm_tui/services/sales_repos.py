"""Provides `docs(book)`: the quote-to-cash repositories of a book (storage's
`Repositories.docs`), for the services of issue 19 (products, quotes, payments)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from crm_tui.services.book import Book
    from crm_tui.storage.repos_docs import DocRepositories


def docs(book: Book) -> DocRepositories:
    """The quote-to-cash repositories of this book."""
    return db_of(book).repos.docs


def db_of(book: Book) -> Any:
    """The storage database (services accept a `Book` or, in tests, a `Database`)."""
    return getattr(book, "db", book)
