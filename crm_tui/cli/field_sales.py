"""Provides visit check-in and monthly targets (issue 18): `crm checkin FOLLOWUP [--at
LAT,LNG] [--place …]`, `crm checkout FOLLOWUP`, `crm visits` (the visits report per rep per
day), `crm targets [--month 2026-12] [--all]` and `crm targets set NAME --month 2026-12
--won 500k --visits 40` (managers; NAME may be `team`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from crm_tui.cli.context import fail, state
from crm_tui.cli.output import check_format, emit
from crm_tui.cli.price_list import money, run_service

targets_app = typer.Typer(
    help="Monthly targets against what was done; `set` for managers.",
    invoke_without_command=True,
    no_args_is_help=False,
)


def checkin(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="The visit follow-up (id or subject)."),
    at: str | None = typer.Option(None, "--at", help="Where you are: LAT,LNG."),
    place: str | None = typer.Option(None, "--place", help="Default: the customer's address."),
    notes: str | None = typer.Option(None, "--notes"),
    photo: list[str] = typer.Option([], "--photo", help="A photo to attach; repeat for more."),
) -> None:
    """Check in on a visit (拜访签到): the time now, the place, optional coordinates and
    photos."""
    from crm_tui.services import checkins

    book = state(ctx).book
    done = run_service(
        lambda: checkins.check_in(book, ref, at=at, place=place, notes=notes, photos=photo)
    )
    local = book.clock.to_local(checkins._aware(done.checkin.checked_in_at))
    line = f"checked in at {local:%H:%M} ({done.checkin.id})"
    if done.checkin.place:
        line += f" at {done.checkin.place}"
    if done.photos:
        line += f", {done.photos} photo{'s' if done.photos > 1 else ''} attached"
    typer.echo(line)
    if done.flagged:
        typer.echo(
            f"warning: {done.distance_m:,} m from the customer's coordinates (flagged)", err=True
        )


def checkout(
    ctx: typer.Context,
    ref: str = typer.Argument(..., help="The visit follow-up (id or subject)."),
    notes: str | None = typer.Option(None, "--notes"),
) -> None:
    """Check out of a visit: records how long it took."""
    from crm_tui.services import checkins

    book = state(ctx).book
    done, minutes = run_service(lambda: checkins.check_out(book, ref, notes))
    typer.echo(f"checked out after {minutes} min ({done.id})")


def visits(
    ctx: typer.Context,
    days: int = typer.Option(7, "--days", min=1, max=366, help="The last N days."),
    team: bool = typer.Option(False, "--team", help="Every rep (managers)."),
    fmt: str = typer.Option("table", "--format", "-f", help="table, json or csv."),
) -> None:
    """Visits per rep per day: check-ins, time spent, open ones and flagged ones."""
    from crm_tui.services import checkins_report

    check_format(fmt)
    book = state(ctx).book
    rows = run_service(lambda: checkins_report.visit_rows(book, days=days, team=team))
    if fmt == "table" and not rows:
        typer.echo("No visits checked in.")
        return
    emit(rows, ["day", "rep", "visits", "minutes", "open", "flagged"], fmt)


@targets_app.callback()
def targets(
    ctx: typer.Context,
    month: str | None = typer.Option(None, "--month", help="YYYY-MM (default: this month)."),
    everyone: bool = typer.Option(False, "--all", help="Every rep with a target (managers)."),
    fmt: str = typer.Option("table", "--format", "-f", help="table, json or csv."),
) -> None:
    """This month's figures against the targets, with the pace needed per remaining day."""
    if ctx.invoked_subcommand is not None:
        return
    from crm_tui.services import targets as service

    check_format(fmt)
    book = state(ctx).book
    found = run_service(lambda: service.progress(book, month, everyone=everyone))
    currency = book.input_context.currency
    rows = [
        _target_row(who.who, line, currency, raw=fmt != "table")
        for who in found
        for line in who.lines
    ]
    emit(rows, ["who", "figure", "done", "target", "progress", "pace_per_day"], fmt)


def _target_row(who: str, line: Any, currency: str, *, raw: bool) -> dict[str, Any]:
    """One figure: raw numbers for json/csv, money and a bar for the table."""
    from crm_tui.services.targets import bar

    if raw:
        share = None if line.share is None else round(100 * line.share)
        return {
            "who": who,
            "figure": line.key,
            "done": line.actual,
            "target": line.target,
            "progress": share,
            "pace_per_day": line.pace,
        }

    def show(value: int | None) -> str:
        if value is None:
            return ""
        return money(value, currency) if line.money else f"{value:,}"

    progress = "" if line.share is None else f"{bar(line.share)} {line.share:.0%}"
    return {
        "who": who,
        "figure": line.label,
        "done": show(line.actual),
        "target": show(line.target),
        "progress": progress,
        "pace_per_day": show(line.pace),
    }


@targets_app.command("set")
def targets_set(
    ctx: typer.Context,
    who: str = typer.Argument(..., help="A team member's name, or 'team'."),
    month: str = typer.Option(..., "--month", help="YYYY-MM."),
    won: str | None = typer.Option(None, "--won", help="Amount won, e.g. 500k or 50万."),
    new_customers: int | None = typer.Option(None, "--new-customers"),
    visits_: int | None = typer.Option(None, "--visits"),
    payments: str | None = typer.Option(None, "--payments", help="Payments received (回款)."),
) -> None:
    """Set a rep's (or the team's) targets for a month (managers)."""
    from crm_tui.services import targets as service

    book = state(ctx).book
    made = run_service(
        lambda: service.set_target(
            book,
            who,
            month,
            won=won,
            new_customers=new_customers,
            visits=visits_,
            payments=payments,
        )
    )
    typer.echo(f"targets for {who} in {made.month} set ({made.id})")


def write_field_report(
    ctx: typer.Context, period: str, fmt: str, output: Path | None, team: bool
) -> None:
    """`crm report field`: visits per rep per day and the targets, for a period."""
    from crm_tui.cli.report_out import emit_report
    from crm_tui.services import field_report

    emit_report(ctx, period, fmt, output, team, field_report.build, field_report.render)


def register(app: typer.Typer) -> None:
    app.command("checkin")(checkin)
    app.command("checkout")(checkout)
    app.command("visits")(visits)
    app.add_typer(targets_app, name="targets")


__all__ = ["fail", "register"]
