"""Provides the price list (issue 19): products by code or name, added, edited and
imported from a CSV file; quotes pick their lines from it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from crm_tui.domain.fields import FieldError, ValidationErrors
from crm_tui.services.sales_repos import db_of, docs

if TYPE_CHECKING:
    from crm_tui.domain.models import Product
    from crm_tui.services.book import Book


def _error(field_name: str, message: str) -> ValidationErrors:
    return ValidationErrors([FieldError(field_name, message)])


def add_product(book: Book, values: dict[str, Any]) -> Product:
    return docs(book).products.create(values)


def edit_product(book: Book, row_id: str, changes: dict[str, Any]) -> Product:
    return docs(book).products.update(row_id, changes)


def products(book: Book, *, active_only: bool = True, limit: int = 1000) -> list[Product]:
    from crm_tui.domain.models import Product

    where = [Product.active == True] if active_only else []  # noqa: E712
    return docs(book).products.page(where=where, limit=limit)


def find_product(book: Book, ref: str) -> Product:
    """A product by code, id, id prefix or exact name."""
    repo = docs(book).products
    found = repo.by_code(ref.strip())
    return found if found is not None else repo.resolve(ref)


PRODUCT_COLUMNS = ("code", "name", "model", "unit", "list_price", "currency", "active")
_HEADER_NAMES = {
    "编码": "code",
    "代码": "code",
    "名称": "name",
    "品名": "name",
    "产品": "name",
    "型号": "model",
    "规格": "model",
    "单位": "unit",
    "单价": "list_price",
    "价格": "list_price",
    "price": "list_price",
    "币种": "currency",
    "启用": "active",
}


@dataclass(frozen=True)
class ProductImport:
    created: int
    updated: int
    refused: tuple[tuple[int, str], ...]  # (line, why)


def import_products(book: Book, path: Path, *, dry_run: bool = False) -> ProductImport:
    """The price list from a CSV file (UTF-8, or GBK as Excel in China saves it): a header
    row naming code, name, model, unit, list_price, currency, active (English or Chinese).
    A row with a known code (or, without a code, a known name and model) updates that
    product; a new one gets the id every laptop gives it (domain/product_keys.py), so the
    same list imported on two laptops offline syncs as one copy. A refused row is reported
    by its line and the others are written in one transaction."""
    import csv
    import io

    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("gb18030")
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if not header:
        raise _error("file", f"{path.name} is empty")
    names = [_HEADER_NAMES.get(h.strip(), h.strip().lower().replace(" ", "_")) for h in header]
    if "name" not in names:
        raise _error("file", f"{path.name}: no 'name' column (columns: {', '.join(header)})")
    repo = docs(book).products
    created = updated = 0
    refused: list[tuple[int, str]] = []
    with db_of(book).transaction():
        for line, cells in enumerate(reader, start=2):
            if not any(c.strip() for c in cells):
                continue
            values = {
                n: c.strip() for n, c in zip(names, cells, strict=False) if n in PRODUCT_COLUMNS
            }
            try:
                found = _existing(repo, values)
                if found is not None:
                    if found.deleted:
                        repo.restore(found.id)
                    repo.update(found.id, values)
                    updated += 1
                else:
                    repo.create(values)
                    created += 1
            except ValidationErrors as exc:
                refused.append((line, "; ".join(f"{e.field}: {e.message}" for e in exc.errors)))
        if dry_run:
            raise _DryRun(ProductImport(created, updated, tuple(refused)))
    return ProductImport(created, updated, tuple(refused))


def _existing(repo: Any, values: dict[str, str]) -> Product | None:
    """The product a price-list row is: by its code (any id, old ones included), else by
    the id its code, or name and model, gives (deleted ones too: the import restores them)."""
    from crm_tui.domain.product_keys import product_id

    code = values.get("code") or None
    found = repo.by_code(code) if code else None
    if found is None:
        row_id = product_id(code, values.get("name"), values.get("model"))
        found = repo.get(row_id, include_deleted=True)
    return found


class _DryRun(Exception):  # noqa: N818 - rolls the transaction back, carrying the result
    def __init__(self, result: ProductImport) -> None:
        self.result = result


def preview_products(book: Book, path: Path) -> ProductImport:
    """What import_products would do; nothing is written."""
    try:
        return import_products(book, path, dry_run=True)
    except _DryRun as done:
        return done.result
