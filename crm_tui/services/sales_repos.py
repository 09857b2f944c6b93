"""Provides `docs(book)`: the quote-to-cash repositories of a book, for the services of
issue 19 (products, quotes, payments)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from crm_tui.services.book import Book
    from crm_tui.storage.repos_docs import DocRepositories


def docs(book: Book) -> DocRepositories:
    """The quote-to-cash repositories of this book (registered with the others when the
    storage container knows them; made here until then)."""
    db = getattr(book, "db", book)
    found = getattr(db.repos, "docs", None)
    if found is None:
        from crm_tui.storage.repos_docs import DocRepositories

        found = DocRepositories(db, db.repos)
        db.repos.docs = found
        # Interim, until storage.repositories registers them (requested from B): sync,
        # records and lists find repositories by entity name.
        for name, repo in found.by_entity.items():
            db.repos.by_entity.setdefault(name, repo)
    return found


def db_of(book: Book) -> Any:
    return getattr(book, "db", book)
