"""Provides the after-sales commands (issue 15): `crm add service`, `crm add service-plan`,
the steps `crm request / start / finish / close / cancel ID` (and, through cli/actions.py,
`crm approve / reject ID` of a service order), and `crm plan-visits` (create the coming
visits of every plan now). Each prints the order's id; bad input is one `error:` line."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer

from crm_tui.cli.context import fail, state
from crm_tui.cli.matching import link_id, run_or_fail

if TYPE_CHECKING:
    from crm_tui.services.book import Book


def service_ref(book: Book, ref: str) -> Any | None:
    """The service order `ref` names (id, prefix, SV number), or None when it names none."""
    from crm_tui.services import service_orders
    from crm_tui.services.records import NotFound

    try:
        return service_orders.resolve(book, ref)
    except NotFound as exc:
        if "more than one" in str(exc) or "ambiguous" in str(exc):
            fail(str(exc))
        return None


def _order(book: Book, ref: str) -> Any:
    rec = service_ref(book, ref)
    if rec is None:
        fail(f"no service order matches '{ref}'")
    return rec


def _step(ctx: typer.Context, ref: str, command: str, note: str | None = None) -> None:
    from crm_tui.services import service_orders

    book = state(ctx).book
    rec = _order(book, ref)
    typer.echo(run_or_fail(lambda: service_orders.step(book, rec.id, command, note)).id)


def decide(ctx: typer.Context, rec: Any, *, approve: bool, note: str | None) -> None:
    """`crm approve/reject ID` when ID is a service order (cli/actions.py asks first)."""
    from crm_tui.services import service_orders

    book = state(ctx).book
    command = "approve" if approve else "reject"
    typer.echo(run_or_fail(lambda: service_orders.step(book, rec.id, command, note)).id)


def withdraw_order(ctx: typer.Context, rec: Any) -> None:
    """`crm withdraw ID` when ID is a service order: its dispatch request back to new."""
    from crm_tui.services import service_orders

    book = state(ctx).book
    typer.echo(run_or_fail(lambda: service_orders.step(book, rec.id, "withdraw")).id)


def add_service(
    ctx: typer.Context,
    subject: str = typer.Argument(..., help="What is to be done: 安装 3 号机, fix the pump."),
    customer: str = typer.Option(..., help="Customer id or name."),
    kind: str = typer.Option(
        "repair", help="install repair maintenance inspection training complaint."
    ),
    planned: str | None = typer.Option(None, help="When: 'mon 9:00', 2026-12-02, +3d."),
    until: str | None = typer.Option(None, help="Planned end."),
    engineer: str | None = typer.Option(None, help="The team member to send (name or id)."),
    priority: str | None = typer.Option(None, help="low normal high urgent."),
    deal: str | None = typer.Option(None, "--deal", help="The deal it follows from."),
    contact: str | None = typer.Option(None, help="Contact id or name."),
    description: str | None = typer.Option(None),
) -> None:
    """Add a service order (new; `crm request ID` asks a manager to dispatch it)."""
    from crm_tui.services import service_orders

    book = state(ctx).book
    values: dict[str, Any] = {
        "subject": subject,
        "kind": kind,
        "planned_start": planned,
        "planned_end": until,
        "priority": priority,
        "description": description,
        "customer_id": link_id(book, "customer", customer),
        "engineer_id": _member(book, engineer),
        "opportunity_id": link_id(book, "opportunity", deal),
        "contact_id": link_id(book, "contact", contact),
    }
    clean = {k: v for k, v in values.items() if v is not None}
    typer.echo(run_or_fail(lambda: service_orders.create(book, clean)).id)


def _member(book: Book, ref: str | None) -> str | None:
    from crm_tui.services import records

    if ref is None or not ref.strip():
        return None
    found = records.member_id(book, ref.strip())
    if found is None:
        known = ", ".join(records.team_members(book)) or "none yet: sync first"
        fail(f"engineer: no team member '{ref}' (team: {known})")
    return found


def add_plan(
    ctx: typer.Context,
    customer: str = typer.Option(..., help="Customer id or name."),
    every: str = typer.Option(..., help="How often: 2w, 1m, 3m, 12m."),
    kind: str = typer.Option("maintenance", help="install repair maintenance inspection …"),
    subject: str | None = typer.Option(None, help="Default: '<Kind> every <N>'."),
    start: str | None = typer.Option(None, "--from", help="First visit (default today)."),
    end: str | None = typer.Option(None, "--to", help="Last day of the plan."),
    engineer: str | None = typer.Option(None, help="Default engineer (name or id)."),
    ahead: int | None = typer.Option(None, "--ahead", min=0, help="Days ahead (14)."),
    deal: str | None = typer.Option(None, "--deal", help="The deal it serves."),
) -> None:
    """Add a service plan: a visit every N weeks/months, created `--ahead` days early."""
    from crm_tui.services import service_plans

    book = state(ctx).book
    values: dict[str, Any] = {
        "customer_id": link_id(book, "customer", customer),
        "every": every,
        "kind": kind,
        "subject": subject,
        "starts_on": start,
        "ends_on": end,
        "engineer_id": _member(book, engineer),
        "lead_days": ahead,
        "opportunity_id": link_id(book, "opportunity", deal),
    }
    clean = {k: v for k, v in values.items() if v is not None}
    typer.echo(run_or_fail(lambda: service_plans.create(book, clean)).id)


def request(ctx: typer.Context, ref: str = typer.Argument(..., metavar="ID")) -> None:
    """Ask a manager to dispatch a service order (it needs an engineer)."""
    _step(ctx, ref, "request")


def start(ctx: typer.Context, ref: str = typer.Argument(..., metavar="ID")) -> None:
    """Start a dispatched visit (the assigned engineer)."""
    _step(ctx, ref, "start")


def close(ctx: typer.Context, ref: str = typer.Argument(..., metavar="ID")) -> None:
    """Close a finished service order (its creator or a manager)."""
    _step(ctx, ref, "close")


def cancel(ctx: typer.Context, ref: str = typer.Argument(..., metavar="ID")) -> None:
    """Cancel a service order before it is started."""
    _step(ctx, ref, "cancel")


# ignore_unknown_options: `--cost parts=-5` reaches the rule (a clear error), not click.
def finish(
    ctx: typer.Context,
    ref: str = typer.Argument(..., metavar="ID"),
    hours: str | None = typer.Option(None, "--hours", help="Time spent: 2.5 or 1:45."),
    cost: list[str] = typer.Option(
        [], "--cost", help="parts=300, travel=45.5, other=20; repeat for more."
    ),
    rating: str | None = typer.Option(None, "--rating", help="The customer's rating, 1-5."),
    feedback: str | None = typer.Option(None, "--feedback", help="What the customer said."),
) -> None:
    """Finish a started visit with its report (the assigned engineer)."""
    from crm_tui.services import service_orders

    costs: dict[str, str] = {}
    for item in cost:
        name, sep, amount = item.partition("=")
        if not sep or not name.strip():
            fail(f"--cost: '{item}' is not NAME=AMOUNT (e.g. parts=300)")
        costs[name.strip().lower()] = amount
    book = state(ctx).book
    report = run_or_fail(
        lambda: service_orders.read_report(
            book, hours=hours, costs=costs, rating=rating, feedback=feedback
        )
    )
    rec = _order(book, ref)
    if service_orders.why_not(book, rec, "finish") == service_orders.START_FIRST:
        fail(f"status: {service_orders.START_FIRST} (crm start {ref})")
    typer.echo(run_or_fail(lambda: service_orders.finish(book, rec.id, report.values())).id)


def plan_visits(ctx: typer.Context) -> None:
    """Create the coming visits of every active service plan now (the app does it daily)."""
    from crm_tui.services import service_plans

    made = run_or_fail(lambda: service_plans.generate(state(ctx).book))
    for rec in made:
        typer.echo(rec.id)


def register(app: typer.Typer) -> None:
    from crm_tui.cli.add import add_app

    add_app.command("service")(add_service)
    add_app.command("service-plan")(add_plan)
    app.command("request")(request)
    app.command("start")(start)
    app.command("finish", context_settings={"ignore_unknown_options": True})(finish)
    app.command("close")(close)
    app.command("cancel")(cancel)
    app.command("plan-visits")(plan_visits)


def write_report(ctx: typer.Context, period: str, fmt: str, output: Any | None, team: bool) -> None:
    """`crm report service`: service statistics (default: this month) as md, csv or html."""
    from crm_tui.cli.report_out import emit_report
    from crm_tui.services import service_stats

    emit_report(ctx, period, fmt, output, team, service_stats.build, service_stats.render)
