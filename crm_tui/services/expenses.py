"""Provides the expense-claim use cases: a claim's steps (submit, withdraw, approve,
reject), the approvals queue, the totals line, and saving a claim with its checks.

Who may take a step is decided by crm_tui/domain/permissions.py (the repository checks
each step again); this module turns refusals into sentences for the rep.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from crm_tui.domain.fields import FieldError, ValidationErrors
from crm_tui.domain.money import format_money
from crm_tui.domain.permissions import can_approve

if TYPE_CHECKING:
    from crm_tui.domain.models import Expense
    from crm_tui.services.book import Book

__all__ = [
    "approve",
    "claim_totals",
    "create",
    "decide",
    "get",
    "is_manager",
    "member_name",
    "reject",
    "submit",
    "submitted_claims",
    "totals_line",
    "update",
    "withdraw",
]


def is_manager(book: Book) -> bool:
    """Whether the Approvals view offers decisions to this user."""
    return can_approve(book.actor)


def get(book: Book, expense_id: str) -> Expense | None:
    return book.db.repos.expenses.get(expense_id)


def _with_deal_customer(book: Book, values: Mapping[str, Any]) -> dict[str, Any]:
    # A new claim for a deal but no customer is booked to the deal's customer.
    out = dict(values)
    deal_id = out.get("opportunity_id")
    if deal_id and not out.get("customer_id"):
        deal = book.db.repos.opportunities.get(deal_id)
        if deal is not None:
            out["customer_id"] = deal.customer_id
    return out


def create(book: Book, values: Mapping[str, Any]) -> Expense:
    _spent_by_today(book, values)
    return book.db.repos.expenses.create(_with_deal_customer(book, values))


def update(book: Book, expense_id: str, changes: Mapping[str, Any]) -> Expense:
    _spent_by_today(book, changes)
    return book.db.repos.expenses.update(expense_id, dict(changes))


def check_spent_on(book: Book, spent_on: str) -> None:
    """`ValidationErrors` for a claim dated after today (crm add expense checks it first)."""
    _spent_by_today(book, {"spent_on": spent_on})


def _spent_by_today(book: Book, values: Mapping[str, Any]) -> None:
    """A claim is for money already spent: a date after today is a slip ("tomorrow" for
    "yesterday"). Checked where it is typed, not by the server: a laptop ahead of UTC is
    already on tomorrow's date."""
    from datetime import date

    from crm_tui.domain.dates import DateError, parse_date

    raw = values.get("spent_on")
    if raw in (None, ""):
        return
    today = book.clock.today()
    try:
        spent = raw if isinstance(raw, date) else parse_date(str(raw), today)
    except DateError:
        return  # the field's own check says what is wrong with it
    if spent > today:
        raise ValidationErrors(
            [FieldError("spent_on", f"{spent:%Y-%m-%d} is after today: a claim is for money spent")]
        )


def checked(
    save: Callable[[dict[str, Any]], Any], check_receipt: Callable[[str], str | None]
) -> Callable[[dict[str, Any]], Any]:
    """`save` behind a check of the receipt field, reported beside the field."""

    def run(values: dict[str, Any]) -> Any:
        problem = check_receipt(values.get("receipt", "") or "")
        if problem:
            raise ValidationErrors([FieldError("receipt", problem)])
        return save(values)

    return run


def with_receipt(
    book: Book,
    save: Callable[[dict[str, Any]], Any],
    check_receipt: Callable[[str], str | None],
) -> Callable[[dict[str, Any]], Any]:
    """`save` a claim from the form; a receipt given as a file's path becomes a file on the
    claim (it syncs and opens on the manager's laptop, as `crm add expense --receipt` does)
    and the claim keeps the file's name. The file's size is checked before anything is
    written; the claim and its file are saved in one transaction."""
    from pathlib import Path

    def run(values: dict[str, Any]) -> Any:
        text = (values.get("receipt") or "").strip()
        problem = check_receipt(text) if text else None
        if problem:
            raise ValidationErrors([FieldError("receipt", problem)])
        path = Path(text).expanduser() if text else None
        if path is None or not path.is_file():
            return save(values)
        from crm_tui.services import files

        files.check_file(book, path, field_name="receipt")
        with book.db.transaction():
            claim = save({**values, "receipt": path.name})
            files.attach_receipt(book, claim.id, path)
        return claim

    return run


def submit(book: Book, expense_id: str) -> Expense:
    return book.db.repos.expenses.submit(expense_id)


def withdraw(book: Book, expense_id: str) -> Expense:
    return book.db.repos.expenses.withdraw(expense_id)


def approve(book: Book, expense_id: str, note: str | None = None) -> Expense:
    return book.db.repos.expenses.approve(expense_id, note=note)


def reject(book: Book, expense_id: str, note: str) -> Expense:
    return book.db.repos.expenses.reject(expense_id, note)


def decide(book: Book, expense_id: str, *, approve: bool, note: str) -> str:
    """Approve or reject one claim; returns a message. Raises `ValueError` with the rule's
    sentence when the decision is not allowed."""
    try:
        if approve:
            rec = book.db.repos.expenses.approve(expense_id, note=note.strip() or None)
        else:
            rec = book.db.repos.expenses.reject(expense_id, note)
    except ValidationErrors as exc:
        raise ValueError("; ".join(e.message for e in exc.errors)) from None
    verb = "Approved" if approve else "Rejected"
    return f"{verb} {rec.description or rec.category}; the rep sees it after the next sync."


def submitted_claims(book: Book, limit: int = 500) -> list[Expense]:
    """The team's claims waiting for a decision (not the manager's own), oldest first."""
    from sqlmodel import col

    from crm_tui.domain.models import Expense

    where = [col(Expense.status) == "submitted"]
    if book.user_id:
        where.append(col(Expense.owner_id) != book.user_id)
    return book.db.repos.expenses.page(
        where=where, order_by=[col(Expense.submitted_at), col(Expense.spent_on)], limit=limit
    )


def member_name(book: Book, user_id: str | None) -> str | None:
    user = book.db.repos.users.get(user_id) if user_id else None
    return user.name if user is not None else None


def claim_totals(book: Book) -> dict[str, dict[str, tuple[int, Any]]]:
    """status -> currency -> (count, total) of the live claims."""
    from crm_tui.storage import pipeline

    return {
        str(status): {cur: (m.count, m.total) for cur, m in by_currency.items()}
        for status, by_currency in pipeline.expense_totals(book.db).items()
    }


def totals_line(book: Book) -> str:
    """'draft 2 ¥880.00 · submitted 1 ¥320.00 · …' for the statuses that have claims."""
    parts = []
    for status, by_currency in claim_totals(book).items():
        if not by_currency:
            continue
        count = sum(n for n, _ in by_currency.values())
        money = " + ".join(
            format_money(total, cur) for cur, (_, total) in sorted(by_currency.items())
        )
        parts.append(f"{status} {count} {money}")
    return " · ".join(parts) if parts else "No claims yet: press n to add one."
