"""Provides monthly targets (issue 18) for screens, the desk and the CLI: a manager sets a
rep's (or the team's) targets for a month — won amount, new customers, visits, payments
received — and everyone sees each figure against its target with the pace still needed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crm_tui.domain.dates import Clock
from crm_tui.domain.fields import FieldError, ValidationErrors
from crm_tui.domain.money import DEFAULT_CURRENCY, MoneyError, parse_money
from crm_tui.domain.permissions import why_not_set_pool_rules
from crm_tui.reports import targets as report
from crm_tui.reports.targets import Line, bar, parse_month
from crm_tui.storage.engine import connect

if TYPE_CHECKING:
    from crm_tui.services.book import Book

__all__ = ["Line", "Progress", "bar", "desk_lines", "parse_month", "progress", "set_target"]
TEAM = "team"


def _error(field: str, message: str) -> ValidationErrors:
    return ValidationErrors([FieldError(field, message)])


def _month(text: str | None, book: Book) -> date:
    if not text:
        return report.month_of(book.clock.today())
    try:
        return parse_month(text)
    except ValueError as exc:
        raise _error("month", str(exc)) from None


def set_target(
    book: Book,
    who: str,
    month: str,
    *,
    won: str | None = None,
    new_customers: int | None = None,
    visits: int | None = None,
    payments: str | None = None,
) -> Any:
    """Set `who`'s ('team' or a member) targets for `month`; only the figures given change."""
    first, user_id = _who_and_month(book, who, month)
    currency = book.input_context.currency
    values: dict[str, Any] = {}
    for name, text in (("won", won), ("payments", payments)):
        if text is not None:
            try:
                values[name] = parse_money(text, currency)[0]
            except (MoneyError, ValueError) as exc:
                raise _error(name, f"--{name}: {exc}") from None
    for name, count in (("new_customers", new_customers), ("visits", visits)):
        if count is not None:
            if count < 0:
                raise _error(name, f"--{name.replace('_', '-')} cannot be negative")
            values[name] = count
    if not values:
        raise _error("target", "give at least one of --won, --new-customers, --visits, --payments")
    return _store(book, first, user_id, values)


FIGURES = ("won", "new_customers", "visits", "payments")


def _who_and_month(book: Book, who: str, month: str | None) -> tuple[date, str | None]:
    if why_not_set_pool_rules(book.actor):
        raise PermissionError("only a manager sets targets")
    first = _month(month, book)
    if who.strip().lower() == TEAM:
        return first, None
    user_id = book.db.repos.users.member_id(who.strip())
    if user_id is None:
        raise _error("user_id", f"no team member '{who}' (or 'team' for the whole team)")
    return first, user_id


def _store(book: Book, first: date, user_id: str | None, values: dict[str, Any]) -> Any:
    repo = book.db.repos.pool.targets
    key = f"{first:%Y-%m}"
    current = repo.find(key, user_id)
    if current is None:
        return repo.create({"user_id": user_id, "month": key, **values})
    return repo.update(current.id, values)


def current_target(book: Book, who: str, month: str | None) -> Any | None:
    """`who`'s ('team' or a member) target row for `month`, if set (what a form starts from)."""
    first = _month(month, book)
    user_id = None if who.strip().lower() == TEAM else book.db.repos.users.member_id(who.strip())
    return book.db.repos.pool.targets.find(f"{first:%Y-%m}", user_id)


def set_target_from_form(book: Book, who: str, month: str | None, texts: dict[str, str]) -> Any:
    """`set_target` from a form's text (the registry parses money — 50万, 500k — and counts,
    refusing a non-number or a negative on its own field); an emptied figure is cleared."""
    from crm_tui.domain.fields import parse_values

    first, user_id = _who_and_month(book, who, month)
    typed = parse_values("target", texts, book.input_context)
    values = {k: v for k, v in typed.items() if k in FIGURES}
    if not values:
        raise _error("target", "nothing changed: type a figure to set")
    return _store(book, first, user_id, values)


@dataclass(frozen=True)
class Progress:
    who: str
    user_id: str | None
    month: date
    lines: list[Line]


def progress(book: Book, month: str | None = None, *, everyone: bool = False) -> list[Progress]:
    """Figures against targets for the rep (and the team); a manager with `everyone` gets
    every rep with a target that month, then the team."""
    first = _month(month, book)
    members = book.db.repos.users.members()  # name -> id
    me = book.user_id
    wanted: list[tuple[str, str | None]] = []
    if everyone:
        if not book.actor.manager:
            raise PermissionError("only a manager sees every rep's targets")
        this_month = book.db.repos.pool.targets.page(limit=1000)
        with_target = {t.user_id for t in this_month if t.month == f"{first:%Y-%m}"}
        wanted = [(name, uid) for name, uid in members.items() if uid in with_target]
    elif me is not None:
        names = {v: k for k, v in members.items()}
        wanted = [(names.get(me, "me"), me)]
    wanted.append((TEAM, None))
    currency = book.input_context.currency or DEFAULT_CURRENCY
    conn = connect(book.path, readonly=True)
    try:
        return [
            Progress(who, uid, first, report.lines(conn, book.clock, first, uid, currency))
            for who, uid in wanted
        ]
    finally:
        conn.close()


def desk_lines(path: Path | str, clock: Clock) -> tuple[list[Line], str]:
    """The signed-in rep's figures against this month's targets and the book's currency, for
    the desk (plain sqlite3); no lines when no target is set or the file predates 0110."""
    import sqlite3

    try:
        conn = connect(path, readonly=True)
    except sqlite3.Error:
        return [], DEFAULT_CURRENCY
    try:
        row = conn.execute("SELECT value FROM sync_state WHERE key = 'user_id'").fetchone()
        me = row[0] if row and row[0] else None
        cur = conn.execute("SELECT value FROM sync_state WHERE key = 'currency'").fetchone()
        currency = (cur[0] if cur and cur[0] else None) or DEFAULT_CURRENCY
        first = report.month_of(clock.today())
        found = report.lines(conn, clock, first, me, currency)
        return (found if any(x.target for x in found) else []), currency
    except sqlite3.OperationalError:
        return [], DEFAULT_CURRENCY
    finally:
        conn.close()
