"""Provides quotes (issue 19) for screens and the CLI: a quote made from
a deal's lines or from products, its lines and totals, revisions (v1, v2…; earlier ones
read-only), send / accept / reject, and everything the quote document shows.

Functions take a `Book` first and return detached domain records or plain dataclasses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crm_tui.domain import sales_docs as rules
from crm_tui.domain.fields import FieldError, ValidationErrors
from crm_tui.services.products import find_product
from crm_tui.services.sales_repos import db_of, docs

if TYPE_CHECKING:
    from crm_tui.domain.models import Quote, QuoteLine
    from crm_tui.services.book import Book

VALID_DAYS = 30
DEFAULT_TAX = "13%"  # China's standard VAT rate on goods


def _error(field_name: str, message: str) -> ValidationErrors:
    return ValidationErrors([FieldError(field_name, message)])


# --- quotes ---------------------------------------------------------------------------
@dataclass(frozen=True)
class LineIn:
    """A line to put on a quote (money in minor units, discount in basis points)."""

    description: str
    quantity: int = 1
    unit_price: int = 0
    discount_bp: int = 0
    model: str | None = None
    unit: str | None = None
    product_id: str | None = None


def deal_lines(book: Book, deal_id: str) -> list[LineIn]:
    """A deal's order lines as quote lines."""
    lines = db_of(book).repos.opportunity_lines.of_opportunity(deal_id)
    return [
        LineIn(
            description=line.product,
            quantity=line.quantity,
            unit_price=line.unit_price,
            model=line.model,
        )
        for line in lines
    ]


def product_line(book: Book, ref: str, quantity: int = 1, discount_bp: int = 0) -> LineIn:
    product = find_product(book, ref)
    return LineIn(
        description=product.name,
        quantity=quantity,
        unit_price=product.list_price,
        discount_bp=discount_bp,
        model=product.model,
        unit=product.unit,
        product_id=product.id,
    )


def new_quote(
    book: Book,
    deal_ref: str,
    lines: Sequence[LineIn] | None = None,
    *,
    tax_rate: str | int = DEFAULT_TAX,
    valid_until: str | date | None = None,
    notes: str | None = None,
) -> Quote:
    """A draft quote on a deal, from `lines` or else the deal's own order lines. A deal
    that already has quotes gets the next revision number."""
    db = db_of(book)
    deal = db.repos.opportunities.resolve(deal_ref)
    lines = list(lines) if lines is not None else deal_lines(book, deal.id)
    if not lines:
        raise _error("lines", "the deal has no lines; name products (--product CODE:QTY)")
    try:
        tax_bp = rules.parse_rate(tax_rate, "tax_rate_bp")
    except rules.DocError as exc:
        raise _error(exc.field, exc.message) from None
    repos = docs(book)
    with db.transaction() as s:
        revision = repos.quotes.latest_revision(s, deal.id) + 1
        quote = repos.quotes.create(
            {
                "opportunity_id": deal.id,
                "title": deal.title,
                "revision": revision,
                "tax_rate_bp": tax_bp,
                "currency": deal.currency,
                "valid_until": valid_until or db.clock.today() + timedelta(days=VALID_DAYS),
                "notes": notes,
            }
        )
        _write_lines(book, quote.id, lines)
        return _retotal(book, quote.id)


def _write_lines(book: Book, quote_id: str, lines: Sequence[LineIn]) -> None:
    repo = docs(book).quote_lines
    for position, line in enumerate(lines, start=1):
        if line.quantity < 0:
            raise _error("quantity", f"line {position}: quantity must be zero or more")
        repo.create(
            {
                "quote_id": quote_id,
                "description": line.description,
                "quantity": line.quantity,
                "unit_price": line.unit_price,
                "discount_bp": line.discount_bp,
                "model": line.model,
                "unit": line.unit,
                "product_id": line.product_id,
                "position": position,
            }
        )


def _retotal(book: Book, quote_id: str) -> Quote:
    repos = docs(book)
    quote = repos.quotes.require(quote_id)
    t = totals(book, quote)
    if (quote.subtotal, quote.tax, quote.total) == (t.subtotal, t.tax, t.total):
        return quote
    return repos.quotes.update(quote_id, {"subtotal": t.subtotal, "tax": t.tax, "total": t.total})


def totals(book: Book, quote: Quote) -> rules.Totals:
    lines = docs(book).quote_lines.of_quote(quote.id)
    return rules.quote_totals(
        ((ln.quantity, ln.unit_price, ln.discount_bp) for ln in lines), quote.tax_rate_bp
    )


def lines(book: Book, quote_id: str) -> list[QuoteLine]:
    return docs(book).quote_lines.of_quote(quote_id)


def add_line(book: Book, quote_id: str, line: LineIn) -> Quote:
    with db_of(book).transaction():
        count = len(lines(book, quote_id))
        docs(book).quote_lines.create(
            {
                "quote_id": quote_id,
                "description": line.description,
                "quantity": line.quantity,
                "unit_price": line.unit_price,
                "discount_bp": line.discount_bp,
                "model": line.model,
                "unit": line.unit,
                "product_id": line.product_id,
                "position": count + 1,
            }
        )
        return _retotal(book, quote_id)


def edit_line(book: Book, line_id: str, changes: dict[str, Any]) -> Quote:
    repo = docs(book).quote_lines
    with db_of(book).transaction():
        line = repo.update(line_id, changes)
        return _retotal(book, line.quote_id)


def remove_line(book: Book, line_id: str) -> Quote:
    repo = docs(book).quote_lines
    with db_of(book).transaction():
        line = repo.delete(line_id)
        return _retotal(book, line.quote_id)


def get(book: Book, ref: str) -> Quote:
    """A quote by id, id prefix or exact title (raises NotFound)."""
    return docs(book).quotes.resolve(ref)


def of_deal(book: Book, deal_id: str) -> list[Quote]:
    return docs(book).quotes.of_deal(deal_id)


def is_latest(book: Book, quote: Quote) -> bool:
    return docs(book).quotes.is_latest(quote)


def revise(book: Book, ref: str) -> Quote:
    """A new draft revision (v+1) with the quote's lines; the earlier one stays read-only."""
    quote = get(book, ref)
    reason = rules.can_revise(quote.status, latest=is_latest(book, quote))
    if reason:
        raise _error("status", reason)
    old_lines = lines(book, quote.id)
    copied = [
        LineIn(
            description=ln.description,
            quantity=ln.quantity,
            unit_price=ln.unit_price,
            discount_bp=ln.discount_bp,
            model=ln.model,
            unit=ln.unit,
            product_id=ln.product_id,
        )
        for ln in old_lines
    ]
    return new_quote(
        book,
        quote.opportunity_id,
        copied,
        tax_rate=quote.tax_rate_bp,
        valid_until=db_of(book).clock.today() + timedelta(days=VALID_DAYS),
        notes=quote.notes,
    )


def send(book: Book, ref: str) -> Quote:
    quote = get(book, ref)
    if quote.status == rules.QuoteStatus.SENT:
        return quote  # sending the document again changes nothing
    return docs(book).quotes.step(quote.id, "sent", {"sent_at": db_of(book).clock.now()})


def accept(book: Book, ref: str) -> Quote:
    """The customer accepted; a quote past its valid-until date is expired instead (revise
    it to quote again)."""
    quote = get(book, ref)
    today = db_of(book).clock.today()
    if quote.status == rules.QuoteStatus.SENT and quote.valid_until and quote.valid_until < today:
        docs(book).quotes.step(quote.id, "expired", {"decided_on": today})
        raise _error(
            "valid_until",
            f"quote v{quote.revision} expired on {quote.valid_until.isoformat()}; revise it",
        )
    return docs(book).quotes.step(quote.id, "accepted", {"decided_on": today})


def reject(book: Book, ref: str) -> Quote:
    quote = get(book, ref)
    return docs(book).quotes.step(quote.id, "rejected", {"decided_on": db_of(book).clock.today()})


# --- what the quote document shows ----------------------------------------------------
def document(book: Book, ref: str, company: dict[str, str] | None = None) -> rules.QuoteDoc:
    """Everything the quote document shows, read once."""
    db = db_of(book)
    quote = get(book, ref)
    deal = db.repos.opportunities.get(quote.opportunity_id, include_deleted=True)
    customer = db.repos.customers.get(deal.customer_id, include_deleted=True) if deal else None
    doc_lines = tuple(
        rules.DocLine(
            position=i,
            description=ln.description,
            model=ln.model or "",
            unit=ln.unit or "",
            quantity=ln.quantity,
            unit_price=ln.unit_price,
            discount=rules.rate_text(ln.discount_bp) if ln.discount_bp else "",
            net=rules.line_net(ln.quantity, ln.unit_price, ln.discount_bp),
        )
        for i, ln in enumerate(lines(book, quote.id), start=1)
    )
    return rules.QuoteDoc(
        number=f"BJ-{quote.id.replace('-', '')[-6:].upper()}",
        title=quote.title,
        revision=quote.revision,
        status=quote.status,
        customer=customer.name if customer else "",
        deal=deal.title if deal else "",
        issued_on=db.clock.to_local(quote.sent_at).date() if quote.sent_at else db.clock.today(),
        valid_until=quote.valid_until,
        currency=quote.currency,
        lines=doc_lines,
        totals=totals(book, quote),
        tax_rate=rules.rate_text(quote.tax_rate_bp),
        notes=quote.notes or "",
        company=company if company is not None else company_header(book),
    )


COMPANY_KEYS = ("name", "address", "phone", "email", "bank", "tax_id")


def company_header(book: Book) -> dict[str, str]:
    """The company header of quote documents: the local settings `company.name`,
    `company.address`, `company.phone`, `company.email`, `company.bank`, `company.tax_id`."""
    db = db_of(book)
    return {key: db.state(f"company.{key}") or "" for key in COMPANY_KEYS}


def set_company_header(book: Book, values: dict[str, str]) -> None:
    unknown = set(values) - set(COMPANY_KEYS)
    if unknown:
        raise _error(sorted(unknown)[0], f"the header has {', '.join(COMPANY_KEYS)}")
    db = db_of(book)
    for key, value in values.items():
        db.set_state(f"company.{key}", value.strip() or None)


def write_document(book: Book, ref: str, path: Path) -> str:
    """Write quote `ref` as HTML or Markdown (by the file's suffix); returns the format.
    ValueError for another suffix, OSError when the file cannot be written."""
    from crm_tui.io import quote_doc

    fmt = quote_doc.format_for(path)  # before reading anything: a bad name changes nothing
    path.write_text(quote_doc.render(document(book, ref), fmt), encoding="utf-8")
    return fmt


def send_to_file(book: Book, ref: str, folder: Path | None = None) -> Path:
    """Send from the app: write the HTML document next to the book (quotes/<no>-v<n>.html)
    and mark the quote sent. Returns the file written."""
    quote = get(book, ref)
    doc = document(book, quote.id)
    folder = folder or db_of(book).path.parent / "quotes"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{doc.number}-v{quote.revision}.html"
    write_document(book, quote.id, path)
    send(book, quote.id)
    return path


def line_from_text(book: Book, text: str) -> LineIn:
    """'CODE QTY [DISCOUNT%]' (a product from the price list) or 'description QTY PRICE'
    (free text): what the quote screen's `+` asks for."""
    parts = text.split()
    if not parts:
        raise _error("line", "type a product code and a quantity, e.g. M-1 2 10%")
    try:
        if len(parts) >= 3 and not parts[-1].endswith("%"):
            qty = int(parts[-2])
            price = parse_money_text(parts[-1], db_of(book).input_context.currency)
            return LineIn(description=" ".join(parts[:-2]), quantity=qty, unit_price=price)
        qty = int(parts[1]) if len(parts) > 1 else 1
        discount = rules.parse_rate(parts[2], "discount") if len(parts) > 2 else 0
    except ValueError as exc:
        raise _error("line", f"'{text}': {exc}") from None
    return product_line(book, parts[0], qty, discount)


def parse_money_text(text: str, currency: str) -> int:
    from crm_tui.domain.money import parse_money

    return parse_money(text, currency)[0]
