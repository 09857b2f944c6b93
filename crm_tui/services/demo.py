"""Provides the demo book for `crm demo`: write one (or reuse today's) and say what is in it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from crm_tui.demo import demo_stamp, existing_stamp, generate, iter_summary, remove, write_stamp
from crm_tui.domain.dates import Clock

__all__ = ["prepare"]


def prepare(
    path: Path, *, customers: int, seed: int, clock: Clock, fresh: bool = False
) -> Iterator[str]:
    """Write a demo book at `path` unless today's file of the same size and seed is there
    (or `fresh`); lines saying what was done. `OSError` when the file cannot be written."""
    # Today's file is reused, so the app opens at once and what the rep tried in it is
    # still there; dates are relative to the day it was made.
    if not fresh and existing_stamp(path) == demo_stamp(customers, seed, clock):
        yield "today's demo data (use --fresh for new data)"
        return
    # The stamp goes on last: a build that fails half-way is removed, never taken for
    # today's demo by the next `crm demo`.
    try:
        summary = generate(path, customers=customers, seed=seed, clock=clock, stamp=False)
        yield from iter_summary(summary)
        yield _sales_documents(path, clock)
    except BaseException:
        remove(path)
        raise
    write_stamp(path, customers, seed, clock)


def _sales_documents(path: Path, clock: Clock) -> str:
    """Products, quotes, contracts and payments over some of the demo's deals (issue 19).

    They are written through the services, so they would wait in the outbox and the undo
    log; like the rest of the demo they are local seed data, so both are emptied again (the
    file is brand new: nothing else is in them) and the change numbers start at 1."""
    from sqlalchemy import text

    from crm_tui.services.book import Book
    from crm_tui.services.demo_times import backdate
    from crm_tui.services.insight_demo import add_insight
    from crm_tui.services.kb_demo import add_knowledge
    from crm_tui.services.marketing_demo import add_marketing
    from crm_tui.services.office_demo import add_office
    from crm_tui.services.pool_demo import add_pool
    from crm_tui.services.sales_demo import add_sales_docs
    from crm_tui.services.service_demo import add_service
    from crm_tui.storage import outbox

    book = Book.open(path, clock)
    try:
        counts = add_sales_docs(book)
        counts |= add_marketing(book)  # issue 16: campaigns, members, partners, claims
        counts |= add_service(book)  # issue 15: service orders, plans, engineers
        counts |= add_office(book)  # issue 17: work reports, comments, contact log
        counts |= add_knowledge(book)  # issue 17: articles, Q&A, library and files
        counts |= add_pool(book)  # issue 18: pool rules, pooled customers, targets, check-ins
        counts |= add_insight(book)  # issue 22: buying rhythms, surveys, stored figures
        backdate(book)  # the history's rows made before their events, not at build time
        with book.db.transaction() as s:
            outbox.drop(s, [row["client_seq"] for row in outbox.rows(book.db.engine)])
            outbox.renumber(s)
            s.connection().execute(text("DELETE FROM undo_log"))
    finally:
        book.close()
    return (
        f"{counts['products']} products, {counts['quotes']} quotes, "
        f"{counts['contracts']} contracts, {counts['instalments']} instalments, "
        f"{counts['payments']} payments, {counts['campaigns']} campaigns with "
        f"{counts['members']} members, {counts['orders']} service orders, "
        f"{counts['reports']} work reports, {counts['contact_logs']} contacts logged, "
        f"{counts['articles']} articles, {counts['questions']} questions, "
        f"{counts['files']} files, {counts['pooled']} customers in the pool, "
        f"{counts['checkins']} visit check-ins, {counts['won_orders']} past orders, "
        f"{counts['surveys']} satisfaction scores"
    )
