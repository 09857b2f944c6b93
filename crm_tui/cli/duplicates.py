"""Provides `crm duplicates` (customers two reps both claim, as the server flagged them),
`crm merge LOSER --into SURVIVOR` and `crm reassign ENTITY ID --to USER` (managers; both
are server-checked commands that go with the next `crm sync`)."""

from __future__ import annotations

import typer

from crm_tui.cli.context import emit, fail, state

COLUMNS = ["customer", "owner", "other", "other_owner", "matched", "state", "id", "other_id"]
ID_SHOWN = 18
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
    """List customers the server flagged as claimed twice: both names, owners, what matched."""
    from crm_tui.storage.duplicates import NOT_MANAGER, clashes, is_manager

    db = state(ctx).db
    rows = [c.as_row() for c in clashes(db)]
    if fmt == "table":
        if not rows:
            typer.echo("No duplicate customers: nobody else claims yours.")
            return
        # Id prefixes past the UUIDv7 time bits: enough for `crm merge`, and the table fits.
        rows = [r | {"id": r["id"][:ID_SHOWN], "other_id": r["other_id"][:ID_SHOWN]} for r in rows]
    emit(rows, COLUMNS, fmt, TITLES)
    if fmt == "table":
        hint = (
            "crm merge ID --into OTHER_ID keeps OTHER_ID; crm reassign customer ID --to USER"
            if is_manager(db)
            else NOT_MANAGER
        )
        typer.echo(hint, err=True)


def merge(
    ctx: typer.Context,
    loser: str = typer.Argument(..., help="The customer that goes (id, id prefix or name)."),
    into: str = typer.Option(..., "--into", help="The customer that stays."),
) -> None:
    """Merge one customer into another (managers): contacts, follow-ups, deals and claims
    move to the one kept, its empty fields are filled, the other is removed."""
    from crm_tui.domain.fields import ValidationErrors
    from crm_tui.storage.duplicates import merge_customers
    from crm_tui.storage.repository import NotFound

    db = state(ctx).db
    try:
        gone = db.repos.customers.resolve(loser)
        kept = db.repos.customers.resolve(into)
        message = merge_customers(db, gone.id, kept.id)
    except NotFound as exc:
        fail(str(exc))
    except ValidationErrors as exc:
        fail(_errors(exc))
    typer.echo(message)


def reassign(
    ctx: typer.Context,
    entity: str = typer.Argument(..., help="customer, contact, follow-up, deal, expense…"),
    ref: str = typer.Argument(..., help="The record's id, id prefix or title."),
    to: str = typer.Option(..., "--to", help="The team member who takes it (name or id)."),
) -> None:
    """Hand a record to another team member (managers; applied by the server on sync)."""

    from crm_tui.domain.fields import ValidationErrors
    from crm_tui.domain.fields import entity as entity_spec
    from crm_tui.storage.duplicates import reassign as queue_reassign
    from crm_tui.storage.repository import NotFound

    db = state(ctx).db
    try:
        spec = entity_spec(entity)
    except KeyError as exc:
        fail(str(exc.args[0]))
    member = db.repos.users.member_id(to)
    if member is None:
        fail(f"no team member '{to}' on this laptop (sync first, or give their id)")
    try:
        rec = db.repos.by_entity[spec.name].resolve(ref)
        queue_reassign(db, spec.name, rec.id, member)
    except NotFound as exc:
        fail(str(exc))
    except ValidationErrors as exc:
        fail(_errors(exc))
    typer.echo(f"Reassign queued: {spec.name} {rec.id[:8]} goes to {to} with the next sync.")


def register(app: typer.Typer) -> None:
    app.command("duplicates")(duplicates)
    app.command("merge")(merge)
    app.command("reassign")(reassign)
