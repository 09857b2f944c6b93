"""Provides a command for every action a screen has (issue 13 item 3): claims (`crm submit`,
`withdraw`, `approve`, `reject`), deals (`crm won`, `crm lost`), `crm undo`, and saved views
(`crm views`, `crm views run NAME`). Each prints the record's id (or what it did)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer

from crm_tui.cli.context import fail, state
from crm_tui.cli.matching import run_or_fail
from crm_tui.cli.output import FORMAT_HELP, check_format, emit

if TYPE_CHECKING:
    from crm_tui.services.book import Book

views_app = typer.Typer(
    help="Saved views (the app's Views sidebar): list them, or run one by name.",
    invoke_without_command=True,
)


def _claim(book: Book, ref: str) -> Any:
    from crm_tui.services import records

    return run_or_fail(lambda: records.resolve(book, "expense", ref))


def _managers_only(book: Book, doing: str) -> None:
    """A rep is told the decision is a manager's, before any word about the claim's status."""
    from crm_tui.domain.permissions import is_manager

    if not is_manager(book.role):
        who = f"signed in as a {book.role}" if book.user_id else "not signed in (crm login)"
        fail(f"{doing} claims and dispatches is for managers; this laptop is {who}")


def _deal(book: Book, ref: str) -> Any:
    from crm_tui.services import records

    return run_or_fail(lambda: records.resolve(book, "opportunity", ref))


def submit(ctx: typer.Context, ref: str = typer.Argument(..., metavar="ID")) -> None:
    """Submit a draft (or rejected: reworked and resubmitted) claim for approval."""
    from crm_tui.services import expenses

    book = state(ctx).book
    rec = _claim(book, ref)
    if str(rec.status) == "rejected":
        # Rework and resubmit are one user action here: back to draft, then submitted.
        run_or_fail(lambda: expenses.withdraw(book, rec.id))
    typer.echo(run_or_fail(lambda: expenses.submit(book, rec.id)).id)


def withdraw(ctx: typer.Context, ref: str = typer.Argument(..., metavar="ID")) -> None:
    """Withdraw a submitted claim back to draft, or a dispatch request back to new."""
    from crm_tui.cli.service import service_ref, withdraw_order
    from crm_tui.services import expenses

    book = state(ctx).book
    order = service_ref(book, ref)  # issue 15: a service order's dispatch request
    if order is not None:
        return withdraw_order(ctx, order)
    rec = _claim(book, ref)
    typer.echo(run_or_fail(lambda: expenses.withdraw(book, rec.id)).id)


def approve(
    ctx: typer.Context,
    ref: str = typer.Argument(..., metavar="ID"),
    note: str | None = typer.Option(None, "--note", help="A note for the rep."),
) -> None:
    """Approve a submitted claim or dispatch a requested service order (managers; never
    one's own)."""
    from crm_tui.cli.service import decide, service_ref
    from crm_tui.services import expenses

    book = state(ctx).book
    _managers_only(book, "approving")
    order = service_ref(book, ref)  # issue 15: a service order's dispatch
    if order is not None:
        return decide(ctx, order, approve=True, note=note)
    rec = _claim(book, ref)
    typer.echo(run_or_fail(lambda: expenses.approve(book, rec.id, note=note)).id)


def reject(
    ctx: typer.Context,
    ref: str = typer.Argument(..., metavar="ID"),
    note: str | None = typer.Option(None, "--note", help="Why (the rep sees it). Required."),
) -> None:
    """Reject a submitted claim or a dispatch request with a note (managers; never one's
    own)."""
    from crm_tui.cli.service import decide, service_ref
    from crm_tui.services import expenses

    book = state(ctx).book
    _managers_only(book, "rejecting")
    if not (note or "").strip():
        fail(f"say why with --note, e.g. crm reject {ref} --note 'receipt missing'")
    order = service_ref(book, ref)  # issue 15: a service order's dispatch
    if order is not None:
        return decide(ctx, order, approve=False, note=note)
    rec = _claim(book, ref)
    typer.echo(run_or_fail(lambda: expenses.reject(book, rec.id, note)).id)


def won(
    ctx: typer.Context,
    ref: str = typer.Argument(..., metavar="ID"),
    on: str = typer.Option("today", "--on", help="The day it was won."),
) -> None:
    """Mark a deal won (from any open stage)."""
    from crm_tui.domain.dates import DateError, parse_date
    from crm_tui.domain.rules import STAGE_ORDER, Stage
    from crm_tui.services import deals

    book = state(ctx).book
    deal = _deal(book, ref)
    try:
        day = parse_date(on, book.clock.today())
    except DateError as exc:
        fail(f"--on: {exc}")
    step = STAGE_ORDER.index(Stage.WON) - STAGE_ORDER.index(Stage(deal.stage))
    if step == 0:
        fail(f"deal {deal.id} is already won")
    typer.echo(run_or_fail(lambda: deals.move(book, deal.id, step, closed_on=day)).id)


def lost(
    ctx: typer.Context,
    ref: str = typer.Argument(..., metavar="ID"),
    reason: str | None = typer.Option(
        None, "--reason", help="Why (price, competitor, …). Required."
    ),
    competitor: str | None = typer.Option(None, "--competitor", help="Who won it (id or name)."),
    note: str | None = typer.Option(None, "--note"),
) -> None:
    """Mark a deal lost from any stage, with the reason (a new reason joins the team's list)."""
    from crm_tui.cli.matching import link_id
    from crm_tui.services import deals, records

    if not (reason or "").strip():
        fail(f"say why with --reason, e.g. crm lost {ref} --reason price")
    book = state(ctx).book
    deal = _deal(book, ref)
    if deal.stage == "lost":
        fail(f"deal {deal.id} is already lost")
    rival = link_id(book, "competitor", competitor)
    run_or_fail(lambda: deals.mark_lost(book, deal.id, (reason or "").strip(), note))
    if rival:  # resolved before anything was written
        run_or_fail(lambda: records.update(book, "opportunity", deal.id, {"competitor_id": rival}))
    typer.echo(deal.id)


def undo(ctx: typer.Context) -> None:
    """Undo your newest change (as the app's u does); says what was undone."""
    from crm_tui.services import records

    said = run_or_fail(lambda: records.undo_last(state(ctx).book))
    typer.echo(said or "Nothing to undo.")


def _all_views(book: Book) -> list[Any]:
    from crm_tui.domain.fields import ENTITIES
    from crm_tui.services.views import SavedViews

    views = SavedViews(book)
    return [v for name in ENTITIES for v in views.list(name)]


@views_app.callback()
def views(
    ctx: typer.Context,
    fmt: str = typer.Option("table", "--format", "-f", help=FORMAT_HELP),
) -> None:
    """List saved views (defaults included): screen, name, query, pinned, key."""
    if ctx.invoked_subcommand is not None:
        return
    from crm_tui.services.words import word_for

    check_format(fmt)
    rows = [
        {
            "screen": word_for(v.screen) + "s",
            "name": v.name,
            "query": v.query,
            "pinned": "yes" if v.pinned else "",
            "key": v.key or "",
        }
        for v in _all_views(state(ctx).book)
    ]
    emit(rows, ["screen", "name", "query", "pinned", "key"], fmt)


@views_app.command("run")
def run_view(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="The view's name (case does not matter)."),
    fmt: str = typer.Option("table", "--format", "-f", help=FORMAT_HELP),
    limit: int | None = typer.Option(None, "--limit", "-n", min=1, help="At most this many rows."),
) -> None:
    """Run a saved view: the records its query selects, as `crm query` prints them."""
    from crm_tui.cli.matching import print_matches

    check_format(fmt)
    book = state(ctx).book
    wanted = name.strip().casefold()
    views = _all_views(book)
    found = [v for v in views if v.name.casefold() == wanted]
    if not found and wanted:  # a unique beginning is enough, as for ids
        starts = [v for v in views if v.name.casefold().startswith(wanted)]
        if len({v.name.casefold() for v in starts}) > 1:
            names = ", ".join(sorted({v.name for v in starts}))
            fail(f"'{name}' begins several views ({names}): type more of the name")
        found = starts
    if not found:
        names = ", ".join(sorted({v.name for v in _all_views(book)}))
        fail(f"no saved view '{name}' (views: {names})")
    if len(found) > 1:
        screens = ", ".join(v.screen for v in found)
        fail(f"'{name}' names views of several screens ({screens})")
    view = found[0]
    print_matches(book, view.screen, view.query or "", fmt, limit=limit, full_error=False)


def register(app: typer.Typer) -> None:
    app.command("submit")(submit)
    app.command("withdraw")(withdraw)
    app.command("approve")(approve)
    app.command("reject")(reject)
    app.command("won")(won)
    app.command("lost")(lost)
    app.command("undo")(undo)
    app.add_typer(views_app, name="views")
