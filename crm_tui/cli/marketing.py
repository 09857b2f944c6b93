"""Provides the marketing commands (issue 16): `crm add campaign|partner`, `crm invite
CAMPAIGN QUERY`, `crm register CAMPAIGN --name … --phone …`, `crm attend|decline|no-show
CAMPAIGN PERSON`, `crm walk-in CAMPAIGN --name …`, `crm members CAMPAIGN` (also
`--export FILE.csv`), `crm link-partner CAMPAIGN PARTNER` and `crm import-registrations
CAMPAIGN FILE.csv`; the report is `crm report campaigns`.

Bad input is one `error:` line and exit 1, with nothing written: each command checks its
input (the campaign, the query, the fields) before the service call that writes.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from crm_tui.cli.context import fail, state
from crm_tui.cli.output import check_format, emit, shorten_ids
from crm_tui.cli.price_list import run_service

MEMBER_COLUMNS = ["id", "name", "company", "phone", "email", "status", "source", "when"]


def add_campaign(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="The campaign's name."),
    kind: str | None = typer.Option(
        None, help="exhibition, seminar, webinar, promotion, visit_day or other."
    ),
    start: str | None = typer.Option(None, "--start", help="First day (2026-12-01, fri, +7d)."),
    end: str | None = typer.Option(None, "--end", help="Last day."),
    place: str | None = typer.Option(None, help="Where."),
    budget: str | None = typer.Option(None, help="Budget: 5万, 50000, USD 900."),
    status: str | None = typer.Option(
        None, help="planned, open, running, done or cancelled (default planned)."
    ),
    partner: list[str] = typer.Option([], "--partner", help="A partner (name or id); repeat."),
    notes: str | None = typer.Option(None),
) -> None:
    """Add a campaign (a trade show, a seminar…); prints its id."""
    from crm_tui.domain.marketing_specs import join_ids
    from crm_tui.services import campaigns, partners

    book = state(ctx).book
    ids = [run_service(lambda p=p: partners.find(book, p)).id for p in partner]
    values: dict[str, Any] = {
        "name": name,
        "kind": kind,
        "starts_on": start,
        "ends_on": end,
        "place": place,
        "budget": budget,
        "status": status,
        "partner_ids": join_ids(ids),
        "notes": notes,
    }
    clean = {k: v for k, v in values.items() if v is not None}
    same = campaigns.same_name(book, name)
    made = run_service(lambda: campaigns.add_campaign(book, clean))
    if same:
        # Like a look-alike customer: added, but from now on the name alone is ambiguous.
        typer.echo(
            f"warning: a campaign named '{name.strip()}' already exists: "
            f"{campaigns.describe(book, same)} (added anyway; use the ids to tell them apart)",
            err=True,
        )
    typer.echo(made.id)


def add_partner(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="The partner's name."),
    kind: str | None = typer.Option(
        None, help="co_organiser, sponsor, venue, reseller or supplier."
    ),
    contact: str | None = typer.Option(None, "--contact", help="The contact person."),
    phone: str | None = typer.Option(None),
    email: str | None = typer.Option(None),
    notes: str | None = typer.Option(None),
) -> None:
    """Add a partner (合作伙伴); prints its id."""
    from crm_tui.services import partners

    values = {
        "name": name,
        "kind": kind,
        "contact_person": contact,
        "phone": phone,
        "email": email,
        "notes": notes,
    }
    clean = {k: v for k, v in values.items() if v is not None}
    made = run_service(lambda: partners.add_partner(state(ctx).book, clean))
    typer.echo(made.id)


def invite(
    ctx: typer.Context,
    campaign: str = typer.Argument(..., help="The campaign (name, id or prefix)."),
    query: str = typer.Argument(..., help="Who: a customer query such as 'grade:A city:上海'."),
    contacts: bool = typer.Option(False, "--contacts", help="The query is over contacts."),
) -> None:
    """Invite the contacts of every customer a query picks (or the contacts it picks)."""
    from crm_tui.services import campaign_members
    from crm_tui.services.lists import QueryError

    book = state(ctx).book
    if not query.strip():
        fail("give a query of who to invite, e.g. 'grade:A city:上海'")
    try:
        result = run_service(
            lambda: campaign_members.invite(
                book, campaign, query, "contact" if contacts else "customer"
            )
        )
    except QueryError as exc:
        fail(f"query: {exc}")
    typer.echo(f"invited {len(result.added)}; {len(result.already)} already on the campaign")


def register_person(
    ctx: typer.Context,
    campaign: str = typer.Argument(..., help="The campaign (name, id or prefix)."),
    name: str | None = typer.Option(None, "--name", help="The person's name (required)."),
    phone: str | None = typer.Option(None),
    company: str | None = typer.Option(None),
    email: str | None = typer.Option(None),
) -> None:
    """Register a person for a campaign (once: the same phone or e-mail is one person)."""
    from crm_tui.services import campaign_members

    values = {"name": name, "phone": phone, "company": company, "email": email}
    clean = {k: v for k, v in values.items() if v is not None}
    member, before = run_service(lambda: campaign_members.sign_up(state(ctx).book, campaign, clean))
    note = ""  # someone already on the campaign: say where they were
    if before == member.status:
        note = f" (already {before.replace('_', '-')})"
    elif before == "declined":
        note = " (had declined)"
    _say(ctx, f"{member.id}  {member.name} {member.status.replace('_', '-')}{note}")


def _say(ctx: typer.Context, line: str) -> None:
    """A member line with its ids shortened (README: ids print as their shortest prefix)."""
    typer.echo(shorten_ids(state(ctx).book, [line])[0])


def _step(ctx: typer.Context, campaign: str, person: str, status: str) -> None:
    from crm_tui.services import campaign_members

    book = state(ctx).book
    if status == "attended":
        member = run_service(lambda: campaign_members.attend(book, campaign, person))
    else:
        found = run_service(lambda: campaign_members.find_member(book, campaign, person))
        member = run_service(lambda: campaign_members.step(book, found.id, status))
    _say(ctx, f"{member.id}  {member.name} {member.status.replace('_', '-')}")


def attend(
    ctx: typer.Context,
    campaign: str = typer.Argument(..., help="The campaign (name, id or prefix)."),
    person: str = typer.Argument(..., help="A phone (or a few digits), a name or an id."),
) -> None:
    """Check someone in at the door (marks them attended, now)."""
    _step(ctx, campaign, person, "attended")


def decline(
    ctx: typer.Context,
    campaign: str = typer.Argument(...),
    person: str = typer.Argument(..., help="A phone, a name or an id."),
) -> None:
    """Mark an invitee or registrant as declined."""
    _step(ctx, campaign, person, "declined")


def no_show(
    ctx: typer.Context,
    campaign: str = typer.Argument(...),
    person: str = typer.Argument(..., help="A phone, a name or an id."),
) -> None:
    """Mark a registrant who did not come as a no-show."""
    _step(ctx, campaign, person, "no_show")


def walk_in(
    ctx: typer.Context,
    campaign: str = typer.Argument(..., help="The campaign (name, id or prefix)."),
    name: str | None = typer.Option(None, "--name", help="The person's name (required)."),
    phone: str | None = typer.Option(None),
    company: str | None = typer.Option(None),
    email: str | None = typer.Option(None),
) -> None:
    """Check in someone not on the list: they become a lead (a customer, a contact and a
    follow-up), attended now."""
    from crm_tui.services import campaign_members

    values = {"name": name, "phone": phone, "company": company, "email": email}
    clean = {k: v for k, v in values.items() if v is not None}
    book = state(ctx).book
    member = run_service(lambda: campaign_members.walk_in(book, campaign, clean))
    line = f"{member.id}  {member.name} attended"
    if member.customer_id:  # the new customer is named after the company, else the person
        line += f"; customer {member.company or member.name} {member.customer_id}"
    _say(ctx, line)


def members(
    ctx: typer.Context,
    campaign: str = typer.Argument(..., help="The campaign (name, id or prefix)."),
    status: str | None = typer.Option(
        None, help="invited, registered, attended, declined or no_show."
    ),
    fmt: str = typer.Option("table", "--format", "-f", help="table, json or csv."),
    export: Path | None = typer.Option(None, "--export", help="Write them to this CSV file."),
    force: bool = typer.Option(False, "--force", help="Overwrite the --export file."),
) -> None:
    """The people on a campaign, by name (or write them to a CSV file)."""
    from crm_tui.services import campaign_members

    check_format(fmt)
    if export is not None and export.exists() and not force:
        fail(f"--export: {export} exists; give another file name (or --force to overwrite it)")
    book = state(ctx).book
    people = run_service(lambda: campaign_members.members(book, campaign, status))
    if export is not None:
        count = run_service(lambda: campaign_members.export_csv(book, people, export))
        typer.echo(f"wrote {count} members to {export}", err=True)
        return
    rows = [campaign_members.member_row(book, m) for m in people]
    if fmt == "table":  # a person reads it: short ids (JSON and CSV keep the full ones)
        from crm_tui.services.short_ids import short_ids

        shorts = short_ids(book, (r["id"] for r in rows))
        rows = [r | {"id": shorts.get(r["id"], r["id"])} for r in rows]
    emit(rows, MEMBER_COLUMNS, fmt)


def link_partner(
    ctx: typer.Context,
    campaign: str = typer.Argument(...),
    partner: str = typer.Argument(..., help="The partner (name or id)."),
    remove: bool = typer.Option(False, "--remove", help="Unlink it instead."),
) -> None:
    """Link a partner to a campaign (or unlink it with --remove)."""
    from crm_tui.services import campaigns, partners

    book = state(ctx).book
    step = partners.unlink_partner if remove else partners.link_partner
    done = run_service(lambda: step(book, campaign, partner))
    names = ", ".join(p.name for p in campaigns.partners_of(book, done)) or "none"
    typer.echo(f"{done.name}: partners {names}")


def import_registrations(
    ctx: typer.Context,
    campaign: str = typer.Argument(..., help="The campaign (name, id or prefix)."),
    file: Path = typer.Argument(..., help="A CSV of sign-ups (姓名, 手机, 公司, 邮箱…)."),
    encoding: str | None = typer.Option(None, "--encoding", help="e.g. utf-8, gb18030."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show what would happen."),
    report: Path | None = typer.Option(
        None, "--report", help="Where refused rows go (default: FILE.rejected.csv)."
    ),
) -> None:
    """Import a registration list (a web form's or Excel's CSV) into a campaign: everyone
    registered once, every refused row reported with its line and reason."""
    from crm_tui.cli.io import _finish, _report_path
    from crm_tui.services import campaign_import, campaigns

    book = state(ctx).book
    run_service(lambda: campaigns.find(book, campaign))
    report_path = _report_path(file, report)
    try:
        the_plan = campaign_import.plan(file, encoding)
        result = run_service(
            lambda: campaign_import.import_registrations(
                book, campaign, file, encoding=encoding, dry_run=dry_run
            )
        )
    except campaign_import.ImportFailed as exc:
        fail(f"{file}: {exc}; nothing was imported")
    _finish([result], report_path, the_plan.headers, book)


def register(app: typer.Typer) -> None:
    from crm_tui.cli.add import add_app

    add_app.command("campaign")(add_campaign)
    add_app.command("partner")(add_partner)
    app.command("invite")(invite)
    app.command("register")(register_person)
    app.command("attend")(attend)
    app.command("decline")(decline)
    app.command("no-show")(no_show)
    app.command("walk-in")(walk_in)
    app.command("members")(members)
    app.command("link-partner")(link_partner)
    from crm_tui.cli.groups import import_app

    import_app.command("registrations")(import_registrations)


def write_campaigns(ctx: typer.Context, period: str, fmt: str | None, output: Path | None) -> None:
    """`crm report campaigns`: the campaign report (default: this year) as md, csv or html."""
    formats = ("md", "csv", "html")
    if fmt is None:
        suffix = output.suffix[1:].lower() if output else ""
        fmt = suffix if suffix in formats else "md"
    if fmt not in formats:
        fail(f"--format: '{fmt}' is not one of {', '.join(formats)}")
    from crm_tui.cli.report_out import emit_text, period_of
    from crm_tui.services import campaign_roi

    chosen = period_of(ctx, period) if period else None
    emit_text(campaign_roi.render(campaign_roi.build(state(ctx).book, chosen), fmt), output)
