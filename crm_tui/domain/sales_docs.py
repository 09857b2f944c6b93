"""Provides the pure rules from quote to cash (issue 19): line totals with discount and tax
in integer minor units, quote and contract status steps, revisions, payment plans whose
instalments add up to the contract, allocation of partial and over-payments, overdue and
aging buckets, and DSO.

No I/O and no ORM: storage and services call these with plain values.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from enum import StrEnum

from crm_tui.domain.instalment_reminders import MAX_REMIND_DAYS
from crm_tui.domain.instalment_reminders import instalment_reminder as instalment_reminder
from crm_tui.domain.money import format_money

BP = 10_000  # basis points in a whole: 13% tax is 1300, a 5% discount 500


class DocError(ValueError):
    """A rule of quotes, contracts or payments was broken; `field` names what to fix."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name
        self.message = message


class QuoteStatus(StrEnum):
    DRAFT = "draft"
    SENT = "sent"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    EXPIRED = "expired"


class ContractStatus(StrEnum):
    DRAFT = "draft"
    SIGNED = "signed"
    COMPLETED = "completed"
    CANCELLED = "cancelled"


class PaymentStatus(StrEnum):
    ENTERED = "entered"
    CONFIRMED = "confirmed"


class PaymentMethod(StrEnum):
    TRANSFER = "transfer"
    CASH = "cash"
    CHEQUE = "cheque"
    CARD = "card"
    ACCEPTANCE = "acceptance"  # 承兑汇票: a bank acceptance bill
    OTHER = "other"


QUOTE_STEPS: dict[QuoteStatus, frozenset[QuoteStatus]] = {
    QuoteStatus.DRAFT: frozenset({QuoteStatus.SENT}),
    QuoteStatus.SENT: frozenset({QuoteStatus.ACCEPTED, QuoteStatus.REJECTED, QuoteStatus.EXPIRED}),
    QuoteStatus.ACCEPTED: frozenset(),
    QuoteStatus.REJECTED: frozenset(),
    QuoteStatus.EXPIRED: frozenset(),
}

CONTRACT_STEPS: dict[ContractStatus, frozenset[ContractStatus]] = {
    ContractStatus.DRAFT: frozenset({ContractStatus.SIGNED, ContractStatus.CANCELLED}),
    ContractStatus.SIGNED: frozenset({ContractStatus.COMPLETED, ContractStatus.CANCELLED}),
    ContractStatus.COMPLETED: frozenset(),
    ContractStatus.CANCELLED: frozenset(),
}

AGING_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("0-30", 0, 30),
    ("31-60", 31, 60),
    ("61-90", 61, 90),
    ("90+", 91, None),
)


# --- money ------------------------------------------------------------------------------
def _round_div(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded half away from zero, in integers (no float)."""
    q, r = divmod(abs(numerator), denominator)
    if 2 * r >= denominator:
        q += 1
    return q if numerator >= 0 else -q


def parse_rate(text: str | int | None, field_name: str = "rate") -> int:
    """'13%', '13', '6.5' or 1300 (an int is already basis points) -> basis points."""
    if text is None or text == "":
        return 0
    if isinstance(text, int):
        value = text
    else:
        raw = str(text).strip().rstrip("%").strip()
        try:
            value = int((Decimal(raw) * 100).to_integral_value(ROUND_HALF_UP))
        except InvalidOperation:
            raise DocError(field_name, f"'{text}' is not a percentage (try 13 or 6.5%)") from None
    if not 0 <= value <= BP:
        raise DocError(field_name, f"'{text}' must be between 0 and 100%")
    return value


def rate_text(bp: int) -> str:
    """1300 -> '13%', 650 -> '6.5%'."""
    text = f"{Decimal(bp) / 100:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text + "%"


def line_net(quantity: int, unit_price: int, discount_bp: int = 0) -> int:
    """A line's amount after its discount, in minor units, rounded half up once."""
    if quantity < 0 or unit_price < 0:
        raise DocError("quantity", "quantity and price must be zero or more")
    if not 0 <= discount_bp <= BP:
        raise DocError("discount_bp", "a discount is between 0 and 100%")
    return _round_div(quantity * unit_price * (BP - discount_bp), BP)


@dataclass(frozen=True)
class Totals:
    subtotal: int
    tax: int
    total: int
    discount: int  # what the discounts took off the list amounts


def quote_totals(lines: Iterable[tuple[int, int, int]], tax_rate_bp: int) -> Totals:
    """Totals of (quantity, unit_price, discount_bp) lines. Tax is charged once on the
    subtotal (as a VAT invoice does), so the figures add up exactly: total = subtotal + tax."""
    gross = 0
    subtotal = 0
    for quantity, unit_price, discount_bp in lines:
        gross += quantity * unit_price
        subtotal += line_net(quantity, unit_price, discount_bp)
    tax = _round_div(subtotal * tax_rate_bp, BP)
    return Totals(subtotal, tax, subtotal + tax, gross - subtotal)


# --- status steps -------------------------------------------------------------------------
def check_quote_step(current: str, target: str, *, latest: bool) -> None:
    """May a quote in `current` become `target`? Earlier revisions are read-only."""
    if not latest:
        raise DocError("status", "an earlier revision is read-only; work on the latest one")
    cur, tgt = QuoteStatus(current), QuoteStatus(target)
    if tgt not in QUOTE_STEPS[cur]:
        raise DocError("status", f"a {cur} quote cannot become {tgt}")


def quote_is_editable(status: str, *, latest: bool) -> bool:
    return latest and status == QuoteStatus.DRAFT


def can_revise(status: str, *, latest: bool) -> str | None:
    """None when a new revision may be made from this quote, else why not."""
    if not latest:
        return "only the latest revision can be revised"
    if status == QuoteStatus.ACCEPTED:
        return "an accepted quote is final; make a contract from it"
    return None


def check_contract_step(current: str, target: str) -> None:
    cur, tgt = ContractStatus(current), ContractStatus(target)
    if tgt not in CONTRACT_STEPS[cur]:
        raise DocError("status", f"a {cur} contract cannot become {tgt}")


def provisional_number(year: int, row_id: str) -> str:
    """A contract number made offline: the server replaces it with HT-<year>-<seq>."""
    return f"HT-{year}-P-{row_id.replace('-', '')[-6:].upper()}"


def confirmed_number(year: int, seq: int) -> str:
    return f"HT-{year}-{seq:04d}"


def is_provisional(number: str | None) -> bool:
    return bool(number) and "-P-" in str(number)


# --- payment plans --------------------------------------------------------------------------
_EVERY_RE = re.compile(r"^\s*(\d+)\s*([dwmy])\s*$")


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the month's end (31 Jan + 1m = 28/29 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    nxt = date(year + (month == 12), month % 12 + 1, 1)
    return date(year, month, min(day.day, (nxt - timedelta(days=1)).day))


def due_dates(first: date, count: int, every: str = "1m") -> list[date]:
    """`count` due dates from `first`, every '2w', '1m', '3m', '1y', '10d'."""
    m = _EVERY_RE.match(every or "")
    if not m or int(m.group(1)) == 0:
        raise DocError("every", f"'{every}' is not an interval (try 1m, 2w, 3m, 1y, 30d)")
    n, unit = int(m.group(1)), m.group(2)
    out = []
    for i in range(count):
        if unit == "d":
            out.append(first + timedelta(days=n * i))
        elif unit == "w":
            out.append(first + timedelta(weeks=n * i))
        elif unit == "m":
            out.append(add_months(first, n * i))
        else:
            out.append(add_months(first, 12 * n * i))
    return out


def split_amount(total: int, count: int) -> list[int]:
    """`total` in `count` instalments that add up exactly; the last takes the remainder."""
    if count < 1:
        raise DocError("instalments", "a plan has at least one instalment")
    if count > 120:
        raise DocError("instalments", "at most 120 instalments")
    share = total // count
    return [share] * (count - 1) + [total - share * (count - 1)]


def check_plan(contract_amount: int, amounts: Sequence[int], currency: str = "CNY") -> None:
    """The instalments must add up to the contract amount, to the cent."""
    if not amounts:
        raise DocError("instalments", "a plan has at least one instalment")
    if any(a <= 0 for a in amounts):
        raise DocError("amount", "every instalment is more than zero")
    total = sum(amounts)
    if total != contract_amount:
        diff = contract_amount - total
        more = "short of" if diff > 0 else "over"
        raise DocError(
            "amount",
            f"instalments add up to {format_money(total, currency)}, "
            f"{format_money(abs(diff), currency)} {more} the contract's "
            f"{format_money(contract_amount, currency)}",
        )


# --- payments against instalments ----------------------------------------------------------
@dataclass(frozen=True)
class Instalment:
    id: str
    due_on: date
    amount: int


@dataclass(frozen=True)
class Receipt:
    id: str
    amount: int
    plan_id: str | None = None


@dataclass
class Allocation:
    paid: dict[str, int] = field(default_factory=dict)  # instalment id -> amount covered
    credit: int = 0  # paid beyond the whole plan (an over-payment to refund or carry)

    def outstanding(self, inst: Instalment) -> int:
        return inst.amount - self.paid.get(inst.id, 0)


def allocate(instalments: Sequence[Instalment], receipts: Iterable[Receipt]) -> Allocation:
    """Spread receipts over instalments: a receipt first fills the instalment it names,
    then any overflow (an over-payment) fills the earliest open ones; a receipt naming no
    instalment fills from the earliest. What is left after the last is credit."""
    ordered = sorted(instalments, key=lambda i: (i.due_on, i.id))
    by_id = {i.id: i for i in ordered}
    alloc = Allocation(paid=dict.fromkeys(by_id, 0))
    for receipt in receipts:
        left = receipt.amount
        targets = ([by_id[receipt.plan_id]] if receipt.plan_id in by_id else []) + ordered
        for inst in targets:
            if left <= 0:
                break
            take = min(left, alloc.outstanding(inst))
            if take > 0:
                alloc.paid[inst.id] += take
                left -= take
        alloc.credit += left
    return alloc


def instalment_state(amount: int, paid: int, due_on: date, today: date) -> str:
    if paid >= amount:
        return "paid"
    if due_on < today:
        return "overdue" if paid == 0 else "partly paid, overdue"
    return "open" if paid == 0 else "partly paid"


def days_overdue(due_on: date, today: date) -> int:
    return max(0, (today - due_on).days)


def check_remind_days(days: int) -> int:
    """How many days before its due date an instalment is reminded of (0: on the day)."""
    if not 0 <= days <= MAX_REMIND_DAYS:
        raise DocError("remind_days", f"remind between 0 and {MAX_REMIND_DAYS} days before")
    return days


def aging_bucket(due_on: date, today: date) -> str | None:
    """The aging bucket of an unpaid amount due on `due_on`; None when not yet due."""
    days = (today - due_on).days
    if days <= 0:
        return None
    for name, low, high in AGING_BUCKETS:
        if days >= low and (high is None or days <= high):
            return name
    return None  # pragma: no cover - the last bucket is open-ended


def dso(receivable: int, sales: int, days: int) -> float | None:
    """Days sales outstanding: receivable / sales over the period x its days (None: no sales)."""
    if sales <= 0:
        return None
    return round(receivable / sales * days, 1)


# --- the quote document ------------------------------------------------------------------
@dataclass(frozen=True)
class DocLine:
    position: int
    description: str
    model: str
    unit: str
    quantity: int
    unit_price: int
    discount: str
    net: int


@dataclass(frozen=True)
class QuoteDoc:
    number: str
    title: str
    revision: int
    status: str
    customer: str
    deal: str
    issued_on: date
    valid_until: date | None
    currency: str
    lines: tuple[DocLine, ...]
    totals: Totals
    tax_rate: str
    notes: str
    company: dict[str, str]
