"""Provides `crm report NAME`: the four reports as Markdown, CSV or HTML files."""

from __future__ import annotations

from pathlib import Path

import typer

from crm_tui.cli.context import fail, state

# Kept here, not imported from services.reports, so `crm --help` loads no report code.
NAMES = (
    "summary",
    "customers",
    "opportunities",
    "expenses",
    "receivables",
    "campaigns",
    "segments",
    "churn",
    "contacts",
    "service",
    "field",  # issue 18: visits and targets (cli/field_sales.py)
)
FORMATS = ("md", "csv", "html")


def register(app: typer.Typer) -> None:
    # Extra words pass through to the work-report verbs (cli/office.py: write, read …).
    # --help is this command's own option so that `crm report write --help` reaches the verb.
    settings = {"allow_extra_args": True, "ignore_unknown_options": True}
    app.command("report", context_settings=settings | {"help_option_names": []})(report)


def report(
    ctx: typer.Context,
    name: str | None = typer.Argument(
        None,
        help="summary, customers, opportunities, expenses or receivables; or a work "
        "report verb: write, submit, read, comment, team, rule (crm report write --help).",
    ),
    period: str = typer.Option(
        "",
        "--period",
        "-p",
        help="2026-11, 2026-Q4, 2026, this-month, last-month, last-quarter… (default: this month).",
    ),
    fmt: str | None = typer.Option(
        None,
        "--format",
        "-f",
        help="md, csv or html (default: from the --output file's extension, else md).",
    ),
    output: Path | None = typer.Option(
        None, "--output", "-o", help="Write to this file instead of the screen."
    ),
    team: bool = typer.Option(False, "--team", help="The whole team's figures (managers)."),
    cold_days: int = typer.Option(
        30, "--cold-days", min=1, help="Customers going cold: no follow-up done in N days."
    ),
    show_help: bool = typer.Option(False, "--help", help="Show this message and exit."),
) -> None:
    """Write a report: work summary, customers, opportunities or expenses."""
    from crm_tui.cli.office import REPORT_VERBS, run_report_verb

    if name in REPORT_VERBS:  # work reports (issue 17)
        run_report_verb(ctx, name, [*ctx.args, *(["--help"] if show_help else [])], period=period)
        return
    if show_help or name is None:
        typer.echo(ctx.get_help())
        if name is None and not show_help:
            fail("name a report: " + ", ".join(NAMES))
        raise typer.Exit()
    if ctx.args:
        fail(f"unexpected words after the report name: {' '.join(ctx.args)}")
    if name not in NAMES:
        fail(f"no report '{name}'; choose one of {', '.join(NAMES)}")
    if fmt is None:
        suffix = output.suffix[1:].lower() if output else ""
        fmt = suffix if suffix in FORMATS else "md"
    if fmt not in FORMATS:
        fail(f"--format: '{fmt}' is not one of {', '.join(FORMATS)}")
    if name == "contacts":  # contact statistics (issue 17): cli/office.py
        from crm_tui.cli.office import write_contacts_report

        write_contacts_report(ctx, period, fmt, output, team)
        return
    if name == "service":  # service statistics (issue 15): cli/service.py
        from crm_tui.cli.service import write_report

        write_report(ctx, period, fmt, output, team)
        return
    if name == "field":  # visits and targets (issue 18): cli/field_sales.py
        from crm_tui.cli.field_sales import write_field_report

        write_field_report(ctx, period, fmt, output, team)
        return
    if name == "receivables":  # payments against contract plans (issue 19): its own service
        from crm_tui.cli.sales_docs import write_receivables

        write_receivables(ctx, period, fmt, output, team)
        return
    if name == "campaigns":  # return on spend per campaign (issue 16): cli/marketing.py
        from crm_tui.cli.marketing import write_campaigns

        write_campaigns(ctx, period, fmt, output)
        return
    if name in ("segments", "churn"):  # customer insight (issue 22): cli/insight.py
        from crm_tui.cli.insight import write_report

        write_report(ctx, name, period, fmt, output, team)
        return
    from crm_tui.cli.report_out import emit_text, period_of
    from crm_tui.services import reports

    st = state(ctx)
    chosen = period_of(ctx, period)
    try:
        built = reports.build_at(
            st.db_path, name, chosen, clock=st.clock, team=team, cold_days=cold_days
        )
    except reports.CannotOpen as exc:
        fail(f"cannot open database {st.db_path}: {exc}")
    except reports.ReportRefused as exc:
        fail(f"--team: {exc}")
    emit_text(reports.render(built, fmt), output)
