"""Provides what `crm list`, `crm query` and `crm export` share: an entity by the name a
rep types, and the records a query selects (errors as one line, never a traceback)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from crm_tui.cli.context import fail

if TYPE_CHECKING:
    from crm_tui.domain.fields import EntitySpec
    from crm_tui.services.book import Book

ENTITY_HELP = "customers contacts followups deals claims competitors announcements views"


def entity_spec(name: str) -> EntitySpec:
    """The entity a rep means by `name` (customers, followups, deal …); exits otherwise."""
    from crm_tui.domain.fields import entity

    try:
        return entity(name)
    except KeyError as exc:
        fail(str(exc.args[0]))


def _check_sort(entity: str, sort: str) -> None:
    from crm_tui.services import lists

    try:
        lists.parse_sort(entity, sort)
    except lists.QueryError as exc:
        fail(f"--sort: {exc.message}")


def matching_records(
    book: Book,
    entity: str,
    text: str,
    *,
    sort: str | None = None,
    limit: int = 50,
    full_error: bool = True,
) -> list[Any]:
    """Up to `limit` records of `entity` that the query `text` selects, in `sort` order
    (`urgency`, `field`, `-field`). `full_error=False` prints only the error's message."""
    from crm_tui.services import lists

    if sort:
        _check_sort(entity, sort)
    try:
        return lists.query_rows(book, entity, text, sort=sort, limit=limit)
    except lists.QueryError as exc:
        fail(f"query: {exc if full_error else exc.message}")


TABLE_CAP = 50  # rows a table shows on a terminal when no --limit is given


def print_matches(
    book: Book,
    entity: str,
    text: str,
    fmt: str,
    *,
    sort: str | None = None,
    limit: int | None = None,
    full_error: bool = True,
) -> None:
    """Print what `text` selects: every match in JSON, CSV or to a pipe (streamed), unless
    `limit`; a table on a terminal stops at TABLE_CAP and says "50 of 139 shown"."""
    from crm_tui.cli.output import emit_batches, stdout_is_terminal
    from crm_tui.services import lists, record_stream

    if sort:
        _check_sort(entity, sort)
    capped = limit is None and fmt == "table" and stdout_is_terminal()
    try:
        batches = record_stream.batches(
            book, entity, text, sort=sort, limit=TABLE_CAP if capped else limit
        )
        first = next(batches, [])
    except lists.QueryError as exc:
        fail(f"query: {exc if full_error else exc.message}")
    footer = None
    if capped and len(first) >= TABLE_CAP:
        total = count_matching(book, entity, text)
        if total > TABLE_CAP:
            footer = f"{TABLE_CAP:,} of {total:,} shown (--limit N)"

    def _all() -> Any:
        yield first
        yield from batches

    emit_batches(book, entity, _all(), fmt, footer=footer)


def count_matching(book: Book, entity: str, text: str) -> int:
    from crm_tui.services import lists

    try:
        return lists.count(book, entity, text)
    except lists.QueryError as exc:
        fail(f"query: {exc.message}")


def run_or_fail(action: Callable[[], Any]) -> Any:
    """Run a service call; turn refusals into one clear line and a non-zero exit."""
    from crm_tui.services.records import NotFound, ValidationErrors

    try:
        return action()
    except ValidationErrors as exc:
        fail("; ".join(f"{e.field}: {_an(e.message)}" for e in exc.errors))
    except NotFound as exc:
        fail(str(exc))


def _an(message: str) -> str:
    """'a approved claim' -> 'an approved claim' (the rule book words it from a status)."""
    import re

    return re.sub(r"\b([Aa]) (?=[aeio]\w* (claim|quote|contract) cannot)", r"\1n ", message)


def link_id(book: Book, entity: str, ref: str | None) -> str | None:
    """An id from what the rep typed for a linked record: id, id prefix, exact or searched name."""
    if ref is None or not ref.strip():
        return None
    from crm_tui.services import records
    from crm_tui.services.records import NotFound

    try:
        return records.resolve_link(book, entity, ref)
    except NotFound as exc:
        fail(f"{entity}: {exc}")
