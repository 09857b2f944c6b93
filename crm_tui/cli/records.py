"""Provides the record commands: `crm list`, `show`, `edit`, `done`, `delete` (`crm add` is in
add.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer

from crm_tui.cli.context import fail, state
from crm_tui.cli.matching import ENTITY_HELP, entity_spec, link_id, print_matches, run_or_fail
from crm_tui.cli.output import FORMAT_HELP, check_format
from crm_tui.domain.owned_fields import OWNED, why_not_edit

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
    if spec.name == "campaign_member" and text and ":" not in text:
        text = _members_of(book, text)
    print_matches(book, spec.name, text or "", fmt, sort=sort, limit=limit)


def _members_of(book: Any, text: str) -> str:
    """`crm list members CAMPAIGN`: words that name one campaign list its members."""
    from crm_tui.domain.fields import ValidationErrors
    from crm_tui.services import campaigns

    try:
        campaign = campaigns.find(book, text)
    except ValidationErrors:
        return text  # not a campaign: the words search the members
    return f"campaign:{campaign.id}"


def _editable(spec: Any) -> list[str]:
    """The fields `crm edit` may set on a kind of record (not ids, owner or sync fields)."""
    hidden = {"id", "owner_id", "deleted", "urgency", "created_at", "updated_at"}
    hidden |= OWNED.get(spec.name, (frozenset(), ""))[0]
    hidden |= {"stage_changed_at", "approver_id", "submitted_at", "decided_at"}
    if spec.name == "expense":  # a claim's status moves by crm submit/withdraw/approve/reject
        hidden |= {"status", "decision_note"}
    return [n for n in spec.field_names if n not in hidden and not n.endswith("_md")]


def _no_such_field(spec: Any, name: str) -> str:
    """'customer has no field 'cty'; did you mean --city?' with the fields it has."""
    from difflib import get_close_matches

    from crm_tui.services.words import word_for

    typed = name.replace("-", "_")
    options = {n: n for n in spec.field_names}
    options |= {alias: target for alias, target in FIELD_ALIASES.items() if target in spec.by_name}
    near = get_close_matches(typed, list(options), n=1, cutoff=0.6)
    hint = f"; did you mean --{near[0].replace('_', '-')}?" if near else ""
    fields = ", ".join(_editable(spec))
    return f"{word_for(spec.name)} has no field '{name}'{hint} (fields: {fields})"


def edit_help() -> str:
    """`crm edit --help`'s list of editable fields of each kind of record."""
    from crm_tui.domain.fields import ENTITIES
    from crm_tui.services.words import word_for

    kinds = ("customer", "contact", "activity", "opportunity", "expense", "competitor")
    lines = [
        f"{word_for(k)}: " + " ".join(f"--{n.replace('_', '-')}" for n in _editable(ENTITIES[k]))
        for k in kinds
    ]
    aliases = ", ".join(f"--{a} = --{t.replace('_', '-')}" for a, t in FIELD_ALIASES.items())
    return (
        "Editable fields:\n\n"
        + "\n\n".join(lines)
        + f"\n\nShort names: {aliases}. A claim's status changes with crm submit, withdraw, "
        "approve or reject; a deal's with crm won or crm lost."
    )


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
        ref = spec.by_name.get(f"{field_name}_id")
        if field_name not in spec.by_name and ref is not None and ref.kind == "ref":
            field_name = ref.name  # --engineer 王工 as `crm add service` takes it
        if field_name not in spec.by_name:
            fail(_no_such_field(spec, name))
        why = why_not_edit(spec.name, field_name)
        if why is not None:  # the server refuses it too: say so now, not at the next sync
            fail(f"{field_name}: {why}")
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
    if entity == "expense" and "status" in changes:  # a claim moves by its commands
        fail(
            f"status: a claim's status changes with `crm submit {ref}`, `crm withdraw {ref}`, "
            f"`crm approve {ref} [--note …]` or `crm reject {ref} --note …`"
        )
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
    from crm_tui.services import followups

    _closed, follow = run_or_fail(
        lambda: followups.close(book, rec.id, outcome=outcome, next_due=due, next_subject=subject)
    )
    typer.echo(f"done {rec.id}")
    if follow is not None:
        typer.echo(f"next {follow.id}")


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
    from crm_tui.cli.show import show

    app.command("show")(show)
    app.command(
        "edit",
        context_settings={"allow_extra_args": True, "ignore_unknown_options": True},
        epilog=edit_help(),
    )(edit)
    app.command("done")(done)
    app.command("delete")(delete)
