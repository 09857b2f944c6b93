"""Provides the quote-to-cash repositories (issue 19): products, quotes and their lines,
contracts, payment plans (instalments) and payments received, and `DocRepositories`, the
six of them for one database.

Status changes go through `step` (quotes, contracts) and `confirm` (payments, a command the
server checks), never through a plain edit; the rules themselves are domain/sales_docs.py.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from crm_tui.domain import sales_docs as rules
from crm_tui.domain.fields import FieldError, ValidationErrors, parse_values
from crm_tui.domain.models import Contract, Payment, PaymentPlan, Product, Quote, QuoteLine
from crm_tui.domain.money import format_money
from crm_tui.domain.product_keys import product_id
from crm_tui.storage.repository import NotFound, Repository, live

if TYPE_CHECKING:
    from crm_tui.storage.store import Store


_PROVISIONAL = re.compile(r"HT-\d{4}-P-([0-9A-F]{6})")


def _refuse(field_name: str, message: str) -> ValidationErrors:
    return ValidationErrors([FieldError(field_name, message)])


class ProductRepo(Repository[Product]):
    """The price list: shared by the team. A new product's id is derived from its code (or
    name and model), so two laptops adding the same product offline make one record
    (domain/product_keys.py); adding one that exists is refused, one deleted comes back."""

    entity = "product"
    default_order = ("name", "id")

    def by_code(self, code: str) -> Product | None:
        found = self.page(where=[Product.code == code], limit=1)
        return found[0] if found else None

    def create(
        self, values: Mapping[str, Any], *, row_id: str | None = None, record_undo: bool = True
    ) -> Product:
        if row_id is not None:
            return super().create(values, row_id=row_id, record_undo=record_undo)
        code, name, model = (str(values.get(k) or "") or None for k in ("code", "name", "model"))
        row_id = product_id(code, name, model)
        with self.db.transaction():
            # By code first: an older product (random id) with this code counts too.
            same = self.by_code(code) if code is not None else None
            same = same or self.get(row_id, include_deleted=True)
            if same is None:
                return super().create(values, row_id=row_id, record_undo=record_undo)
            if not same.deleted:
                if code:
                    raise _refuse("code", f"a product with code {same.code} exists")
                model = f" {same.model}" if same.model else ""
                raise _refuse(
                    "name", f"{same.name}{model} is on the price list already; give it a code"
                )
            self.restore(same.id, record_undo=record_undo)
            return self.update(same.id, values, record_undo=record_undo)


class QuoteRepo(Repository[Quote]):
    """Quotes of a deal, one row per revision; only the latest draft is edited."""

    entity = "quote"
    default_order = ("opportunity_id", "revision")

    def latest_revision(self, s: Session, opportunity_id: str) -> int:
        query = select(func.max(Quote.revision)).where(
            Quote.opportunity_id == opportunity_id, live(Quote)
        )
        return s.exec(query).one() or 0

    def is_latest(self, rec: Quote) -> bool:
        with self.db.reading() as s:
            return rec.revision >= self.latest_revision(s, rec.opportunity_id)

    def before_update(self, s: Session, rec: Quote, changes: dict[str, Any]) -> None:
        if "status" in changes and changes["status"] != rec.status:
            raise _refuse("status", "use send, accept or reject to change a quote's status")
        derived = {"subtotal", "tax", "total"}
        if set(changes) <= derived:
            return  # totals follow the lines (services recompute them)
        if not rules.quote_is_editable(
            rec.status, latest=rec.revision >= self.latest_revision(s, rec.opportunity_id)
        ):
            raise _refuse("status", f"this quote (v{rec.revision}, {rec.status}) is read-only")

    def step(self, row_id: str, target: str, extra: dict[str, Any] | None = None) -> Quote:
        """Move a quote along draft -> sent -> accepted / rejected / expired."""
        with self.db.transaction() as s:
            rec = self._live(s, row_id)
            try:
                rules.check_quote_step(
                    rec.status,
                    target,
                    latest=rec.revision >= self.latest_revision(s, rec.opportunity_id),
                )
            except rules.DocError as exc:
                raise _refuse(exc.field, exc.message) from None
            changes = parse_values(self.entity, extra or {}, self.db.input_context)
            return self._apply(s, rec, {"status": target} | changes, kind="patch", record_undo=True)

    def of_deal(self, opportunity_id: str) -> list[Quote]:
        return self.page(
            where=[Quote.opportunity_id == opportunity_id],
            order_by=[Quote.revision],
            limit=500,
        )


class QuoteLineRepo(Repository[QuoteLine]):
    """A quote's lines: written only while the quote is the latest draft."""

    entity = "quote_line"
    default_order = ("quote_id", "position")

    def _check_quote(self, s: Session, quote_id: str) -> None:
        quote = s.get(Quote, quote_id)
        if quote is None or quote.deleted:
            return  # the reference check names the missing quote
        latest = QuoteRepo(self.db).latest_revision(s, quote.opportunity_id)
        if not rules.quote_is_editable(quote.status, latest=quote.revision >= latest):
            raise _refuse(
                "quote_id", f"quote v{quote.revision} is {quote.status}; its lines are read-only"
            )

    def before_create(self, s: Session, rec: QuoteLine, values: dict[str, Any]) -> None:
        self._check_quote(s, rec.quote_id)

    def before_update(self, s: Session, rec: QuoteLine, changes: dict[str, Any]) -> None:
        self._check_quote(s, rec.quote_id)

    def before_delete(self, s: Session, rec: QuoteLine) -> None:
        self._check_quote(s, rec.quote_id)

    def of_quote(self, quote_id: str) -> list[QuoteLine]:
        return self.page(
            where=[QuoteLine.quote_id == quote_id],
            order_by=[QuoteLine.position, QuoteLine.id],
            limit=1000,
        )


class ContractRepo(Repository[Contract]):
    """Contracts: numbered provisionally here, confirmed by the server."""

    entity = "contract"
    default_order = ("signed_on", "id")

    def before_create(self, s: Session, rec: Contract, values: dict[str, Any]) -> None:
        if rec.amount <= 0:
            raise _refuse("amount", "a contract's amount is more than zero")
        self._check_dates(rec.starts_on, rec.ends_on)
        if not rec.number:
            year = (rec.signed_on or self.db.clock.today()).year
            rec.number = rules.provisional_number(year, rec.id)

    def before_update(self, s: Session, rec: Contract, changes: dict[str, Any]) -> None:
        if "status" in changes and changes["status"] != rec.status:
            raise _refuse("status", "use sign, complete or cancel to change a contract's status")
        if "number" in changes and changes["number"] != rec.number:
            raise _refuse("number", "the server numbers contracts")
        if changes.get("amount", rec.amount) <= 0:
            raise _refuse("amount", "a contract's amount is more than zero")
        self._check_dates(
            changes.get("starts_on", rec.starts_on), changes.get("ends_on", rec.ends_on)
        )

    @staticmethod
    def _check_dates(starts_on: Any, ends_on: Any) -> None:
        if starts_on and ends_on and ends_on < starts_on:
            raise _refuse("ends_on", f"it ends ({ends_on}) before it starts ({starts_on})")

    def step(self, row_id: str, target: str, extra: dict[str, Any] | None = None) -> Contract:
        with self.db.transaction() as s:
            rec = self._live(s, row_id)
            try:
                rules.check_contract_step(rec.status, target)
            except rules.DocError as exc:
                raise _refuse(exc.field, exc.message) from None
            changes = parse_values(self.entity, extra or {}, self.db.input_context)
            return self._apply(s, rec, {"status": target} | changes, kind="patch", record_undo=True)

    def of_deal(self, opportunity_id: str) -> list[Contract]:
        return self.page(where=[Contract.opportunity_id == opportunity_id], limit=500)

    def of_quote(self, quote_id: str) -> list[Contract]:
        return self.page(where=[Contract.quote_id == quote_id], limit=10)

    def resolve(self, ref: str, *, include_deleted: bool = False) -> Contract:
        """Also by the provisional number it had before the server numbered it
        (HT-2026-P-73678C ends with the last six hex digits of the id)."""
        try:
            return super().resolve(ref, include_deleted=include_deleted)
        except NotFound:
            match = _PROVISIONAL.fullmatch(ref.strip().upper())
            if not match:
                raise
        tail = match.group(1).lower()
        found = self.page(
            where=[func.lower(func.replace(Contract.id, "-", "")).like(f"%{tail}")],
            limit=2,
            include_deleted=include_deleted,
        )
        if len(found) == 1:
            return found[0]
        raise NotFound(f"no contract matches '{ref}'" if not found else f"'{ref}' is ambiguous")

    def labels(self) -> dict[str, str]:
        """id -> "number · customer" of every live contract, in one query."""
        with self.db.reading() as s:
            rows = s.connection().exec_driver_sql(
                "SELECT c.id, COALESCE(c.number, ''), COALESCE(cu.name, '') FROM contract c "
                "LEFT JOIN opportunity o ON o.id = c.opportunity_id "
                "LEFT JOIN customer cu ON cu.id = o.customer_id WHERE c.deleted = 0"
            )
            return {cid: f"{no} · {name}" if name else no for cid, no, name in rows}


class PaymentPlanRepo(Repository[PaymentPlan]):
    """Instalments of a contract; `paid` and `settled_on` follow its payments."""

    entity = "payment_plan"
    default_order = ("due_on", "id")

    def of_contract(self, contract_id: str) -> list[PaymentPlan]:
        return self.page(
            where=[PaymentPlan.contract_id == contract_id],
            order_by=[PaymentPlan.instalment, PaymentPlan.id],
            limit=1000,
        )

    def open_due(self, before: Any, limit: int = 50) -> list[PaymentPlan]:
        """Instalments not settled and due before `before` (a date), earliest first."""
        return self.page(
            where=[col(PaymentPlan.settled_on).is_(None), PaymentPlan.due_on < before],
            order_by=[PaymentPlan.due_on, PaymentPlan.id],
            limit=limit,
        )


class PaymentRepo(Repository[Payment]):
    """Payments received: entered by the rep, confirmed by a manager (a server command)."""

    entity = "payment"
    default_order = ("received_on", "id")

    def before_create(self, s: Session, rec: Payment, values: dict[str, Any]) -> None:
        if rec.status != rules.PaymentStatus.ENTERED:
            raise _refuse("status", "a payment is entered first; a manager confirms it")
        if rec.amount <= 0:
            raise _refuse("amount", "a payment is more than zero")
        self._check_received(rec.received_on)

    def before_update(self, s: Session, rec: Payment, changes: dict[str, Any]) -> None:
        if rec.status == rules.PaymentStatus.CONFIRMED:
            raise _refuse("status", "a confirmed payment is locked")
        if {"status", "confirmed_by", "confirmed_at"} & set(changes):
            raise _refuse("status", "a manager confirms a payment (crm confirm)")
        if "received_on" in changes:
            self._check_received(changes["received_on"])

    def _check_received(self, on: Any) -> None:
        today = self.db.clock.today()
        if on is not None and on > today:
            raise _refuse("received_on", f"{on} is in the future; record a payment once it is in")

    def before_delete(self, s: Session, rec: Payment) -> None:
        if rec.status == rules.PaymentStatus.CONFIRMED:
            raise _refuse("status", "a confirmed payment cannot be deleted")

    def describe(self, rec: Payment) -> str:
        """A readable name for messages (a payment's title field, its bank reference, is
        often empty): "¥30,000.00 on 2026-11-03", with the reference when there is one."""
        text = f"{format_money(rec.amount, rec.currency)} on {rec.received_on.isoformat()}"
        return f"{text} ({rec.reference})" if rec.reference else text

    def after_write(self, s: Session, rec: Payment, changed: set[str]) -> None:
        # The instalments' `paid` follow every payment write in the same step (no undo
        # entries of their own), so `crm undo` of a payment is one step and puts them back.
        super().after_write(s, rec, changed)
        self._settle(s, rec.contract_id)

    def settle(self, contract_id: str) -> rules.Allocation:
        """Spread the contract's payments over its instalments and store each one's `paid`
        and `settled_on` (only where they changed)."""
        with self.db.transaction() as s:
            return self._settle(s, contract_id)

    def _settle(self, s: Session, contract_id: str) -> rules.Allocation:
        rows = list(
            s.exec(
                select(PaymentPlan)
                .where(PaymentPlan.contract_id == contract_id, live(PaymentPlan))
                .order_by(PaymentPlan.instalment, PaymentPlan.id)
            )
        )
        pays = list(
            s.exec(
                select(Payment)
                .where(Payment.contract_id == contract_id, live(Payment))
                .order_by(Payment.received_on, Payment.id)
            )
        )
        alloc = rules.allocate(
            [rules.Instalment(p.id, p.due_on, p.amount) for p in rows],
            [rules.Receipt(p.id, p.amount, p.plan_id) for p in pays],
        )
        last_day = max((p.received_on for p in pays), default=None)
        plans = PaymentPlanRepo(self.db, self.repos)
        for row in rows:
            paid = alloc.paid.get(row.id, 0)
            settled = (row.settled_on or last_day) if paid >= row.amount else None
            if (row.paid, row.settled_on) != (paid, settled):
                changes = {"paid": paid, "settled_on": settled}
                plans._apply(s, row, changes, kind="patch", record_undo=False)
        return alloc

    def of_contract(self, contract_id: str) -> list[Payment]:
        return self.page(
            where=[Payment.contract_id == contract_id],
            order_by=[Payment.received_on, Payment.id],
            limit=5000,
        )

    def confirm(self, row_id: str) -> Payment:
        """Mark a payment confirmed here and queue the `confirm` command; the server checks
        who may (a manager, never for their own payment) and sets who and when itself."""
        with self.db.transaction() as s:
            rec = self._live(s, row_id)
            if rec.status == rules.PaymentStatus.CONFIRMED:
                raise _refuse("status", "this payment is already confirmed")
            changes: dict[str, Any] = {
                "status": rules.PaymentStatus.CONFIRMED.value,
                "confirmed_by": self.db.user_id,
                "confirmed_at": self.db.clock.now(),
            }
            self._write_command(s, rec, changes, {"command": "confirm", "fields": {}})
            return rec


class DocRepositories:
    """The quote-to-cash repositories of one database, by role and by entity name."""

    def __init__(self, db: Store, repos: Any = None) -> None:
        self.products = ProductRepo(db, repos)
        self.quotes = QuoteRepo(db, repos)
        self.quote_lines = QuoteLineRepo(db, repos)
        self.contracts = ContractRepo(db, repos)
        self.payment_plans = PaymentPlanRepo(db, repos)
        self.payments = PaymentRepo(db, repos)
        self.by_entity: dict[str, Repository[Any]] = {
            repo.entity: repo
            for repo in (
                self.products,
                self.quotes,
                self.quote_lines,
                self.contracts,
                self.payment_plans,
                self.payments,
            )
        }
