"""Provides the price list's commands (issue 19): `crm products [--import FILE.csv]`,
`crm add product NAME --code … --list-price …` and `crm company` (the quote header)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import typer

from crm_tui.cli.context import fail, state
from crm_tui.cli.output import check_format, emit

T = TypeVar("T")
LIST_FORMATS = ("table", "json", "csv")


def run_service(call: Callable[[], T]) -> T:
    """Run a service call; its refusals become one `error:` line (exit 1)."""
    from crm_tui.services.records import NotFound, ValidationErrors

    try:
        return call()
    except ValidationErrors as exc:
        fail("; ".join(f"{e.field}: {e.message}" for e in exc.errors))
    except NotFound as exc:
        fail(str(exc))
    except (ValueError, PermissionError) as exc:
        fail(str(exc))


def money(minor: int, currency: str) -> str:
    from crm_tui.domain.money import format_money

    return format_money(minor, currency)


def products(
    ctx: typer.Context,
    import_file: Path | None = typer.Option(None, "--import", help="A CSV price list to import."),
    dry_run: bool = typer.Option(False, "--dry-run", help="With --import: change nothing."),
    fmt: str = typer.Option("table", "--format", "-f", help="table, json or csv."),
) -> None:
    """The price list; `--import FILE.csv` adds or updates products by code."""
    from crm_tui.services import products as service

    check_format(fmt, LIST_FORMATS)
    book = state(ctx).book
    if import_file is not None:
        if not import_file.is_file():
            fail(f"--import: no file {import_file}")
        run = service.preview_products if dry_run else service.import_products
        done = run_service(lambda: run(book, import_file))
        for line, why in done.refused:
            typer.echo(f"line {line}: {why}", err=True)
        verb = "would add" if dry_run else "added"
        typer.echo(f"{verb} {done.created}, updated {done.updated}, refused {len(done.refused)}")
        if done.refused:
            raise typer.Exit(1)
        return
    table = fmt == "table"
    rows = [
        {
            "code": p.code or "",
            "name": p.name,
            "model": p.model or "",
            "unit": p.unit or "",
            "list_price": money(p.list_price, p.currency) if table else p.list_price,
            "currency": p.currency,
            "id": p.id,
        }
        for p in service.products(book)
    ]
    emit(rows, ["code", "name", "model", "unit", "list_price", "currency", "id"], fmt)


def add_product(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="Product name."),
    code: str | None = typer.Option(None, "--code", help="Your product code."),
    model: str | None = typer.Option(None, "--model"),
    unit: str | None = typer.Option(None, "--unit", help="个, 台, 米…"),
    list_price: str | None = typer.Option(None, "--list-price", help="58.5, 1.2万, USD 300."),
    currency: str | None = typer.Option(None, "--currency"),
) -> None:
    """Add a product to the price list; prints its id."""
    from crm_tui.services import products as service

    values = {
        "name": name,
        "code": code,
        "model": model,
        "unit": unit,
        "list_price": list_price,
        "currency": currency,
    }
    book = state(ctx).book
    made = run_service(lambda: service.add_product(book, {k: v for k, v in values.items() if v}))
    typer.echo(made.id)


def company(
    ctx: typer.Context,
    name: str | None = typer.Option(None, "--name"),
    address: str | None = typer.Option(None, "--address"),
    phone: str | None = typer.Option(None, "--phone"),
    email: str | None = typer.Option(None, "--email"),
    bank: str | None = typer.Option(None, "--bank", help="Bank and account, for payment."),
    tax_id: str | None = typer.Option(None, "--tax-id", help="统一社会信用代码."),
) -> None:
    """Show or set the company header printed on quote documents."""
    from crm_tui.services import quotes

    book = state(ctx).book
    given = {
        k: v
        for k, v in (
            ("name", name),
            ("address", address),
            ("phone", phone),
            ("email", email),
            ("bank", bank),
            ("tax_id", tax_id),
        )
        if v is not None
    }
    if given:
        run_service(lambda: quotes.set_company_header(book, given))
    for key, value in quotes.company_header(book).items():
        typer.echo(f"{key}: {value}")


def register(app: typer.Typer) -> None:
    app.command("products")(products)
    app.command("company")(company)
    # `crm add product`: the add group is cli/add.py's (F); the command is added to it here.
    from crm_tui.cli.add import add_app

    add_app.command("product")(add_product)
