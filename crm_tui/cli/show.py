"""Provides `crm show ID`: one record in a readable layout; a customer as a briefing (its
contacts, open follow-ups, last done ones with outcomes, open deals, claims)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer

from crm_tui.cli.context import fail, state
from crm_tui.cli.output import display_rows, emit

if TYPE_CHECKING:
    from crm_tui.services.book import Book

# Section title, briefing attribute, entity, columns of its table.
SECTIONS = (
    ("Contacts", "contacts", "contact", ["id", "name", "title", "mobile", "phone", "email"]),
    ("Open follow-ups", "open_followups", "activity", ["id", "due_at", "kind", "subject"]),
    ("Last done", "done_followups", "activity", ["id", "done_at", "kind", "subject", "outcome"]),
    (
        "Open deals",
        "open_deals",
        "opportunity",
        ["id", "title", "stage", "amount", "probability", "expected_close"],
    ),
    ("Claims", "claims", "expense", ["id", "spent_on", "category", "amount", "status"]),
)
# Customer fields on the briefing's first lines, in this order.
CUSTOMER_LINE = ("kind", "status", "grade", "city", "phone", "email", "tags", "industry")


def _fields(row: dict[str, Any], skip: set[str]) -> list[tuple[str, Any]]:
    return [(k, v) for k, v in row.items() if v not in (None, "") and k not in skip]


def _json_briefing(book: Book, entity: str, rec: Any, briefing: Any) -> None:
    row = display_rows(book, entity, [rec], "json")[0] | {"entity": entity}
    for _title, attr, kind, _cols in SECTIONS:
        row[attr] = display_rows(book, kind, getattr(briefing, attr), "json")
    emit([row], list(row), "json")


def _table_briefing(book: Book, rec: Any, briefing: Any) -> None:
    row = display_rows(book, "customer", [rec], "table")[0]
    typer.echo(f"customer {row['id']}  {rec.name}" + ("  [deleted]" if rec.deleted else ""))
    summary = [f"{k} {row[k]}" for k in CUSTOMER_LINE if row.get(k) not in (None, "")]
    if summary:
        typer.echo("  " + " · ".join(summary))
    skip = {"id", "name", "customer", *CUSTOMER_LINE}
    for key, value in _fields(row, skip):
        typer.echo(f"  {key}: {value}")
    for title, attr, kind, cols in SECTIONS:
        records = getattr(briefing, attr)
        typer.echo(f"\n{title} ({len(records)})")
        if not records:
            typer.echo("  none")
            continue
        rows = display_rows(book, kind, records, "table")
        widths = {c: max(len(c), *(_cell_len(r.get(c)) for r in rows)) for c in cols}
        for r in [{c: c.replace("_", " ") for c in cols}, *rows]:
            cells = [_pad(r.get(c), widths[c]) for c in cols]
            typer.echo(("  " + "  ".join(cells)).rstrip())


def _cell_len(value: Any) -> int:
    from rich.cells import cell_len

    return cell_len("" if value is None else str(value))


def _pad(value: Any, width: int) -> str:
    text = "" if value is None else str(value)
    return text + " " * (width - _cell_len(text))


def _find(book: Book, ref: str) -> tuple[str, Any]:
    """A record by id or id prefix, else a customer by name as `--customer NAME` finds one
    (several: their names and ids, and exit 1)."""
    from crm_tui.services import records
    from crm_tui.services.records import NotFound

    try:
        return records.find_any(book, ref)
    except NotFound as exc:
        first = exc
    try:
        cust_id = records.resolve_link(book, "customer", ref)
    except NotFound as exc:
        fail(str(exc) if "several" in str(exc) else str(first))
    return "customer", records.get(book, "customer", cust_id)


def show(
    ctx: typer.Context,
    ref: str = typer.Argument(..., metavar="ID", help="Id or unique id prefix."),
    fmt: str = typer.Option("table", "--format", "-f", help="table or json."),
) -> None:
    """Show one record, whatever its type; a customer as a briefing (contacts, open
    follow-ups, the last 5 done with outcomes, open deals, claims)."""
    from crm_tui.services import briefing
    from crm_tui.services.words import word_for

    book = state(ctx).book
    entity, rec = _find(book, ref)
    if entity == "customer":
        brief = briefing.of_customer(book, rec)
        if fmt == "json":
            _json_briefing(book, entity, rec, brief)
        else:
            _table_briefing(book, rec, brief)
        return
    if entity == "work_report" and fmt != "json" and not rec.deleted:
        # Names and money, not recipient ids and the figures' JSON (issue 17): as `crm report
        # read` prints it, without its read receipt.
        from crm_tui.cli.office import print_report
        from crm_tui.services import work_reports

        print_report(work_reports.view(book, rec.id))
        return
    row = display_rows(book, entity, [rec], "json" if fmt == "json" else "table")[0]
    if fmt == "json":
        emit([row | {"entity": entity}], list(row), "json")
        return
    typer.echo(f"{word_for(entity)} {row['id']}" + ("  [deleted]" if rec.deleted else ""))
    shown = _fields(row, {"id"})
    width = max((len(k) for k, _ in shown), default=0)
    for key, value in shown:
        typer.echo(f"  {key:<{width}}  {value}")
