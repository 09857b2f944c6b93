"""Provides `crm add customer|contact|followup|opportunity|expense|competitor`: prints the new
id."""

from __future__ import annotations

from typing import Any

import typer

from crm_tui.cli.context import fail, state
from crm_tui.cli.matching import link_id, run_or_fail

add_app = typer.Typer(help="Add a record; prints the new record's id.", no_args_is_help=True)


def _warn_lookalikes(ctx: typer.Context, values: dict[str, Any]) -> None:
    """A new customer like an existing one (name, phone or e-mail): say which, on stderr."""
    from crm_tui.cli.output import shorten_ids
    from crm_tui.services.customers_match import matching_customers

    book = state(ctx).book
    found = matching_customers(book, values)
    if not found:
        return
    from crm_tui.services.pool import collisions  # issue 18: 撞单, a second copy refused

    for clash in collisions(book, found)[:1]:
        fail(shorten_ids(book, [f"{clash.line()}; --force adds a second copy anyway"])[0])
    lines = shorten_ids(book, [f"  {m.id}  {m.line()}" for m in found])
    typer.echo(
        f"warning: '{values['name']}' looks like an existing customer (added anyway; "
        "--force skips this check):",
        err=True,
    )
    for line in lines:
        typer.echo(line, err=True)


def _add(
    ctx: typer.Context, entity: str, values: dict[str, Any], refs: dict[str, tuple[str, str | None]]
) -> Any:
    from crm_tui.services import records

    book = state(ctx).book
    for field_name, (ref_entity, ref) in refs.items():
        resolved = link_id(book, ref_entity, ref)
        if resolved is not None:
            values[field_name] = resolved
    clean = {k: v for k, v in values.items() if v is not None}
    rec = run_or_fail(lambda: records.create(book, entity, clean))
    typer.echo(rec.id)
    return rec


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
    force: bool = typer.Option(
        False,
        "--force",
        help="Add without checking for a customer with the same name/phone/e-mail.",
    ),
) -> None:
    """Add a customer (a company or a person). Warns (on stderr) when one with the same
    normalised name, phone or e-mail exists; --force skips the check."""
    if not force:
        _warn_lookalikes(ctx, {"name": name, "phone": phone, "email": email})
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
    campaign: str | None = typer.Option(None, help="The campaign it came from (its source)."),
) -> None:
    """Add a deal (an opportunity in the pipeline; `crm add deal` is the same)."""
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
        {
            "customer_id": ("customer", customer),
            "competitor_id": ("competitor", competitor),
            "campaign_id": ("campaign", campaign),
        },
    )


# ignore_unknown_options: `-20` is the amount (refused as negative by the app's own rule),
# not an unknown option -2.
@add_app.command("expense", context_settings={"ignore_unknown_options": True})
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
    campaign: str | None = typer.Option(None, help="The campaign it was spent on (its cost)."),
) -> None:
    """Add an expense claim (a draft, until submitted)."""
    if receipt:
        from pathlib import Path

        from crm_tui.services import files

        if not Path(receipt).expanduser().is_file():
            fail(f"receipt: no file at {receipt}")
        # The scan becomes a file on the claim (issue 17): checked before anything is written.
        run_or_fail(lambda: files.check_file(state(ctx).book, receipt, field_name="receipt"))
    from crm_tui.services import expenses

    run_or_fail(lambda: expenses.check_spent_on(state(ctx).book, spent_on))
    rec = _add(
        ctx,
        "expense",
        {
            "amount": amount,
            "spent_on": spent_on,
            "category": category,
            "description": description,
            "receipt": Path(receipt).name if receipt else None,
        },
        {
            "customer_id": ("customer", customer),
            "opportunity_id": ("opportunity", deal),
            "campaign_id": ("campaign", campaign),
        },
    )
    if receipt:
        run_or_fail(lambda: files.attach_receipt(state(ctx).book, rec.id, receipt))


@add_app.command("competitor")
def add_competitor(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="The competing company (宝钢, Acme ...)."),
    strengths: str | None = typer.Option(None, help="Where they beat us."),
    weaknesses: str | None = typer.Option(None, help="Where we beat them."),
    notes: str | None = typer.Option(None),
) -> None:
    """Add a competitor, to name when a deal is lost (`crm lost ID --competitor NAME`)."""
    from crm_tui.services import competitors

    values = {"name": name, "strengths": strengths, "weaknesses": weaknesses, "notes": notes}
    clean = {k: v for k, v in values.items() if v is not None}
    rec = run_or_fail(lambda: competitors.create(state(ctx).book, clean))
    typer.echo(rec.id)


add_app.command("deal", hidden=True)(add_opportunity)


def register(app: typer.Typer) -> None:
    app.add_typer(add_app, name="add")
