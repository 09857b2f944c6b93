"""Provides the office commands (issue 17): `crm report write|submit|read|comment|team|rule`
(work reports; `crm report NAME` still writes the summary and other reports), `crm log
CUSTOMER` (the contact log), `crm mail CONTACT` (compose in the system mail client and log
it) and `crm contacts` (contact statistics and customers not contacted for N days).

`crm report write` opens `$VISUAL` / `$EDITOR` on a template with the period's figures,
like `git commit`: an empty report aborts and nothing is written. Bad input is one
`error:` line and exit 1.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import typer

from crm_tui.cli.context import fail, state
from crm_tui.cli.price_list import run_service

REPORT_VERBS = ("write", "submit", "read", "comment", "team", "rule")
KINDS = ("daily", "weekly", "monthly")

report_app = typer.Typer(
    name="report",
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    help="Work reports (日报/周报/月报).",
)


def run_report_verb(ctx: typer.Context, verb: str, args: list[str], **given: Any) -> None:
    """`crm report VERB …`: run the verb's command with the words `crm report` did not
    take (its own --period / --team options are handed on)."""
    if given.get("period"):
        args = [*args, "--period", given["period"]]
    command = typer.main.get_command(report_app)
    try:
        command.main(
            args=[verb, *args], prog_name="crm report", obj=state(ctx), standalone_mode=True
        )
    except SystemExit as exc:
        if exc.code:
            raise typer.Exit(int(exc.code) if isinstance(exc.code, int) else 1) from None


def _kind(kind: str) -> str:
    if kind not in KINDS:
        fail(f"--kind: '{kind}' is not one of {', '.join(KINDS)}")
    return kind


def _edit(text: str) -> str:
    """Run the rep's editor on `text` (as git does: $VISUAL, then $EDITOR, then vi)."""
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    with tempfile.NamedTemporaryFile(
        "w", suffix=".md", prefix="crm-report-", delete=False, encoding="utf-8"
    ) as handle:
        handle.write(text)
        path = Path(handle.name)
    try:
        try:
            done = subprocess.run([*shlex.split(editor), str(path)], check=False)
        except OSError as exc:
            fail(f"cannot run the editor '{editor}': {exc.strerror or exc}")
        if done.returncode != 0:
            fail(f"the editor '{editor}' exited with {done.returncode}; nothing was written")
        return path.read_text(encoding="utf-8")
    finally:
        path.unlink(missing_ok=True)


@report_app.command("write")
def write(
    ctx: typer.Context,
    kind: str = typer.Option("daily", "--kind", "-k", help="daily, weekly or monthly."),
    period: str | None = typer.Option(
        None, "--period", "-p", help="A date, 2026-W48, 2026-11 or last (default: current)."
    ),
    to: list[str] = typer.Option([], "--to", help="A recipient (default: your managers)."),
    submit: bool = typer.Option(False, "--submit", help="Submit it at once."),
) -> None:
    """Write your report in $EDITOR on a template with the period's figures."""
    from crm_tui.services import work_reports

    book = state(ctx).book
    _kind(kind)
    _, text = run_service(lambda: work_reports.template_for(book, kind, period))
    edited = _edit(text)
    rec = run_service(lambda: work_reports.write_from_text(book, kind, period, edited, to or None))
    if rec is None:
        fail("aborting: the report is empty (nothing was written)")
    if submit:
        rec = run_service(lambda: work_reports.submit(book, rec.id))
    typer.echo(f"{kind} report {rec.period} {rec.status}: {rec.id}")


@report_app.command("submit")
def submit_cmd(ctx: typer.Context, ref: str = typer.Argument(..., metavar="ID")) -> None:
    """Submit your report: its figures are counted now and frozen."""
    from crm_tui.services import work_reports

    book = state(ctx).book
    rec = run_service(lambda: work_reports.submit(book, ref))
    typer.echo(f"{rec.kind} report {rec.period} submitted: {rec.id}")


def print_report(view: Any) -> None:
    rec = view.report
    typer.echo(f"{rec.kind.capitalize()} report {rec.period} — {view.author} ({rec.status})")
    typer.echo(f"id: {rec.id}")
    if view.recipients:
        typer.echo(f"to: {', '.join(view.recipients)}")
    from crm_tui.domain.work_report_specs import SECTIONS

    for key, label in SECTIONS:
        typer.echo(f"\n{label}:")
        typer.echo(f"  {(getattr(rec, key) or '—').replace(chr(10), chr(10) + '  ')}")
    title = "Figures (frozen at submit)" if view.frozen else "Figures (so far)"
    typer.echo(f"\n{title}:")
    for line in view.figures:
        typer.echo(f"  {line}")
    if view.read_by:
        seen = ", ".join(f"{name} {at:%m-%d %H:%M}" for name, at in view.read_by)
        typer.echo(f"\nRead by: {seen}")
    if view.comments:
        typer.echo("\nComments:")
        for c in view.comments:
            pad = "  " * (c.depth + 1)
            typer.echo(f"{pad}{c.author} · {c.at:%m-%d %H:%M} · {c.id[:13]}")
            typer.echo(f"{pad}  {c.body}")


@report_app.command("read")
def read(ctx: typer.Context, ref: str = typer.Argument(..., metavar="ID")) -> None:
    """Show a report with its figures and comments (a read receipt for its author)."""
    from crm_tui.services import work_reports

    book = state(ctx).book
    print_report(run_service(lambda: work_reports.read(book, ref)))


@report_app.command("comment")
def comment(
    ctx: typer.Context,
    ref: str = typer.Argument(..., metavar="ID"),
    text: str = typer.Argument(..., metavar="TEXT"),
    reply: str | None = typer.Option(None, "--reply", help="The comment this answers."),
) -> None:
    """Comment on a report (or --reply to a comment)."""
    from crm_tui.services import work_reports

    book = state(ctx).book
    made = run_service(lambda: work_reports.comment(book, ref, text, reply))
    typer.echo(made.id)


@report_app.command("team")
def team(
    ctx: typer.Context,
    kind: str = typer.Option("daily", "--kind", "-k", help="daily, weekly or monthly."),
    period: str | None = typer.Option(None, "--period", "-p", help="Default: the current one."),
) -> None:
    """Who has and has not submitted (managers): unread first."""
    from crm_tui.services import work_reports

    book = state(ctx).book
    rows = run_service(lambda: work_reports.team_view(book, _kind(kind), period))
    p = run_service(lambda: work_reports.period(book, kind, period))
    typer.echo(f"{kind} reports {p.label}")
    for r in rows:
        state_word = {"submitted": "read" if r.read else "UNREAD", "draft": "draft"}
        when = f"{r.submitted_at:%m-%d %H:%M}" if r.submitted_at else ""
        word = state_word.get(r.status, "not written")
        typer.echo(f"  {r.name:<16} {word:<12} {when:<12} {r.report_id or ''}")


@report_app.command("rule")
def rule(
    ctx: typer.Context,
    kind: str = typer.Argument("daily", help="daily, weekly or monthly."),
    days: str | None = typer.Option(None, "--days", help="Weekdays it is due: mon-fri."),
    by: str | None = typer.Option(None, "--by", help="Due by this time: 18:00."),
) -> None:
    """Show the team's due rules, or set one (managers): crm report rule daily --days mon-fri
    --by 18:00."""
    from crm_tui.domain.work_report_specs import format_weekdays
    from crm_tui.services import work_reports

    book = state(ctx).book
    if days or by:
        if not (days and by):
            fail("give both --days and --by")
        run_service(lambda: work_reports.set_rule(book, _kind(kind), days, by))
    for r in work_reports.rules(book):
        typer.echo(f"{r.kind}: {format_weekdays(r.weekdays)} by {r.by:%H:%M}")


# --- the contact log -------------------------------------------------------------------
def log(
    ctx: typer.Context,
    customer: str = typer.Argument(..., help="The customer (id, id prefix or name)."),
    summary: str = typer.Argument("", help="What was said."),
    channel: str = typer.Option(
        "call",
        "--channel",
        "-c",
        help="call, visit, email, sms, wechat or meeting (or 电话 拜访 邮件 短信 微信 会议).",
    ),
    minutes: int | None = typer.Option(None, "--minutes", "-m", help="How long (0 to 1440)."),
    contact: str | None = typer.Option(None, "--contact", help="Who (a contact's name or id)."),
    incoming: bool = typer.Option(False, "--in", help="They contacted us."),
    at: str | None = typer.Option(None, "--at", help="When (default: now): 'yesterday 15:00'."),
) -> None:
    """Log a contact with a customer (联系记录): crm log ACME --channel call --minutes 12 "…"."""
    from crm_tui.services import contact_log

    book = state(ctx).book
    entry = run_service(
        lambda: contact_log.log(
            book,
            customer,
            channel=channel,
            summary=summary or None,
            minutes=minutes,
            contact_ref=contact,
            direction="in" if incoming else "out",
            at=at,
        )
    )
    typer.echo(entry.id)


def mail(
    ctx: typer.Context,
    contact: str = typer.Argument(..., help="A contact (or customer) with an e-mail address."),
    subject: str = typer.Option("", "--subject", "-s", help="The e-mail's subject."),
) -> None:
    """Compose an e-mail in the system mail client (mailto:) and log it."""
    from crm_tui.services import contact_log

    book = state(ctx).book
    url, entry = run_service(
        lambda: contact_log.compose_mail(book, contact, subject, opener=contact_log.open_url)
    )
    typer.echo(f"{url}\nlogged: {entry.id}")


def contacts(
    ctx: typer.Context,
    days: str | None = typer.Option(
        None, "--days", help="Quiet after: A=14,B=30,C=90 (any of them)."
    ),
    team: bool = typer.Option(False, "--team", help="The whole team (managers)."),
    period: str = typer.Option("30", "--last", help="Statistics over the last N days."),
    fmt: str = typer.Option(
        "table", "--format", "-f", help="table, json (everything) or csv (the quiet ones)."
    ),
) -> None:
    """Contact statistics (by channel and rep) and customers not contacted for too long."""
    from datetime import timedelta

    from rich.cells import cell_len

    from crm_tui.cli.output import check_format, emit
    from crm_tui.domain.work_report_specs import OfficeError, parse_quiet_days
    from crm_tui.services import contact_log, records
    from crm_tui.services.short_ids import short_ids

    check_format(fmt, ("table", "json", "csv"))
    book = state(ctx).book
    try:
        quiet_days = parse_quiet_days(days)
    except OfficeError as exc:
        fail(f"--days: {exc.message}")
    if not period.isdigit() or int(period) < 1:
        fail(f"--last: '{period}' is not a number of days")
    today = book.clock.today()
    start = today - timedelta(days=int(period) - 1)
    got = run_service(lambda: contact_log.stats(book, start, today + timedelta(days=1), team=team))
    count, quiet = contact_log.quiet_customers(book, quiet_days, team=team)
    rule = ", ".join(f"{g} {n}d" for g, n in sorted(quiet_days.items()))
    reps = [(records.member_name(book, o) or o or "—", n, m) for o, n, m in got.by_rep]
    full = fmt != "table"  # json and csv keep whole ids, as every list does
    shorts = {} if full else short_ids(book, (r.id for r in quiet))
    rows = [
        {
            "grade": r.grade,
            "name": r.name,
            "since": f"{r.days} days" if r.days is not None else "never",
            "days": r.days,
            "id": r.id if full else shorts.get(r.id, r.id),
        }
        for r in quiet
    ]
    if fmt == "csv":
        emit(rows, ["grade", "name", "days", "id"], "csv")
        return
    if fmt == "json":
        typer.echo(
            json.dumps(
                {
                    "from": str(start),
                    "to": str(today),
                    "contacts": got.total,
                    "minutes": got.minutes,
                    "by_channel": [
                        {"channel": c, "contacts": n, "minutes": m} for c, n, m in got.by_channel
                    ],
                    "by_rep": [{"rep": r, "contacts": n, "minutes": m} for r, n, m in reps]
                    if team
                    else [],
                    "not_contacted": {"rule": quiet_days, "count": count, "customers": rows},
                },
                ensure_ascii=False,
                indent=2,
            )
        )
        return
    typer.echo(f"Contacts {start} – {today}: {got.total} ({got.minutes} min)")
    for channel, n, mins in got.by_channel:
        typer.echo(f"  {channel:<8} {n:>5}  {mins:>5} min")
    for name, n, mins in reps if team else []:  # padded by display width (CJK is 2 wide)
        typer.echo(f"  {name}{' ' * max(1, 16 - cell_len(name))} {n:>5}  {mins:>5} min")
    typer.echo(f"Not contacted ({rule}): {count}")
    if rows:
        emit(rows, ["grade", "name", "since", "id"], "table")


def register(app: typer.Typer) -> None:
    app.command("log")(log)
    app.command("mail")(mail)
    app.command("contacts")(contacts)


def write_contacts_report(
    ctx: typer.Context, period: str, fmt: str, output: Path | None, team: bool
) -> None:
    """`crm report contacts`: the contact statistics (联系统计) as md, csv or html."""
    from crm_tui.cli.report_out import emit_report
    from crm_tui.services import contact_log

    emit_report(ctx, period, fmt, output, team, contact_log.report, contact_log.render)
