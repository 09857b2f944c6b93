"""Provides the record commands: `crm list`, `show`, `edit`, `done`, `delete` (`crm add` is in
add.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer

from crm_tui.cli.context import fail, state
from crm_tui.cli.matching import ENTITY_HELP, entity_spec, link_id, print_matches, run_or_fail
from crm_tui.cli.output import FORMAT_HELP, check_format, display_rows, emit

if TYPE_CHECKING:
    from crm_tui.services.book import Book

# Short option names a rep types, mapped to the field they set.
FIELD_ALIASES = {
    "due": "due_at",
    "remind": "remind_at",
    "close": "expected_close",
    "deal": "opportunity_id",
    "opportunity": "opportunity_id",
    "customer": "customer_id",
    "contact": "contact_id",
    "competitor": "competitor_id",
    "date": "spent_on",
    "tag": "tags",
    "note": "notes",
}


def list_records(
    ctx: typer.Context,
    entity_name: str = typer.Argument(
        ...,
        metavar="ENTITY",
        help=ENTITY_HELP,
    ),
    text: str | None = typer.Argument(
        None, metavar="[TEXT]", help="Words to search, or a query (city:北京 grade:A)."
    ),
    fmt: str = typer.Option("table", "--format", "-f", help=FORMAT_HELP),
    limit: int | None = typer.Option(
        None,
        "--limit",
        "-n",
        min=1,
        help="At most this many rows (default: all; 50 in a table on a terminal).",
    ),
    sort: str | None = typer.Option(
        None, "--sort", help="urgency (most urgent first), a field, or -field for descending."
    ),
) -> None:
    """List records, optionally filtered by a search or query."""
    check_format(fmt)
    spec = entity_spec(entity_name)
    book = state(ctx).book
    print_matches(book, spec.name, text or "", fmt, sort=sort, limit=limit)


def show(
    ctx: typer.Context,
    ref: str = typer.Argument(..., metavar="ID", help="Id or unique id prefix."),
    fmt: str = typer.Option("table", "--format", "-f", help="table or json."),
) -> None:
    """Show one record, whatever its type."""
    from crm_tui.domain.fields import ENTITIES
    from crm_tui.services import records

    book = state(ctx).book
    entity, rec = run_or_fail(lambda: records.find_any(book, ref))
    row = display_rows(book, entity, [rec], "json" if fmt == "json" else "table")[0]
    if fmt == "json":
        emit([row | {"entity": entity}], list(row), "json")
        return
    width = max(len(k) for k in row)
    typer.echo(
        f"{ENTITIES[entity].name.replace('_', ' ')} {rec.id}"
        + ("  [deleted]" if rec.deleted else "")
    )
    for key, value in row.items():
        if value not in (None, "") and key != "id":
            typer.echo(f"  {key:<{width}}  {value}")


def _field_changes(entity: str, args: list[str]) -> dict[str, str]:
    """Parse `--field value` / `--field=value` pairs from the rest of the command line."""
    from crm_tui.domain.fields import ENTITIES

    spec = ENTITIES[entity]
    changes: dict[str, str] = {}
    i = 0
    while i < len(args):
        arg = args[i]
        if not arg.startswith("--"):
            fail(f"expected --field value, got '{arg}'")
        name, _, value = arg[2:].partition("=")
        if not _:
            if i + 1 >= len(args):
                fail(f"--{name} needs a value")
            value = args[i + 1]
            i += 1
        i += 1
        field_name = FIELD_ALIASES.get(name, name).replace("-", "_")
        if field_name not in spec.by_name:
            fields = ", ".join(spec.field_names)
            fail(f"{spec.name} has no field '{name}' (fields: {fields})")
        changes[field_name] = value
    if not changes:
        fail("nothing to change: give --field value (e.g. --city 上海)")
    return changes


def edit(ctx: typer.Context, ref: str = typer.Argument(..., metavar="ID")) -> None:
    """Change fields of a record: crm edit ID --city 上海 --grade A."""
    from crm_tui.domain.fields import ENTITIES
    from crm_tui.services import records

    book = state(ctx).book
    entity, rec = run_or_fail(lambda: records.find_any(book, ref))
    changes: dict[str, Any] = _field_changes(entity, list(ctx.args))
    for name, value in list(changes.items()):
        fspec = ENTITIES[entity].by_name[name]
        if fspec.kind == "ref" and value:
            changes[name] = link_id(book, fspec.ref or "", value)
    run_or_fail(lambda: records.update(book, entity, rec.id, changes))
    typer.echo(rec.id)


def _split_next(book: Book, text: str) -> tuple[str, str | None]:
    """'fri call back' -> ('fri', 'call back'); the longest leading words that are a date."""
    from crm_tui.domain.dates import DateError, parse_when

    words = text.split()
    for n in range(min(3, len(words)), 0, -1):
        head = " ".join(words[:n])
        try:
            parse_when(head, book.clock)
        except DateError:
            continue
        return head, " ".join(words[n:]) or None
    fail(
        f"next: '{text}' does not start with a date (try \"fri call back\" or "
        '"2026-12-01 14:00 demo")'
    )


def done(
    ctx: typer.Context,
    ref: str = typer.Argument(..., metavar="ID", help="The follow-up's id or id prefix."),
    outcome: str | None = typer.Option(None, help="What happened."),
    next_: str | None = typer.Option(None, "--next", help='Schedule the next one: "DATE subject".'),
) -> None:
    """Mark a follow-up done and optionally schedule the next one."""
    from crm_tui.services import records

    book = state(ctx).book
    rec = run_or_fail(lambda: records.resolve(book, "activity", ref))
    due, subject = _split_next(book, next_) if next_ else (None, None)
    _closed, follow = run_or_fail(
        lambda: records.followup_done(
            book, rec.id, outcome=outcome, next_due=due, next_subject=subject
        )
    )
    typer.echo(rec.id)
    if follow is not None:
        typer.echo(follow.id)


def delete(
    ctx: typer.Context,
    ref: str = typer.Argument(..., metavar="ID"),
    undo: bool = typer.Option(False, "--undo", help="Bring a deleted record back."),
) -> None:
    """Delete a record (kept as a tombstone; --undo brings it back)."""
    from crm_tui.services import records

    book = state(ctx).book
    entity, rec = run_or_fail(lambda: records.find_any(book, ref))
    if undo:
        if not rec.deleted:
            fail(f"{entity} {rec.id} is not deleted")
        run_or_fail(lambda: records.restore(book, entity, rec.id))
    else:
        if rec.deleted:
            fail(f"{entity} {rec.id} is already deleted (use --undo to restore it)")
        run_or_fail(lambda: records.delete(book, entity, rec.id))
    typer.echo(rec.id)


def register(app: typer.Typer) -> None:
    app.command("list")(list_records)
    app.command("show")(show)
    app.command(
        "edit", context_settings={"allow_extra_args": True, "ignore_unknown_options": True}
    )(edit)
    app.command("done")(done)
    app.command("delete")(delete)
