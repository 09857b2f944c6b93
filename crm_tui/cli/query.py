"""Provides `crm query`, `crm why`, `crm remind`, `crm agenda` and `crm export ics`."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from crm_tui.cli.context import emit, fail, state
from crm_tui.cli.groups import export_app

if TYPE_CHECKING:
    from crm_tui.storage.database import Database

ENTITY_HELP = "customers contacts followups opportunities expenses competitors announcements views"


def _spec(name: str) -> Any:
    from crm_tui.domain.fields import entity

    try:
        return entity(name)
    except KeyError as exc:
        fail(str(exc.args[0]))


def _where(db: Database, entity_name: str, text: str | None) -> list[Any]:
    from crm_tui.query import QueryError, compile_filter

    try:
        return compile_filter(entity_name, text or "", db=db)
    except QueryError as exc:
        fail(f"query: {exc.message}")


def sort_order(db: Database, entity_name: str, sort: str | None) -> list[Any] | None:
    if not sort:
        return None
    from crm_tui.domain.models import MODELS
    from crm_tui.query.vocabulary import vocabulary

    if sort == "urgency":
        from crm_tui.query.urgency import urgency_order

        try:
            return urgency_order(entity_name, db)
        except ValueError as exc:
            fail(f"--sort: {exc}")
    descending = sort.startswith("-")
    vocab = vocabulary(entity_name)
    name = vocab.resolve(sort.lstrip("-+").lower())
    model = MODELS[entity_name]
    if name is None or not hasattr(model, name):
        names = ", ".join(n for n in vocab.names() if hasattr(model, vocab.resolve(n) or ""))
        fail(f"--sort: '{sort}' is not a field of {vocab.spec.plural} (urgency, {names})")
    column = getattr(model, name)
    return [column.desc() if descending else column, model.id]


def query(
    ctx: typer.Context,
    entity_name: str = typer.Argument(..., metavar="ENTITY", help=ENTITY_HELP),
    text: str = typer.Argument(
        "", metavar="QUERY", help="e.g. 'city:北京 grade:A,B +vip due<eow amount>50k'"
    ),
    fmt: str = typer.Option("table", "--format", "-f", help="table, json or csv."),
    count: bool = typer.Option(False, "--count", help="Print only how many records match."),
    limit: int = typer.Option(50, "--limit", "-n", min=1, help="At most this many rows."),
    sort: str | None = typer.Option(
        None, "--sort", "-s", help="urgency, or a field (-field for descending)."
    ),
) -> None:
    """Find records with the query language (the same one as the app's / bar)."""
    from crm_tui.cli.records import LIST_COLUMNS, _display_rows

    if fmt not in ("table", "json", "csv"):
        fail(f"--format: '{fmt}' is not one of table, json, csv")
    spec = _spec(entity_name)
    db = state(ctx).db
    from crm_tui.domain.models import MODELS
    from crm_tui.query.compiler import live_rows

    # Also `deleted = 0` literally, so SQLite can use the partial indexes of sorted lists.
    where = [*_where(db, spec.name, text), live_rows(MODELS[spec.name])]
    repo = db.repos.by_entity[spec.name]
    if count:
        typer.echo(repo.count(where=where))
        return
    records = repo.page(where=where, order_by=sort_order(db, spec.name, sort), limit=limit)
    rows = _display_rows(db, spec.name, records, fmt)
    columns = (
        LIST_COLUMNS[spec.name]
        if fmt == "table"
        else (list(rows[0]) if rows else LIST_COLUMNS[spec.name])
    )
    emit(rows, columns, fmt)


def why(
    ctx: typer.Context,
    ref: str = typer.Argument(..., metavar="ID", help="A follow-up or customer id (or prefix)."),
) -> None:
    """Show how a follow-up's or customer's urgency score is made."""
    from crm_tui.domain.urgency import total
    from crm_tui.query.urgency import URGENCY_ENTITIES, explain
    from crm_tui.storage.repository import NotFound

    db = state(ctx).db
    try:
        entity_name, rec = db.repos.find_any(ref)
    except NotFound as exc:
        fail(str(exc))
    if entity_name not in URGENCY_ENTITIES:
        fail(f"{entity_name.replace('_', ' ')}s have no urgency (follow-ups and customers do)")
    terms = explain(db, entity_name, rec.id)
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


def _notify(title: str, body: str) -> None:
    """A desktop notification where the OS offers one; silently nothing elsewhere."""
    try:
        if shutil.which("notify-send"):
            subprocess.run(["notify-send", "-a", "crm", title, body], check=False, timeout=5)
        elif sys.platform == "darwin" and shutil.which("osascript"):
            script = f"display notification {body!r} with title {title!r}"
            subprocess.run(["osascript", "-e", script], check=False, timeout=5)
    except (OSError, subprocess.SubprocessError):
        pass


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
    from crm_tui import reminders

    db = state(ctx).db
    due = reminders.due_now(db, deal_days=deal_days, birthday_days=birthday_days)
    if not due:
        return
    labels = {"followup": "follow-up", "birthday": "birthday", "deal": "deal"}
    for rem in due:
        typer.echo(f"{labels[rem.kind]:<9}  {rem.row_id[:8]}  {rem.line()}")
    if notify:
        body = "\n".join(r.line() for r in due[:5]) + (
            f"\n… and {len(due) - 5} more" if len(due) > 5 else ""
        )
        _notify(f"crm: {len(due)} reminder{'s' if len(due) > 1 else ''}", body)


def agenda(
    ctx: typer.Context,
    days: int = typer.Option(7, "--days", "-d", min=1, help="How many days ahead."),
    fmt: str = typer.Option("table", "--format", "-f", help="table or json."),
) -> None:
    """Print the coming schedule by day: follow-ups, deals closing, birthdays."""
    from dataclasses import asdict

    from crm_tui import reminders

    db = state(ctx).db
    plan = reminders.agenda(db, days)
    if fmt == "json":
        rows = [
            asdict(item) | {"day": day.isoformat()} for day, items in plan.items() for item in items
        ]
        emit(rows, [], "json")
        return
    if fmt != "table":
        fail(f"--format: '{fmt}' is not one of table, json")
    today = db.clock.today()
    if not plan:
        typer.echo(f"Nothing scheduled in the next {days} day{'s' if days > 1 else ''}.")
        return
    for day, items in plan.items():
        label = "Today" if day == today else "Tomorrow" if (day - today).days == 1 else ""
        typer.echo(f"{day:%a %Y-%m-%d}" + (f"  {label}" if label else ""))
        for item in items:
            typer.echo(
                f"  {item.time:<7}  {item.title}" + (f"  · {item.detail}" if item.detail else "")
            )


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
    from datetime import timedelta

    from crm_tui.domain.models import MODELS
    from crm_tui.io.ical import FollowUpEvent, to_ics

    db = state(ctx).db
    model = MODELS["activity"]
    where = _where(db, "activity", text)
    end = db.clock.day_start_utc(db.clock.today() + timedelta(days=days))
    where += [model.due_at.is_not(None), model.due_at < end]
    if not include_done:
        where.append(model.done_at.is_(None))
    records = db.repos.activities.page(where=where, limit=100_000)
    names = {}
    ids = {r.customer_id for r in records}
    if ids:
        customers = db.repos.customers.page(
            where=[MODELS["customer"].id.in_(ids)], limit=len(ids), include_deleted=True
        )
        names = {c.id: c.name for c in customers}
    events = [
        FollowUpEvent(
            r.id,
            r.subject,
            r.kind,
            r.due_at,
            r.all_day,
            r.remind_at,
            r.updated_at,
            r.created_at,
            names.get(r.customer_id),
            r.notes,
        )
        for r in records
    ]
    data = to_ics(events, db.clock)
    if out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    try:
        out.write_bytes(data)
    except OSError as exc:
        fail(f"cannot write {out}: {exc.strerror or exc}")
    typer.echo(f"wrote {len(events)} follow-up{'s' if len(events) != 1 else ''} to {out}", err=True)


def register(app: typer.Typer) -> None:
    app.command("query")(query)
    app.command("why")(why)
    app.command("remind")(remind)
    app.command("agenda")(agenda)
    export_app.command("ics")(export_ics)
