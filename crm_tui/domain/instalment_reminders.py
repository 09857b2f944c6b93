"""Provides what an instalment reminder says (issue 19) and how far ahead one can be set:
shared by the app's notifier, the full `crm remind` and its quick path, which must load
little (domain/sales_docs.py pulls in Decimal, regular expressions and the enums)."""

from __future__ import annotations

from datetime import date

from crm_tui.domain.money import format_money

MAX_REMIND_DAYS = 366  # the reminder reads instalments due within a year at most


def instalment_reminder(
    instalment: int,
    number: str,
    customer: str,
    outstanding: int,
    amount: int,
    currency: str,
    due_on: date,
    today: date,
) -> str:
    """'instalment 2 of HT-2026-0042 (客户名) ¥50,000.00 due in 3 days': what the reminder
    says (the app's toast and `crm remind`, both paths)."""
    left = format_money(outstanding, currency)
    if outstanding != amount:
        left += f" (of {format_money(amount, currency)})"
    days = (due_on - today).days
    if days > 1:
        when = f"due in {days} days"
    elif days == 1:
        when = "due tomorrow"
    elif days == 0:
        when = "due today"
    else:
        when = f"{-days} day{'s' if days < -1 else ''} overdue"
    who = f" ({customer})" if customer else ""
    return f"instalment {instalment} of {number}{who} {left} {when}"
