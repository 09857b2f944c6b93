"""Provides `crm duplicates` (customers two reps both claim, as the server flagged them),
`crm merge LOSER --into SURVIVOR` and `crm reassign ENTITY ID --to USER` (managers; both
are server-checked commands that go with the next `crm sync`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import typer

from crm_tui.cli.context import fail, state
from crm_tui.cli.output import emit

if TYPE_CHECKING:
    from crm_tui.services.book import Book

COLUMNS = ["customer", "owner", "other", "other_owner", "matched", "state", "id", "other_id"]
LOOK_ALIKES_SHOWN = 20
TITLES = {"other_owner": "other's owner", "id": "id", "other_id": "other id"}


def _errors(exc: Exception) -> str:
    found = getattr(exc, "errors", None)
    if found:
        return "; ".join(e.message for e in found)
    return str(exc)


def duplicates(
    ctx: typer.Context,
    fmt: str = typer.Option("table", "--format", help="table, json or csv."),
) -> None:
    """Customers that look alike in this book (same name, phone or e-mail), and those the
    server flagged as claimed twice: both names, owners, what matched."""
    from crm_tui.services import duplicates as service

    book = state(ctx).book
    rows = [c.as_row() for c in service.clashes(book)]
    if fmt == "table":
        _look_alikes(book)
        if not rows:
            typer.echo("Claimed twice (flagged by the server): none; nobody else claims yours.")
            return
        # The shortest prefixes unique in the book: enough for `crm merge`, and the table fits.
        from crm_tui.services.short_ids import short_ids

        shorts = short_ids(book, [i for r in rows for i in (r["id"], r["other_id"])])
        rows = [r | {"id": shorts[r["id"]], "other_id": shorts[r["other_id"]]} for r in rows]
    emit(rows, COLUMNS, fmt, TITLES)
    if fmt == "table":
        hint = (
            "crm merge ID --into OTHER_ID keeps OTHER_ID; crm reassign customer ID --to USER"
            if service.may_settle(book)
            else service.NOT_MANAGER
        )
        typer.echo(hint, err=True)


def _look_alikes(book: Book) -> None:
    """Customers of this book that share a name, phone or e-mail (not flagged by a server:
    e.g. three 北京科技有限公司 added by one rep)."""
    from crm_tui.cli.output import shorten_ids
    from crm_tui.services.customers_match import look_alikes

    groups = look_alikes(book, limit=10_000)
    if not groups:
        return
    many = "group" if len(groups) == 1 else "groups"
    typer.echo(f"Look alike in this book ({len(groups)} {many}; crm merge ID --into OTHER_ID):")
    for group in groups[:LOOK_ALIKES_SHOWN]:
        lines = shorten_ids(book, [f"  {m.id}  {m.line()}" for m in group])
        typer.echo("\n".join(lines) + "\n")
    if len(groups) > LOOK_ALIKES_SHOWN:
        typer.echo(f"… and {len(groups) - LOOK_ALIKES_SHOWN} more groups\n")


def merge(
    ctx: typer.Context,
    loser: str = typer.Argument(..., help="The customer that goes (id, id prefix or name)."),
    into: str = typer.Option(..., "--into", help="The customer that stays."),
) -> None:
    """Merge one customer into another (managers): contacts, follow-ups, deals and claims
    move to the one kept, its empty fields are filled, the other is removed."""
    from crm_tui.services import duplicates as service

    book = state(ctx).book
    try:
        message = service.merge(book, loser, into)
    except service.NotFound as exc:
        fail(str(exc))
    except service.ValidationErrors as exc:
        fail(_errors(exc))
    typer.echo(message)


def reassign(
    ctx: typer.Context,
    entity: str = typer.Argument(..., help="customer, contact, follow-up, deal, claim…"),
    ref: str = typer.Argument(..., help="The record's id, id prefix or title."),
    to: str = typer.Option(..., "--to", help="The team member who takes it (name or id)."),
) -> None:
    """Hand a record to another team member (managers; applied by the server on sync)."""
    from crm_tui.services import duplicates as service

    book = state(ctx).book
    try:
        message = service.reassign(book, entity, ref, to)
    except service.NotFound as exc:
        fail(str(exc))
    except service.ValidationErrors as exc:
        fail(_errors(exc))
    typer.echo(message)


def register(app: typer.Typer) -> None:
    app.command("duplicates")(duplicates)
    app.command("merge")(merge)
    app.command("reassign")(reassign)
