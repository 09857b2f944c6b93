"""Provides a customer's briefing (`crm show CUSTOMER`): its contacts, open follow-ups, the
last done ones with their outcomes, open deals and claims -- what a rep reads before a call.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from crm_tui.domain.models import Activity, Contact, Expense, Opportunity
from crm_tui.domain.rules import OPEN_STAGES

if TYPE_CHECKING:
    from crm_tui.services.book import Book

LAST_DONE = 5
OPEN_LIMIT = 50


@dataclass
class Briefing:
    """One customer and what hangs off it (detached domain records)."""

    customer: Any
    contacts: list[Contact] = field(default_factory=list)
    open_followups: list[Activity] = field(default_factory=list)
    done_followups: list[Activity] = field(default_factory=list)  # newest first
    open_deals: list[Opportunity] = field(default_factory=list)
    claims: list[Expense] = field(default_factory=list)  # newest first


def of_customer(book: Book, customer: Any) -> Briefing:
    """The briefing of a customer record (deleted customers too: their rows are shown)."""
    repos = book.db.repos
    cid = customer.id
    return Briefing(
        customer,
        contacts=repos.contacts.page(
            where=[Contact.customer_id == cid], order_by=[Contact.name, Contact.id], limit=200
        ),
        open_followups=repos.activities.page(
            where=[Activity.customer_id == cid, Activity.done_at.is_(None)],  # type: ignore[union-attr]
            order_by=[Activity.due_at.is_(None), Activity.due_at, Activity.id],  # type: ignore[union-attr]
            limit=OPEN_LIMIT,
        ),
        done_followups=repos.activities.page(
            where=[Activity.customer_id == cid, Activity.done_at.is_not(None)],  # type: ignore[union-attr]
            order_by=[Activity.done_at.desc(), Activity.id],  # type: ignore[union-attr]
            limit=LAST_DONE,
        ),
        open_deals=repos.opportunities.page(
            where=[
                Opportunity.customer_id == cid,
                Opportunity.stage.in_([s.value for s in OPEN_STAGES]),  # type: ignore[attr-defined]
            ],
            order_by=[Opportunity.expected_close, Opportunity.id],
            limit=OPEN_LIMIT,
        ),
        claims=repos.expenses.page(
            where=[Expense.customer_id == cid],
            order_by=[Expense.spent_on.desc(), Expense.id],  # type: ignore[attr-defined]
            limit=OPEN_LIMIT,
        ),
    )
