"""Provides what the contract and instalment screens' prompts understand (issue 19): a
payment plan typed as 'N [first] [every] [remind D]' or 'A,B,C [first]', and a payment
as 'AMOUNT [DATE] [METHOD]'."""

from __future__ import annotations

from typing import TYPE_CHECKING

from crm_tui.domain import sales_docs as rules
from crm_tui.domain.fields import FieldError, ValidationErrors
from crm_tui.services.payments import Overpayment, make_plan, record_payment

if TYPE_CHECKING:
    from crm_tui.domain.models import Payment, PaymentPlan
    from crm_tui.services.book import Book


def _error(field_name: str, message: str) -> ValidationErrors:
    return ValidationErrors([FieldError(field_name, message)])


def remind_from_text(text: str) -> tuple[str, int | None]:
    """'3 2027-01-15 1m remind 5' -> ('3 2027-01-15 1m', 5); 'remind=5' works too."""
    words = text.replace("remind=", "remind ").split()
    if "remind" not in words:
        return text, None
    at = words.index("remind")
    days = words[at + 1] if at + 1 < len(words) else ""
    if not (days.isascii() and days.isdigit()):
        raise _error("remind_days", "remind N: how many days before each due date, e.g. remind 5")
    return " ".join(words[:at] + words[at + 2 :]), int(days)


def plan_from_text(book: Book, contract_ref: str, text: str) -> list[PaymentPlan]:
    """What the contract screen's `p` asks: 'N [first] [every]' or 'A,B,C [first]', with
    'remind D' anywhere (days before each due date)."""
    text, remind = remind_from_text(text)
    parts = text.split()
    if not parts:
        raise _error("instalments", "type how many instalments, e.g. 3 2027-01-15 1m")
    first = parts[1] if len(parts) > 1 else None
    every = parts[2] if len(parts) > 2 else "1m"
    if parts[0].isdigit() and "," not in parts[0]:
        return make_plan(
            book,
            contract_ref,
            instalments=int(parts[0]),
            first=first,
            every=every,
            remind_days=remind,
        )
    amounts = [a for a in parts[0].split(",") if a]
    return make_plan(
        book, contract_ref, amounts=amounts, first=first, every=every, remind_days=remind
    )


def payment_from_text(book: Book, ref: str, text: str) -> Payment:
    """What `$` asks: 'AMOUNT [DATE] [METHOD] [force]' (e.g. '5万 today transfer'); 'force'
    records more than the contract still awaits (the CLI's --force)."""
    parts = text.split()
    force = any(p.lower() == "force" for p in parts[1:])
    parts = [parts[0], *(p for p in parts[1:] if p.lower() != "force")] if parts else parts
    if not parts:
        raise _error("amount", "type the amount received, e.g. 5万 today transfer")
    methods = {m.value for m in rules.PaymentMethod}
    method = next((p for p in parts[1:] if p.lower() in methods), None)
    dates = [p for p in parts[1:] if p != method]
    try:
        return record_payment(
            book, ref, parts[0], on=dates[0] if dates else None, method=method, force=force
        )
    except Overpayment as exc:
        raise _error(
            "amount", f"{exc.errors[0].message}; add 'force' to record it anyway"
        ) from None
