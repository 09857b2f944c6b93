"""Provides the price list's commands (issue 19): `crm products [--import FILE.csv]` and
`crm add product NAME --code … --list-price …`."""

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


def register(app: typer.Typer) -> None:
    app.command("products")(products)
    # `crm add product`: the add group is cli/add.py's (F); the command is added to it here.
    from crm_tui.cli.add import add_app

    add_app.command("product")(add_product)
