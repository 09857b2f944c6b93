"""Provides contracts, payment plans (回款计划) and payments received (回款) for screens
and the CLI (issue 19): a contract from an accepted quote or straight on a deal, a plan
whose instalments add up to the contract, payments entered by the rep (partial and
over-payments spread over the instalments) and confirmed by a manager.

An instalment's `paid` and `settled_on` count every payment entered (what the rep knows
has arrived, so it leaves the chase list at once); the receivables report counts only
confirmed payments as collected.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from crm_tui.domain import sales_docs as rules
from crm_tui.domain.fields import FieldError, ValidationErrors
from crm_tui.domain.money import format_money, parse_money
from crm_tui.domain.permissions import why_not_confirm_payment
from crm_tui.services.sales_repos import docs

if TYPE_CHECKING:
    from crm_tui.domain.models import Contract, Payment, PaymentPlan
    from crm_tui.services.book import Book


def _db(book: Book) -> Any:
    return getattr(book, "db", book)


def _error(field_name: str, message: str) -> ValidationErrors:
    return ValidationErrors([FieldError(field_name, message)])


def _money(book: Book, text: str | int, currency: str) -> int:
    if isinstance(text, int):
        return text
    try:
        return parse_money(text, currency)[0]
    except ValueError as exc:
        raise _error("amount", str(exc)) from None


# --- contracts ------------------------------------------------------------------------
def contract_from_quote(
    book: Book, quote_ref: str, values: dict[str, Any] | None = None
) -> Contract:
    """A draft contract for an accepted quote's total, on the quote's deal."""
    repos = docs(book)
    quote = repos.quotes.resolve(quote_ref)
    if quote.status != rules.QuoteStatus.ACCEPTED:
        raise _error("quote_id", f"quote v{quote.revision} is {quote.status}; accept it first")
    made = repos.contracts.of_quote(quote.id)
    if made:  # one accepted quote, one contract (`crm contract` run twice made two)
        raise _error("quote_id", f"quote v{quote.revision} already has contract {made[0].number}")
    base = {
        "opportunity_id": quote.opportunity_id,
        "quote_id": quote.id,
        "title": quote.title,
        "amount": quote.total,
        "currency": quote.currency,
    }
    return repos.contracts.create(base | (values or {}))


def contract_for_deal(
    book: Book, deal_ref: str, amount: str | int, values: dict[str, Any]
) -> Contract:
    """A draft contract straight on a deal (no quote)."""
    deal = _db(book).repos.opportunities.resolve(deal_ref)
    base = {
        "opportunity_id": deal.id,
        "title": deal.title,
        "amount": _money(book, amount, deal.currency),
        "currency": deal.currency,
    }
    return docs(book).contracts.create(base | values)


def new_contract(
    book: Book,
    *,
    quote_ref: str | None = None,
    deal_ref: str | None = None,
    amount: str | int | None = None,
    values: dict[str, Any] | None = None,
    signed_on: date | str | None = None,
) -> Contract:
    """A contract from an accepted quote, or on a deal for `amount`; signed at once when
    `signed_on` is given. One transaction: a refusal writes nothing."""
    with _db(book).transaction():
        if quote_ref is not None:
            made = contract_from_quote(book, quote_ref, values)
        else:
            if deal_ref is None or amount is None:
                raise _error("amount", "a contract on a deal needs the deal and an amount")
            made = contract_for_deal(book, deal_ref, amount, values or {})
        return sign(book, made.id, signed_on) if signed_on else made


def is_provisional(number: str | None) -> bool:
    """Whether a contract number was made offline (the server renumbers it on sync)."""
    return rules.is_provisional(number)


def get_contract(book: Book, ref: str) -> Contract:
    return docs(book).contracts.resolve(ref)


def sign(book: Book, ref: str, signed_on: date | str | None = None) -> Contract:
    """Sign a contract and win its deal (closed on the signing day, for the contract's
    amount) unless the deal is already won; one step."""
    contract = get_contract(book, ref)
    on = signed_on or _db(book).clock.today()
    with _db(book).transaction():
        signed = docs(book).contracts.step(contract.id, "signed", {"signed_on": on})
        _win_deal(book, signed)
        return signed


def _win_deal(book: Book, contract: Contract) -> None:
    from crm_tui.domain.rules import STAGE_ORDER, Stage
    from crm_tui.services import deals

    deal = deals.get(book, contract.opportunity_id)
    if deal is None or deal.stage == Stage.WON:
        return
    changes: dict[str, Any] = {"amount": contract.amount, "currency": contract.currency}
    if any(getattr(deal, k) != v for k, v in changes.items()):
        deals.update(book, deal.id, changes)
    step = STAGE_ORDER.index(Stage.WON) - STAGE_ORDER.index(Stage(deal.stage))
    deals.move(book, deal.id, step, closed_on=contract.signed_on)


def set_contract_status(book: Book, ref: str, status: str) -> Contract:
    contract = get_contract(book, ref)
    return docs(book).contracts.step(contract.id, status)


# --- payment plans ----------------------------------------------------------------------
def make_plan(
    book: Book,
    contract_ref: str,
    *,
    instalments: int | None = None,
    first: date | str | None = None,
    every: str = "1m",
    amounts: Sequence[str | int] | None = None,
    due: Sequence[date] | None = None,
    method: str | None = None,
    remind_days: int | None = None,
) -> list[PaymentPlan]:
    """Instalments for a contract: `instalments` equal parts (the last takes the cents
    left over) or explicit `amounts`; due from `first` every `every` (or explicit `due`).
    They must add up to the contract amount, to the cent. Each is reminded of
    `remind_days` before it is due (7 by default)."""
    repos = docs(book)
    db = _db(book)
    contract = repos.contracts.resolve(contract_ref)
    if repos.payment_plans.of_contract(contract.id):
        raise _error("contract_id", f"contract {contract.number} already has a plan")
    try:
        if amounts:
            parts = [_money(book, a, contract.currency) for a in amounts]
        else:
            parts = rules.split_amount(contract.amount, instalments or 1)
        rules.check_plan(contract.amount, parts, contract.currency)
        remind = (
            {} if remind_days is None else {"remind_days": rules.check_remind_days(remind_days)}
        )
        if isinstance(first, str):
            from crm_tui.domain.fields import ENTITIES, parse_value

            first = parse_value(ENTITIES["payment_plan"].by_name["due_on"], first, db.input_context)
        start = first or db.clock.today()
        dates = list(due) if due else rules.due_dates(start, len(parts), every)
    except rules.DocError as exc:
        raise _error(exc.field, exc.message) from None
    if len(dates) != len(parts):
        raise _error("due_on", f"{len(parts)} instalments but {len(dates)} due dates")
    with db.transaction():
        return [
            repos.payment_plans.create(
                {
                    "contract_id": contract.id,
                    "instalment": n,
                    "label": f"{n}/{len(parts)}",
                    "due_on": on,
                    "amount": amount,
                    "currency": contract.currency,
                    "method": method,
                }
                | remind
            )
            for n, (on, amount) in enumerate(zip(dates, parts, strict=True), start=1)
        ]


def plan(book: Book, contract_id: str) -> list[PaymentPlan]:
    return docs(book).payment_plans.of_contract(contract_id)


def set_remind_days(book: Book, ref: str, days: int) -> list[PaymentPlan]:
    """Remind `days` before the due date: one instalment (`ref` names it), or every open
    instalment of a contract (`ref` names the contract); one step, one undo."""
    try:
        rules.check_remind_days(days)
    except rules.DocError as exc:
        raise _error(exc.field, exc.message) from None
    repos = docs(book)
    one = _try(repos.payment_plans.resolve, ref)
    if one is not None:
        rows = [one]
    else:
        contract = repos.contracts.resolve(ref)
        rows = [r for r in repos.payment_plans.of_contract(contract.id) if r.settled_on is None]
    with _db(book).transaction():
        return [
            repos.payment_plans.update(r.id, {"remind_days": days})
            for r in rows
            if r.remind_days != days
        ]


# --- payments -------------------------------------------------------------------------
def record_payment(
    book: Book,
    ref: str,
    amount: str | int,
    *,
    on: date | str | None = None,
    method: str | None = None,
    reference: str | None = None,
    force: bool = False,
) -> Payment:
    """A payment received against an instalment or a contract (`ref` names either). Partial
    payments leave the instalment open; an over-payment fills the next instalments. More
    than the contract still awaits is refused (Overpayment, a typo such as 5000万 for 5000)
    unless `force`."""
    repos = docs(book)
    db = _db(book)
    plan_row = _try(repos.payment_plans.resolve, ref)
    contract = (
        repos.contracts.require(plan_row.contract_id)
        if plan_row
        else _try(repos.contracts.resolve, ref)
    )
    if contract is None:
        from crm_tui.storage.repository import NotFound

        raise NotFound(f"no instalment or contract matches '{ref}'")
    minor = _money(book, amount, contract.currency)
    if not force:
        # Entered payments count too: they are the rep's word until a manager confirms.
        received = sum(p.amount for p in repos.payments.of_contract(contract.id))
        left = max(0, contract.amount - received)
        if minor > left:
            cur = contract.currency
            raise Overpayment(
                [
                    FieldError(
                        "amount",
                        f"{format_money(minor, cur)} is more than the {format_money(left, cur)} "
                        f"still outstanding on contract {contract.number or contract.id[:13]} "
                        f"({format_money(contract.amount, cur)})",
                    )
                ]
            )
    with db.transaction():
        payment = repos.payments.create(
            {
                "contract_id": contract.id,
                "plan_id": plan_row.id if plan_row else None,
                "received_on": on or db.clock.today(),
                "amount": minor,
                "currency": contract.currency,
                "method": method,
                "reference": reference,
            }
        )
        settle(book, contract.id)
        return payment


class Overpayment(ValidationErrors):
    """A payment beyond what the contract still awaits (the caller may force it)."""


def overpaid(book: Book, contract_ref: str) -> int:
    """How much the contract's payments (entered or confirmed) exceed its amount; 0 if not."""
    contract = get_contract(book, contract_ref)
    received = sum(p.amount for p in docs(book).payments.of_contract(contract.id))
    return max(0, received - contract.amount)


def _try(find: Any, ref: str) -> Any:
    from crm_tui.storage.repository import NotFound

    try:
        return find(ref)
    except NotFound:
        return None


def settle(book: Book, contract_id: str) -> rules.Allocation:
    """Spread the contract's payments over its instalments (every payment write does it
    too, in the same step, so one undo puts a payment and its instalments back)."""
    return docs(book).payments.settle(contract_id)


def confirm(book: Book, ref: str) -> Payment:
    """A manager confirms a payment (checked again by the server on sync)."""
    repos = docs(book)
    payment = repos.payments.resolve(ref)
    reason = why_not_confirm_payment(book.actor, payment.owner_id, payment.status)
    if reason:
        raise _error("status", reason)
    return repos.payments.confirm(payment.id)


def payments(book: Book, contract_id: str) -> list[Payment]:
    return docs(book).payments.of_contract(contract_id)


# --- what is due ------------------------------------------------------------------------
@dataclass(frozen=True)
class Due:
    """An instalment still open, for the desk panel and the Payments screen."""

    plan_id: str
    contract_id: str
    contract_number: str
    label: str
    due_on: date
    amount: int
    paid: int
    currency: str
    state: str
    days_overdue: int

    @property
    def outstanding(self) -> int:
        return self.amount - self.paid


def due(book: Book, *, within_days: int = 7, limit: int = 50) -> list[Due]:
    """Open instalments overdue or due within `within_days`, earliest first."""
    from datetime import timedelta

    repos = docs(book)
    today = _db(book).clock.today()
    rows = repos.payment_plans.open_due(today + timedelta(days=within_days + 1), limit=limit)
    numbers = {
        c.id: c.number or ""
        for c in (repos.contracts.get(cid) for cid in {r.contract_id for r in rows})
        if c is not None
    }
    return [
        Due(
            plan_id=r.id,
            contract_id=r.contract_id,
            contract_number=numbers.get(r.contract_id, ""),
            label=r.label or str(r.instalment),
            due_on=r.due_on,
            amount=r.amount,
            paid=r.paid,
            currency=r.currency,
            state=rules.instalment_state(r.amount, r.paid, r.due_on, today),
            days_overdue=rules.days_overdue(r.due_on, today),
        )
        for r in rows
        if r.contract_id in numbers
    ]


def state_of(row: PaymentPlan, today: date) -> str:
    return rules.instalment_state(row.amount, row.paid, row.due_on, today)


def contract_labels(book: Book) -> dict[str, str]:
    """contract id -> "number · customer" for every live contract (the instalments list
    shows which contract a row belongs to; contracts are far fewer than instalments)."""
    return docs(book).contracts.labels()
