"""Provides `crm query`, `crm why`, `crm remind`, `crm agenda` and `crm export ics`."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from crm_tui.cli.context import fail, state
from crm_tui.cli.groups import export_app
from crm_tui.cli.matching import ENTITY_HELP, count_matching, entity_spec, print_matches
from crm_tui.cli.output import check_format, emit


def query(
    ctx: typer.Context,
    entity_name: str = typer.Argument(..., metavar="ENTITY", help=ENTITY_HELP),
    text: str = typer.Argument(
        "", metavar="QUERY", help="e.g. 'city:北京 grade:A,B +vip due<eow amount>50k'"
    ),
    fmt: str = typer.Option("table", "--format", "-f", help="table, json or csv."),
    count: bool = typer.Option(False, "--count", help="Print only how many records match."),
    limit: int | None = typer.Option(
        None,
        "--limit",
        "-n",
        min=1,
        help="At most this many rows (default: all; 50 in a table on a terminal).",
    ),
    sort: str | None = typer.Option(
        None, "--sort", "-s", help="urgency, or a field (-field for descending)."
    ),
) -> None:
    """Find records with the query language (the same one as the app's / bar)."""
    check_format(fmt)
    spec = entity_spec(entity_name)
    book = state(ctx).book
    if count:
        typer.echo(count_matching(book, spec.name, text))
        return
    print_matches(book, spec.name, text or "", fmt, sort=sort, limit=limit, full_error=False)


def why(
    ctx: typer.Context,
    ref: str = typer.Argument(
        ..., metavar="ID", help="A follow-up or customer id (or prefix), or a customer's name."
    ),
) -> None:
    """Show how a follow-up's or customer's urgency score is made."""
    from crm_tui.domain.urgency import total
    from crm_tui.services import records, urgency

    book = state(ctx).book
    try:
        entity_name, rec = records.find_any(book, ref)
    except records.NotFound as exc:
        # Not an id: a customer by (part of) its name, as every `--customer` takes it.
        try:
            entity_name = "customer"
            rec = records.require(book, "customer", records.resolve_link(book, "customer", ref))
        except records.NotFound as by_name:
            fail(str(by_name) if "several" in str(by_name) else str(exc))
    if not urgency.has_urgency(entity_name):
        fail(f"{entity_name.replace('_', ' ')}s have no urgency (follow-ups and customers do)")
    terms = urgency.why(book, entity_name, rec.id)
    title = getattr(rec, "subject", None) or getattr(rec, "name", rec.id)
    typer.echo(f"{title}  urgency {total(terms):.2f}")
    if not terms:
        typer.echo("  (done: not urgent)" if getattr(rec, "done_at", None) else "  (no terms)")
        return
    rows = [
        {
            "term": t.name,
            "value": f"{t.value:.2f}",
            "weight": f"{t.weight:g}",
            "score": f"{t.score:.2f}",
            "why": t.detail,
        }
        for t in terms
    ]
    emit(rows, ["term", "value", "weight", "score", "why"], "table")
    if entity_name == "customer":  # churn risk and its reasons (issue 22)
        from crm_tui.cli.insight import print_churn

        print_churn(book, rec.id)


def remind(
    ctx: typer.Context,
    notify: bool = typer.Option(False, "--notify", help="Also send a desktop notification."),
    deal_days: int = typer.Option(
        7, "--deal-days", min=0, help="Deals expected to close within this many days."
    ),
    birthday_days: int = typer.Option(
        7, "--birthday-days", min=0, help="Birthdays within this many days."
    ),
) -> None:
    """Print what is due now (for a shell start-up file or cron); silent when nothing is."""
    from crm_tui.services import quick, reminders
    from crm_tui.services.short_ids import short_ids

    book = state(ctx).book
    due = reminders.due_now(book, deal_days=deal_days, birthday_days=birthday_days)
    if not due:
        return
    # Printed by services.quick, as launch.py's fast path prints them: the two cannot drift.
    for line in quick.printed(due, short_ids(book, (rem.row_id for rem in due))):
        typer.echo(line)
    if notify:
        quick.notify(*quick.notify_text(due))


def agenda(
    ctx: typer.Context,
    days: int = typer.Option(7, "--days", "-d", min=1, help="How many days ahead."),
    fmt: str = typer.Option("table", "--format", "-f", help="table or json."),
) -> None:
    """Print the coming schedule by day: follow-ups, deals closing, birthdays (a table shows
    ten of a kind a day and counts the rest; JSON lists all)."""
    from dataclasses import asdict

    from crm_tui.services import quick_agenda, reminders

    book = state(ctx).book
    if fmt == "json":
        plan = reminders.agenda(book, days)
        rows = [
            asdict(item) | {"day": day.isoformat()} for day, items in plan.items() for item in items
        ]
        emit(rows, [], "json")
        return
    check_format(fmt, ("table", "json"))
    # The quick path's own text (services/quick_agenda.py): the two cannot drift.
    typer.echo(quick_agenda.table_text(book.path, book.clock, days), nl=False)


def export_ics(
    ctx: typer.Context,
    text: str = typer.Argument(
        "", metavar="[QUERY]", help="Which follow-ups, e.g. 'customer.city:上海 kind:visit'."
    ),
    days: int = typer.Option(
        30, "--days", "-d", min=1, help="Follow-ups due within this many days (overdue included)."
    ),
    out: Path | None = typer.Option(None, "--output", "-o", help="File (default: stdout)."),
    include_done: bool = typer.Option(False, "--include-done", help="Done follow-ups too."),
) -> None:
    """Write follow-ups as an iCalendar file (events with an alarm at the reminder time)."""
    from crm_tui.services import lists, transfer

    book = state(ctx).book
    try:
        data, count = transfer.calendar(book, text, days=days, include_done=include_done)
    except lists.QueryError as exc:
        fail(f"query: {exc.message}")
    if out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    try:
        out.write_bytes(data)
    except OSError as exc:
        fail(f"cannot write {out}: {exc.strerror or exc}")
    typer.echo(f"wrote {count} follow-up{'s' if count != 1 else ''} to {out}", err=True)


def register(app: typer.Typer) -> None:
    app.command("query")(query)
    app.command("why")(why)
    app.command("remind")(remind)
    app.command("agenda")(agenda)
    export_app.command("ics")(export_ics)
