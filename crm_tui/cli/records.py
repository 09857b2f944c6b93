"""Provides the record commands: `crm add`, `list`, `show`, `edit`, `done`, `delete`."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import typer

from crm_tui.cli.context import fail, state
from crm_tui.cli.matching import ENTITY_HELP, entity_spec, matching_records
from crm_tui.cli.output import FORMAT_HELP, check_format, display_rows, emit, emit_records

if TYPE_CHECKING:
    from crm_tui.services.book import Book

add_app = typer.Typer(help="Add a record; prints the new record's id.", no_args_is_help=True)

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


def _errors_to_exit(action: Callable[[], Any]) -> Any:
    """Run a service call; turn refusals into one clear line and a non-zero exit."""
    from crm_tui.services.records import NotFound, ValidationErrors

    try:
        return action()
    except ValidationErrors as exc:
        fail("; ".join(f"{e.field}: {e.message}" for e in exc.errors))
    except NotFound as exc:
        fail(str(exc))


def _resolve_ref(book: Book, entity: str, ref: str | None) -> str | None:
    """An id from what the rep typed for a linked record: id, id prefix, exact or searched name."""
    if ref is None or not ref.strip():
        return None
    from crm_tui.services import records
    from crm_tui.services.records import NotFound

    try:
        return records.resolve_link(book, entity, ref)
    except NotFound as exc:
        fail(f"{entity}: {exc}")


def _add(
    ctx: typer.Context, entity: str, values: dict[str, Any], refs: dict[str, tuple[str, str | None]]
) -> None:
    from crm_tui.services import records

    book = state(ctx).book
    for field_name, (ref_entity, ref) in refs.items():
        resolved = _resolve_ref(book, ref_entity, ref)
        if resolved is not None:
            values[field_name] = resolved
    clean = {k: v for k, v in values.items() if v is not None}
    rec = _errors_to_exit(lambda: records.create(book, entity, clean))
    typer.echo(rec.id)


@add_app.command("customer")
def add_customer(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="Company or person name."),
    kind: str | None = typer.Option(None, help="company or person."),
    city: str | None = typer.Option(None),
    phone: str | None = typer.Option(None),
    email: str | None = typer.Option(None),
    grade: str | None = typer.Option(None, help="A, B or C."),
    status: str | None = typer.Option(None, help="potential, contacted, closed or lost."),
    tag: list[str] = typer.Option([], "--tag", help="A tag; repeat for more."),
    birthday: str | None = typer.Option(None, help="For a person: 1980-05-17."),
    industry: str | None = typer.Option(None),
    source: str | None = typer.Option(None),
    address: str | None = typer.Option(None),
    website: str | None = typer.Option(None),
    notes: str | None = typer.Option(None),
) -> None:
    """Add a customer (a company or a person)."""
    _add(
        ctx,
        "customer",
        {
            "name": name,
            "kind": kind,
            "city": city,
            "phone": phone,
            "email": email,
            "grade": grade,
            "status": status,
            "tags": ",".join(tag) if tag else None,
            "birthday": birthday,
            "industry": industry,
            "source": source,
            "address": address,
            "website": website,
            "notes": notes,
        },
        {},
    )


@add_app.command("contact")
def add_contact(
    ctx: typer.Context,
    name: str = typer.Argument(...),
    customer: str = typer.Option(..., "--customer", help="Customer id, id prefix or name."),
    title: str | None = typer.Option(None),
    phone: str | None = typer.Option(None),
    mobile: str | None = typer.Option(None),
    email: str | None = typer.Option(None),
    birthday: str | None = typer.Option(None),
    notes: str | None = typer.Option(None),
) -> None:
    """Add a contact person at a customer."""
    _add(
        ctx,
        "contact",
        {
            "name": name,
            "title": title,
            "phone": phone,
            "mobile": mobile,
            "email": email,
            "birthday": birthday,
            "notes": notes,
        },
        {"customer_id": ("customer", customer)},
    )


@add_app.command("followup")
def add_followup(
    ctx: typer.Context,
    subject: str = typer.Argument(...),
    customer: str = typer.Option(..., "--customer", help="Customer id, id prefix or name."),
    kind: str = typer.Option("call", help="call, visit, meeting, email, sms or task."),
    due: str | None = typer.Option(None, help="fri, tomorrow 14:30, +3d, 2026-12-01."),
    remind: str | None = typer.Option(
        None, help="When to remind (default: the due time, or 09:00 on the due day)."
    ),
    contact: str | None = typer.Option(None, help="Contact id or name."),
    deal: str | None = typer.Option(None, "--deal", help="Opportunity id or title."),
    notes: str | None = typer.Option(None),
) -> None:
    """Schedule a follow-up: a call, visit, meeting, e-mail, SMS or task."""
    _add(
        ctx,
        "activity",
        {"subject": subject, "kind": kind, "due_at": due, "remind_at": remind, "notes": notes},
        {
            "customer_id": ("customer", customer),
            "contact_id": ("contact", contact),
            "opportunity_id": ("opportunity", deal),
        },
    )


@add_app.command("opportunity")
def add_opportunity(
    ctx: typer.Context,
    title: str = typer.Argument(...),
    customer: str = typer.Option(..., "--customer", help="Customer id, id prefix or name."),
    amount: str | None = typer.Option(None, help="120000, ¥12,000.50, 5万, USD 900."),
    stage: str | None = typer.Option(None, help="lead qualified proposal negotiation won lost."),
    probability: str | None = typer.Option(None, help="0-100; default set by the stage."),
    close: str | None = typer.Option(None, help="Expected close date."),
    next_step: str | None = typer.Option(None),
    closed_on: str | None = typer.Option(None, help="Won/lost date (won and lost need one)."),
    lost_reason: str | None = typer.Option(None),
    competitor: str | None = typer.Option(None, help="Competitor id or name."),
) -> None:
    """Add an opportunity (a deal in the pipeline)."""
    _add(
        ctx,
        "opportunity",
        {
            "title": title,
            "amount": amount,
            "stage": stage,
            "probability": probability,
            "expected_close": close,
            "next_step": next_step,
            "closed_on": closed_on,
            "lost_reason": lost_reason,
        },
        {"customer_id": ("customer", customer), "competitor_id": ("competitor", competitor)},
    )


@add_app.command("expense")
def add_expense(
    ctx: typer.Context,
    amount: str = typer.Argument(..., help="120.50, ¥300, USD 45."),
    spent_on: str = typer.Option("today", "--date", help="When the money was spent."),
    category: str = typer.Option(
        "other", help="travel lodging meals entertainment transport gifts samples other."
    ),
    customer: str | None = typer.Option(None, help="Customer id or name."),
    deal: str | None = typer.Option(None, "--deal", help="Opportunity id or title."),
    description: str | None = typer.Option(None),
    receipt: str | None = typer.Option(None, help="Path to the receipt scan."),
) -> None:
    """Add an expense claim (a draft, until submitted)."""
    if receipt:
        from pathlib import Path

        if not Path(receipt).expanduser().is_file():
            fail(f"receipt: no file at {receipt}")
    _add(
        ctx,
        "expense",
        {
            "amount": amount,
            "spent_on": spent_on,
            "category": category,
            "description": description,
            "receipt": receipt,
        },
        {"customer_id": ("customer", customer), "opportunity_id": ("opportunity", deal)},
    )


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
    limit: int = typer.Option(50, "--limit", "-n", min=1, help="At most this many rows."),
    sort: str | None = typer.Option(
        None, "--sort", help="urgency (most urgent first), a field, or -field for descending."
    ),
) -> None:
    """List records, optionally filtered by a search or query."""
    check_format(fmt)
    spec = entity_spec(entity_name)
    book = state(ctx).book
    found = matching_records(book, spec.name, text or "", sort=sort, limit=limit)
    emit_records(book, spec.name, found, fmt)


def show(
    ctx: typer.Context,
    ref: str = typer.Argument(..., metavar="ID", help="Id or unique id prefix."),
    fmt: str = typer.Option("table", "--format", "-f", help="table or json."),
) -> None:
    """Show one record, whatever its type."""
    from crm_tui.domain.fields import ENTITIES
    from crm_tui.services import records

    book = state(ctx).book
    entity, rec = _errors_to_exit(lambda: records.find_any(book, ref))
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
    entity, rec = _errors_to_exit(lambda: records.find_any(book, ref))
    changes: dict[str, Any] = _field_changes(entity, list(ctx.args))
    for name, value in list(changes.items()):
        fspec = ENTITIES[entity].by_name[name]
        if fspec.kind == "ref" and value:
            changes[name] = _resolve_ref(book, fspec.ref or "", value)
    _errors_to_exit(lambda: records.update(book, entity, rec.id, changes))
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
    rec = _errors_to_exit(lambda: records.resolve(book, "activity", ref))
    due, subject = _split_next(book, next_) if next_ else (None, None)
    _closed, follow = _errors_to_exit(
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
    entity, rec = _errors_to_exit(lambda: records.find_any(book, ref))
    if undo:
        if not rec.deleted:
            fail(f"{entity} {rec.id} is not deleted")
        _errors_to_exit(lambda: records.restore(book, entity, rec.id))
    else:
        if rec.deleted:
            fail(f"{entity} {rec.id} is already deleted (use --undo to restore it)")
        _errors_to_exit(lambda: records.delete(book, entity, rec.id))
    typer.echo(rec.id)


def register(app: typer.Typer) -> None:
    app.add_typer(add_app, name="add")
    app.command("list")(list_records)
    app.command("show")(show)
    app.command(
        "edit", context_settings={"allow_extra_args": True, "ignore_unknown_options": True}
    )(edit)
    app.command("done")(done)
    app.command("delete")(delete)
